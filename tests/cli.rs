//! The command line: output formats and the exit-code contract.

mod common;

use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_restate-lsp"))
}

#[test]
fn check_json_prints_an_array_and_exit_code_matches_findings() {
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(common::fixture("workspaces/multi"))
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let arr = v.as_array().expect("an array");
    let blocking = arr
        .iter()
        .any(|f| matches!(f["severity"].as_str(), Some("warning") | Some("error")));
    assert_eq!(
        out.status.code(),
        Some(if blocking { 1 } else { 0 }),
        "{arr:?}"
    );
    for f in arr {
        for key in [
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "code",
            "severity",
            "message",
        ] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
    }
}

#[test]
fn missing_path_is_exit_2() {
    let out = bin()
        .args(["check", "/definitely/not/here"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /definitely/not/here"));
}

#[test]
fn usage_errors_are_exit_2() {
    let out = bin()
        .args(["check", "--format", "xml"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = bin().args(["--no-such-flag"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn version_and_explain() {
    let out = bin().arg("--version").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let out = bin().args(["explain", "RS1001"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# RS1001 wall-clock"));
    let out = bin().args(["explain", "rs3004"]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# RS3004 ignored-error"));
    let out = bin().args(["explain", "RS9999"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `RS9999`"));
}

//! `check --fix`, `--diff`, `--select`/`--ignore`, `--min-severity`, `--exit-zero`,
//! `--statistics`, and bad input (a read-only file among writable ones, a file with a syntax
//! error), on small modules written by the tests; and the go.mod notice of a module that pins
//! sdk-go 0.x.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_restate-lsp"))
}

const GO_MOD: &str =
    "module example.com/fixme\n\ngo 1.25.0\n\nrequire github.com/restatedev/sdk-go v1.0.2\n";

/// A handler with two safe fixes (RS1004, RS1003) and a warning without one (RS1001): the values
/// go into journaled state.
fn handler(name: &str) -> String {
    format!(
        "package main\n\nimport (\n\t\"math/rand\"\n\t\"time\"\n\n\t\"github.com/google/uuid\"\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype {name} struct{{}}\n\nfunc ({name}) Roll(ctx restate.ObjectContext) error {{\n\tid := uuid.NewString()\n\tn := rand.Intn(6)\n\tnow := time.Now()\n\trestate.Set(ctx, \"roll\", id+now.String()+string(rune(n)))\n\treturn nil\n}}\n"
    )
}

fn module(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_fix")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("go.mod"), GO_MOD).expect("go.mod");
    for (f, text) in files {
        std::fs::write(dir.join(f), text).expect("write");
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .arg("check")
        .args(args)
        .arg(dir)
        .output()
        .expect("run check")
}

fn json(out: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v.as_array().cloned().unwrap_or_default()
}

fn codes(out: &Output) -> Vec<String> {
    json(out)
        .iter()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read")
}

#[test]
fn fix_applies_the_safe_fixes_and_reports_what_is_left() {
    let dir = module("fix", &[("a.go", handler("A")), ("b.go", handler("B"))]);
    let out = run(&dir, &["--fix", "--format", "json"]);
    let left = codes(&out);
    assert_eq!(left, vec!["RS1001", "RS1001"], "{left:?}");
    assert_eq!(out.status.code(), Some(1), "RS1001 (a warning) is left");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixed 4 finding(s) in 2 file(s); 2 left"),
        "{stderr}"
    );
    for f in ["a.go", "b.go"] {
        let text = read(&dir.join(f));
        assert!(text.contains("id := restate.UUID(ctx).String()"), "{text}");
        assert!(text.contains("n := restate.Rand(ctx).IntN(6)"), "{text}");
        // The imports the fixes left unused are gone.
        assert!(
            !text.contains("google/uuid") && !text.contains("\"math/rand\""),
            "{text}"
        );
    }
    // Nothing left to fix: a second run changes nothing.
    let before = read(&dir.join("a.go"));
    let again = run(&dir, &["--fix"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(read(&dir.join("a.go")), before);
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let dir = module("diff", &[("a.go", handler("A"))]);
    let before = read(&dir.join("a.go"));
    let out = run(&dir, &["--diff"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "ruff's convention: 1 when there is a diff"
    );
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("\n-\tid := uuid.NewString()\n"), "{diff}");
    assert!(
        diff.contains("\n+\tid := restate.UUID(ctx).String()\n"),
        "{diff}"
    );
    assert!(diff.contains("a/") && diff.contains("a.go\n"), "{diff}");
    assert_eq!(read(&dir.join("a.go")), before);
    // Only the selected rules' fixes.
    let out = run(&dir, &["--diff", "--select", "RS1004"]);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("restate.UUID(ctx)") && !diff.contains("IntN"),
        "{diff}"
    );
    assert_eq!(read(&dir.join("a.go")), before);
}

#[test]
fn select_ignore_min_severity_exit_zero() {
    let dir = module("filters", &[("a.go", handler("A"))]);
    let all = codes(&run(&dir, &["--format", "json"]));
    assert_eq!(all.len(), 3, "{all:?}");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(sorted, vec!["RS1001", "RS1003", "RS1004"]);
    assert_eq!(
        codes(&run(
            &dir,
            &["--format", "json", "--select", "RS1003,rs1004"]
        ))
        .len(),
        2
    );
    assert_eq!(
        codes(&run(
            &dir,
            &["--format", "json", "--select", "RS1", "--ignore", "RS100"]
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&run(
            &dir,
            &[
                "--format", "json", "--ignore", "RS1003", "--ignore", "RS1004"
            ]
        )),
        vec!["RS1001"]
    );
    let out = run(&dir, &["--format", "json", "--min-severity", "error"]);
    assert!(
        json(&out).iter().all(|f| f["severity"] == "error"),
        "{:?}",
        json(&out)
    );
    let warn = run(&dir, &["--format", "json", "--min-severity", "warning"]);
    assert!(!json(&warn).is_empty());
    assert!(
        json(&warn)
            .iter()
            .all(|f| matches!(f["severity"].as_str(), Some("warning" | "error")))
    );
    assert_eq!(warn.status.code(), Some(1));
    assert_eq!(run(&dir, &["--exit-zero"]).status.code(), Some(0));
    // A prefix that names no rule is a usage error, not a silent empty report.
    assert_eq!(run(&dir, &["--select", "RSX"]).status.code(), Some(2));
}

#[test]
fn statistics_in_every_format() {
    let dir = module("stats", &[("a.go", handler("A")), ("b.go", handler("B"))]);
    let out = run(&dir, &["--statistics"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].trim_start().starts_with("2  RS1001  wall-clock"),
        "{text}"
    );
    assert!(
        lines[1].contains("RS1003") && lines[1].contains("2 fixable"),
        "{text}"
    );
    let rows = json(&run(&dir, &["--statistics", "--format", "json"]));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["code"], "RS1001");
    assert_eq!(rows[0]["count"], 2);
    let gh = run(&dir, &["--statistics", "--format", "github"]);
    assert!(String::from_utf8_lossy(&gh.stdout).contains("::notice title=RS1004::2 finding(s)"));
    let sarif: Value =
        serde_json::from_slice(&run(&dir, &["--statistics", "--format", "sarif"]).stdout)
            .expect("SARIF");
    assert_eq!(
        sarif["runs"][0]["properties"]["statistics"][2]["ruleId"],
        "RS1004"
    );
    // With a filter, only what is selected is counted.
    let one = json(&run(
        &dir,
        &["--statistics", "--format", "json", "--select", "RS1003"],
    ));
    assert_eq!(one.len(), 1);
}

#[test]
fn a_read_only_file_and_a_broken_file_are_reported_and_the_others_fixed() {
    let broken = handler("C").replace("id+now", "id+(now");
    let dir = module(
        "bad_input",
        &[
            ("a.go", handler("A")),
            ("b.go", handler("B")),
            ("c.go", broken.clone()),
        ],
    );
    let b = dir.join("b.go");
    let mut perm = std::fs::metadata(&b).expect("meta").permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&b, perm).expect("chmod");
    let b_before = read(&b);
    let out = run(&dir, &["--fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        read(&dir.join("a.go")).contains("restate.UUID(ctx)"),
        "{stderr}"
    );
    assert_eq!(read(&b), b_before, "the read-only file was written");
    assert_eq!(
        read(&dir.join("c.go")),
        broken,
        "the broken file was written"
    );
    assert!(
        stderr.contains("b.go: cannot be written (the file is read-only"),
        "{stderr}"
    );
    assert!(stderr.contains("c.go: has syntax errors"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
    let mut perm = std::fs::metadata(&b).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    let _ = std::fs::set_permissions(&b, perm);
}

#[test]
fn an_unreadable_file_is_reported_and_skipped() {
    let dir = module(
        "unreadable",
        &[("a.go", handler("A")), ("z.go", handler("Z"))],
    );
    let z = dir.join("z.go");
    let mut perm = std::fs::metadata(&z).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o000);
    std::fs::set_permissions(&z, perm.clone()).expect("chmod");
    if std::fs::read(&z).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to observe.
        eprintln!("running as root: the unreadable-file case cannot be set up here");
    } else {
        let out = run(&dir, &["--fix"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot read") && stderr.contains("z.go"),
            "{stderr}"
        );
        assert!(
            read(&dir.join("a.go")).contains("restate.UUID(ctx)"),
            "{stderr}"
        );
    }
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o644);
    let _ = std::fs::set_permissions(&z, perm);
}

#[test]
fn check_reports_the_go_mod_notice_of_a_module_on_sdk_go_0x() {
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(common::fixture("migrate/v024"))
        .output()
        .expect("run");
    let all = json(&out);
    let notices: Vec<&Value> = all.iter().filter(|f| f["code"] == "RS9001").collect();
    assert_eq!(notices.len(), 1, "{all:?}");
    let n = notices[0];
    assert!(
        n["file"].as_str().is_some_and(|f| f.ends_with("go.mod")),
        "{n}"
    );
    assert_eq!(n["line"], 6);
    assert_eq!(n["severity"], "info");
    let msg = n["message"].as_str().unwrap_or("");
    assert!(msg.starts_with("47 call sites use API that sdk-go 1.0 renamed or removed (Request().Headers x6, TerminalError x6, "), "{msg}");
    assert!(msg.contains("restate-lsp migrate"), "{msg}");
    // Off, no notice.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_fix/notice_off");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for f in ["go.mod", "payments.go"] {
        std::fs::copy(common::fixture("migrate/v024").join(f), dir.join(f)).expect("copy");
    }
    std::fs::write(dir.join("restate-lsp.toml"), "[rules]\nRS9001 = \"off\"\n").expect("config");
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run");
    assert!(!codes(&out).contains(&"RS9001".to_string()));
}

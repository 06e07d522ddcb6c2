//! Dependency summaries in the server and in `check`, over the real binary: loaded after indexing
//! without holding anything up, cached in our own cache directory (never in the workspace), read
//! back by the next start. The module cache is the fixture GOPATH `tests/fixtures/modcache`.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{LspClient, caps_utf16, fixture};
use serde_json::Value;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("restate-lsp-lspdeps-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn env(cache: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("GOPATH", fixture("modcache").into_os_string()),
        ("RESTATE_LSP_CACHE_DIR", cache.as_os_str().to_os_string()),
        // Go's own settings file must not point elsewhere.
        ("GOENV", "off".into()),
    ]
}

/// Start the server on the fixture workspace, open its handler file, and return the log line of
/// the dependency load.
fn start(cache: &Path) -> String {
    let vars = env(cache);
    let set: Vec<(&str, &OsStr)> = vars.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let mut c = LspClient::spawn_with_env(&set, &["GOMODCACHE"]);
    let root = fixture("workspaces/deps");
    c.initialize(Some(&root), caps_utf16(), Value::Null);
    let file = root.join("agent.go");
    let text = std::fs::read_to_string(&file).expect("fixture");
    let uri = c.open(&file, &text, 1);
    c.diagnostics(&uri, 1);
    let log = c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("dependency summaries"))
    });
    // The open document is refreshed once the summaries are in.
    c.diagnostics(&uri, 1);
    let stderr = c.stderr();
    assert_eq!(c.shutdown(), Some(0), "{stderr}");
    log["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn the_server_loads_summaries_in_the_background_and_a_second_start_reads_them() {
    let cache = temp("server");
    let cold = start(&cache);
    assert!(
        cold.contains("20 packages from 11 modules (20 parsed, 0 from the disk cache"),
        "{cold}"
    );
    // One file per module@version of the module cache, in our cache directory.
    let pgx = cache.join("deps/github.com/jackc/pgx/v5@v5.7.2.json");
    assert!(pgx.is_file(), "{}", pgx.display());
    assert!(
        cache
            .join("deps/github.com/!burnt!sushi/toml@v1.4.0.json")
            .is_file()
    );
    let warm = start(&cache);
    assert!(
        warm.contains("20 packages from 11 modules (1 parsed, 19 from the disk cache"),
        "{warm}"
    );
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn check_loads_summaries_before_the_rules_and_writes_the_cache() {
    let cache = temp("check");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_restate-lsp"));
    cmd.arg("check").arg(fixture("workspaces/deps"));
    for (k, v) in env(&cache) {
        cmd.env(k, v);
    }
    cmd.env_remove("GOMODCACHE");
    let out = cmd.output().expect("run check");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    assert!(
        cache
            .join("deps/github.com/stripe/stripe-go/v82@v82.1.0.json")
            .is_file()
    );
    // The workspace itself is never written.
    let listed: Vec<String> = std::fs::read_dir(fixture("workspaces/deps"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut listed = listed;
    listed.sort();
    assert_eq!(listed, vec!["agent.go", "go.mod"]);
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn a_new_import_is_loaded_after_the_document_settles() {
    let cache = temp("newimport");
    let ws = temp("newimport-ws");
    std::fs::create_dir_all(&ws).expect("mkdir");
    std::fs::write(
        ws.join("go.mod"),
        "module example.com/x\n\ngo 1.23\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.7.2\n\tgithub.com/segmentio/kafka-go v0.4.47\n)\n",
    )
    .expect("go.mod");
    let before =
        "package x\n\nimport \"github.com/jackc/pgx/v5/pgxpool\"\n\nvar Pool *pgxpool.Pool\n";
    std::fs::write(ws.join("x.go"), before).expect("x.go");
    let vars = env(&cache);
    let set: Vec<(&str, &OsStr)> = vars.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let mut c = LspClient::spawn_with_env(&set, &["GOMODCACHE"]);
    c.initialize(Some(&ws), caps_utf16(), Value::Null);
    let uri = c.open(&ws.join("x.go"), before, 1);
    let is_load = |p: &Value| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("dependency summaries"))
    };
    let first = c.wait_for("window/logMessage", is_load);
    // pgxpool and the packages its signatures name (pgx, pgconn).
    assert!(
        first["message"]
            .as_str()
            .is_some_and(|m| m.contains(": 3 packages from 1 modules")),
        "{first}"
    );
    let after = before.replace(
        "import \"github.com/jackc/pgx/v5/pgxpool\"",
        "import (\n\t\"github.com/jackc/pgx/v5/pgxpool\"\n\t\"github.com/segmentio/kafka-go\"\n)\n\nvar W *kafka.Writer",
    );
    c.notify(
        "textDocument/didChange",
        serde_json::json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": after}]}),
    );
    let second = c.wait_for("window/logMessage", is_load);
    assert!(
        second["message"].as_str().is_some_and(
            |m| m.contains(": 4 packages from 2 modules (1 parsed, 3 from the disk cache")
        ),
        "{second}"
    );
    assert_eq!(c.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&cache);
    let _ = std::fs::remove_dir_all(&ws);
}

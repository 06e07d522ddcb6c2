//! Over stdio: a module that pins sdk-go v0.24 gets one RS9001 notice on go.mod (opened with the
//! language id `go.mod`) instead of a finding per site; the notice's code action "Migrate this
//! module to sdk-go 1.0" carries one workspace edit over several Go files and go.mod (versioned
//! for open documents, unversioned for closed ones), and applying it gives the migrated files of
//! tests/fixtures/migrate/v024.golden. The command `restate-lsp.migrateModule` sends the same edit
//! with workspace/applyEdit, and editing go.mod to require 1.0 turns the notice into per-site
//! errors.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{LspClient, file_uri};
use serde_json::{Value, json};

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    for e in std::fs::read_dir(from).expect("read").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::create_dir_all(to).expect("mkdir");
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Byte offset of an LSP position counted in UTF-8 (the fixture is ASCII anyway).
fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let ch = pos["character"].as_u64().unwrap_or(0) as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    (start + ch).min(text.len())
}

fn apply(text: &str, edits: &[Value]) -> String {
    let mut es: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    es.sort_by_key(|e| (e.0, e.1));
    let mut out = String::new();
    let mut pos = 0;
    for (s, e, t) in es {
        assert!(s >= pos, "overlapping edits");
        out.push_str(&text[pos..s]);
        out.push_str(&t);
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

fn caps() -> Value {
    let mut c = common::caps_utf8();
    c["workspace"]["workspaceEdit"] = json!({"documentChanges": true});
    c["workspace"]["applyEdit"] = json!(true);
    c
}

#[test]
fn go_mod_notice_code_action_and_command() {
    let root: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp_migrate/shop");
    copy_dir(&common::fixture("migrate/v024"), &root);
    let mut c = LspClient::spawn();
    c.initialize(Some(&root), caps(), Value::Null);

    let payments = root.join("payments.go");
    let payments_text = std::fs::read_to_string(&payments).expect("read");
    let payments_uri = c.open(&payments, &payments_text, 0);
    let gomod = root.join("go.mod");
    let gomod_text = std::fs::read_to_string(&gomod).expect("read");
    let gomod_uri = file_uri(&gomod);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": gomod_uri, "languageId": "go.mod", "version": 0, "text": gomod_text}}),
    );

    // One notice on the require line, with related sites in several files.
    let diags = c.diagnostics(&gomod_uri, 0);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let notice = &diags[0];
    assert_eq!(notice["code"], "RS9001");
    assert_eq!(notice["source"], "restate");
    assert_eq!(notice["severity"], 3, "information");
    assert_eq!(notice["range"]["start"]["line"], 5);
    let msg = notice["message"].as_str().unwrap_or("");
    assert!(
        msg.starts_with("47 call sites use API that sdk-go 1.0 renamed or removed ("),
        "{msg}"
    );
    let related = notice["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(related.len(), 5, "{related:?}");
    let related_files: std::collections::BTreeSet<&str> = related
        .iter()
        .filter_map(|r| r["location"]["uri"].as_str())
        .collect();
    assert!(related_files.len() >= 2, "{related_files:?}");

    // No finding per site in the Go file (once the module's go.mod is known).
    let published = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == json!(payments_uri) && p["version"] == json!(0)
    });
    let go_diags = published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        go_diags.iter().all(|d| d["code"] != "RS9001"),
        "{go_diags:?}"
    );

    // Hover shows the declaration of the pinned version where 1.0 changed it.
    let line = payments_text
        .lines()
        .position(|l| l.contains("restate.TerminalError(fmt.Errorf"))
        .expect("the line");
    let col = payments_text
        .lines()
        .nth(line)
        .unwrap_or("")
        .find("TerminalError")
        .unwrap_or(0)
        + 2;
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": payments_uri}, "position": {"line": line, "character": col}}),
    );
    let md = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(md.contains("**sdk-go v0.24.0**"), "{hover}");
    assert!(
        md.contains("func TerminalError(err error, code ...Code) error"),
        "{md}"
    );

    // The action on the notice: one edit over several files and go.mod.
    let resp = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": gomod_uri},
            "range": notice["range"],
            "context": {"diagnostics": [notice]}
        }),
    );
    let actions = resp["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(actions.len(), 1, "{resp}");
    let action = &actions[0];
    assert_eq!(action["title"], "Migrate this module to sdk-go 1.0");
    assert_eq!(action["diagnostics"][0]["code"], "RS9001");
    let changes = action["edit"]["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let by_uri: BTreeMap<String, &Value> = changes
        .iter()
        .map(|d| {
            (
                d["textDocument"]["uri"].as_str().unwrap_or("").to_string(),
                d,
            )
        })
        .collect();
    assert!(
        by_uri.len() >= 8,
        "{} documents: {:?}",
        by_uri.len(),
        by_uri.keys()
    );
    assert_eq!(
        by_uri[&gomod_uri]["textDocument"]["version"], 0,
        "open: versioned"
    );
    assert_eq!(by_uri[&payments_uri]["textDocument"]["version"], 0);
    let client_uri = file_uri(&root.join("client/client.go"));
    assert_eq!(
        by_uri[&client_uri]["textDocument"]["version"],
        Value::Null,
        "closed"
    );
    // Applying it gives the migrated files.
    let golden = common::fixture("migrate/v024.golden");
    for (uri, doc) in &by_uri {
        let path = PathBuf::from(uri.trim_start_matches("file://"));
        let rel = path.strip_prefix(&root).expect("inside the module");
        let text = std::fs::read_to_string(&path).expect("read");
        let edits = doc["edits"].as_array().cloned().unwrap_or_default();
        let want = std::fs::read_to_string(golden.join(format!("{}.golden", rel.display())))
            .expect("golden");
        assert_eq!(apply(&text, &edits), want, "{}", rel.display());
    }

    // The command: the same edit, sent to the client (the server writes nothing itself).
    let resp = c.request(
        "workspace/executeCommand",
        json!({"command": "restate-lsp.migrateModule", "arguments": [payments_uri]}),
    );
    assert!(resp.get("error").is_none(), "{resp}");
    let apply_edit = c
        .seen
        .iter()
        .find(|m| m["method"] == "workspace/applyEdit")
        .cloned()
        .expect("workspace/applyEdit sent");
    let sent = apply_edit["params"]["edit"]["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(sent.len(), changes.len());
    assert_eq!(
        std::fs::read_to_string(&payments).expect("read"),
        payments_text,
        "the server wrote a file"
    );

    // go.mod moved to 1.0 by hand: the notice goes, the sites are errors one by one.
    let moved = gomod_text.replace("v0.24.0", "v1.0.2");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": gomod_uri, "version": 1}, "contentChanges": [{"text": moved}]}),
    );
    let diags = c.diagnostics(&gomod_uri, 1);
    assert!(diags.is_empty(), "{diags:?}");
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == json!(payments_uri)
            && p["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x["code"] == "RS9001"))
    });
    let errors = p["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter(|x| x["code"] == "RS9001" && x["severity"] == 1)
                .count()
        })
        .unwrap_or(0);
    assert!(errors >= 10, "{p}");
    let _ = c.shutdown();
}

#[test]
fn the_migration_edit_is_resolved_lazily_for_clients_that_resolve_edits() {
    let root: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp_migrate/lazy");
    copy_dir(&common::fixture("migrate/v023"), &root);
    let mut c = LspClient::spawn();
    let mut caps = common::caps_utf16();
    caps["textDocument"]["codeAction"] = json!({"resolveSupport": {"properties": ["edit"]}});
    c.initialize(Some(&root), caps, Value::Null);
    let gomod = root.join("go.mod");
    let text = std::fs::read_to_string(&gomod).expect("read");
    let uri = file_uri(&gomod);
    // Neovim's language id for go.mod.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "gomod", "version": 3, "text": text}}),
    );
    let diags = c.diagnostics(&uri, 3);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let resp = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": diags}}),
    );
    let action = resp["result"][0].clone();
    assert_eq!(action["title"], "Migrate this module to sdk-go 1.0");
    assert!(action.get("edit").is_none_or(Value::is_null), "{action}");
    let resolved = c.request("codeAction/resolve", action);
    let changes = resolved["result"]["edit"]["changes"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let main_uri = file_uri(&root.join("main.go"));
    assert!(
        changes.contains_key(&uri) && changes.contains_key(&main_uri),
        "{resolved}"
    );
    // Not on the notice: no action.
    let elsewhere = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(elsewhere["result"], json!([]), "{elsewhere}");
    let _ = c.shutdown();
}

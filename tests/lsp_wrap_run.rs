//! "Wrap in restate.Run" through the real server: the quick fix on a side-effect finding and the
//! refactoring on a selection are applied as the client would, and the diagnostics go away; a
//! selection that cannot be wrapped comes back as a disabled action with its reason; with
//! `resolveSupport` the edit arrives on resolve, as versioned document changes.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::{Value, json};

fn tmp_project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("restate-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp");
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/t\n\ngo 1.23\n\nrequire github.com/restatedev/sdk-go v1.0.2\n",
    )
    .expect("go.mod");
    for (rel, text) in files {
        std::fs::write(dir.join(rel), text).expect("write");
    }
    dir
}

/// Offset of a 0-based (line, character) position in an ASCII text.
fn offset(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap_or(0) as usize;
    let ch = p["character"].as_u64().unwrap_or(0) as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    (start + ch).min(text.len())
}

fn position(text: &str, at: usize) -> Value {
    let before = &text[..at];
    let line = before.matches('\n').count();
    let ch = at - before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    json!({"line": line, "character": ch})
}

fn range_of(text: &str, needle: &str) -> Value {
    let s = text.find(needle).expect("needle");
    json!({"start": position(text, s), "end": position(text, s + needle.len())})
}

/// Apply the edits of an action's versioned document changes (checking the version).
fn apply(text: &str, action: &Value, uri: &str, version: i64) -> String {
    let changes = action["edit"]["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(changes.len(), 1, "{action}");
    assert_eq!(changes[0]["textDocument"]["uri"], uri);
    assert_eq!(changes[0]["textDocument"]["version"], version);
    let mut edits: Vec<(usize, usize, String)> = changes[0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

fn caps(lazy: bool) -> Value {
    let mut c = caps_utf16();
    c["workspace"]["workspaceEdit"] = json!({"documentChanges": true});
    c["textDocument"]["codeAction"] = if lazy {
        json!({"resolveSupport": {"properties": ["edit"]}, "dataSupport": true, "disabledSupport": true})
    } else {
        json!({"disabledSupport": true})
    };
    c
}

fn actions(c: &mut LspClient, uri: &str, range: Value, diagnostics: Value) -> Vec<Value> {
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": diagnostics}}),
    );
    r["result"].as_array().cloned().unwrap_or_default()
}

const LOAD: &str = "package main\n\nimport (\n\t\"os\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Load(ctx restate.Context, name string) (string, error) {\n\tdata, err := os.ReadFile(name)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn string(data), nil\n}\n";

#[test]
fn quick_fix_on_a_side_effect_wraps_it_and_the_finding_goes_away() {
    let dir = tmp_project("wrap-quickfix", &[("main.go", LOAD)]);
    let mut c = LspClient::spawn();
    c.initialize(Some(&dir), caps(false), Value::Null);
    let uri = c.open(&dir.join("main.go"), LOAD, 1);
    let diags = c.diagnostics(&uri, 1);
    assert_eq!(codes(&diags), vec!["RS1006"], "{diags:?}");
    let all = actions(&mut c, &uri, diags[0]["range"].clone(), json!([diags[0]]));
    let wrap = all
        .iter()
        .find(|a| a["title"] == "Wrap the statement in restate.Run")
        .unwrap_or_else(|| panic!("no wrap action: {all:?}"));
    assert_eq!(wrap["kind"], "quickfix");
    assert_eq!(wrap["diagnostics"][0]["code"], "RS1006");
    let fixed = apply(LOAD, wrap, &uri, 1);
    assert!(
        fixed.contains("\tdata, err := restate.Run(ctx, func(ctx restate.RunContext) ([]byte, error) { return os.ReadFile(name) }, restate.WithName(\"read-file\"))\n\tif err != nil {"),
        "{fixed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(&uri, 2);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(c.shutdown(), Some(0));
}

const STAMP: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Stamp(ctx restate.Context, id string) (string, error) {\n\tnow := time.Now()\n\tlabel := fmt.Sprintf(\"%s@%d\", id, now.Unix())\n\tif id == \"\" {\n\t\treturn \"\", restate.TerminalErrorf(\"no id\")\n\t}\n\treturn label, nil\n}\n";

#[test]
fn refactoring_a_selection_resolves_lazily_and_refusals_are_disabled() {
    let dir = tmp_project("wrap-refactor", &[("main.go", STAMP)]);
    let mut c = LspClient::spawn();
    c.initialize(Some(&dir), caps(true), Value::Null);
    let uri = c.open(&dir.join("main.go"), STAMP, 4);
    let diags = c.diagnostics(&uri, 4);
    assert_eq!(codes(&diags), vec!["RS1001"], "{diags:?}");

    // Two statements: the clock read and the label built from it.
    let selection = "now := time.Now()\n\tlabel := fmt.Sprintf(\"%s@%d\", id, now.Unix())";
    let all = actions(&mut c, &uri, range_of(STAMP, selection), json!([]));
    let titles: Vec<&str> = all.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.contains(&"Wrap in restate.RunAsync"), "{titles:?}");
    let wrap = all
        .iter()
        .find(|a| a["title"] == "Wrap in restate.Run" && a["kind"] == "refactor.rewrite")
        .unwrap_or_else(|| panic!("no wrap action: {titles:?}"))
        .clone();
    assert!(
        wrap["edit"].is_null(),
        "edit should come on resolve: {wrap}"
    );
    let resolved = c.request("codeAction/resolve", wrap)["result"].clone();
    let fixed = apply(STAMP, &resolved, &uri, 4);
    assert!(
        fixed.contains("\tlabel, err := restate.Run(ctx, func(ctx restate.RunContext) (string, error) {\n\t\tnow := time.Now()\n\t\tlabel := fmt.Sprintf(\"%s@%d\", id, now.Unix())\n\t\treturn label, nil\n\t}, restate.WithName(\"now\"))\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n"),
        "{fixed}"
    );

    // Including the early return: offered greyed out, with the reason.
    let with_return = "now := time.Now()\n\tlabel := fmt.Sprintf(\"%s@%d\", id, now.Unix())\n\tif id == \"\" {\n\t\treturn \"\", restate.TerminalErrorf(\"no id\")\n\t}";
    let all = actions(&mut c, &uri, range_of(STAMP, with_return), json!([]));
    let disabled = all
        .iter()
        .find(|a| a["title"] == "Wrap in restate.Run" && a["kind"] == "refactor.rewrite")
        .unwrap_or_else(|| panic!("no disabled action: {all:?}"));
    assert!(
        disabled["disabled"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("`return`")),
        "{disabled}"
    );
    assert!(disabled["edit"].is_null() && disabled["data"].is_null());

    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(&uri, 5);
    assert!(diags.is_empty(), "{diags:?}");

    // A cursor (empty selection) away from findings offers no wrap at all.
    let at = position(&fixed, fixed.find("return label").expect("return"));
    let all = actions(&mut c, &uri, json!({"start": at, "end": at}), json!([]));
    assert!(
        all.iter()
            .all(|a| !a["title"].as_str().unwrap_or("").starts_with("Wrap")),
        "{all:?}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

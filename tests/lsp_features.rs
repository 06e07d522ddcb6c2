//! Diagnostics, hover and code actions through the real server over stdio.

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
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    c.sort();
    c
}

/// Apply LSP text edits (UTF-16 positions, our test texts are ASCII) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let off = |p: &Value| {
        let l = p["line"].as_u64().unwrap_or(0) as usize;
        let c = p["character"].as_u64().unwrap_or(0) as usize;
        line_starts.get(l).copied().unwrap_or(text.len()) + c
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                off(&e["range"]["start"]),
                off(&e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

fn edits_of(action: &Value, uri: &str) -> Vec<Value> {
    if let Some(changes) = action["edit"]["documentChanges"].as_array() {
        return changes
            .iter()
            .filter(|c| c["textDocument"]["uri"] == uri)
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    action["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

const HANDLER: &str = "package main\n\nimport (\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Pay(ctx restate.Context, id string) (string, error) {\n\ttime.Sleep(time.Second)\n\trestate.Sleep(ctx, time.Second)\n\treturn id, nil\n}\n";

#[test]
fn diagnostics_hover_and_a_quick_fix_that_clears_the_finding() {
    let dir = tmp_project("features", &[("main.go", HANDLER)]);
    let path = dir.join("main.go");
    let mut c = LspClient::spawn();
    let mut caps = caps_utf16();
    caps["workspace"]["workspaceEdit"] = json!({"documentChanges": true});
    c.initialize(Some(&dir), caps, Value::Null);
    let uri = c.open(&path, HANDLER, 1);
    let diags = c.diagnostics(&uri, 1);
    assert_eq!(codes(&diags), vec!["RS1002", "RS3004"], "{diags:?}");
    let rs3004 = diags
        .iter()
        .find(|d| d["code"] == "RS3004")
        .expect("RS3004");
    assert_eq!(rs3004["source"], "restate");
    assert!(
        rs3004["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("docs/rules/RS3004.md"))
    );
    assert_eq!(rs3004["range"]["start"]["line"], 12);

    // Hover on the API and on the diagnostic.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 12, "character": 11}}),
    );
    let md = h["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(md.contains("func Sleep(ctx Context"), "{md}");
    assert!(md.contains("RS3004 ignored-error"), "{md}");

    // The quick fix for RS3004.
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": rs3004["range"], "context": {"diagnostics": [rs3004]}}),
    );
    let actions = r["result"].as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.contains(&"Check the error"), "{titles:?}");
    assert!(
        titles.iter().any(|t| t.starts_with("Suppress RS3004")),
        "{titles:?}"
    );
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Check the error")
        .expect("fix");
    assert_eq!(
        fix["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    let fixed = apply(HANDLER, &edits_of(fix, &uri));
    assert!(
        fixed.contains(
            "\tif err := restate.Sleep(ctx, time.Second); err != nil {\n\t\treturn \"\", err\n\t}\n"
        ),
        "{fixed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diags = c.diagnostics(&uri, 2);
    assert_eq!(codes(&diags), vec!["RS1002"]);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn fix_all_applies_the_safe_fixes_and_drops_the_imports_they_leave_unused() {
    let text = "package main\n\nimport (\n\t\"math/rand\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Draw(rc restate.Context, n int) (int, error) {\n\ta := rand.Intn(n)\n\tb := rand.Int63n(9)\n\ttime.Sleep(time.Second)\n\treturn a + int(b), nil\n}\n";
    let dir = tmp_project("fixall", &[("main.go", text)]);
    let mut c = LspClient::spawn();
    c.initialize(Some(&dir), caps_utf8(), Value::Null);
    let uri = c.open(&dir.join("main.go"), text, 1);
    let diags = c.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diags),
        vec!["RS1002", "RS1003", "RS1003"],
        "{diags:?}"
    );
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll.restate"]}}),
    );
    let actions = r["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(actions.len(), 1, "{actions:?}");
    let fixed = apply(text, &edits_of(&actions[0], &uri));
    // Both draws use the handler's context by its name; neither fix alone removed the import,
    // together they do; the sleep's rewrite is not mechanical and stays out of fixAll.
    assert!(
        fixed.contains("\ta := restate.Rand(rc).IntN(n)\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("\tb := restate.Rand(rc).Int64N(9)\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("math/rand"), "{fixed}");
    assert!(fixed.contains("\ttime.Sleep(time.Second)\n"), "{fixed}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(codes(&c.diagnostics(&uri, 2)), vec!["RS1002"]);
    // The sleep's own quick fix uses `rc` too.
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 13, "character": 2}, "end": {"line": 13, "character": 2}}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<String> = r["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a["title"].as_str().map(str::to_string))
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t == "Use restate.Sleep(rc, ..) and check its error"),
        "{titles:?}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn transitive_findings_carry_the_chain_and_follow_edits_to_the_helper() {
    let handler = "package main\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype Svc struct{}\n\nfunc (Svc) Stamp(ctx restate.Context) (string, error) {\n\treturn label(), nil\n}\n";
    let helper_clean = "package main\n\nfunc label() string {\n\treturn \"fixed\"\n}\n";
    let helper_clock = "package main\n\nimport \"time\"\n\nfunc label() string {\n\treturn clock()\n}\n\nfunc clock() string {\n\treturn time.Now().String()\n}\n";
    let dir = tmp_project(
        "transitive",
        &[("main.go", handler), ("label.go", helper_clean)],
    );
    let mut c = LspClient::spawn();
    c.initialize(Some(&dir), caps_utf8(), Value::Null);
    c.wait_indexed();
    let uri = c.open(&dir.join("main.go"), handler, 1);
    assert!(c.diagnostics(&uri, 1).is_empty());
    // Edit the helper in another open document: the handler's diagnostics follow.
    let helper_uri = c.open(&dir.join("label.go"), helper_clean, 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": helper_uri, "version": 2}, "contentChanges": [{"text": helper_clock}]}),
    );
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
    });
    let d = &p["diagnostics"][0];
    assert_eq!(d["code"], "RS1001");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("label → clock → time.Now"),
        "{d}"
    );
    let related = d["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // The chain through the helpers, then where the helper's result goes: only into the
    // response, which makes it a hint.
    assert_eq!(related.len(), 3, "{related:?}");
    assert!(
        related[1]["location"]["uri"]
            .as_str()
            .unwrap_or("")
            .ends_with("label.go")
    );
    assert!(
        related[2]["message"]
            .as_str()
            .unwrap_or("")
            .contains("returned in the handler's response"),
        "{related:?}"
    );
    assert_eq!(d["severity"], 4, "{d}");
    // Fixing the helper clears it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": helper_uri, "version": 3}, "contentChanges": [{"text": helper_clean}]}),
    );
    c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn settings_and_config_file_change_severities_and_bad_config_is_reported() {
    let dir = tmp_project(
        "config",
        &[
            ("main.go", HANDLER),
            ("restate-lsp.toml", "[rules]\nRS1002 = \"error\"\n"),
        ],
    );
    let mut c = LspClient::spawn();
    // The client's settings turn RS3004 off; the file makes RS1002 an error.
    c.initialize(Some(&dir), caps_utf8(), json!({"rules": {"RS3004": "off"}}));
    c.wait_indexed();
    let uri = c.open(&dir.join("main.go"), HANDLER, 1);
    let diags = c.diagnostics(&uri, 1);
    assert_eq!(codes(&diags), vec!["RS1002"]);
    assert_eq!(diags[0]["severity"], 1);
    assert_eq!(c.shutdown(), Some(0));

    // A malformed file: one diagnostic on the file, defaults in force.
    std::fs::write(dir.join("restate-lsp.toml"), "[rules\nRS1002 = \"error\"\n").expect("write");
    let mut c = LspClient::spawn();
    c.initialize(Some(&dir), caps_utf8(), Value::Null);
    let cfg_uri = file_uri(&dir.join("restate-lsp.toml"));
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == cfg_uri.as_str()
    });
    let d = p["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("restate-lsp.toml is not valid")
    );
    let uri = c.open(&dir.join("main.go"), HANDLER, 1);
    let diags = c.diagnostics(&uri, 1);
    assert_eq!(codes(&diags), vec!["RS1002", "RS3004"]);
    assert!(diags.iter().all(|d| d["severity"] == 2));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn lazy_code_actions_resolve_their_edits() {
    let dir = tmp_project("lazy", &[("main.go", HANDLER)]);
    let mut c = LspClient::spawn();
    let mut caps = caps_utf8();
    caps["textDocument"]["codeAction"] =
        json!({"resolveSupport": {"properties": ["edit"]}, "dataSupport": true});
    c.initialize(Some(&dir), caps, Value::Null);
    let uri = c.open(&dir.join("main.go"), HANDLER, 3);
    c.diagnostics(&uri, 3);
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 12, "character": 2}, "end": {"line": 12, "character": 2}}, "context": {"diagnostics": []}}),
    );
    let action = r["result"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["title"] == "Check the error").cloned())
        .expect("action");
    assert!(
        action["edit"].is_null(),
        "edit should come on resolve: {action}"
    );
    let resolved = c.request("codeAction/resolve", action);
    let edits = edits_of(&resolved["result"], &uri);
    assert!(!edits.is_empty(), "{resolved}");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn completion_of_service_handler_names_state_keys_and_snippets() {
    let root = fixture("workspaces/multi");
    let mut c = LspClient::spawn();
    c.initialize(Some(&root), caps_utf8(), Value::Null);
    c.wait_indexed();
    let path = root.join("scratch.go");
    let text = "package main\n\nimport restate \"github.com/restatedev/sdk-go\"\n\nfunc probe(rc restate.ObjectContext) {\n\trestate.Object[int](rc, \"C\n}\n\n";
    let uri = c.open(&path, text, 1);
    c.diagnostics(&uri, 1);
    let complete = |c: &mut LspClient, line: u32, character: u32| -> Vec<Value> {
        let r = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        r["result"].as_array().cloned().unwrap_or_default()
    };
    // Objects only, filtered by the typed prefix.
    let items = complete(&mut c, 5, 27);
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, vec!["Cart"], "{items:?}");
    assert_eq!(items[0]["detail"], "virtual object · 2 handlers");
    assert_eq!(items[0]["textEdit"]["range"]["start"]["character"], 26);
    // Handlers of the chosen service, with kind and types.
    let text2 = text.replace("\"C\n", "\"Cart\", \"k\", \"\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text2}]}),
    );
    c.diagnostics(&uri, 2);
    let items = complete(&mut c, 5, 40);
    let got: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap_or("").to_string(),
                i["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Add".to_string(),
                "virtual object · exclusive (string)".to_string()
            ),
            (
                "Items".to_string(),
                "virtual object · shared → []string".to_string()
            )
        ]
    );
    // Snippets: body snippets use the context's real name, top-level ones appear outside functions.
    let items = complete(&mut c, 8, 0);
    let top: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(
        top.contains(&"rsservice") && !top.contains(&"rsrun"),
        "{top:?}"
    );
    let text3 = text2.replace("\trestate.Object[int](rc, \"Cart\", \"k\", \"\n", "\t\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text3}]}),
    );
    c.diagnostics(&uri, 3);
    let items = complete(&mut c, 5, 1);
    let run = items
        .iter()
        .find(|i| i["label"] == "rsrun")
        .expect("rsrun in a handler body");
    assert_eq!(run["insertTextFormat"], 2);
    let insert = run["insertText"].as_str().unwrap_or("");
    assert!(
        insert.contains("restate.Run(rc,") && !insert.contains("${CTX}"),
        "{insert}"
    );
    assert!(!items.iter().any(|i| i["label"] == "rsservice"));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn untitled_buffers_get_diagnostics_on_their_own() {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf16(), Value::Null);
    let uri = "untitled:Untitled-1";
    let text = "package main\n\nimport (\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Pay(ctx restate.Context, id string) (string, error) {\n\ttime.Sleep(time.Second)\n\treturn \"\", nil\n}\n\nvar _ = restate.Reflect(Svc{})\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["RS1002".to_string()], "{diags:?}");
}

#[test]
fn completion_documentation_follows_the_client_markup_support() {
    let root = fixture("workspaces/multi");
    let path = root.join("scratch.go");
    let text = "package main\n\nimport restate \"github.com/restatedev/sdk-go\"\n\n";
    let doc_of = |caps: Value| -> Value {
        let mut c = LspClient::spawn();
        c.initialize(Some(&root), caps, Value::Null);
        c.wait_indexed();
        let uri = c.open(&path, text, 1);
        c.diagnostics(&uri, 1);
        let r = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 0}}),
        );
        let items = r["result"].as_array().cloned().unwrap_or_default();
        let service = items.iter().find(|i| i["label"] == "rsservice");
        service
            .map(|i| i["documentation"].clone())
            .unwrap_or(Value::Null)
    };
    // A client that lists markdown gets markup; one that does not (Emacs' lsp-mode profile) gets text.
    let mut md = caps_utf8();
    md["textDocument"]["completion"]["completionItem"]["documentationFormat"] =
        json!(["markdown", "plaintext"]);
    let markup = doc_of(md);
    assert_eq!(markup["kind"], "markdown", "{markup}");
    let plain = doc_of(caps_utf8());
    assert!(
        plain.is_string(),
        "plain text documentation expected, got {plain}"
    );
    assert!(!plain.as_str().unwrap_or("").contains("```"), "{plain}");
}

#[test]
fn files_over_the_size_limit_get_one_notice_instead_of_findings() {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    let handler = "package main\n\nimport (\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Pay(ctx restate.ObjectContext) error {\n\trestate.Set(ctx, \"at\", time.Now())\n\treturn nil\n}\n\nvar _ = restate.Reflect(Svc{})\n";
    let filler = format!("// {}\n", "x".repeat(1000)).repeat(2_200);
    let big = format!("{handler}{filler}");
    let path = std::env::temp_dir().join("restate-lsp-big/big.go");
    let uri = c.open(&path, &big, 1);
    let d = c.diagnostics(&uri, 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["severity"], 3);
    let msg = d[0]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("2.1 MiB") && msg.contains("2 MiB limit"),
        "{msg}"
    );
    // Cut below the limit: analysed as usual.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": handler}]}),
    );
    assert_eq!(codes(&c.diagnostics(&uri, 2)), vec!["RS1001".to_string()]);
}

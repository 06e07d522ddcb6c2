//! Typing in a large file re-analyses only the edited function; what is published must equal what
//! a fresh server publishes for the same text, at once or (for findings that depend on another
//! function's body) after the index settles.

mod common;

use common::*;
use serde_json::{Value, json};

fn base_text() -> String {
    let mut t = restate_lsp::cli::bench::generated_file(1_200);
    t.push_str("\nfunc stamp() string { return \"fixed\" }\n");
    // A handler calls the helper outside restate.Run.
    let at = t.find("func (Svc) Step3(").expect("Step3");
    let total = at + t[at..].find("\ttotal := price").expect("total line");
    t.insert_str(total, "\trestate.Set(ctx, \"stamp\", stamp())\n");
    t
}

fn lsp_position(text: &str, byte: usize) -> Value {
    let before = &text[..byte];
    let line = before.matches('\n').count();
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

/// Insert `new` at byte `at` of `text` through an incremental didChange.
fn insert(c: &mut LspClient, uri: &str, text: &mut String, version: i64, at: usize, new: &str) {
    let pos = lsp_position(text, at);
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": pos, "end": pos}, "text": new}],
        }),
    );
    text.insert_str(at, new);
}

fn path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "restate-lsp-incremental-{}/svc.go",
        std::process::id()
    ))
}

/// The diagnostics a new server publishes for `text`.
fn fresh(text: &str) -> Vec<Value> {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    let uri = c.open(&path(), text, 1);
    let d = c.diagnostics(&uri, 1);
    c.shutdown();
    d
}

fn codes_at(d: &[Value]) -> Vec<String> {
    d.iter()
        .map(|x| format!("{} {}", x["code"], x["range"]["start"]))
        .collect()
}

#[test]
fn incremental_diagnostics_equal_a_fresh_analysis() {
    let mut text = base_text();
    assert!(
        text.len() > 16 * 1024,
        "the file must take the incremental path"
    );
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    let uri = c.open(&path(), &text, 1);
    let d1 = c.diagnostics(&uri, 1);
    assert!(d1.len() > 50, "{}", d1.len());

    // An edit inside one handler: the new finding appears at once, everything else shifts.
    let step7 = text.find("func (Svc) Step7(").expect("Step7");
    let at = step7 + text[step7..].find("\ttotal := price").expect("line");
    insert(
        &mut c,
        &uri,
        &mut text,
        2,
        at,
        "\trestate.Set(ctx, \"at\", time.Now())\n",
    );
    let d2 = c.diagnostics(&uri, 2);
    assert_eq!(d2.len(), d1.len() + 1);
    assert_eq!(d2, fresh(&text), "after an edit inside Step7");

    // A blank line between two declarations only moves what follows.
    let at = text.find("// Step9 handles").expect("Step9 comment");
    insert(&mut c, &uri, &mut text, 3, at, "\n");
    assert_eq!(c.diagnostics(&uri, 3), fresh(&text), "after a blank line");

    // A helper starts reading the clock: the handler calling it learns that when the index
    // settles, shortly after the edit. (A request first brings the index up to date, so this edit
    // takes the incremental path whatever the timing.)
    c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let at = text.find("return \"fixed\"").expect("helper body");
    insert(
        &mut c,
        &uri,
        &mut text,
        4,
        at + "return ".len(),
        "time.Now().String() + ",
    );
    let first = c.diagnostics(&uri, 4);
    let want = fresh(&text);
    assert_ne!(
        first, want,
        "the transitive finding needs the settled index"
    );
    let settled = c.diagnostics(&uri, 4);
    assert_eq!(
        settled,
        want,
        "settled: {:?}",
        codes_at(&settled)
            .into_iter()
            .filter(|x| !codes_at(&first).contains(x))
            .collect::<Vec<_>>()
    );

    // A new declaration changes the outline: the whole file is analysed.
    let end = text.len();
    insert(
        &mut c,
        &uri,
        &mut text,
        5,
        end,
        "\nfunc (Svc) Extra(ctx restate.ObjectContext) error {\n\trestate.Set(ctx, \"extra\", time.Now())\n\treturn nil\n}\n",
    );
    assert_eq!(c.diagnostics(&uri, 5), fresh(&text), "after a new handler");

    // Typing in one function after another was edited incrementally and before the index
    // settled still matches.
    let s2 = text.find("func (Svc) Step2(").expect("Step2");
    let at = s2 + text[s2..].find("\ttotal := price").expect("line");
    insert(
        &mut c,
        &uri,
        &mut text,
        6,
        at,
        "\trestate.Set(ctx, \"at\", time.Now())\n",
    );
    let s1 = text.find("func (Svc) Step1(").expect("Step1");
    let at = s1 + text[s1..].find("\ttotal := price").expect("line");
    insert(
        &mut c,
        &uri,
        &mut text,
        7,
        at,
        "\trestate.Set(ctx, \"at\", time.Now())\n",
    );
    assert_eq!(
        c.diagnostics(&uri, 7),
        fresh(&text),
        "after two quick edits"
    );
}

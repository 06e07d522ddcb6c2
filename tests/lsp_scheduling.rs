//! Analyses run off the request path (issue 15): a hover is answered while a long analysis runs,
//! and a burst of edits is analysed and published once for its newest version, not once per edit.
//! The analyses are made long with large generated files, never with sleeps.

mod common;

use common::*;
use serde_json::{Value, json};

fn path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "restate-lsp-scheduling-{}/{name}",
        std::process::id()
    ))
}

/// LSP position (UTF-8 columns) of the first `needle` at or after line `from`.
fn find(text: &str, from: usize, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .skip(from)
        .find_map(|(i, l)| l.find(needle).map(|c| (i, c)))
        .expect("needle in the generated file")
}

fn comment_line_at(line: usize, version: i64) -> Value {
    json!([{
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
        "text": format!("// edit {version}\n"),
    }])
}

/// Diagnostics published for `uri` from here on, in order, until (and with) the one for
/// `version`.
fn publishes_until(c: &mut LspClient, uri: &str, version: i64) -> Vec<Value> {
    let mut out = vec![];
    loop {
        let p = c.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == uri);
        let done = p["version"] == json!(version);
        out.push(p);
        if done {
            return out;
        }
    }
}

#[test]
fn a_hover_during_a_long_analysis_is_answered_before_its_diagnostics() {
    // A 20,000-line handler file: its whole-file analysis takes hundreds of milliseconds or more.
    let text = restate_lsp::cli::bench::generated_file(20_000);
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    let uri = c.open(&path("big.go"), &text, 1);
    c.diagnostics(&uri, 1);

    // A comment in the import block changes the outline: the whole file is analysed again.
    let import = find(&text, 0, "import (").0 + 1;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": comment_line_at(import, 2)}),
    );
    // `restate.Get` in a handler in the middle of the file (one line lower after the edit).
    // Hovers go out one after the other: each is answered while the analysis still runs. (A
    // server that analysed inside didChange would answer the first one only once it is done, and
    // its diagnostics would go out with that answer.)
    let (line, col) = find(&text, text.lines().count() / 2, "restate.Get");
    let published = |c: &LspClient| {
        c.seen.iter().any(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == json!(2)
        })
    };
    for i in 0..3 {
        let hover = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line + 1, "character": col + "restate.".len()}}),
        );
        assert!(
            !published(&c),
            "the diagnostics of version 2 were published before hover {i} was answered"
        );
        let shown = hover["result"]["contents"]["value"].as_str().unwrap_or("");
        assert!(shown.contains("Get"), "hover {i}: {hover}");
        // The range is in the edited text, even when the answer came from the model of the text
        // before the edit.
        assert_eq!(
            hover["result"]["range"]["start"],
            json!({"line": line + 1, "character": col + "restate.".len()}),
            "hover {i}"
        );
    }
    // The analysis still finishes and is published.
    let d = c.diagnostics(&uri, 2);
    assert!(d.len() > 100, "{} diagnostics", d.len());
    c.shutdown();
}

#[test]
fn a_burst_of_edits_is_published_a_handful_of_times_for_the_last_version() {
    // 2,000 lines, edited outside every function, so every analysis is of the whole file.
    let mut text = restate_lsp::cli::bench::generated_file(2_000);
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    let uri = c.open(&path("burst.go"), &text, 0);
    c.diagnostics(&uri, 0);

    let n = 200;
    for v in 1..=n {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": comment_line_at(1, v)}),
        );
        let at = text.find('\n').map_or(0, |i| i + 1);
        text.insert_str(at, &format!("// edit {v}\n"));
    }
    let published = publishes_until(&mut c, &uri, n);
    let versions: Vec<&Value> = published.iter().map(|p| &p["version"]).collect();
    assert!(
        published.len() <= 5,
        "{} publishes for {n} edits: versions {versions:?}",
        published.len()
    );
    let last = published
        .last()
        .and_then(|p| p["diagnostics"].as_array().cloned())
        .unwrap_or_default();
    c.shutdown();

    // The same diagnostics as a new server finds for the final text.
    let mut fresh = LspClient::spawn();
    fresh.initialize(None, caps_utf8(), Value::Null);
    let uri = fresh.open(&path("burst.go"), &text, 1);
    assert_eq!(last, fresh.diagnostics(&uri, 1));
    fresh.shutdown();
}

//! Navigation by service and handler name over a multi-package workspace: definition, references,
//! highlights, code lens, and callers' diagnostics following a renamed handler.

mod common;

use common::*;
use serde_json::{Value, json};

fn pos_of(text: &str, needle: &str, offset: usize) -> Value {
    let at = text.find(needle).expect("needle") + offset;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    json!({"line": line, "character": col})
}

fn uris(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let uri = l["uri"].as_str().unwrap_or("");
            let tail = uri
                .split("workspaces/multi/")
                .nth(1)
                .unwrap_or(uri)
                .to_string();
            format!("{tail}:{}", l["range"]["start"]["line"])
        })
        .collect()
}

#[test]
fn definition_references_highlights_and_lenses() {
    let root = fixture("workspaces/multi");
    let mut c = LspClient::spawn();
    c.initialize(Some(&root), caps_utf8(), Value::Null);
    c.wait_indexed();
    let orders = std::fs::read_to_string(root.join("orders/orders.go")).expect("orders");
    let ouri = c.open(&root.join("orders/orders.go"), &orders, 1);
    c.diagnostics(&ouri, 1);

    // From the handler string to the method, from the service string to the type.
    let d = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": ouri}, "position": pos_of(&orders, "\"Items\"", 2)}),
    );
    assert_eq!(uris(&d["result"]), vec!["cart/read.go:4"], "{d}");
    let d = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": ouri}, "position": pos_of(&orders, "\"Cart\"", 2)}),
    );
    assert_eq!(uris(&d["result"]), vec!["cart/cart.go:5"], "{d}");

    // From the method to every call site (handler code and the ingress client).
    let read = std::fs::read_to_string(root.join("cart/read.go")).expect("read");
    let ruri = c.open(&root.join("cart/read.go"), &read, 1);
    c.diagnostics(&ruri, 1);
    let r = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": ruri}, "position": pos_of(&read, "Items(", 1), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(
        uris(&r["result"]),
        vec!["cmd/client/main.go:11", "orders/orders.go:12"],
        "{r}"
    );

    // Builder-style handler: definition goes to the function and the registered name.
    let d = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": ouri}, "position": pos_of(&orders, "func place", 6)}),
    );
    assert!(
        d["result"].is_null() || d["result"].as_array().is_some(),
        "{d}"
    );

    // Highlights of the handler string in its file.
    let h = c.request(
        "textDocument/documentHighlight",
        json!({"textDocument": {"uri": ouri}, "position": pos_of(&orders, "\"Items\"", 2)}),
    );
    assert_eq!(h["result"].as_array().map(Vec::len), Some(1), "{h}");

    // Code lens on the handler: callers and the ingress URL.
    let l = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": ruri}}),
    );
    let titles: Vec<&str> = l["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["command"]["title"].as_str())
        .collect();
    assert_eq!(titles, vec!["2 callers", "POST /Cart/{key}/Items"], "{l}");
    let lenses = l["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(lenses[1]["command"]["command"], "restate.copyIngressCurl");
    assert!(
        lenses[1]["command"]["arguments"][0]
            .as_str()
            .is_some_and(|s| s.starts_with("curl localhost:8080/Cart/KEY/Items"))
    );
    assert_eq!(
        lenses[0]["command"]["arguments"][2]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn renaming_a_handler_updates_callers_in_other_open_files() {
    let root = fixture("workspaces/multi");
    let mut c = LspClient::spawn();
    c.initialize(Some(&root), caps_utf8(), Value::Null);
    c.wait_indexed();
    let orders = std::fs::read_to_string(root.join("orders/orders.go")).expect("orders");
    let ouri = c.open(&root.join("orders/orders.go"), &orders, 1);
    assert!(
        c.diagnostics(&ouri, 1)
            .iter()
            .all(|d| d["code"] != "RS5004")
    );
    let read = std::fs::read_to_string(root.join("cart/read.go")).expect("read");
    let ruri = c.open(&root.join("cart/read.go"), &read, 1);
    c.diagnostics(&ruri, 1);
    let renamed = read.replace("func (Cart) Items(", "func (Cart) ItemList(");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 2}, "contentChanges": [{"text": renamed}]}),
    );
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == ouri.as_str()
            && p["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x["code"] == "RS5004"))
    });
    let d = p["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "RS5004").cloned())
        .expect("RS5004");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `ItemList`"),
        "{d}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ruri, "version": 3}, "contentChanges": [{"text": read}]}),
    );
    c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == ouri.as_str()
            && p["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().all(|x| x["code"] != "RS5004"))
    });
    assert_eq!(c.shutdown(), Some(0));
}

/// `$/cancelRequest` right after a references request: the answer is either the result (the
/// request finished first) or RequestCancelled (-32800), never something else, and the server keeps
/// answering. That the computation itself stops is tested in `server::cancel`.
#[test]
fn cancelled_references_answer_cancelled_or_complete() {
    let root = fixture("workspaces/multi");
    let mut c = LspClient::spawn();
    c.initialize(Some(&root), caps_utf8(), Value::Null);
    c.wait_indexed();
    let read = std::fs::read_to_string(root.join("cart/read.go")).expect("read");
    let ruri = c.open(&root.join("cart/read.go"), &read, 1);
    c.diagnostics(&ruri, 1);
    let params = json!({"textDocument": {"uri": ruri}, "position": pos_of(&read, "Items(", 1), "context": {"includeDeclaration": false}});
    let mut cancelled = 0;
    for _ in 0..20 {
        let id = c.request_async("textDocument/references", params.clone());
        c.notify("$/cancelRequest", json!({"id": id}));
        let r = c.response(id);
        match r.get("error") {
            Some(e) => {
                assert_eq!(e["code"], json!(-32800), "{r}");
                cancelled += 1;
            }
            None => assert_eq!(uris(&r["result"]).len(), 2, "{r}"),
        }
    }
    eprintln!("{cancelled} of 20 requests were cancelled before they finished");
    let r = c.request("textDocument/references", params);
    assert_eq!(uris(&r["result"]).len(), 2, "{r}");
    assert_eq!(c.shutdown(), Some(0));
}

//! The server over real stdio: encoding negotiation, incremental sync under random edits, symbols
//! of a multi-package module, ordering under a burst of edits, and robustness against bad input.

mod common;

use common::*;
use serde_json::{Value, json};

fn negotiated(caps: Value) -> Value {
    let mut c = LspClient::spawn();
    let r = c.initialize(None, caps, Value::Null);
    let enc = r["result"]["capabilities"]["positionEncoding"].clone();
    assert_eq!(c.shutdown(), Some(0));
    enc
}

#[test]
fn negotiates_utf8_when_offered_else_utf16() {
    assert_eq!(negotiated(caps_utf8()), json!("utf-8"));
    assert_eq!(negotiated(caps_utf16()), json!("utf-16"));
    assert_eq!(negotiated(json!({})), json!("utf-16"));
}

// ---- random edits and their inverses ---------------------------------------------------------

/// Position of a byte offset in LSP terms (\n, \r\n and \r end lines).
fn position(text: &str, byte: usize, utf8: bool) -> (u32, u32) {
    let mut line = 0;
    let mut line_start = 0;
    let b = text.as_bytes();
    let mut i = 0;
    while i < byte {
        if b[i] == b'\r' {
            if i + 1 < b.len() && b[i + 1] == b'\n' {
                i += 1;
            }
            line += 1;
            line_start = i + 1;
        } else if b[i] == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        i += 1;
    }
    let seg = &text[line_start..byte];
    let col = if utf8 {
        seg.len()
    } else {
        seg.chars().map(char::len_utf16).sum()
    };
    (line, col as u32)
}

fn range(text: &str, start: usize, end: usize, utf8: bool) -> Value {
    let (l1, c1) = position(text, start, utf8);
    let (l2, c2) = position(text, end, utf8);
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// Char boundaries that do not split a CRLF pair.
fn boundaries(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    (0..=text.len())
        .filter(|&i| {
            text.is_char_boundary(i)
                && !(i > 0 && i < b.len() && b[i - 1] == b'\r' && b[i] == b'\n')
        })
        .collect()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const DOC: &str = "package shop\r\n\r\nimport restate \"github.com/restatedev/sdk-go\"\r\n\r\n// Café ☕ serves 😀 orders.\r\ntype Cafe struct{}\r\n\r\nfunc (Cafe) Order(ctx restate.ObjectContext, item string) (string, error) {\r\n\tnote := \"crème brûlée 😀\"\r\n\treturn note + item, nil\r\n}\r\n\r\nfunc (Cafe) Menu(ctx restate.ObjectSharedContext) ([]string, error) {\n\treturn []string{\"é\", \"☕\"}, nil\n}\n\nfunc (Cafe) Pay(ctx restate.ObjectContext, amount int) error {\n\treturn nil\n}\n";

fn symbols_and_diags(c: &mut LspClient, uri: &str, version: i64) -> (Value, Vec<Value>) {
    let diags = c.diagnostics(uri, version);
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    (syms["result"].clone(), diags)
}

fn random_edits_round_trip(utf8: bool, seed: u64) {
    let dir = std::env::temp_dir().join(format!("restate-lsp-edits-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("cafe.go");
    let mut c = LspClient::spawn();
    let init = c.initialize(
        None,
        if utf8 { caps_utf8() } else { caps_utf16() },
        Value::Null,
    );
    let want = if utf8 { "utf-8" } else { "utf-16" };
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], want);
    let uri = c.open(&path, DOC, 0);
    let (syms0, diags0) = symbols_and_diags(&mut c, &uri, 0);
    assert_eq!(syms0[0]["name"], "Cafe", "{syms0}");
    assert_eq!(syms0[0]["children"].as_array().map(Vec::len), Some(3));

    let pool = [
        "é",
        "😀",
        "☕",
        "\r\n",
        "\n",
        "x",
        "func ",
        "\"",
        "{",
        "}",
        "// ü\r\n",
    ];
    let mut rng = Rng(seed);
    let mut text = DOC.to_string();
    let mut inverses: Vec<(Value, String)> = vec![];
    let mut version = 0;
    for _ in 0..250 {
        let bs = boundaries(&text);
        let (r, new_text, inverse) = if rng.below(3) == 0 && text.len() > 10 {
            // Delete a short range.
            let i = rng.below(bs.len() - 1);
            let j = (i + 1 + rng.below(4)).min(bs.len() - 1);
            let (s, e) = (bs[i], bs[j]);
            let removed = text[s..e].to_string();
            let r = range(&text, s, e, utf8);
            let mut after = text.clone();
            after.replace_range(s..e, "");
            let inv = (range(&after, s, s, utf8), removed);
            (r, String::new(), inv)
        } else {
            let at = bs[rng.below(bs.len())];
            let ins = pool[rng.below(pool.len())].to_string();
            let r = range(&text, at, at, utf8);
            let mut after = text.clone();
            after.insert_str(at, &ins);
            let inv = (range(&after, at, at + ins.len(), utf8), String::new());
            (r, ins, inv)
        };
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": r, "text": new_text}]}),
        );
        // Mirror the edit locally.
        let (s, e) = {
            let (l1, c1) = (
                r["start"]["line"].as_u64().unwrap_or(0),
                r["start"]["character"].as_u64().unwrap_or(0),
            );
            let (l2, c2) = (
                r["end"]["line"].as_u64().unwrap_or(0),
                r["end"]["character"].as_u64().unwrap_or(0),
            );
            let find = |l: u64, ch: u64| {
                bs.iter()
                    .copied()
                    .find(|&b| position(&text, b, utf8) == (l as u32, ch as u32))
                    .expect("position maps back to a boundary")
            };
            (find(l1, c1), find(l2, c2))
        };
        text.replace_range(s..e, &new_text);
        inverses.push(inverse);
    }
    // Undo everything, newest first.
    for (r, t) in inverses.into_iter().rev() {
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": r, "text": t}]}),
        );
    }
    let (syms1, diags1) = symbols_and_diags(&mut c, &uri, version);
    assert_eq!(
        syms0, syms1,
        "symbols differ after edits and their inverses"
    );
    assert_eq!(
        diags0, diags1,
        "diagnostics differ after edits and their inverses"
    );
    assert!(c.is_alive());
    assert_eq!(c.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn random_edits_and_inverses_restore_the_document_utf8() {
    random_edits_round_trip(true, 0x9E37_79B9_7F4A_7C15);
}

#[test]
fn random_edits_and_inverses_restore_the_document_utf16() {
    random_edits_round_trip(false, 0xD1B5_4A32_D192_ED03);
}

// ---- symbols ----------------------------------------------------------------------------------------

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let container = s["containerName"].as_str().unwrap_or("");
            format!("{}:{}", container, s["name"].as_str().unwrap_or(""))
        })
        .collect()
}

#[test]
fn workspace_and_document_symbols_of_a_multi_package_module() {
    let root = fixture("workspaces/multi");
    let mut c = LspClient::spawn();
    c.initialize(Some(&root), caps_utf8(), Value::Null);
    c.wait_indexed();
    let all = c.request("workspace/symbol", json!({"query": ""}));
    let got = names(&all["result"]);
    for want in [
        "virtual object:Cart",
        "Cart:Add",
        "Cart:Items",
        "service:Orders",
        "Orders:place",
        "Orders:cancel",
        "service · type Payments:PaymentService",
        "PaymentService:Charge",
        "workflow:Signup",
        "Signup:Run",
        "Signup:Confirm",
        "service:helloworld.Greeter",
        "helloworld.Greeter:SayHello",
    ] {
        assert!(got.contains(&want.to_string()), "missing {want} in {got:?}");
    }
    // Fuzzy prefix query.
    let q = c.request("workspace/symbol", json!({"query": "conf"}));
    assert_eq!(names(&q["result"]), vec!["Signup:Confirm".to_string()]);

    // A file never opened: cart/read.go holds only the shared handler.
    let read = root.join("cart/read.go");
    let ds = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": file_uri(&read)}}),
    );
    assert_eq!(ds["result"][0]["name"], "Cart");
    assert_eq!(ds["result"][0]["detail"], "virtual object");
    assert_eq!(ds["result"][0]["children"][0]["name"], "Items");
    assert_eq!(
        ds["result"][0]["children"][0]["detail"],
        "virtual object · shared"
    );

    // Builder style, opened.
    let orders = root.join("orders/orders.go");
    let text = std::fs::read_to_string(&orders).expect("fixture");
    let uri = c.open(&orders, &text, 1);
    c.diagnostics(&uri, 1);
    let ds = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let svc = &ds["result"][0];
    assert_eq!(svc["name"], "Orders");
    let kids: Vec<&str> = svc["children"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["name"].as_str())
        .collect();
    assert_eq!(kids, vec!["place", "cancel"]);
    assert_eq!(svc["children"][0]["detail"], "service");
    assert_eq!(c.shutdown(), Some(0));
}

// ---- ordering -------------------------------------------------------------------------------------------

#[test]
fn burst_of_edits_then_a_request_sees_the_final_text() {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf16(), Value::Null);
    let path = std::env::temp_dir().join("restate-lsp-burst/burst.go");
    let text = "package p\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype S struct{}\n\nfunc (S) H(ctx restate.Context) error { return nil }\n";
    let uri = c.open(&path, text, 1);
    // Line 6 is `func (S) H(...`; append to the handler name 400 times without waiting.
    let n = 400;
    for i in 0..n {
        let col = 10 + i;
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": 2 + i},
                "contentChanges": [{"range": {"start": {"line": 6, "character": col}, "end": {"line": 6, "character": col}}, "text": "x"}]
            }),
        );
    }
    let ds = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let want = format!("H{}", "x".repeat(n as usize));
    assert_eq!(ds["result"][0]["children"][0]["name"], want.as_str());
    // The last publish carries the last version; no older one arrives after it.
    c.diagnostics(&uri, 1 + n);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn stale_and_repeated_opens_are_handled() {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf16(), Value::Null);
    let path = std::env::temp_dir().join("restate-lsp-stale/a.go");
    let v1 = "package p\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype A struct{}\n\nfunc (A) One(ctx restate.Context) error { return nil }\n";
    let uri = c.open(&path, v1, 0);
    c.diagnostics(&uri, 0);
    // A stale change (same version) is ignored.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 0}, "contentChanges": [{"text": "package broken"}]}),
    );
    let ds = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(ds["result"][0]["children"][0]["name"], "One");
    // A second didOpen replaces the document.
    let v2 = v1.replace("One", "Two");
    c.open(&path, &v2, 5);
    c.diagnostics(&uri, 5);
    let ds = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(ds["result"][0]["children"][0]["name"], "Two");
    assert_eq!(c.shutdown(), Some(0));
}

// ---- robustness -------------------------------------------------------------------------------------------

#[test]
fn bad_input_does_not_stop_the_server() {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    // Not JSON at all, a header without a length, and a batch array.
    c.send_raw(b"{this is not json");
    c.send_bytes(b"Content-Type: nothing\r\n\r\n");
    c.send_raw(b"[1, 2, 3]");
    // Valid JSON, invalid JSON-RPC: answered with InvalidRequest for its id.
    c.send_raw(br#"{"jsonrpc":"2.0","id":4242,"method":17}"#);
    let r = c.response(4242);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // Unknown method.
    let r = c.request("restate/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Wrong params for a known method.
    let r = c.request("textDocument/documentSymbol", json!({"textDocument": 5}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // Unknown document.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///nowhere/x.go"}}),
    );
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(r["result"], json!([]));
    // Out-of-range positions in an edit are clamped, not fatal.
    let path = std::env::temp_dir().join("restate-lsp-robust/r.go");
    let uri = c.open(&path, "package p\n", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 999, "character": 999}, "end": {"line": 5, "character": 0}}, "text": "\n// tail 😀"}]}),
    );
    c.diagnostics(&uri, 2);
    // Edits to a document that is not open are ignored.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere/y.go", "version": 9}, "contentChanges": [{"text": "x"}]}),
    );
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r["error"].is_null(), "{r}");
    assert!(c.is_alive());
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_is_code_1() {
    let mut c = LspClient::spawn();
    c.initialize(None, caps_utf8(), Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(1));
}

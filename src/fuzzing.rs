//! Entry points for the fuzz targets in `fuzz/` and for the regression tests of what they found.
//! Not a stable API: each function drives one input path the way the server or `check` does, and
//! reports a broken property as `Err` so the harness can fail on it.

use std::path::Path;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use crate::analysis::config::Config;
use crate::analysis::findings::Finding;
use crate::analysis::go;
use crate::analysis::gomod;
use crate::analysis::model;
use crate::analysis::rules::{self, FileInput};
use crate::analysis::symbols;
use crate::analysis::workspace::Workspace;
use crate::server::documents::Document;
use crate::server::encoding::{self, Encoding};
use crate::server::transport;

const GO_MOD: &str =
    "module example.com/fuzz\n\ngo 1.22\n\nrequire github.com/restatedev/sdk-go v1.0.2\n";

/// One file analysed as `restate-lsp check` does: parse, summarise, index (next to a go.mod that
/// requires the SDK), run every rule family, then build the outline. A rule family that panicked
/// (reported as RS0002) is an error.
pub fn analyze_source(src: &str) -> Result<Vec<Finding>, String> {
    let path = Path::new("/fuzz/main.go");
    let mut parser = go::new_parser();
    let tree = go::parse(&mut parser, src);
    let model = model::extract(src, &tree);
    let mut ws = Workspace::new();
    ws.set_gomod("/fuzz".into(), gomod::parse(GO_MOD));
    ws.upsert(
        path.to_path_buf(),
        model.clone(),
        src.lines().count() as u32,
    );
    let config = Config::default();
    let input = FileInput {
        path,
        src,
        tree: &tree,
        model: &model,
        ws: &ws,
        config: &config,
        gomod: ws.module_for(path).map(|(_, m)| m),
    };
    let findings = rules::check_file(&input);
    for f in &findings {
        if f.code == "RS0002" {
            return Err(f.message.clone());
        }
        if f.start > f.end || f.end > src.len() {
            return Err(format!(
                "{} has range {}..{} outside the text ({} bytes)",
                f.code,
                f.start,
                f.end,
                src.len()
            ));
        }
    }
    let _ = symbols::document_symbols(&ws, path);
    let _ = symbols::workspace_symbols(&ws, "a", 100);
    Ok(findings)
}

/// One change of an edit sequence: replace `delete` LSP-addressable positions starting at the
/// position picked by `at` (a fraction of the text) with `insert`. With `raw` set, the position is
/// taken as given (`line`, `character`), which may be outside the text: the server clamps those.
#[derive(Clone, Debug)]
pub struct Edit {
    pub at: u32,
    pub delete: u32,
    pub insert: String,
    pub raw: Option<(u32, u32, u32, u32)>,
}

/// Byte offsets an LSP position can address (char boundaries, not between CR and LF).
fn boundaries(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    (0..=text.len())
        .filter(|&i| {
            text.is_char_boundary(i)
                && !(i > 0 && i < b.len() && b[i - 1] == b'\r' && b[i] == b'\n')
        })
        .collect()
}

/// The LSP position of a byte offset, computed independently of the server's rope code.
fn position(text: &str, byte: usize, enc: Encoding) -> Position {
    let (mut line, mut line_start, mut i) = (0u32, 0usize, 0usize);
    let b = text.as_bytes();
    while i < byte {
        match b[i] {
            b'\r' => {
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                line += 1;
                line_start = i + 1;
            }
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let seg = &text[line_start..byte];
    let col = match enc {
        Encoding::Utf8 => seg.len(),
        Encoding::Utf16 => seg.chars().map(char::len_utf16).sum(),
    };
    Position::new(line, col as u32)
}

/// Apply `edits` to a document opened with `seed`, `batch` changes per `didChange`, and compare
/// with a model: the text must equal the same edits applied to a plain string (for edits with
/// in-range positions), and the incrementally reparsed tree must equal a fresh parse of the text.
pub fn edits_match_fresh_parse(
    seed: &str,
    edits: &[Edit],
    utf8: bool,
    batch: usize,
) -> Result<(), String> {
    let enc = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let batch = batch.max(1);
    let mut parser = go::new_parser();
    let uri: Uri = "file:///fuzz/doc.go"
        .parse()
        .map_err(|_| "uri".to_string())?;
    let mut doc = Document::open(uri, "/fuzz/doc.go".into(), 0, seed, &mut parser);
    let mut text = seed.to_string();
    let mut pending: Vec<TextDocumentContentChangeEvent> = vec![];
    for e in edits {
        let range = match e.raw {
            None => {
                let bs = boundaries(&text);
                let last = bs.len() - 1;
                let i = (e.at as usize) % (last + 1);
                let j = (i + e.delete as usize).min(last);
                let (s, end) = (bs[i], bs[j]);
                let range = Range::new(position(&text, s, enc), position(&text, end, enc));
                text.replace_range(s..end, &e.insert);
                range
            }
            Some((l1, c1, l2, c2)) => {
                // The model follows the server's clamping here: the document's text is only
                // checked against the tree after such an edit.
                let rope = Rope::from_str(&text);
                let a = Position::new(l1, c1);
                let b = Position::new(l2, c2);
                let mut s = encoding::to_byte(&rope, a, enc);
                let mut end = encoding::to_byte(&rope, b, enc);
                if end < s {
                    std::mem::swap(&mut s, &mut end);
                }
                if text.is_char_boundary(s) && text.is_char_boundary(end) {
                    text.replace_range(s..end, &e.insert);
                }
                Range::new(a, b)
            }
        };
        pending.push(TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: None,
            text: e.insert.clone(),
        });
        if pending.len() >= batch {
            doc.apply_changes(&pending, enc, &mut parser);
            pending.clear();
            same_tree_as_fresh_parse(&doc, true)?;
        }
    }
    if !pending.is_empty() {
        doc.apply_changes(&pending, enc, &mut parser);
        same_tree_as_fresh_parse(&doc, true)?;
    }
    if doc.rope != *doc.text {
        return Err("the rope and the text disagree".into());
    }
    if *doc.text != *text {
        return Err(format!(
            "text differs from the model:\n doc: {:?}\n model: {:?}",
            &*doc.text, text
        ));
    }
    doc.settle(&mut parser);
    same_tree_as_fresh_parse(&doc, false)
}

/// A document's tree must equal a fresh parse of its text, unless `provisional_ok` and it is
/// marked provisional (an incremental reparse of text with syntax errors, which
/// `Document::settle` replaces later).
fn same_tree_as_fresh_parse(doc: &Document, provisional_ok: bool) -> Result<(), String> {
    if doc.is_provisional() && provisional_ok {
        return Ok(());
    }
    let fresh = go::parse_str(&doc.text);
    let (a, b) = (doc.tree.root_node().to_sexp(), fresh.root_node().to_sexp());
    if a != b {
        return Err(format!(
            "incremental tree differs from a fresh parse of {:?}:\n incremental: {a}\n fresh: {b}",
            &*doc.text
        ));
    }
    Ok(())
}

/// Run the stdin guard over `input` and return everything it forwarded.
pub fn filter_bytes(input: &[u8]) -> Vec<u8> {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return vec![];
    };
    rt.block_on(async {
        use tokio::io::AsyncReadExt;
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let ended = Arc::new(tokio::sync::Notify::new());
        let owned = input.to_vec();
        let task = tokio::spawn(async move { transport::filter(&owned[..], server, ended).await });
        let mut out = vec![];
        let _ = client.read_to_end(&mut out).await;
        let _ = task.await;
        out
    })
}

/// Split what the guard forwarded into bodies; every forwarded frame must be
/// `Content-Length: N\r\n\r\n` followed by N bytes of a JSON object with `"jsonrpc": "2.0"`.
pub fn forwarded_bodies(out: &[u8]) -> Result<Vec<serde_json::Value>, String> {
    let mut rest = out;
    let mut bodies = vec![];
    while !rest.is_empty() {
        let Some(sep) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Err(format!(
                "unterminated header in {:?}",
                String::from_utf8_lossy(rest)
            ));
        };
        let header = std::str::from_utf8(&rest[..sep]).map_err(|e| e.to_string())?;
        let n: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("bad forwarded header {header:?}"))?;
        let body = rest
            .get(sep + 4..sep + 4 + n)
            .ok_or_else(|| "forwarded body shorter than its Content-Length".to_string())?;
        let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        if v.get("jsonrpc").and_then(|j| j.as_str()) != Some("2.0") {
            return Err(format!("forwarded a body without jsonrpc 2.0: {v}"));
        }
        bodies.push(v);
        rest = &rest[sep + 4 + n..];
    }
    Ok(bodies)
}

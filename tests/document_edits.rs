//! Property: random edit sequences with multi-byte text and CRLF, applied incrementally to a
//! document (rope edit + one `Tree::edit` per change + one reparse), give the same text and the same
//! tree as a fresh parse of the final text, in both position encodings.

use proptest::prelude::*;
use restate_lsp::analysis::go;
use restate_lsp::server::documents::Document;
use restate_lsp::server::encoding::Encoding;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

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

const SEED: &str = "package shop\r\n\r\nimport restate \"github.com/restatedev/sdk-go\"\n\n// Café ☕\ntype Cafe struct{}\r\n\r\nfunc (Cafe) Order(ctx restate.ObjectContext, item string) (string, error) {\n\tnote := \"crème 😀\"\n\treturn note + item, nil\n}\n";

#[derive(Clone, Debug)]
struct EditSpec {
    at: f64,
    delete: usize,
    insert: String,
}

fn edit_strategy() -> impl Strategy<Value = EditSpec> {
    let pieces = prop::sample::select(vec![
        "é",
        "😀",
        "☕",
        "\r\n",
        "\n",
        "x",
        "func ",
        "{",
        "}",
        "(",
        ")",
        "\"",
        "`",
        "/*",
        "*/",
        "//",
        " ",
        "\t",
        "restate.Run(ctx, func(ctx restate.RunContext) (int, error) { return 1, nil })",
        "\r",
        "ü",
    ]);
    (0.0f64..1.0, 0usize..6, prop::collection::vec(pieces, 0..4)).prop_map(|(at, delete, parts)| {
        EditSpec {
            at,
            delete,
            insert: parts.concat(),
        }
    })
}

fn run(edits: &[EditSpec], enc: Encoding, batch: usize) -> Result<(), TestCaseError> {
    let mut parser = go::new_parser();
    let uri: Uri = "file:///prop/shop.go"
        .parse()
        .map_err(|_| TestCaseError::fail("uri"))?;
    let mut doc = Document::open(uri, "/prop/shop.go".into(), 0, SEED, &mut parser);
    let mut text = SEED.to_string();
    let mut pending: Vec<TextDocumentContentChangeEvent> = vec![];
    for e in edits {
        let bs = boundaries(&text);
        let i = ((bs.len() - 1) as f64 * e.at) as usize;
        let j = (i + e.delete).min(bs.len() - 1);
        let (s, end) = (bs[i], bs[j]);
        let range = Range::new(position(&text, s, enc), position(&text, end, enc));
        text.replace_range(s..end, &e.insert);
        pending.push(TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: None,
            text: e.insert.clone(),
        });
        if pending.len() >= batch {
            doc.apply_changes(&pending, enc, &mut parser);
            pending.clear();
        }
    }
    if !pending.is_empty() {
        doc.apply_changes(&pending, enc, &mut parser);
    }
    prop_assert_eq!(&*doc.text, text.as_str());
    let fresh = go::parse_str(&text);
    prop_assert_eq!(doc.tree.root_node().to_sexp(), fresh.root_node().to_sexp());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn incremental_edits_equal_a_fresh_parse_utf16(edits in prop::collection::vec(edit_strategy(), 1..40)) {
        run(&edits, Encoding::Utf16, 1)?;
    }

    #[test]
    fn incremental_edits_equal_a_fresh_parse_utf8(edits in prop::collection::vec(edit_strategy(), 1..40)) {
        run(&edits, Encoding::Utf8, 1)?;
    }

    #[test]
    fn batched_changes_equal_a_fresh_parse(edits in prop::collection::vec(edit_strategy(), 1..40), batch in 2usize..6) {
        run(&edits, Encoding::Utf16, batch)?;
    }
}

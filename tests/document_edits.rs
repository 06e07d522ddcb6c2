//! Property: random edit sequences with multi-byte text and CRLF, applied incrementally to a
//! document (rope edit + one `Tree::edit` per change + one reparse), give the same text and the same
//! tree as a fresh parse of the final text, in both position encodings. An incremental reparse of
//! text with syntax errors may differ around the errors (tree-sitter's error recovery depends on
//! the subtrees it reuses); such a tree is marked provisional and `Document::settle` replaces it,
//! which the server does when the edits pause. The checks are `restate_lsp::fuzzing`'s, shared with
//! the `document_edits` fuzz target.

use proptest::prelude::*;
use restate_lsp::fuzzing::{Edit, edits_match_fresh_parse};
use restate_lsp::server::encoding::Encoding;

const SEED: &str = "package shop\r\n\r\nimport restate \"github.com/restatedev/sdk-go\"\n\n// Café ☕\ntype Cafe struct{}\r\n\r\nfunc (Cafe) Order(ctx restate.ObjectContext, item string) (string, error) {\n\tnote := \"crème 😀\"\n\treturn note + item, nil\n}\n";

fn edit_strategy() -> impl Strategy<Value = Edit> {
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
    // Mostly positions inside the text; one edit in ten names a raw line and column, which may lie
    // past the end of its line or of the text (the server clamps them).
    let raw = prop::option::weighted(0.1, (0u32..20, 0u32..120, 0u32..20, 0u32..120));
    (
        any::<u32>(),
        0u32..6,
        prop::collection::vec(pieces, 0..4),
        raw,
    )
        .prop_map(|(at, delete, parts, raw)| Edit {
            at,
            delete,
            insert: parts.concat(),
            raw,
        })
}

fn run(edits: &[Edit], enc: Encoding, batch: usize) -> Result<(), TestCaseError> {
    edits_match_fresh_parse(SEED, edits, enc == Encoding::Utf8, batch).map_err(TestCaseError::fail)
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

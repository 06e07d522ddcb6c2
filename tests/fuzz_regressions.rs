//! Inputs the fuzz targets in fuzz/ found to break a property, kept as tests after the fix.

use restate_lsp::fuzzing::{Edit, edits_match_fresh_parse};

/// The seed document of the `document_edits` fuzz target.
const SEED: &str = "package shop\r\n\r\nimport restate \"github.com/restatedev/sdk-go\"\n\n// Café ☕\ntype Cafe struct{}\r\n\r\nfunc (Cafe) Order(ctx restate.ObjectContext, item string) (string, error) {\n\tnote := \"crème 😀\"\n\tout, err := restate.Run(ctx, func(ctx restate.RunContext) (string, error) {\n\t\treturn note + item, nil\n\t})\n\treturn out, err\n}\n";

fn edit(at: u32, delete: u32, insert: &str, raw: Option<(u32, u32, u32, u32)>) -> Edit {
    Edit {
        at,
        delete,
        insert: insert.to_string(),
        raw,
    }
}

/// NUL bytes typed into a file left with an unterminated raw string: the incremental reparse kept
/// four identifiers in the ERROR node where a fresh parse keeps two.
#[test]
fn nul_bytes_typed_after_an_unterminated_raw_string() {
    let edits = [
        edit(49, 7, "", None),
        edit(0, 0, "", Some((5, 10, 17, 205))),
        edit(0, 0, "func func func func `", Some((5, 221, 5, 221))),
        edit(56797, 13, "\0\0\0\0\0", None),
    ];
    edits_match_fresh_parse(SEED, &edits, false, 1).unwrap_or_else(|e| panic!("{e}"));
}

/// The same unterminated raw string after an error, without any NUL: tree-sitter's error recovery
/// reused a subtree and kept two identifiers more in the ERROR node than a fresh parse.
#[test]
fn error_recovery_after_an_unterminated_raw_string_matches_a_fresh_parse() {
    let edits = [
        edit(49, 7, "", None),
        edit(0, 0, "", Some((5, 10, 13, 205))),
        edit(0, 0, "func func func func `☕", Some((5, 221, 5, 221))),
        edit(0, 0, "", Some((15, 255, 15, 255))),
        edit(0, 0, "", Some((5, 221, 5, 221))),
        edit(0, 0, "", Some((5, 221, 5, 221))),
        edit(56797, 13, "\u{2028}\u{2028}\u{2028}\u{2028}é", None),
    ];
    edits_match_fresh_parse(SEED, &edits, false, 1).unwrap_or_else(|e| panic!("{e}"));
}

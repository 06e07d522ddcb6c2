//! Random edit sequences applied incrementally to an open document (rope edit, one `Tree::edit`
//! per change, one reparse per batch) must give the text a plain string model gives and the tree a
//! fresh parse gives, in both position encodings, including positions outside the text (clamped).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use restate_lsp::fuzzing::{Edit, edits_match_fresh_parse};

const SEED: &str = "package shop\r\n\r\nimport restate \"github.com/restatedev/sdk-go\"\n\n// Café ☕\ntype Cafe struct{}\r\n\r\nfunc (Cafe) Order(ctx restate.ObjectContext, item string) (string, error) {\n\tnote := \"crème 😀\"\n\tout, err := restate.Run(ctx, func(ctx restate.RunContext) (string, error) {\n\t\treturn note + item, nil\n\t})\n\treturn out, err\n}\n";

const PIECES: &[&str] = &[
    "é",
    "😀",
    "☕",
    "\r\n",
    "\n",
    "\r",
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
    "ü",
    "restate.Run(ctx, func(ctx restate.RunContext) (int, error) { return 1, nil })",
    "package ",
    "import ",
    "\"github.com/restatedev/sdk-go\"",
    ":=",
    "go ",
    "return ",
    ",",
    ";",
    "\u{2028}",
    "\u{85}",
    "\0",
];

#[derive(Arbitrary, Debug)]
enum Insert {
    Pieces(Vec<u8>),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct RawEdit {
    at: u16,
    delete: u8,
    insert: Insert,
    raw: Option<(u8, u8, u8, u8)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    utf8: bool,
    batch: u8,
    empty_seed: bool,
    edits: Vec<RawEdit>,
}

fuzz_target!(|input: Input| {
    let edits: Vec<Edit> = input
        .edits
        .iter()
        .take(64)
        .map(|e| Edit {
            at: u32::from(e.at),
            delete: u32::from(e.delete % 16),
            insert: match &e.insert {
                Insert::Pieces(ix) => ix
                    .iter()
                    .take(8)
                    .map(|i| PIECES[*i as usize % PIECES.len()])
                    .collect(),
                Insert::Raw(s) => s.chars().take(32).collect(),
            },
            raw: e.raw.map(|(a, b, c, d)| {
                (
                    u32::from(a % 24),
                    u32::from(b),
                    u32::from(c % 24),
                    u32::from(d),
                )
            }),
        })
        .collect();
    let seed = if input.empty_seed { "" } else { SEED };
    if let Err(e) = edits_match_fresh_parse(seed, &edits, input.utf8, usize::from(input.batch % 6))
    {
        panic!("{e}");
    }
});

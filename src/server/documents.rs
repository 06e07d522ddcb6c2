//! Open documents: rope, tree and version. Incremental changes are applied to the rope, each one
//! mirrored by one `Tree::edit`, then the whole batch is reparsed once reusing the old tree.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::analysis::go;
use crate::analysis::incremental::Outline;
use crate::server::encoding::{self, Encoding};

#[derive(Clone)]
pub struct Document {
    pub uri: Uri,
    pub path: PathBuf,
    pub version: i32,
    pub rope: Rope,
    pub tree: Tree,
    /// The text as one string, for the analysis (rebuilt once per change batch).
    pub text: Arc<str>,
    /// The outline of the text the cached findings were computed for (see `analysis::incremental`).
    pub outline: Option<Outline>,
    /// The generation of the workspace index that the whole-file analysis behind the cached
    /// findings read (None: they came from an incremental analysis, or there are none). A refresh
    /// with the same version and generation would find the same.
    pub analysed_generation: Option<u64>,
    /// Where the workspace index's model of this document starts to differ from the text (None: it
    /// is the model of this text): a lower bound on the first byte edited since the model was
    /// extracted (0 while the document has no model of its own yet).
    pub index_stale_from: Option<usize>,
    /// The text whose model the index holds, with the edits made since (None: unknown). Lets a
    /// hover answer from that model while a newer one is being extracted (`map_back`).
    pub indexed: Option<Indexed>,
    /// Whether the text must be reparsed from scratch after an edit (see `needs_full_parse`).
    reparse_fully: bool,
    /// The tree came from an incremental reparse of text with syntax errors, or from reparses
    /// since one. tree-sitter's error recovery depends on the subtrees it reuses, so such a tree
    /// may differ from a fresh parse; `settle` replaces it once the edits pause.
    provisional: bool,
}

/// A text the index's model was extracted from, its tree, and the byte edits since, in order:
/// (start, old end, new end), each in the text the previous ones left.
#[derive(Clone)]
pub struct Indexed {
    pub text: Arc<str>,
    pub rope: Rope,
    pub tree: Tree,
    edits: Vec<(usize, usize, usize)>,
}

/// Past this many edits the indexed text is forgotten: by then the model is about to be replaced.
const MAX_MAPPED_EDITS: usize = 512;

impl Indexed {
    /// Where byte `b` of the current text was in the indexed text; None when it lies in text
    /// inserted since.
    pub fn map_back(&self, mut b: usize) -> Option<usize> {
        for &(start, old_end, new_end) in self.edits.iter().rev() {
            if b >= new_end {
                b = b - new_end + old_end;
            } else if b >= start {
                return None;
            }
        }
        Some(b)
    }

    /// Where byte `b` of the indexed text is in the current text (the start of an edit when that
    /// edit replaced it).
    pub fn map_forward(&self, mut b: usize) -> usize {
        for &(start, old_end, new_end) in &self.edits {
            if b >= old_end {
                b = b - old_end + new_end;
            } else if b > start {
                b = start;
            }
        }
        b
    }
}

/// Texts an incremental reparse gets wrong, so edits to them reparse from scratch:
/// - a carriage return not followed by a line feed: tree-sitter counts rows by line feeds only,
///   LSP (and the rope) also by lone CRs, so the edit's points disagree with the tree's;
/// - a NUL byte: tree-sitter's lexer reads it like the end of input, and a reused subtree that
///   ended at one may differ from what a fresh parse gives (found by the `document_edits` fuzz
///   target). Go source cannot contain NUL, so this only costs time on broken files.
fn needs_full_parse(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == 0 || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
}

fn parse_rope(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> Option<Tree> {
    let len = rope.len_bytes();
    parser.parse_with_options(
        &mut |byte, _| {
            if byte >= len {
                return &[][..];
            }
            let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
            &chunk.as_bytes()[byte - chunk_start..]
        },
        old,
        None,
    )
}

impl Document {
    pub fn open(uri: Uri, path: PathBuf, version: i32, text: &str, parser: &mut Parser) -> Self {
        let rope = Rope::from_str(text);
        let tree = go::parse(parser, text);
        Document {
            uri,
            path,
            version,
            rope,
            tree,
            text: Arc::from(text),
            outline: None,
            analysed_generation: None,
            // The index has no model of this text yet: the first analysis extracts it.
            index_stale_from: Some(0),
            indexed: None,
            reparse_fully: needs_full_parse(text),
            provisional: false,
        }
    }

    /// tree-sitter point of a byte offset (rows by line feeds; valid when there is no lone CR).
    fn point(&self, byte: usize) -> Point {
        let row = self.rope.byte_to_line(byte);
        Point::new(row, byte - self.rope.line_to_byte(row))
    }

    /// Note an edit at `start`. Each change's start is in the text left by the previous ones, and
    /// the text before the lowest start is untouched by all of them.
    fn touched(&mut self, start: usize) {
        self.index_stale_from = Some(self.index_stale_from.map_or(start, |s| s.min(start)));
    }

    /// The index now holds the model of the current text and tree.
    pub fn indexed_now(&mut self) {
        self.index_stale_from = None;
        self.indexed = Some(Indexed {
            text: self.text.clone(),
            rope: self.rope.clone(),
            tree: self.tree.clone(),
            edits: vec![],
        });
    }

    /// Note an edit for `Indexed::map_back`: `start..old_end` became `start..new_end`.
    fn mapped(&mut self, start: usize, old_end: usize, new_end: usize) {
        if let Some(ix) = &mut self.indexed {
            ix.edits.push((start, old_end, new_end));
            if ix.edits.len() > MAX_MAPPED_EDITS {
                self.indexed = None;
            }
        }
    }

    /// Apply a batch of changes in order; changes whose range cannot be applied are skipped. The
    /// index's model of the document is marked stale from the first byte the batch touched.
    pub fn apply_changes(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
        parser: &mut Parser,
    ) {
        let mut full_reparse = self.reparse_fully;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    full_reparse = true;
                    self.touched(0);
                    self.indexed = None;
                }
                Some(range) => {
                    let mut start = encoding::to_byte(&self.rope, range.start, enc);
                    let mut end = encoding::to_byte(&self.rope, range.end, enc);
                    if end < start {
                        std::mem::swap(&mut start, &mut end);
                    }
                    let (Ok(start_char), Ok(end_char)) = (
                        self.rope.try_byte_to_char(start),
                        self.rope.try_byte_to_char(end),
                    ) else {
                        continue;
                    };
                    let start_position = self.point(start);
                    let old_end_position = self.point(end);
                    if self.rope.try_remove(start_char..end_char).is_err() {
                        continue;
                    }
                    self.touched(start);
                    if self.rope.try_insert(start_char, &change.text).is_err() {
                        continue;
                    }
                    if change.text.contains(['\r', '\0']) {
                        full_reparse = true;
                    }
                    let new_end_byte = start + change.text.len();
                    self.mapped(start, end, new_end_byte);
                    let new_end_position = self.point(new_end_byte.min(self.rope.len_bytes()));
                    self.tree.edit(&InputEdit {
                        start_byte: start,
                        old_end_byte: end,
                        new_end_byte,
                        start_position,
                        old_end_position,
                        new_end_position,
                    });
                }
            }
        }
        let text: String = self.rope.to_string();
        self.reparse_fully = needs_full_parse(&text);
        let reparsed = if full_reparse || self.reparse_fully {
            None
        } else {
            parse_rope(parser, &self.rope, Some(&self.tree))
        };
        // Sticky: a tree reparsed from a provisional one reuses its subtrees, and can differ from a
        // fresh parse even without errors of its own (the property test found such an edit).
        self.provisional = reparsed
            .as_ref()
            .is_some_and(|t| self.provisional || t.root_node().has_error());
        self.tree = reparsed.unwrap_or_else(|| go::parse(parser, &text));
        self.text = Arc::from(text);
    }

    /// Whether the tree may differ from a fresh parse of the text (see `provisional`).
    pub fn is_provisional(&self) -> bool {
        self.provisional
    }

    /// Take `tree`, a fresh parse of the current text made off the state lock (see `settle`).
    pub fn settle_with(&mut self, tree: Tree) {
        self.tree = tree;
        self.provisional = false;
    }

    /// Replace a provisional tree by a fresh parse, so that findings on broken code end up the
    /// same as after reopening the file or in `check`. A fresh parse of a 5,000-line file takes
    /// longer than a keystroke may, so this runs when the edits pause, not on every change.
    /// Returns whether the tree was replaced.
    pub fn settle(&mut self, parser: &mut Parser) -> bool {
        if !self.provisional {
            return false;
        }
        self.tree = go::parse(parser, &self.text);
        self.provisional = false;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn bytes_map_through_edits_to_the_indexed_text_and_back() {
        let mut parser = go::new_parser();
        let uri: Uri = "file:///t/a.go".parse().expect("uri");
        let text = "package p\n\nfunc f() {}\n\nfunc g() {}\n";
        let mut doc = Document::open(uri, PathBuf::from("/t/a.go"), 0, text, &mut parser);
        doc.indexed_now();
        // A comment line before f, then `f` renamed to `ff`.
        doc.apply_changes(
            &[change(1, 0, 1, 0, "// c\n"), change(3, 5, 3, 6, "ff")],
            Encoding::Utf8,
            &mut parser,
        );
        assert_eq!(
            &*doc.text,
            "package p\n// c\n\nfunc ff() {}\n\nfunc g() {}\n"
        );
        let ix = doc.indexed.as_ref().expect("indexed");
        let g_new = doc.text.find("func g").unwrap_or(0);
        let g_old = text.find("func g").unwrap_or(0);
        assert_eq!(ix.map_back(g_new), Some(g_old));
        assert_eq!(ix.map_forward(g_old), g_new);
        // Inside inserted text there is nothing to map to.
        assert_eq!(ix.map_back(doc.text.find("// c").unwrap_or(0)), None);
        assert_eq!(ix.map_back(doc.text.find("ff").unwrap_or(0)), None);
        // Before every edit nothing moves.
        assert_eq!(ix.map_back(3), Some(3));
        // Text that was replaced maps forward to the start of its replacement.
        let f_old = text.find("f()").unwrap_or(0);
        assert_eq!(ix.map_forward(f_old), doc.text.find("ff").unwrap_or(0));
    }

    #[test]
    fn incremental_equals_fresh_parse() {
        let mut parser = go::new_parser();
        let uri: Uri = "file:///t/a.go".parse().expect("uri");
        let mut doc = Document::open(
            uri,
            PathBuf::from("/t/a.go"),
            0,
            "package p\n\nfunc f() {\n}\n",
            &mut parser,
        );
        doc.apply_changes(
            &[
                change(2, 10, 2, 10, "\n\tx := \"☕\"\n\t_ = x"),
                change(0, 8, 0, 9, "main"),
            ],
            Encoding::Utf16,
            &mut parser,
        );
        assert_eq!(
            &*doc.text,
            "package main\n\nfunc f() {\n\tx := \"☕\"\n\t_ = x\n}\n"
        );
        let fresh = go::parse_str(&doc.text);
        assert_eq!(doc.tree.root_node().to_sexp(), fresh.root_node().to_sexp());
    }
}

//! Re-analysing one edited function instead of the whole file.
//!
//! A keystroke almost always changes the body of one top-level function. The outline of a file (its
//! top-level declarations with a hash of their text) tells which one: a common prefix and a common
//! suffix of unchanged declarations around exactly one changed function or method. That function is
//! then analysed in a reduced copy of the file, in which the bodies of the other functions are
//! dropped (their signatures, the imports, types and package variables stay, and so do the bodies
//! that register services). The reduced copy is a few hundred bytes instead of the whole file, so
//! extraction, facts and rules cost little; the findings inside the function are mapped back to the
//! file's offsets and the findings elsewhere are reused from the previous analysis, shifted.
//!
//! What the reduced copy cannot see — other function bodies — reaches the rules through the
//! workspace index, which still holds the whole file as last analysed. The server follows every
//! reduced analysis with a full one shortly after the last keystroke, which settles the rest (a
//! finding elsewhere that depends on the edited function).

use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

use crate::analysis::findings::Finding;
use crate::analysis::go;
use crate::analysis::model::{self, ExtractOptions};
use crate::analysis::rules::{self, FileInput};

/// One top-level node of a file: its kind, byte range and a hash of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub kind: u16,
    pub start: usize,
    pub end: usize,
    hash: u64,
}

/// The top-level nodes of a file, in order, and the length of the text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub decls: Vec<Decl>,
    pub len: usize,
}

/// A fast, non-cryptographic hash of a declaration's text (FxHash's mixing over 8-byte words): the
/// outline hashes the whole file on every keystroke.
fn hash_text(s: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut h = mix(0, bytes.len() as u64);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h, u64::from_le_bytes(w))
}

pub fn outline(src: &str, tree: &Tree) -> Outline {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let decls = root
        .children(&mut cursor)
        .map(|n| Decl {
            kind: n.kind_id(),
            start: n.start_byte(),
            end: n.end_byte(),
            hash: hash_text(go::text(n, src)),
        })
        .collect();
    Outline {
        decls,
        len: src.len(),
    }
}

/// How a file changed between two outlines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only the space between declarations changed: everything from `at` (old offsets) moves by
    /// `delta` bytes.
    Shift { at: usize, delta: isize },
    /// One function or method changed: `old` and `new` are its ranges before and after.
    Function {
        old: Range<usize>,
        new: Range<usize>,
    },
}

impl Change {
    /// The byte delta applied to everything after the change.
    fn delta(&self) -> isize {
        match self {
            Change::Shift { delta, .. } => *delta,
            Change::Function { old, new } => new.end as isize - old.end as isize,
        }
    }
}

/// Which single change turns `old` into `new`, or None when the change is wider than one function
/// (then the whole file must be analysed).
pub fn diff(old: &Outline, new: &Outline) -> Option<Change> {
    let k = go::kinds();
    let (o, n) = (&old.decls, &new.decls);
    let same = |a: &Decl, b: &Decl| a.kind == b.kind && a.hash == b.hash;
    let prefix = o
        .iter()
        .zip(n.iter())
        .take_while(|(a, b)| same(a, b) && a.start == b.start && a.end == b.end)
        .count();
    let max_suffix = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| same(a, b) && old.len - a.start == new.len - b.start)
        .count();
    let (om, nm) = (&o[prefix..o.len() - suffix], &n[prefix..n.len() - suffix]);
    let delta = new.len as isize - old.len as isize;
    match (om, nm) {
        ([], []) => {
            let at = if prefix > 0 { o[prefix - 1].end } else { 0 };
            Some(Change::Shift { at, delta })
        }
        ([a], [b])
            if a.kind == b.kind
                && (a.kind == k.function_declaration || a.kind == k.method_declaration) =>
        {
            Some(Change::Function {
                old: a.start..a.end,
                new: b.start..b.end,
            })
        }
        _ => None,
    }
}

fn shift(x: usize, at: usize, delta: isize) -> usize {
    if x >= at {
        (x as isize + delta).max(0) as usize
    } else {
        x
    }
}

/// A finding moved by `delta` bytes when it lies at or after `at` (its related locations in the same
/// file and its fix edits too).
pub fn shifted(mut f: Finding, at: usize, delta: isize) -> Finding {
    f.start = shift(f.start, at, delta);
    f.end = shift(f.end, at, delta);
    for r in f.related.iter_mut().filter(|r| r.path.is_none()) {
        r.span.start = shift(r.span.start as usize, at, delta) as u32;
        r.span.end = shift(r.span.end as usize, at, delta) as u32;
    }
    for fix in &mut f.fixes {
        for e in &mut fix.edits {
            e.start = shift(e.start, at, delta);
            e.end = shift(e.end, at, delta);
        }
    }
    f
}

/// The previous findings carried over a change: those inside the changed function dropped, those
/// after it shifted. `fresh` are the findings of the changed function, in new offsets.
pub fn splice(previous: Vec<Finding>, change: &Change, fresh: Vec<Finding>) -> Vec<Finding> {
    let (drop, at) = match change {
        Change::Shift { at, .. } => (None, *at),
        Change::Function { old, .. } => (Some(old.clone()), old.end),
    };
    let delta = change.delta();
    let mut out: Vec<Finding> = previous
        .into_iter()
        .filter(|f| drop.as_ref().is_none_or(|r| !r.contains(&f.start)))
        .map(|f| shifted(f, at, delta))
        .collect();
    out.extend(fresh);
    out.sort_by(|a, b| (a.start, a.code).cmp(&(b.start, b.code)));
    out
}

/// Bodies that stay in the reduced copy even when they are not the edited function: those that
/// register services or name them, since rules about any handler depend on them.
fn registers_services(decl: Node<'_>, body: &str, src: &str) -> bool {
    const MARKERS: [&str; 4] = ["Reflect", "NewService", "NewObject", "NewWorkflow"];
    let name = decl
        .child_by_field_name("name")
        .map(|n| go::text(n, src))
        .unwrap_or("");
    name == "ServiceName" || MARKERS.iter().any(|m| body.contains(m))
}

/// The ranges to leave out so that only `target` keeps its body: the insides of the other functions'
/// bodies, except those that register services.
fn dropped_bodies(src: &str, tree: &Tree, target: &Range<usize>) -> Vec<tree_sitter::Range> {
    let k = go::kinds();
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut out = vec![];
    for decl in root.children(&mut cursor) {
        if decl.kind_id() != k.function_declaration && decl.kind_id() != k.method_declaration {
            continue;
        }
        if decl.start_byte() == target.start {
            continue;
        }
        let Some(body) = decl.child_by_field_name("body") else {
            continue;
        };
        if registers_services(decl, go::text(body, src), src) {
            continue;
        }
        out.push(decl.range());
    }
    out
}

/// The complement of sorted, disjoint `dropped` ranges within a text of `len` bytes ending at `end`.
fn kept(
    dropped: &[tree_sitter::Range],
    len: usize,
    end: tree_sitter::Point,
) -> Vec<tree_sitter::Range> {
    let mut out = vec![];
    let (mut byte, mut point) = (0, tree_sitter::Point::new(0, 0));
    for d in dropped {
        if d.start_byte > byte {
            out.push(tree_sitter::Range {
                start_byte: byte,
                end_byte: d.start_byte,
                start_point: point,
                end_point: d.start_point,
            });
        }
        byte = d.end_byte;
        point = d.end_point;
    }
    if len > byte {
        out.push(tree_sitter::Range {
            start_byte: byte,
            end_byte: len,
            start_point: point,
            end_point: end,
        });
    }
    out
}

/// The findings of the function at `target` (byte range in `input.src`), from an analysis of a
/// reduced copy of the file. Offsets are the file's.
pub fn analyse_function(
    input: &FileInput<'_>,
    target: &Range<usize>,
    opts: &ExtractOptions,
    parser: &mut Parser,
) -> Vec<Finding> {
    let drop = dropped_bodies(input.src, input.tree, target);
    let keep = kept(
        &drop,
        input.src.len(),
        input.tree.root_node().end_position(),
    );
    // tree-sitter skips what lies outside the included ranges without lexing it, so the reduced
    // tree costs what the kept text costs, and its nodes keep the file's offsets.
    let tree = if parser.set_included_ranges(&keep).is_ok() {
        let t = parser.parse(input.src, None);
        let _ = parser.set_included_ranges(&[]);
        t
    } else {
        None
    };
    let Some(tree) = tree else {
        return vec![];
    };
    let model = model::extract_with(input.src, &tree, opts);
    let sub = FileInput {
        path: input.path,
        src: input.src,
        tree: &tree,
        model: &model,
        ws: input.ws,
        config: input.config,
        gomod: input.gomod,
    };
    rules::check_file(&sub)
        .into_iter()
        .filter(|f| target.contains(&f.start))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::{Edit, Fix};

    fn outline_of(src: &str) -> Outline {
        outline(src, &go::parse_str(src))
    }

    const SRC: &str =
        "package p\n\nfunc a() {\n\tx := 1\n\t_ = x\n}\n\nfunc b() {}\n\ntype T int\n";

    #[test]
    fn an_edit_inside_one_function_is_a_function_change() {
        let edited = SRC.replace("x := 1", "x := 12");
        let d = diff(&outline_of(SRC), &outline_of(&edited));
        let a = SRC.find("func a").unwrap_or(0);
        assert_eq!(
            d,
            Some(Change::Function {
                old: a..SRC.find("}\n\nfunc b").unwrap_or(0) + 1,
                new: a..edited.find("}\n\nfunc b").unwrap_or(0) + 1,
            })
        );
    }

    #[test]
    fn blank_lines_between_declarations_are_a_shift() {
        let edited = SRC.replace("}\n\nfunc b", "}\n\n\nfunc b");
        let d = diff(&outline_of(SRC), &outline_of(&edited));
        let at = SRC.find("}\n\nfunc b").unwrap_or(0) + 1;
        assert_eq!(d, Some(Change::Shift { at, delta: 1 }));
    }

    #[test]
    fn changes_to_types_imports_or_two_functions_need_the_whole_file() {
        for edited in [
            SRC.replace("type T int", "type T string"),
            SRC.replace("x := 1", "x := 2")
                .replace("func b() {}", "func b() { }"),
            SRC.replace("func b() {}", "func b() {}\n\nfunc c() {}"),
            SRC.replace("package p", "package q"),
        ] {
            assert_eq!(
                diff(&outline_of(SRC), &outline_of(&edited)),
                None,
                "{edited}"
            );
        }
    }

    #[test]
    fn splice_drops_the_old_function_and_shifts_what_follows() {
        let mut later = Finding::new("RS1001", 50, 55, "later");
        later.fixes.push(Fix {
            title: "t".into(),
            edits: vec![Edit::replace(50, 55, "x")],
            safe: true,
            snippet: false,
        });
        let previous = vec![
            Finding::new("RS1001", 1, 2, "before"),
            Finding::new("RS1002", 20, 25, "inside"),
            later,
        ];
        let change = Change::Function {
            old: 10..30,
            new: 10..33,
        };
        let fresh = vec![Finding::new("RS1003", 21, 22, "new")];
        let got = splice(previous, &change, fresh);
        let spans: Vec<(&str, usize)> = got.iter().map(|f| (f.code, f.start)).collect();
        assert_eq!(spans, vec![("RS1001", 1), ("RS1003", 21), ("RS1001", 53)]);
        assert_eq!(got[2].fixes[0].edits[0], Edit::replace(53, 58, "x"));
    }
}

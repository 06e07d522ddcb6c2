//! gofmt aligns the line comments that end consecutive lines of the same indentation (one space
//! after the longest code). A rename changes a line's length, so after the edits the comments of
//! the runs they touched are aligned again; other lines are left as they are.

use std::collections::BTreeMap;

use tree_sitter::Tree;

use crate::analysis::findings::Edit;
use crate::analysis::go;

/// A line that ends in a line comment.
#[derive(Clone, Copy)]
struct Commented<'a> {
    code_end: usize,
    comment: usize,
    indent: &'a str,
    /// Width of the code after the indentation, in characters.
    width: usize,
}

fn commented_lines<'a>(src: &'a str, tree: &Tree) -> BTreeMap<usize, Commented<'a>> {
    let mut out = BTreeMap::new();
    go::walk(tree.root_node(), |n| {
        if n.kind() != "comment" {
            return true;
        }
        let start = n.start_byte();
        let line_start = go::line_start(src, start);
        let before = &src[line_start..start];
        if before.trim().is_empty() || !go::text(n, src).starts_with("//") {
            return false;
        }
        let indent = go::line_indent(src, start);
        let code = before.trim_end();
        let code_part = &code[indent.len().min(code.len())..];
        // Alignment padding is spaces; a tab inside the code means a shape we do not model.
        if code_part.contains('\t') {
            return false;
        }
        let row = src[..line_start].matches('\n').count();
        out.insert(
            row,
            Commented {
                code_end: line_start + code.len(),
                comment: start,
                indent,
                width: code_part.chars().count(),
            },
        );
        false
    });
    out
}

/// Edits (on `src`) that realign the trailing comments of the runs holding the `rows` (0-based
/// line numbers of `src`).
pub fn realign(src: &str, tree: &Tree, rows: &[usize]) -> Vec<Edit> {
    let lines = commented_lines(src, tree);
    let mut done = std::collections::BTreeSet::new();
    let mut out = vec![];
    for &row in rows {
        let Some(first) = lines.get(&row) else {
            continue;
        };
        if done.contains(&row) {
            continue;
        }
        let same = |r: usize| lines.get(&r).filter(|c| c.indent == first.indent);
        let mut lo = row;
        while lo > 0 && same(lo - 1).is_some() {
            lo -= 1;
        }
        let mut hi = row;
        while same(hi + 1).is_some() {
            hi += 1;
        }
        let run: Vec<&Commented<'_>> = (lo..=hi).filter_map(|r| lines.get(&r)).collect();
        done.extend(lo..=hi);
        let col = run.iter().map(|c| c.width).max().unwrap_or(0) + 1;
        for c in run {
            let pad = " ".repeat(col - c.width);
            if src[c.code_end..c.comment] != pad {
                out.push(Edit::replace(c.code_end, c.comment, pad));
            }
        }
    }
    out
}

/// The 0-based rows of `new` (the text after the edits) that the edits wrote to.
pub fn touched_rows(old: &str, edits: &[Edit]) -> Vec<usize> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut rows = vec![];
    // Running difference between new and old line counts before each edit.
    let mut shift: isize = 0;
    for e in sorted {
        let old_row = old[..e.start.min(old.len())].matches('\n').count() as isize;
        let start_row = (old_row + shift).max(0) as usize;
        let added = e.text.matches('\n').count();
        rows.extend(start_row..=start_row + added);
        let removed = old
            .get(e.start..e.end)
            .map_or(0, |t| t.matches('\n').count());
        shift += added as isize - removed as isize;
    }
    rows.sort_unstable();
    rows.dedup();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::apply_edits;
    use crate::analysis::go::parse_str;

    #[test]
    fn a_renamed_line_realigns_its_run() {
        let old = "package p\n\nvar x = f(\n\ta(1),     // one\n\tbbbbb(2), // two\n)\n";
        let edits = vec![Edit::replace(23, 24, "aaaaaaaaaa")];
        let new = apply_edits(old, &edits).expect("apply");
        let rows = touched_rows(old, &edits);
        assert_eq!(rows, vec![3]);
        let fixed = apply_edits(&new, &realign(&new, &parse_str(&new), &rows)).expect("apply");
        assert_eq!(
            fixed,
            "package p\n\nvar x = f(\n\taaaaaaaaaa(1), // one\n\tbbbbb(2),      // two\n)\n"
        );
    }
}

//! `check --fix [--diff]`: the safe fixes (the combination `source.fixAll.restate` applies) written
//! to the files, or shown as a unified diff. A file that does not parse is not touched, a result
//! that would not parse is not written, and a file that cannot be written is reported; the others
//! are fixed all the same.

use std::path::{Path, PathBuf};

use crate::analysis::findings::{Finding, apply_edits};
use crate::analysis::fixes::fix_all;
use crate::analysis::go;
use crate::analysis::migrate::align;
use crate::cli::check::Analyzed;
use crate::cli::write::{atomic_write, unified_diff};

#[derive(Debug, Default)]
pub struct FixReport {
    /// Files written (or, with --diff, that would be).
    pub files: usize,
    /// Files with fixes that were not applied, and why.
    pub not_fixed: Vec<(PathBuf, String)>,
    /// The unified diff (with --diff).
    pub patch: String,
}

/// The fixed text of one file, or why it cannot be fixed. `None`: nothing to fix.
pub fn fixed_text(src: &str, findings: &[Finding]) -> Option<Result<String, String>> {
    let fixable = findings
        .iter()
        .filter(|f| f.fixes.iter().any(|x| x.safe))
        .count();
    if fixable == 0 {
        return None;
    }
    let tree = go::parse_str(src);
    if tree.root_node().has_error() {
        return Some(Err(format!(
            "has syntax errors, so its {fixable} fix(es) were not applied; fix the syntax first"
        )));
    }
    let edits = fix_all(src, &tree, findings);
    if edits.is_empty() {
        return None;
    }
    let Some(new) = apply_edits(src, &edits) else {
        return Some(Err("its fixes overlap; none was applied".into()));
    };
    let new_tree = go::parse_str(&new);
    if new_tree.root_node().has_error() {
        return Some(Err(
            "the fixed file would not parse, so the fixes were not applied (please report this)"
                .into(),
        ));
    }
    // A fix that changes a line's length moves the comment at its end out of gofmt's column.
    let rows = align::touched_rows(src, &edits);
    let realign = align::realign(&new, &new_tree, &rows);
    Some(Ok(apply_edits(&new, &realign).unwrap_or(new)))
}

/// Fix the files: `keep` selects the findings whose fixes apply (the same filter as the report).
pub fn fix(
    analyzed: &[Analyzed],
    keep: &dyn Fn(&Finding) -> bool,
    diff: bool,
    shown: &dyn Fn(&Path) -> String,
) -> FixReport {
    let mut report = FixReport::default();
    for a in analyzed {
        let selected: Vec<Finding> = a.findings.iter().filter(|f| keep(f)).cloned().collect();
        match fixed_text(&a.src, &selected) {
            None => {}
            Some(Err(why)) => report.not_fixed.push((a.path.clone(), why)),
            Some(Ok(new)) if diff => {
                report
                    .patch
                    .push_str(&unified_diff(&shown(&a.path), &a.src, &new));
                report.files += 1;
            }
            Some(Ok(new)) => match atomic_write(&a.path, &new) {
                Ok(()) => report.files += 1,
                Err(e) => report.not_fixed.push((
                    a.path.clone(),
                    format!("cannot be written ({e}); not fixed"),
                )),
            },
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::{Edit, Fix};

    fn finding(start: usize, end: usize, text: &str) -> Finding {
        let mut f = Finding::new("RS1007", start, end, "m");
        f.fixes.push(Fix {
            title: "t".into(),
            edits: vec![Edit::replace(start, end, text)],
            safe: true,
            snippet: false,
        });
        f
    }

    #[test]
    fn a_fix_that_breaks_the_syntax_is_not_applied() {
        let src = "package p\n\nfunc f() { g() }\n";
        let at = src.find("g()").unwrap_or(0);
        let good = fixed_text(src, &[finding(at, at + 1, "h")]);
        assert_eq!(good, Some(Ok("package p\n\nfunc f() { h() }\n".into())));
        let bad = fixed_text(src, &[finding(at, at + 3, "h(")]);
        assert!(matches!(bad, Some(Err(why)) if why.contains("would not parse")));
        let broken = "package p\n\nfunc f() { g( }\n";
        let at = broken.find('g').unwrap_or(0);
        let r = fixed_text(broken, &[finding(at, at + 1, "h")]);
        assert!(matches!(r, Some(Err(why)) if why.contains("syntax errors")));
    }
}

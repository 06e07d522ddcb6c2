//! The rule engine: each rule family lives in its own file and is a pure function over the file's
//! tree and model plus the workspace index. Families run isolated: a panic in one becomes an RS0002
//! finding and the others still report. Severity configuration and suppression comments are applied
//! here, after the families ran.

pub mod catalog;
pub mod pages;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use tree_sitter::Tree;

use crate::analysis::config::Config;
use crate::analysis::findings::Finding;
use crate::analysis::gomod::GoMod;
use crate::analysis::model::FileModel;
use crate::analysis::suppress;
use crate::analysis::workspace::Workspace;

/// Everything a rule may look at for one file.
pub struct FileContext<'a> {
    pub path: &'a Path,
    pub src: &'a str,
    pub tree: &'a Tree,
    pub model: &'a FileModel,
    pub ws: &'a Workspace,
    pub config: &'a Config,
    /// The go.mod that owns the file, if any.
    pub gomod: Option<&'a GoMod>,
}

pub type Family = fn(&FileContext<'_>, &mut Vec<Finding>);

/// The rule families, by name (the name is what RS0002 reports).
pub const FAMILIES: &[(&str, Family)] = &[];

/// Run every family on a file and return the findings that survive configuration and suppression.
pub fn check_file(cx: &FileContext<'_>) -> Vec<Finding> {
    if cx.model.generated {
        return vec![];
    }
    let mut all = Vec::new();
    for (name, family) in FAMILIES {
        let mut out = Vec::new();
        match catch_unwind(AssertUnwindSafe(|| family(cx, &mut out))) {
            Ok(()) => all.extend(out),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                let end = cx.src.find('\n').unwrap_or(cx.src.len());
                all.push(Finding::new(
                    "RS0002",
                    0,
                    end,
                    format!(
                        "the {name} rules failed on this file ({what}); other rules still ran. Please report this with the file attached"
                    ),
                ));
            }
        }
    }
    finish(cx, all)
}

/// Apply the configured severities (dropping rules turned off) and suppression comments.
pub fn finish(cx: &FileContext<'_>, findings: Vec<Finding>) -> Vec<Finding> {
    let mut configured: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| {
            let sev = cx.config.severity(f.code)?;
            if cx.config.has_override(f.code) || f.severity == catalog::default_severity(f.code) {
                f.severity = sev;
            }
            Some(f)
        })
        .collect();
    configured.sort_by(|a, b| (a.start, a.code).cmp(&(b.start, b.code)));
    configured.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.code == b.code);
    let directives = suppress::directives(cx.src, cx.tree);
    let rs0001 = cx.config.severity("RS0001");
    let mut out = suppress::apply(cx.src, &directives, configured, rs0001.is_some());
    for f in out.iter_mut().filter(|f| f.code == "RS0001") {
        if let Some(s) = rs0001 {
            f.severity = s;
        }
    }
    out
}

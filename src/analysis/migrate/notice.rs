//! The one notice a module that pins the 0.x API gets instead of a finding per site: on go.mod's
//! `require github.com/restatedev/sdk-go` line, counting the sites by kind, with a few of them as
//! related locations and the migration as its action.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::analysis::findings::{Finding, Related, Severity};
use crate::analysis::gomod::GoMod;
use crate::analysis::migrate::{Site, targets};
use crate::analysis::span::{Locator, Span};

/// How many sites the notice links to.
pub const RELATED: usize = 5;
/// How many kinds the message names before "...".
const KINDS_SHOWN: usize = 4;

/// The sites of one file, as the notice keeps them: the kinds and the first few locations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSites {
    pub kinds: BTreeMap<&'static str, usize>,
    pub first: Vec<(Span, &'static str)>,
}

impl FileSites {
    pub fn of(src: &str, sites: &[Site]) -> FileSites {
        let mut out = FileSites::default();
        let loc = Locator::new(src);
        for s in sites {
            *out.kinds.entry(s.kind).or_default() += 1;
            if out.first.len() < RELATED {
                out.first.push((loc.range(s.start, s.end), s.kind));
            }
        }
        out
    }

    pub fn total(&self) -> usize {
        self.kinds.values().sum()
    }

    /// The sites of a file given only its text (a file of a module that pins the 0.x API).
    pub fn of_text(src: &str) -> FileSites {
        let tree = crate::analysis::go::parse_str(src);
        let sem = crate::analysis::semantic::Semantic::build(src, &tree);
        let model = crate::analysis::model::extract_with_semantic(&sem, &Default::default());
        let sites = crate::analysis::migrate::sites(&crate::analysis::migrate::Input {
            src,
            sem: &sem,
            model: &model,
            old_api: true,
            error_code_helper: "errorCode",
        });
        FileSites::of(src, &sites)
    }
}

/// The notice for a module, or None when none of its files has a site.
pub fn notice(gomod_text: &str, gomod: &GoMod, files: &[(PathBuf, FileSites)]) -> Option<Finding> {
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, f) in files {
        for (k, n) in &f.kinds {
            *kinds.entry(k).or_default() += n;
        }
    }
    let total: usize = kinds.values().sum();
    if total == 0 {
        return None;
    }
    let (start, end) = require_range(gomod_text)?;
    let mut counted: Vec<(&str, usize)> = kinds.into_iter().collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut shown: Vec<String> = counted
        .iter()
        .take(KINDS_SHOWN)
        .map(|(k, n)| format!("{k} x{n}"))
        .collect();
    if counted.len() > KINDS_SHOWN {
        shown.push("...".into());
    }
    let (sites, verb) = if total == 1 {
        ("call site uses", "it stops")
    } else {
        ("call sites use", "they stop")
    };
    let pinned = gomod.sdk_version.as_deref().unwrap_or("0.x");
    let mut f = Finding::new(
        "RS9001",
        start,
        end,
        format!(
            "{total} {sites} API that sdk-go 1.0 renamed or removed ({}): {verb} compiling when this module moves from {pinned} to {}. Run \"Migrate this module to sdk-go 1.0\" (or `restate-lsp migrate`) to rewrite them and go.mod; set RS9001 = \"hint\" under [rules] to see them one by one",
            shown.join(", "),
            targets::SDK_VERSION
        ),
    );
    f.severity = Severity::Info;
    // One site per file in turn, so the links show how far the old API spreads.
    let mut files: Vec<&(PathBuf, FileSites)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for round in 0..RELATED {
        for (path, fs) in &files {
            let Some((span, kind)) = fs.first.get(round) else {
                continue;
            };
            if f.related.len() < RELATED {
                f.related.push(Related {
                    path: Some(path.clone()),
                    span: *span,
                    message: format!("{kind} (0.x API)"),
                });
            }
        }
    }
    Some(f)
}

/// The byte range of the `github.com/restatedev/sdk-go vX` requirement (the whole line's
/// content, without its indentation and comment).
pub fn require_range(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut in_block = false;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let code = raw.find("//").map_or(raw, |i| &raw[..i]);
        let trimmed = code.trim();
        if in_block && trimmed.starts_with(')') {
            in_block = false;
            continue;
        }
        let entry = if in_block {
            trimmed
        } else if let Some(rest) = trimmed.strip_prefix("require") {
            let rest = rest.trim_start();
            if rest.starts_with('(') {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        if entry.split_whitespace().next().map(|p| p.trim_matches('"'))
            == Some(crate::analysis::restate_api::SDK_PATH)
        {
            let s = start + (code.len() - code.trim_start().len());
            return Some((s, s + trimmed.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_line_in_a_block_and_alone() {
        let t = "module m\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/restatedev/sdk-go v0.24.0 // x\n)\n";
        let (s, e) = require_range(t).expect("found");
        assert_eq!(&t[s..e], "github.com/restatedev/sdk-go v0.24.0");
        let t = "module m\nrequire github.com/restatedev/sdk-go v0.23.0\n";
        let (s, e) = require_range(t).expect("found");
        assert_eq!(&t[s..e], "require github.com/restatedev/sdk-go v0.23.0");
    }
}

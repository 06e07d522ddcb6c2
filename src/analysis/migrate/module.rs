//! The migration of one Go module: every site of every file rewritten at once, the ErrorCode
//! helper added once per package that needs it, imports added, re-sorted and dropped as the
//! rewrites require, trailing comments realigned, and go.mod moved to the 1.0 release. The caller
//! reads the files and writes (or shows) the result; this stays pure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::analysis::findings::{Edit, apply_edits};
use crate::analysis::fixes;
use crate::analysis::go;
use crate::analysis::gomod;
use crate::analysis::migrate::{self, Input, Site, align, errors, gomod_edit, imports, targets};
use crate::analysis::model::{self, FileModel, PkgRef};
use crate::analysis::semantic::Semantic;

/// A Go file of the module as read by the caller.
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// A file the migration changes.
#[derive(Debug)]
pub struct FilePlan {
    pub path: PathBuf,
    /// Edits on the file as read, sorted and disjoint.
    pub edits: Vec<Edit>,
    pub new_text: String,
    /// Sites rewritten in it.
    pub rewritten: usize,
}

/// A site the migration leaves for a person, with its 1-based line.
#[derive(Debug)]
pub struct Left {
    pub path: PathBuf,
    pub line: u32,
    pub site: Site,
}

#[derive(Debug, Default)]
pub struct ModulePlan {
    pub files: Vec<FilePlan>,
    pub gomod: gomod_edit::Plan,
    pub gomod_new: String,
    pub left: Vec<Left>,
    /// Files not changed because the result would not parse (or the file does not parse now).
    pub problems: Vec<(PathBuf, String)>,
    /// Every site found.
    pub sites: usize,
}

impl ModulePlan {
    pub fn changes_anything(&self) -> bool {
        !self.files.is_empty() || !self.gomod.edits.is_empty()
    }
}

struct Parsed<'a> {
    file: &'a SourceFile,
    tree: tree_sitter::Tree,
    model: FileModel,
}

/// Package key: directory and package clause.
fn pkg_key(p: &Parsed<'_>) -> (PathBuf, String) {
    (
        p.file
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        p.model.package.clone(),
    )
}

/// Whether `word` occurs in `text` as an identifier.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident)
            && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

/// The helper name per package: the one it already declares, else a name none of its files uses.
fn helper_names(parsed: &[Parsed<'_>]) -> BTreeMap<(PathBuf, String), (String, bool)> {
    let mut by_pkg: BTreeMap<(PathBuf, String), Vec<&str>> = BTreeMap::new();
    for p in parsed {
        by_pkg.entry(pkg_key(p)).or_default().push(&p.file.text);
    }
    by_pkg
        .into_iter()
        .map(|(k, texts)| {
            let existing = ["errorCode", "restateErrorCode"]
                .iter()
                .find(|n| texts.iter().any(|t| errors::declares_helper(t, n)));
            let v = match existing {
                Some(n) => (n.to_string(), true),
                None => (
                    errors::helper_name(|n| texts.iter().any(|t| has_word(t, n))),
                    false,
                ),
            };
            (k, v)
        })
        .collect()
}

/// Whether two edits cannot both apply: ranges that intersect, or two insertions at one point
/// with different text (their order would be a guess).
fn clash(a: &Edit, b: &Edit) -> bool {
    if a == b {
        return false;
    }
    let (ae, be) = (a.start == a.end, b.start == b.end);
    match (ae, be) {
        (true, true) => false,
        (true, false) => a.start > b.start && a.start < b.end,
        (false, true) => b.start > a.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Offset in the text before `edits` (sorted, disjoint) of offset `p` of the text after them, when
/// `p` lies in text the edits did not write.
fn map_back(edits: &[Edit], p: usize) -> Option<usize> {
    let mut delta: isize = 0;
    for e in edits {
        let new_start = (e.start as isize + delta) as usize;
        let new_end = new_start + e.text.len();
        if p < new_start {
            break;
        }
        if p < new_end {
            return None;
        }
        delta += e.text.len() as isize - (e.end - e.start) as isize;
    }
    usize::try_from(p as isize - delta).ok()
}

/// Plan the migration of a module from its go.mod text and its Go files.
pub fn plan(gomod_text: &str, files: &[SourceFile]) -> ModulePlan {
    let gm = gomod::parse(gomod_text);
    let old_api = migrate::old_api(Some(&gm));
    let mut parser = go::new_parser();
    let parsed: Vec<Parsed<'_>> = files
        .iter()
        .map(|f| {
            let tree = go::parse(&mut parser, &f.text);
            let model = model::extract(&f.text, &tree);
            Parsed {
                file: f,
                tree,
                model,
            }
        })
        .collect();
    let helpers = helper_names(&parsed);
    // Packages whose helper is still to be written, and the file that gets it (the first that
    // needs it, in path order).
    let mut helper_written: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    let mut out = ModulePlan::default();
    let mut split: BTreeSet<(&'static str, &'static str)> = BTreeSet::new();
    for p in &parsed {
        for imp in &p.model.imports {
            let path = targets::moved(&imp.path).unwrap_or_else(|| imp.path.clone());
            if let Some(m) = targets::split_module(&path) {
                split.insert(m);
            }
        }
        let key = pkg_key(p);
        let (helper, helper_exists) = helpers
            .get(&key)
            .cloned()
            .unwrap_or_else(|| ("errorCode".into(), false));
        let sem = Semantic::build(&p.file.text, &p.tree);
        let sites = migrate::sites(&Input {
            src: &p.file.text,
            sem: &sem,
            model: &p.model,
            old_api,
            error_code_helper: &helper,
        });
        if sites.is_empty() {
            continue;
        }
        out.sites += sites.len();
        let loc = crate::analysis::span::Locator::new(&p.file.text);
        let left = |s: Site| Left {
            path: p.file.path.clone(),
            line: loc.pos(s.start).line + 1,
            site: s,
        };
        if p.tree.root_node().has_error() {
            out.problems.push((
                p.file.path.clone(),
                format!(
                    "has syntax errors, so its {} site(s) were not migrated; fix the syntax and run the migration again",
                    sites.len()
                ),
            ));
            out.left.extend(sites.into_iter().map(left));
            continue;
        }
        let mut taken: Vec<Edit> = vec![];
        let mut changes = vec![];
        let mut additions: BTreeSet<&'static str> = BTreeSet::new();
        let mut needs_helper = false;
        let mut rewritten = 0;
        for s in sites {
            let Some(rw) = &s.rewrite else {
                out.left.push(left(s));
                continue;
            };
            if rw.edits.iter().any(|e| taken.iter().any(|t| clash(e, t))) {
                out.left.push(left(s));
                continue;
            }
            taken.extend(rw.edits.iter().cloned());
            changes.extend(rw.import_change.clone());
            additions.extend(rw.imports.iter().copied());
            needs_helper |= rw.needs_error_code_helper;
            rewritten += 1;
        }
        let additions: Vec<&str> = additions.into_iter().collect();
        let import_edits = imports::edits(&p.file.text, &p.tree, &p.model, &changes, &additions);
        let mut edits = taken;
        edits.extend(import_edits);
        if needs_helper && !helper_exists && helper_written.insert(key.clone()) {
            let prefix = match &p.model.restate {
                Some(PkgRef::Named(a)) => format!("{a}."),
                _ => String::new(),
            };
            let nl = if p.file.text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            edits.push(Edit::insert(
                p.file.text.len(),
                format!("{nl}{}", errors::helper_text(&helper, &prefix)),
            ));
        }
        let tidy: Vec<Edit> = fixes::tidy_imports(&sem, &edits)
            .into_iter()
            .filter(|d| {
                !edits
                    .iter()
                    .any(|e| clash(d, e) || (d.start < e.end && e.start < d.end))
            })
            .collect();
        edits.extend(tidy);
        edits.sort_by_key(|e| (e.start, e.end));
        edits.dedup();
        match finish(&p.file.text, edits) {
            Ok((edits, new_text)) => out.files.push(FilePlan {
                path: p.file.path.clone(),
                edits,
                new_text,
                rewritten,
            }),
            Err(why) => out.problems.push((p.file.path.clone(), why)),
        }
    }
    let modules: Vec<(&str, &str)> = split.into_iter().collect();
    out.gomod = gomod_edit::plan(gomod_text, &modules);
    out.gomod_new =
        apply_edits(gomod_text, &out.gomod.edits).unwrap_or_else(|| gomod_text.to_string());
    out
}

/// Apply the edits, check the result parses, realign the trailing comments the edits moved, and
/// return the final edits (on the original) with the new text.
fn finish(old: &str, edits: Vec<Edit>) -> Result<(Vec<Edit>, String), String> {
    let Some(new) = apply_edits(old, &edits) else {
        return Err("the rewrites overlap; nothing was changed in this file".into());
    };
    let tree = go::parse_str(&new);
    if tree.root_node().has_error() {
        return Err(
            "the rewritten file would not parse, so it was left unchanged (please report this)"
                .into(),
        );
    }
    let rows = align::touched_rows(old, &edits);
    let mut all = edits;
    for a in align::realign(&new, &tree, &rows) {
        if let (Some(s), Some(e)) = (map_back(&all, a.start), map_back(&all, a.end))
            && s <= e
            && !all.iter().any(|x| clash(x, &Edit::replace(s, e, "")))
        {
            all.push(Edit::replace(s, e, a.text));
        }
    }
    all.sort_by_key(|e| (e.start, e.end));
    let Some(text) = apply_edits(old, &all) else {
        return Err("the rewrites overlap; nothing was changed in this file".into());
    };
    Ok((all, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_map_back_outside_what_they_wrote() {
        // "abcdef" with "cd" replaced by "XYZW": new "abXYZWef".
        let edits = vec![Edit::replace(2, 4, "XYZW")];
        assert_eq!(map_back(&edits, 1), Some(1));
        assert_eq!(map_back(&edits, 3), None);
        assert_eq!(map_back(&edits, 6), Some(4));
        assert_eq!(map_back(&edits, 8), Some(6));
    }

    #[test]
    fn words() {
        assert!(has_word("x := errorCode(err)", "errorCode"));
        assert!(!has_word("x := errorCodes(err)", "errorCode"));
    }
}

//! `restate-lsp migrate [PATH] [--diff]`: move every Go module under PATH (or the module PATH is in)
//! from the 0.x API of sdk-go to 1.0, as the editor action "Migrate this module to sdk-go 1.0"
//! does, and write the files (atomically) or print a unified diff.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::migrate::module::{self, ModulePlan, SourceFile};
use crate::cli::write::{atomic_write, unified_diff};
use crate::scan;

pub struct MigrateOptions {
    /// A directory (default: the current one).
    pub path: Option<PathBuf>,
    /// Print a unified diff and write nothing.
    pub diff: bool,
}

/// The module directories to migrate: every go.mod under `root`, or the one above it.
fn module_dirs(root: &Path, found: &scan::Found) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = found
        .go_mods
        .iter()
        .filter_map(|m| m.parent().map(Path::to_path_buf))
        .collect();
    if dirs.is_empty()
        && let Some(m) = crate::cli::check::find_upwards(root, "go.mod")
        && let Some(d) = m.parent()
    {
        dirs.push(d.to_path_buf());
    }
    dirs.sort();
    dirs.dedup();
    dirs
}

fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Run the migration; returns the exit code: 0 done (or nothing to do), 1 when sites are left for
/// a person or a file could not be migrated, 2 on usage or I/O errors.
pub fn run(opts: &MigrateOptions, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let path = opts.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = match std::fs::canonicalize(&path) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "restate-lsp: cannot read {}: {e}", path.display());
            return 2;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let found = scan::scan(std::slice::from_ref(&root));
    let dirs = module_dirs(&root, &found);
    if dirs.is_empty() {
        let _ = writeln!(
            err,
            "restate-lsp: no go.mod in or above {}: nothing to migrate",
            path.display()
        );
        return 2;
    }
    // With --diff the patch goes to stdout and the report to stderr.
    let mut io_errors = 0;
    let mut left = 0;
    for dir in dirs {
        let gomod_path = dir.join("go.mod");
        let gomod_text = match std::fs::read_to_string(&gomod_path) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(
                    err,
                    "restate-lsp: cannot read {}: {e}",
                    gomod_path.display()
                );
                io_errors += 1;
                continue;
            }
        };
        let (paths, skipped) = scan::module_go_files(&dir);
        for s in skipped {
            let _ = writeln!(err, "restate-lsp: {s}");
        }
        let mut files = vec![];
        for p in paths {
            match scan::read_source(&p) {
                Ok(Some(text)) => files.push(SourceFile { path: p, text }),
                Ok(None) => {
                    let _ = writeln!(
                        err,
                        "restate-lsp: skipped {} (binary or over the size limit)",
                        shown(&p, &cwd)
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "restate-lsp: cannot read {}: {e}; skipped",
                        shown(&p, &cwd)
                    );
                    io_errors += 1;
                }
            }
        }
        let plan = module::plan(&gomod_text, &files);
        if opts.diff {
            let mut patch = String::new();
            for f in &plan.files {
                let old = files
                    .iter()
                    .find(|s| s.path == f.path)
                    .map(|s| s.text.as_str())
                    .unwrap_or("");
                patch.push_str(&unified_diff(&shown(&f.path, &cwd), old, &f.new_text));
            }
            patch.push_str(&unified_diff(
                &shown(&gomod_path, &cwd),
                &gomod_text,
                &plan.gomod_new,
            ));
            let _ = write!(out, "{patch}");
            left += summarize(&plan, &dir, &gomod_text, &cwd, true, err);
        } else {
            io_errors += write_plan(&plan, &gomod_path, &cwd, out);
            left += summarize(&plan, &dir, &gomod_text, &cwd, false, out);
        }
    }
    if io_errors > 0 {
        2
    } else if left > 0 {
        1
    } else {
        0
    }
}

/// Write the changed files and go.mod; returns how many writes failed (each reported).
fn write_plan(plan: &ModulePlan, gomod_path: &Path, cwd: &Path, report: &mut dyn Write) -> usize {
    let mut failed = 0;
    for f in &plan.files {
        if let Err(e) = atomic_write(&f.path, &f.new_text) {
            let _ = writeln!(
                report,
                "{}: not migrated: cannot write it ({e})",
                shown(&f.path, cwd)
            );
            failed += 1;
        }
    }
    if !plan.gomod.edits.is_empty()
        && let Err(e) = atomic_write(gomod_path, &plan.gomod_new)
    {
        let _ = writeln!(report, "{}: cannot write it ({e})", shown(gomod_path, cwd));
        failed += 1;
    }
    failed
}

/// Print what was (or would be) done and what is left; returns the number of sites and files
/// left for a person.
fn summarize(
    plan: &ModulePlan,
    dir: &Path,
    gomod_text: &str,
    cwd: &Path,
    dry: bool,
    report: &mut dyn Write,
) -> usize {
    let module = crate::analysis::gomod::parse(gomod_text).module;
    let name = if module.is_empty() {
        shown(dir, cwd)
    } else {
        module
    };
    if !plan.changes_anything() && plan.left.is_empty() && plan.problems.is_empty() {
        let _ = writeln!(report, "{name}: nothing to migrate");
        return 0;
    }
    let rewritten: usize = plan.files.iter().map(|f| f.rewritten).sum();
    let verb = if dry { "would rewrite" } else { "rewrote" };
    let _ = writeln!(
        report,
        "{name}: {verb} {rewritten} of {} site(s) in {} file(s)",
        plan.sites,
        plan.files.len()
    );
    for c in &plan.gomod.changes {
        let _ = writeln!(report, "  go.mod: {c}");
    }
    for (p, why) in &plan.problems {
        let _ = writeln!(report, "{}: not migrated: {why}", shown(p, cwd));
    }
    for l in &plan.left {
        let _ = writeln!(
            report,
            "{}:{}: {} {}",
            shown(&l.path, cwd),
            l.line,
            l.site.code,
            l.site.message
        );
    }
    if !plan.gomod.edits.is_empty() {
        let _ = writeln!(
            report,
            "  next: run `go mod tidy` in {} to update go.sum",
            shown(dir, cwd).if_empty(".")
        );
    }
    plan.left.len() + plan.problems.len()
}

trait IfEmpty {
    fn if_empty(self, default: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, default: &str) -> String {
        if self.is_empty() {
            default.to_string()
        } else {
            self
        }
    }
}

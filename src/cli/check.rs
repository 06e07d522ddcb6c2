//! `restate-lsp check [PATHS...]`: the same rules as the server, over files on disk, for CI.
//! Files are parsed in parallel; trees are kept only for files that import the SDK (the only files
//! rules report on), so memory stays near the size of the summaries.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tree_sitter::Tree;

use crate::analysis::config::{self, Config};
use crate::analysis::findings::{Finding, Severity};
use crate::analysis::go;
use crate::analysis::gomod;
use crate::analysis::migrate::{self, notice::FileSites};
use crate::analysis::model::{self, ExtractOptions, FileModel};
use crate::analysis::rules::{self, FileInput};
use crate::analysis::span::Locator;
use crate::analysis::workspace::Workspace;
use crate::cli::filter::Filter;
use crate::cli::report::{self, Format, Reported};
use crate::scan;

pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub config: Option<PathBuf>,
    /// Which findings to report (and fix).
    pub filter: Filter,
    /// Exit 0 even when findings at warning or above are left.
    pub exit_zero: bool,
    /// Print a count per rule instead of the findings.
    pub statistics: bool,
    /// Apply the safe fixes (with `diff`: show them).
    pub fix: bool,
    pub diff: bool,
}

/// A file kept for the rule pass.
struct Kept {
    path: PathBuf,
    src: String,
    tree: Tree,
}

/// Nearest ancestor (or self) of `start` that holds `name`.
pub(crate) fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    let mut dir = if start.is_file() {
        start.parent()
    } else {
        Some(start)
    };
    while let Some(d) = dir {
        let candidate = d.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

fn load_config(opts: &CheckOptions, err: &mut dyn Write) -> Result<Config, String> {
    load_config_for(opts.config.as_deref(), &opts.paths, err)
}

/// The configuration for a check: the given file, else `restate-lsp.toml` in the first path or its
/// parents. A malformed file is reported and the defaults are used.
pub fn load_config_for(
    explicit: Option<&Path>,
    paths: &[PathBuf],
    err: &mut dyn Write,
) -> Result<Config, String> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => paths
            .first()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .and_then(|p| find_upwards(&p, config::FILE_NAME)),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match config::parse_file(&text) {
        Ok(raw) => {
            let (cfg, problems) = Config::from_raw(&raw);
            for p in problems {
                let _ = writeln!(err, "restate-lsp: {}: {}", path.display(), p.message);
            }
            Ok(cfg)
        }
        Err(p) => {
            let loc = p
                .range
                .map(|(s, _)| {
                    let pos = Locator::new(&text).pos(s);
                    format!(":{}:{}", pos.line + 1, pos.col + 1)
                })
                .unwrap_or_default();
            let _ = writeln!(err, "restate-lsp: {}{loc}: {}", path.display(), p.message);
            Ok(Config::default())
        }
    }
}

/// One analysed file.
pub struct Analyzed {
    pub path: PathBuf,
    pub src: String,
    pub findings: Vec<Finding>,
}

/// Analyse files and directories as one workspace: scan, read go.mod files (inside the roots and
/// above each root), parse everything, index it, and run the rules on the files that import the SDK.
/// I/O problems are reported on `err`; their count is returned with the results.
pub fn analyze(roots: &[PathBuf], config: &Config, err: &mut dyn Write) -> (Vec<Analyzed>, usize) {
    let a = analyze_all(roots, config, err, false);
    (a.files, a.io_errors)
}

/// What `check` reports: the Go files, and the go.mod notices of modules that pin sdk-go 0.x.
pub struct Analysis {
    pub files: Vec<Analyzed>,
    pub io_errors: usize,
    /// One entry per go.mod with a notice (its text as `src`).
    pub notices: Vec<Analyzed>,
}

/// `analyze`, and with `notices` the RS9001 notice of every module that pins the 0.x API (the
/// editor shows it on go.mod; here it is reported like any finding, on go.mod's require line).
pub fn analyze_all(
    roots: &[PathBuf],
    config: &Config,
    err: &mut dyn Write,
    notices: bool,
) -> Analysis {
    let found = scan::scan(roots);
    for s in &found.skipped {
        let _ = writeln!(err, "restate-lsp: {s}");
    }
    let mut ws = Workspace::new();
    let mut mods = found.go_mods.clone();
    for r in roots {
        if let Some(m) = find_upwards(r, "go.mod") {
            mods.push(m);
        }
    }
    let mut gomod_texts: Vec<(PathBuf, String)> = vec![];
    for m in mods {
        if let (Some(dir), Ok(text)) = (m.parent(), std::fs::read_to_string(&m)) {
            ws.set_gomod(dir.to_path_buf(), gomod::parse(&text));
            gomod_texts.push((dir.to_path_buf(), text));
        }
    }
    let extract = ExtractOptions {
        effects: config.catalog.clone(),
    };
    let (models, kept, io_errors) = parse_all(&found.go_files, &extract);
    for e in &io_errors {
        let _ = writeln!(err, "restate-lsp: {e}");
    }
    for (path, m, lines) in models {
        ws.upsert(path, m, lines);
    }
    // The dependencies' summaries before the rules run (ARCHITECTURE.md, "Dependencies"); a
    // missing module cache or a broken summary cache only means fewer summaries.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let loaded = crate::deps::load(&ws, &crate::deps::Options::from_env(true, threads));
    ws.set_deps(std::sync::Arc::new(loaded.index));
    let want_sites = notices && config.severity("RS9001").is_some();
    let results = check_all(&kept, &ws, config, want_sites);
    let mut by_module: Vec<(PathBuf, Vec<(PathBuf, FileSites)>)> = vec![];
    let mut files = vec![];
    for (k, (findings, sites)) in kept.into_iter().zip(results) {
        if let Some(sites) = sites
            && let Some((dir, _)) = ws.module_for(&k.path)
        {
            match by_module.iter_mut().find(|(d, _)| d == dir) {
                Some((_, list)) => list.push((k.path.clone(), sites)),
                None => by_module.push((dir.to_path_buf(), vec![(k.path.clone(), sites)])),
            }
        }
        files.push(Analyzed {
            path: k.path,
            src: k.src,
            findings,
        });
    }
    let mut notice_files = vec![];
    for (dir, sites) in by_module {
        let Some((_, text)) = gomod_texts.iter().find(|(d, _)| *d == dir) else {
            continue;
        };
        if let Some(f) = migrate::notice::notice(text, &gomod::parse(text), &sites) {
            notice_files.push(Analyzed {
                path: dir.join("go.mod"),
                src: text.clone(),
                findings: vec![f],
            });
        }
    }
    Analysis {
        files,
        io_errors: io_errors.len(),
        notices: notice_files,
    }
}

/// Run the check; returns the exit code (0 clean, 1 findings at warning or above, 2 usage or I/O
/// error).
pub fn run(opts: &CheckOptions, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let paths: Vec<PathBuf> = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    let mut roots = vec![];
    for p in &paths {
        match std::fs::canonicalize(p) {
            Ok(abs) => roots.push(abs),
            Err(e) => {
                let _ = writeln!(err, "restate-lsp: cannot read {}: {e}", p.display());
                return 2;
            }
        }
    }
    let config = match load_config(opts, err) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "restate-lsp: {e}");
            return 2;
        }
    };
    if let Some(p) = crate::cli::filter::unknown_prefix(&opts.filter.select)
        .or_else(|| crate::cli::filter::unknown_prefix(&opts.filter.ignore))
    {
        let _ = writeln!(
            err,
            "restate-lsp: `{p}` is not the prefix of any rule ID (they look like RS1001)"
        );
        return 2;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = |p: &Path| {
        p.strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf())
            .to_string_lossy()
            .replace('\\', "/")
    };
    let keep = |f: &Finding| opts.filter.keeps(f.code, f.severity);
    let mut analysis = analyze_all(&roots, &config, err, true);
    let mut not_fixed = 0;
    if opts.fix || opts.diff {
        let fixed = crate::cli::fix::fix(&analysis.files, &keep, opts.diff, &shown);
        for (p, why) in &fixed.not_fixed {
            let _ = writeln!(err, "restate-lsp: {}: {why}", shown(p));
        }
        not_fixed = fixed.not_fixed.len();
        if opts.diff {
            // ruff's convention: the diff alone on stdout, exit 1 when it is not empty.
            if let Err(e) = out.write_all(fixed.patch.as_bytes()) {
                let _ = writeln!(err, "restate-lsp: cannot write the diff: {e}");
                return 2;
            }
            let _ = writeln!(
                err,
                "restate-lsp: {} file(s) would be fixed{}",
                fixed.files,
                if not_fixed > 0 {
                    format!(", {not_fixed} could not be")
                } else {
                    String::new()
                }
            );
            return if opts.exit_zero || (fixed.patch.is_empty() && not_fixed == 0) {
                0
            } else {
                1
            };
        }
        let before: usize = analysis
            .files
            .iter()
            .map(|a| a.findings.iter().filter(|f| keep(f)).count())
            .sum();
        analysis = analyze_all(&roots, &config, &mut std::io::sink(), true);
        let after: usize = analysis
            .files
            .iter()
            .map(|a| a.findings.iter().filter(|f| keep(f)).count())
            .sum();
        let _ = writeln!(
            err,
            "restate-lsp: fixed {} finding(s) in {} file(s); {after} left",
            before.saturating_sub(after),
            fixed.files
        );
    }
    let mut reported: Vec<Reported> = vec![];
    let mut fixable: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for a in analysis.files.into_iter().chain(analysis.notices) {
        let loc = Locator::new(&a.src);
        let shown = PathBuf::from(shown(&a.path));
        for f in a.findings.into_iter().filter(|f| keep(f)) {
            if f.fixes.iter().any(|x| x.safe) {
                *fixable.entry(f.code).or_default() += 1;
            }
            reported.push(Reported::new(&shown, &loc, f));
        }
    }
    reported.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
    });
    let written = if opts.statistics {
        crate::cli::statistics::write(
            opts.format,
            &crate::cli::statistics::count(&reported, &fixable),
            out,
        )
    } else {
        report::write(opts.format, &reported, out)
    };
    if let Err(e) = written {
        let _ = writeln!(err, "restate-lsp: cannot write the report: {e}");
        return 2;
    }
    if analysis.io_errors > 0 && reported.is_empty() {
        return 2;
    }
    if opts.exit_zero {
        return 0;
    }
    if not_fixed > 0 || reported.iter().any(|r| r.severity >= Severity::Warning) {
        1
    } else {
        0
    }
}

type Parsed = (Vec<(PathBuf, FileModel, u32)>, Vec<Kept>, Vec<String>);

fn parse_all(files: &[PathBuf], extract: &ExtractOptions) -> Parsed {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let next = Mutex::new(0usize);
    let results: Mutex<Parsed> = Mutex::new((vec![], vec![], vec![]));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut parser = go::new_parser();
                let mut local: Parsed = (vec![], vec![], vec![]);
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(path) = files.get(i) else { break };
                    let src = match scan::read_source(path) {
                        Ok(Some(s)) => s,
                        Ok(None) => continue,
                        Err(e) => {
                            local.2.push(format!("cannot read {}: {e}", path.display()));
                            continue;
                        }
                    };
                    let tree = go::parse(&mut parser, &src);
                    let m = model::extract_with(&src, &tree, extract);
                    // Files that import any SDK package: rules report on them, and the go.mod
                    // notice counts their 0.x API (generated ones included: they move too).
                    let keep = m
                        .imports
                        .iter()
                        .any(|i| crate::analysis::migrate::targets::is_sdk_import(&i.path));
                    local.0.push((path.clone(), m, src.lines().count() as u32));
                    if keep {
                        local.1.push(Kept {
                            path: path.clone(),
                            src,
                            tree,
                        });
                    }
                }
                let mut r = results.lock().unwrap_or_else(|p| p.into_inner());
                r.0.extend(local.0);
                r.1.extend(local.1);
                r.2.extend(local.2);
            });
        }
    });
    let mut r = results.into_inner().unwrap_or_else(|p| p.into_inner());
    r.1.sort_by(|a, b| a.path.cmp(&b.path));
    r
}

/// The findings of each kept file, and with `sites` the RS9001 sites of the files whose module
/// pins the 0.x API (for the go.mod notice).
fn check_all(
    kept: &[Kept],
    ws: &Workspace,
    config: &Config,
    sites: bool,
) -> Vec<(Vec<Finding>, Option<FileSites>)> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    type Slot = (Vec<Finding>, Option<FileSites>);
    let slots: Vec<Mutex<Slot>> = kept.iter().map(|_| Mutex::new((vec![], None))).collect();
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(k) = kept.get(i) else { break };
                    let Some(file) = ws.file(&k.path) else {
                        continue;
                    };
                    let cx = FileInput {
                        path: &k.path,
                        src: &k.src,
                        tree: &k.tree,
                        model: &file.model,
                        ws,
                        config,
                        gomod: ws.module_for(&k.path).map(|(_, m)| m),
                    };
                    let fs = rules::check_file(&cx);
                    let file_sites = (sites && migrate::old_api(cx.gomod)).then(|| {
                        let sem = crate::analysis::semantic::Semantic::build(&k.src, &k.tree);
                        let found = migrate::sites(&migrate::Input {
                            src: &k.src,
                            sem: &sem,
                            model: &file.model,
                            old_api: true,
                            error_code_helper: "errorCode",
                        });
                        FileSites::of(&k.src, &found)
                    });
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = (fs, file_sites);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

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
use crate::analysis::model::{self, ExtractOptions, FileModel};
use crate::analysis::rules::{self, FileInput};
use crate::analysis::span::Locator;
use crate::analysis::workspace::Workspace;
use crate::cli::report::{self, Format, Reported};
use crate::scan;

pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub config: Option<PathBuf>,
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
    for m in mods {
        if let (Some(dir), Ok(text)) = (m.parent(), std::fs::read_to_string(&m)) {
            ws.set_gomod(dir.to_path_buf(), gomod::parse(&text));
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
    let findings = check_all(&kept, &ws, config);
    let out = kept
        .into_iter()
        .zip(findings)
        .map(|(k, findings)| Analyzed {
            path: k.path,
            src: k.src,
            findings,
        })
        .collect();
    (out, io_errors.len())
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
    let (analyzed, io_errors) = analyze(&roots, &config, err);
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut reported: Vec<Reported> = vec![];
    for a in analyzed {
        let loc = Locator::new(&a.src);
        let shown = a
            .path
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| a.path.clone());
        for f in a.findings {
            reported.push(Reported::new(&shown, &loc, f));
        }
    }
    reported.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
    });
    if let Err(e) = report::write(opts.format, &reported, out) {
        let _ = writeln!(err, "restate-lsp: cannot write the report: {e}");
        return 2;
    }
    if io_errors > 0 && reported.is_empty() {
        return 2;
    }
    if reported.iter().any(|r| r.severity >= Severity::Warning) {
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
                    let keep = (m.restate.is_some() || m.ingress.is_some()) && !m.generated;
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

fn check_all(kept: &[Kept], ws: &Workspace, config: &Config) -> Vec<Vec<Finding>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let slots: Vec<Mutex<Vec<Finding>>> = kept.iter().map(|_| Mutex::new(vec![])).collect();
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
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = fs;
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

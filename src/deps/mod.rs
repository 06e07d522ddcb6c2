//! Reading the Go dependencies the workspace imports, for `analysis::summary` to summarise: which
//! module and directory provides each import (`read`, `locate`, `modfile`), the summaries cached on
//! disk per module@version (`cache`), and `load`, which turns a workspace index into a `DepIndex`.
//!
//! Lazily: only packages the workspace's files import are read, plus the packages their exported
//! signatures name and those their bodies call into (a few levels deep, for I/O that happens one
//! package further). Nothing is downloaded and no program runs: a package that is not on disk is
//! simply not summarised, and the rules fall back to what they know without it.

pub mod cache;
pub mod locate;
pub mod modfile;
pub mod read;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::analysis::restate_api::SDK_PATH;
use crate::analysis::summary::{self, DepIndex, Interner, PkgSummary, is_std, split_type_path};
use crate::analysis::workspace::Workspace;
use cache::{DiskCache, Lookup, ModuleEntryRef};
use read::{Origin, Resolved, Root};

/// Package boundaries followed from a workspace import (for calls into other packages).
const MAX_DEPTH: u32 = 3;
/// Packages summarised at most in one workspace.
const MAX_PACKAGES: usize = 4_000;

pub struct Options {
    /// Go's module cache (None: only vendored and locally replaced modules are read).
    pub modcache: Option<PathBuf>,
    /// Our cache of summaries (None: every start parses).
    pub cache: Option<DiskCache>,
    /// Write summaries parsed this time to `cache`.
    pub write_cache: bool,
    /// Threads that parse packages.
    pub threads: usize,
}

impl Options {
    /// Locations from the environment (`locate::Env::from_process`).
    pub fn from_env(write_cache: bool, threads: usize) -> Options {
        let env = locate::Env::from_process();
        Options {
            modcache: locate::module_cache(&env).filter(|p| p.is_dir()),
            cache: locate::cache_dir(&env).map(DiskCache::new),
            write_cache,
            threads: threads.max(1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ModKey {
    module: String,
    version: String,
    origin: Origin,
}

#[derive(Default)]
struct ModuleMem {
    packages: HashMap<String, Arc<PkgSummary>>,
    missing: HashSet<String>,
    /// Holds packages not yet written to the disk cache.
    dirty: bool,
}

/// What a load did, for the log line and the benchmarks.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Import paths of dependencies in the workspace's files.
    pub imports: usize,
    /// Packages in the index.
    pub packages: usize,
    pub modules: usize,
    /// Packages parsed this time, and their files.
    pub parsed: usize,
    pub files_parsed: usize,
    /// Packages read from the disk cache.
    pub from_disk: usize,
    /// Import paths whose directory is missing or holds no Go file.
    pub not_found: usize,
    /// Import paths no requirement of go.mod provides.
    pub unresolved: usize,
    /// Cache files written.
    pub written: usize,
    /// Cache files discarded, and writes that failed (never errors: the cache is optional).
    pub problems: Vec<String>,
    pub elapsed: Duration,
}

impl Stats {
    /// One line for the log.
    pub fn line(&self) -> String {
        format!(
            "{} packages from {} modules ({} parsed, {} from the disk cache; {} not on disk, {} not required) in {} ms",
            self.packages,
            self.modules,
            self.parsed,
            self.from_disk,
            self.not_found,
            self.unresolved,
            self.elapsed.as_millis()
        )
    }
}

pub struct Loaded {
    pub index: DepIndex,
    pub stats: Stats,
}

/// Whether an import path is a dependency to summarise: not the standard library, not cgo, not
/// the Restate SDK (known from its API description), not a package of a workspace module.
pub fn is_dependency(path: &str, workspace_modules: &[&str]) -> bool {
    !is_std(path)
        && path != "C"
        && !within(path, SDK_PATH)
        && !workspace_modules.iter().any(|m| within(path, m))
}

fn within(path: &str, module: &str) -> bool {
    !module.is_empty()
        && (path == module
            || path
                .strip_prefix(module)
                .is_some_and(|r| r.starts_with('/')))
}

/// The dependency imports of the workspace's files, each with the directory of the workspace
/// module whose go.mod decides its version.
pub fn wanted_imports(ws: &Workspace) -> BTreeMap<String, PathBuf> {
    let modules: Vec<&str> = ws.modules().map(|(_, m)| m.module.as_str()).collect();
    let mut out = BTreeMap::new();
    for f in ws.files() {
        let Some((dir, _)) = ws.module_for(&f.path) else {
            continue;
        };
        for i in &f.model.imports {
            if is_dependency(&i.path, &modules) && !out.contains_key(&i.path) {
                out.insert(i.path.clone(), dir.to_path_buf());
            }
        }
    }
    out
}

/// Whether some dependency import of these files is not in the index yet (a new import since the
/// last load): the server loads again.
pub fn uncovered<'a>(
    ws: &Workspace,
    imports: impl IntoIterator<Item = &'a str>,
    index: &DepIndex,
) -> bool {
    let modules: Vec<&str> = ws.modules().map(|(_, m)| m.module.as_str()).collect();
    imports
        .into_iter()
        .any(|p| is_dependency(p, &modules) && !index.covers(p))
}

/// Summarise the dependencies the workspace imports (see the module comment). Never fails: what
/// cannot be found or read is counted in the stats and left out.
///
/// Nothing is kept in memory between loads: the index owns the only copy of each summary, so
/// linking packages (which sets `io` on functions that reach I/O through another package)
/// changes them in place instead of copying them, and a reload (a go.mod edit, a new import)
/// reads the disk cache, which costs a small fraction of a parse.
pub fn load(ws: &Workspace, opts: &Options) -> Loaded {
    let start = Instant::now();
    let mut stats = Stats::default();
    let mut modules: HashMap<ModKey, ModuleMem> = HashMap::new();
    let mut interner = Interner::default();
    let mut roots: Vec<Root> = vec![];
    let mut root_of: HashMap<PathBuf, usize> = HashMap::new();
    let mut queue: Vec<(String, usize, u32)> = vec![];
    let wanted = wanted_imports(ws);
    stats.imports = wanted.len();
    // Every import asked for counts as looked for, even when its go.mod cannot be read or the
    // package cap stops the search: the server must not load again for it (`uncovered`).
    let asked: Vec<String> = wanted.keys().cloned().collect();
    for (path, dir) in wanted {
        let idx = match root_of.get(&dir) {
            Some(i) => *i,
            None => match Root::read(&dir) {
                Some(r) => {
                    roots.push(r);
                    root_of.insert(dir.clone(), roots.len() - 1);
                    roots.len() - 1
                }
                None => continue,
            },
        };
        queue.push((path, idx, 0));
    }
    let mut visited: HashSet<String> = HashSet::new();
    let mut found: HashMap<String, Arc<PkgSummary>> = HashMap::new();
    let mut modules_used: HashSet<ModKey> = HashSet::new();
    let mut read_from_disk: HashSet<ModKey> = HashSet::new();
    while !queue.is_empty() && found.len() < MAX_PACKAGES {
        let mut to_parse: Vec<(String, ModKey, Resolved, usize, u32)> = vec![];
        let mut next: Vec<(String, usize, u32)> = vec![];
        for (path, root, depth) in std::mem::take(&mut queue) {
            if !visited.insert(path.clone()) {
                continue;
            }
            let Some(res) = read::resolve(&roots[root], opts.modcache.as_deref(), &path) else {
                stats.unresolved += 1;
                continue;
            };
            let key = ModKey {
                module: res.module.clone(),
                version: res.version.clone(),
                origin: res.origin,
            };
            let mem = modules.entry(key.clone()).or_insert_with(|| {
                let mut m = ModuleMem::default();
                if key.origin == Origin::ModCache
                    && let Some(cache) = &opts.cache
                {
                    match cache.load(&key.module, &key.version) {
                        Lookup::Hit(entry) => {
                            read_from_disk.insert(key.clone());
                            m.packages = entry
                                .packages
                                .into_iter()
                                .map(|(k, mut v)| {
                                    v.intern(&mut interner);
                                    (k, Arc::new(v))
                                })
                                .collect();
                            m.missing = entry.missing.into_iter().collect();
                        }
                        Lookup::Absent => {}
                        Lookup::Discarded(why) => {
                            stats.problems.push(why);
                            // Rewritten with what this load parses.
                            m.dirty = true;
                        }
                    }
                }
                m
            });
            if let Some(p) = mem.packages.get(&path) {
                stats.from_disk += 1;
                modules_used.insert(key);
                found.insert(path, p.clone());
                next.extend(
                    referenced(p, depth)
                        .into_iter()
                        .map(|r| (r, root, depth + 1)),
                );
            } else if mem.missing.contains(&path) {
                stats.not_found += 1;
            } else {
                to_parse.push((path, key, res, root, depth));
            }
        }
        for ((path, key, res, root, depth), parsed) in
            to_parse.iter().zip(parse_all(&to_parse, opts.threads))
        {
            let mem = modules.entry(key.clone()).or_default();
            mem.dirty = true;
            match parsed {
                Some((mut summary, files)) => {
                    stats.parsed += 1;
                    stats.files_parsed += files;
                    summary.intern(&mut interner);
                    let summary = Arc::new(summary);
                    mem.packages.insert(path.clone(), summary.clone());
                    modules_used.insert(key.clone());
                    next.extend(
                        referenced(&summary, *depth)
                            .into_iter()
                            .map(|r| (r, *root, depth + 1)),
                    );
                    found.insert(path.clone(), summary);
                }
                None => {
                    stats.not_found += 1;
                    // A package missing from a module that is there stays missing (a module
                    // version never changes); a module not downloaded yet may come later.
                    if res.module_dir.is_dir() {
                        mem.missing.insert(path.clone());
                    }
                }
            }
        }
        queue = next
            .into_iter()
            .filter(|(p, _, d)| *d <= MAX_DEPTH && !visited.contains(p))
            .collect();
    }
    if opts.write_cache
        && let Some(cache) = &opts.cache
    {
        for (key, mem) in modules.iter_mut() {
            if !mem.dirty
                || key.origin != Origin::ModCache
                || (mem.packages.is_empty() && mem.missing.is_empty())
            {
                mem.dirty = false;
                continue;
            }
            let entry = ModuleEntryRef {
                format: cache::FORMAT,
                module: &key.module,
                version: &key.version,
                packages: mem
                    .packages
                    .iter()
                    .map(|(k, v)| (k.as_str(), &**v))
                    .collect(),
                missing: mem.missing.iter().map(String::as_str).collect(),
            };
            match cache.store(&entry) {
                Ok(()) => stats.written += 1,
                Err(e) => stats.problems.push(format!(
                    "cannot write {}: {e}",
                    cache.path(&key.module, &key.version).display()
                )),
            }
            mem.dirty = false;
        }
    }
    stats.packages = found.len();
    stats.modules = modules_used.len();
    let index = DepIndex::new(found.into_values(), visited.into_iter().chain(asked));
    stats.elapsed = start.elapsed();
    Loaded { index, stats }
}

/// The packages a summary leads to: those its bodies call into (at every depth), and at the first
/// level those its exported signatures and fields name (so `pgx.Rows` is known when
/// `pgxpool.Pool.Query` returns it).
fn referenced(p: &PkgSummary, depth: u32) -> Vec<String> {
    let mut out: HashSet<&str> = HashSet::new();
    let funcs = p
        .funcs
        .iter()
        .chain(p.types.iter().flat_map(|t| t.methods.iter()));
    for f in funcs.clone() {
        out.extend(f.calls.iter().map(|c| &*c.path));
    }
    if depth == 0 {
        let mut types: Vec<&str> = vec![];
        for f in funcs {
            types.extend(f.params.iter().chain(f.results.iter()).map(|s| &**s));
        }
        for t in &p.types {
            types.extend(t.fields.iter().map(|(_, ty)| &**ty));
            types.extend(t.embeds.iter().map(|e| &**e));
        }
        types.extend(p.vars.iter().map(|(_, t)| &**t));
        for t in types {
            for name in named_types(t) {
                if let Some((path, _)) = split_type_path(name)
                    && !is_std(path)
                {
                    out.insert(path);
                }
            }
        }
    }
    out.remove(p.path.as_str());
    let mut v: Vec<String> = out.into_iter().map(str::to_string).collect();
    v.sort();
    v
}

/// The qualified names in a type expression (`map[string][]*a.b/c.T` -> `a.b/c.T`).
fn named_types(ty: &str) -> impl Iterator<Item = &str> {
    ty.split([' ', '[', ']', '*', '(', ')', ',', '{', '}', ';'])
        .map(|t| t.trim_start_matches('.'))
        .filter(|t| t.contains('/') && t.contains('.'))
}

/// Parse and summarise packages, on `threads` threads: (summary, files read), None when the
/// directory is missing or has no Go file that builds here.
fn parse_all(
    work: &[(String, ModKey, Resolved, usize, u32)],
    threads: usize,
) -> Vec<Option<(PkgSummary, usize)>> {
    let one = |(path, _, res, _, _): &(String, ModKey, Resolved, usize, u32)| {
        let files = read::package_files(&res.dir)?;
        if files.is_empty() {
            return None;
        }
        let n = files.len();
        Some((summary::summarize(path, &files), n))
    };
    if threads <= 1 || work.len() <= 1 {
        return work.iter().map(one).collect();
    }
    let next = Mutex::new(0usize);
    let slots: Vec<Mutex<Option<(PkgSummary, usize)>>> =
        work.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.min(work.len()) {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(w) = work.get(i) else { break };
                    let r = one(w);
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = r;
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

/// Where the module cache and the summary cache are, for the server's log line.
pub fn describe(opts: &Options) -> String {
    let show = |p: Option<&Path>| {
        p.map(|p| p.display().to_string())
            .unwrap_or_else(|| "none".into())
    };
    format!(
        "module cache {}, summary cache {}",
        show(opts.modcache.as_deref()),
        show(opts.cache.as_ref().map(DiskCache::dir))
    )
}

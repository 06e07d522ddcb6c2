//! The index across files: per-file summaries (models, never trees), the go.mod files, packages, and
//! the services and handlers they define. Updated one file at a time; derived tables are rebuilt only
//! for the package of the changed file, so an edit costs what its package costs, not the workspace.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::cow_map::CowMap;
use crate::analysis::gomod::GoMod;
use crate::analysis::model::{FileModel, FuncKind, HandlerTarget};
use crate::analysis::restate_api::{HandlerKind, ServiceKind};
use crate::analysis::span::Span;
use crate::analysis::summary::DepIndex;

/// A package: the Go files of one directory with the same package clause.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PkgKey {
    pub dir: PathBuf,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct IndexedFile {
    pub path: PathBuf,
    pub model: FileModel,
    pub lines: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceOrigin {
    /// A Go type whose exported methods are handlers (`restate.Reflect`).
    Type,
    /// `restate.NewService/NewObject/NewWorkflow("Name")...`.
    Builder,
}

#[derive(Clone, Debug)]
pub struct Handler {
    pub name: String,
    pub kind: HandlerKind,
    /// The method name (Reflect style) or the name literal (builders).
    pub loc: Location,
    /// The Go function implementing it, when it is in the workspace.
    pub func: Option<Location>,
    /// (file, function index in that file's model).
    pub func_ref: Option<(PathBuf, u32)>,
    pub input: Option<String>,
    pub output: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    /// Methods with a handler context whose shape the SDK rejects (Reflect style), kept for the
    /// invalid-definition rule: (method name, location, what is wrong).
    pub invalid: Vec<(String, Location, String)>,
    pub kind: ServiceKind,
    pub origin: ServiceOrigin,
    /// The Go type name (Reflect style).
    pub type_name: Option<String>,
    /// Where the service is defined: the type declaration or the `NewService("Name")` literal.
    pub loc: Location,
    pub handlers: Vec<Handler>,
    pub pkg: PkgKey,
    /// The directory of the go.mod that owns the package.
    pub module: Option<PathBuf>,
}

impl Service {
    pub fn handler(&self, name: &str) -> Option<&Handler> {
        self.handlers.iter().find(|h| h.name == name)
    }
}

/// A request-response call from an exclusive object handler to another object's handler, by name:
/// an edge of the graph in which call cycles (deadlocks) are searched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallEdge {
    pub from: (String, String),
    pub to: (String, String),
    pub path: PathBuf,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Package {
    /// Outgoing call edges of this package's exclusive object handlers.
    pub edges: Vec<Arc<CallEdge>>,
    pub files: BTreeSet<PathBuf>,
    pub services: Vec<Arc<Service>>,
    /// Named functions (`name`) and methods (`Type.name`) -> (file, function index).
    pub funcs: HashMap<String, Vec<(PathBuf, u32)>>,
    /// Package-level variables declared in any file of the package.
    pub vars: BTreeSet<String>,
    /// Identifiers written somewhere in the package without a local declaration.
    pub written: BTreeSet<String>,
}

/// Cloning a `Workspace` is cheap (its tables are `CowMap`s): the server analyses documents on a
/// clone, off the state lock, while the original keeps being updated.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    files: CowMap<PathBuf, Arc<IndexedFile>>,
    modules: BTreeMap<PathBuf, GoMod>,
    packages: CowMap<PkgKey, Package>,
    services_by_name: CowMap<String, Vec<Arc<Service>>>,
    /// Call edges of the whole workspace by calling service (object).
    edges_from: CowMap<String, Vec<Arc<CallEdge>>>,
    /// Type names passed to `restate.Reflect(pkg.T{})` with a qualifier, counted over all files.
    qualified_reflects: CowMap<String, u32>,
    /// `restate.Reflect(NewSvc(..))` sites: (file, constructor as written).
    ctor_reflects: Vec<(PathBuf, String)>,
    /// Bumped on every change, so callers can cache what they derive.
    pub generation: u64,
    /// Set while the files of the workspace are still being read: rules that report something as
    /// missing from the workspace (an unknown service, a state key nobody sets) hold back until
    /// every file is in, instead of flashing false findings at start-up.
    pub partial: bool,
    /// Summaries of the dependency packages the workspace imports (ARCHITECTURE.md,
    /// "Dependencies"): set by the server in the background after indexing and by `check` before
    /// the rules run; empty until then, and rules answer "unknown" for dependency calls meanwhile.
    pub deps: Arc<DepIndex>,
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Install new dependency summaries; bumps the generation so open documents are analysed
    /// again against them.
    pub fn set_deps(&mut self, deps: Arc<DepIndex>) {
        self.deps = deps;
        self.generation += 1;
    }

    pub fn file(&self, path: &Path) -> Option<&Arc<IndexedFile>> {
        self.files.get(path)
    }

    pub fn files(&self) -> impl Iterator<Item = &Arc<IndexedFile>> {
        self.files.values()
    }

    /// Every package of the workspace.
    pub fn packages(&self) -> impl Iterator<Item = (&PkgKey, &Package)> {
        self.packages.iter()
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    pub fn pkg_key(path: &Path, model: &FileModel) -> PkgKey {
        PkgKey {
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            name: model.package.clone(),
        }
    }

    /// Add or replace a file's summary.
    pub fn upsert(&mut self, path: PathBuf, model: FileModel, lines: u32) {
        let key = Self::pkg_key(&path, &model);
        let old_key = self
            .files
            .get(&path)
            .map(|f| Self::pkg_key(&f.path, &f.model));
        if let Some(old) = self.files.get(&path).cloned() {
            self.count_reflects(&path, &old.model, false);
        }
        self.count_reflects(&path, &model, true);
        self.files.insert(
            path.clone(),
            Arc::new(IndexedFile {
                path: path.clone(),
                model,
                lines,
            }),
        );
        if let Some(old) = old_key.filter(|o| *o != key) {
            if let Some(p) = self.packages.get_mut(&old) {
                p.files.remove(&path);
            }
            self.rebuild_package(&old);
        }
        self.packages
            .entry_or_default(key.clone())
            .files
            .insert(path);
        self.rebuild_package(&key);
        self.generation += 1;
    }

    pub fn remove(&mut self, path: &Path) {
        let Some(f) = self.files.remove(path) else {
            return;
        };
        self.count_reflects(path, &f.model, false);
        let key = Self::pkg_key(&f.path, &f.model);
        if let Some(p) = self.packages.get_mut(&key) {
            p.files.remove(path);
        }
        self.rebuild_package(&key);
        self.generation += 1;
    }

    /// Remove every file under a directory (a deleted folder).
    pub fn remove_dir(&mut self, dir: &Path) {
        let doomed: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| p.starts_with(dir))
            .cloned()
            .collect();
        for p in doomed {
            self.remove(&p);
        }
        let mods: Vec<PathBuf> = self
            .modules
            .keys()
            .filter(|p| p.starts_with(dir))
            .cloned()
            .collect();
        for m in mods {
            self.modules.remove(&m);
        }
    }

    pub fn set_gomod(&mut self, dir: PathBuf, gomod: GoMod) {
        let changed = self.modules.get(&dir) != Some(&gomod);
        self.modules.insert(dir.clone(), gomod);
        if changed {
            self.rebuild_packages_under(&dir);
            self.generation += 1;
        }
    }

    pub fn remove_gomod(&mut self, dir: &Path) {
        if self.modules.remove(dir).is_some() {
            self.rebuild_packages_under(dir);
            self.generation += 1;
        }
    }

    fn rebuild_packages_under(&mut self, dir: &Path) {
        let keys: Vec<PkgKey> = self
            .packages
            .keys()
            .filter(|k| k.dir.starts_with(dir))
            .cloned()
            .collect();
        for k in keys {
            self.rebuild_package(&k);
        }
    }

    pub fn modules(&self) -> impl Iterator<Item = (&PathBuf, &GoMod)> {
        self.modules.iter()
    }

    /// The nearest go.mod at or above the file's directory.
    pub fn module_for(&self, path: &Path) -> Option<(&Path, &GoMod)> {
        let mut dir = path.parent();
        while let Some(d) = dir {
            if let Some((k, m)) = self.modules.get_key_value(d) {
                return Some((k.as_path(), m));
            }
            dir = d.parent();
        }
        None
    }

    pub fn package(&self, key: &PkgKey) -> Option<&Package> {
        self.packages.get(key)
    }

    pub fn package_of(&self, path: &Path) -> Option<(PkgKey, &Package)> {
        let f = self.files.get(path)?;
        let key = Self::pkg_key(&f.path, &f.model);
        self.packages.get(&key).map(|p| (key, p))
    }

    /// The files of the package that holds `path` (including itself).
    pub fn package_files(&self, path: &Path) -> Vec<&Arc<IndexedFile>> {
        match self.package_of(path) {
            Some((_, p)) => p.files.iter().filter_map(|f| self.files.get(f)).collect(),
            None => self.files.get(path).into_iter().collect(),
        }
    }

    /// The package an import path names, when it belongs to the same Go module as `from`.
    pub fn resolve_import(&self, from: &Path, import_path: &str) -> Option<PkgKey> {
        let (mod_dir, gomod) = self.module_for(from)?;
        if gomod.module.is_empty() {
            return None;
        }
        let rest = import_path.strip_prefix(&gomod.module)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let dir = mod_dir.join(rest.trim_start_matches('/'));
        self.packages
            .keys()
            .filter(|k| k.dir == dir && !k.name.ends_with("_test"))
            .min()
            .cloned()
    }

    /// Workspace functions a call from `from` may reach (`CallTarget` resolved by package).
    pub fn resolve_call(
        &self,
        from: &Path,
        target: &crate::analysis::model::CallTarget,
    ) -> Vec<(PathBuf, u32)> {
        use crate::analysis::model::CallTarget;
        use std::borrow::Cow;
        let (pkg, key): (_, Cow<'_, str>) = match target {
            CallTarget::Func(name) => (self.package_of(from).map(|(_, p)| p), Cow::Borrowed(name)),
            CallTarget::Method { type_name, name } => (
                self.package_of(from).map(|(_, p)| p),
                Cow::Owned(format!("{type_name}.{name}")),
            ),
            CallTarget::PkgFunc { path, name } => (
                self.resolve_import(from, path)
                    .and_then(|k| self.packages.get(&k)),
                Cow::Borrowed(name),
            ),
        };
        pkg.and_then(|p| p.funcs.get(key.as_ref()))
            .cloned()
            .unwrap_or_default()
    }

    pub fn function(
        &self,
        r: &(PathBuf, u32),
    ) -> Option<(&Arc<IndexedFile>, &crate::analysis::model::Function)> {
        let f = self.files.get(&r.0)?;
        let func = f.model.functions.get(r.1 as usize)?;
        Some((f, func))
    }

    /// Call edges made by any exclusive handler of the object `service`.
    pub fn edges_from(&self, service: &str) -> &[Arc<CallEdge>] {
        self.edges_from
            .get(service)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The registered handler implemented by function `func` of `path` (by its handler root).
    pub fn handler_of(&self, path: &Path, func: u32) -> Option<(&Arc<Service>, &Handler)> {
        let (_, pkg) = self.package_of(path)?;
        pkg.services.iter().find_map(|s| {
            s.handlers
                .iter()
                .find(|h| {
                    h.func_ref
                        .as_ref()
                        .is_some_and(|(p, i)| p == path && *i == func)
                })
                .map(|h| (s, h))
        })
    }

    pub fn services(&self) -> impl Iterator<Item = &Arc<Service>> {
        self.packages.values().flat_map(|p| p.services.iter())
    }

    pub fn services_named(&self, name: &str) -> &[Arc<Service>] {
        self.services_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn service_names(&self) -> impl Iterator<Item = &String> {
        self.services_by_name.keys()
    }

    fn rebuild_package(&mut self, key: &PkgKey) {
        let old_edges: Vec<Arc<CallEdge>> = self
            .packages
            .get(key)
            .map(|p| p.edges.clone())
            .unwrap_or_default();
        for e in &old_edges {
            if let Some(v) = self.edges_from.get_mut(&e.from.0) {
                v.retain(|x| !Arc::ptr_eq(x, e));
                if v.is_empty() {
                    self.edges_from.remove(&e.from.0);
                }
            }
        }
        let old: Vec<Arc<Service>> = self
            .packages
            .get(key)
            .map(|p| p.services.clone())
            .unwrap_or_default();
        for s in &old {
            if let Some(v) = self.services_by_name.get_mut(&s.name) {
                v.retain(|x| !Arc::ptr_eq(x, s));
                if v.is_empty() {
                    self.services_by_name.remove(&s.name);
                }
            }
        }
        let Some(pkg) = self.packages.get(key) else {
            return;
        };
        if pkg.files.is_empty() {
            self.packages.remove(key);
            return;
        }
        let files: Vec<Arc<IndexedFile>> = pkg
            .files
            .iter()
            .filter_map(|p| self.files.get(p).cloned())
            .collect();
        let module = files
            .first()
            .and_then(|f| self.module_for(&f.path))
            .map(|(d, _)| d.to_path_buf());
        let services: Vec<Arc<Service>> = compute_services(key, &files, module.as_deref())
            .into_iter()
            .map(Arc::new)
            .collect();
        for s in &services {
            self.services_by_name
                .entry_or_default(s.name.clone())
                .push(s.clone());
        }
        let mut funcs: HashMap<String, Vec<(PathBuf, u32)>> = HashMap::new();
        let mut vars = BTreeSet::new();
        let mut written = BTreeSet::new();
        for f in &files {
            for (i, func) in f.model.functions.iter().enumerate() {
                let key = match (&func.receiver, func.kind) {
                    (_, FuncKind::Literal) => continue,
                    (Some(r), _) => format!("{}.{}", r.type_name, func.name),
                    (None, _) => func.name.clone(),
                };
                funcs
                    .entry(key)
                    .or_default()
                    .push((f.path.clone(), i as u32));
            }
            vars.extend(f.model.package_vars.iter().map(|v| v.name.clone()));
            // Tests swapping a package variable (a test seam) do not make production reads unsafe.
            if !is_test_file(&f.path) {
                written.extend(f.model.global_writes.iter().cloned());
            }
        }
        let edges: Vec<Arc<CallEdge>> = call_edges(&files, &services)
            .into_iter()
            .map(Arc::new)
            .collect();
        for e in &edges {
            self.edges_from
                .entry_or_default(e.from.0.clone())
                .push(e.clone());
        }
        if let Some(p) = self.packages.get_mut(key) {
            p.edges = edges;
            p.services = services;
            p.funcs = funcs;
            p.vars = vars;
            p.written = written;
        }
    }

    fn count_reflects(&mut self, path: &Path, model: &FileModel, add: bool) {
        self.ctor_reflects.retain(|(p, _)| p != path);
        if add {
            for r in &model.reflects {
                if let Some(c) = &r.ctor {
                    self.ctor_reflects.push((path.to_path_buf(), c.clone()));
                }
            }
        }
        for r in model
            .reflects
            .iter()
            .filter(|r| r.type_pkg.is_some() && !r.type_name.is_empty())
        {
            let name = &r.type_name;
            if add {
                *self.qualified_reflects.entry_or_default(name.clone()) += 1;
            } else if let Some(n) = self.qualified_reflects.get_mut(name) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.qualified_reflects.remove(name);
                }
            }
        }
    }

    /// Whether a Reflect-style service's type is passed to `restate.Reflect` somewhere: in its own
    /// package, or qualified from another one.
    pub fn is_reflected(&self, s: &Service) -> bool {
        let Some(t) = &s.type_name else { return false };
        if self.qualified_reflects.contains_key(t) {
            return true;
        }
        // `restate.Reflect(NewSvc(..))`: a constructor of this package (or imported) returning T.
        for (file, ctor) in &self.ctor_reflects {
            let (target, name) = match ctor.split_once('.') {
                Some((alias, name)) => {
                    let Some(f) = self.files.get(file) else {
                        continue;
                    };
                    let Some(path) = f.model.import_path_for(alias) else {
                        continue;
                    };
                    (self.resolve_import(file, path), name)
                }
                None => (self.package_of(file).map(|(k, _)| k), ctor.as_str()),
            };
            if target.as_ref() != Some(&s.pkg) {
                continue;
            }
            let returns_t = self
                .packages
                .get(&s.pkg)
                .and_then(|p| p.funcs.get(name))
                .is_some_and(|refs| {
                    refs.iter().any(|r| {
                        self.function(r)
                            .and_then(|(_, f)| f.results.first())
                            .is_some_and(|res| res.trim_start_matches('*') == t)
                    })
                });
            if returns_t {
                return true;
            }
        }
        self.packages.get(&s.pkg).is_some_and(|p| {
            p.files.iter().filter_map(|f| self.files.get(f)).any(|f| {
                f.model
                    .reflects
                    .iter()
                    .any(|r| r.type_pkg.is_none() && &r.type_name == t)
            })
        })
    }
}

/// Request-response calls made by exclusive object handlers of the package, by name.
fn call_edges(files: &[Arc<IndexedFile>], services: &[Arc<Service>]) -> Vec<CallEdge> {
    use crate::analysis::model::Region;
    use crate::analysis::restate_api::CallApi;
    let mut out = vec![];
    for f in files {
        for c in &f.model.calls {
            if c.ingress || c.api != CallApi::Object || !c.awaited {
                continue;
            }
            let (Some(svc), Some(h)) = (&c.service, &c.handler) else {
                continue;
            };
            let Some(root) = c
                .func
                .and_then(|i| match f.model.functions.get(i as usize)?.region {
                    Region::Handler { root } => Some(root),
                    _ => None,
                })
            else {
                continue;
            };
            let caller = services.iter().find_map(|s| {
                s.handlers
                    .iter()
                    .find(|x| {
                        x.kind == HandlerKind::Exclusive
                            && x.func_ref
                                .as_ref()
                                .is_some_and(|(p, i)| *p == f.path && *i == root)
                    })
                    .map(|x| (s.name.clone(), x.name.clone()))
            });
            let Some(from) = caller else { continue };
            out.push(CallEdge {
                from,
                to: (svc.value.clone(), h.value.clone()),
                path: f.path.clone(),
                span: c.span,
            });
        }
    }
    out
}

pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("_test.go"))
}

/// The registered handlers defined in a file: (function index, service, handler).
pub fn handlers_in<'a>(
    ws: &'a Workspace,
    path: &Path,
) -> Vec<(u32, &'a Arc<Service>, &'a Handler)> {
    let Some((_, pkg)) = ws.package_of(path) else {
        return vec![];
    };
    let mut out = vec![];
    for s in &pkg.services {
        for h in &s.handlers {
            if let Some((p, i)) = &h.func_ref
                && p == path
            {
                out.push((*i, s, h));
            }
        }
    }
    out
}

fn compute_services(
    key: &PkgKey,
    files: &[Arc<IndexedFile>],
    module: Option<&Path>,
) -> Vec<Service> {
    let mut out = vec![];
    // Reflect style: exported methods with a handler context, grouped by receiver type.
    let mut by_type: BTreeMap<String, Vec<Handler>> = BTreeMap::new();
    let mut invalid: BTreeMap<String, Vec<(String, Location, String)>> = BTreeMap::new();
    for f in files {
        for (i, func) in f.model.handler_methods() {
            if !crate::analysis::go::is_exported(&func.name) {
                continue;
            }
            let Some(recv) = &func.receiver else { continue };
            let Some(kind) = func.ctx.as_ref().and_then(|c| c.kind.handler_kind()) else {
                continue;
            };
            let loc = Location {
                path: f.path.clone(),
                span: func.span,
            };
            if let Some(problem) = handler_shape_problem(func) {
                invalid.entry(recv.type_name.clone()).or_default().push((
                    func.name.clone(),
                    loc,
                    problem,
                ));
                continue;
            }
            let output = match func.results.len() {
                2 => func.results.first().cloned(),
                1 if func.results[0] != "error" => func.results.first().cloned(),
                _ => None,
            };
            by_type
                .entry(recv.type_name.clone())
                .or_default()
                .push(Handler {
                    name: func.name.clone(),
                    kind,
                    loc: loc.clone(),
                    func: Some(loc),
                    func_ref: Some((f.path.clone(), i)),
                    input: func.params.get(1).map(|p| p.ty.clone()),
                    output,
                });
        }
    }
    for (type_name, mut handlers) in by_type {
        handlers.sort_by(|a, b| a.name.cmp(&b.name));
        let name = files
            .iter()
            .flat_map(|f| f.model.service_names.iter())
            .find(|o| o.type_name == type_name)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| type_name.clone());
        let loc = files
            .iter()
            .find_map(|f| {
                f.model
                    .types
                    .iter()
                    .find(|t| t.name == type_name)
                    .map(|t| Location {
                        path: f.path.clone(),
                        span: t.span,
                    })
            })
            .unwrap_or_else(|| handlers[0].loc.clone());
        let kind = handlers[0].kind.service_kind();
        out.push(Service {
            name,
            kind,
            origin: ServiceOrigin::Type,
            type_name: Some(type_name.clone()),
            loc,
            handlers,
            pkg: key.clone(),
            module: module.map(Path::to_path_buf),
            invalid: invalid.remove(&type_name).unwrap_or_default(),
        });
    }
    // Builder style.
    for f in files {
        for b in &f.model.builders {
            let handlers = b
                .handlers
                .iter()
                .map(|h| {
                    let (func, func_ref) = builder_target(files, f, &h.target);
                    Handler {
                        name: h.name.value.clone(),
                        kind: h.kind,
                        loc: Location {
                            path: f.path.clone(),
                            span: h.name.span,
                        },
                        func,
                        func_ref,
                        input: h.io.as_ref().map(|x| x.0.clone()),
                        output: h.io.as_ref().map(|x| x.1.clone()),
                    }
                })
                .collect();
            out.push(Service {
                name: b.name.value.clone(),
                kind: b.kind,
                origin: ServiceOrigin::Builder,
                type_name: None,
                loc: Location {
                    path: f.path.clone(),
                    span: b.name.span,
                },
                handlers,
                pkg: key.clone(),
                module: module.map(Path::to_path_buf),
                invalid: vec![],
            });
        }
    }
    out
}

/// Why the SDK would reject a method with a handler context (more than one input, more than two
/// results, a second result that is not `error`), or None for a valid handler.
pub fn handler_shape_problem(func: &crate::analysis::model::Function) -> Option<String> {
    if func.params.len() > 2 {
        return Some(format!(
            "takes {} inputs after the context; a handler takes at most one",
            func.params.len() - 1
        ));
    }
    if func.params.get(1).is_some_and(|p| p.ty.starts_with("...")) {
        return None;
    }
    match func.results.len() {
        0 | 1 => None,
        2 if func.results[1] == "error" => None,
        2 => Some(format!(
            "returns ({}, {}); the second result must be exactly `error`",
            func.results[0], func.results[1]
        )),
        n => Some(format!(
            "returns {n} results; a handler returns at most a value and an error"
        )),
    }
}

/// The function a builder handler points at, looked up in the package.
fn builder_target(
    files: &[Arc<IndexedFile>],
    owner: &IndexedFile,
    target: &HandlerTarget,
) -> (Option<Location>, Option<(PathBuf, u32)>) {
    let find = |pred: &dyn Fn(&crate::analysis::model::Function) -> bool| {
        files.iter().find_map(|f| {
            f.model.functions.iter().enumerate().find_map(|(i, func)| {
                pred(func).then(|| {
                    (
                        Location {
                            path: f.path.clone(),
                            span: func.span,
                        },
                        (f.path.clone(), i as u32),
                    )
                })
            })
        })
    };
    let hit = match target {
        HandlerTarget::Func(name) => find(&|f| f.kind == FuncKind::Function && &f.name == name),
        HandlerTarget::Selector { name, .. } => {
            find(&|f| f.kind == FuncKind::Method && &f.name == name)
        }
        HandlerTarget::Literal(span) => owner
            .model
            .functions
            .iter()
            .position(|f| f.kind == FuncKind::Literal && f.range.0 == span.start)
            .map(|i| {
                (
                    Location {
                        path: owner.path.clone(),
                        span: *span,
                    },
                    (owner.path.clone(), i as u32),
                )
            }),
        HandlerTarget::Unknown => None,
    };
    match hit {
        Some((l, r)) => (Some(l), Some(r)),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    fn add(ws: &mut Workspace, path: &str, src: &str) {
        ws.upsert(
            PathBuf::from(path),
            extract(src, &parse_str(src)),
            src.lines().count() as u32,
        );
    }

    #[test]
    fn services_across_files_of_a_package() {
        let mut ws = Workspace::new();
        add(
            &mut ws,
            "/w/bank/types.go",
            "package bank\ntype Bank struct{}\nfunc (Bank) ServiceName() string { return \"BankV2\" }\n",
        );
        add(
            &mut ws,
            "/w/bank/handlers.go",
            "package bank\nimport restate \"github.com/restatedev/sdk-go\"\nfunc (Bank) Approve(ctx restate.ObjectContext, id string) (bool, error) { return true, nil }\nfunc (Bank) Balance(ctx restate.ObjectSharedContext) (int, error) { return 0, nil }\nfunc (Bank) helper(ctx restate.ObjectContext) {}\n",
        );
        let s = &ws.services_named("BankV2")[0];
        assert_eq!(s.kind, ServiceKind::Object);
        assert_eq!(s.loc.path, PathBuf::from("/w/bank/types.go"));
        let names: Vec<_> = s
            .handlers
            .iter()
            .map(|h| (h.name.as_str(), h.kind))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Approve", HandlerKind::Exclusive),
                ("Balance", HandlerKind::Shared)
            ]
        );
        assert_eq!(s.handlers[0].input.as_deref(), Some("string"));
        assert_eq!(s.handlers[0].output.as_deref(), Some("bool"));
        // Removing the override file renames the service back to the type name.
        ws.remove(Path::new("/w/bank/types.go"));
        assert!(ws.services_named("BankV2").is_empty());
        assert_eq!(ws.services_named("Bank").len(), 1);
    }

    #[test]
    fn imports_resolve_within_the_module() {
        let mut ws = Workspace::new();
        ws.set_gomod(
            PathBuf::from("/w"),
            crate::analysis::gomod::parse("module example.com/shop\n"),
        );
        add(
            &mut ws,
            "/w/internal/clock/clock.go",
            "package clock\nfunc Now() {}\n",
        );
        add(&mut ws, "/w/main.go", "package main\n");
        let k = ws.resolve_import(Path::new("/w/main.go"), "example.com/shop/internal/clock");
        assert_eq!(k.map(|k| k.name), Some("clock".to_string()));
        assert!(
            ws.resolve_import(Path::new("/w/main.go"), "example.com/other/clock")
                .is_none()
        );
    }
}

//! What a call does, across files: the callee of a call that receives a context (`CtxCall`),
//! resolved through the workspace's summaries. Types are followed through struct fields (embedded
//! ones too), package variables and defined types; methods through the workspace's named types
//! and interfaces (an interface method is its implementations in the workspace, when they are
//! known). Whatever is not the workspace's own code is, by Go's convention for a function that
//! takes a `context.Context`, I/O. Where the dependency summaries (`Workspace::deps`) know the
//! function a call reaches in a dependency, `dependency` gives its summary: the I/O it reaches
//! (for messages, and for calls without a context), its results (for Wrap in restate.Run).

use std::path::{Path, PathBuf};

use crate::analysis::model::{CallTarget, CtxCall, CtxCallee, FileModel};
use crate::analysis::restate_api::{CtxKind, SDK_PATH};
use crate::analysis::semantic::types::normalize;
use crate::analysis::summary::{FuncSummary, is_std, split_type_path};
use crate::analysis::workspace::{PkgKey, Workspace};

pub type FuncRef = (PathBuf, u32);

/// What a call that receives a context reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Functions of the workspace: judged by their bodies.
    Workspace(Vec<FuncRef>),
    /// Code outside the workspace (a dependency, an interface with no implementation here, a func
    /// value): by convention, I/O.
    Outside,
    /// An interface method or func-typed field whose signature takes a Restate context: code
    /// written for Restate, checked where its bodies are written, not I/O by convention.
    Restate,
}

/// The workspace's view of types, from one file's position.
pub struct Types<'a> {
    ws: &'a Workspace,
    from: &'a Path,
}

/// A type resolved to where it is declared.
enum Declared<'a> {
    /// A type of a workspace package: the package and the type's name.
    Workspace(PkgKey, &'a str),
    /// Outside the workspace (or a builtin).
    Outside,
}

impl<'a> Types<'a> {
    pub fn new(ws: &'a Workspace, from: &'a Path) -> Self {
        Types { ws, from }
    }

    /// Resolve a context call's callee.
    pub fn ctx_call(&self, c: &CtxCall) -> Reach {
        match &c.callee {
            CtxCallee::Func(name) => self.workspace_or_outside(
                self.ws
                    .resolve_call(self.from, &CallTarget::Func(name.clone())),
            ),
            CtxCallee::PkgFunc { path, name } => {
                if self.ws.resolve_import(self.from, path).is_none() {
                    return Reach::Outside;
                }
                self.workspace_or_outside(self.ws.resolve_call(
                    self.from,
                    &CallTarget::PkgFunc {
                        path: path.clone(),
                        name: name.clone(),
                    },
                ))
            }
            CtxCallee::Method { root, fields, name } => {
                let ty = self.follow(self.here(), root, fields);
                match ty {
                    Some((key, ty)) => self.method(&key, &ty, name, 0),
                    None => Reach::Outside,
                }
            }
            CtxCallee::VarMethod { var, fields, name } => {
                let Some(key) = self.ws.package_of(self.from).map(|(k, _)| k) else {
                    return Reach::Outside;
                };
                let Some(root) = self.var_type(&key, var) else {
                    return Reach::Outside;
                };
                match self.follow(Some(key), &root, fields) {
                    Some((key, ty)) => self.method(&key, &ty, name, 0),
                    None => Reach::Outside,
                }
            }
            CtxCallee::UnknownMethod(name) => {
                if self.only_restate_method(name) {
                    Reach::Restate
                } else {
                    Reach::Outside
                }
            }
            CtxCallee::Unknown => Reach::Outside,
        }
    }

    /// Whether, among the interfaces of this package and of the workspace packages this file
    /// imports, some declare method `name` with a Restate context first and none declare it
    /// otherwise: a value whose type does not show (`adapter, _ := registry.Get(kind)`) calling
    /// `adapter.Plan(ctx, ...)` is then that interface's Restate-aware method.
    fn only_restate_method(&self, name: &str) -> bool {
        let Some(file) = self.ws.file(self.from) else {
            return false;
        };
        let mut keys: Vec<PkgKey> = self.here().into_iter().collect();
        keys.extend(
            file.model
                .imports
                .iter()
                .filter_map(|i| self.ws.resolve_import(self.from, &i.path)),
        );
        let mut restate = false;
        for key in &keys {
            let Some(p) = self.ws.package(key) else {
                continue;
            };
            for path in &p.files {
                let Some(f) = self.ws.file(path) else {
                    continue;
                };
                for td in f.model.types.iter().filter(|t| t.is_interface) {
                    if td.restate_methods.iter().any(|m| m == name) {
                        restate = true;
                    } else if td.methods.iter().any(|m| m == name) {
                        return false;
                    }
                }
            }
        }
        restate
    }

    /// The dependency function or method a context call reaches, when summaries know it.
    pub fn dependency(&self, c: &CtxCallee) -> Option<&'a FuncSummary> {
        let deps = &*self.ws.deps;
        if deps.is_empty() {
            return None;
        }
        match c {
            CtxCallee::PkgFunc { path, name } => self.dep_function(path, name),
            CtxCallee::Method { root, fields, name } => {
                let ty = self.dep_follow(self.here(), root, fields)?;
                deps.method(&ty, name)
            }
            CtxCallee::VarMethod { var, fields, name } => {
                let key = self.here()?;
                let root = self.var_type(&key, var)?;
                let ty = self.dep_follow(Some(key), &root, fields)?;
                deps.method(&ty, name)
            }
            CtxCallee::Func(_) | CtxCallee::UnknownMethod(_) | CtxCallee::Unknown => None,
        }
    }

    /// The dependency function a call of another package names (`toml.DecodeFile(...)`), when
    /// the package is not the workspace's and summaries know it.
    pub fn dependency_of(&self, target: &CallTarget) -> Option<&'a FuncSummary> {
        match target {
            CallTarget::PkgFunc { path, name } => self.dep_function(path, name),
            _ => None,
        }
    }

    fn dep_function(&self, path: &str, name: &str) -> Option<&'a FuncSummary> {
        if is_std(path) || self.ws.resolve_import(self.from, path).is_some() {
            return None;
        }
        self.ws.deps.function(path, name)
    }

    /// `root.f1.f2...` where the path leaves the workspace into a dependency's types: the
    /// dependency type it ends at (None when it stays in the workspace or a field is unknown).
    fn dep_follow(&self, pkg: Option<PkgKey>, root: &str, fields: &[Box<str>]) -> Option<String> {
        let mut pkg = pkg;
        let mut ty = root.to_string();
        let mut outside = false;
        for f in fields {
            if !outside {
                if let Some((key, next)) = self.field_type(&pkg, &ty, f, 0) {
                    pkg = key;
                    ty = next;
                    continue;
                }
                if matches!(self.declared(&pkg, &ty), Declared::Workspace(..)) {
                    return None;
                }
                outside = true;
            }
            ty = self.ws.deps.field_type(&ty, f)?.to_string();
        }
        let leaves = outside || !matches!(self.declared(&pkg, &ty), Declared::Workspace(..));
        (leaves && split_type_path(&ty).is_some()).then_some(ty)
    }

    fn workspace_or_outside(&self, targets: Vec<FuncRef>) -> Reach {
        if targets.is_empty() {
            Reach::Outside
        } else {
            Reach::Workspace(targets)
        }
    }

    fn here(&self) -> Option<PkgKey> {
        self.ws.package_of(self.from).map(|(k, _)| k)
    }

    /// Where a normalised type is declared, seen from package `pkg` (a bare name is `pkg`'s).
    fn declared<'t>(&self, pkg: &Option<PkgKey>, ty: &'t str) -> Declared<'t> {
        let bare = ty.trim_start_matches('*');
        if is_builtin(bare) {
            return Declared::Outside;
        }
        // A generic type's arguments (`Driver[S, O]`, `List[example.com/q.T]`) do not change
        // where it is declared, and may hold dots of their own.
        let bare = bare.split_once('[').map_or(bare, |(base, _)| base);
        match bare.rsplit_once('.') {
            Some((path, name)) => match self.ws.resolve_import(self.from, path) {
                Some(key) => Declared::Workspace(key, name),
                None => Declared::Outside,
            },
            None => match pkg {
                Some(k) => Declared::Workspace(k.clone(), bare),
                _ => Declared::Outside,
            },
        }
    }

    /// `root.f1.f2...`: the package and type the path ends at (None when a field is unknown or
    /// the type leaves the workspace before the last field).
    fn follow(
        &self,
        pkg: Option<PkgKey>,
        root: &str,
        fields: &[Box<str>],
    ) -> Option<(Option<PkgKey>, String)> {
        let mut pkg = pkg;
        let mut ty = root.to_string();
        for f in fields {
            let (key, next) = self.field_type(&pkg, &ty, f, 0)?;
            pkg = key;
            ty = next;
        }
        Some((pkg, ty))
    }

    /// The type of field `f` of `ty` (promoted through embedded fields), with the package its
    /// bare names belong to.
    fn field_type(
        &self,
        pkg: &Option<PkgKey>,
        ty: &str,
        f: &str,
        depth: u32,
    ) -> Option<(Option<PkgKey>, String)> {
        if depth > 4 {
            return None;
        }
        let Declared::Workspace(key, name) = self.declared(pkg, ty) else {
            return None;
        };
        let (file, td) = self.type_decl(&key, name)?;
        let norm = |t: &str| normalize(t, |p| file.import_path_for(p));
        if let Some((_, t)) = td.fields.iter().find(|(n, _)| n == f) {
            return Some((Some(key.clone()), norm(t)));
        }
        if let Some(u) = &td.underlying {
            return self.field_type(&Some(key.clone()), &norm(u), f, depth + 1);
        }
        // Promoted from an embedded field (named after its type).
        for (n, t) in &td.fields {
            let base = t.trim_start_matches('*');
            if base.rsplit('.').next() == Some(n.as_str())
                && let Some(found) = self.field_type(&Some(key.clone()), &norm(t), f, depth + 1)
            {
                return Some(found);
            }
        }
        None
    }

    /// Method `name` of `ty`: the workspace methods it can be (an interface's implementations),
    /// or outside.
    fn method(&self, pkg: &Option<PkgKey>, ty: &str, name: &str, depth: u32) -> Reach {
        if depth > 4 {
            return Reach::Outside;
        }
        let Declared::Workspace(key, tname) = self.declared(pkg, ty) else {
            return Reach::Outside;
        };
        let Some(p) = self.ws.package(&key) else {
            return Reach::Outside;
        };
        if let Some(targets) = p.funcs.get(&format!("{tname}.{name}"))
            && !targets.is_empty()
        {
            return Reach::Workspace(targets.clone());
        }
        let Some((file, td)) = self.type_decl(&key, tname) else {
            return Reach::Outside;
        };
        let norm = |t: &str| normalize(t, |p| file.import_path_for(p));
        if td.is_interface {
            if td.restate_methods.iter().any(|m| m == name) {
                return Reach::Restate;
            }
            return self.implementations(&td.methods, name);
        }
        // A func-typed field called like a method (`d.Prepare(ctx, s)`).
        if let Some((_, t)) = td.fields.iter().find(|(n, _)| n == name)
            && self.takes_restate_ctx(&key, file, t)
        {
            return Reach::Restate;
        }
        if let Some(u) = &td.underlying {
            return self.method(&Some(key.clone()), &norm(u), name, depth + 1);
        }
        // Promoted from an embedded field.
        for (n, t) in &td.fields {
            let base = t.trim_start_matches('*');
            if base.rsplit('.').next() == Some(n.as_str()) {
                let r = self.method(&Some(key.clone()), &norm(t), name, depth + 1);
                if r != Reach::Outside {
                    return r;
                }
            }
        }
        Reach::Outside
    }

    /// Workspace methods named `name` on types that have every method of the interface.
    fn implementations(&self, iface: &[String], name: &str) -> Reach {
        let mut out = vec![];
        for (_, p) in self.ws.packages() {
            for (key, targets) in &p.funcs {
                let Some((tname, m)) = key.split_once('.') else {
                    continue;
                };
                if m != name {
                    continue;
                }
                let has_all = iface.iter().all(|im| {
                    im.contains(['.', ' ', '[']) || p.funcs.contains_key(&format!("{tname}.{im}"))
                });
                if has_all {
                    out.extend(targets.iter().cloned());
                }
            }
        }
        self.workspace_or_outside(out)
    }

    /// A func type (`func(restate.ObjectContext) error`, or a named one declared so in the
    /// workspace) whose first parameter is a Restate context.
    fn takes_restate_ctx(&self, key: &PkgKey, file: &FileModel, ty: &str) -> bool {
        if ty.trim().starts_with("func(") {
            let first = crate::analysis::go::first_param_type(ty).unwrap_or("");
            let norm = normalize(first, |p| file.import_path_for(p));
            return norm
                .strip_prefix(SDK_PATH)
                .and_then(|n| n.strip_prefix('.'))
                .and_then(CtxKind::from_type_name)
                .is_some_and(|k| k != CtxKind::Run);
        }
        let norm = normalize(ty, |p| file.import_path_for(p));
        match self.declared(&Some(key.clone()), &norm) {
            Declared::Workspace(k, name) => self
                .type_decl(&k, name)
                .is_some_and(|(_, td)| td.restate_func),
            Declared::Outside => false,
        }
    }

    fn type_decl(
        &self,
        key: &PkgKey,
        name: &str,
    ) -> Option<(&'a FileModel, &'a crate::analysis::model::TypeDecl)> {
        let p = self.ws.package(key)?;
        p.files.iter().find_map(|path| {
            let f = self.ws.file(path)?;
            let td = f.model.types.iter().find(|t| t.name == name)?;
            Some((&f.model, td))
        })
    }

    /// The type of a package-level variable of package `key` (from any of its files).
    fn var_type(&self, key: &PkgKey, var: &str) -> Option<String> {
        let p = self.ws.package(key)?;
        p.files.iter().find_map(|path| {
            let f = self.ws.file(path)?;
            let v = f.model.package_vars.iter().find(|v| v.name == var)?;
            v.ty.as_deref()
                .map(|t| normalize(t, |p| f.model.import_path_for(p)))
        })
    }
}

fn is_builtin(t: &str) -> bool {
    matches!(
        t,
        "string"
            | "bool"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "byte"
            | "rune"
            | "error"
            | "any"
    ) || t.starts_with("map[")
        || t.starts_with("[]")
        || t.starts_with("func")
        || t.starts_with("chan")
        || t.starts_with("interface")
        || t.starts_with("struct")
}

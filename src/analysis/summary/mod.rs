//! Summaries of the Go packages the workspace imports from its dependencies (the module cache or
//! `vendor/`): what their exported functions, methods, types and variables look like and whether
//! their bodies reach I/O of the standard library. Built once per module@version (`summarize`),
//! kept in memory for every imported package and linked into one `DepIndex` that the rules ask.
//! Types are `Ty` (`Arc<str>`) and interned per load: the same few types recur in every signature
//! and field of a package, and sharing them halves what summaries keep.
//!
//! Pure, like the rest of `analysis`: Go text in, summaries out. Finding the files, reading them
//! and the on-disk cache are `crate::deps`.

pub mod index;
pub mod stdio;
pub mod summarize;
pub mod typexpr;

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use index::DepIndex;
pub use summarize::summarize;

/// A type as summaries write it (also an I/O chain): shared, see `Interner`.
pub type Ty = Arc<str>;

/// Makes equal strings one allocation.
#[derive(Debug, Default)]
pub struct Interner {
    set: HashSet<Ty>,
}

impl Interner {
    pub fn intern(&mut self, s: &mut Ty) {
        match self.set.get(&**s) {
            Some(x) => *s = x.clone(),
            None => {
                self.set.insert(s.clone());
            }
        }
    }
}

/// Counts the heap of summaries, each shared string once.
#[derive(Default)]
pub struct Heap {
    seen: HashSet<usize>,
    pub bytes: usize,
}

impl Heap {
    fn ty(&mut self, t: &Ty) {
        if self.seen.insert(t.as_ptr() as usize) {
            // Two reference counts precede the text.
            self.bytes += t.len() + 16;
        }
    }

    fn tys(&mut self, v: &[Ty]) {
        self.bytes += std::mem::size_of_val(v);
        for t in v {
            self.ty(t);
        }
    }
}

/// One package of a dependency. Types are written with import paths, as `semantic::types`
/// normalises them (`*github.com/openai/openai-go.ChatCompletion`, `[]byte`, `error`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkgSummary {
    /// The import path.
    pub path: String,
    /// The name in the package clause (`openai` for `github.com/openai/openai-go`), which is
    /// what an unaliased import binds.
    pub name: String,
    /// Exported package functions, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funcs: Vec<FuncSummary>,
    /// Exported types, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TypeSummary>,
    /// Exported package-level variables whose type is declared or evident (name, type), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vars: Vec<(Box<str>, Ty)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeKind {
    Struct,
    Interface,
    /// Any other declared type (`type Level int`, `type cmdable func(...)`, an alias).
    #[default]
    Other,
}

/// An exported type: its fields (structs), its methods (declared, promoted from embedded types of
/// the same package, or an interface's method set).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeSummary {
    pub name: Box<str>,
    pub kind: TypeKind,
    /// `type A = B` (alias) or `type A B` for non-struct, non-interface types: the type written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underlying: Option<Ty>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub alias: bool,
    /// Exported fields (name, type), promoted ones of embedded same-package structs included; an
    /// embedded field is named after its type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(Box<str>, Ty)>,
    /// Embedded types from other packages: their fields and methods are promoted, and the index
    /// follows them on lookup.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Ty>,
    /// Exported methods, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<FuncSummary>,
}

/// A method's receiver: the type that declares it (for a promoted method, the embedded type).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recv {
    pub type_name: Box<str>,
    pub pointer: bool,
}

/// A call from a dependency's function into another non-standard package, kept so the index can
/// decide across packages whether the function reaches I/O. `name` is `Func` or `Type.Method`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExtCall {
    pub path: Box<str>,
    pub name: Box<str>,
}

/// An exported function or method.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuncSummary {
    pub name: Box<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recv: Option<Recv>,
    /// Parameter types, one per parameter; a variadic one is written `...T`.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub params: Box<[Ty]>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub results: Box<[Ty]>,
    /// The index of the first `context.Context` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctx: Option<u8>,
    /// The standard-library I/O the body reaches, directly or through other functions, as a chain
    /// for messages (`do -> (*net/http.Client).Do`). None when no I/O is known (which is not
    /// proof of none: calls through function values and unknown interfaces are not followed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<Ty>,
    /// Calls into other non-standard packages (within this package, transitively), for the
    /// index to follow; empty once the function is known to reach I/O.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub calls: Box<[ExtCall]>,
}

impl FuncSummary {
    /// Whether the function takes a `context.Context` (by Go convention it does I/O or blocks).
    pub fn takes_context(&self) -> bool {
        self.ctx.is_some()
    }

    fn heap(&self, h: &mut Heap) {
        h.bytes += self.name.len() + self.recv.as_ref().map_or(0, |r| r.type_name.len());
        h.tys(&self.params);
        h.tys(&self.results);
        if let Some(io) = &self.io {
            h.ty(io);
        }
        h.bytes += std::mem::size_of_val(&*self.calls)
            + self
                .calls
                .iter()
                .map(|c| c.path.len() + c.name.len())
                .sum::<usize>();
    }

    fn intern(&mut self, i: &mut Interner) {
        for t in self.params.iter_mut().chain(self.results.iter_mut()) {
            i.intern(t);
        }
        if let Some(io) = &mut self.io {
            i.intern(io);
        }
    }
}

impl TypeSummary {
    pub fn method(&self, name: &str) -> Option<&FuncSummary> {
        self.methods
            .binary_search_by(|m| (*m.name).cmp(name))
            .ok()
            .map(|i| &self.methods[i])
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, t)| &**t)
    }

    fn heap(&self, h: &mut Heap) {
        h.bytes += self.name.len() + std::mem::size_of_val(&*self.fields);
        for (n, t) in &self.fields {
            h.bytes += n.len();
            h.ty(t);
        }
        if let Some(u) = &self.underlying {
            h.ty(u);
        }
        h.tys(&self.embeds);
        h.bytes += std::mem::size_of_val(&*self.methods);
        for m in &self.methods {
            m.heap(h);
        }
    }

    fn intern(&mut self, i: &mut Interner) {
        for (_, t) in &mut self.fields {
            i.intern(t);
        }
        for t in self.underlying.iter_mut().chain(self.embeds.iter_mut()) {
            i.intern(t);
        }
        for m in &mut self.methods {
            m.intern(i);
        }
    }
}

impl PkgSummary {
    pub fn function(&self, name: &str) -> Option<&FuncSummary> {
        self.funcs
            .binary_search_by(|f| (*f.name).cmp(name))
            .ok()
            .map(|i| &self.funcs[i])
    }

    pub fn type_named(&self, name: &str) -> Option<&TypeSummary> {
        self.types
            .binary_search_by(|t| (*t.name).cmp(name))
            .ok()
            .map(|i| &self.types[i])
    }

    pub fn var_type(&self, name: &str) -> Option<&str> {
        self.vars
            .binary_search_by(|(n, _)| (**n).cmp(name))
            .ok()
            .map(|i| &*self.vars[i].1)
    }

    /// Add the summary's own heap (inline sizes and string lengths, shared strings once) to `h`,
    /// for the memory figures.
    pub fn heap(&self, h: &mut Heap) {
        h.bytes += self.path.len()
            + self.name.len()
            + std::mem::size_of_val(&*self.funcs)
            + std::mem::size_of_val(&*self.types)
            + std::mem::size_of_val(&*self.vars);
        for f in &self.funcs {
            f.heap(h);
        }
        for t in &self.types {
            t.heap(h);
        }
        for (n, t) in &self.vars {
            h.bytes += n.len();
            h.ty(t);
        }
    }

    /// Share equal type strings with every summary interned by `i`.
    pub fn intern(&mut self, i: &mut Interner) {
        for f in &mut self.funcs {
            f.intern(i);
        }
        for t in &mut self.types {
            t.intern(i);
        }
        for (_, t) in &mut self.vars {
            i.intern(t);
        }
    }

    /// Sort every table (lookups binary-search them) and drop spare capacity.
    pub fn finish(&mut self) {
        self.funcs.sort_by(|a, b| a.name.cmp(&b.name));
        self.funcs.dedup_by(|a, b| a.name == b.name);
        self.funcs.shrink_to_fit();
        self.types.sort_by(|a, b| a.name.cmp(&b.name));
        self.types.dedup_by(|a, b| a.name == b.name);
        for t in &mut self.types {
            t.methods.sort_by(|a, b| a.name.cmp(&b.name));
            t.methods.dedup_by(|a, b| a.name == b.name);
            t.methods.shrink_to_fit();
            t.fields.shrink_to_fit();
            t.embeds.shrink_to_fit();
        }
        self.types.shrink_to_fit();
        self.vars.sort();
        self.vars.dedup_by(|a, b| a.0 == b.0);
        self.vars.shrink_to_fit();
    }
}

/// Split a normalised named type into (import path, type name): `*github.com/x/y.T[int]` ->
/// (`github.com/x/y`, `T`). None for unnamed or unqualified types (`[]byte`, `error`, `T`).
pub fn split_type_path(ty: &str) -> Option<(&str, &str)> {
    let t = ty.trim().trim_start_matches('*');
    // Type arguments may hold dots of their own.
    let t = t.split_once('[').map_or(t, |(base, _)| base);
    if t.is_empty() || t.contains([' ', '(', ']']) {
        return None;
    }
    let (path, name) = t.rsplit_once('.')?;
    (!path.is_empty() && !name.is_empty() && !path.ends_with('/')).then_some((path, name))
}

/// Whether an import path belongs to the standard library (its first element has no dot).
pub fn is_std(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or(path);
    !first.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_paths_split_at_the_last_dot() {
        assert_eq!(
            split_type_path("*github.com/jackc/pgx/v5/pgxpool.Pool"),
            Some(("github.com/jackc/pgx/v5/pgxpool", "Pool"))
        );
        assert_eq!(
            split_type_path("gopkg.in/yaml.v3.Node"),
            Some(("gopkg.in/yaml.v3", "Node"))
        );
        assert_eq!(
            split_type_path("example.com/p.List[example.com/q.T]"),
            Some(("example.com/p", "List"))
        );
        assert_eq!(split_type_path("[]byte"), None);
        assert_eq!(split_type_path("error"), None);
        assert_eq!(split_type_path("map[string]example.com/p.T"), None);
        assert!(is_std("net/http") && !is_std("github.com/x/y"));
    }
}

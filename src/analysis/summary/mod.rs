//! Summaries of the Go packages the workspace imports from its dependencies (the module cache or
//! `vendor/`): what their exported functions, methods, types and variables look like and whether
//! their bodies reach I/O of the standard library. Built once per module@version (`summarize`),
//! kept in memory for every imported package and linked into one `DepIndex` that the rules ask.
//!
//! Pure, like the rest of `analysis`: Go text in, summaries out. Finding the files, reading them
//! and the on-disk cache are `crate::deps`.

pub mod index;
pub mod stdio;
pub mod summarize;
pub mod typexpr;

use serde::{Deserialize, Serialize};

pub use index::DepIndex;
pub use summarize::summarize;

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
    pub vars: Vec<(Box<str>, Box<str>)>,
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
    pub underlying: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub alias: bool,
    /// Exported fields (name, type), promoted ones of embedded same-package structs included; an
    /// embedded field is named after its type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(Box<str>, Box<str>)>,
    /// Embedded types from other packages: their fields and methods are promoted, and the index
    /// follows them on lookup.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Box<str>>,
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
    pub params: Box<[Box<str>]>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub results: Box<[Box<str>]>,
    /// The index of the first `context.Context` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctx: Option<u8>,
    /// The standard-library I/O the body reaches, directly or through other functions, as a chain
    /// for messages (`do -> (*net/http.Client).Do`). None when no I/O is known (which is not
    /// proof of none: calls through function values and unknown interfaces are not followed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<Box<str>>,
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

    pub fn heap_bytes(&self) -> usize {
        let strs = |v: &[Box<str>]| v.iter().map(|s| s.len()).sum::<usize>();
        self.name.len()
            + self.recv.as_ref().map_or(0, |r| r.type_name.len())
            + std::mem::size_of_val(&*self.params)
            + strs(&self.params)
            + std::mem::size_of_val(&*self.results)
            + strs(&self.results)
            + self.io.as_ref().map_or(0, |s| s.len())
            + std::mem::size_of_val(&*self.calls)
            + self
                .calls
                .iter()
                .map(|c| c.path.len() + c.name.len())
                .sum::<usize>()
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

    pub fn heap_bytes(&self) -> usize {
        let pairs = |v: &[(Box<str>, Box<str>)]| {
            std::mem::size_of_val(v) + v.iter().map(|(a, b)| a.len() + b.len()).sum::<usize>()
        };
        self.name.len()
            + self.underlying.as_ref().map_or(0, |s| s.len())
            + pairs(&self.fields)
            + std::mem::size_of_val(&*self.embeds)
            + self.embeds.iter().map(|e| e.len()).sum::<usize>()
            + std::mem::size_of_val(&*self.methods)
            + self
                .methods
                .iter()
                .map(FuncSummary::heap_bytes)
                .sum::<usize>()
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

    /// The summary's own heap (inline sizes and string lengths), for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.path.len()
            + self.name.len()
            + std::mem::size_of_val(&*self.funcs)
            + self
                .funcs
                .iter()
                .map(FuncSummary::heap_bytes)
                .sum::<usize>()
            + std::mem::size_of_val(&*self.types)
            + self
                .types
                .iter()
                .map(TypeSummary::heap_bytes)
                .sum::<usize>()
            + std::mem::size_of_val(&*self.vars)
            + self
                .vars
                .iter()
                .map(|(a, b)| a.len() + b.len())
                .sum::<usize>()
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

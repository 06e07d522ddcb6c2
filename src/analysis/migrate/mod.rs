//! The move from the 0.x API of sdk-go (every release before v0.25.0) to the 1.0 API.
//!
//! `sites` finds every use of an identifier that 1.0 renamed or removed in one file, with the exact
//! rewrite when there is one. RS9001 reports the sites one by one; on a module that still pins the
//! 0.x API they are summed up in one notice on go.mod instead (`notice`), and `module::plan` turns
//! all of them, plus go.mod, into the edits of "Migrate this module to sdk-go 1.0".
//!
//! Rewrites are small edits around the parts that change (a name, a wrapped argument), never a
//! retyped call: nested sites compose, and arguments keep their text and layout.

pub mod advice;
pub mod align;
pub mod errors;
pub mod gomod_edit;
mod headers;
pub mod hover;
pub mod imports;
pub mod module;
pub mod notice;
mod rand;
mod renames;
mod results;
mod select;
mod show;
pub mod targets;
mod walk;

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, field};
use crate::analysis::gomod::GoMod;
use crate::analysis::model::{FileModel, PkgRef};
use crate::analysis::restate_api::{INGRESS_PATH, SDK_PATH};
use crate::analysis::semantic::Semantic;

/// Whether the module pins an sdk-go release with the 0.x API. v0.25.0 already shipped the 1.0
/// API (v1.0.0 is the same API as v0.25.3), so the line is drawn there, not at 1.0.
pub fn old_api(gomod: Option<&GoMod>) -> bool {
    gomod
        .and_then(GoMod::sdk)
        .is_some_and(|v| v < targets::FIRST_NEW_API)
}

/// One use of API that sdk-go 1.0 renamed or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// What is counted in the go.mod notice: the 0.x identifier (`TerminalError`, `ErrorCode`),
    /// `Request().Headers`, or the moved import path.
    pub kind: &'static str,
    /// RS9001, or RS9002 for `restate.Select` on a module already on the 1.0 API (where it never
    /// existed in the form written).
    pub code: &'static str,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub rewrite: Option<Rewrite>,
}

/// How a site is rewritten: the edits of the site itself, and what the file or the package needs
/// besides, which callers add once however many sites need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Import paths the edits refer to by their default package name.
    pub imports: Vec<&'static str>,
    /// An import spec whose path changes: (byte offset of the spec, new path, alias to add so
    /// that the file keeps its name for the package).
    pub import_change: Option<imports::Change>,
    /// The rewrite calls the package-level ErrorCode helper (see `errors::HELPER`).
    pub needs_error_code_helper: bool,
    /// Mechanical and equivalent: `source.fixAll` and `check --fix` apply it. The module
    /// migration applies every rewrite; the others change behaviour in ways their message names.
    pub safe: bool,
}

impl Rewrite {
    fn new(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Rewrite {
            title: title.into(),
            edits,
            imports: vec![],
            import_change: None,
            needs_error_code_helper: false,
            safe: true,
        }
    }
}

/// What `sites` needs to know about a file.
pub struct Input<'a> {
    pub src: &'a str,
    pub sem: &'a Semantic<'a>,
    pub model: &'a FileModel,
    /// The module pins the 0.x API: request headers are a map there, so every use of them is a
    /// site (on 1.x only the uses a `StringMap` cannot have are).
    pub old_api: bool,
    /// The name under which rewrites call the package's ErrorCode helper.
    pub error_code_helper: &'a str,
}

/// How the packages whose identifiers changed are spelled in this file.
pub(crate) struct Pkgs {
    pub root: Option<PkgRef>,
    pub ingress: Option<PkgRef>,
    pub encoding: Option<PkgRef>,
    pub mocks: Option<PkgRef>,
    /// `math/rand` (v1), whose `rand.New` cannot take 1.0's `RandSource`.
    pub rand_v1: Option<String>,
    /// The standard `errors` package, for `errors.Is` on what ToTerminalError no longer wraps.
    pub errors: Option<String>,
}

impl Pkgs {
    fn of(model: &FileModel) -> Pkgs {
        let find = |paths: &[&str]| -> Option<PkgRef> {
            let imp = model
                .imports
                .iter()
                .find(|i| paths.contains(&i.path.as_str()))?;
            match imp.local.as_str() {
                "." => Some(PkgRef::Dot),
                "_" => None,
                l => Some(PkgRef::Named(l.to_string())),
            }
        };
        let named = |path: &str| match find(&[path]) {
            Some(PkgRef::Named(n)) => Some(n),
            _ => None,
        };
        Pkgs {
            root: model.restate.clone(),
            ingress: model.ingress.clone(),
            encoding: find(&[targets::ENCODING_PATH]),
            mocks: find(&[targets::OLD_MOCKS_PATH, targets::MOCKS_PATH]),
            rand_v1: named("math/rand"),
            errors: named("errors"),
        }
    }

    /// `restate.` (or nothing under a dot import): how new root identifiers are written.
    pub fn root_prefix(&self) -> String {
        prefix(&self.root)
    }
}

pub(crate) fn prefix(p: &Option<PkgRef>) -> String {
    match p {
        Some(PkgRef::Named(a)) => format!("{a}."),
        _ => String::new(),
    }
}

/// Which package a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pkg {
    Root,
    Ingress,
    Encoding,
    Mocks,
}

/// A qualified (or dot-imported) reference to an identifier of one of the SDK packages, with the
/// nodes above it (outermost first), so handlers can look at its context without `Node::parent`.
pub(crate) struct Ref<'t> {
    pub pkg: Pkg,
    pub name: &'t str,
    /// The whole reference: `restate.X` (selector or qualified type) or the bare dot-imported name.
    pub node: Node<'t>,
    pub path: Vec<Node<'t>>,
}

impl<'t> Ref<'t> {
    /// The call this reference is the callee of (`restate.X(...)`, also with type arguments).
    pub fn call(&self) -> Option<go::CallParts<'t>> {
        let mut i = self.path.len();
        // `restate.X[T](...)`: the callee sits in an index expression or a generic type.
        while i > 0 {
            let p = self.path[i - 1];
            if let Some(c) = go::call_parts(p) {
                return (c.func == self.node).then_some(c);
            }
            if !matches!(p.kind(), "index_expression" | "generic_type") {
                return None;
            }
            i -= 1;
        }
        None
    }
}

/// Shared state of one file's search.
pub(crate) struct Cx<'a> {
    pub src: &'a str,
    pub model: &'a FileModel,
    pub sem: &'a Semantic<'a>,
    pub pkgs: Pkgs,
    pub old_api: bool,
    pub error_code_helper: &'a str,
    pub out: Vec<Site>,
}

impl Cx<'_> {
    pub fn push(
        &mut self,
        kind: &'static str,
        node: Node<'_>,
        message: String,
        rw: Option<Rewrite>,
    ) {
        self.out.push(Site {
            kind,
            code: "RS9001",
            start: node.start_byte(),
            end: node.end_byte(),
            message,
            rewrite: rw,
        });
    }

    /// `restate.Name` in this file's spelling (bare under a dot import).
    pub fn root(&self, name: &str) -> String {
        format!("{}{name}", self.pkgs.root_prefix())
    }

    /// How `pkg.Name` is written at `at`, importing the package when the file lacks it; None when
    /// that cannot be written there (a local of the package's name would hide it).
    pub fn qualified(
        &self,
        pkg: Pkg,
        name: &str,
        path: &[Node<'_>],
        at: Node<'_>,
    ) -> Option<(String, Option<&'static str>)> {
        let (have, import_path, default) = match pkg {
            Pkg::Root => (&self.pkgs.root, SDK_PATH, "restate"),
            Pkg::Ingress => (&self.pkgs.ingress, INGRESS_PATH, "ingress"),
            Pkg::Encoding => (&self.pkgs.encoding, targets::ENCODING_PATH, "encoding"),
            Pkg::Mocks => (&self.pkgs.mocks, targets::MOCKS_PATH, "mocks"),
        };
        match have {
            Some(PkgRef::Named(a)) => Some((format!("{a}.{name}"), None)),
            Some(PkgRef::Dot) => Some((name.to_string(), None)),
            None => {
                let _ = path;
                if self.sem.resolve_name(at, default).is_some()
                    || self.model.package_vars.iter().any(|v| v.name == default)
                    || self.model.functions.iter().any(|f| f.name == default)
                {
                    return None;
                }
                Some((format!("{default}.{name}"), Some(import_path)))
            }
        }
    }
}

/// Every use of renamed or removed API in one file, in source order.
pub fn sites(input: &Input<'_>) -> Vec<Site> {
    let model = input.model;
    let sdk_import = model
        .imports
        .iter()
        .any(|i| i.path == SDK_PATH || i.path.starts_with(&format!("{SDK_PATH}/")));
    if !sdk_import {
        return vec![];
    }
    let mut cx = Cx {
        src: input.src,
        model,
        sem: input.sem,
        pkgs: Pkgs::of(model),
        old_api: input.old_api,
        error_code_helper: input.error_code_helper,
        out: vec![],
    };
    imports::sites(&mut cx);
    let (refs, writes) = walk::refs(&mut cx);
    let mut errors_is = None;
    for r in &refs {
        match r.pkg {
            Pkg::Root => match r.name {
                "TerminalError" | "WithErrorCode" | "ErrorCode" => {
                    let is_targets = errors_is.get_or_insert_with(|| errors::is_targets(&cx));
                    errors::site(&mut cx, r, is_targets)
                }
                "Rand" => rand::site(&mut cx, r),
                "Select" => select::site(&mut cx, r),
                "Selector" => select::selector_type(&mut cx, r),
                _ => renames::site(&mut cx, r),
            },
            _ => renames::site(&mut cx, r),
        }
    }
    results::sites(&mut cx, &writes);
    let mut out = cx.out;
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// The argument list's nodes that are not plain arguments make a call unfit for a rewrite that
/// assumes positions (`f(xs...)`).
pub(crate) fn has_spread(call: &go::CallParts<'_>) -> bool {
    call.args.iter().any(|a| a.kind() == "variadic_argument")
}

/// Wrap `node` in `open` ... `close` by two insertions (its text and layout stay as they are).
pub(crate) fn wrap(node: Node<'_>, open: &str, close: &str) -> [Edit; 2] {
    [
        Edit::insert(node.start_byte(), open),
        Edit::insert(node.end_byte(), close),
    ]
}

/// The field node of a selector (`X` in `restate.X`) or the name of a qualified type.
pub(crate) fn name_node(n: Node<'_>) -> Node<'_> {
    field(n, "field").or_else(|| field(n, "name")).unwrap_or(n)
}

//! Computing the diagnostics of open documents from the rules, and publishing them tagged with the
//! document version they were computed for.
//!
//! The computations here are pure functions of a snapshot (`server::snapshot`) and run off the
//! state lock (`server::scheduler` decides when); the `install_*` functions take their results
//! back into the state, under the lock, only while the document is still at the version analysed.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Uri};
use tree_sitter::Tree;

use crate::analysis::findings::Finding;
use crate::analysis::go;
use crate::analysis::incremental::{self, Change, Outline};
use crate::analysis::model::{self, FileModel};
use crate::analysis::rules::{self, FileInput};
use crate::server::convert;
use crate::server::documents::Document;
use crate::server::encoding;
use crate::server::snapshot::{self, DocSnapshot, Env};
use crate::server::state::{State, path_to_uri};

/// The outcome of analysing one version of a document.
pub struct Analysed {
    pub version: i32,
    pub findings: Arc<Vec<Finding>>,
    pub diagnostics: Vec<Diagnostic>,
    pub outline: Option<Outline>,
    /// The index generation a whole-file analysis read (None: incremental).
    pub generation: Option<u64>,
}

fn convert_all(doc: &DocSnapshot, env: &Env, findings: &[Finding]) -> Vec<Diagnostic> {
    findings
        .iter()
        .map(|f| convert::diagnostic(f, &doc.uri, &doc.rope, env.enc, &env.caps))
        .collect()
}

/// What the rules read for `doc`, with `model` as the file's model (the index's, or a reduced one).
fn rules_input<'a>(doc: &'a DocSnapshot, env: &'a Env, model: &'a FileModel) -> FileInput<'a> {
    FileInput {
        path: &doc.path,
        src: &doc.text,
        tree: &doc.tree,
        model,
        ws: &env.ws,
        config: &env.config,
        gomod: env.ws.module_for(&doc.path).map(|(_, m)| m),
    }
}

/// Files above the scan limit are not analysed when opened either: such files are generated or
/// data, and parsing and checking them on every keystroke would stall the editor.
pub fn too_large(bytes: usize) -> bool {
    bytes as u64 > crate::scan::MAX_FILE_BYTES
}

fn too_large_notice(bytes: usize) -> Diagnostic {
    let mib = |b: f64| b / (1024.0 * 1024.0);
    Diagnostic {
        range: Default::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("restate".into()),
        message: format!(
            "restate-lsp does not analyse this file: it is {:.1} MiB, over the {:.0} MiB limit for one file. Restate handlers in it are not checked; split the file to have them checked",
            mib(bytes as f64),
            mib(crate::scan::MAX_FILE_BYTES as f64)
        ),
        ..Default::default()
    }
}

/// Below this size the whole file is analysed on every edit: it costs about as little as the
/// incremental path and leaves nothing to settle later.
pub const INCREMENTAL_MIN_BYTES: usize = 16 * 1024;

/// The findings of a document whose edits since its cached findings stayed inside one function (or
/// only moved declarations): that function is analysed in a reduced copy of the file and the other
/// cached findings carry over, shifted (ARCHITECTURE.md, "The path of a keystroke"). None when the
/// whole file must be analysed. The index is left behind the text; the settle refresh catches up.
pub fn incremental(doc: &DocSnapshot, env: &Env) -> Option<Analysed> {
    if doc.text.len() < INCREMENTAL_MIN_BYTES || too_large(doc.text.len()) {
        return None;
    }
    let (_, cached) = doc.cached.as_ref()?;
    let new_outline = incremental::outline(&doc.text, &doc.tree);
    let change = incremental::diff(doc.outline.as_ref()?, &new_outline)?;
    let stale_from = match &change {
        Change::Shift { at, .. } => *at,
        Change::Function { new, .. } => new.start,
    };
    // The rules match this document's functions with the index's copy by position, which holds
    // before the first place the two differ.
    if doc.index_stale_from.is_some_and(|s| s < stale_from) {
        return None;
    }
    let fresh = match &change {
        Change::Shift { .. } => vec![],
        Change::Function { new, .. } => {
            let file = env.ws.file(&doc.path)?;
            let input = rules_input(doc, env, &file.model);
            // A parser per analysis: creating one costs microseconds, and no parser state (such
            // as included ranges) can leak from one analysis into the next.
            let mut parser = go::new_parser();
            incremental::analyse_function(&input, new, &env.extract, &mut parser)
        }
    };
    // The cached findings stay in the state for requests until this result replaces them.
    let spliced = incremental::splice((**cached).clone(), &change, fresh);
    Some(Analysed {
        version: doc.version,
        diagnostics: convert_all(doc, env, &spliced),
        findings: Arc::new(spliced),
        outline: Some(new_outline),
        generation: None,
    })
}

/// What a whole-file analysis computes before it reads the index: a fresh tree when it settles a
/// provisional one, and the file's model when the index's copy lags behind the text.
pub struct Prepared {
    pub tree: Option<Tree>,
    pub model: Option<FileModel>,
    pub too_large: bool,
}

pub fn prepare_whole(doc: &DocSnapshot, env: &Env, settle: bool) -> Prepared {
    if too_large(doc.text.len()) {
        return Prepared {
            tree: None,
            model: None,
            too_large: true,
        };
    }
    let tree = (settle && doc.provisional).then(|| go::parse(&mut go::new_parser(), &doc.text));
    let stale =
        doc.index_stale_from.is_some() || tree.is_some() || env.ws.file(&doc.path).is_none();
    let model = stale.then(|| {
        let tree = tree.as_ref().unwrap_or(&doc.tree);
        model::extract_with(&doc.text, tree, &env.extract)
    });
    Prepared {
        tree,
        model,
        too_large: false,
    }
}

/// Whether the open document `d` still is the one `doc` was taken from: same version and the very
/// same text (a document closed and reopened meanwhile may reuse the version number).
fn is_current(d: &Document, doc: &DocSnapshot) -> bool {
    d.version == doc.version && Arc::ptr_eq(&d.text, &doc.text)
}

/// Take a prepared tree and model into the state while the document is still at the version they
/// were made from. Returns false when it has moved on (the analysis is then abandoned).
pub fn install_model(st: &mut State, doc: &DocSnapshot, prepared: Prepared) -> bool {
    let State { docs, ws, .. } = st;
    let Some(d) = docs.get_mut(&doc.uri).filter(|d| is_current(d, doc)) else {
        return false;
    };
    if let Some(tree) = prepared.tree {
        d.settle_with(tree);
    }
    if prepared.too_large {
        d.index_stale_from = None;
        d.indexed = None;
        ws.remove(&doc.path);
    } else if let Some(m) = prepared.model {
        d.indexed_now();
        ws.upsert(doc.path.clone(), m, d.rope.len_lines() as u32);
    }
    true
}

/// The rules on the whole file, with the file's model from the index (`install_model` put it
/// there). None when the index has no model of the file.
pub fn analyse_whole(doc: &DocSnapshot, env: &Env) -> Option<Analysed> {
    let generation = Some(env.ws.generation);
    if too_large(doc.text.len()) {
        return Some(Analysed {
            version: doc.version,
            findings: Arc::new(vec![]),
            diagnostics: vec![too_large_notice(doc.text.len())],
            outline: None,
            generation,
        });
    }
    let file = env.ws.file(&doc.path)?;
    let findings = rules::check_file(&rules_input(doc, env, &file.model));
    Some(Analysed {
        version: doc.version,
        diagnostics: convert_all(doc, env, &findings),
        findings: Arc::new(findings),
        outline: Some(incremental::outline(&doc.text, &doc.tree)),
        generation,
    })
}

/// When an analysis' diagnostics are published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publish {
    Always,
    /// Only when they differ from those cached for the same version (refreshes that usually find
    /// nothing new).
    IfChanged,
}

/// Keep an analysis' findings for requests (hover, code actions) while the document is still at
/// the version analysed, and return what to publish.
pub fn install(
    st: &mut State,
    doc: &DocSnapshot,
    a: Analysed,
    publish: Publish,
) -> Option<(i32, Vec<Diagnostic>)> {
    let uri = &doc.uri;
    let d = st.docs.get_mut(uri).filter(|d| is_current(d, doc))?;
    let unchanged = st
        .findings
        .get(uri)
        .is_some_and(|(v, old)| *v == a.version && **old == *a.findings);
    d.outline = a.outline;
    d.analysed_generation = a.generation;
    st.findings.insert(uri.clone(), (a.version, a.findings));
    (publish == Publish::Always || !unchanged).then_some((a.version, a.diagnostics))
}

/// The analysis after an edit, run on the spot by a caller holding the state (the benchmarks
/// measure the keystroke path in-process with it; the server runs the same steps off the lock).
pub fn after_edit(st: &mut State, uri: &Uri) -> Option<(i32, Vec<Diagnostic>)> {
    let (doc, env) = snapshot::take(st, uri)?;
    match incremental(&doc, &env) {
        Some(a) => install(st, &doc, a, Publish::Always),
        None => refresh_document(st, uri),
    }
}

/// The whole-file analysis of a document, run on the spot (see `after_edit`).
pub fn refresh_document(st: &mut State, uri: &Uri) -> Option<(i32, Vec<Diagnostic>)> {
    let (doc, env) = snapshot::take(st, uri)?;
    let prepared = prepare_whole(&doc, &env, false);
    if !install_model(st, &doc, prepared) {
        return None;
    }
    let (doc, env) = snapshot::take(st, uri)?;
    let a = analyse_whole(&doc, &env)?;
    install(st, &doc, a, Publish::Always)
}

/// Problems with the configuration, as diagnostics on the config file.
pub fn config_problems(st: &State) -> Option<(Uri, Vec<Diagnostic>)> {
    let path: PathBuf = st.config_file_path()?;
    let uri = path_to_uri(&path)?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let rope = ropey::Rope::from_str(&text);
    let diags = st
        .config_problems
        .iter()
        .filter(|(p, _)| p.as_ref() == Some(&path))
        .map(|(_, p)| {
            let (s, e) = p.range.unwrap_or((0, 0));
            Diagnostic {
                range: encoding::to_range(&rope, s, e, st.enc),
                severity: Some(DiagnosticSeverity::WARNING),
                source: Some("restate".into()),
                message: p.message.clone(),
                ..Default::default()
            }
        })
        .collect();
    Some((uri, diags))
}

//! Computing the diagnostics of open documents from the rules, and publishing them tagged with the
//! document version they were computed for.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Uri};

use crate::analysis::findings::Finding;
use crate::analysis::incremental::{self, Change};
use crate::analysis::rules::{self, FileInput};
use crate::server::convert;
use crate::server::documents::Document;
use crate::server::encoding;
use crate::server::state::{State, lock, path_to_uri};

/// A batch ready to publish: (uri, version, diagnostics).
pub type Batch = Vec<(Uri, Option<i32>, Vec<Diagnostic>)>;

/// Diagnostics of one document with the findings behind them (kept for code actions).
pub struct Computed {
    pub version: i32,
    pub diagnostics: Vec<Diagnostic>,
    pub findings: Arc<Vec<Finding>>,
}

/// The findings of an open document (run under the state lock).
pub fn findings(st: &State, uri: &Uri) -> Option<Vec<Finding>> {
    let doc = st.docs.get(uri)?;
    let file = st.ws.file(&doc.path)?;
    let gomod = st.ws.module_for(&doc.path).map(|(_, m)| m);
    let cx = FileInput {
        path: &doc.path,
        src: &doc.text,
        tree: &doc.tree,
        model: &file.model,
        ws: &st.ws,
        config: &st.config,
        gomod,
    };
    Some(rules::check_file(&cx))
}

pub fn for_document(st: &State, uri: &Uri) -> Option<Computed> {
    let doc = st.docs.get(uri)?;
    if too_large(doc.text.len()) {
        return Some(Computed {
            version: doc.version,
            diagnostics: vec![too_large_notice(doc.text.len())],
            findings: Arc::new(vec![]),
        });
    }
    let fs = findings(st, uri)?;
    let diagnostics = fs
        .iter()
        .map(|f| convert::diagnostic(f, uri, &doc.rope, st.enc, &st.caps))
        .collect();
    Some(Computed {
        version: doc.version,
        diagnostics,
        findings: Arc::new(fs),
    })
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

/// Compute, remember the findings for code actions, and return what to publish.
pub fn refresh_document(st: &mut State, uri: &Uri) -> Option<(i32, Vec<Diagnostic>)> {
    let c = for_document(st, uri)?;
    remember(st, uri, c.version, c.findings);
    Some((c.version, c.diagnostics))
}

fn remember(st: &mut State, uri: &Uri, version: i32, findings: Arc<Vec<Finding>>) {
    if let Some(doc) = st.docs.get_mut(uri) {
        doc.outline = Some(incremental::outline(&doc.text, &doc.tree));
    }
    st.findings.insert(uri.clone(), (version, findings));
}

/// Below this size the whole file is analysed on every edit: it costs about as little as the
/// incremental path and leaves nothing to settle later.
pub const INCREMENTAL_MIN_BYTES: usize = 16 * 1024;

/// Diagnostics after an edit that turned version `previous` into the document's current version:
/// only the edited function is re-analysed when the edit stayed inside one (the rest of the findings
/// carry over, shifted), otherwise the whole file. An incremental result leaves the index behind the
/// text; `schedule_cross_file` settles it shortly after the last edit.
pub fn after_edit(st: &mut State, uri: &Uri, previous: i32) -> Option<(i32, Vec<Diagnostic>)> {
    if let Some(r) = incremental_edit(st, uri, previous) {
        return Some(r);
    }
    st.index_document(uri);
    refresh_document(st, uri)
}

fn incremental_edit(st: &mut State, uri: &Uri, previous: i32) -> Option<(i32, Vec<Diagnostic>)> {
    let State {
        docs,
        findings,
        ws,
        parser,
        config,
        extract,
        enc,
        caps,
        ..
    } = st;
    let doc = docs.get_mut(uri)?;
    if doc.text.len() < INCREMENTAL_MIN_BYTES || too_large(doc.text.len()) {
        return None;
    }
    if findings.get(uri).is_none_or(|(v, _)| *v != previous) {
        return None;
    }
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
            let file = ws.file(&doc.path)?;
            let input = FileInput {
                path: &doc.path,
                src: &doc.text,
                tree: &doc.tree,
                model: &file.model,
                ws,
                config,
                gomod: ws.module_for(&doc.path).map(|(_, m)| m),
            };
            incremental::analyse_function(&input, new, extract, parser)
        }
    };
    // The cached findings move into the new list (cloned only while a code action holds them).
    let cached = findings
        .remove(uri)
        .map(|(_, f)| Arc::try_unwrap(f).unwrap_or_else(|shared| (*shared).clone()))
        .unwrap_or_default();
    let spliced = Arc::new(incremental::splice(cached, &change, fresh));
    doc.outline = Some(new_outline);
    doc.index_stale_from = Some(
        doc.index_stale_from
            .map_or(stale_from, |s| s.min(stale_from)),
    );
    let diagnostics = spliced
        .iter()
        .map(|f| convert::diagnostic(f, uri, &doc.rope, *enc, caps))
        .collect();
    let version = doc.version;
    findings.insert(uri.clone(), (version, spliced));
    Some((version, diagnostics))
}

/// Diagnostics for every open document except `skip` (findings remembered).
pub fn for_open_documents(st: &mut State, skip: Option<&Uri>) -> Batch {
    st.sync_index();
    let uris: Vec<Uri> = st
        .docs
        .keys()
        .filter(|u| Some(*u) != skip)
        .cloned()
        .collect();
    let mut out = vec![];
    for uri in uris {
        if let Some((v, d)) = refresh_document(st, &uri) {
            out.push((uri, Some(v), d));
        }
    }
    out
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

/// Findings of other open documents can change when a file they depend on changes (a helper gains
/// a clock read, a handler is renamed). Shortly after the last edit, off the keystroke path,
/// recompute them and publish those that changed.
///
/// This also settles `origin` after edits: the index catches up with the text, a tree that an
/// incremental reparse left provisional is replaced by a fresh parse, and the whole file is
/// analysed again (published only if that changes anything).
pub fn schedule_cross_file(client: Client, state: Arc<Mutex<State>>, origin: Uri) {
    let generation = {
        let mut st = lock(&state);
        st.cross_gen += 1;
        let unsettled = st.docs.get(&origin).is_some_and(unsettled);
        if st.docs.len() < 2 && !unsettled {
            return;
        }
        st.cross_gen
    };
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(CROSS_FILE_DELAY_MS)).await;
        let batch = {
            let mut st = lock(&state);
            if st.cross_gen != generation {
                return;
            }
            changed_others(&mut st, &origin)
        };
        publish(&client, batch).await;
    });
}

pub const CROSS_FILE_DELAY_MS: u64 = 150;

/// Whether a document's findings are provisional: analysed incrementally (the index lags behind
/// the text) or computed on a tree that a fresh parse may shape differently around syntax errors.
fn unsettled(d: &Document) -> bool {
    d.index_stale_from.is_some() || d.is_provisional()
}

fn changed_others(st: &mut State, origin: &Uri) -> Batch {
    let settle = st.docs.get(origin).is_some_and(unsettled);
    let State { docs, parser, .. } = &mut *st;
    for doc in docs.values_mut() {
        if doc.settle(parser) {
            // The model was extracted from the replaced tree.
            doc.index_stale_from = Some(0);
        }
    }
    st.sync_index();
    let uris: Vec<Uri> = st
        .docs
        .keys()
        .filter(|u| settle || *u != origin)
        .cloned()
        .collect();
    let mut out = vec![];
    for uri in uris {
        let Some(c) = for_document(st, &uri) else {
            continue;
        };
        let unchanged = st
            .findings
            .get(&uri)
            .is_some_and(|(v, old)| *v == c.version && **old == *c.findings);
        if unchanged {
            continue;
        }
        remember(st, &uri, c.version, c.findings);
        out.push((uri, Some(c.version), c.diagnostics));
    }
    out
}

pub async fn publish(client: &Client, batch: Batch) {
    for (uri, version, diags) in batch {
        client.publish_diagnostics(uri, diags, version).await;
    }
}

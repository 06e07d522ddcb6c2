//! Computing the diagnostics of open documents from the rules, and publishing them tagged with the
//! document version they were computed for.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Uri};

use crate::analysis::findings::Finding;
use crate::analysis::rules::{self, FileInput};
use crate::server::convert;
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

/// Compute, remember the findings for code actions, and return what to publish.
pub fn refresh_document(st: &mut State, uri: &Uri) -> Option<(i32, Vec<Diagnostic>)> {
    let c = for_document(st, uri)?;
    st.findings.insert(uri.clone(), (c.version, c.findings));
    Some((c.version, c.diagnostics))
}

/// Diagnostics for every open document except `skip` (findings remembered).
pub fn for_open_documents(st: &mut State, skip: Option<&Uri>) -> Batch {
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
pub fn schedule_cross_file(client: Client, state: Arc<Mutex<State>>, origin: Uri) {
    let generation = {
        let mut st = lock(&state);
        st.cross_gen += 1;
        if st.docs.len() < 2 {
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

fn changed_others(st: &mut State, origin: &Uri) -> Batch {
    let uris: Vec<Uri> = st.docs.keys().filter(|u| *u != origin).cloned().collect();
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
        st.findings.insert(uri.clone(), (c.version, c.findings));
        out.push((uri, Some(c.version), c.diagnostics));
    }
    out
}

pub async fn publish(client: &Client, batch: Batch) {
    for (uri, version, diags) in batch {
        client.publish_diagnostics(uri, diags, version).await;
    }
}

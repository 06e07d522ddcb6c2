//! Computing the diagnostics of open documents from the rules, and publishing them tagged with the
//! document version they were computed for.

use std::path::PathBuf;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, Uri};

use crate::analysis::findings::Finding;
use crate::analysis::rules::{self, FileInput};
use crate::server::convert;
use crate::server::encoding;
use crate::server::state::{State, path_to_uri};

/// A batch ready to publish: (uri, version, diagnostics).
pub type Batch = Vec<(Uri, Option<i32>, Vec<Diagnostic>)>;

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

pub fn for_document(st: &State, uri: &Uri) -> Option<(i32, Vec<Diagnostic>)> {
    let doc = st.docs.get(uri)?;
    let fs = findings(st, uri)?;
    let diags = fs
        .iter()
        .map(|f| convert::diagnostic(f, uri, &doc.rope, st.enc, &st.caps))
        .collect();
    Some((doc.version, diags))
}

/// Diagnostics for every open document except `skip`.
pub fn for_open_documents(st: &State, skip: Option<&Uri>) -> Batch {
    let mut out = vec![];
    for uri in st.docs.keys() {
        if Some(uri) == skip {
            continue;
        }
        if let Some((v, d)) = for_document(st, uri) {
            out.push((uri.clone(), Some(v), d));
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

pub async fn publish(client: &Client, batch: Batch) {
    for (uri, version, diags) in batch {
        client.publish_diagnostics(uri, diags, version).await;
    }
}

//! Requests that read models (hover, completion, navigation, symbols, code actions) need the index's
//! model of each open document to be the model of its text. After an edit it lags behind until the
//! document's analysis or the settle refresh extracts it; a request that comes first extracts the
//! lagging models itself, on a blocking thread and off the state lock, instead of waiting for the
//! analysis (which may take hundreds of milliseconds on a large file after a top-level edit).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::Uri;
use tree_sitter::Tree;

use crate::analysis::model::{self, FileModel};
use crate::server::diagnostics::too_large;
use crate::server::state::{State, lock};

/// Whether some open document's model lags behind its text.
pub fn lagging(st: &State) -> bool {
    st.docs.values().any(|d| d.index_stale_from.is_some())
}

struct Stale {
    uri: Uri,
    path: PathBuf,
    version: i32,
    text: Arc<str>,
    tree: Tree,
    lines: u32,
}

/// Extract the lagging models off the lock and install those whose document has not changed
/// meanwhile; edits that keep arriving are chased a few times, then `State::sync_index` (under
/// the lock) does the rest.
pub async fn catch_up(state: &Arc<Mutex<State>>) {
    for _ in 0..3 {
        let (stale, opts) = {
            let st = lock(state);
            let stale: Vec<Stale> = st
                .docs
                .values()
                .filter(|d| d.index_stale_from.is_some() && !too_large(d.text.len()))
                .map(|d| Stale {
                    uri: d.uri.clone(),
                    path: d.path.clone(),
                    version: d.version,
                    text: d.text.clone(),
                    tree: d.tree.clone(),
                    lines: d.rope.len_lines() as u32,
                })
                .collect();
            (stale, st.extract.clone())
        };
        if stale.is_empty() {
            return;
        }
        let extracted = tokio::task::spawn_blocking(move || {
            stale
                .into_iter()
                .map(|s| {
                    let m = model::extract_with(&s.text, &s.tree, &opts);
                    (s, m)
                })
                .collect::<Vec<(Stale, FileModel)>>()
        })
        .await;
        let Ok(extracted) = extracted else {
            eprintln!("restate-lsp: extracting a document's model failed");
            return;
        };
        let mut st = lock(state);
        let State { docs, ws, .. } = &mut *st;
        for (s, m) in extracted {
            if let Some(d) = docs.get_mut(&s.uri)
                && d.version == s.version
                && Arc::ptr_eq(&d.text, &s.text)
                && d.index_stale_from.is_some()
            {
                d.indexed_now();
                ws.upsert(s.path, m, s.lines);
            }
        }
    }
}

//! Dependency summaries in the server: loaded on the blocking pool after indexing, again when a
//! go.mod changes on disk or a settled document imports a dependency the index has not looked for,
//! never on the path of a request or a keystroke. Until a load is done the index's `deps` is what
//! the previous load left (empty at first) and rules answer "unknown" for dependency calls; when it
//! is done, open documents are refreshed.
//!
//! One load at a time: a request for another while one runs sets a flag, and the running task
//! loads once more when it is done (with the newer index), however many requests came.

use std::sync::{Arc, Mutex};

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageType, Uri};

use crate::deps;
use crate::server::scheduler::{self, Job};
use crate::server::state::{State, lock};

/// The loader's bookkeeping, in `State`.
#[derive(Default)]
pub struct Loader {
    running: bool,
    again: bool,
}

/// Start a load, or ask the running one to load again when it is done.
pub fn ensure(client: &Client, state: &Arc<Mutex<State>>) {
    let start = {
        let mut st = lock(state);
        if st.deps.running {
            st.deps.again = true;
            false
        } else {
            st.deps.running = true;
            true
        }
    };
    if start {
        tokio::spawn(run(client.clone(), state.clone()));
    }
}

/// Whether the document imports a dependency no load has looked for yet (asked after a settle,
/// so a new import is summarised without waiting for a restart). While a load runs the answer is
/// no: when it is done it checks the open documents itself (a load without a summary cache would
/// otherwise parse everything twice).
pub fn wants_load(st: &State, uri: &Uri) -> bool {
    st.indexing_done && !st.deps.running && uncovered(st, uri)
}

/// Whether the open document imports a dependency the index has not looked for. Files outside any
/// Go module have nothing to load.
fn uncovered(st: &State, uri: &Uri) -> bool {
    let Some(doc) = st.docs.get(uri) else {
        return false;
    };
    if st.ws.module_for(&doc.path).is_none() {
        return false;
    }
    let Some(file) = st.ws.file(&doc.path) else {
        return false;
    };
    deps::uncovered(
        &st.ws,
        file.model.imports.iter().map(|i| i.path.as_str()),
        &st.ws.deps,
    )
}

async fn run(client: Client, state: Arc<Mutex<State>>) {
    loop {
        let ws = {
            let mut st = lock(&state);
            st.deps.again = false;
            st.ws.clone()
        };
        let loaded = tokio::task::spawn_blocking(move || {
            // One thread: this runs beside the editor's own work on a small machine, and nothing
            // waits for it.
            // A reload reads what an earlier load wrote to the disk cache.
            let opts = deps::Options::from_env(true, 1);
            (deps::load(&ws, &opts), deps::describe(&opts))
        })
        .await;
        let (loaded, places) = match loaded {
            Ok(l) => l,
            Err(e) => {
                eprintln!("restate-lsp: loading dependency summaries failed: {e}");
                lock(&state).deps.running = false;
                return;
            }
        };
        for p in &loaded.stats.problems {
            eprintln!("restate-lsp: dependency cache: {p}");
        }
        let message = format!(
            "restate-lsp: dependency summaries: {} ({places})",
            loaded.stats.line()
        );
        let again = {
            let mut st = lock(&state);
            st.ws.set_deps(Arc::new(loaded.index));
            // Imports typed while this load ran are not in the index it made.
            let again = st.deps.again || st.docs.keys().any(|u| uncovered(&st, u));
            if !again {
                st.deps.running = false;
            }
            again
        };
        client.log_message(MessageType::INFO, message).await;
        scheduler::request_all(&client, &state, Job::Refresh, None);
        if !again {
            return;
        }
    }
}

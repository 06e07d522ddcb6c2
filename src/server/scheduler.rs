//! When documents are analysed: one task per open document at a time, working off the state lock.
//!
//! `didOpen`/`didChange` mutate the document under the lock before their first await (ARCHITECTURE.md,
//! invariant 3) and then only ask for an analysis here. The document's task takes a snapshot
//! (`server::snapshot`), analyses it off the lock (a whole file on the blocking pool, one edited
//! function on the task itself) and takes the result back under the lock if the document is still
//! at that version, so hovers, completions and further edits never wait for an analysis. A newer version cancels the running analysis: its flag is set, the engine polls
//! it between rule families (`analysis::cancel`), and what the run found is dropped. Changes that
//! arrive while a task runs only set a flag; when the task is done it analyses the newest version
//! once, however many versions came in between (coalescing). A panic in an analysis loses that
//! analysis' results, not the server: the blocking task's panic is caught and logged.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use crate::analysis::cancel;
use crate::server::diagnostics::{self, Publish};
use crate::server::snapshot::{self, DocSnapshot, Env};
use crate::server::state::{State, lock};

/// What a document's task is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// The document was opened or changed: analyse its newest version, only the edited function
    /// when that is enough, and publish.
    Edit,
    /// Edits paused, or a file it depends on changed: bring its tree and index entry up to date
    /// with the text, analyse the whole file, publish if that changes anything.
    Settle,
    /// The configuration or the workspace changed: analyse the whole file and publish.
    Refresh,
}

/// The analysis bookkeeping of one open document.
#[derive(Default)]
pub struct Slot {
    running: bool,
    /// Set to stop the running analysis (its results are then dropped).
    cancel: Arc<AtomicBool>,
    edit: bool,
    settle: bool,
    refresh: bool,
    /// After the next settle or refresh, re-check the other open documents against the index.
    then_others: bool,
}

impl Slot {
    /// The next job, the most urgent first: an edit must be published; a refresh also settles.
    fn next(&mut self) -> Option<Job> {
        if std::mem::take(&mut self.edit) {
            Some(Job::Edit)
        } else if std::mem::take(&mut self.refresh) {
            self.settle = false;
            Some(Job::Refresh)
        } else if std::mem::take(&mut self.settle) {
            Some(Job::Settle)
        } else {
            None
        }
    }
}

/// Ask for `job` on the open document `uri`. An edit cancels the analysis running for it. Returns
/// whether the caller must `spawn` the document's task (none is running).
pub fn request(st: &mut State, uri: &Uri, job: Job) -> bool {
    let slot = st.analyses.entry(uri.clone()).or_default();
    match job {
        Job::Edit => {
            slot.edit = true;
            slot.cancel.store(true, Ordering::Relaxed);
        }
        Job::Settle => slot.settle = true,
        Job::Refresh => slot.refresh = true,
    }
    !std::mem::replace(&mut slot.running, true)
}

/// The document was closed: stop its analysis and forget what it was asked to do.
pub fn forget(st: &mut State, uri: &Uri) {
    if let Some(slot) = st.analyses.get_mut(uri) {
        slot.cancel.store(true, Ordering::Relaxed);
        let running = slot.running;
        *slot = Slot {
            running,
            ..Slot::default()
        };
        if !running {
            st.analyses.remove(uri);
        }
    }
}

/// Start the task of `uri` (after `request` said so, with the lock released).
pub fn spawn(client: &Client, state: &Arc<Mutex<State>>, uri: Uri) {
    tokio::spawn(run(client.clone(), state.clone(), uri));
}

/// `request` a job on every open document except `skip`, and start the tasks that must be.
pub fn request_all(client: &Client, state: &Arc<Mutex<State>>, job: Job, skip: Option<&Uri>) {
    let start: Vec<Uri> = {
        let mut st = lock(state);
        let uris: Vec<Uri> = st
            .docs
            .keys()
            .filter(|u| Some(*u) != skip)
            .cloned()
            .collect();
        uris.into_iter()
            .filter(|u| request(&mut st, u, job))
            .collect()
    };
    for uri in start {
        spawn(client, state, uri);
    }
}

/// Settle `origin` shortly after its last edit, then re-check the other open documents: their
/// findings can depend on it (a helper gains a clock read, a handler is renamed). This keeps
/// whole-file and cross-file work off the keystroke path; an edit in the meantime postpones it.
pub fn schedule_settle(client: Client, state: Arc<Mutex<State>>, origin: Uri) {
    let generation = {
        let mut st = lock(&state);
        st.cross_gen += 1;
        st.cross_gen
    };
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(SETTLE_DELAY_MS)).await;
        let start = {
            let mut st = lock(&state);
            if st.cross_gen != generation || !st.docs.contains_key(&origin) {
                return;
            }
            let start = request(&mut st, &origin, Job::Settle);
            if let Some(slot) = st.analyses.get_mut(&origin) {
                slot.then_others = true;
            }
            start
        };
        if start {
            spawn(&client, &state, origin);
        }
    });
}

pub const SETTLE_DELAY_MS: u64 = 150;

/// Resets `running` when the task unwinds, so that a panic does not leave the document without
/// analyses for the rest of the session. (Drop order puts it after every lock guard of the task.)
struct RunningGuard {
    state: Arc<Mutex<State>>,
    uri: Uri,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(slot) = lock(&self.state).analyses.get_mut(&self.uri)
        {
            slot.running = false;
        }
    }
}

/// The task of one document: run its jobs until none is left.
async fn run(client: Client, state: Arc<Mutex<State>>, uri: Uri) {
    let _guard = RunningGuard {
        state: state.clone(),
        uri: uri.clone(),
    };
    loop {
        let taken = {
            let mut st = lock(&state);
            let open = st.docs.contains_key(&uri);
            let Some(slot) = st.analyses.get_mut(&uri) else {
                return;
            };
            let job = if open { slot.next() } else { None };
            let Some(job) = job else {
                if open {
                    slot.running = false;
                } else {
                    st.analyses.remove(&uri);
                }
                return;
            };
            let others = job != Job::Edit && std::mem::take(&mut slot.then_others);
            let flag = Arc::new(AtomicBool::new(false));
            slot.cancel = flag.clone();
            snapshot::take(&st, &uri).map(|input| (job, others, flag, Arc::new(input)))
        };
        let Some((job, others, flag, input)) = taken else {
            continue;
        };
        let publish = match job {
            Job::Edit => edit(&state, input, &flag).await,
            Job::Settle => settle(&state, input, &flag, false).await,
            Job::Refresh => settle(&state, input, &flag, true).await,
        };
        if let Some((version, diagnostics)) = publish {
            // A close while the analysis ran has already cleared the document's diagnostics.
            let current = lock(&state).docs.get(&uri).map(|d| d.version) == Some(version);
            if current {
                client
                    .publish_diagnostics(uri.clone(), diagnostics, Some(version))
                    .await;
            }
        }
        if others {
            request_all(&client, &state, Job::Settle, Some(&uri));
        }
        // A settled document that imports a dependency no load has looked for gets it loaded.
        if job == Job::Settle && crate::server::deps::wants_load(&lock(&state), &uri) {
            crate::server::deps::ensure(&client, &state);
        }
    }
}

type Input = Arc<(DocSnapshot, Env)>;
type Published = Option<(i32, Vec<Diagnostic>)>;

/// Run `f` on the blocking pool with `flag` as its cancellation flag. None when it panicked: the
/// analysis publishes nothing, and the server goes on.
async fn blocking<T: Send + 'static>(
    flag: &Arc<AtomicBool>,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let flag = flag.clone();
    match tokio::task::spawn_blocking(move || cancel::with(&flag, f)).await {
        Ok(v) => Some(v),
        Err(e) => {
            eprintln!("restate-lsp: an analysis failed and was dropped: {e}");
            None
        }
    }
}

/// Run `f` right here on the task's worker thread, with `flag` as its cancellation flag; None when
/// it panicked. For the incremental analysis (1 to 5 ms): it saves the two thread hand-offs of
/// the blocking pool (to a pool thread and back to a worker), each of which may wait for a core
/// when the machine is busy. (The hand-off from the serve loop, which runs on `block_on`'s thread,
/// to the worker running this task remains.)
fn inline<T>(flag: &Arc<AtomicBool>, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(|| cancel::with(flag, f))) {
        Ok(v) => Some(v),
        Err(_) => {
            eprintln!("restate-lsp: an analysis failed and was dropped");
            None
        }
    }
}

fn cancelled(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}

async fn edit(state: &Arc<Mutex<State>>, input: Input, flag: &Arc<AtomicBool>) -> Published {
    let doc = &input.0;
    if doc.cached.as_ref().is_some_and(|(v, _)| *v == doc.version) {
        return None;
    }
    let incremental = inline(flag, || diagnostics::incremental(doc, &input.1))?;
    match incremental {
        Some(a) if !cancelled(flag) => {
            diagnostics::install(&mut lock(state), doc, a, Publish::Always)
        }
        Some(_) => None,
        None => whole(state, input, flag, Publish::Always, false).await,
    }
}

/// A settle (or, with `refresh`, a refresh) of one document; skipped when the cached findings
/// already are a whole-file analysis of this version on this generation of the index.
async fn settle(
    state: &Arc<Mutex<State>>,
    input: Input,
    flag: &Arc<AtomicBool>,
    refresh: bool,
) -> Published {
    let (doc, env) = &*input;
    let settled = !doc.provisional
        && doc.index_stale_from.is_none()
        && doc.analysed_generation == Some(env.ws.generation)
        && doc.cached.as_ref().is_some_and(|(v, _)| *v == doc.version);
    if settled && !refresh {
        return None;
    }
    let publish = if refresh {
        Publish::Always
    } else {
        Publish::IfChanged
    };
    whole(state, input, flag, publish, true).await
}

/// The whole-file analysis: the model (and, when settling, a fresh tree) off the lock, both taken
/// into the state under it, then the rules on a new snapshot that holds them.
async fn whole(
    state: &Arc<Mutex<State>>,
    input: Input,
    flag: &Arc<AtomicBool>,
    publish: Publish,
    settle: bool,
) -> Published {
    let i = input.clone();
    let prepared = blocking(flag, move || diagnostics::prepare_whole(&i.0, &i.1, settle)).await?;
    let input: Input = {
        let mut st = lock(state);
        if cancelled(flag) || !diagnostics::install_model(&mut st, &input.0, prepared) {
            return None;
        }
        Arc::new(snapshot::take(&st, &input.0.uri)?)
    };
    let i = input.clone();
    let analysed = blocking(flag, move || diagnostics::analyse_whole(&i.0, &i.1)).await??;
    if cancelled(flag) {
        return None;
    }
    diagnostics::install(&mut lock(state), &input.0, analysed, publish)
}

//! `$/cancelRequest` for requests whose cost grows with the workspace (references, code lens,
//! workspace symbols). tower-lsp-server answers a cancelled request with RequestCancelled by dropping
//! its future, but a computation that never yields cannot be dropped halfway. These requests
//! therefore run on a blocking thread and poll a token that the dropped future sets, so a
//! cancelled request stops at the next file instead of holding the state until it is done.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tower_lsp_server::jsonrpc::{Error, Result};

use crate::server::state::{State, lock};

/// Whether the request that owns this token has been cancelled (its future dropped).
#[derive(Clone)]
pub struct Token(Arc<AtomicBool>);

impl Token {
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Run `f` on the state (index brought up to date first) on a blocking thread. Dropping the
/// returned future cancels the token `f` sees; a panic in `f` becomes an internal error.
pub async fn run<T, F>(state: Arc<Mutex<State>>, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut State, &Token) -> T + Send + 'static,
{
    let flag = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(flag.clone());
    let token = Token(flag);
    // Models lagging behind their documents are extracted off the lock first.
    crate::server::models::catch_up(&state).await;
    tokio::task::spawn_blocking(move || {
        let mut st = lock(&state);
        st.sync_index();
        f(&mut st, &token)
    })
    .await
    .map_err(|e| {
        eprintln!("restate-lsp: a request failed on its worker thread: {e}");
        Error::internal_error()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Dropping the request's future (what the protocol layer does on `$/cancelRequest`) makes the
    /// computation see the cancellation and stop.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_request_stops_the_computation() {
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let request = run(state.clone(), move |_, token| {
            let start = Instant::now();
            while !token.is_cancelled() && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = tx.send(token.is_cancelled());
        });
        let outcome = tokio::time::timeout(Duration::from_millis(50), request).await;
        assert!(outcome.is_err(), "the request should still be running");
        let saw_cancel =
            tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)))
                .await
                .expect("join");
        assert_eq!(saw_cancel, Ok(true));
        // The state is free again for the next request.
        let next = run(state, |_, token| token.is_cancelled()).await;
        assert_eq!(next.ok(), Some(false));
    }

    #[tokio::test]
    async fn a_panic_becomes_an_internal_error() {
        let state = Arc::new(Mutex::new(State::default()));
        let r: Result<()> = run(state, |_, _| panic!("boom")).await;
        assert!(r.is_err());
    }
}

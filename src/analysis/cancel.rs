//! Cooperative cancellation of an analysis running on this thread.
//!
//! The server analyses a document on a blocking thread while the user keeps typing; once a newer
//! version exists the running analysis is wasted work. The server sets a flag, and the engine polls
//! it between rule families (`rules::check_file_with`), returning early with partial findings that
//! the caller then drops. A thread-local keeps the engine's signatures unchanged: code that never
//! installs a flag is never cancelled.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    static FLAG: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Run `f` with `flag` as this thread's cancellation flag (restored afterwards, also on a panic).
pub fn with<T>(flag: &Arc<AtomicBool>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<AtomicBool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            FLAG.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(FLAG.with(|c| c.borrow_mut().replace(flag.clone())));
    f()
}

/// Whether the analysis on this thread should stop: its results will be dropped.
pub fn requested() -> bool {
    FLAG.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_seen_inside_and_forgotten_after() {
        let flag = Arc::new(AtomicBool::new(false));
        assert!(!requested());
        with(&flag, || {
            assert!(!requested());
            flag.store(true, Ordering::Relaxed);
            assert!(requested());
        });
        assert!(!requested());
    }
}

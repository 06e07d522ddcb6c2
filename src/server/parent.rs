//! Watching the client's process (`processId` in `initialize`): an editor that crashes or is killed
//! never sends `exit`, and its pipes may stay open in a grandchild, so without this the server would
//! outlive it. The check reads `/proc`; other systems are not watched (their editors close stdin,
//! which ends the server through the transport).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::server::state::{State, lock};

/// How often the client's process is looked at.
const INTERVAL: Duration = Duration::from_secs(2);

/// Whether the process `pid` still runs. `None` when this system cannot tell.
pub fn alive(pid: u32) -> Option<bool> {
    if cfg!(not(target_os = "linux")) || !std::path::Path::new("/proc/self/stat").exists() {
        return None;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the command name, which is in parentheses and may contain any
        // character, so it is read after the last ')'. A zombie has exited already.
        Ok(stat) => {
            let state = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().next());
            Some(!matches!(state, Some("Z" | "X" | "x")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(false),
        Err(_) => Some(true),
    }
}

/// Wait until the client's process (recorded in the state by `initialize`) has gone, then return.
/// Never returns when the client gave no process id or the system cannot tell.
pub async fn wait_for_client_exit(state: Arc<Mutex<State>>) {
    loop {
        tokio::time::sleep(INTERVAL).await;
        let Some(pid) = lock(&state).client_pid else {
            continue;
        };
        match alive(pid) {
            Some(true) => {}
            Some(false) => {
                eprintln!("restate-lsp: the client process {pid} has exited; stopping");
                return;
            }
            None => std::future::pending::<()>().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        if alive(std::process::id()).is_none() {
            return; // no /proc here
        }
        assert_eq!(alive(std::process::id()), Some(true));
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let pid = child.id();
        child.wait().expect("wait");
        assert_eq!(alive(pid), Some(false));
    }
}

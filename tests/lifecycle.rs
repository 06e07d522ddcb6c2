//! The server ends on its own when its client goes away: after `shutdown`/`exit`, and when the
//! process named by `processId` in `initialize` has died without sending anything.

mod common;

use std::process::Command;

use common::LspClient;
use serde_json::json;

fn initialize_with_pid(c: &mut LspClient, pid: u32) {
    let r = c.request(
        "initialize",
        json!({"processId": pid, "rootUri": null, "capabilities": {}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    c.notify("initialized", json!({}));
}

#[test]
fn the_server_exits_when_the_client_process_dies() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        return; // processes are only watched through /proc
    }
    let mut editor = Command::new("sleep").arg("1").spawn().expect("spawn sleep");
    let mut c = LspClient::spawn();
    initialize_with_pid(&mut c, editor.id());
    editor.wait().expect("wait for sleep");
    // No shutdown, no exit, stdin still open: only the dead client process can end it.
    assert_eq!(c.wait_exit(), Some(1), "stderr:\n{}", c.stderr());
    assert!(
        c.stderr().contains("client process"),
        "stderr:\n{}",
        c.stderr()
    );
}

#[test]
fn a_live_client_process_does_not_stop_the_server() {
    let mut c = LspClient::spawn();
    initialize_with_pid(&mut c, std::process::id());
    let symbols = c.request("workspace/symbol", json!({"query": "x"}));
    assert!(symbols.get("error").is_none(), "{symbols}");
    assert!(c.is_alive());
    assert_eq!(c.shutdown(), Some(0));
}

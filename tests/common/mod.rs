//! A JSON-level LSP client that drives the real `restate-lsp` binary over stdio. It answers the
//! server's own requests (configuration, capability registration, progress) and keeps every
//! notification it sees so tests can wait for the ones they expect.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn file_uri(path: &Path) -> String {
    let p = path.to_string_lossy().replace('\\', "/");
    if p.starts_with('/') {
        format!("file://{p}")
    } else {
        format!("file:///{p}")
    }
}

pub struct LspClient {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests seen so far, in order.
    pub seen: Vec<Value>,
    /// What `workspace/configuration` answers.
    pub settings: Value,
    stderr: Arc<Mutex<String>>,
}

impl LspClient {
    pub fn spawn() -> Self {
        Self::spawn_with_env(&[], &[])
    }

    /// The server with these environment variables set and those removed.
    pub fn spawn_with_env(set: &[(&str, &std::ffi::OsStr)], remove: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_restate-lsp"));
        for (k, v) in set {
            cmd.env(k, v);
        }
        for k in remove {
            cmd.env_remove(k);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn restate-lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                sink.lock().expect("stderr lock").push_str(&line);
                line.clear();
            }
        });
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).map(|n| n == 0).unwrap_or(true) {
                        return;
                    }
                    let t = line.trim_end();
                    if t.is_empty() {
                        break;
                    }
                    if let Some(v) = t.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let Some(n) = len else { return };
                let mut body = vec![0; n];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                match serde_json::from_slice::<Value>(&body) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
        LspClient {
            child,
            stdin,
            rx,
            next_id: 1,
            seen: vec![],
            settings: Value::Null,
            stderr,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.stdin
            .write_all(header.as_bytes())
            .expect("write header");
        self.stdin.write_all(body).expect("write body");
        self.stdin.flush().expect("flush");
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, v: &Value) {
        let body = serde_json::to_vec(v).expect("json");
        self.send_raw(&body);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request without waiting; returns its id.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Send a request and wait for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self.next_message(deadline).unwrap_or_else(|| {
                panic!(
                    "no response to request {id}; server stderr:\n{}",
                    self.stderr()
                )
            });
            if v.get("id") == Some(&json!(id)) && v.get("method").is_none() {
                return v;
            }
        }
    }

    /// Next message from the server, answering server-to-client requests on the way.
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let v = match self.rx.recv_timeout(wait) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        if let (Some(id), Some(method)) = (v.get("id"), v.get("method").and_then(Value::as_str)) {
            let result = match method {
                "workspace/configuration" => {
                    let n = v["params"]["items"].as_array().map(Vec::len).unwrap_or(1);
                    Value::Array(vec![self.settings.clone(); n])
                }
                _ => Value::Null,
            };
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
            self.send(&reply);
        }
        if v.get("method").is_some() {
            self.seen.push(v.clone());
        }
        Some(v)
    }

    /// Wait for a notification matching `pred` (also searching those already seen, which are
    /// consumed from the backlog when matched).
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(method, &pred, TIMEOUT)
            .unwrap_or_else(|| {
                panic!(
                    "timed out waiting for {method}; server stderr:\n{}",
                    self.stderr()
                )
            })
    }

    pub fn try_wait_for(
        &mut self,
        method: &str,
        pred: &dyn Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        if let Some(i) = self
            .seen
            .iter()
            .position(|v| v["method"] == method && pred(&v["params"]))
        {
            let v = self.seen.remove(i);
            return Some(v["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.next_message(deadline)?;
            if v["method"] == method && pred(&v["params"]) {
                if let Some(i) = self.seen.iter().rposition(|x| *x == v) {
                    self.seen.remove(i);
                }
                return Some(v["params"].clone());
            }
        }
    }

    /// initialize + initialized with the given client capabilities and workspace root.
    pub fn initialize(
        &mut self,
        root: Option<&Path>,
        capabilities: Value,
        init_options: Value,
    ) -> Value {
        let folders = root
            .map(|r| json!([{"uri": file_uri(r), "name": "root"}]))
            .unwrap_or(Value::Null);
        let resp = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root.map(file_uri),
                "capabilities": capabilities,
                "workspaceFolders": folders,
                "initializationOptions": init_options,
            }),
        );
        self.notify("initialized", json!({}));
        resp
    }

    pub fn open(&mut self, path: &Path, text: &str, version: i64) -> String {
        let uri = file_uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "go", "version": version, "text": text}}),
        );
        uri
    }

    /// Wait for diagnostics of `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let p = self.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == json!(version)
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Wait until indexing finished (the server logs it).
    pub fn wait_indexed(&mut self) {
        self.wait_for("window/logMessage", |p| {
            p["message"].as_str().is_some_and(|m| m.contains("indexed"))
        });
    }

    pub fn shutdown(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit after shutdown/exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Wait for the process to exit on its own; its exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Capabilities of a client that offers UTF-8 positions (Neovim, Helix style).
pub fn caps_utf8() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-8", "utf-16"]},
        "textDocument": {
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true, "codeDescriptionSupport": true},
            "completion": {"completionItem": {"snippetSupport": true}}
        },
        "workspace": {"configuration": true, "didChangeWatchedFiles": {"dynamicRegistration": true}},
        "window": {"workDoneProgress": true}
    })
}

/// Capabilities of a client that only speaks UTF-16 (VS Code style).
pub fn caps_utf16() -> Value {
    json!({
        "textDocument": {
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true}
        },
        "workspace": {"configuration": false}
    })
}

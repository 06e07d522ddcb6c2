//! A guard in front of the JSON-RPC transport. tower-lsp-server stops reading its input after the
//! first message it cannot decode, which would end the session on one bad byte. Every message passes
//! through here first: framing is re-synchronised, bodies that are not JSON are dropped with a log
//! line, and requests that are JSON but not valid JSON-RPC are rewritten into a call of our own
//! `restate/invalidRequest` method so the client still gets an error response for its id.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The method invalid requests are renamed to; the server answers it with InvalidRequest.
pub const INVALID_REQUEST_METHOD: &str = "restate/invalidRequest";

/// Largest body we accept (larger ones are skipped without buffering them).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// Copy framed messages from `input` to `output`, cleaning them on the way. Returns when the input
/// ends or the output is closed. `ended` is notified when the client sends `exit` or its input ends:
/// the server must then stop even if a handler still waits for an answer the client will never
/// send.
pub async fn filter<R, W>(input: R, mut output: W, ended: std::sync::Arc<tokio::sync::Notify>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        let length = match read_headers(&mut reader).await {
            Ok(Some(n)) => n,
            Ok(None) => break,
            Err(e) => {
                eprintln!("restate-lsp: dropped a message with bad headers ({e})");
                continue;
            }
        };
        if length > MAX_BODY {
            eprintln!("restate-lsp: dropped a {length}-byte message (limit {MAX_BODY})");
            let mut limited = (&mut reader).take(length as u64);
            if tokio::io::copy(&mut limited, &mut tokio::io::sink())
                .await
                .is_err()
            {
                break;
            }
            continue;
        }
        // Grown as bytes arrive: a header may promise far more than the client ever sends.
        let mut body = Vec::with_capacity(length.min(1 << 20));
        match (&mut reader)
            .take(length as u64)
            .read_to_end(&mut body)
            .await
        {
            Ok(n) if n == length => {}
            _ => break,
        }
        let Some(clean) = clean(&body) else { continue };
        let is_exit = serde_json::from_slice::<Value>(&clean)
            .ok()
            .is_some_and(|v| v.get("method").and_then(Value::as_str) == Some("exit"));
        let framed = format!("Content-Length: {}\r\n\r\n", clean.len());
        if output.write_all(framed.as_bytes()).await.is_err()
            || output.write_all(&clean).await.is_err()
            || output.flush().await.is_err()
        {
            break;
        }
        if is_exit {
            ended.notify_one();
        }
    }
    ended.notify_one();
    let _ = output.shutdown().await;
}

/// Read one header block. `Ok(None)` at end of input; `Err` for a block without a usable
/// Content-Length (the block is consumed, so the next call starts on the next message).
async fn read_headers<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Result<Option<usize>, String> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_any = false;
    loop {
        let mut line = String::new();
        let mut raw = Vec::new();
        let n = reader
            .read_until(b'\n', &mut raw)
            .await
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return if saw_any {
                Err("input ended inside a header".into())
            } else {
                Ok(None)
            };
        }
        line.push_str(&String::from_utf8_lossy(&raw));
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if !saw_any {
                continue;
            }
            return match length {
                Some(Ok(n)) => Ok(Some(n)),
                Some(Err(e)) => Err(e),
                None => Err("no Content-Length header".into()),
            };
        }
        saw_any = true;
        if let Some((name, value)) = trimmed.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|e| format!("invalid Content-Length {value:?}: {e}")),
            );
        }
    }
}

/// Validate a body; returns the bytes to forward, or `None` to drop it.
pub fn clean(body: &[u8]) -> Option<Vec<u8>> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("restate-lsp: dropped a message that is not JSON ({e})");
            return None;
        }
    };
    let Some(obj) = value.as_object() else {
        eprintln!(
            "restate-lsp: dropped a JSON message that is not an object (batches are not supported by LSP)"
        );
        return None;
    };
    let id = obj.get("id");
    let id_ok = matches!(
        id,
        None | Some(Value::Number(_)) | Some(Value::String(_)) | Some(Value::Null)
    );
    let version_ok = obj.get("jsonrpc") == Some(&Value::String("2.0".into()));
    let method = obj.get("method");
    let params_ok = matches!(
        obj.get("params"),
        None | Some(Value::Null) | Some(Value::Object(_)) | Some(Value::Array(_))
    );
    let valid = version_ok
        && id_ok
        && match method {
            Some(Value::String(_)) => params_ok,
            Some(_) => false,
            // A response to one of our requests.
            None => id.is_some() && (obj.contains_key("result") || obj.contains_key("error")),
        };
    if valid {
        return Some(body.to_vec());
    }
    match id {
        Some(id @ (Value::Number(_) | Value::String(_)))
            if method.is_some() || !obj.contains_key("result") =>
        {
            eprintln!(
                "restate-lsp: answering an invalid JSON-RPC request (id {id}) with InvalidRequest"
            );
            let rewritten = json!({"jsonrpc": "2.0", "id": id, "method": INVALID_REQUEST_METHOD});
            serde_json::to_vec(&rewritten).ok()
        }
        _ => {
            eprintln!("restate-lsp: dropped an invalid JSON-RPC message without a usable id");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_bodies() {
        assert!(clean(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_some());
        assert!(clean(br#"{"jsonrpc":"2.0","method":"initialized"}"#).is_some());
        assert!(clean(br#"{"jsonrpc":"2.0","id":3,"result":null}"#).is_some());
        assert!(clean(b"{not json").is_none());
        assert!(clean(b"[1,2]").is_none());
        let rewritten = clean(br#"{"jsonrpc":"2.0","id":7,"method":5}"#).expect("rewritten");
        let v: Value = serde_json::from_slice(&rewritten).expect("json");
        assert_eq!(v["method"], INVALID_REQUEST_METHOD);
        assert_eq!(v["id"], 7);
        let missing_version = clean(br#"{"id":8,"method":"shutdown"}"#).expect("rewritten");
        assert!(String::from_utf8_lossy(&missing_version).contains(INVALID_REQUEST_METHOD));
        assert!(clean(br#"{"jsonrpc":"2.0","method":"x","params":3}"#).is_none());
    }

    #[tokio::test]
    async fn a_body_shorter_than_promised_ends_the_input() {
        let input = b"Content-Length: 200000000\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec();
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let ended = std::sync::Arc::new(tokio::sync::Notify::new());
        let task = tokio::spawn(async move { filter(&input[..], server, ended).await });
        let mut out = String::new();
        client.read_to_string(&mut out).await.expect("read");
        task.await.expect("join");
        assert_eq!(out, "");
    }

    #[tokio::test]
    async fn resynchronises_after_bad_frames() {
        let input = b"Content-Length: abc\r\n\r\nContent-Length: 5\r\n\r\n{bad}Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}".to_vec();
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let ended = std::sync::Arc::new(tokio::sync::Notify::new());
        let task = tokio::spawn(async move { filter(&input[..], server, ended).await });
        let mut out = String::new();
        client.read_to_string(&mut out).await.expect("read");
        task.await.expect("join");
        assert!(
            out.ends_with("{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}"),
            "{out:?}"
        );
        assert_eq!(out.matches("Content-Length").count(), 1);
    }
}

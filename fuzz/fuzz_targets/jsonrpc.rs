//! Bytes on stdin through the input guard in front of the JSON-RPC codec. Properties: no panic; it
//! ends on end of input; everything forwarded is a well-formed frame holding a JSON-RPC 2.0 object;
//! and a well-formed message sent after any sequence of complete (possibly malformed) frames is
//! still forwarded. The first input byte picks the mode: raw bytes, or framed garbage followed by a
//! valid message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use restate_lsp::fuzzing::{filter_bytes, forwarded_bodies};

const VALID: &str = r#"{"jsonrpc":"2.0","id":424242,"method":"shutdown"}"#;

/// Cut `data` into complete frames: each chunk is `len` byte, header style byte, then the body.
fn frames(mut data: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    while data.len() >= 2 {
        let len = (data[0] as usize).min(data.len() - 2);
        let style = data[1];
        let body = &data[2..2 + len];
        data = &data[2 + len..];
        match style % 6 {
            0 => out.extend(format!("Content-Length: {len}\r\n\r\n").bytes()),
            1 => out.extend(format!("content-length:{len}\n\n").bytes()),
            2 => out.extend(
                format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {len}\r\n\r\n")
                    .bytes(),
            ),
            3 => out.extend(format!("\r\n\r\nContent-Length:   {len}  \r\n\r\n").bytes()),
            // A header block without a usable length is dropped whole; a body after it would be
            // read as headers, so this style sends none.
            4 if len == 0 => out.extend(b"Content-Length: nope\r\n\r\n"),
            _ => out.extend(format!("Content-Length: {len}\r\n\r\n").bytes()),
        }
        out.extend(body);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let out = filter_bytes(rest);
        if let Err(e) = forwarded_bodies(&out) {
            panic!("{e}");
        }
        return;
    }
    let mut input = frames(rest);
    input.extend(format!("Content-Length: {}\r\n\r\n{VALID}", VALID.len()).bytes());
    let out = filter_bytes(&input);
    let bodies = match forwarded_bodies(&out) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let last_id = bodies
        .last()
        .and_then(|v| v.get("id"))
        .and_then(|i| i.as_u64());
    assert_eq!(
        last_id,
        Some(424242),
        "input {:?}",
        String::from_utf8_lossy(&input)
    );
});

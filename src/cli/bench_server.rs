//! Benchmarks of the server's scheduling (issue 15), printed as tables like `bench.rs`:
//!
//! - `toplevel`: didChange to publishDiagnostics over stdio for an edit outside every function (a
//!   comment line added to and removed from the import block), which the whole file pays for.
//! - `hover-busy`: hover latency over stdio while the analysis of such an edit runs on a
//!   20,000-line file: hovers are sent back to back from the edit until its diagnostics arrive.
//! - `snapshot`: what taking and writing through a snapshot of the workspace index costs in
//!   generated workspaces of up to 100,000 files (the analysis reads the index off the state lock).

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::analysis::go;
use crate::analysis::model;
use crate::analysis::workspace::Workspace;
use crate::cli::bench::{Child, generated_file, generated_workspace, stats};

const URI: &str = "file:///bench/svc.go";

/// A server with the generated file of `lines` lines open and its first diagnostics published.
fn open_file(lines: usize) -> std::io::Result<(Child, String)> {
    let src = generated_file(lines);
    let mut c = Child::spawn()?;
    c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "capabilities": {"general": {"positionEncodings": ["utf-8"]}}, "rootUri": null}}))?;
    while c.recv()?["id"] != 1 {}
    c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": URI, "languageId": "go", "version": 0, "text": src}}}))?;
    c.wait_diagnostics(0)?;
    Ok((c, src))
}

fn close(mut c: Child) -> std::io::Result<()> {
    c.send(&json!({"jsonrpc": "2.0", "id": 999_999, "method": "shutdown"}))?;
    c.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
    let _ = c.proc.wait();
    Ok(())
}

/// The line after `import (`: a comment is inserted there and removed again, alternately.
fn import_line(src: &str) -> usize {
    src.lines().position(|l| l == "import (").unwrap_or(1) + 1
}

/// Edit `version` of the top-level round trip: odd versions add the comment line, even ones remove
/// it. Returns whether the comment is present after the edit.
fn send_toplevel_edit(c: &mut Child, line: usize, version: i64) -> std::io::Result<bool> {
    let add = version % 2 == 1;
    let change = if add {
        json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "\t// a note\n"})
    } else {
        json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}}, "text": ""})
    };
    c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]}}))?;
    Ok(add)
}

/// didChange -> publishDiagnostics (ms) for `rounds` top-level edits of a `lines`-line file.
fn toplevel_round_trips(lines: usize, rounds: usize) -> std::io::Result<Vec<f64>> {
    let (mut c, src) = open_file(lines)?;
    let line = import_line(&src);
    let mut times = vec![];
    for i in 0..rounds {
        let version = (i + 1) as i64;
        let t = Instant::now();
        send_toplevel_edit(&mut c, line, version)?;
        c.wait_diagnostics(version)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        // Let the refresh after the edit (150 ms) pass, so rounds do not overlap.
        std::thread::sleep(Duration::from_millis(250));
    }
    close(c)?;
    Ok(times)
}

pub fn toplevel(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "## Top-level edit to diagnostics (a comment line added to / removed from the import block)\n"
    )?;
    writeln!(out, "| file | edits | median | p95 | max |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for (lines, rounds) in [(5_000usize, 20usize), (20_000, 10)] {
        let t = toplevel_round_trips(lines, rounds)?;
        let max = t.iter().cloned().fold(0.0, f64::max);
        let (med, p95) = stats(t);
        writeln!(
            out,
            "| {lines} lines | {rounds} | {med:.1} ms | {p95:.1} ms | {max:.1} ms |"
        )?;
    }
    Ok(())
}

/// One hover round trip; also notes whether the diagnostics of `version` arrived meanwhile.
fn hover_once(
    c: &mut Child,
    id: i64,
    line: usize,
    character: usize,
    version: i64,
    published: &mut bool,
) -> std::io::Result<(f64, bool)> {
    let t = Instant::now();
    c.send(&json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}}))?;
    loop {
        let v = c.recv()?;
        if v.get("id").is_some() && v.get("method").is_some() {
            c.send(&json!({"jsonrpc": "2.0", "id": v["id"], "result": null}))?;
            continue;
        }
        if v["method"] == "textDocument/publishDiagnostics"
            && v["params"]["version"] == json!(version)
        {
            *published = true;
        }
        if v["id"] == json!(id) && v.get("method").is_none() {
            let answered = !v["result"].is_null();
            return Ok((t.elapsed().as_secs_f64() * 1e3, answered));
        }
    }
}

pub fn hover_busy(out: &mut dyn Write) -> std::io::Result<()> {
    let lines = 20_000;
    let rounds = 10;
    let (mut c, src) = open_file(lines)?;
    let import = import_line(&src);
    // `restate.Get` in the handler in the middle of the file: SDK documentation.
    let mid = src.lines().count() / 2;
    let (hline, hcol) = src
        .lines()
        .enumerate()
        .skip(mid)
        .find_map(|(i, l)| l.find("restate.Get").map(|c| (i, c + "restate.".len())))
        .unwrap_or((mid, 0));
    let mut all = vec![];
    let mut first = vec![];
    let (mut during, mut answered, mut analysis) = (0usize, 0usize, vec![]);
    let mut id = 10;
    for i in 0..rounds {
        let version = (i + 1) as i64;
        let t = Instant::now();
        let shifted = send_toplevel_edit(&mut c, import, version)?;
        let line = hline + usize::from(shifted);
        let mut published = false;
        // A hover every 10 ms (as a pointer resting on code), from the edit until its
        // diagnostics are out; at least one.
        let mut n = 0;
        while !published {
            id += 1;
            let (ms, ok) = hover_once(&mut c, id, line, hcol, version, &mut published)?;
            if n == 0 {
                first.push(ms);
            }
            n += 1;
            all.push(ms);
            answered += usize::from(ok);
            during += usize::from(!published);
            std::thread::sleep(
                Duration::from_millis(10).saturating_sub(Duration::from_secs_f64(ms / 1e3)),
            );
        }
        analysis.push(t.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_millis(250));
    }
    close(c)?;
    let n = all.len();
    let max = all.iter().cloned().fold(0.0, f64::max);
    let (med, p95) = stats(all);
    let (fmed, fp95) = stats(first);
    let (amed, _) = stats(analysis);
    writeln!(
        out,
        "## Hover while a top-level edit of a {lines}-line file is analysed ({rounds} edits, a hover every 10 ms)\n"
    )?;
    writeln!(
        out,
        "| hovers | answered before the diagnostics | with content | median | p95 | max | first hover after the edit (median / p95) | edit to diagnostics (median) |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    writeln!(
        out,
        "| {n} | {during} | {answered} | {med:.2} ms | {p95:.2} ms | {max:.1} ms | {fmed:.1} / {fp95:.1} ms | {amed:.0} ms |"
    )?;
    Ok(())
}

fn median_ms(mut f: impl FnMut() -> Duration, reps: usize) -> f64 {
    let (m, _) = stats((0..reps).map(|_| f().as_secs_f64() * 1e3).collect());
    m
}

pub fn snapshot(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## Snapshots of the workspace index\n")?;
    writeln!(
        out,
        "| workspace files | take a snapshot (clone the index) | re-index one file while a snapshot is held | re-index one file, no snapshot held |"
    )?;
    writeln!(out, "|---|---|---|---|")?;
    for n in [2_000usize, 20_000, 100_000] {
        let files = generated_workspace(n);
        let mut ws = Workspace::new();
        let mut parser = go::new_parser();
        for (p, s) in &files {
            let tree = go::parse(&mut parser, s);
            ws.upsert(p.clone(), model::extract(s, &tree), 16);
        }
        let (path, src) = &files[n / 2];
        let tree = go::parse(&mut parser, src);
        let edited = model::extract(src, &tree);
        let take = median_ms(
            || {
                let t = Instant::now();
                let snapshot = ws.clone();
                let e = t.elapsed();
                drop(snapshot);
                e
            },
            101,
        );
        let held = median_ms(
            || {
                let snapshot = ws.clone();
                let t = Instant::now();
                ws.upsert(path.clone(), edited.clone(), 16);
                let e = t.elapsed();
                drop(snapshot);
                e
            },
            21,
        );
        let alone = median_ms(
            || {
                let t = Instant::now();
                ws.upsert(path.clone(), edited.clone(), 16);
                t.elapsed()
            },
            21,
        );
        writeln!(out, "| {n} | {take:.4} ms | {held:.3} ms | {alone:.3} ms |")?;
    }
    Ok(())
}

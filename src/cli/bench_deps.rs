//! `restate-lsp bench deps --corpus DIR`: the dependency summaries on a generated module cache
//! (`scripts/gen-modcache.py DIR`: 200 modules and a workspace importing them).
//!
//! In-process: a cold load (nothing cached; one thread as the server loads, and the threads
//! `check` uses), a warm load (a new process reading the summary cache), the summaries' memory,
//! the cache's size on disk, and the cost of one lookup. Over stdio, cold and warm starts of the
//! server: spawn to the first diagnostics of an opened file, to the end of indexing, to the
//! summaries being in (a complete index), and the server's peak RSS; then keystrokes in the opened
//! file with the summaries loaded.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use crate::analysis::gomod;
use crate::analysis::model;
use crate::analysis::workspace::Workspace;
use crate::cli::bench::{Child, stats};
use crate::deps::cache::DiskCache;
use crate::deps::{self, Options};

const RUNS: usize = 3;
const EDITS: usize = 100;

fn workspace(root: &Path) -> Workspace {
    let found = crate::scan::scan(&[root.to_path_buf()]);
    let mut ws = Workspace::new();
    for m in &found.go_mods {
        if let (Some(dir), Ok(text)) = (m.parent(), std::fs::read_to_string(m)) {
            ws.set_gomod(dir.to_path_buf(), gomod::parse(&text));
        }
    }
    let mut parser = crate::analysis::go::new_parser();
    for f in &found.go_files {
        if let Ok(src) = std::fs::read_to_string(f) {
            let tree = crate::analysis::go::parse(&mut parser, &src);
            ws.upsert(f.clone(), model::extract(&src, &tree), 1);
        }
    }
    ws
}

fn dir_bytes(dir: &Path) -> (u64, usize) {
    let (mut bytes, mut files) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => {
                    bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                    files += 1;
                }
                Err(_) => {}
            }
        }
    }
    (bytes, files)
}

fn child_peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One server start: ms to first diagnostics, to "indexed", to the summaries, peak RSS (MiB),
/// and with `edits` the keystroke latencies afterwards.
struct Start {
    first: f64,
    indexed: f64,
    summaries: f64,
    /// Peak RSS once the summaries are in, and at the end (after the keystrokes).
    rss_loaded: f64,
    rss: f64,
    log: String,
    keystrokes: Vec<f64>,
}

fn server_start(
    corpus: &Path,
    modcache: &Path,
    cache: &Path,
    edits: usize,
) -> std::io::Result<Start> {
    let vars: [(&str, &OsStr); 3] = [
        ("GOMODCACHE", modcache.as_os_str()),
        ("RESTATE_LSP_CACHE_DIR", cache.as_os_str()),
        ("GOENV", OsStr::new("off")),
    ];
    let root_dir = corpus.join("ws");
    let root = format!("file://{}", root_dir.display());
    let opened = root_dir.join("svc/svc00.go");
    let text = std::fs::read_to_string(&opened)?;
    let uri = format!("file://{}", opened.display());
    let t = Instant::now();
    let mut c = Child::spawn_env(&vars)?;
    c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "capabilities": {}, "rootUri": root, "workspaceFolders": [{"uri": root, "name": "ws"}]}}))?;
    while c.recv()?["id"] != 1 {}
    c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}}}))?;
    let (mut first, mut indexed, mut summaries) = (None, None, None);
    let mut log = String::new();
    while first.is_none() || indexed.is_none() || summaries.is_none() {
        let v = c.recv()?;
        if v.get("id").is_some() && v.get("method").is_some() {
            c.send(&json!({"jsonrpc": "2.0", "id": v["id"], "result": null}))?;
            continue;
        }
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == json!(uri) {
            first.get_or_insert(ms);
        }
        if v["method"] == "window/logMessage"
            && let Some(m) = v["params"]["message"].as_str()
        {
            if m.contains("indexed") {
                indexed.get_or_insert(ms);
            }
            if m.contains("dependency summaries") {
                summaries.get_or_insert(ms);
                log = m.to_string();
            }
        }
    }
    let rss_loaded = child_peak_rss_mib(c.proc.id());
    // Then keystrokes: a space typed into the handler's body and deleted again.
    let at = text.find("\treturn out, err").unwrap_or(0);
    let pos = crate::analysis::span::Locator::new(&text).pos(at);
    let mut keystrokes = vec![];
    for i in 0..edits {
        let version = 2 + i as i64;
        let (s, e, ins) = if i % 2 == 0 {
            (pos.col, pos.col, " ")
        } else {
            (pos.col, pos.col + 1, "")
        };
        let k = Instant::now();
        c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": pos.line, "character": s}, "end": {"line": pos.line, "character": e}}, "text": ins}]}}))?;
        c.wait_diagnostics(version)?;
        keystrokes.push(k.elapsed().as_secs_f64() * 1e3);
    }
    let rss = child_peak_rss_mib(c.proc.id());
    c.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))?;
    c.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
    let _ = c.proc.wait();
    Ok(Start {
        first: first.unwrap_or(0.0),
        indexed: indexed.unwrap_or(0.0),
        summaries: summaries.unwrap_or(0.0),
        rss_loaded,
        rss,
        log,
        keystrokes,
    })
}

pub fn deps(corpus: Option<&Path>, out: &mut dyn Write) -> std::io::Result<()> {
    let corpus = corpus.unwrap_or(Path::new("/tmp/restate-lsp-modcache"));
    let modcache = corpus.join("gopath/pkg/mod");
    if !modcache.is_dir() || !corpus.join("ws/go.mod").is_file() {
        return Err(std::io::Error::other(format!(
            "no generated module cache at {}; run `python3 scripts/gen-modcache.py {}` first",
            corpus.display(),
            corpus.display()
        )));
    }
    let tmp = std::env::temp_dir().join(format!("restate-lsp-bench-deps-{}", std::process::id()));
    let cache: PathBuf = tmp.join("cache");
    let _ = std::fs::remove_dir_all(&tmp);
    let ws = workspace(&corpus.join("ws"));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let opts = |dir: &Path, threads: usize| Options {
        modcache: Some(modcache.clone()),
        cache: Some(DiskCache::new(dir.join("deps"))),
        write_cache: true,
        threads,
    };

    writeln!(out, "## Dependency summaries, in-process\n")?;
    writeln!(
        out,
        "| load | wall | packages | files parsed | from the disk cache | summaries' heap | cache on disk |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    /// (what, the load, the cache's bytes and files on disk after it)
    type Row = (String, deps::Loaded, Option<(u64, usize)>);
    let mut rows: Vec<Row> = vec![];
    let cold = deps::load(&ws, &opts(&cache, 1));
    rows.push((
        "cold, 1 thread (the server)".into(),
        cold,
        Some(dir_bytes(&cache)),
    ));
    let warm = deps::load(&ws, &opts(&cache, 1));
    rows.push(("warm: a new process, disk cache".into(), warm, None));
    let cache_n = tmp.join("cache-n");
    let cold_n = deps::load(&ws, &opts(&cache_n, threads));
    rows.push((format!("cold, {threads} threads (`check`)"), cold_n, None));
    for (what, l, disk) in &rows {
        let s = &l.stats;
        writeln!(
            out,
            "| {what} | {:.0} ms | {} | {} | {} | {:.1} MiB | {} |",
            s.elapsed.as_secs_f64() * 1e3,
            s.packages,
            s.files_parsed,
            s.from_disk,
            l.index.heap_bytes() as f64 / (1024.0 * 1024.0),
            disk.map(|(b, f)| format!("{:.1} MiB in {f} files", b as f64 / (1024.0 * 1024.0)))
                .unwrap_or_default()
        )?;
    }
    // A lookup as a rule makes it: a method of a type by its normalised name.
    let index = &rows[0].1.index;
    let types: Vec<String> = index
        .packages()
        .filter(|p| p.type_named("Client").is_some())
        .map(|p| format!("*{}.Client", p.path))
        .collect();
    let n = 200_000usize;
    let t = Instant::now();
    let mut hits = 0usize;
    for i in 0..n {
        if let Some(ty) = types.get(i % types.len().max(1))
            && index.method(ty, "Ping").is_some()
        {
            hits += 1;
        }
    }
    let per = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    writeln!(
        out,
        "\nLookup `method(\"*<module>.Client\", \"Ping\")`: {per:.0} ns ({hits} of {n} found).\n"
    )?;

    writeln!(out, "## Dependency summaries, server start over stdio\n")?;
    writeln!(
        out,
        "| start | first diagnostics | indexed | summaries in | peak RSS: summaries in / at the end | keystroke median / p95 |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    let server_cache = tmp.join("server");
    // For comparison: the same start with no module cache (no summaries at all).
    let none = server_start(corpus, &tmp.join("no-modcache"), &server_cache, 0)?;
    writeln!(
        out,
        "| no module cache | {:.0} ms | {:.0} ms | {:.0} ms (0 packages) | {:.0} / {:.0} MiB | |",
        none.first, none.indexed, none.summaries, none.rss_loaded, none.rss
    )?;
    let mut last_log = String::new();
    for run in 0..RUNS * 2 {
        let cold = run % 2 == 0;
        if cold {
            let _ = std::fs::remove_dir_all(&server_cache);
        }
        let s = server_start(
            corpus,
            &modcache,
            &server_cache,
            if cold { 0 } else { EDITS },
        )?;
        let keys = if s.keystrokes.is_empty() {
            String::new()
        } else {
            let (m, p) = stats(s.keystrokes.clone());
            format!("{m:.2} / {p:.2} ms")
        };
        writeln!(
            out,
            "| {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} / {:.0} MiB | {keys} |",
            if cold { "cold" } else { "warm" },
            s.first,
            s.indexed,
            s.summaries,
            s.rss_loaded,
            s.rss
        )?;
        last_log = s.log;
    }
    writeln!(out, "\nServer log of the last start: `{last_log}`")?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

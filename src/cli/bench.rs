//! `restate-lsp bench`: measurements printed as tables (never asserted in tests).
//!
//! - `keystroke`: didChange to publishDiagnostics over the real LSP transport (this binary spawned as
//!   a server) for one-character edits in generated 5,000- and 20,000-line handler files, and the
//!   same path split into its parts in-process.
//! - `startup`: server start to the first diagnostics of an opened file in a 2,000-file workspace on
//!   disk, and to the end of indexing.
//! - `hover`: hover answers at every identifier and string of a generated handler file, in-process.
//! - `update`: the cost of re-indexing one edited file in generated workspaces of growing size.
//! - `index` / `check`: a large Go corpus indexed in-process (time, throughput, peak RSS, bytes kept
//!   per file) and checked by the CLI against a bare tree-sitter parse (and ast-grep when present).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::analysis::config::Config;
use crate::analysis::go;
use crate::analysis::model;
use crate::analysis::rules::{self, FileInput};
use crate::analysis::workspace::Workspace;

/// One generated handler (about 50 lines) with state, calls, a Run step and a few findings.
fn handler_block(i: usize) -> String {
    format!(
        r#"
// Step{i} handles request {i}.
func (Svc) Step{i}(ctx restate.ObjectContext, req Request) (Reply, error) {{
	count, err := restate.Get[int](ctx, "count{i}")
	if err != nil {{
		return Reply{{}}, err
	}}
	if req.Amount < 0 {{
		return Reply{{}}, restate.TerminalErrorf("negative amount %d", req.Amount)
	}}
	price, err := restate.Run(ctx, func(ctx restate.RunContext) (int, error) {{
		return quote(req.Item, {i})
	}}, restate.WithName("quote{i}"))
	if err != nil {{
		return Reply{{}}, err
	}}
	stock, err := restate.Service[int](ctx, "Inventory", "Stock").Request(req.Item)
	if err != nil {{
		return Reply{{}}, err
	}}
	total := price * req.Amount
	if total > stock {{
		total = stock
	}}
	for _, tag := range req.Tags {{
		if tag == "rush" {{
			total += {i}
		}}
	}}
	restate.Set(ctx, "count{i}", count+1)
	restate.Set(ctx, "last{i}", total)
	stamp := time.Now()
	_ = stamp
	restate.ObjectSend(ctx, "Audit", req.Item, "Record").Send(total)
	if err := restate.Sleep(ctx, 10*time.Millisecond); err != nil {{
		return Reply{{}}, err
	}}
	label := fmt.Sprintf("%s-%d", req.Item, total)
	return Reply{{Label: label, Total: total}}, nil
}}
"#
    )
}

pub fn generated_file(lines: usize) -> String {
    let mut src = String::from(
        "package bench\n\nimport (\n\t\"fmt\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\ntype Request struct {\n\tItem   string\n\tAmount int\n\tTags   []string\n}\n\ntype Reply struct {\n\tLabel string\n\tTotal int\n}\n\nfunc quote(item string, n int) (int, error) { return len(item) + n, nil }\n",
    );
    let mut i = 0;
    while src.lines().count() < lines {
        src.push_str(&handler_block(i));
        i += 1;
    }
    src
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub(crate) fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (percentile(&v, 0.5), percentile(&v, 0.95))
}

// ---- keystroke over the transport ------------------------------------------------------------------

pub(crate) struct Child {
    pub(crate) proc: std::process::Child,
    stdin: std::process::ChildStdin,
    out: BufReader<std::process::ChildStdout>,
}

impl Child {
    /// This binary as a server, or the one `RESTATE_LSP_BENCH_SERVER` names (to compare builds).
    pub(crate) fn spawn() -> std::io::Result<Child> {
        Self::spawn_env(&[])
    }

    /// The same with environment variables set for the server.
    pub(crate) fn spawn_env(vars: &[(&str, &std::ffi::OsStr)]) -> std::io::Result<Child> {
        let exe = match std::env::var_os("RESTATE_LSP_BENCH_SERVER") {
            Some(p) => PathBuf::from(p),
            None => std::env::current_exe()?,
        };
        let mut proc = Command::new(exe)
            .envs(vars.iter().copied())
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = proc
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        let out = BufReader::new(
            proc.stdout
                .take()
                .ok_or_else(|| std::io::Error::other("no stdout"))?,
        );
        Ok(Child { proc, stdin, out })
    }

    pub(crate) fn send(&mut self, v: &Value) -> std::io::Result<()> {
        let body = serde_json::to_vec(v).map_err(std::io::Error::other)?;
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len())?;
        self.stdin.write_all(&body)?;
        self.stdin.flush()
    }

    pub(crate) fn recv(&mut self) -> std::io::Result<Value> {
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if self.out.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("server closed"));
            }
            let t = line.trim_end();
            if t.is_empty() {
                break;
            }
            if let Some(v) = t.strip_prefix("Content-Length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; len];
        self.out.read_exact(&mut body)?;
        serde_json::from_slice(&body).map_err(std::io::Error::other)
    }

    /// Wait for diagnostics of `version`, answering server requests on the way.
    pub(crate) fn wait_diagnostics(&mut self, version: i64) -> std::io::Result<()> {
        loop {
            let v = self.recv()?;
            if v.get("id").is_some() && v.get("method").is_some() {
                self.send(&json!({"jsonrpc": "2.0", "id": v["id"], "result": null}))?;
                continue;
            }
            if v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["version"] == json!(version)
            {
                return Ok(());
            }
        }
    }
}

/// didChange -> publishDiagnostics latencies (ms) over stdio for `edits` one-character edits.
fn keystroke_transport(lines: usize, edits: usize) -> std::io::Result<Vec<f64>> {
    let src = generated_file(lines);
    let mut c = Child::spawn()?;
    c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "capabilities": {"general": {"positionEncodings": ["utf-8"]}}, "rootUri": null}}))?;
    loop {
        let v = c.recv()?;
        if v["id"] == 1 {
            break;
        }
    }
    c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    let uri = "file:///bench/svc.go";
    c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "go", "version": 0, "text": src}}}))?;
    c.wait_diagnostics(0)?;
    // Type and delete a character in the middle of a handler body.
    let mid_line = src.lines().count() / 2;
    let line_text = src.lines().nth(mid_line).unwrap_or("");
    let col = line_text.len();
    let mut times = vec![];
    for i in 0..edits {
        let version = (i + 1) as i64;
        let change = if i % 2 == 0 {
            json!({"range": {"start": {"line": mid_line, "character": col}, "end": {"line": mid_line, "character": col}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": mid_line, "character": col}, "end": {"line": mid_line, "character": col + 1}}, "text": ""})
        };
        let t = Instant::now();
        c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}}))?;
        c.wait_diagnostics(version)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    c.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))?;
    c.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
    let _ = c.proc.wait();
    Ok(times)
}

/// The same path in-process, part by part (ms): rope edit, tree edit + reparse, the server's
/// analysis after an edit (incremental when it can be) with the conversion to LSP diagnostics, and
/// for comparison the whole-file analysis (model, index update, rules) that every edit cost before.
fn keystroke_parts(lines: usize, edits: usize) -> [Vec<f64>; 4] {
    use crate::server::diagnostics;
    use crate::server::documents::Document;
    use crate::server::encoding::Encoding;
    use crate::server::state::State;
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
    let src = generated_file(lines);
    let Ok(uri) = "file:///bench/svc.go".parse::<Uri>() else {
        return Default::default();
    };
    let mut st = State {
        enc: Encoding::Utf8,
        ..State::default()
    };
    let doc = Document::open(
        uri.clone(),
        PathBuf::from("/bench/svc.go"),
        0,
        &src,
        &mut st.parser,
    );
    st.docs.insert(uri.clone(), doc);
    st.index_document(&uri);
    diagnostics::refresh_document(&mut st, &uri);
    let mid_line = (src.lines().count() / 2) as u32;
    let col = src.lines().nth(mid_line as usize).unwrap_or("").len() as u32;
    let mut out: [Vec<f64>; 4] = Default::default();
    for i in 0..edits {
        let change = TextDocumentContentChangeEvent {
            range: Some(if i % 2 == 0 {
                Range::new(Position::new(mid_line, col), Position::new(mid_line, col))
            } else {
                Range::new(
                    Position::new(mid_line, col),
                    Position::new(mid_line, col + 1),
                )
            }),
            range_length: None,
            text: if i % 2 == 0 {
                "x".into()
            } else {
                String::new()
            },
        };
        let State { docs, parser, .. } = &mut st;
        let Some(doc) = docs.get_mut(&uri) else {
            break;
        };
        // Rope edit alone, on a copy.
        let t = Instant::now();
        let mut rope = doc.rope.clone();
        let at =
            crate::server::encoding::to_byte(&rope, Position::new(mid_line, col), Encoding::Utf8);
        let ch = rope.byte_to_char(at);
        if i % 2 == 0 {
            rope.insert(ch, "x");
        } else {
            rope.remove(ch..ch + 1);
        }
        out[0].push(t.elapsed().as_secs_f64() * 1e3);
        // Rope + tree edit + incremental reparse (the document's own path).
        let t = Instant::now();
        let previous = doc.version;
        doc.apply_changes(&[change], Encoding::Utf8, parser);
        doc.version = previous + 1;
        out[1].push(t.elapsed().as_secs_f64() * 1e3 - out[0][i]);
        // What the server does next: analysis and conversion.
        let t = Instant::now();
        std::hint::black_box(diagnostics::after_edit(&mut st, &uri));
        out[2].push(t.elapsed().as_secs_f64() * 1e3);
        // The whole file, every few edits (it is slow).
        if i % 20 == 0 {
            let t = Instant::now();
            st.index_document(&uri);
            std::hint::black_box(diagnostics::refresh_document(&mut st, &uri));
            out[3].push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    out
}

pub fn keystroke(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "## Keystroke latency (one-character edits, 200 per file)\n"
    )?;
    writeln!(
        out,
        "| file | transport median | transport p95 | rope edit | tree edit + reparse | analysis + conversion | whole file (before) |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for lines in [5_000usize, 20_000] {
        let t = keystroke_transport(lines, 200)?;
        let (med, p95) = stats(t);
        let parts = keystroke_parts(lines, 200);
        let p: Vec<String> = parts
            .iter()
            .map(|v| {
                let (m, p) = stats(v.clone());
                format!("{m:.3} / {p:.3}")
            })
            .collect();
        writeln!(
            out,
            "| {lines} lines | {med:.2} ms | {p95:.2} ms | {} | {} | {} | {} |",
            p[0], p[1], p[2], p[3]
        )?;
    }
    writeln!(
        out,
        "\nParts are median / p95 in ms, measured in-process on the same edits."
    )?;
    Ok(())
}

// ---- index update cost vs workspace size -----------------------------------------------------------

/// A generated workspace of `n` files in packages of 10, each file a small service calling others.
pub(crate) fn generated_workspace(n: usize) -> Vec<(PathBuf, String)> {
    (0..n)
        .map(|i| {
            let pkg = i / 10;
            let src = format!(
                "package p{pkg}\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype S{i} struct{{}}\n\nfunc (S{i}) H(ctx restate.ObjectContext, x int) (int, error) {{\n\tv, err := restate.Object[int](ctx, \"S{}\", \"k\", \"H\").Request(x)\n\tif err != nil {{\n\t\treturn 0, err\n\t}}\n\trestate.Set(ctx, \"v\", v)\n\treturn helper{i}(v), nil\n}}\n\nfunc helper{i}(v int) int {{ return v + 1 }}\n",
                (i + 1) % n
            );
            (PathBuf::from(format!("/gen/p{pkg}/f{i}.go")), src)
        })
        .collect()
}

pub fn update(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## Index update for one edited file\n")?;
    writeln!(
        out,
        "| workspace files | initial index | re-index one file (median) | p95 | + rules on it (median) |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for n in [200usize, 2_000, 8_000] {
        let files = generated_workspace(n);
        let mut ws = Workspace::new();
        let mut parser = go::new_parser();
        let t = Instant::now();
        for (p, s) in &files {
            let tree = go::parse(&mut parser, s);
            ws.upsert(p.clone(), model::extract(s, &tree), 16);
        }
        let initial = t.elapsed();
        let (path, src) = &files[n / 2];
        let config = Config::default();
        let mut reindex = vec![];
        let mut with_rules = vec![];
        for i in 0..200 {
            let edited = if i % 2 == 0 {
                src.replace("v + 1", "v + 2")
            } else {
                src.clone()
            };
            let tree = go::parse(&mut parser, &edited);
            let t = Instant::now();
            ws.upsert(path.clone(), model::extract(&edited, &tree), 16);
            reindex.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            if let Some(file) = ws.file(path) {
                let fs = rules::check_file(&FileInput {
                    path,
                    src: &edited,
                    tree: &tree,
                    model: &file.model,
                    ws: &ws,
                    config: &config,
                    gomod: None,
                });
                std::hint::black_box(fs);
            }
            with_rules.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (m, p) = stats(reindex);
        let (r, _) = stats(with_rules);
        writeln!(
            out,
            "| {n} | {:.0} ms | {m:.3} ms | {p:.3} ms | {r:.3} ms |",
            initial.as_secs_f64() * 1e3
        )?;
    }
    Ok(())
}

// ---- corpus: indexing and check ------------------------------------------------------------------------

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

pub fn index(corpus: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let found = crate::scan::scan(&[corpus.to_path_buf()]);
    let rss_before = peak_rss_kb().unwrap_or(0);
    let t = Instant::now();
    let mut ws = Workspace::new();
    let mut parser = go::new_parser();
    let mut bytes = 0usize;
    let mut lines = 0usize;
    for p in &found.go_files {
        let Ok(Some(src)) = crate::scan::read_source(p) else {
            continue;
        };
        bytes += src.len();
        let n = src.lines().count();
        lines += n;
        let tree = go::parse(&mut parser, &src);
        ws.upsert(p.clone(), model::extract(&src, &tree), n as u32);
    }
    let elapsed = t.elapsed();
    let kept = ws
        .files()
        .map(|f| crate::analysis::model::heap_bytes(&f.model))
        .sum::<usize>();
    let files = ws.file_count().max(1);
    writeln!(out, "## Workspace indexing of {}\n", corpus.display())?;
    writeln!(
        out,
        "| files | lines | bytes | wall | throughput | peak RSS | kept per file | kept per 100 lines |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    writeln!(
        out,
        "| {files} | {lines} | {bytes} | {:.2} s | {:.0} k lines/s | {} MiB (start {} MiB) | {} B | {} B |",
        elapsed.as_secs_f64(),
        lines as f64 / elapsed.as_secs_f64() / 1e3,
        peak_rss_kb().unwrap_or(0) / 1024,
        rss_before / 1024,
        kept / files,
        kept * 100 / lines.max(1)
    )?;
    Ok(())
}

fn time_cmd(cmd: &mut Command) -> Option<Duration> {
    let t = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let _ = status;
    Some(t.elapsed())
}

pub fn check(corpus: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let found = crate::scan::scan(&[corpus.to_path_buf()]);
    // The floor: read and parse every file, nothing else, with the same thread count as check.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let t = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut parser = go::new_parser();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(p) = found.go_files.get(i) else {
                        break;
                    };
                    if let Ok(Some(src)) = crate::scan::read_source(p) {
                        std::hint::black_box(go::parse(&mut parser, &src));
                    }
                }
            });
        }
    });
    let parse = t.elapsed();
    let exe = std::env::current_exe()?;
    let check = time_cmd(Command::new(&exe).arg("check").arg(corpus)).unwrap_or_default();
    let astgrep = which("ast-grep").and_then(|sg| {
        let rules = std::env::temp_dir().join("restate-lsp-bench-astgrep.yml");
        std::fs::write(&rules, ASTGREP_RULES).ok()?;
        time_cmd(
            Command::new(sg)
                .args(["scan", "-r"])
                .arg(&rules)
                .arg(corpus),
        )
    });
    writeln!(
        out,
        "## check over {} ({} files, {threads} threads)\n",
        corpus.display(),
        found.go_files.len()
    )?;
    writeln!(
        out,
        "| bare tree-sitter parse | restate-lsp check | ratio | ast-grep (5 rules) | check / ast-grep |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    let sg = astgrep
        .map(|d| format!("{:.2} s", d.as_secs_f64()))
        .unwrap_or_else(|| "not installed".into());
    let ratio_sg = astgrep
        .map(|d| format!("{:.2}", check.as_secs_f64() / d.as_secs_f64()))
        .unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "| {:.2} s | {:.2} s | {:.2} | {sg} | {ratio_sg} |",
        parse.as_secs_f64(),
        check.as_secs_f64(),
        check.as_secs_f64() / parse.as_secs_f64().max(1e-9)
    )?;
    Ok(())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// The peer's equivalent of our cheapest checks (ast-grep needs `context` + `selector` for Go calls).
const ASTGREP_RULES: &str = r#"id: time-now
language: go
rule:
  pattern:
    context: func t() { time.Now() }
    selector: call_expression
---
id: time-sleep
language: go
rule:
  pattern:
    context: func t() { time.Sleep($$$) }
    selector: call_expression
---
id: rand-intn
language: go
rule:
  pattern:
    context: func t() { rand.Intn($$$) }
    selector: call_expression
---
id: uuid-new
language: go
rule:
  pattern:
    context: func t() { uuid.New() }
    selector: call_expression
---
id: go-stmt
language: go
rule:
  kind: go_statement
"#;

/// Per-family timing on a generated file (for profiling).
pub fn families(out: &mut dyn Write) -> std::io::Result<()> {
    let lines = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let src = generated_file(lines);
    let tree = go::parse_str(&src);
    let t = Instant::now();
    let sem = crate::analysis::semantic::Semantic::build(&src, &tree);
    writeln!(out, "semantic: {:.2} ms", t.elapsed().as_secs_f64() * 1e3)?;
    let t = Instant::now();
    let m = model::extract_with_semantic(&sem, &Default::default());
    writeln!(
        out,
        "extract (given the semantic model): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    )?;
    if std::env::var_os("BENCH_EXTRACT_ONLY").is_some() {
        for _ in 0..5 {
            std::hint::black_box(model::extract(&src, &tree));
        }
        return Ok(());
    }
    let mut ws = Workspace::new();
    let path = PathBuf::from("/bench/svc.go");
    let t = Instant::now();
    ws.upsert(path.clone(), m.clone(), 5000);
    writeln!(out, "upsert: {:.2} ms", t.elapsed().as_secs_f64() * 1e3)?;
    let config = Config::default();
    let input = FileInput {
        path: &path,
        src: &src,
        tree: &tree,
        model: &m,
        ws: &ws,
        config: &config,
        gomod: None,
    };
    let t = Instant::now();
    let f = crate::analysis::rules::facts::Facts::collect(&sem, &m);
    std::hint::black_box(&f);
    writeln!(out, "facts: {:.2} ms", t.elapsed().as_secs_f64() * 1e3)?;
    let t = Instant::now();
    let all = rules::check_file(&input);
    writeln!(
        out,
        "all families: {:.2} ms ({} findings)",
        t.elapsed().as_secs_f64() * 1e3,
        all.len()
    )?;
    // One handler in the middle of the file, as a keystroke inside it re-analyses it.
    let outline = crate::analysis::incremental::outline(&src, &tree);
    let k = go::kinds();
    let funcs: Vec<_> = outline
        .decls
        .iter()
        .filter(|d| d.kind == k.method_declaration)
        .collect();
    if let Some(d) = funcs.get(funcs.len() / 2) {
        let mut parser = go::new_parser();
        let opts = model::ExtractOptions::default();
        let mut times = vec![];
        let mut n = 0;
        let reps = if std::env::var_os("BENCH_REDUCED_ONLY").is_some() {
            300
        } else {
            20
        };
        for _ in 0..reps {
            let t = Instant::now();
            n = crate::analysis::incremental::analyse_function(
                &input,
                &(d.start..d.end),
                &opts,
                &mut parser,
            )
            .len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        writeln!(
            out,
            "one function (reduced copy): median {:.2} ms ({n} findings)",
            times[times.len() / 2]
        )?;
        let t = Instant::now();
        std::hint::black_box(crate::analysis::incremental::outline(&src, &tree));
        writeln!(out, "outline: {:.3} ms", t.elapsed().as_secs_f64() * 1e3)?;
    }
    for fam in rules::FAMILIES {
        let t = Instant::now();
        let fs = rules::check_file_with(&input, std::slice::from_ref(fam));
        writeln!(
            out,
            "{}: {:.2} ms ({} findings)",
            fam.0,
            t.elapsed().as_secs_f64() * 1e3,
            fs.len()
        )?;
    }
    Ok(())
}

/// Hover at the start of every identifier, field and string literal of a generated 5,000-line
/// handler file, through the server's hover function (SDK docs, handlers, call strings, rule
/// summaries), with the document open and analysed as in the editor.
pub fn hover(out: &mut dyn Write) -> std::io::Result<()> {
    use crate::server::diagnostics;
    use crate::server::documents::Document;
    use crate::server::encoding::Encoding;
    use crate::server::state::State;
    use tower_lsp_server::ls_types::{
        HoverParams, Position, TextDocumentIdentifier, TextDocumentPositionParams, Uri,
    };
    let src = generated_file(5_000);
    let uri: Uri = "file:///bench/svc.go"
        .parse()
        .map_err(|_| std::io::Error::other("bad bench uri"))?;
    let mut st = State {
        enc: Encoding::Utf8,
        ..State::default()
    };
    let doc = Document::open(
        uri.clone(),
        PathBuf::from("/bench/svc.go"),
        0,
        &src,
        &mut st.parser,
    );
    let tree = doc.tree.clone();
    st.docs.insert(uri.clone(), doc);
    st.index_document(&uri);
    diagnostics::refresh_document(&mut st, &uri);
    let mut positions = vec![];
    go::walk(tree.root_node(), |n| {
        if matches!(
            n.kind(),
            "identifier" | "field_identifier" | "type_identifier" | "interpreted_string_literal"
        ) {
            let p = n.start_position();
            positions.push(Position::new(p.row as u32, p.column as u32 + 1));
        }
        true
    });
    // The SDK documentation tables are parsed once per process, on first use.
    let t = Instant::now();
    let entries = crate::analysis::docs::all().count();
    let load = t.elapsed().as_secs_f64() * 1e3;
    let mut times = vec![];
    let mut answered = 0;
    for pos in &positions {
        let params = HoverParams {
            text_document_position_params: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri: uri.clone() },
                position: *pos,
            },
            work_done_progress_params: Default::default(),
        };
        let t = Instant::now();
        let h = crate::server::hover::hover(&st, &params);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        answered += usize::from(h.is_some());
    }

    let n = times.len();
    let max = times.iter().cloned().fold(0.0, f64::max);
    let (med, p95) = stats(times);
    writeln!(out, "## Hover (5,000-line handler file, in-process)\n")?;
    writeln!(
        out,
        "| positions | answered | median | p95 | max | loading the {entries} SDK entries |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    writeln!(
        out,
        "| {n} | {answered} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} ms |",
        med * 1e3,
        p95 * 1e3,
        max * 1e3,
        load
    )?;
    Ok(())
}

/// Server start (process spawn) to the first diagnostics of a file opened right after
/// `initialized`, in a generated 2,000-file workspace written to a temporary folder, and to the
/// end of the background indexing.
pub fn startup(out: &mut dyn Write) -> std::io::Result<()> {
    let dir = std::env::temp_dir().join(format!("restate-lsp-startup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = generated_workspace(2_000);
    for (p, src) in &files {
        let rel = p.strip_prefix("/gen").unwrap_or(p);
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, src)?;
    }
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/gen\n\ngo 1.22\n\nrequire github.com/restatedev/sdk-go v1.0.0\n",
    )?;
    let root = format!("file://{}", dir.display());
    let opened = dir.join("p100/f1000.go");
    let text = std::fs::read_to_string(&opened)?;
    let mut runs: Vec<(f64, f64)> = vec![];
    for _ in 0..5 {
        let t = Instant::now();
        let mut c = Child::spawn()?;
        c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "capabilities": {}, "rootUri": root, "workspaceFolders": [{"uri": root, "name": "gen"}]}}))?;
        loop {
            if c.recv()?["id"] == 1 {
                break;
            }
        }
        c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
        let uri = format!("file://{}", opened.display());
        c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}}}))?;
        let (mut first, mut indexed) = (None, None);
        while first.is_none() || indexed.is_none() {
            let v = c.recv()?;
            if v.get("id").is_some() && v.get("method").is_some() {
                c.send(&json!({"jsonrpc": "2.0", "id": v["id"], "result": null}))?;
                continue;
            }
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == json!(uri)
            {
                first.get_or_insert(ms);
            }
            if v["method"] == "window/logMessage"
                && v["params"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("indexed"))
            {
                indexed.get_or_insert(ms);
            }
        }
        c.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))?;
        c.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
        let _ = c.proc.wait();
        runs.push((first.unwrap_or(0.0), indexed.unwrap_or(0.0)));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (f, _) = stats(runs.iter().map(|r| r.0).collect());
    let (i, _) = stats(runs.iter().map(|r| r.1).collect());
    writeln!(
        out,
        "## Start-up (2,000-file workspace on disk, median of 5)\n"
    )?;
    writeln!(
        out,
        "| spawn to first diagnostics of the opened file | spawn to indexing done |"
    )?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| {f:.0} ms | {i:.0} ms |")?;
    Ok(())
}

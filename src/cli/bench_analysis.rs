//! `restate-lsp bench analysis`: whole-file analysis of handler-dense files (every few lines a
//! Restate call and a finding) at 1,000 / 5,000 / 20,000 / 50,000 lines, and of one function of
//! 1,000 and 10,000 statements, in-process, with the slope: the analysis must grow linearly with
//! the file, not with the square of a function's length.
//!
//! `BENCH_EMIT=<dir>` also writes the generated files there, so `restate-lsp check` of this or
//! another build can be timed on exactly the same input.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::analysis::config::Config;
use crate::analysis::go;
use crate::analysis::model;
use crate::analysis::rules::{self, FileInput};
use crate::analysis::semantic::Semantic;
use crate::analysis::workspace::Workspace;

const HEADER: &str = "package bench\n\nimport (\n\t\"fmt\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\ntype Request struct {\n\tItem   string\n\tAmount int\n}\n";

/// A 14-line exclusive handler: state read and writes, a clock read journaled into state, a
/// request whose error is dropped, a wall-clock sleep and console output.
fn dense_handler(i: usize) -> String {
    format!(
        r#"
func (Svc) Step{i}(ctx restate.ObjectContext, req Request) (string, error) {{
	count, err := restate.Get[int](ctx, "count{i}")
	if err != nil {{
		return "", err
	}}
	now := time.Now()
	restate.Set(ctx, "at{i}", now)
	_, _ = restate.Service[int](ctx, "Inventory", "Stock").Request(req.Item)
	restate.Set(ctx, "count{i}", count+1)
	time.Sleep(time.Second)
	fmt.Println("done", {i})
	return fmt.Sprint(count), nil
}}
"#
    )
}

pub fn dense_file(lines: usize) -> String {
    let mut src = String::from(HEADER);
    let mut i = 0;
    while src.lines().count() < lines {
        src.push_str(&dense_handler(i));
        i += 1;
    }
    src
}

/// One handler holding `n` statements that each read the clock.
pub fn long_function(n: usize) -> String {
    let mut src = String::from(
        "package bench\n\nimport (\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\nfunc H(ctx restate.Context) error {\n",
    );
    for _ in 0..n {
        src.push_str("\t_ = time.Now()\n");
    }
    src.push_str("\treturn nil\n}\n");
    src
}

struct Timing {
    parse: f64,
    analysis: f64,
    /// CPU time of the analysis on this thread: on a machine running other work, wall time
    /// includes waiting for a core.
    analysis_cpu: f64,
    findings: usize,
}

/// This thread's CPU time in ms.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// Parse, then the whole-file analysis as the server's refresh runs it: semantic model, model
/// extraction, index update, every rule family. Medians of `runs`, in ms.
fn time_file(src: &str, runs: usize) -> Timing {
    let config = Config::default();
    let path = PathBuf::from("/bench/dense.go");
    let mut parse = vec![];
    let mut analysis = vec![];
    let mut cpu = vec![];
    let mut findings = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let tree = go::parse_str(src);
        parse.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let c = thread_cpu_ms();
        let sem = Semantic::build(src, &tree);
        let m = model::extract_with_semantic(&sem, &Default::default());
        let mut ws = Workspace::new();
        ws.upsert(path.clone(), m.clone(), src.lines().count() as u32);
        let input = FileInput {
            path: &path,
            src,
            tree: &tree,
            model: &m,
            ws: &ws,
            config: &config,
            gomod: None,
        };
        findings = rules::check_file(&input).len();
        analysis.push(t.elapsed().as_secs_f64() * 1e3);
        cpu.push(thread_cpu_ms() - c);
    }
    Timing {
        parse: median(parse),
        analysis: median(analysis),
        analysis_cpu: median(cpu),
        findings,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn emit(name: &str, src: &str) -> std::io::Result<()> {
    if let Some(dir) = std::env::var_os("BENCH_EMIT") {
        let dir = PathBuf::from(dir).join(name);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("bench.go"), src)?;
    }
    Ok(())
}

pub fn analysis(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "### Whole-file analysis, handler-dense files (in-process, medians)\n"
    )?;
    writeln!(
        out,
        "| lines | findings | parse ms | analysis ms | analysis CPU ms | CPU per 1,000 lines | CPU vs 5,000 lines |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    let sizes = [(1_000, 9), (5_000, 7), (20_000, 5), (50_000, 3)];
    let mut base = None;
    for (lines, runs) in sizes {
        let src = dense_file(lines);
        emit(&format!("dense-{lines}"), &src)?;
        let t = time_file(&src, runs);
        if lines == 5_000 {
            base = Some(t.analysis_cpu);
        }
        let ratio = base
            .map(|b| {
                format!(
                    "{:.2}x for {:.1}x the lines",
                    t.analysis_cpu / b,
                    lines as f64 / 5_000.0
                )
            })
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "| {lines} | {} | {:.1} | {:.1} | {:.1} | {:.2} | {ratio} |",
            t.findings,
            t.parse,
            t.analysis,
            t.analysis_cpu,
            t.analysis_cpu / (lines as f64 / 1_000.0)
        )?;
    }
    writeln!(
        out,
        "\n### One function of many statements (`_ = time.Now()` each)\n"
    )?;
    writeln!(
        out,
        "| statements | findings | parse ms | analysis ms | analysis CPU ms | CPU vs 1,000 |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    let mut base = None;
    for (n, runs) in [(1_000, 7), (10_000, 3)] {
        let src = long_function(n);
        emit(&format!("long-{n}"), &src)?;
        let t = time_file(&src, runs);
        if n == 1_000 {
            base = Some(t.analysis_cpu);
        }
        let ratio = base
            .map(|b| format!("{:.1}x", t.analysis_cpu / b))
            .unwrap_or_default();
        writeln!(
            out,
            "| {n} | {} | {:.1} | {:.1} | {:.1} | {ratio} |",
            t.findings, t.parse, t.analysis, t.analysis_cpu
        )?;
    }
    Ok(())
}

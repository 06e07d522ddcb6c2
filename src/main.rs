// Summaries are many small allocations and parse trees are freed by the thousand: with mimalloc
// `check` and a keystroke are 5-10 % faster and a 100,000-file index peaks 17 % lower than with
// glibc's allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;

use clap::{Parser, Subcommand};
use restate_lsp::analysis::findings::Severity;
use restate_lsp::cli::filter::{self, Filter};
use restate_lsp::cli::{self, check::CheckOptions, report::Format};

/// `--min-severity` values.
#[derive(Clone, Copy, clap::ValueEnum)]
enum MinSeverity {
    Hint,
    Info,
    Warning,
    Error,
}

impl MinSeverity {
    fn severity(self) -> Severity {
        match self {
            MinSeverity::Hint => Severity::Hint,
            MinSeverity::Info => Severity::Info,
            MinSeverity::Warning => Severity::Warning,
            MinSeverity::Error => Severity::Error,
        }
    }
}

/// Language server and CI checker for Go code that uses the Restate SDK.
#[derive(Parser)]
#[command(name = "restate-lsp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol over stdin/stdout (the default).
    Serve,
    /// Check Go files and directories; exit 0 when clean, 1 with findings at warning or above, 2 on
    /// usage or I/O errors.
    Check {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Configuration file (default: restate-lsp.toml in the first path or its parents).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Only rules whose ID starts with one of these (comma-separated, e.g. RS1,RS3004; ALL).
        #[arg(long, value_name = "PREFIXES")]
        select: Vec<String>,
        /// Leave out rules whose ID starts with one of these (e.g. RS8).
        #[arg(long, value_name = "PREFIXES")]
        ignore: Vec<String>,
        /// Leave out findings below this severity.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        min_severity: Option<MinSeverity>,
        /// Exit 0 even when findings at warning or above remain.
        #[arg(long)]
        exit_zero: bool,
        /// Print how many findings each rule has (most first) instead of the findings.
        #[arg(long)]
        statistics: bool,
        /// Apply the safe fixes to the files (those `source.fixAll.restate` applies), then report
        /// what is left.
        #[arg(long)]
        fix: bool,
        /// Print the safe fixes as a unified diff and write nothing (exit 1 when there are some).
        #[arg(long)]
        diff: bool,
    },
    /// Move every Go module under PATH (or the module PATH is in) from the 0.x API of sdk-go to
    /// 1.0: rewrite the code and go.mod. Exit 0 when done, 1 when something is left to do by hand,
    /// 2 on usage or I/O errors.
    Migrate {
        /// A directory (default: the current directory).
        path: Option<PathBuf>,
        /// Print a unified diff instead of writing the files.
        #[arg(long)]
        diff: bool,
    },
    /// Print the documentation of a rule, e.g. `restate-lsp explain RS1001`.
    Explain {
        /// Rule ID.
        rule: String,
    },
    /// Measure latency and throughput; prints markdown tables.
    Bench {
        /// keystroke, update, hover, startup, analysis, toplevel, hover-busy, snapshot, index,
        /// check, families, deps (not in all), or all.
        #[arg(default_value = "all")]
        what: String,
        /// Go corpus for index/check (default: the Go standard library from golang-src); for deps,
        /// the output of scripts/gen-modcache.py (default: /tmp/restate-lsp-modcache).
        #[arg(long)]
        corpus: Option<PathBuf>,
    },
    /// Print the syntax tree of a Go file (for bug reports).
    #[command(hide = true)]
    DebugTree { file: PathBuf },
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(code.clamp(0, 255) as u8)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("restate-lsp: cannot start the async runtime: {e}");
                    return exit(2);
                }
            };
            let code = runtime.block_on(restate_lsp::server::serve_stdio());
            // stdin may still be blocked in a reader thread; do not wait for it.
            std::process::exit(code);
        }
        Command::Check {
            paths,
            format,
            config,
            select,
            ignore,
            min_severity,
            exit_zero,
            statistics,
            fix,
            diff,
        } => {
            let opts = CheckOptions {
                paths,
                format,
                config,
                filter: Filter {
                    select: filter::prefixes(&select),
                    ignore: filter::prefixes(&ignore),
                    min_severity: min_severity.map(MinSeverity::severity),
                },
                exit_zero,
                statistics,
                fix,
                diff,
            };
            let mut out = std::io::stdout().lock();
            let mut err = std::io::stderr().lock();
            exit(cli::check::run(&opts, &mut out, &mut err))
        }
        Command::Migrate { path, diff } => {
            let opts = cli::migrate::MigrateOptions { path, diff };
            let mut out = std::io::stdout().lock();
            let mut err = std::io::stderr().lock();
            exit(cli::migrate::run(&opts, &mut out, &mut err))
        }
        Command::Bench { what, corpus } => {
            let given = corpus.clone();
            let corpus = corpus.unwrap_or_else(|| PathBuf::from("/usr/share/go-1.19/src"));
            let mut out = std::io::stdout().lock();
            let run = |w: &str, out: &mut dyn std::io::Write| -> std::io::Result<()> {
                match w {
                    "keystroke" => cli::bench::keystroke(out),
                    "update" => cli::bench::update(out),
                    "index" => cli::bench::index(&corpus, out),
                    "check" => cli::bench::check(&corpus, out),
                    "families" => cli::bench::families(out),
                    "analysis" => cli::bench_analysis::analysis(out),
                    "hover" => cli::bench::hover(out),
                    "startup" => cli::bench::startup(out),
                    "toplevel" => cli::bench_server::toplevel(out),
                    "hover-busy" => cli::bench_server::hover_busy(out),
                    "snapshot" => cli::bench_server::snapshot(out),
                    "deps" => cli::bench_deps::deps(given.as_deref(), out),
                    other => Err(std::io::Error::other(format!(
                        "unknown benchmark `{other}`; use keystroke, update, hover, startup, analysis, toplevel, hover-busy, snapshot, index, check, families, deps or all"
                    ))),
                }
            };
            let list: Vec<&str> = if what == "all" {
                let mut l = vec![
                    "keystroke",
                    "update",
                    "hover",
                    "startup",
                    "toplevel",
                    "hover-busy",
                    "snapshot",
                    "analysis",
                ];
                if corpus.is_dir() {
                    l.extend(["index", "check"]);
                }
                l
            } else {
                vec![what.as_str()]
            };
            for w in list {
                if let Err(e) = run(w, &mut out) {
                    eprintln!("restate-lsp: bench {w} failed: {e}");
                    return exit(2);
                }
                let _ = writeln!(out);
            }
            exit(0)
        }
        Command::DebugTree { file } => match std::fs::read_to_string(&file) {
            Ok(src) => {
                print!("{}", restate_lsp::analysis::go::debug_tree(&src));
                exit(0)
            }
            Err(e) => {
                eprintln!("restate-lsp: cannot read {}: {e}", file.display());
                exit(2)
            }
        },
        Command::Explain { rule } => {
            let mut out = std::io::stdout().lock();
            let mut err = std::io::stderr().lock();
            exit(cli::explain(&rule, &mut out, &mut err))
        }
    }
}

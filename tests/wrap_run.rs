//! "Wrap in restate.Run" over the fixtures in tests/fixtures/wrap_run: each `NAME.go.in` marks the
//! selection with `«` and `»` (files named `around_*` mark a finding's range instead: the statement
//! around it is wrapped). The outcome (every fix applied, or the refusal) must equal `NAME.golden`
//! exactly; `WRAP_RUN_BLESS=1` rewrites the golden files.
//!
//! Every output must re-parse without syntax errors, be gofmt-clean, and, with the Go toolchain
//! installed, type-check (`go vet`) against a small stand-in for the SDK's Run API, as must every
//! input; the analyzer must report no Run-closure misuse (RS3xxx) in any output.

use std::path::{Path, PathBuf};
use std::process::Command;

use restate_lsp::analysis::config::Config;
use restate_lsp::analysis::findings::apply_edits;
use restate_lsp::analysis::go::parse_str;
use restate_lsp::analysis::model::extract;
use restate_lsp::analysis::workspace::Workspace;
use restate_lsp::analysis::wrap_run::{self, Input, Outcome};
use restate_lsp::cli::check::analyze;

/// The parts of the SDK's API the fixtures use, with the real signatures' shapes.
const SDK_STUB: &str = r#"package restate

import (
	"context"
	"time"
)

type RunContext interface {
	context.Context
}

type Context interface {
	RunContext
	inner()
}

type ObjectSharedContext interface {
	Context
	object()
}

type ObjectContext interface {
	ObjectSharedContext
	exclusiveObject()
}

type TerminalError interface {
	error
	Code() uint16
}

type RunOption interface{ beforeRun() }

type withName struct{ name string }

func (withName) beforeRun() {}

func WithName(name string) withName { return withName{name} }

func Run[T any](ctx Context, fn func(ctx RunContext) (T, error), options ...RunOption) (output T, err TerminalError) {
	return output, nil
}

func RunVoid(ctx Context, fn func(ctx RunContext) error, options ...RunOption) TerminalError {
	return nil
}

type RunAsyncFuture[T any] interface {
	Result() (T, TerminalError)
}

func RunAsync[T any](ctx Context, fn func(ctx RunContext) (T, error), options ...RunOption) RunAsyncFuture[T] {
	return nil
}

func Sleep(ctx Context, d time.Duration) TerminalError { return nil }
"#;

struct Case {
    name: String,
    src: String,
    start: usize,
    end: usize,
    around: bool,
}

fn load(path: &Path) -> Case {
    let raw = std::fs::read_to_string(path).expect("read fixture");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".go.in"))
        .expect("fixture name")
        .to_string();
    let start = raw.find('«').expect("« marker");
    let src_partial = raw.replacen('«', "", 1);
    let end = src_partial.find('»').expect("» marker");
    let src = src_partial.replacen('»', "", 1);
    Case {
        around: name.starts_with("around_"),
        name,
        src,
        start,
        end,
    }
}

/// (title, output text) per fix, or the refusal.
fn run(case: &Case) -> Result<Vec<(String, String)>, String> {
    let tree = parse_str(&case.src);
    let model = extract(&case.src, &tree);
    let path = PathBuf::from(format!("/fixtures/{}.go", case.name));
    let mut ws = Workspace::new();
    ws.upsert(path.clone(), model.clone(), case.src.lines().count() as u32);
    let out = wrap_run::wrap(&Input {
        path: &path,
        src: &case.src,
        tree: &tree,
        model: &model,
        ws: &ws,
        start: case.start,
        end: case.end,
        around: case.around,
    });
    match out {
        Outcome::Wrapped(fixes) => Ok(fixes
            .iter()
            .map(|f| {
                let text = apply_edits(&case.src, &f.edits).expect("edits apply");
                (f.title.clone(), text)
            })
            .collect()),
        Outcome::Refused(r) => Err(format!("refused\n{r}\n")),
        Outcome::NotApplicable => Err("none\n".into()),
    }
}

fn golden_text(result: &Result<Vec<(String, String)>, String>) -> String {
    match result {
        Ok(fixes) => fixes
            .iter()
            .map(|(t, text)| format!("=== {t}\n{text}"))
            .collect(),
        Err(e) => format!("=== {e}"),
    }
}

fn tool(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn wrap_run_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wrap_run");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".go.in"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "{} fixtures", paths.len());
    let bless = std::env::var_os("WRAP_RUN_BLESS").is_some();
    let module = std::env::temp_dir().join(format!("restate-lsp-wrap-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&module);
    write(
        &module.join("go.mod"),
        "module example.com/wrap\n\ngo 1.19\n\nrequire github.com/restatedev/sdk-go v1.0.2\n\nreplace github.com/restatedev/sdk-go => ./sdk\n",
    );
    write(
        &module.join("sdk/go.mod"),
        "module github.com/restatedev/sdk-go\n\ngo 1.19\n",
    );
    write(&module.join("sdk/restate.go"), SDK_STUB);

    let mut failures = vec![];
    let (mut wrapped, mut refused, mut outputs_checked) = (0, 0, 0);
    let mut outputs: Vec<PathBuf> = vec![];
    for p in &paths {
        let case = load(p);
        let result = run(&case);
        let got = golden_text(&result);
        let golden = dir.join(format!("{}.golden", case.name));
        if bless {
            std::fs::write(&golden, &got).expect("bless");
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}: output differs from {}\n--- want\n{want}\n--- got\n{got}",
                case.name,
                golden.display()
            ));
        }
        write(&module.join(format!("in/{}/main.go", case.name)), &case.src);
        match &result {
            Ok(fixes) => {
                wrapped += 1;
                for (i, (title, text)) in fixes.iter().enumerate() {
                    if parse_str(text).root_node().has_error() {
                        failures.push(format!("{} ({title}): output has syntax errors", case.name));
                    }
                    // An `any` the user still has to replace does not type-check on purpose.
                    let sub = if text.contains("TODO: replace any") {
                        "todo"
                    } else {
                        "out"
                    };
                    let f = module.join(format!("{sub}/{}_{i}/main.go", case.name));
                    write(&f, text);
                    outputs.push(f);
                    outputs_checked += 1;
                }
            }
            Err(_) => refused += 1,
        }
    }
    eprintln!(
        "wrap_run: {wrapped} wrapped, {refused} refused or not offered, {outputs_checked} outputs"
    );

    // No Run misuse reported in what the fix produced.
    let mut sink = Vec::new();
    let (analyzed, _) = analyze(
        &[module.join("out"), module.join("todo")],
        &Config::default(),
        &mut sink,
    );
    for a in &analyzed {
        for f in &a.findings {
            if f.code.starts_with("RS3") {
                failures.push(format!("{}: {} {}", a.path.display(), f.code, f.message));
            }
        }
    }

    match tool("gofmt") {
        Some(gofmt) => {
            let out = Command::new(gofmt)
                .arg("-l")
                .args(&outputs)
                .output()
                .expect("run gofmt");
            let listed = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() || !listed.trim().is_empty() {
                failures.push(format!(
                    "gofmt -l lists unformatted outputs:\n{listed}{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        None if std::env::var_os("RESTATE_LSP_REQUIRE_GOFMT").is_some() => {
            panic!(
                "RESTATE_LSP_REQUIRE_GOFMT is set but the Go tools are not on PATH (apt-get install golang-go)"
            )
        }
        None => eprintln!(
            "\n!!! WARNING: gofmt not found on PATH: the gofmt check of wrap_run outputs was SKIPPED !!!\n"
        ),
    }
    match tool("go") {
        Some(go) => {
            let out = Command::new(go)
                .args(["vet", "./in/...", "./out/..."])
                .current_dir(&module)
                .env("GOFLAGS", "-mod=mod")
                .env("GOPROXY", "off")
                .env("GOWORK", "off")
                .output()
                .expect("run go vet");
            if !out.status.success() {
                failures.push(format!(
                    "go vet failed on inputs or outputs:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        None if std::env::var_os("RESTATE_LSP_REQUIRE_GOFMT").is_some() => {
            panic!(
                "RESTATE_LSP_REQUIRE_GOFMT is set but the Go tools are not on PATH (apt-get install golang-go)"
            )
        }
        None => eprintln!(
            "\n!!! WARNING: go not found on PATH: wrap_run outputs were NOT type-checked !!!\n"
        ),
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let _ = std::fs::remove_dir_all(&module);
}

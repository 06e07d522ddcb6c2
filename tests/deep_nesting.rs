//! Deeply nested code must not overflow the stack: not in the analysis run on a thread with the
//! 2 MiB stack tokio gives its workers, not in `restate-lsp check`, and not in the server.

mod common;

use std::path::Path;
use std::process::Command;

use common::LspClient;
use serde_json::json;

const DEPTH: usize = 10_000;

const HEAD: &str = "package deep\n\nimport (\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\n";

fn handler(body: &str) -> String {
    format!(
        "{HEAD}func (Svc) Handle(ctx restate.Context, in string) (string, error) {{\n\tnow := time.Now()\n{body}\n\treturn in + now.String(), nil\n}}\n"
    )
}

/// Each shape nests `DEPTH` times.
fn shapes() -> Vec<(&'static str, String)> {
    let n = DEPTH;
    vec![
        (
            "blocks",
            handler(&format!(
                "{}_ = time.Now(){}",
                "{\n".repeat(n),
                "}\n".repeat(n)
            )),
        ),
        (
            "parentheses",
            handler(&format!(
                "\tx := {}1{}\n\t_ = x",
                "(".repeat(n),
                ")".repeat(n)
            )),
        ),
        (
            "func literals",
            handler(&format!(
                "{}_ = time.Now(){}",
                "func() {\n".repeat(n),
                "}()\n".repeat(n)
            )),
        ),
        (
            "parenthesised callee",
            handler(&format!("\t{}time.Now{}()", "(".repeat(n), ")".repeat(n))),
        ),
        // Each Run closure is checked with an upward search from its identifiers, which costs
        // the depth: n nested closures cost n², so this shape nests a tenth as deep.
        (
            "run closures",
            handler(&format!(
                "{}_ = time.Now(){}",
                "restate.Run(ctx, func(ctx restate.RunContext) (int, error) {\n".repeat(n / 10),
                "return 0, nil\n})\n".repeat(n / 10)
            )),
        ),
        (
            "if statements",
            handler(&format!(
                "{}_ = time.Now(){}",
                "if true {\n".repeat(n),
                "}\n".repeat(n)
            )),
        ),
        (
            "binary chain",
            handler(&format!("\tx := 1{}\n\t_ = x", " + 1".repeat(n * 5))),
        ),
        (
            "calls",
            handler(&format!(
                "\tx := {}in{}\n\t_ = x",
                "f(".repeat(n),
                ")".repeat(n)
            )),
        ),
        (
            "composite literals",
            handler(&format!(
                "\tx := {}1{}\n\t_ = x",
                "[]any{".repeat(n),
                "}".repeat(n)
            )),
        ),
        ("unclosed", handler(&"{(func() {[".repeat(n))),
    ]
}

/// Analyse on a thread with tokio's default worker stack.
#[test]
fn analysis_survives_deep_nesting_on_a_2_mib_stack() {
    for (name, src) in shapes() {
        let result = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || restate_lsp::fuzzing::analyze_source(&src).map(|f| f.len()))
            .expect("spawn")
            .join();
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("{name}: a rule family failed: {e}"),
            Err(_) => panic!("{name}: the analysis panicked"),
        }
    }
}

/// Reference cycles between variables (`var a = b; var b = a`) must not send resolution round in
/// circles.
#[test]
fn cyclic_initialisers_terminate() {
    let src = format!(
        "{HEAD}var a = b\nvar b = a\n\nvar c, d = d, c\n\nfunc main() {{\n\trestate.Reflect(a)\n\trestate.Reflect(c)\n\t_ = restate.Service[string](nil, \"S\", \"h\")\n}}\n\nfunc (Svc) H(ctx restate.Context) error {{\n\tvar x = y\n\tvar y = x\n\treturn restate.Sleep(ctx, x)\n}}\n"
    );
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || restate_lsp::fuzzing::analyze_source(&src).map(|f| f.len()))
        .expect("spawn")
        .join();
    assert!(matches!(result, Ok(Ok(_))), "{result:?}");
}

fn write_module(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/deep\n\ngo 1.22\n\nrequire github.com/restatedev/sdk-go v1.0.2\n",
    )
    .expect("go.mod");
    for (i, (_, src)) in shapes().into_iter().enumerate() {
        std::fs::write(dir.join(format!("deep{i}.go")), src).expect("write");
    }
}

#[test]
fn check_survives_deep_nesting() {
    let dir = std::env::temp_dir().join(format!("restate-lsp-deep-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_module(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_restate-lsp"))
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("run check");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "status {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("RS0002"), "{stdout}");
    // Every file but the unclosed one has the `time.Now()` at the top of its handler (returned at
    // the end), found whatever follows.
    for i in 0..shapes().len() - 1 {
        assert!(
            stdout.contains(&format!("deep{i}.go")),
            "deep{i}.go: {stdout}"
        );
    }
}

#[test]
fn server_survives_deep_nesting() {
    let dir = std::env::temp_dir().join(format!("restate-lsp-deep-lsp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_module(&dir);
    let mut c = LspClient::spawn();
    c.initialize(Some(&dir), common::caps_utf16(), json!({}));
    c.wait_indexed();
    for (i, (name, src)) in shapes().into_iter().enumerate() {
        let uri = c.open(&dir.join(format!("deep{i}.go")), &src, 1);
        let diags = c.diagnostics(&uri, 1);
        // Unclosed nesting swallows the handler into an error node: nothing to report there.
        assert!(
            name == "unclosed" || diags.iter().any(|d| d["code"] == "RS1001"),
            "{name}: {diags:?}"
        );
        assert!(
            !diags.iter().any(|d| d["code"] == "RS0002"),
            "{name}: {diags:?}"
        );
        let symbols = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        );
        assert!(symbols.get("error").is_none(), "{name}: {symbols}");
        let hover = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 12, "character": 8}}),
        );
        assert!(hover.get("error").is_none(), "{name}: {hover}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(c.shutdown(), Some(0));
}

/// Nested Run closures are each checked once; the handler context used in the inner one is still
/// reported, once.
#[test]
fn handler_context_in_a_nested_run_closure_is_reported_once() {
    let src = handler(
        "\t_, _ = restate.Run(ctx, func(rc restate.RunContext) (int, error) {\n\t\treturn restate.Run(rc, func(rc2 restate.RunContext) (int, error) {\n\t\t\trestate.Set(ctx, \"k\", 1)\n\t\t\treturn 0, nil\n\t\t})\n\t})",
    );
    let findings = restate_lsp::fuzzing::analyze_source(&src).expect("analysis");
    let at = src.find("Set(ctx").expect("use") + 4;
    let rs3001: Vec<_> = findings.iter().filter(|f| f.code == "RS3001").collect();
    assert_eq!(rs3001.len(), 1, "{findings:?}");
    assert_eq!(rs3001[0].start, at);
}

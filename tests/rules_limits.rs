//! Limits that keep per-file rules from walking the whole workspace.

use std::path::{Path, PathBuf};

use restate_lsp::analysis::config::Config;
use restate_lsp::analysis::go;
use restate_lsp::analysis::model;
use restate_lsp::analysis::rules::wiring::MAX_CYCLE_OBJECTS;
use restate_lsp::analysis::rules::{self, FileInput};
use restate_lsp::analysis::workspace::Workspace;

/// A ring of `n` virtual objects, each calling the next with a request-response call.
fn ring(n: usize) -> Vec<(PathBuf, String)> {
    (0..n)
        .map(|i| {
            let src = format!(
                "package p\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype S{i} struct{{}}\n\nfunc (S{i}) H(ctx restate.ObjectContext, x int) (int, error) {{\n\treturn restate.Object[int](ctx, \"S{}\", \"k\", \"H\").Request(x)\n}}\n\nvar _ = restate.Reflect(S{i}{{}})\n",
                (i + 1) % n
            );
            (PathBuf::from(format!("/ring/p/f{i}.go")), src)
        })
        .collect()
}

fn cycle_reported(n: usize) -> bool {
    let files = ring(n);
    let mut ws = Workspace::new();
    let mut parsed = vec![];
    for (p, s) in &files {
        let tree = go::parse_str(s);
        let m = model::extract(s, &tree);
        ws.upsert(p.clone(), m.clone(), 10);
        parsed.push((p.clone(), s.clone(), tree, m));
    }
    let config = Config::default();
    let (path, src, tree, m) = &parsed[0];
    let found = rules::check_file(&FileInput {
        path: Path::new(path),
        src,
        tree,
        model: m,
        ws: &ws,
        config: &config,
        gomod: None,
    });
    found.iter().any(|f| f.code == "RS5003")
}

#[test]
fn call_cycles_are_followed_up_to_the_limit_and_no_further() {
    assert!(cycle_reported(2));
    assert!(cycle_reported(MAX_CYCLE_OBJECTS));
    assert!(!cycle_reported(MAX_CYCLE_OBJECTS + 1));
    assert!(!cycle_reported(60));
}

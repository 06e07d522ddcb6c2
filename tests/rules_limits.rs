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

#[test]
fn while_the_workspace_is_partial_nothing_is_reported_missing() {
    let src = "package p\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype Cart struct{}\n\nfunc (Cart) Add(ctx restate.ObjectContext, item string) error {\n\t_, err := restate.Get[[]string](ctx, \"itemz\")\n\tif err != nil {\n\t\treturn err\n\t}\n\t_, err = restate.Service[int](ctx, \"Inventory\", \"Reserve\").Request(item)\n\treturn err\n}\n\nvar _ = restate.Reflect(Cart{})\n";
    let path = PathBuf::from("/partial/p/cart.go");
    let tree = go::parse_str(src);
    let m = model::extract(src, &tree);
    let mut ws = Workspace::new();
    ws.upsert(path.clone(), m.clone(), 16);
    let config = Config::default();
    let codes = |ws: &Workspace| -> Vec<&'static str> {
        rules::check_file(&FileInput {
            path: &path,
            src,
            tree: &tree,
            model: &m,
            ws,
            config: &config,
            gomod: None,
        })
        .into_iter()
        .map(|f| f.code)
        .filter(|c| c.starts_with("RS5"))
        .collect()
    };
    assert_eq!(codes(&ws), vec!["RS5007", "RS5004"]);
    ws.partial = true;
    assert_eq!(codes(&ws), Vec::<&str>::new());
}

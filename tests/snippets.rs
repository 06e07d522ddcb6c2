//! Every pattern snippet expands (placeholders at their defaults) to Go that parses without errors
//! and that our own rules accept; and the VS Code extension's snippet file is generated from them.

use std::path::PathBuf;

use restate_lsp::analysis::config::Config;
use restate_lsp::analysis::go;
use restate_lsp::analysis::model;
use restate_lsp::analysis::rules::{self, FileInput};
use restate_lsp::analysis::snippets::{self, HandlerContext, Scope};
use restate_lsp::analysis::workspace::Workspace;

const HEADER: &str = "package main\n\nimport (\n\t\"context\"\n\t\"encoding/json\"\n\t\"errors\"\n\t\"fmt\"\n\t\"log\"\n\t\"net/http\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n\t\"github.com/restatedev/sdk-go/ingress\"\n\t\"github.com/restatedev/sdk-go/server\"\n)\n\n";

fn wrap(s: &snippets::Snippet) -> String {
    let body = s.expanded("ctx");
    match s.scope {
        Scope::Toplevel => format!("{HEADER}{body}\n"),
        Scope::Body => {
            let ctx = match s.context {
                HandlerContext::Service => "restate.Context",
                HandlerContext::Object => "restate.ObjectContext",
                HandlerContext::Workflow => "restate.WorkflowContext",
            };
            let indented: Vec<String> = body
                .lines()
                .map(|l| {
                    if l.trim().is_empty() {
                        String::new()
                    } else {
                        format!("\t{l}")
                    }
                })
                .collect();
            format!(
                "{HEADER}type Svc struct{{}}\n\nfunc (Svc) Handler(ctx {ctx}, input string) (string, error) {{\n{}\n\treturn \"\", nil\n}}\n",
                indented.join("\n")
            )
        }
    }
}

#[test]
fn snippets_parse_and_pass_our_rules() {
    let all = snippets::all();
    assert!(all.len() >= 17, "the catalog asks for at least 17 snippets");
    let mut problems = vec![];
    for s in all {
        let src = wrap(s);
        let tree = go::parse_str(&src);
        if tree.root_node().has_error() {
            problems.push(format!("{}: does not parse:\n{src}", s.file));
            continue;
        }
        let m = model::extract(&src, &tree);
        let mut ws = Workspace::new();
        let path = PathBuf::from(format!("/snippets/{}/main.go", s.file));
        ws.upsert(path.clone(), m.clone(), 1);
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
        for f in rules::check_file(&input) {
            // A snippet calls services its user defines elsewhere: "unknown target" is about the
            // workspace, not the pattern.
            if f.code == "RS5004" {
                continue;
            }
            let line = src[..f.start].lines().count();
            problems.push(format!(
                "{}: {} at line {line}: {}",
                s.file, f.code, f.message
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn vscode_snippet_file_is_generated_from_the_snippets() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/editors/vscode/snippets/restate.json"
    );
    let want = snippets::vscode_json();
    if std::env::var_os("UPDATE_SNIPPETS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().expect("dir")).expect("mkdir");
        std::fs::write(path, &want).expect("write");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "editors/vscode/snippets/restate.json is out of date; regenerate it with `UPDATE_SNIPPETS=1 cargo test --test snippets`"
    );
    let v: serde_json::Value = serde_json::from_str(&have).expect("valid JSON");
    assert_eq!(v.as_object().map(|o| o.len()), Some(snippets::all().len()));
}

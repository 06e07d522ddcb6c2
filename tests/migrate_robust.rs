//! The module migration on inputs nobody wrote for it: every file of the analysis fuzz corpus
//! (fuzz/corpus/analysis, arbitrary and broken Go) and every rule fixture, each as a module pinning
//! sdk-go v0.24. Planning never panics, rewrites only files that parse, and every file it would
//! write parses; the go.mod it writes requires the 1.0 release.

use std::path::{Path, PathBuf};

use restate_lsp::analysis::go::parse_str;
use restate_lsp::analysis::gomod;
use restate_lsp::analysis::migrate::module::{SourceFile, plan};

const GO_MOD: &str =
    "module example.com/fuzz\n\ngo 1.23\n\nrequire github.com/restatedev/sdk-go v0.24.0\n";

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn planning_the_migration_of_arbitrary_files_is_safe() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = vec![];
    files(&root.join("fuzz/corpus/analysis"), &mut inputs);
    let mut fixtures = vec![];
    files(&root.join("tests/fixtures/rules"), &mut fixtures);
    inputs.extend(
        fixtures
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "go")),
    );
    assert!(inputs.len() > 300, "{} inputs", inputs.len());
    let mut rewritten = 0;
    for p in &inputs {
        let Ok(bytes) = std::fs::read(p) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let file = SourceFile {
            path: PathBuf::from("/fuzz/main.go"),
            text: text.clone(),
        };
        let result = plan(GO_MOD, std::slice::from_ref(&file));
        for f in &result.files {
            assert!(
                !parse_str(&f.new_text).root_node().has_error(),
                "{}: the migrated text does not parse",
                p.display()
            );
            assert!(
                !parse_str(&text).root_node().has_error(),
                "{}: a broken file was rewritten",
                p.display()
            );
            rewritten += 1;
        }
        assert_eq!(
            gomod::parse(&result.gomod_new).sdk_version.as_deref(),
            Some("v1.0.2")
        );
    }
    assert!(
        rewritten > 5,
        "only {rewritten} files had something to migrate"
    );
}

//! Architecture invariants that a grep can check.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Invariant 1: the analysis is pure and knows nothing of LSP or JSON.
#[test]
fn analysis_does_not_import_lsp_or_json() {
    let mut files = vec![];
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis"),
        &mut files,
    );
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for banned in ["tower_lsp", "ls_types", "lsp_types", "serde_json", "tokio"] {
            assert!(!text.contains(banned), "{} mentions {banned}", f.display());
        }
    }
}

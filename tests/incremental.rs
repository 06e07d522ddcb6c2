//! The reduced analysis of one function finds exactly what the whole-file analysis finds inside that
//! function, for every function of every rule fixture.

use std::path::{Path, PathBuf};

use restate_lsp::analysis::config::Config;
use restate_lsp::analysis::findings::Finding;
use restate_lsp::analysis::model::{self, ExtractOptions};
use restate_lsp::analysis::rules::{self, FileInput};
use restate_lsp::analysis::workspace::Workspace;
use restate_lsp::analysis::{go, gomod, incremental};

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            go_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "go") {
            out.push(p);
        }
    }
}

fn brief(fs: &[Finding]) -> Vec<String> {
    fs.iter()
        .map(|f| format!("{} {}..{} {}", f.code, f.start, f.end, f.message))
        .collect()
}

#[test]
fn reduced_function_analysis_equals_the_whole_file_on_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = vec![];
    for group in ["rules", "workspaces"] {
        if let Ok(rd) = std::fs::read_dir(root.join(group)) {
            dirs.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    dirs.sort();
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop"));
    let opts = ExtractOptions::default();
    let config = Config::default();
    let mut parser = go::new_parser();
    let (mut functions, mut compared) = (0, 0);
    let mut mismatches = vec![];
    for dir in dirs {
        let mut files = vec![];
        go_files(&dir, &mut files);
        let mut ws = Workspace::new();
        let mut parsed = vec![];
        for f in &files {
            let src = std::fs::read_to_string(f).expect("fixture readable");
            let tree = go::parse(&mut parser, &src);
            let m = model::extract_with(&src, &tree, &opts);
            ws.upsert(f.clone(), m.clone(), src.lines().count() as u32);
            parsed.push((f.clone(), src, tree, m));
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("go.mod")) {
            ws.set_gomod(dir.clone(), gomod::parse(&text));
        }
        for (path, src, tree, m) in &parsed {
            let gomod = ws.module_for(path).map(|(_, g)| g);
            let input = FileInput {
                path,
                src,
                tree,
                model: m,
                ws: &ws,
                config: &config,
                gomod,
            };
            let full = rules::check_file(&input);
            compared += full.len();
            let outline = incremental::outline(src, tree);
            let k = go::kinds();
            for d in &outline.decls {
                if d.kind != k.function_declaration && d.kind != k.method_declaration {
                    continue;
                }
                functions += 1;
                let range = d.start..d.end;
                let want: Vec<Finding> = full
                    .iter()
                    .filter(|f| range.contains(&f.start))
                    .cloned()
                    .collect();
                let got = incremental::analyse_function(&input, &range, &opts, &mut parser);
                if got != want {
                    mismatches.push(format!(
                        "{}:{}\n  whole file: {:#?}\n  reduced:    {:#?}",
                        path.display(),
                        src[..d.start].lines().count() + 1,
                        brief(&want),
                        brief(&got)
                    ));
                }
            }
        }
    }
    assert!(functions > 100, "only {functions} functions compared");
    assert!(compared > 100, "only {compared} findings in the fixtures");
    assert!(
        mismatches.is_empty(),
        "{} of {functions} functions differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

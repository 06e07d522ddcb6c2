//! Golden tests for quick fixes. Every rule fixture (tests/fixtures/rules/*) is copied without its
//! `// want` markers (they are comments whose alignment gofmt would change), analysed, and every
//! fix of every finding is applied on its own. The result must parse without ERROR or MISSING
//! nodes, must no longer carry the finding when the workspace is analysed again, and must be
//! gofmt-clean. What each fix changes is recorded in `<file>.golden` next to the fixture file: one
//! section per fix (rule, line and title, then the changed lines with context), plus one section
//! for `source.fixAll.restate`. `UPDATE_GOLDENS=1 cargo test --test fix_goldens` rewrites them.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use restate_lsp::analysis::findings::{Finding, apply_edits};
use restate_lsp::analysis::fixes::fix_all;
use restate_lsp::analysis::go::parse_str;
use restate_lsp::analysis::span::Locator;
use restate_lsp::cli::check::{Analyzed, analyze, load_config_for};

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

/// The fixture line without its `// want "..."` marker (and the padding before it).
fn strip_markers(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        match body.find("// want \"") {
            Some(i) => {
                out.push_str(body[..i].trim_end());
                out.push_str(nl);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// A copy of the fixture without markers, in the test's scratch space.
fn scratch_copy(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap_or_default();
    let to = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fix_goldens")
        .join(name);
    let _ = std::fs::remove_dir_all(&to);
    let mut all = vec![];
    files(dir, &mut all);
    for f in all {
        if f.extension().is_some_and(|x| x == "golden") {
            continue;
        }
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        let dest = to.join(rel);
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p).expect("scratch dir");
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let text = if f.extension().is_some_and(|x| x == "go") {
            strip_markers(&text)
        } else {
            text
        };
        std::fs::write(&dest, text).expect("scratch file");
    }
    to
}

fn analyse(dir: &Path) -> Vec<Analyzed> {
    let mut sink = Vec::new();
    let config = load_config_for(None, &[dir.to_path_buf()], &mut sink).expect("config");
    analyze(&[dir.to_path_buf()], &config, &mut sink).0
}

fn count(analyzed: &[Analyzed], path: &Path, code: &str) -> usize {
    analyzed
        .iter()
        .filter(|a| a.path == path)
        .flat_map(|a| a.findings.iter())
        .filter(|f| f.code == code)
        .count()
}

/// A line diff (longest common subsequence) as hunks with two lines of context.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // (tag, old line, new line, text)
    let mut ops: Vec<(char, usize, usize, &str)> = vec![];
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', i, j, a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i, j, a[i]));
            i += 1;
        } else {
            ops.push(('+', i, j, b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|k| ops[*k].0 != ' ').collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(2);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 5 {
            end = changed[k];
            k += 1;
        }
        let end = (end + 3).min(ops.len());
        let (_, oi, nj, _) = ops[start];
        out.push_str(&format!("@@ -{} +{} @@\n", oi + 1, nj + 1));
        for (tag, _, _, t) in &ops[start..end] {
            out.push(*tag);
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// One fixed file to hand to gofmt, with the section it belongs to.
struct Output {
    label: String,
    text: String,
}

fn has_parse_errors(src: &str) -> bool {
    parse_str(src).root_node().has_error()
}

/// Apply every fix of `f` on its own; returns the golden sections and records failures.
#[allow(clippy::too_many_arguments)]
fn check_finding(
    scratch: &Path,
    path: &Path,
    src: &str,
    f: &Finding,
    before: &[Analyzed],
    sections: &mut Vec<String>,
    outputs: &mut Vec<Output>,
    failures: &mut Vec<String>,
    label_prefix: &str,
) {
    let line = Locator::new(src).pos(f.start).line + 1;
    for fix in &f.fixes {
        let label = format!("{label_prefix}:{line} {} {}", f.code, fix.title);
        let Some(fixed) = apply_edits(src, &fix.resolved_edits()) else {
            failures.push(format!(
                "{label}: the edits overlap or fall outside the file"
            ));
            continue;
        };
        if has_parse_errors(&fixed) {
            failures.push(format!(
                "{label}: the fixed file does not parse:\n{}",
                diff(src, &fixed)
            ));
        }
        std::fs::write(path, &fixed).expect("write fixed");
        let after = analyse(scratch);
        std::fs::write(path, src).expect("restore");
        let (b, a) = (count(before, path, f.code), count(&after, path, f.code));
        if a >= b {
            failures.push(format!(
                "{label}: {} still reported after the fix ({b} before, {a} after)",
                f.code
            ));
        }
        sections.push(format!(
            "=== {} line {line}: {}\n{}",
            f.code,
            fix.title,
            diff(src, &fixed)
        ));
        outputs.push(Output { label, text: fixed });
    }
}

/// The fixture's goldens: file path (relative to the fixture) -> golden text.
fn fixture_goldens(
    dir: &Path,
    outputs: &mut Vec<Output>,
    failures: &mut Vec<String>,
) -> BTreeMap<PathBuf, String> {
    let scratch = scratch_copy(dir);
    let before = analyse(&scratch);
    let fixture = dir.file_name().unwrap_or_default().to_string_lossy();
    let mut goldens = BTreeMap::new();
    for a in &before {
        let rel = a
            .path
            .strip_prefix(&scratch)
            .unwrap_or(&a.path)
            .to_path_buf();
        let label_prefix = format!("{fixture}/{}", rel.display());
        let mut sections = vec![];
        let mut findings: Vec<&Finding> =
            a.findings.iter().filter(|f| !f.fixes.is_empty()).collect();
        findings.sort_by_key(|f| (f.start, f.code));
        for f in &findings {
            check_finding(
                &scratch,
                &a.path,
                &a.src,
                f,
                &before,
                &mut sections,
                outputs,
                failures,
                &label_prefix,
            );
        }
        // source.fixAll: every safe fix at once.
        let tree = parse_str(&a.src);
        let all = fix_all(&a.src, &tree, &a.findings);
        if !all.is_empty() {
            let label = format!("{label_prefix} source.fixAll.restate");
            match apply_edits(&a.src, &all) {
                Some(fixed) => {
                    if has_parse_errors(&fixed) {
                        failures.push(format!("{label}: the fixed file does not parse"));
                    }
                    let safe_before = a
                        .findings
                        .iter()
                        .filter(|f| f.fixes.iter().any(|x| x.safe))
                        .count();
                    std::fs::write(&a.path, &fixed).expect("write fixed");
                    let after = analyse(&scratch);
                    std::fs::write(&a.path, &a.src).expect("restore");
                    let safe_after = after
                        .iter()
                        .filter(|x| x.path == a.path)
                        .flat_map(|x| x.findings.iter())
                        .filter(|f| f.fixes.iter().any(|x| x.safe))
                        .count();
                    if safe_after >= safe_before {
                        failures.push(format!(
                            "{label}: {safe_before} findings with safe fixes before, {safe_after} after"
                        ));
                    }
                    sections.push(format!(
                        "=== source.fixAll.restate\n{}",
                        diff(&a.src, &fixed)
                    ));
                    outputs.push(Output { label, text: fixed });
                }
                None => failures.push(format!("{label}: overlapping edits")),
            }
        }
        if !sections.is_empty() {
            // The fixture itself must be gofmt-clean for its fixed versions to be.
            outputs.push(Output {
                label: format!("{label_prefix} (the fixture without markers)"),
                text: a.src.clone(),
            });
            goldens.insert(rel, sections.join("\n"));
        }
    }
    goldens
}

fn gofmt() -> Option<PathBuf> {
    // Spawning tells whether it is on PATH; its exit status for no input is not portable.
    Command::new("gofmt")
        .arg("-l")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .map(|_| PathBuf::from("gofmt"))
}

/// Write every output to its own file and ask gofmt which ones it would change.
fn check_gofmt(outputs: &[Output], failures: &mut Vec<String>) {
    let Some(gofmt) = gofmt() else {
        let msg = "gofmt is not installed: the fixed files were NOT checked for gofmt formatting (CI installs golang-go)";
        eprintln!("\n!!!!! {msg} !!!!!\n");
        if std::env::var_os("RESTATE_LSP_REQUIRE_GOFMT").is_some() {
            failures.push(msg.to_string());
        }
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fix_goldens_gofmt");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("gofmt dir");
    for (i, o) in outputs.iter().enumerate() {
        std::fs::write(dir.join(format!("f{i:04}.go")), &o.text).expect("write");
    }
    let out = Command::new(gofmt)
        .arg("-l")
        .arg(&dir)
        .output()
        .expect("gofmt runs");
    let listed = String::from_utf8_lossy(&out.stdout);
    for l in listed.lines() {
        let idx = Path::new(l)
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.trim_start_matches('f').parse::<usize>().ok());
        let label = idx
            .and_then(|i| outputs.get(i))
            .map(|o| o.label.clone())
            .unwrap_or_else(|| l.to_string());
        let detail = Command::new("gofmt")
            .arg("-d")
            .arg(l)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default();
        failures.push(format!("{label}: not gofmt-formatted:\n{detail}"));
    }
    if !out.status.success() {
        failures.push(format!(
            "gofmt failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
}

#[test]
fn every_fix_matches_its_golden_parses_clears_its_finding_and_is_gofmt_clean() {
    let root = common::fixture("rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/rules")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let update = std::env::var_os("UPDATE_GOLDENS").is_some();
    let mut failures = vec![];
    let mut outputs = vec![];
    let mut fixes_seen = 0;
    for dir in &dirs {
        let goldens = fixture_goldens(dir, &mut outputs, &mut failures);
        fixes_seen += goldens
            .values()
            .map(|g| g.matches("\n=== ").count() + 1)
            .sum::<usize>();
        // Goldens on disk that no file produces any more are stale.
        let mut on_disk = vec![];
        files(dir, &mut on_disk);
        for g in on_disk
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "golden"))
        {
            let rel = g.strip_prefix(dir).unwrap_or(g).with_extension("");
            if !goldens.contains_key(&rel) {
                if update {
                    let _ = std::fs::remove_file(g);
                } else {
                    failures.push(format!(
                        "{}: stale golden (the file has no fixes)",
                        g.display()
                    ));
                }
            }
        }
        for (rel, text) in &goldens {
            let path = dir.join(format!("{}.golden", rel.display()));
            if update {
                std::fs::write(&path, text).expect("write golden");
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(want) if want == *text => {}
                Ok(want) => failures.push(format!(
                    "{}: golden differs (UPDATE_GOLDENS=1 to accept):\n{}",
                    path.display(),
                    diff(&want, text)
                )),
                Err(_) => failures.push(format!(
                    "{}: missing golden (UPDATE_GOLDENS=1 to create)",
                    path.display()
                )),
            }
        }
    }
    check_gofmt(&outputs, &mut failures);
    assert!(fixes_seen > 0, "no fixture has a fix");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

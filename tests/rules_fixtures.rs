//! Rule fixtures in the `analysistest` style: every directory under tests/fixtures/rules is one
//! workspace; `// want "RS1001"` on a line expects a finding of that rule starting on the line
//! (`// want "RS1001@hint"` also its severity), and `// check: RS1005, RS1009` adds rules whose
//! absence is asserted. For the checked rules, the exact multiset of (file, line, rule) must match,
//! both ways.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use restate_lsp::analysis::span::Locator;
use restate_lsp::cli::check::{analyze, load_config_for};

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            go_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "go") {
            out.push(p);
        }
    }
}

/// An expected finding: (line, code, severity when the fixture names one).
type Want = (u32, String, Option<String>);

/// Expectations of a file and the rules it declares checked.
fn expectations(src: &str) -> (Vec<Want>, BTreeSet<String>) {
    let mut wants = vec![];
    let mut checked = BTreeSet::new();
    for (i, line) in src.lines().enumerate() {
        if let Some(idx) = line.find("// want ") {
            let rest = &line[idx + "// want ".len()..];
            for part in rest.split('"').skip(1).step_by(2) {
                let spec = part.split(':').next().unwrap_or(part).trim();
                let (code, sev) = match spec.split_once('@') {
                    Some((c, s)) => (c.to_string(), Some(s.to_string())),
                    None => (spec.to_string(), None),
                };
                checked.insert(code.clone());
                wants.push((i as u32, code, sev));
            }
        }
        if let Some(idx) = line.find("// check:") {
            for code in line[idx + "// check:".len()..]
                .split([',', ' '])
                .filter(|c| c.starts_with("RS"))
            {
                checked.insert(code.trim().to_string());
            }
        }
    }
    (wants, checked)
}

type Key = (String, u32, String);

fn run_fixture(dir: &Path) -> Result<usize, String> {
    let mut files = vec![];
    go_files(dir, &mut files);
    files.sort();
    let mut expected: BTreeMap<Key, usize> = BTreeMap::new();
    let mut severities: BTreeMap<Key, String> = BTreeMap::new();
    let mut checked: BTreeSet<String> = BTreeSet::new();
    for f in &files {
        let src = std::fs::read_to_string(f).map_err(|e| e.to_string())?;
        let (wants, c) = expectations(&src);
        checked.extend(c);
        let rel = f.strip_prefix(dir).unwrap_or(f).display().to_string();
        for (line, code, sev) in wants {
            let key = (rel.clone(), line + 1, code);
            if let Some(s) = sev {
                severities.insert(key.clone(), s);
            }
            *expected.entry(key).or_default() += 1;
        }
    }
    let mut sink = Vec::new();
    let config =
        load_config_for(None, &[dir.to_path_buf()], &mut sink).map_err(|e| e.to_string())?;
    let (analyzed, _) = analyze(&[dir.to_path_buf()], &config, &mut sink);
    let mut actual: BTreeMap<Key, usize> = BTreeMap::new();
    let mut messages: BTreeMap<Key, String> = BTreeMap::new();
    let mut actual_severities: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    for a in &analyzed {
        let loc = Locator::new(&a.src);
        let rel = a
            .path
            .strip_prefix(dir)
            .unwrap_or(&a.path)
            .display()
            .to_string();
        for f in &a.findings {
            if !checked.contains(f.code) {
                continue;
            }
            let key = (rel.clone(), loc.pos(f.start).line + 1, f.code.to_string());
            *actual.entry(key.clone()).or_default() += 1;
            actual_severities
                .entry(key.clone())
                .or_default()
                .push(f.severity.as_str().to_string());
            messages.insert(key, f.message.clone());
        }
    }
    let mut report = String::new();
    for (k, want) in &severities {
        let got = actual_severities.get(k).cloned().unwrap_or_default();
        if !got.is_empty() && !got.iter().all(|g| g == want) {
            report.push_str(&format!(
                "  severity   {}:{} {} (want {want}, got {}): {}\n",
                k.0,
                k.1,
                k.2,
                got.join(", "),
                messages.get(k).cloned().unwrap_or_default()
            ));
        }
    }
    if expected == actual && report.is_empty() {
        return Ok(expected.values().sum());
    }
    let keys: BTreeSet<&Key> = expected.keys().chain(actual.keys()).collect();
    for k in keys {
        let (e, a) = (
            expected.get(k).copied().unwrap_or(0),
            actual.get(k).copied().unwrap_or(0),
        );
        if e > a {
            report.push_str(&format!(
                "  missing    {}:{} {} (want {e}, got {a})\n",
                k.0, k.1, k.2
            ));
        } else if a > e {
            report.push_str(&format!(
                "  unexpected {}:{} {} (want {e}, got {a}): {}\n",
                k.0,
                k.1,
                k.2,
                messages.get(k).cloned().unwrap_or_default()
            ));
        }
    }
    Err(report)
}

#[test]
fn rule_fixtures() {
    let root = common::fixture("rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/rules")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no rule fixtures found");
    let mut failures = String::new();
    let mut total = 0;
    for d in &dirs {
        match run_fixture(d) {
            Ok(n) => total += n,
            Err(report) => failures.push_str(&format!(
                "{}:\n{report}",
                d.file_name().unwrap_or_default().to_string_lossy()
            )),
        }
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{failures}");
    assert!(total > 0, "the fixtures expect nothing at all");
}

//! `restate-lsp migrate` on fixture modules that pin sdk-go 0.x (tests/fixtures/migrate/v024 uses
//! every renamed and removed construct, v023 a few with a one-line require and no go directive).
//! After the migration every file re-parses, is gofmt-clean, go.mod requires the 1.0 release, and
//! `check` reports no RS9001 or RS9002; the migrated files match the goldens in
//! `<fixture>.golden/` and the `--diff` output matches `<fixture>.diff.golden`
//! (`UPDATE_GOLDENS=1 cargo test --test migrate` rewrites them). Where Go is installed, the fixture
//! is type-checked with `go vet` against a stand-in for sdk-go v0.24 before the migration and
//! against one for v1.0 after it (tests/fixtures/migrate/stubs), so the rewrites are known to
//! compile, not just to parse.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use restate_lsp::analysis::config::Config;
use restate_lsp::analysis::go::parse_str;
use restate_lsp::analysis::gomod;
use restate_lsp::cli::check::analyze;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_restate-lsp"))
}

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

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    let mut all = vec![];
    files(from, &mut all);
    for f in all {
        let dest = to.join(f.strip_prefix(from).expect("inside"));
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&f, &dest).expect("copy");
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut all = vec![];
    files(dir, &mut all);
    all.sort();
    all.into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            (f.strip_prefix(dir).expect("inside").to_path_buf(), text)
        })
        .collect()
}

fn tool(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn require_go() -> bool {
    std::env::var_os("RESTATE_LSP_REQUIRE_GOFMT").is_some()
}

/// `go vet ./...` on a copy of `module` whose go.mod points sdk-go (and x/mocks) at the stand-ins.
fn vet(module: &Path, stubs: &[(&str, &str)], failures: &mut Vec<String>, what: &str) {
    let Some(go) = tool("go") else {
        if require_go() {
            failures.push("RESTATE_LSP_REQUIRE_GOFMT is set but `go` is not on PATH".into());
        } else {
            eprintln!("\n!!! WARNING: go not found on PATH: {what} was NOT type-checked !!!\n");
        }
        return;
    };
    let copy = module.with_extension("vet");
    copy_dir(module, &copy);
    let gomod = copy.join("go.mod");
    let text = std::fs::read_to_string(&gomod).expect("go.mod");
    // The stand-ins need no newer Go than the installed one; the go line says what the module
    // needs from a real toolchain, so it is lowered for this check only.
    let mut text: String = text
        .lines()
        .filter(|l| !l.starts_with("go ") && !l.starts_with("toolchain "))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str("\ngo 1.19\n");
    let stub_root = common::fixture("migrate/stubs");
    for (module_path, stub) in stubs {
        text.push_str(&format!(
            "replace {module_path} => {}\n",
            stub_root.join(stub).display()
        ));
    }
    std::fs::write(&gomod, text).expect("write go.mod");
    let out = Command::new(go)
        .args(["vet", "./..."])
        .current_dir(&copy)
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("run go vet");
    if !out.status.success() {
        failures.push(format!(
            "{what}: go vet failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let _ = std::fs::remove_dir_all(&copy);
}

fn gofmt_clean(dir: &Path, failures: &mut Vec<String>) {
    let Some(gofmt) = tool("gofmt") else {
        if require_go() {
            failures.push("RESTATE_LSP_REQUIRE_GOFMT is set but gofmt is not on PATH".into());
        } else {
            eprintln!(
                "\n!!! WARNING: gofmt not found on PATH: migrated files were NOT checked !!!\n"
            );
        }
        return;
    };
    let out = Command::new(gofmt)
        .arg("-l")
        .arg(dir)
        .output()
        .expect("run gofmt");
    let listed = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !listed.trim().is_empty() {
        failures.push(format!(
            "gofmt -l lists migrated files:\n{listed}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
}

fn compare_golden(golden: &Path, got: &str, failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE_GOLDENS").is_some() {
        std::fs::create_dir_all(golden.parent().expect("parent")).expect("mkdir");
        std::fs::write(golden, got).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(golden).unwrap_or_default();
    if want != got {
        failures.push(format!(
            "{} differs (UPDATE_GOLDENS=1 to accept):\n--- want\n{want}\n--- got\n{got}",
            golden.display()
        ));
    }
}

fn migrate_fixture(name: &str) {
    let fixture = common::fixture(&format!("migrate/{name}"));
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("migrate");
    let module = work.join(name);
    copy_dir(&fixture, &module);
    let mut failures = vec![];
    vet(
        &module,
        &[("github.com/restatedev/sdk-go", "v0")],
        &mut failures,
        &format!("{name} before the migration (against sdk-go 0.x)"),
    );

    // --diff prints the patch and writes nothing.
    let before = snapshot(&module);
    let out = bin()
        .args(["migrate", "--diff", name])
        .current_dir(&work)
        .output()
        .expect("run migrate --diff");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot(&module), before, "migrate --diff wrote files");
    let diff = String::from_utf8_lossy(&out.stdout).to_string();
    compare_golden(
        &common::fixture(&format!("migrate/{name}.diff.golden")),
        &diff,
        &mut failures,
    );

    let out = bin()
        .args(["migrate", name])
        .current_dir(&work)
        .output()
        .expect("run migrate");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("go mod tidy"), "{report}");

    let after = snapshot(&module);
    assert_ne!(after, before, "migrate changed nothing");
    for (rel, text) in &after {
        let is_go = rel.extension().is_some_and(|x| x == "go");
        if is_go && parse_str(text).root_node().has_error() {
            failures.push(format!(
                "{}: does not parse after the migration",
                rel.display()
            ));
        }
        if is_go || rel == Path::new("go.mod") {
            let golden = common::fixture(&format!("migrate/{name}.golden"))
                .join(format!("{}.golden", rel.display()));
            compare_golden(&golden, text, &mut failures);
        }
    }
    gofmt_clean(&module, &mut failures);

    let gm = gomod::parse(&std::fs::read_to_string(module.join("go.mod")).expect("go.mod"));
    assert_eq!(gm.sdk_version.as_deref(), Some("v1.0.2"));

    let mut sink = vec![];
    let (analyzed, _) = analyze(std::slice::from_ref(&module), &Config::default(), &mut sink);
    for a in &analyzed {
        for f in &a.findings {
            if matches!(f.code, "RS9001" | "RS9002") {
                failures.push(format!("{}: {} {}", a.path.display(), f.code, f.message));
            }
        }
    }
    vet(
        &module,
        &[
            ("github.com/restatedev/sdk-go", "v1"),
            ("github.com/restatedev/sdk-go/x/mocks", "v1mocks"),
        ],
        &mut failures,
        &format!("{name} after the migration (against sdk-go 1.0)"),
    );

    // A second run finds nothing left to do.
    let out = bin()
        .args(["migrate", name])
        .current_dir(&work)
        .output()
        .expect("run migrate again");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing to migrate"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(snapshot(&module), after, "a second migration changed files");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn migrates_the_v024_module() {
    migrate_fixture("v024");
}

#[test]
fn migrates_the_v023_module() {
    migrate_fixture("v023");
}

#[test]
fn migrate_without_a_module_is_a_usage_error() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("migrate-none");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = bin().args(["migrate"]).arg(&dir).output().expect("run");
    // No go.mod in or above a temporary directory (unless the machine has one at /).
    if !Path::new("/go.mod").exists() && !dir.ancestors().any(|a| a.join("go.mod").is_file()) {
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no go.mod"));
    }
}

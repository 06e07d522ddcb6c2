//! Finding the Go files of a workspace on disk: `.gitignore` respected, hidden directories and
//! `vendor/`, `testdata/`, `node_modules/` skipped, oversized files skipped with a log line. Shared
//! by the server's background indexing and the `check` command.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// Files larger than this are not analysed (generated tables, embedded data).
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Found {
    pub go_files: Vec<PathBuf>,
    pub go_mods: Vec<PathBuf>,
    pub configs: Vec<PathBuf>,
    /// Human-readable lines about what was skipped.
    pub skipped: Vec<String>,
}

fn skip_dir(name: &str) -> bool {
    matches!(name, "vendor" | "testdata" | "node_modules")
        || (name.starts_with('.') && name.len() > 1)
}

/// Walk the roots. A root may also be a single file.
pub fn scan(roots: &[PathBuf]) -> Found {
    let mut found = Found::default();
    for root in roots {
        if root.is_file() {
            classify(root, &mut found);
            continue;
        }
        let walker = WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .parents(true)
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && skip_dir(&e.file_name().to_string_lossy()))
            })
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    classify(e.path(), &mut found)
                }
                Ok(_) => {}
                Err(err) => found
                    .skipped
                    .push(format!("cannot read part of the workspace: {err}")),
            }
        }
    }
    found.go_files.sort();
    found.go_files.dedup();
    found.go_mods.sort();
    found.go_mods.dedup();
    found
}

fn classify(path: &Path, found: &mut Found) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name == "go.mod" {
        found.go_mods.push(path.to_path_buf());
    } else if name == crate::analysis::config::FILE_NAME {
        found.configs.push(path.to_path_buf());
    } else if name.ends_with(".go") {
        match std::fs::metadata(path) {
            Ok(m) if m.len() > MAX_FILE_BYTES => found.skipped.push(format!(
                "skipped {} ({} bytes, over the {} byte limit)",
                path.display(),
                m.len(),
                MAX_FILE_BYTES
            )),
            Ok(_) => found.go_files.push(path.to_path_buf()),
            Err(e) => found
                .skipped
                .push(format!("cannot read {}: {e}", path.display())),
        }
    }
}

/// The Go files of the module whose go.mod is in `dir`: those under it that no nested go.mod
/// claims. Also what was skipped, as `scan` reports it.
pub fn module_go_files(dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let found = scan(&[dir.to_path_buf()]);
    let nested: Vec<PathBuf> = found
        .go_mods
        .iter()
        .filter_map(|m| m.parent().map(Path::to_path_buf))
        .filter(|d| d != dir)
        .collect();
    let files = found
        .go_files
        .into_iter()
        .filter(|f| !nested.iter().any(|n| f.starts_with(n)))
        .collect();
    (files, found.skipped)
}

/// Read a source file as UTF-8 (invalid bytes replaced); `None` for binary-looking files.
pub fn read_source(path: &Path) -> std::io::Result<Option<String>> {
    let bytes = std::fs::read(path)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(None);
    }
    if bytes.iter().take(8000).any(|&b| b == 0) {
        return Ok(None);
    }
    Ok(Some(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}

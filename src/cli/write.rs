//! Writing fixed files: only the command line ever writes, and only when asked (`check --fix`,
//! `migrate`). A file is written to a temporary file in its own directory and renamed over the
//! original, so an interrupted run leaves every file either as it was or as fixed, never half
//! written. A read-only file is left alone (a rename would replace it regardless of its mode).

use std::fs;
use std::io::Write;
use std::path::Path;

/// Replace `path`'s contents with `text` atomically, keeping its permissions.
pub fn atomic_write(path: &Path, text: &str) -> std::io::Result<()> {
    let meta = fs::metadata(path)?;
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.restate-lsp-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::set_permissions(&tmp, meta.permissions())?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A unified diff of one file (empty when nothing changed). Relative paths get git's `a/` and `b/`
/// prefixes, so that `git apply` and `patch -p1` take the output.
pub fn unified_diff(shown: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let (a, b) = if shown.starts_with('/') {
        (shown.to_string(), shown.to_string())
    } else {
        (format!("a/{shown}"), format!("b/{shown}"))
    };
    similar::udiff::unified_diff(similar::Algorithm::Myers, old, new, 3, Some((&a, &b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_and_leave_no_temporary_behind() {
        let dir = std::env::temp_dir().join(format!("restate-lsp-write-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("a.go");
        fs::write(&f, "old\n").expect("write");
        atomic_write(&f, "new\n").expect("atomic write");
        assert_eq!(fs::read_to_string(&f).expect("read"), "new\n");
        assert_eq!(fs::read_dir(&dir).expect("list").count(), 1);
        let mut p = fs::metadata(&f).expect("meta").permissions();
        p.set_readonly(true);
        fs::set_permissions(&f, p).expect("chmod");
        assert!(atomic_write(&f, "newer\n").is_err());
        assert_eq!(fs::read_to_string(&f).expect("read"), "new\n");
        let mut p = fs::metadata(&f).expect("meta").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        let _ = fs::set_permissions(&f, p);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn diff_has_git_headers() {
        let d = unified_diff("x.go", "a\nb\n", "a\nc\n");
        assert!(
            d.starts_with("--- a/x.go\n+++ b/x.go\n@@ -1,2 +1,2 @@\n"),
            "{d}"
        );
        assert_eq!(unified_diff("x.go", "a\n", "a\n"), "");
    }
}

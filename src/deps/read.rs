//! From an import path to the Go files of its package: the workspace module's go.mod says which
//! module provides it and at which version (after `replace`), and the package lives in the module's
//! directory in the module cache, in the module's `vendor/`, or in a local replacement directory.
//! Only the directory of an imported package is read, never a whole module.

use std::path::{Path, PathBuf};

use crate::deps::locate;
use crate::deps::modfile::{self, ModFile, Target};

/// A workspace module: its directory and go.mod.
#[derive(Clone, Debug)]
pub struct Root {
    pub dir: PathBuf,
    pub modfile: ModFile,
    /// `vendor/modules.txt` exists: Go builds from `vendor/` (Go 1.14 and later).
    pub vendor: bool,
}

impl Root {
    /// Read `dir/go.mod` (None when it cannot be read).
    pub fn read(dir: &Path) -> Option<Root> {
        let text = std::fs::read_to_string(dir.join("go.mod")).ok()?;
        Some(Root {
            dir: dir.to_path_buf(),
            modfile: modfile::parse(&text),
            vendor: dir.join("vendor/modules.txt").is_file(),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The module cache: immutable per module@version, so summaries are cached on disk.
    ModCache,
    /// The workspace module's `vendor/` directory.
    Vendor,
    /// A `replace` to a local directory.
    Local,
}

/// Where one imported package is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub module: String,
    pub version: String,
    /// The package's directory.
    pub dir: PathBuf,
    /// The module's directory (a package may be missing from a module that is there).
    pub module_dir: PathBuf,
    pub origin: Origin,
}

/// The package directory of `import_path` for code of the module `root`, or None when no
/// requirement provides it (or no module cache is known and the module does not vendor).
pub fn resolve(root: &Root, modcache: Option<&Path>, import_path: &str) -> Option<Resolved> {
    let (module, version) = root.modfile.provider(import_path)?;
    let sub = import_path[module.len()..].trim_start_matches('/');
    let (module, version, module_dir, origin) = if root.vendor {
        let vendored = root.dir.join("vendor").join(module);
        (module, version, vendored, Origin::Vendor)
    } else {
        match root.modfile.replacement(module, version) {
            Some(Target::Dir(d)) => (module, version, root.dir.join(d), Origin::Local),
            Some(Target::Module { path, version }) => (
                path,
                version,
                locate::module_dir(modcache?, path, version),
                Origin::ModCache,
            ),
            None => (
                module,
                version,
                locate::module_dir(modcache?, module, version),
                Origin::ModCache,
            ),
        }
    };
    Some(Resolved {
        module: module.clone(),
        version: version.clone(),
        dir: module_dir.join(sub),
        module_dir,
        origin,
    })
}

/// Operating systems and architectures Go knows, for file names such as `conn_windows.go` and
/// `asm_arm64.go` (build constraints by name).
const GOOS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];
const GOARCH: &[&str] = &[
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

fn host_goos() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

fn host_goarch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// Whether a file name's `_GOOS`, `_GOARCH` or `_GOOS_GOARCH` suffix excludes it on this machine.
fn other_platform(name: &str) -> bool {
    let stem = name.trim_end_matches(".go");
    let mut parts = stem.rsplit('_');
    let last = parts.next().unwrap_or("");
    let before = parts.next();
    // `windows.go` is no constraint: the suffix needs a name before it.
    if before.is_none() {
        return false;
    }
    if GOARCH.contains(&last) {
        if last != host_goarch() {
            return true;
        }
        return before.is_some_and(|os| GOOS.contains(&os) && os != host_goos());
    }
    GOOS.contains(&last) && last != host_goos()
}

/// Whether a file asks not to be built at all (`//go:build ignore`, before the package clause).
fn ignored(src: &str) -> bool {
    for line in src.lines() {
        let t = line.trim();
        if t.starts_with("package ") {
            return false;
        }
        if let Some(expr) = t.strip_prefix("//go:build") {
            return expr.trim() == "ignore";
        }
    }
    false
}

/// The Go files of a package directory that build on this machine, as (name, text), sorted by
/// name: test files, files for other platforms and ignored files left out. None when the
/// directory cannot be read.
pub fn package_files(dir: &Path) -> Option<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".go") && !n.ends_with("_test.go") && !other_platform(n))
        .collect();
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        if let Ok(Some(src)) = crate::scan::read_source(&dir.join(&n))
            && !ignored(&src)
        {
            out.push((n, src));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(dir: &str, gomod: &str, vendor: bool) -> Root {
        Root {
            dir: PathBuf::from(dir),
            modfile: modfile::parse(gomod),
            vendor,
        }
    }

    const GO_MOD: &str = "module example.com/shop\nrequire (\n\tgithub.com/BurntSushi/toml v1.4.0\n\tgithub.com/segmentio/kafka-go v0.4.40\n\texample.com/billing v0.0.0\n\tgithub.com/redis/go-redis/v9 v9.7.0\n)\nreplace github.com/segmentio/kafka-go => github.com/segmentio/kafka-go v0.4.47\nreplace example.com/billing => ../billing\n";

    #[test]
    fn import_paths_to_directories() {
        let r = root("/w/shop", GO_MOD, false);
        let cache = Path::new("/gp/pkg/mod");
        let toml = resolve(&r, Some(cache), "github.com/BurntSushi/toml").expect("toml");
        assert_eq!(
            toml.dir,
            PathBuf::from("/gp/pkg/mod/github.com/!burnt!sushi/toml@v1.4.0")
        );
        assert_eq!(toml.origin, Origin::ModCache);
        let kafka =
            resolve(&r, Some(cache), "github.com/segmentio/kafka-go/compress").expect("kafka");
        assert_eq!(
            kafka.dir,
            PathBuf::from("/gp/pkg/mod/github.com/segmentio/kafka-go@v0.4.47/compress")
        );
        assert_eq!(kafka.version, "v0.4.47");
        let billing = resolve(&r, Some(cache), "example.com/billing/invoice").expect("billing");
        assert_eq!(billing.dir, PathBuf::from("/w/shop/../billing/invoice"));
        assert_eq!(billing.origin, Origin::Local);
        assert_eq!(resolve(&r, Some(cache), "github.com/unknown/mod"), None);
        // Without a module cache only vendored and local modules are found.
        assert_eq!(resolve(&r, None, "github.com/BurntSushi/toml"), None);
        assert!(resolve(&r, None, "example.com/billing").is_some());
    }

    #[test]
    fn vendored_modules_come_from_vendor() {
        let r = root("/w/shop", GO_MOD, true);
        let v = resolve(&r, None, "github.com/redis/go-redis/v9/internal/pool").expect("vendored");
        assert_eq!(
            v.dir,
            PathBuf::from("/w/shop/vendor/github.com/redis/go-redis/v9/internal/pool")
        );
        assert_eq!(v.origin, Origin::Vendor);
    }

    #[test]
    fn platform_files_and_ignored_files() {
        assert!(!other_platform("client.go"));
        assert!(!other_platform("read_only.go"));
        assert!(!other_platform(&format!("conn_{}.go", host_goos())));
        assert!(other_platform("conn_plan9.go"));
        assert!(other_platform("asm_s390x.go"));
        assert!(other_platform("zsys_plan9_amd64.go"));
        assert!(
            !other_platform("windows.go"),
            "a bare GOOS name is no constraint"
        );
        assert!(ignored("//go:build ignore\n\npackage main\n"));
        assert!(!ignored("//go:build linux\n\npackage x\n"));
        assert!(!ignored("package x\n//go:build ignore\n"));
    }

    #[test]
    fn package_files_reads_one_directory() {
        let dir = std::env::temp_dir().join(format!("restate-lsp-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
        for (n, t) in [
            ("a.go", "package p\n"),
            ("a_test.go", "package p\n"),
            ("gen.go", "//go:build ignore\n\npackage main\n"),
            ("z_plan9.go", "package p\n"),
            ("notes.txt", "x"),
            ("sub/b.go", "package sub\n"),
        ] {
            std::fs::write(dir.join(n), t).expect("write");
        }
        let files = package_files(&dir).expect("readable");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["a.go"]);
        assert!(package_files(&dir.join("missing")).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The on-disk cache of summaries: one JSON file per module@version under our cache directory
//! (`locate::cache_dir`), holding the summaries of the packages of that module read so far and the
//! import paths it does not contain. Only modules from the module cache are kept (immutable per
//! version; vendored and locally replaced code may change under the same version).
//!
//! A file that does not parse, has another format number or names another module is discarded
//! (and rebuilt when the module is read again): a broken cache costs a parse, never an error.
//! Files are written to a temporary file and renamed, so a reader sees an old file or a new one.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::summary::PkgSummary;
use crate::deps::locate;

/// Bumped whenever what a summary holds or how it is computed changes: files of another format
/// are rebuilt.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModuleEntry {
    pub format: u32,
    pub module: String,
    pub version: String,
    /// By import path.
    pub packages: BTreeMap<String, PkgSummary>,
    /// Import paths looked for in this module and not found.
    #[serde(default)]
    pub missing: BTreeSet<String>,
}

/// The same, borrowed, for writing without copying the summaries.
#[derive(Serialize)]
pub struct ModuleEntryRef<'a> {
    pub format: u32,
    pub module: &'a str,
    pub version: &'a str,
    pub packages: BTreeMap<&'a str, &'a PkgSummary>,
    pub missing: BTreeSet<&'a str>,
}

#[derive(Debug, PartialEq)]
pub enum Lookup {
    Hit(ModuleEntry),
    /// No file: the module was never summarised here.
    Absent,
    /// A file was there but unusable (corrupt, old format, another module); why.
    Discarded(String),
}

#[derive(Clone, Debug)]
pub struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    pub fn new(dir: PathBuf) -> DiskCache {
        DiskCache { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/<escaped module>@<escaped version>.json`.
    pub fn path(&self, module: &str, version: &str) -> PathBuf {
        self.dir.join(format!(
            "{}@{}.json",
            locate::escape(module),
            locate::escape(version)
        ))
    }

    pub fn load(&self, module: &str, version: &str) -> Lookup {
        let path = self.path(module, version);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Absent,
            Err(e) => return Lookup::Discarded(format!("cannot read {}: {e}", path.display())),
        };
        match serde_json::from_slice::<ModuleEntry>(&bytes) {
            Ok(entry) if entry.format != FORMAT => Lookup::Discarded(format!(
                "{} has format {}, this build writes {FORMAT}",
                path.display(),
                entry.format
            )),
            Ok(entry) if entry.module != module || entry.version != version => {
                Lookup::Discarded(format!(
                    "{} holds {}@{}",
                    path.display(),
                    entry.module,
                    entry.version
                ))
            }
            Ok(entry) => Lookup::Hit(entry),
            Err(e) => Lookup::Discarded(format!("{} is corrupt: {e}", path.display())),
        }
    }

    /// Write an entry atomically (temporary file in the same directory, then rename).
    pub fn store(&self, entry: &ModuleEntryRef<'_>) -> std::io::Result<()> {
        let path = self.path(entry.module, entry.version);
        let dir = path
            .parent()
            .ok_or_else(|| std::io::Error::other("cache path without a directory"))?;
        std::fs::create_dir_all(dir)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            serde_json::to_writer(&mut f, entry).map_err(std::io::Error::other)?;
            f.flush()?;
            std::fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::summary::summarize;

    fn temp(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("restate-lsp-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn entry() -> ModuleEntry {
        let pkg = summarize(
            "github.com/BurntSushi/toml",
            &[(
                "decode.go".into(),
                "package toml\nimport \"os\"\nfunc DecodeFile(path string, v any) (MetaData, error) { _, err := os.ReadFile(path); return MetaData{}, err }\ntype MetaData struct{}\n".into(),
            )],
        );
        ModuleEntry {
            format: FORMAT,
            module: "github.com/BurntSushi/toml".into(),
            version: "v1.4.0".into(),
            packages: [(pkg.path.clone(), pkg)].into_iter().collect(),
            missing: ["github.com/BurntSushi/toml/nope".to_string()].into(),
        }
    }

    fn as_ref(e: &ModuleEntry) -> ModuleEntryRef<'_> {
        ModuleEntryRef {
            format: e.format,
            module: &e.module,
            version: &e.version,
            packages: e.packages.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            missing: e.missing.iter().map(String::as_str).collect(),
        }
    }

    #[test]
    fn round_trip() {
        let dir = temp("round");
        let cache = DiskCache::new(dir.clone());
        let e = entry();
        assert_eq!(cache.load(&e.module, &e.version), Lookup::Absent);
        cache.store(&as_ref(&e)).expect("store");
        assert!(
            cache
                .path(&e.module, &e.version)
                .ends_with("github.com/!burnt!sushi/toml@v1.4.0.json")
        );
        assert_eq!(cache.load(&e.module, &e.version), Lookup::Hit(e.clone()));
        let f = &cache.load(&e.module, &e.version);
        let Lookup::Hit(back) = f else { panic!("hit") };
        assert_eq!(
            back.packages["github.com/BurntSushi/toml"]
                .function("DecodeFile")
                .and_then(|f| f.io.as_deref()),
            Some("os.ReadFile")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn corrupt_old_and_foreign_files_are_discarded_and_rewritten() {
        let dir = temp("bad");
        let cache = DiskCache::new(dir.clone());
        let e = entry();
        let path = cache.path(&e.module, &e.version);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, b"{\"format\": 1, \"module\": \"github.com/Bur").expect("write");
        assert!(
            matches!(cache.load(&e.module, &e.version), Lookup::Discarded(w) if w.contains("corrupt"))
        );
        // An older format, even one that parses, is rebuilt.
        let mut old = e.clone();
        old.format = FORMAT - 1;
        cache.store(&as_ref(&old)).expect("store");
        assert!(
            matches!(cache.load(&e.module, &e.version), Lookup::Discarded(w) if w.contains("format"))
        );
        let mut other = e.clone();
        other.version = "v1.3.0".into();
        std::fs::write(&path, serde_json::to_vec(&other).expect("json")).expect("write");
        assert!(matches!(
            cache.load(&e.module, &e.version),
            Lookup::Discarded(_)
        ));
        // Rewriting replaces the bad file.
        cache.store(&as_ref(&e)).expect("store");
        assert_eq!(cache.load(&e.module, &e.version), Lookup::Hit(e));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("dir")
            .filter_map(|x| x.ok())
            .filter(|x| x.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

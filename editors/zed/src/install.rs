//! Where the extension gets `restate-lsp` from, as plain Rust: no Zed API in here, so the decisions
//! (release asset per platform, the order of sources, caching and clean-up) are unit-tested on the
//! host with a fake [`Host`]. `lib.rs` implements [`Host`] with `zed_extension_api`.
//!
//! Order, as Zed's own language extensions (zig, ruff) do it:
//! 1. the `lsp.restate-lsp.binary.path` setting: the user said which binary, nothing is guessed;
//! 2. `restate-lsp` on the worktree's PATH: whoever installed it (installer script, Homebrew, cargo,
//!    a team's pinned version) chose the version, and no network is needed;
//! 3. the binary this extension downloaded earlier in this session (no GitHub query per worktree);
//! 4. the latest GitHub release: its asset for this platform, unpacked into a directory named by
//!    the release's version, reused while that version is the latest, older versions deleted;
//! 5. when GitHub cannot be asked (offline, rate-limited), the newest version downloaded before.

/// The GitHub repository whose releases carry the binaries (built by cargo-dist, see
/// dist-workspace.toml and docs/distribution.md).
pub const REPO: &str = "restate-lsp/restate-lsp";
/// The binary's name (cargo-dist's archives are named after it too).
pub const BINARY: &str = "restate-lsp";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    Mac,
    Linux,
    Windows,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    Aarch64,
    X86,
    X86_64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    GzipTar,
    Zip,
}

/// A release asset for one platform and where the binary sits once it is unpacked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub name: String,
    pub kind: ArchiveKind,
    /// Relative to the directory the archive is unpacked into.
    pub binary_in_archive: String,
}

/// The Rust target triple cargo-dist builds for this platform. Linux binaries are static (musl) so
/// one works on every distribution; Windows on ARM runs the x86_64 build under emulation.
pub fn target_triple(os: Os, arch: Arch) -> Result<&'static str, String> {
    match (os, arch) {
        (Os::Linux, Arch::X86_64) => Ok("x86_64-unknown-linux-musl"),
        (Os::Linux, Arch::Aarch64) => Ok("aarch64-unknown-linux-musl"),
        (Os::Mac, Arch::X86_64) => Ok("x86_64-apple-darwin"),
        (Os::Mac, Arch::Aarch64) => Ok("aarch64-apple-darwin"),
        (Os::Windows, Arch::X86_64 | Arch::Aarch64) => Ok("x86_64-pc-windows-msvc"),
        (os, Arch::X86) => Err(format!(
            "restate-lsp publishes no binary for 32-bit x86 {os:?}; build it with `cargo install --locked restate-lsp` \
             and set lsp.{BINARY}.binary.path"
        )),
    }
}

/// The archive cargo-dist publishes for this platform: `restate-lsp-<triple>.tar.gz` holding
/// `restate-lsp-<triple>/restate-lsp`, or on Windows a flat `restate-lsp-<triple>.zip` holding
/// `restate-lsp.exe`. (Zed unpacks gzip tarballs and zips but not .tar.xz, cargo-dist's default,
/// which is why dist-workspace.toml sets `unix-archive = ".tar.gz"`.)
pub fn release_asset(os: Os, arch: Arch) -> Result<Asset, String> {
    let triple = target_triple(os, arch)?;
    let stem = format!("{BINARY}-{triple}");
    Ok(match os {
        Os::Windows => Asset {
            name: format!("{stem}.zip"),
            kind: ArchiveKind::Zip,
            binary_in_archive: format!("{BINARY}.exe"),
        },
        Os::Mac | Os::Linux => Asset {
            name: format!("{stem}.tar.gz"),
            kind: ArchiveKind::GzipTar,
            binary_in_archive: format!("{stem}/{BINARY}"),
        },
    })
}

const VERSION_DIR_PREFIX: &str = "restate-lsp-";

/// The directory (inside the extension's work directory) one release is unpacked into.
pub fn version_dir(version: &str) -> String {
    format!("{VERSION_DIR_PREFIX}{version}")
}

/// The numeric parts of a version directory's version (`restate-lsp-v0.10.2` -> [0, 10, 2]); None
/// for entries that are not version directories.
fn dir_version(name: &str) -> Option<Vec<u64>> {
    let v = name.strip_prefix(VERSION_DIR_PREFIX)?;
    let v = v.strip_prefix('v').unwrap_or(v);
    // A pre-release suffix (`-rc.1`) does not take part; such releases are not downloaded anyway.
    let core = v.split(['-', '+']).next()?;
    let parts: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// A GitHub release as the host reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    pub assets: Vec<ReleaseAsset>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseAsset {
    pub name: String,
    pub download_url: String,
}

/// What Zed shows next to the language server while the extension works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    None,
    CheckingForUpdate,
    Downloading,
    Failed(String),
}

/// Where the binary came from (the command is the same kind of path in each case; the source
/// decides the environment `lib.rs` starts it with).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Setting(String),
    Path(String),
    Downloaded(String),
}

impl Found {
    pub fn path(&self) -> &str {
        match self {
            Found::Setting(p) | Found::Path(p) | Found::Downloaded(p) => p,
        }
    }
}

/// What the extension needs from Zed. Paths are relative to the extension's work directory, as
/// Zed's `download_file` and `make_file_executable` take them.
pub trait Host {
    fn setting_path(&self) -> Option<String>;
    fn which(&self) -> Option<String>;
    fn platform(&self) -> (Os, Arch);
    fn latest_release(&self) -> Result<Release, String>;
    fn download(&self, url: &str, dir: &str, kind: ArchiveKind) -> Result<(), String>;
    fn make_executable(&self, path: &str) -> Result<(), String>;
    fn is_file(&self, path: &str) -> bool;
    /// Names of the entries of the work directory.
    fn list_dir(&self) -> Result<Vec<String>, String>;
    fn remove_dir(&self, name: &str);
    fn set_status(&self, status: Status);
}

/// How to get the binary without the extension, appended to every failure message.
const MANUAL: &str = "Install restate-lsp with the installer from https://github.com/restate-lsp/restate-lsp#install \
     (or `brew install restate-lsp/tap/restate-lsp`, or `cargo install --locked restate-lsp`) so it is on PATH, \
     or set \"lsp\": { \"restate-lsp\": { \"binary\": { \"path\": \"/path/to/restate-lsp\" } } } in Zed's settings.";

/// Finds the binary in the order described at the top of this module. `cached` is the path this
/// extension downloaded or found earlier in the session.
pub fn find_binary(host: &impl Host, cached: Option<&str>) -> Result<Found, String> {
    if let Some(path) = host.setting_path() {
        return Ok(Found::Setting(path));
    }
    if let Some(path) = host.which() {
        return Ok(Found::Path(path));
    }
    if let Some(path) = cached {
        if host.is_file(path) {
            return Ok(Found::Downloaded(path.to_string()));
        }
    }
    match download_latest(host) {
        Ok(path) => {
            host.set_status(Status::None);
            Ok(Found::Downloaded(path))
        }
        Err(e) => {
            let message = format!("{e}. {MANUAL}");
            host.set_status(Status::Failed(message.clone()));
            Err(message)
        }
    }
}

fn download_latest(host: &impl Host) -> Result<String, String> {
    let (os, arch) = host.platform();
    let asset = release_asset(os, arch)?;
    host.set_status(Status::CheckingForUpdate);
    let release = match host.latest_release() {
        Ok(r) => r,
        Err(e) => {
            // Offline or rate-limited: an earlier download still works.
            return newest_downloaded(host, &asset).ok_or_else(|| {
                format!("could not look up the latest {BINARY} release of {REPO} on GitHub: {e}")
            });
        }
    };
    let dir = version_dir(&release.version);
    let binary = format!("{dir}/{}", asset.binary_in_archive);
    if host.is_file(&binary) {
        return Ok(binary);
    }
    let url = release
        .assets
        .iter()
        .find(|a| a.name == asset.name)
        .map(|a| a.download_url.clone())
        .ok_or_else(|| {
            format!(
                "release {} of {REPO} has no asset {} for this platform",
                release.version, asset.name
            )
        })?;
    host.set_status(Status::Downloading);
    if let Err(e) = host
        .download(&url, &dir, asset.kind)
        .and_then(|()| host.make_executable(&binary))
    {
        // A half-unpacked directory would be taken for a finished download next time.
        host.remove_dir(&dir);
        return Err(format!("could not download {}: {e}", asset.name));
    }
    if !host.is_file(&binary) {
        host.remove_dir(&dir);
        return Err(format!(
            "{} did not contain {}",
            asset.name, asset.binary_in_archive
        ));
    }
    remove_other_versions(host, &dir);
    Ok(binary)
}

/// Deletes the version directories other than `keep`. Failing to list or delete only costs disk
/// space, so it is not an error.
fn remove_other_versions(host: &impl Host, keep: &str) {
    for name in host.list_dir().unwrap_or_default() {
        if name != keep && dir_version(&name).is_some() {
            host.remove_dir(&name);
        }
    }
}

/// The binary of the newest version downloaded earlier, if any is complete.
fn newest_downloaded(host: &impl Host, asset: &Asset) -> Option<String> {
    let mut dirs: Vec<(Vec<u64>, String)> = host
        .list_dir()
        .ok()?
        .into_iter()
        .filter_map(|name| dir_version(&name).map(|v| (v, name)))
        .collect();
    dirs.sort();
    dirs.into_iter().rev().find_map(|(_, name)| {
        let binary = format!("{name}/{}", asset.binary_in_archive);
        host.is_file(&binary).then_some(binary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    #[test]
    fn asset_names_follow_cargo_dist_per_platform() {
        let cases = [
            (
                Os::Linux,
                Arch::X86_64,
                "restate-lsp-x86_64-unknown-linux-musl.tar.gz",
                "restate-lsp-x86_64-unknown-linux-musl/restate-lsp",
            ),
            (
                Os::Linux,
                Arch::Aarch64,
                "restate-lsp-aarch64-unknown-linux-musl.tar.gz",
                "restate-lsp-aarch64-unknown-linux-musl/restate-lsp",
            ),
            (
                Os::Mac,
                Arch::X86_64,
                "restate-lsp-x86_64-apple-darwin.tar.gz",
                "restate-lsp-x86_64-apple-darwin/restate-lsp",
            ),
            (
                Os::Mac,
                Arch::Aarch64,
                "restate-lsp-aarch64-apple-darwin.tar.gz",
                "restate-lsp-aarch64-apple-darwin/restate-lsp",
            ),
            (
                Os::Windows,
                Arch::X86_64,
                "restate-lsp-x86_64-pc-windows-msvc.zip",
                "restate-lsp.exe",
            ),
            // No ARM Windows build: the x86_64 one runs under emulation.
            (
                Os::Windows,
                Arch::Aarch64,
                "restate-lsp-x86_64-pc-windows-msvc.zip",
                "restate-lsp.exe",
            ),
        ];
        for (os, arch, name, inside) in cases {
            let a = release_asset(os, arch).unwrap();
            assert_eq!(
                (a.name.as_str(), a.binary_in_archive.as_str()),
                (name, inside),
                "{os:?} {arch:?}"
            );
            let kind = if os == Os::Windows {
                ArchiveKind::Zip
            } else {
                ArchiveKind::GzipTar
            };
            assert_eq!(a.kind, kind);
        }
        for os in [Os::Linux, Os::Mac, Os::Windows] {
            let e = release_asset(os, Arch::X86).unwrap_err();
            assert!(e.contains("32-bit") && e.contains("binary.path"), "{e}");
        }
    }

    #[test]
    fn version_dirs_parse_and_order() {
        assert_eq!(version_dir("v0.2.0"), "restate-lsp-v0.2.0");
        assert_eq!(dir_version("restate-lsp-v0.10.2"), Some(vec![0, 10, 2]));
        assert_eq!(dir_version("restate-lsp-1.2.3-rc.1"), Some(vec![1, 2, 3]));
        assert_eq!(dir_version("restate-lsp-vx"), None);
        assert_eq!(dir_version("restate-lsp-"), None);
        assert_eq!(dir_version("notes.txt"), None);
        assert!(dir_version("restate-lsp-v0.10.0") > dir_version("restate-lsp-v0.9.9"));
    }

    /// A scripted Zed: a file system of relative paths, a release, and a log of what was called.
    struct Fake {
        setting: Option<String>,
        on_path: Option<String>,
        platform: (Os, Arch),
        release: Result<Release, String>,
        /// Files the archive unpacks to, relative to the directory it is unpacked into.
        archive: Result<Vec<String>, String>,
        files: RefCell<BTreeSet<String>>,
        log: RefCell<Vec<String>>,
        statuses: RefCell<Vec<Status>>,
    }

    impl Fake {
        fn new() -> Self {
            Fake {
                setting: None,
                on_path: None,
                platform: (Os::Linux, Arch::X86_64),
                release: Ok(release("v0.2.0")),
                archive: Ok(vec![
                    "restate-lsp-x86_64-unknown-linux-musl/restate-lsp".into()
                ]),
                files: RefCell::default(),
                log: RefCell::default(),
                statuses: RefCell::default(),
            }
        }
        fn with_files(self, files: &[&str]) -> Self {
            self.files
                .borrow_mut()
                .extend(files.iter().map(|f| f.to_string()));
            self
        }
        fn log(&self) -> Vec<String> {
            self.log.borrow().clone()
        }
        fn dirs(&self) -> BTreeSet<String> {
            self.files
                .borrow()
                .iter()
                .filter_map(|f| f.split('/').next().map(String::from))
                .collect()
        }
    }

    fn release(version: &str) -> Release {
        let names = [
            "restate-lsp-x86_64-unknown-linux-musl.tar.gz",
            "restate-lsp-aarch64-unknown-linux-musl.tar.gz",
            "restate-lsp-x86_64-apple-darwin.tar.gz",
            "restate-lsp-aarch64-apple-darwin.tar.gz",
            "restate-lsp-x86_64-pc-windows-msvc.zip",
            "restate-lsp-installer.sh",
        ];
        Release {
            version: version.into(),
            assets: names
                .iter()
                .map(|n| ReleaseAsset {
                    name: n.to_string(),
                    download_url: format!("https://example.invalid/{version}/{n}"),
                })
                .collect(),
        }
    }

    impl Host for Fake {
        fn setting_path(&self) -> Option<String> {
            self.log.borrow_mut().push("setting".into());
            self.setting.clone()
        }
        fn which(&self) -> Option<String> {
            self.log.borrow_mut().push("which".into());
            self.on_path.clone()
        }
        fn platform(&self) -> (Os, Arch) {
            self.platform
        }
        fn latest_release(&self) -> Result<Release, String> {
            self.log.borrow_mut().push("latest_release".into());
            self.release.clone()
        }
        fn download(&self, url: &str, dir: &str, kind: ArchiveKind) -> Result<(), String> {
            self.log
                .borrow_mut()
                .push(format!("download {url} -> {dir} as {kind:?}"));
            let files = self.archive.clone()?;
            self.files
                .borrow_mut()
                .extend(files.into_iter().map(|f| format!("{dir}/{f}")));
            Ok(())
        }
        fn make_executable(&self, path: &str) -> Result<(), String> {
            self.log.borrow_mut().push(format!("chmod {path}"));
            if self.files.borrow().contains(path) {
                Ok(())
            } else {
                Err(format!("{path}: no such file"))
            }
        }
        fn is_file(&self, path: &str) -> bool {
            self.files.borrow().contains(path)
        }
        fn list_dir(&self) -> Result<Vec<String>, String> {
            Ok(self.dirs().into_iter().collect())
        }
        fn remove_dir(&self, name: &str) {
            self.log.borrow_mut().push(format!("rm {name}"));
            self.files
                .borrow_mut()
                .retain(|f| f.split('/').next() != Some(name));
        }
        fn set_status(&self, status: Status) {
            self.statuses.borrow_mut().push(status);
        }
    }

    const LINUX_BIN: &str = "restate-lsp-v0.2.0/restate-lsp-x86_64-unknown-linux-musl/restate-lsp";

    #[test]
    fn the_setting_wins_over_path_and_download() {
        let mut host = Fake::new();
        host.setting = Some("/opt/restate-lsp".into());
        host.on_path = Some("/usr/bin/restate-lsp".into());
        assert_eq!(
            find_binary(&host, None),
            Ok(Found::Setting("/opt/restate-lsp".into()))
        );
        assert_eq!(host.log(), ["setting"]);
        assert!(host.statuses.borrow().is_empty());
    }

    #[test]
    fn path_comes_before_any_download() {
        let mut host = Fake::new();
        host.on_path = Some("/home/me/.cargo/bin/restate-lsp".into());
        assert_eq!(
            find_binary(&host, None),
            Ok(Found::Path("/home/me/.cargo/bin/restate-lsp".into()))
        );
        assert_eq!(host.log(), ["setting", "which"]);
    }

    #[test]
    fn downloads_the_platform_asset_into_a_version_dir_and_removes_older_versions() {
        let host = Fake::new().with_files(&[
            "restate-lsp-v0.1.0/restate-lsp-x86_64-unknown-linux-musl/restate-lsp",
            "unrelated/file",
        ]);
        assert_eq!(
            find_binary(&host, None),
            Ok(Found::Downloaded(LINUX_BIN.into()))
        );
        assert_eq!(
            host.log(),
            [
                "setting",
                "which",
                "latest_release",
                "download https://example.invalid/v0.2.0/restate-lsp-x86_64-unknown-linux-musl.tar.gz -> restate-lsp-v0.2.0 as GzipTar",
                &format!("chmod {LINUX_BIN}"),
                "rm restate-lsp-v0.1.0",
            ]
        );
        assert_eq!(
            host.dirs(),
            BTreeSet::from(["restate-lsp-v0.2.0".to_string(), "unrelated".to_string()])
        );
        assert_eq!(
            *host.statuses.borrow(),
            [Status::CheckingForUpdate, Status::Downloading, Status::None]
        );
    }

    #[test]
    fn windows_downloads_the_zip_with_a_flat_exe() {
        let mut host = Fake::new();
        host.platform = (Os::Windows, Arch::X86_64);
        host.archive = Ok(vec!["restate-lsp.exe".into(), "README.md".into()]);
        assert_eq!(
            find_binary(&host, None),
            Ok(Found::Downloaded(
                "restate-lsp-v0.2.0/restate-lsp.exe".into()
            ))
        );
        assert!(host
            .log()
            .iter()
            .any(|l| l
                .ends_with("restate-lsp-x86_64-pc-windows-msvc.zip -> restate-lsp-v0.2.0 as Zip")));
    }

    #[test]
    fn the_current_version_already_unpacked_is_not_downloaded_again() {
        let host = Fake::new().with_files(&[LINUX_BIN]);
        assert_eq!(
            find_binary(&host, None),
            Ok(Found::Downloaded(LINUX_BIN.into()))
        );
        assert_eq!(host.log(), ["setting", "which", "latest_release"]);
    }

    #[test]
    fn a_binary_found_earlier_in_the_session_skips_github() {
        let host = Fake::new().with_files(&[LINUX_BIN]);
        assert_eq!(
            find_binary(&host, Some(LINUX_BIN)),
            Ok(Found::Downloaded(LINUX_BIN.into()))
        );
        assert_eq!(host.log(), ["setting", "which"]);
        // ... but a cached path that was deleted meanwhile is not trusted.
        let host = Fake::new();
        assert_eq!(
            find_binary(&host, Some(LINUX_BIN)),
            Ok(Found::Downloaded(LINUX_BIN.into()))
        );
        assert!(host.log().contains(&"latest_release".to_string()));
    }

    #[test]
    fn offline_uses_the_newest_earlier_download() {
        let mut host = Fake::new().with_files(&[
            "restate-lsp-v0.9.0/restate-lsp-x86_64-unknown-linux-musl/restate-lsp",
            "restate-lsp-v0.10.0/restate-lsp-x86_64-unknown-linux-musl/restate-lsp",
            // newest, but incomplete
            "restate-lsp-v0.11.0/restate-lsp-x86_64-unknown-linux-musl/README.md",
        ]);
        host.release = Err("network unreachable".into());
        assert_eq!(
            find_binary(&host, None),
            Ok(Found::Downloaded(
                "restate-lsp-v0.10.0/restate-lsp-x86_64-unknown-linux-musl/restate-lsp".into()
            ))
        );
    }

    #[test]
    fn offline_without_an_earlier_download_fails_with_how_to_install() {
        let mut host = Fake::new();
        host.release = Err("network unreachable".into());
        let e = find_binary(&host, None).unwrap_err();
        assert!(
            e.contains("network unreachable") && e.contains("binary") && e.contains("#install"),
            "{e}"
        );
        assert_eq!(host.statuses.borrow().last(), Some(&Status::Failed(e)));
    }

    #[test]
    fn a_failed_download_leaves_no_directory_and_reports_failure() {
        let mut host = Fake::new()
            .with_files(&["restate-lsp-v0.1.0/restate-lsp-x86_64-unknown-linux-musl/restate-lsp"]);
        host.archive = Err("connection reset".into());
        let e = find_binary(&host, None).unwrap_err();
        assert!(
            e.contains("restate-lsp-x86_64-unknown-linux-musl.tar.gz")
                && e.contains("connection reset"),
            "{e}"
        );
        assert!(host.log().contains(&"rm restate-lsp-v0.2.0".to_string()));
        // The older version stays: it is what an offline start falls back to.
        assert_eq!(
            host.dirs(),
            BTreeSet::from(["restate-lsp-v0.1.0".to_string()])
        );
        assert!(matches!(
            host.statuses.borrow().last(),
            Some(Status::Failed(_))
        ));
    }

    #[test]
    fn an_archive_without_the_binary_is_an_error() {
        let mut host = Fake::new();
        host.archive = Ok(vec![
            "restate-lsp-x86_64-unknown-linux-musl/README.md".into()
        ]);
        let e = find_binary(&host, None).unwrap_err();
        assert!(e.contains("could not download"), "{e}");
        assert!(host.dirs().is_empty());
    }

    #[test]
    fn a_release_without_this_platform_asset_names_it() {
        let mut host = Fake::new();
        host.platform = (Os::Mac, Arch::Aarch64);
        host.release = Ok(Release {
            version: "v0.3.0".into(),
            assets: vec![],
        });
        let e = find_binary(&host, None).unwrap_err();
        assert!(
            e.contains("v0.3.0") && e.contains("restate-lsp-aarch64-apple-darwin.tar.gz"),
            "{e}"
        );
    }

    #[test]
    fn unsupported_platforms_fail_before_asking_github() {
        let mut host = Fake::new();
        host.platform = (Os::Linux, Arch::X86);
        assert!(find_binary(&host, None).is_err());
        assert!(!host.log().contains(&"latest_release".to_string()));
    }
}

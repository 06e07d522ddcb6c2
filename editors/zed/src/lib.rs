//! Zed extension: runs `restate-lsp` for Go files, next to gopls.
//!
//! The binary is the `lsp.restate-lsp.binary.path` setting, else `restate-lsp` on the worktree's
//! PATH, else the release asset for this platform, downloaded from GitHub and kept per version
//! (`install.rs` has the order and the reasons). Settings under
//! `lsp.restate-lsp.initialization_options` (or `.settings`) are passed to the server as
//! `initializationOptions` and as the answer to its `workspace/configuration` request.

mod install;

use std::fs;

use install::{Arch, ArchiveKind, Found, Host, Os, Release, ReleaseAsset, Status};
use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

const SERVER: &str = "restate-lsp";

struct RestateLsp {
    /// The downloaded binary found earlier in this session, so later worktrees skip GitHub.
    cached_binary: Option<String>,
}

impl RestateLsp {
    fn settings(worktree: &zed::Worktree) -> Option<LspSettings> {
        LspSettings::for_worktree(SERVER, worktree).ok()
    }

    /// The server's settings in its own shape: `initialization_options`, else `settings` (either may
    /// also nest them under a "restate" key, which the server accepts too).
    fn server_settings(worktree: &zed::Worktree) -> Option<serde_json::Value> {
        let s = Self::settings(worktree)?;
        s.initialization_options.or(s.settings)
    }
}

/// `install::Host` on the Zed extension API. File paths are relative to the extension's work
/// directory, which is the current directory of the extension's WebAssembly instance.
struct ZedHost<'a> {
    id: &'a LanguageServerId,
    worktree: &'a zed::Worktree,
    setting: Option<String>,
}

impl Host for ZedHost<'_> {
    fn setting_path(&self) -> Option<String> {
        self.setting.clone()
    }

    fn which(&self) -> Option<String> {
        self.worktree.which(SERVER)
    }

    fn platform(&self) -> (Os, Arch) {
        let (os, arch) = zed::current_platform();
        let os = match os {
            zed::Os::Mac => Os::Mac,
            zed::Os::Linux => Os::Linux,
            zed::Os::Windows => Os::Windows,
        };
        let arch = match arch {
            zed::Architecture::Aarch64 => Arch::Aarch64,
            zed::Architecture::X86 => Arch::X86,
            zed::Architecture::X8664 => Arch::X86_64,
        };
        (os, arch)
    }

    fn latest_release(&self) -> Result<Release, String> {
        let r = zed::latest_github_release(
            install::REPO,
            zed::GithubReleaseOptions {
                require_assets: true,
                pre_release: false,
            },
        )?;
        Ok(Release {
            version: r.version,
            assets: r
                .assets
                .into_iter()
                .map(|a| ReleaseAsset {
                    name: a.name,
                    download_url: a.download_url,
                })
                .collect(),
        })
    }

    fn download(&self, url: &str, dir: &str, kind: ArchiveKind) -> Result<(), String> {
        let kind = match kind {
            ArchiveKind::GzipTar => zed::DownloadedFileType::GzipTar,
            ArchiveKind::Zip => zed::DownloadedFileType::Zip,
        };
        zed::download_file(url, dir, kind)
    }

    fn make_executable(&self, path: &str) -> Result<(), String> {
        zed::make_file_executable(path)
    }

    fn is_file(&self, path: &str) -> bool {
        fs::metadata(path).is_ok_and(|m| m.is_file())
    }

    fn list_dir(&self) -> Result<Vec<String>, String> {
        let entries =
            fs::read_dir(".").map_err(|e| format!("cannot list the work directory: {e}"))?;
        Ok(entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect())
    }

    fn remove_dir(&self, name: &str) {
        // Best effort: a directory left behind costs disk space, not correctness.
        let _ = fs::remove_dir_all(name);
    }

    fn set_status(&self, status: Status) {
        let status = match status {
            Status::None => zed::LanguageServerInstallationStatus::None,
            Status::CheckingForUpdate => zed::LanguageServerInstallationStatus::CheckingForUpdate,
            Status::Downloading => zed::LanguageServerInstallationStatus::Downloading,
            Status::Failed(message) => zed::LanguageServerInstallationStatus::Failed(message),
        };
        zed::set_language_server_installation_status(self.id, &status);
    }
}

impl zed::Extension for RestateLsp {
    fn new() -> Self {
        RestateLsp {
            cached_binary: None,
        }
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = Self::settings(worktree).and_then(|s| s.binary);
        let host = ZedHost {
            id,
            worktree,
            setting: binary.as_ref().and_then(|b| b.path.clone()),
        };
        let found = install::find_binary(&host, self.cached_binary.as_deref())?;
        if let Found::Downloaded(path) = &found {
            self.cached_binary = Some(path.clone());
        }
        let configured_env = binary.as_ref().and_then(|b| b.env.clone());
        let env = match (&found, configured_env) {
            (_, Some(env)) => env.into_iter().collect(),
            // A binary from PATH may be a wrapper (asdf, mise) that needs the shell's environment.
            (Found::Path(_), None) => worktree.shell_env(),
            _ => vec![],
        };
        Ok(zed::Command {
            command: found.path().to_string(),
            args: binary.and_then(|b| b.arguments).unwrap_or_default(),
            env,
        })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(Self::server_settings(worktree))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        // Zed answers `workspace/configuration` for section "restate" by looking that key up in
        // this value, so nest the settings under it unless the user already did.
        Ok(
            Self::server_settings(worktree).map(|v| match v.get("restate") {
                Some(_) => v,
                None => serde_json::json!({ "restate": v }),
            }),
        )
    }
}

zed::register_extension!(RestateLsp);

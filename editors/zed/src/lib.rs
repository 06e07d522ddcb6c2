//! Zed extension: runs `restate-lsp` (installed by the user) for Go files, next to gopls.
//!
//! The binary is found, in this order, at the `lsp.restate-lsp.binary.path` setting or with
//! `worktree.which("restate-lsp")` (the PATH of the worktree's shell environment). Nothing is
//! downloaded. Settings under `lsp.restate-lsp.initialization_options` (or `.settings`) are passed to
//! the server as `initializationOptions` and as the answer to its `workspace/configuration` request.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

const SERVER: &str = "restate-lsp";

struct RestateLsp;

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

impl zed::Extension for RestateLsp {
    fn new() -> Self {
        RestateLsp
    }

    fn language_server_command(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let configured = Self::settings(worktree).and_then(|s| s.binary);
        if let Some(binary) = &configured {
            if let Some(path) = &binary.path {
                return Ok(zed::Command {
                    command: path.clone(),
                    args: binary.arguments.clone().unwrap_or_default(),
                    env: binary
                        .env
                        .clone()
                        .map(|e| e.into_iter().collect())
                        .unwrap_or_default(),
                });
            }
        }
        let path = worktree.which(SERVER).ok_or_else(|| {
            format!(
                "{SERVER} was not found on PATH. Install it with `cargo install --locked --path .` in a \
                 restate-lsp checkout (it goes to ~/.cargo/bin, which must be on the PATH Zed sees), or set \
                 \"lsp\": {{ \"{SERVER}\": {{ \"binary\": {{ \"path\": \"/path/to/{SERVER}\" }} }} }} in Zed's settings."
            )
        })?;
        Ok(zed::Command {
            command: path,
            args: vec![],
            env: worktree.shell_env(),
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
        Ok(Self::server_settings(worktree).map(|v| match v.get("restate") {
            Some(_) => v,
            None => serde_json::json!({ "restate": v }),
        }))
    }
}

zed::register_extension!(RestateLsp);

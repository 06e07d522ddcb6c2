//! Where things are: Go's module cache (as `go env GOMODCACHE` would answer, without running Go),
//! a module's directory inside it (Go's case-encoding of paths), and our own cache directory.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment the locations depend on, read once; tests build their own.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub gomodcache: Option<OsString>,
    pub gopath: Option<OsString>,
    pub home: Option<PathBuf>,
    /// `$XDG_CACHE_HOME` (Linux and other Unix).
    pub xdg_cache_home: Option<PathBuf>,
    /// `%LocalAppData%` (Windows).
    pub local_app_data: Option<PathBuf>,
    /// `RESTATE_LSP_CACHE_DIR`: our cache directory; set and empty turns the cache off.
    pub cache_override: Option<OsString>,
    /// The text of Go's environment file (`go env -w` writes GOMODCACHE and GOPATH there).
    pub go_env_file: Option<String>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var_os(k);
        let home = var("HOME")
            .or_else(|| var("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let mut env = Env {
            gomodcache: var("GOMODCACHE"),
            gopath: var("GOPATH"),
            xdg_cache_home: var("XDG_CACHE_HOME").map(PathBuf::from),
            local_app_data: var("LOCALAPPDATA").map(PathBuf::from),
            cache_override: var("RESTATE_LSP_CACHE_DIR"),
            go_env_file: None,
            home,
        };
        env.go_env_file = go_env_path(&env, var("GOENV"), var("XDG_CONFIG_HOME"), var("APPDATA"))
            .and_then(|p| std::fs::read_to_string(p).ok());
        env
    }

    /// A variable from the process environment, else from Go's environment file.
    fn go_var(&self, key: &str, process: &Option<OsString>) -> Option<OsString> {
        if let Some(v) = process.as_ref().filter(|v| !v.is_empty()) {
            return Some(v.clone());
        }
        let text = self.go_env_file.as_deref()?;
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key && !v.trim().is_empty()).then(|| OsString::from(v.trim()))
        })
    }
}

/// Where `go env -w` keeps its settings: `$GOENV`, else `os.UserConfigDir()/go/env`.
fn go_env_path(
    env: &Env,
    goenv: Option<OsString>,
    xdg_config: Option<OsString>,
    appdata: Option<OsString>,
) -> Option<PathBuf> {
    if let Some(g) = goenv {
        return (g != "off" && !g.is_empty()).then(|| PathBuf::from(g));
    }
    let config = if cfg!(windows) {
        appdata.map(PathBuf::from)?
    } else if cfg!(target_os = "macos") {
        env.home.as_ref()?.join("Library/Application Support")
    } else {
        match xdg_config.map(PathBuf::from).filter(|p| p.is_absolute()) {
            Some(p) => p,
            None => env.home.as_ref()?.join(".config"),
        }
    };
    Some(config.join("go/env"))
}

/// Go's module cache: `$GOMODCACHE`, else `<first entry of $GOPATH>/pkg/mod`, else `~/go/pkg/mod`.
/// Relative settings are ignored, as Go ignores them.
pub fn module_cache(env: &Env) -> Option<PathBuf> {
    if let Some(m) = env.go_var("GOMODCACHE", &env.gomodcache) {
        let p = PathBuf::from(m);
        if p.is_absolute() {
            return Some(p);
        }
    }
    if let Some(gp) = env.go_var("GOPATH", &env.gopath)
        && let Some(first) = std::env::split_paths(&gp).next()
        && first.is_absolute()
    {
        return Some(first.join("pkg/mod"));
    }
    Some(env.home.as_ref()?.join("go/pkg/mod"))
}

/// Our cache of dependency summaries: `$RESTATE_LSP_CACHE_DIR/deps`, else the platform's user cache
/// directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
/// `%LocalAppData%` on Windows) + `restate-lsp/deps`. None when turned off or no home is known.
pub fn cache_dir(env: &Env) -> Option<PathBuf> {
    if let Some(o) = &env.cache_override {
        return (!o.is_empty()).then(|| PathBuf::from(o).join("deps"));
    }
    let base = if cfg!(windows) {
        env.local_app_data.clone()?
    } else if cfg!(target_os = "macos") {
        env.home.as_ref()?.join("Library/Caches")
    } else {
        match env.xdg_cache_home.clone().filter(|p| p.is_absolute()) {
            Some(p) => p,
            None => env.home.as_ref()?.join(".cache"),
        }
    };
    Some(base.join("restate-lsp/deps"))
}

/// Go's case-encoding of module paths and versions in the cache: an uppercase letter becomes `!`
/// followed by its lowercase (`github.com/BurntSushi/toml` -> `github.com/!burnt!sushi/toml`), so
/// paths stay distinct on case-insensitive file systems.
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The directory of `module@version` in the module cache.
pub fn module_dir(cache: &Path, module: &str, version: &str) -> PathBuf {
    cache.join(format!("{}@{}", escape(module), escape(version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env {
            home: Some(PathBuf::from("/home/u")),
            ..Env::default()
        }
    }

    #[test]
    fn case_encoding() {
        assert_eq!(
            escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
        assert_eq!(escape("github.com/jackc/pgx/v5"), "github.com/jackc/pgx/v5");
        assert_eq!(
            module_dir(
                Path::new("/m"),
                "github.com/Azure/azure-sdk-for-go/sdk/azcore",
                "v1.2.0-RC1"
            ),
            PathBuf::from("/m/github.com/!azure/azure-sdk-for-go/sdk/azcore@v1.2.0-!r!c1")
        );
    }

    #[test]
    fn module_cache_precedence() {
        assert_eq!(
            module_cache(&env()),
            Some(PathBuf::from("/home/u/go/pkg/mod"))
        );
        let gopath = std::env::join_paths(["/gp1", "/gp2"]).expect("join");
        let e = Env {
            gopath: Some(gopath),
            ..env()
        };
        assert_eq!(module_cache(&e), Some(PathBuf::from("/gp1/pkg/mod")));
        let e = Env {
            gomodcache: Some("/cache/mod".into()),
            ..e
        };
        assert_eq!(module_cache(&e), Some(PathBuf::from("/cache/mod")));
        // `go env -w` settings count when the process has none; relative ones do not.
        let e = Env {
            go_env_file: Some("GOFLAGS=-mod=mod\nGOMODCACHE=/from/go/env\n".into()),
            ..env()
        };
        assert_eq!(module_cache(&e), Some(PathBuf::from("/from/go/env")));
        let e = Env {
            gomodcache: Some("relative/mod".into()),
            ..env()
        };
        assert_eq!(module_cache(&e), Some(PathBuf::from("/home/u/go/pkg/mod")));
        assert_eq!(module_cache(&Env::default()), None);
    }

    #[test]
    fn our_cache_directory() {
        let e = Env {
            cache_override: Some("/tmp/rl".into()),
            ..env()
        };
        assert_eq!(cache_dir(&e), Some(PathBuf::from("/tmp/rl/deps")));
        let off = Env {
            cache_override: Some("".into()),
            ..env()
        };
        assert_eq!(cache_dir(&off), None);
        if cfg!(target_os = "linux") {
            assert_eq!(
                cache_dir(&env()),
                Some(PathBuf::from("/home/u/.cache/restate-lsp/deps"))
            );
            let xdg = Env {
                xdg_cache_home: Some("/xdg".into()),
                ..env()
            };
            assert_eq!(
                cache_dir(&xdg),
                Some(PathBuf::from("/xdg/restate-lsp/deps"))
            );
        }
    }
}

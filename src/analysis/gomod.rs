//! Reading `go.mod`: the module path (to resolve imports of sibling packages) and the required
//! version of the Restate SDK (rules depend on whether the code targets 0.x or 1.x).

use crate::analysis::restate_api::SDK_PATH;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoMod {
    pub module: String,
    /// The required `github.com/restatedev/sdk-go` version, as written (`v1.0.2`).
    pub sdk_version: Option<String>,
    /// `replace` directives pointing the SDK somewhere else still count as requiring it.
    pub go_version: Option<String>,
}

/// A parsed semantic version (major, minor, patch); pre-release suffixes are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    pub fn parse(v: &str) -> Option<Version> {
        let v = v.trim().trim_start_matches('v');
        let core = v.split(['-', '+']).next()?;
        let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
        let major = it.next()??;
        let minor = it.next().flatten().unwrap_or(0);
        let patch = it.next().flatten().unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl GoMod {
    pub fn sdk(&self) -> Option<Version> {
        self.sdk_version.as_deref().and_then(Version::parse)
    }
}

/// Parse the parts of go.mod we need. Unknown directives and malformed lines are skipped: a broken
/// go.mod must not stop the analysis.
pub fn parse(text: &str) -> GoMod {
    let mut m = GoMod::default();
    let mut in_require = false;
    for raw in text.lines() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if in_require {
            if line.starts_with(')') {
                in_require = false;
                continue;
            }
            require_line(&mut m, line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("module") {
            if rest.starts_with([' ', '\t']) {
                m.module = unquote(rest.trim()).to_string();
            }
        } else if let Some(rest) = line.strip_prefix("go ") {
            m.go_version = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if let Some(after) = rest.strip_prefix('(') {
                in_require = true;
                let after = after.trim();
                if !after.is_empty() {
                    require_line(&mut m, after);
                }
            } else {
                require_line(&mut m, rest);
            }
        }
    }
    m
}

fn require_line(m: &mut GoMod, line: &str) {
    let mut parts = line.split_whitespace();
    let (Some(path), Some(version)) = (parts.next(), parts.next()) else {
        return;
    };
    if unquote(path) == SDK_PATH {
        m.sdk_version = Some(version.to_string());
    }
}

fn strip_comment(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"').trim_matches('`')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_and_sdk_version() {
        let m = parse(
            "module example.com/shop // the shop\n\ngo 1.23\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/restatedev/sdk-go v1.0.2 // indirect\n)\n",
        );
        assert_eq!(m.module, "example.com/shop");
        assert_eq!(m.sdk_version.as_deref(), Some("v1.0.2"));
        assert_eq!(m.sdk(), Some(Version(1, 0, 2)));
        let single = parse("module x\nrequire github.com/restatedev/sdk-go v0.24.0\n");
        assert_eq!(single.sdk(), Some(Version(0, 24, 0)));
        assert_eq!(parse("garbage ((( \n").module, "");
    }
}

//! The parts of go.mod that say where dependencies come from: `require` (module and version) and
//! `replace` (another version, another module, or a local directory). `analysis::gomod` reads the
//! module path and the SDK's version for the rules; this reads every requirement, for the loader.
//! Malformed lines are skipped, as `go` would refuse them but we must not.

use std::path::PathBuf;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModFile {
    pub module: String,
    /// (module path, version), in file order.
    pub requires: Vec<(String, String)>,
    pub replaces: Vec<Replace>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replace {
    pub path: String,
    /// Only this version is replaced; None: every version.
    pub version: Option<String>,
    pub target: Target,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A directory, as written (relative to go.mod's directory unless absolute).
    Dir(PathBuf),
    Module {
        path: String,
        version: String,
    },
}

impl ModFile {
    /// The required module that provides `import_path`: the longest module path that is the
    /// import path or a prefix of it ending at a `/`.
    pub fn provider(&self, import_path: &str) -> Option<&(String, String)> {
        self.requires
            .iter()
            .filter(|(m, _)| {
                import_path == m
                    || import_path
                        .strip_prefix(m.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
            .max_by_key(|(m, _)| m.len())
    }

    /// The replacement of `module@version`, a versioned replace winning over an unversioned one.
    pub fn replacement(&self, module: &str, version: &str) -> Option<&Target> {
        self.replaces
            .iter()
            .filter(|r| r.path == module && r.version.as_deref().is_none_or(|v| v == version))
            .max_by_key(|r| r.version.is_some())
            .map(|r| &r.target)
    }
}

pub fn parse(text: &str) -> ModFile {
    let mut m = ModFile::default();
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(kind) = block {
            if line.starts_with(')') {
                block = None;
            } else {
                directive(&mut m, kind, line);
            }
            continue;
        }
        let (kind, rest) = line.split_once([' ', '\t']).unwrap_or((line, ""));
        let rest = rest.trim();
        match kind {
            "module" => m.module = unquote(rest).to_string(),
            "require" | "replace" => {
                if let Some(after) = rest.strip_prefix('(') {
                    block = Some(if kind == "require" {
                        "require"
                    } else {
                        "replace"
                    });
                    let after = after.trim();
                    if !after.is_empty() && !after.starts_with(')') {
                        directive(&mut m, kind, after);
                    }
                } else {
                    directive(&mut m, kind, rest);
                }
            }
            // `exclude`, `retract`, `tool` and others: their blocks are skipped whole.
            _ if rest.starts_with('(') => block = Some("other"),
            _ => {}
        }
    }
    m
}

fn directive(m: &mut ModFile, kind: &str, line: &str) {
    match kind {
        "require" => {
            let mut parts = line.split_whitespace();
            if let (Some(p), Some(v)) = (parts.next(), parts.next()) {
                m.requires
                    .push((unquote(p).to_string(), unquote(v).to_string()));
            }
        }
        "replace" => {
            let Some((old, new)) = line.split_once("=>") else {
                return;
            };
            let old: Vec<&str> = old.split_whitespace().map(unquote).collect();
            let new: Vec<&str> = new.split_whitespace().map(unquote).collect();
            let (Some(path), Some(first)) = (old.first(), new.first()) else {
                return;
            };
            let target = if is_local(first) || new.len() == 1 {
                Target::Dir(PathBuf::from(first))
            } else {
                Target::Module {
                    path: first.to_string(),
                    version: new[1].to_string(),
                }
            };
            m.replaces.push(Replace {
                path: path.to_string(),
                version: old.get(1).map(|v| v.to_string()),
                target,
            });
        }
        _ => {}
    }
}

/// Go reads a replacement as a directory when it is absolute or starts with `./` or `../`.
fn is_local(p: &str) -> bool {
    p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p == "."
        || p == ".."
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p.get(1..3) == Some(":\\")
}

fn unquote(s: &str) -> &str {
    s.trim_matches('"').trim_matches('`')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = r#"module example.com/shop

go 1.23

require (
	github.com/jackc/pgx/v5 v5.7.2
	github.com/aws/aws-sdk-go-v2/service/s3 v1.72.0 // indirect
	github.com/aws/aws-sdk-go-v2 v1.32.7
)

require github.com/segmentio/kafka-go v0.4.40

replace github.com/segmentio/kafka-go => github.com/segmentio/kafka-go v0.4.47

replace (
	example.com/billing => ../billing
	github.com/jackc/pgx/v5 v5.7.2 => ./third_party/pgx
	github.com/jackc/pgx/v5 => github.com/jackc/pgx/v5 v5.7.1
)

exclude (
	github.com/old/thing v1.0.0
)
"#;

    #[test]
    fn requires_and_replaces() {
        let m = parse(GO_MOD);
        assert_eq!(m.module, "example.com/shop");
        assert_eq!(m.requires.len(), 4);
        assert_eq!(
            m.provider("github.com/aws/aws-sdk-go-v2/service/s3"),
            Some(&(
                "github.com/aws/aws-sdk-go-v2/service/s3".to_string(),
                "v1.72.0".to_string()
            ))
        );
        // The longest prefix at a path boundary.
        assert_eq!(
            m.provider("github.com/aws/aws-sdk-go-v2/aws")
                .map(|p| p.0.as_str()),
            Some("github.com/aws/aws-sdk-go-v2")
        );
        assert_eq!(m.provider("github.com/jackc/pgx/v5x"), None);
        assert_eq!(
            m.replacement("github.com/segmentio/kafka-go", "v0.4.40"),
            Some(&Target::Module {
                path: "github.com/segmentio/kafka-go".into(),
                version: "v0.4.47".into()
            })
        );
        assert_eq!(
            m.replacement("example.com/billing", "v0.0.0"),
            Some(&Target::Dir("../billing".into()))
        );
        // A replace naming the version wins over one for every version.
        assert_eq!(
            m.replacement("github.com/jackc/pgx/v5", "v5.7.2"),
            Some(&Target::Dir("./third_party/pgx".into()))
        );
        assert_eq!(
            m.replacement("github.com/jackc/pgx/v5", "v5.6.0"),
            Some(&Target::Module {
                path: "github.com/jackc/pgx/v5".into(),
                version: "v5.7.1".into()
            })
        );
        assert!(
            !m.requires.iter().any(|(p, _)| p == "github.com/old/thing"),
            "exclude blocks are not requirements"
        );
        assert_eq!(parse("require (\n garbage\n").requires, vec![]);
    }
}

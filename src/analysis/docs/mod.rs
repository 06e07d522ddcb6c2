//! Hover documentation for the SDK: one TOML entry per identifier (restate.toml, server.toml,
//! ingress.toml), written in our own words. Parsed once; each entry's markdown is rendered once and
//! kept, so a hover costs a map lookup.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Package {
    Restate,
    Server,
    Ingress,
}

impl Package {
    pub fn name(self) -> &'static str {
        match self {
            Package::Restate => "restate",
            Package::Server => "server",
            Package::Ingress => "ingress",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    pub name: String,
    pub kind: String,
    pub signature: String,
    pub summary: String,
    #[serde(default)]
    pub contexts: String,
    #[serde(default)]
    pub journal: String,
    #[serde(default)]
    pub mistakes: Vec<String>,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub example: String,
    #[serde(default)]
    pub docs: String,
}

#[derive(Deserialize)]
struct File {
    entry: Vec<Entry>,
}

struct Docs {
    entries: HashMap<(Package, String), Entry>,
    rendered: HashMap<(Package, String), String>,
}

const SOURCES: &[(Package, &str)] = &[
    (Package::Restate, include_str!("restate.toml")),
    (Package::Server, include_str!("server.toml")),
    (Package::Ingress, include_str!("ingress.toml")),
];

fn docs() -> &'static Docs {
    static DOCS: OnceLock<Docs> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut entries = HashMap::new();
        for (pkg, text) in SOURCES {
            // The files are part of the binary and checked by a unit test; a parse failure would
            // leave hovers empty rather than take the server down.
            if let Ok(f) = toml::from_str::<File>(text) {
                for e in f.entry {
                    entries.insert((*pkg, e.name.clone()), e);
                }
            }
        }
        let rendered = entries
            .iter()
            .map(|(k, e)| (k.clone(), render(k.0, e)))
            .collect();
        Docs { entries, rendered }
    })
}

pub fn entry(pkg: Package, name: &str) -> Option<&'static Entry> {
    docs().entries.get(&(pkg, name.to_string()))
}

/// The rendered markdown of an entry.
pub fn markdown(pkg: Package, name: &str) -> Option<&'static str> {
    docs()
        .rendered
        .get(&(pkg, name.to_string()))
        .map(String::as_str)
}

pub fn all() -> impl Iterator<Item = (Package, &'static Entry)> {
    docs().entries.iter().map(|((p, _), e)| (*p, e))
}

fn render(pkg: Package, e: &Entry) -> String {
    let mut md = String::new();
    md.push_str("```go\n");
    md.push_str(&e.signature);
    md.push_str("\n```\n\n");
    md.push_str(&format!("**{}.{}** · {}\n\n", pkg.name(), e.name, e.kind));
    md.push_str(&e.summary);
    md.push_str("\n\n");
    if !e.contexts.is_empty() {
        md.push_str(&format!("**Contexts:** {}\n\n", e.contexts));
    }
    if !e.journal.is_empty() {
        md.push_str(&format!("**Journal and replay:** {}\n\n", e.journal));
    }
    if !e.mistakes.is_empty() {
        md.push_str("**Common mistakes:**\n");
        for m in &e.mistakes {
            md.push_str(&format!("- {m}\n"));
        }
        md.push('\n');
    }
    if !e.example.is_empty() {
        md.push_str("```go\n");
        md.push_str(e.example.trim_matches('\n'));
        md.push_str("\n```\n\n");
    }
    if !e.docs.is_empty() {
        md.push_str(&format!("[Restate documentation]({})", e.docs));
    }
    md.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse_and_are_complete() {
        for (pkg, text) in SOURCES {
            let f: File =
                toml::from_str(text).unwrap_or_else(|e| panic!("{} docs: {e}", pkg.name()));
            assert!(!f.entry.is_empty());
            for e in &f.entry {
                assert!(
                    !e.signature.is_empty() && !e.summary.is_empty(),
                    "{}.{}",
                    pkg.name(),
                    e.name
                );
                for r in &e.rules {
                    assert!(
                        crate::analysis::rules::catalog::get(r).is_some(),
                        "{} cites unknown rule {r}",
                        e.name
                    );
                }
            }
        }
        assert!(markdown(Package::Restate, "Run").is_some_and(|m| m.contains("func Run[T any]")));
    }
}

//! Pattern snippets (snippets/*.toml): the single source for completion items and the VS Code
//! extension's snippet file. Body snippets write the handler context as `${CTX}`; completion puts in
//! the real name of the context in scope.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// At file level, outside functions.
    Toplevel,
    /// Inside a handler's body.
    Body,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HandlerContext {
    #[default]
    Service,
    Object,
    Workflow,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Snippet {
    #[serde(skip)]
    pub file: &'static str,
    pub prefix: String,
    pub name: String,
    pub description: String,
    pub scope: Scope,
    #[serde(default)]
    pub context: HandlerContext,
    pub body: String,
}

macro_rules! sources {
    ($($name:literal),* $(,)?) => {
        /// (file stem, TOML text) of every snippet.
        pub const SOURCES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../snippets/", $name, ".toml"))),)*
        ];
    };
}

sources!(
    "rsagent",
    "rsawakeable",
    "rsdelayedsend",
    "rserrors",
    "rsevent",
    "rsidempotent",
    "rsingress",
    "rsmain",
    "rsnow",
    "rsobject",
    "rsobjectcall",
    "rsparallel",
    "rspromise",
    "rsrun",
    "rsrunasync",
    "rssaga",
    "rsservice",
    "rsstate",
    "rstimeout",
    "rsworkflow",
    "rsworkflowsubmit",
);

pub fn all() -> &'static [Snippet] {
    static ALL: OnceLock<Vec<Snippet>> = OnceLock::new();
    ALL.get_or_init(|| {
        SOURCES
            .iter()
            .filter_map(|(file, text)| {
                let mut s: Snippet = toml::from_str(text).ok()?;
                s.file = file;
                s.body = s.body.trim_start_matches('\n').to_string();
                Some(s)
            })
            .collect()
    })
}

impl Snippet {
    /// The body with `${CTX}` replaced by the context variable's name.
    pub fn body_with_ctx(&self, ctx: &str) -> String {
        self.body.replace("${CTX}", ctx)
    }

    /// The body with every placeholder replaced by its default (what users get when they tab
    /// through without typing).
    pub fn expanded(&self, ctx: &str) -> String {
        expand(&self.body_with_ctx(ctx))
    }
}

/// Replace `${N:default}` (also nested) by `default` and drop `$N` tab stops.
pub fn expand(body: &str) -> String {
    let mut s = body.to_string();
    while let Some(start) = find_placeholder(&s) {
        // Find the matching close brace.
        let mut depth = 0;
        let mut end = None;
        for (i, c) in s[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(start + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let inner = &s[start + 2..end];
        let default = inner
            .split_once(':')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        s.replace_range(start..=end, &default);
    }
    // Bare tab stops: `$0`, `$1`.
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The innermost `${digit...` placeholder start.
fn find_placeholder(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut last = None;
    for i in 0..b.len().saturating_sub(2) {
        if b[i] == b'$' && b[i + 1] == b'{' && b[i + 2].is_ascii_digit() {
            // Prefer one with no nested placeholder inside.
            let rest = &s[i + 2..];
            let close = rest.find('}').unwrap_or(rest.len());
            if !rest[..close].contains("${") {
                return Some(i);
            }
            last = Some(i);
        }
    }
    last
}

/// The VS Code snippet file generated from the snippets (editors/vscode/snippets/restate.json).
pub fn vscode_json() -> String {
    let mut out = String::from("{\n");
    let all = all();
    for (i, s) in all.iter().enumerate() {
        let lines: Vec<String> = s
            .body_with_ctx("ctx")
            .trim_end_matches('\n')
            .lines()
            .map(json_string)
            .collect();
        out.push_str(&format!(
            "  {}: {{\n    \"prefix\": {},\n    \"description\": {},\n    \"body\": [\n      {}\n    ]\n  }}{}\n",
            json_string(&s.name),
            json_string(&s.prefix),
            json_string(&s.description),
            lines.join(",\n      "),
            if i + 1 < all.len() { "," } else { "" }
        ));
    }
    out.push_str("}\n");
    out
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snippet_file_is_listed_and_parses() {
        assert_eq!(all().len(), SOURCES.len(), "a snippet file does not parse");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/snippets");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .strip_suffix(".toml")
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let listed: Vec<String> = SOURCES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, listed, "snippets/ and the SOURCES list differ");
    }

    #[test]
    fn expansion_uses_defaults() {
        assert_eq!(expand("a ${1:x} ${2:y ${3:z}} $0"), "a x y z ");
    }
}

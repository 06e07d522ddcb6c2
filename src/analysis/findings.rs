//! What rules report: byte ranges in the analysed file, a code, a severity, a message, related
//! locations and optional fixes (edits as byte ranges). The server and the CLI convert these.

use std::path::PathBuf;

use crate::analysis::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Option<Severity>> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" | "none" | "false" => None,
            "hint" => Some(Severity::Hint),
            "info" | "information" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A location outside the finding's own range: in the same file (`path` None) or another one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub path: Option<PathBuf>,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    pub fn replace(start: usize, end: usize, text: impl Into<String>) -> Self {
        Edit {
            start,
            end,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit::replace(at, at, text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Mechanical and always correct: applied by `source.fixAll`.
    pub safe: bool,
    /// The edit text uses snippet placeholders (`${1:key}`); clients without snippet support get
    /// the placeholders' defaults.
    pub snippet: bool,
}

impl Fix {
    /// The edits as a client without snippet support applies them: placeholders replaced by their
    /// defaults. `source.fixAll` and the golden tests use these too.
    pub fn resolved_edits(&self) -> Vec<Edit> {
        self.edits
            .iter()
            .map(|e| {
                Edit::replace(
                    e.start,
                    e.end,
                    if self.snippet {
                        strip_placeholders(&e.text)
                    } else {
                        e.text.clone()
                    },
                )
            })
            .collect()
    }
}

/// Replace snippet placeholders by their defaults (`${1:key}` -> `key`, `$0` -> ``).
pub fn strip_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{')
            && let Some(close) = inner.find('}')
        {
            let body = &inner[..close];
            out.push_str(body.split_once(':').map(|(_, d)| d).unwrap_or(""));
            rest = &inner[close + 1..];
            continue;
        }
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            rest = &after[digits..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Unnecessary,
    Deprecated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
    pub tags: Vec<Tag>,
}

impl Finding {
    pub fn new(code: &'static str, start: usize, end: usize, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: crate::analysis::rules::catalog::default_severity(code),
            start,
            end,
            message: message.into(),
            related: vec![],
            fixes: vec![],
            tags: vec![],
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    pub fn with_related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }
}

/// Apply non-overlapping edits to a text (used by fix-all in the CLI and by tests).
pub fn apply_edits(src: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(src.len());
    let mut pos = 0;
    for e in sorted {
        if e.start < pos || e.end < e.start || e.end > src.len() {
            return None;
        }
        out.push_str(src.get(pos..e.start)?);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(src.get(pos..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_defaults() {
        assert_eq!(strip_placeholders("f(${1:key}, $2)$0"), "f(key, )");
        assert_eq!(strip_placeholders("a $ b ${x"), "a $ b ${x");
    }
}

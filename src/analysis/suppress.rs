//! Suppression comments: `//restate:ignore RS1001 reason` (this line or statement, or the next one
//! when on its own line, or the whole function when placed above its declaration),
//! `//restate:file-ignore RS1007 reason` (the file) and golangci-lint's `//nolint:restate` (every
//! rule, this line). Directives that suppress nothing, or lack a reason, get RS0001.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix, Tag};
use crate::analysis::go;
use crate::analysis::semantic::Semantic;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectiveKind {
    Ignore,
    FileIgnore,
    NoLint,
}

#[derive(Clone, Debug)]
pub struct Directive {
    pub kind: DirectiveKind,
    /// Rule IDs (upper-case); empty for `//nolint`.
    pub codes: Vec<String>,
    pub has_reason: bool,
    /// The comment's byte range.
    pub comment: (usize, usize),
    /// What it covers.
    pub covers: (usize, usize),
}

impl Directive {
    fn applies(&self, f: &Finding) -> bool {
        (self.covers.0 <= f.start && f.start < self.covers.1.max(self.covers.0 + 1))
            && (self.kind == DirectiveKind::NoLint || self.codes.iter().any(|c| c == f.code))
    }
}

/// Find the directives of a file. Cheap when there are none: the text is searched first.
pub fn directives(sem: &Semantic<'_>) -> Vec<Directive> {
    let src = sem.src();
    if !src.contains("restate:") && !src.contains("nolint") {
        return vec![];
    }
    let root = sem.root();
    let mut out = vec![];
    for (at, _) in src.match_indices("//") {
        let rest = &src[at + 2..];
        let line_end = rest.find('\n').map(|i| at + 2 + i).unwrap_or(src.len());
        let body = src[at + 2..line_end].trim_end_matches('\r');
        let (kind, args) = if let Some(a) = body.strip_prefix("restate:ignore") {
            (DirectiveKind::Ignore, a)
        } else if let Some(a) = body.strip_prefix("restate:file-ignore") {
            (DirectiveKind::FileIgnore, a)
        } else if let Some(a) = body.strip_prefix("nolint") {
            let list = a.strip_prefix(':').unwrap_or("");
            let list = list.split_whitespace().next().unwrap_or("");
            let names: Vec<&str> = list.split(',').map(str::trim).collect();
            let bare = a.is_empty() || a.starts_with(' ') || a.starts_with('\t');
            if !(bare || names.iter().any(|n| *n == "restate" || *n == "all")) {
                continue;
            }
            (DirectiveKind::NoLint, "")
        } else {
            continue;
        };
        // Must be a real comment, not text inside a string literal.
        let Some(node) = root.descendant_for_byte_range(at, at + 2) else {
            continue;
        };
        if node.kind() != "comment" {
            continue;
        }
        if kind != DirectiveKind::NoLint && !(args.is_empty() || args.starts_with([' ', '\t'])) {
            continue;
        }
        let mut words = args.split_whitespace();
        let codes: Vec<String> = words
            .next()
            .map(|w| {
                w.split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| c.trim().to_ascii_uppercase())
                    .collect()
            })
            .unwrap_or_default();
        let has_reason = words.next().is_some();
        let covers = match kind {
            DirectiveKind::FileIgnore => (0, src.len()),
            _ => coverage(sem, node),
        };
        out.push(Directive {
            kind,
            codes,
            has_reason,
            comment: (node.start_byte(), node.end_byte()),
            covers,
        });
    }
    out
}

/// The range a line directive covers: its own line (trailing comment) or the next code line;
/// extended to the whole statement or function declaration that starts there.
fn coverage<'t>(sem: &Semantic<'t>, comment: Node<'t>) -> (usize, usize) {
    let (src, root) = (sem.src(), sem.root());
    let line_start = go::line_start(src, comment.start_byte());
    let trailing = !src[line_start..comment.start_byte()].trim().is_empty();
    let target_start = if trailing {
        line_start
    } else {
        // Skip following comment and blank lines.
        let mut pos = comment.end_byte();
        loop {
            let next_line = match src[pos.min(src.len())..].find('\n') {
                Some(i) => pos + i + 1,
                None => return (comment.end_byte(), comment.end_byte()),
            };
            let end = src[next_line..]
                .find('\n')
                .map(|i| next_line + i)
                .unwrap_or(src.len());
            let line = src[next_line..end].trim();
            pos = next_line;
            if line.is_empty() || line.starts_with("//") {
                if next_line >= src.len() {
                    return (comment.end_byte(), comment.end_byte());
                }
                continue;
            }
            break;
        }
        pos
    };
    let line_end = src[target_start..]
        .find('\n')
        .map(|i| target_start + i)
        .unwrap_or(src.len());
    let code_start = target_start
        + (src[target_start..line_end].len() - src[target_start..line_end].trim_start().len());
    let mut end = line_end;
    // The largest statement or declaration that starts on that line.
    let mut chain: Vec<Node<'_>> = vec![];
    if let Some(n) = root.descendant_for_byte_range(code_start, code_start) {
        chain.push(n);
        chain.extend(sem.ancestors(n));
    }
    for (i, n) in chain.iter().enumerate() {
        if n.start_byte() < target_start || n.kind() == "source_file" {
            break;
        }
        if matches!(
            n.kind(),
            "function_declaration"
                | "method_declaration"
                | "var_declaration"
                | "const_declaration"
                | "type_declaration"
        ) || chain
            .get(i + 1)
            .is_some_and(|p| p.kind() == "statement_list")
        {
            end = end.max(n.end_byte());
        }
    }
    (target_start, end)
}

/// Drop suppressed findings and report unused or reason-less directives (RS0001).
pub fn apply(
    src: &str,
    directives: &[Directive],
    findings: Vec<Finding>,
    rs0001_enabled: bool,
) -> Vec<Finding> {
    let mut used = vec![false; directives.len()];
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut suppressed = false;
        for (i, d) in directives.iter().enumerate() {
            if d.applies(&f) {
                used[i] = true;
                suppressed = true;
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    if !rs0001_enabled {
        return kept;
    }
    for (i, d) in directives.iter().enumerate() {
        if d.kind == DirectiveKind::NoLint {
            continue;
        }
        let comment_text = src.get(d.comment.0..d.comment.1).unwrap_or("");
        let directive_kind = if d.kind == DirectiveKind::Ignore {
            "restate:ignore"
        } else {
            "restate:file-ignore"
        };
        if d.codes.is_empty() {
            kept.push(Finding::new(
                "RS0001",
                d.comment.0,
                d.comment.1,
                format!("`//{directive_kind}` names no rule; write the IDs to suppress, e.g. `//{directive_kind} RS1001 reason`"),
            ));
        } else if !used[i] {
            let line_start = go::line_start(src, d.comment.0);
            let own_line = src[line_start..d.comment.0].trim().is_empty();
            let (del_start, del_end) = if own_line {
                let end = src[d.comment.1..]
                    .find('\n')
                    .map(|x| d.comment.1 + x + 1)
                    .unwrap_or(d.comment.1);
                // A bare `//` that separated the directive from the doc comment above would be
                // left ending the comment, which gofmt removes: it goes too.
                let prev = line_start
                    .checked_sub(1)
                    .map(|nl| go::line_start(src, nl))
                    .filter(|p| src[*p..line_start].trim() == "//");
                (prev.unwrap_or(line_start), end)
            } else {
                let trimmed = src[..d.comment.0].trim_end_matches([' ', '\t']).len();
                (trimmed, d.comment.1)
            };
            let mut f = Finding::new(
                "RS0001",
                d.comment.0,
                d.comment.1,
                format!(
                    "`{}` suppresses nothing here: no {} finding is reported in its range; remove it",
                    comment_text.trim(),
                    d.codes.join("/")
                ),
            )
            .with_fix(Fix {
                title: "Remove the unused directive".into(),
                edits: vec![Edit::replace(del_start, del_end, "")],
                safe: true,
                snippet: false,
            });
            f.tags.push(Tag::Unnecessary);
            kept.push(f);
        } else if !d.has_reason {
            kept.push(Finding::new(
                "RS0001",
                d.comment.0,
                d.comment.1,
                format!(
                    "add a reason after the rule IDs: `//{directive_kind} {} <why this is safe>`",
                    d.codes.join(",")
                ),
            ));
        }
    }
    kept
}

/// Text of a directive comment (for tests and messages).
pub fn comment_text<'a>(src: &'a str, d: &Directive) -> &'a str {
    src.get(d.comment.0..d.comment.1).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;

    fn finding_at(src: &str, needle: &str, code: &'static str) -> Finding {
        let at = src.find(needle).expect("needle");
        Finding::new(code, at, at + needle.len(), "x")
    }

    #[test]
    fn line_function_and_file_scopes() {
        let src = "package p\n\nfunc a() {\n\tx() //restate:ignore RS1001 trusted clock\n\ty()\n}\n\n//restate:ignore RS1002 demo only\n// b sleeps.\nfunc b() {\n\tz()\n}\n\n//restate:file-ignore RS1007 console is fine here\n";
        let tree = parse_str(src);
        let ds = directives(&Semantic::build(src, &tree));
        assert_eq!(ds.len(), 3);
        let fs = vec![
            finding_at(src, "x()", "RS1001"),
            finding_at(src, "y()", "RS1001"),
            finding_at(src, "z()", "RS1002"),
            finding_at(src, "y()", "RS1007"),
        ];
        let kept = apply(src, &ds, fs, true);
        let codes: Vec<_> = kept
            .iter()
            .map(|f| (f.code, &src[f.start..f.end]))
            .collect();
        assert_eq!(codes, vec![("RS1001", "y()")]);
    }

    #[test]
    fn unused_and_reasonless_directives() {
        let src = "package p\nfunc a() {\n\t//restate:ignore RS1001\n\tx()\n\ty() //restate:ignore RS1003 not used\n}\n";
        let tree = parse_str(src);
        let ds = directives(&Semantic::build(src, &tree));
        let kept = apply(src, &ds, vec![finding_at(src, "x()", "RS1001")], true);
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|f| f.code == "RS0001"));
        assert!(kept.iter().any(|f| f.message.contains("add a reason")));
        assert!(
            kept.iter()
                .any(|f| f.message.contains("suppresses nothing"))
        );
    }

    #[test]
    fn nolint_and_string_lookalikes() {
        let src = "package p\nfunc a() {\n\tx() //nolint:restate\n\t_ = \"//restate:ignore RS1001 nope\"\n}\n";
        let tree = parse_str(src);
        let ds = directives(&Semantic::build(src, &tree));
        assert_eq!(ds.len(), 1);
        let kept = apply(src, &ds, vec![finding_at(src, "x()", "RS1006")], true);
        assert!(kept.is_empty());
    }

    #[test]
    fn multi_line_statement_is_covered() {
        let src = "package p\nfunc a() {\n\t//restate:ignore RS3004 fire and forget\n\trestate.Service(ctx, \"A\", \"B\").\n\t\tRequest(x)\n}\n";
        let tree = parse_str(src);
        let ds = directives(&Semantic::build(src, &tree));
        let kept = apply(
            src,
            &ds,
            vec![finding_at(src, "Request(x)", "RS3004")],
            true,
        );
        assert!(kept.is_empty(), "{kept:?}");
    }
}

//! go.mod for the migration: sdk-go required at the 1.0 release, a require line for each package
//! that became a module of its own (`x/mocks`, `x/protoc-gen-go-restate`, `testing`) and that the
//! module imports, and a `go` directive no lower than sdk-go's own. What `go get` would write;
//! go.sum still needs `go mod tidy`, which only the user can run.

use crate::analysis::findings::Edit;
use crate::analysis::gomod::Version;
use crate::analysis::migrate::targets;
use crate::analysis::restate_api::SDK_PATH;

/// One line of go.mod with what it holds.
struct Line<'a> {
    start: usize,
    /// Without the comment, trimmed.
    body: &'a str,
    /// Offset of `body` in the text.
    body_at: usize,
    in_block: bool,
    /// The line opens or closes a block, or is a one-line `require x v`.
    directive: Option<&'a str>,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = vec![];
    let mut block: Option<&str> = None;
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let code = raw.find("//").map_or(raw, |i| &raw[..i]);
        let trimmed = code.trim();
        let body_at = start + (code.len() - code.trim_start().len());
        if let Some(b) = block {
            if trimmed.starts_with(')') {
                block = None;
                out.push(Line {
                    start,
                    body: trimmed,
                    body_at,
                    in_block: false,
                    directive: None,
                });
                continue;
            }
            out.push(Line {
                start,
                body: trimmed,
                body_at,
                in_block: true,
                directive: Some(b),
            });
            continue;
        }
        let word = trimmed.split_whitespace().next().unwrap_or("");
        if trimmed.ends_with('(') {
            block = Some(word);
        }
        out.push(Line {
            start,
            body: trimmed,
            body_at,
            in_block: false,
            directive: (!word.is_empty()).then_some(word),
        });
    }
    out
}

/// A require entry: (module path, version, byte range of the version).
fn require_entry<'a>(l: &Line<'a>) -> Option<(&'a str, &'a str, (usize, usize))> {
    if l.directive != Some("require") {
        return None;
    }
    let rest = if l.in_block {
        l.body
    } else {
        l.body.strip_prefix("require")?.trim_start()
    };
    if rest.starts_with('(') {
        return None;
    }
    let mut parts = rest.split_whitespace();
    let path = parts.next()?.trim_matches('"');
    let version = parts.next()?;
    // The version's offset: it follows the path in the line's own text.
    let rest_at = l.body_at + (l.body.len() - rest.len());
    let v_at = rest_at + rest[path.len()..].find(version)? + path.len();
    Some((path, version, (v_at, v_at + version.len())))
}

/// What the migration does to go.mod.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub edits: Vec<Edit>,
    /// One line per change, for the command line and the action's description.
    pub changes: Vec<String>,
    /// Whether go.mod requires sdk-go at all (a module without it has nothing to migrate there).
    pub requires_sdk: bool,
}

fn older(have: &str, want: &str) -> bool {
    match (Version::parse(have), Version::parse(want)) {
        (Some(h), Some(w)) => h < w,
        _ => false,
    }
}

/// The go.mod edits: `modules` are the split-off modules the module's code imports after the
/// migration, as (module path, version).
pub fn plan(text: &str, modules: &[(&str, &str)]) -> Plan {
    let ls = lines(text);
    let mut plan = Plan::default();
    let entries: Vec<(usize, &str, &str, (usize, usize))> = ls
        .iter()
        .enumerate()
        .filter_map(|(i, l)| require_entry(l).map(|(p, v, r)| (i, p, v, r)))
        .collect();
    let sdk = entries.iter().find(|e| e.1 == SDK_PATH);
    if let Some(&(_, _, version, range)) = sdk {
        plan.requires_sdk = true;
        // Below 1.0 (v0.25.x included: same API, but the migration moves to the release).
        if older(version, "v1.0.0") {
            plan.edits
                .push(Edit::replace(range.0, range.1, targets::SDK_VERSION));
            plan.changes.push(format!(
                "require {SDK_PATH} {} (was {version})",
                targets::SDK_VERSION
            ));
        }
    }
    for &(module, version) in modules {
        match entries.iter().find(|e| e.1 == module) {
            Some(&(_, _, have, range)) => {
                if older(have, version) {
                    plan.edits.push(Edit::replace(range.0, range.1, version));
                    plan.changes
                        .push(format!("require {module} {version} (was {have})"));
                }
            }
            None => {
                plan.edits
                    .push(add_require(text, &ls, sdk.map(|e| e.0), module, version));
                plan.changes.push(format!(
                    "require {module} {version} (new: a module of its own since sdk-go 1.0)"
                ));
            }
        }
    }
    if plan.requires_sdk {
        go_directive(text, &ls, &mut plan);
    }
    plan
}

/// A require line for `module`: in the block that holds sdk-go's (in sorted position), after
/// sdk-go's one-line require, or at the end.
fn add_require(
    text: &str,
    ls: &[Line<'_>],
    sdk_line: Option<usize>,
    module: &str,
    version: &str,
) -> Edit {
    let Some(i) = sdk_line else {
        let sep = if text.ends_with('\n') || text.is_empty() {
            ""
        } else {
            "\n"
        };
        return Edit::insert(text.len(), format!("{sep}\nrequire {module} {version}\n"));
    };
    let line = &ls[i];
    let line_end = |j: usize| ls.get(j + 1).map_or(text.len(), |n| n.start);
    if !line.in_block {
        return Edit::insert(line_end(i), format!("require {module} {version}\n"));
    }
    let indent = &text[line.start..line.body_at];
    // The block's entries run from the first in-block line before i to the last after it.
    let mut first = i;
    while first > 0 && ls[first - 1].in_block {
        first -= 1;
    }
    let mut at = first;
    let mut j = first;
    while j < ls.len() && ls[j].in_block {
        if let Some((p, _, _)) = require_entry(&ls[j])
            && p < module
        {
            at = j + 1;
        }
        j += 1;
    }
    let pos = if at == first {
        ls[first].start
    } else {
        line_end(at - 1)
    };
    Edit::insert(pos, format!("{indent}{module} {version}\n"))
}

fn go_directive(text: &str, ls: &[Line<'_>], plan: &mut Plan) {
    let want = targets::GO_VERSION;
    for l in ls.iter().filter(|l| !l.in_block) {
        let Some(v) = l.body.strip_prefix("go ").map(str::trim) else {
            continue;
        };
        if older(v, want) {
            let at = l.body_at + l.body.len() - v.len();
            plan.edits.push(Edit::replace(at, at + v.len(), want));
            plan.changes.push(format!(
                "go {want} (was {v}; sdk-go {} requires it)",
                targets::SDK_VERSION
            ));
        }
        return;
    }
    // No go directive: go get would add one after the module line.
    if let Some(m) = ls.iter().find(|l| l.directive == Some("module")) {
        let end = m.start
            + text[m.start..]
                .find('\n')
                .map_or(text.len() - m.start, |i| i + 1);
        let nl = if text[..end].ends_with('\n') {
            ""
        } else {
            "\n"
        };
        plan.edits
            .push(Edit::insert(end, format!("{nl}\ngo {want}\n")));
        plan.changes.push(format!(
            "go {want} (new; sdk-go {} requires it)",
            targets::SDK_VERSION
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::apply_edits;

    fn run(text: &str, modules: &[(&str, &str)]) -> String {
        let p = plan(text, modules);
        apply_edits(text, &p.edits).expect("apply")
    }

    #[test]
    fn block_require_bumped_and_mocks_added_in_order() {
        let text = "module example.com/shop\n\ngo 1.23\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/restatedev/sdk-go v0.24.0\n\tgithub.com/stretchr/testify v1.9.0\n)\n";
        assert_eq!(
            run(text, &[(targets::MOCKS_PATH, "v0.26.0")]),
            "module example.com/shop\n\ngo 1.25.0\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/restatedev/sdk-go v1.0.2\n\tgithub.com/restatedev/sdk-go/x/mocks v0.26.0\n\tgithub.com/stretchr/testify v1.9.0\n)\n"
        );
    }

    #[test]
    fn one_line_require_and_no_go_directive() {
        let text = "module m\n\nrequire github.com/restatedev/sdk-go v0.23.0 // pinned\n";
        assert_eq!(
            run(text, &[(targets::MOCKS_PATH, "v0.26.0")]),
            "module m\n\ngo 1.25.0\n\nrequire github.com/restatedev/sdk-go v1.0.2 // pinned\nrequire github.com/restatedev/sdk-go/x/mocks v0.26.0\n"
        );
    }

    #[test]
    fn nothing_to_do_on_1x() {
        let text = "module m\n\ngo 1.25.0\n\nrequire github.com/restatedev/sdk-go v1.0.3\n";
        let p = plan(text, &[]);
        assert!(p.edits.is_empty() && p.requires_sdk, "{p:?}");
    }
}

//! Import paths that moved in 1.0 (`sdk-go/mocks` to `sdk-go/x/mocks`, `rcontext` to `logging`,
//! the protoc plugin and its proto contract under `x/protoc-gen-go-restate`), and the edits of an
//! import block: changed paths re-sorted within their group as gofmt sorts them, and new imports
//! merged into a group that is being rewritten anyway.

use std::collections::BTreeSet;

use tree_sitter::{Node, Tree};

use crate::analysis::findings::Edit;
use crate::analysis::fixes;
use crate::analysis::go::{self, field, named_children, string_value, text};
use crate::analysis::migrate::{Cx, Rewrite, targets};
use crate::analysis::model::FileModel;

/// An import spec whose path changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Byte offset of the import spec.
    pub spec: usize,
    pub new_path: String,
    /// The name to write before the path, when the package's default name changes and the file
    /// refers to it by the old one (`rcontext "github.com/restatedev/sdk-go/logging"`).
    pub alias: Option<String>,
}

/// The last element of an import path's package name as Go derives it for these packages.
fn default_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(crate) fn sites(cx: &mut Cx<'_>) {
    for imp in &cx.model.imports {
        let Some(new) = targets::moved(&imp.path) else {
            continue;
        };
        let (s, e) = imp.span.range();
        // An unaliased import of a package whose name changes keeps its old name in the file.
        let alias = (imp.alias.is_none() && default_name(&imp.path) != default_name(&new))
            .then(|| default_name(&imp.path).to_string());
        let short = imp.path.trim_start_matches("github.com/restatedev/");
        let kind = kind_of(&imp.path);
        let extra = match targets::split_module(&new) {
            Some((module, version)) => format!(
                "; it is a module of its own now, so go.mod needs `require {module} {version}` (the migration adds it)"
            ),
            None => String::new(),
        };
        let mut rw = Rewrite::new(format!("Import {new}"), vec![]);
        rw.import_change = Some(Change {
            spec: s,
            new_path: new.clone(),
            alias,
        });
        cx.out.push(crate::analysis::migrate::Site {
            kind,
            code: "RS9001",
            start: s,
            end: e,
            message: format!("`{short}` moved in sdk-go 1.0: import `{new}`{extra}"),
            rewrite: Some(rw),
        });
    }
}

/// The notice's name for a moved import.
fn kind_of(path: &str) -> &'static str {
    match targets::MOVED_IMPORTS
        .iter()
        .position(|(old, _)| path.starts_with(old))
    {
        Some(0) => "import sdk-go/mocks",
        Some(1) => "import sdk-go/rcontext",
        Some(2) => "import sdk-go/protoc-gen-go-restate",
        _ => "import sdk-go/generated",
    }
}

/// The import specs of the file, grouped as gofmt sorts them: runs of specs on consecutive lines
/// of one parenthesised list (true), or a lone `import "x"` (false).
fn groups<'t>(src: &str, tree: &'t Tree) -> Vec<(Vec<Node<'t>>, bool)> {
    let mut out = vec![];
    let mut cursor = tree.root_node().walk();
    for decl in tree.root_node().named_children(&mut cursor) {
        match decl.kind() {
            "package_clause" | "comment" => continue,
            "import_declaration" => {}
            _ => break,
        }
        for c in named_children(decl) {
            if c.kind() == "import_spec" {
                out.push((vec![c], false));
                continue;
            }
            if c.kind() != "import_spec_list" {
                continue;
            }
            let mut group: Vec<Node<'t>> = vec![];
            for s in named_children(c) {
                if s.kind() != "import_spec" {
                    continue;
                }
                let gap_breaks = group.last().is_some_and(|prev: &Node<'t>| {
                    src.get(prev.end_byte()..s.start_byte())
                        .is_some_and(|g| g.matches('\n').count() > 1)
                });
                if gap_breaks {
                    out.push((std::mem::take(&mut group), true));
                }
                group.push(s);
            }
            if !group.is_empty() {
                out.push((group, true));
            }
        }
    }
    out
}

/// The text of a spec's line with the path (and alias) changed.
fn changed_line(
    src: &str,
    spec: Node<'_>,
    line: (usize, usize),
    change: Option<&Change>,
) -> String {
    let whole = &src[line.0..line.1];
    let Some(c) = change else {
        return whole.to_string();
    };
    let Some(path) = field(spec, "path") else {
        return whole.to_string();
    };
    let (ps, pe) = (path.start_byte() - line.0, path.end_byte() - line.0);
    let alias = match &c.alias {
        Some(a) if field(spec, "name").is_none() => format!("{a} "),
        _ => String::new(),
    };
    format!("{}{alias}\"{}\"{}", &whole[..ps], c.new_path, &whole[pe..])
}

/// The path a spec has after the changes (for sorting).
fn sort_key(src: &str, spec: Node<'_>, changes: &[Change]) -> (String, String) {
    let name = field(spec, "name").map(|n| text(n, src).to_string());
    match changes.iter().find(|c| c.spec == spec.start_byte()) {
        Some(c) => (
            c.new_path.clone(),
            name.or_else(|| c.alias.clone()).unwrap_or_default(),
        ),
        None => (
            field(spec, "path")
                .and_then(|p| string_value(p, src))
                .unwrap_or_default(),
            name.unwrap_or_default(),
        ),
    }
}

type Range = (usize, usize);

/// A group whose lines are written anew: its byte range and its lines as (sort key, text).
type Rewritten = (usize, usize, Vec<((String, String), String)>);

/// Byte range of the lines a group occupies, and whether each of its specs has a line to itself
/// with nothing else between them (the shape in which lines can be sorted).
fn group_lines(src: &str, group: &[Node<'_>]) -> Option<(usize, usize, Vec<Range>)> {
    let first = group.first()?;
    let mut lines = vec![];
    for s in group {
        let start = go::line_start(src, s.start_byte());
        let end = src[s.end_byte()..]
            .find('\n')
            .map(|i| s.end_byte() + i + 1)
            .unwrap_or(src.len());
        if !src[start..s.start_byte()].trim().is_empty() {
            return None;
        }
        if lines.last().is_some_and(|(_, prev_end)| *prev_end != start) {
            return None;
        }
        lines.push((start, end));
    }
    let start = go::line_start(src, first.start_byte());
    let end = lines.last()?.1;
    Some((start, end, lines))
}

/// The edits that apply `changes` to the import specs and add `additions`, gofmt-sorted.
pub fn edits(
    src: &str,
    tree: &Tree,
    model: &FileModel,
    changes: &[Change],
    additions: &[&str],
) -> Vec<Edit> {
    let mut out: Vec<Edit> = vec![];
    let already: BTreeSet<&str> = changes.iter().map(|c| c.new_path.as_str()).collect();
    let mut additions: Vec<&str> = additions
        .iter()
        .copied()
        .filter(|a| !already.contains(a) && !model.imports.iter().any(|i| i.path == *a))
        .collect();
    let all = groups(src, tree);
    // New SDK imports join the group that already holds an SDK import.
    let sdk_group = all.iter().position(|(g, in_list)| {
        *in_list
            && g.iter().any(|s| {
                field(*s, "path")
                    .and_then(|p| string_value(p, src))
                    .is_some_and(|p| targets::is_sdk_import(&p))
            })
    });
    let mut rewritten: Vec<Rewritten> = vec![];
    for (gi, (group, in_list)) in all.into_iter().enumerate() {
        let touched: Vec<&Change> = changes
            .iter()
            .filter(|c| group.iter().any(|s| s.start_byte() == c.spec))
            .collect();
        let joining: Vec<&str> = if Some(gi) == sdk_group {
            std::mem::take(&mut additions)
        } else {
            vec![]
        };
        if touched.is_empty() && joining.is_empty() {
            continue;
        }
        match group_lines(src, &group).filter(|_| in_list) {
            Some((start, end, lines)) => {
                let indent = go::line_indent(src, group[0].start_byte()).to_string();
                let mut entries: Vec<((String, String), String)> = group
                    .iter()
                    .zip(lines)
                    .map(|(s, l)| {
                        let c = changes.iter().find(|c| c.spec == s.start_byte());
                        (sort_key(src, *s, changes), changed_line(src, *s, l, c))
                    })
                    .collect();
                for p in joining {
                    entries.push(((p.to_string(), String::new()), format!("{indent}\"{p}\"\n")));
                }
                rewritten.push((start, end, entries));
            }
            None => {
                additions.extend(joining);
                // A lone `import "x"` or a group in a shape we do not re-sort: change in place.
                for c in touched {
                    let Some(spec) = group.iter().find(|s| s.start_byte() == c.spec) else {
                        continue;
                    };
                    let Some(path) = field(*spec, "path") else {
                        continue;
                    };
                    let alias = match &c.alias {
                        Some(a) if field(*spec, "name").is_none() => format!("{a} "),
                        _ => String::new(),
                    };
                    out.push(Edit::replace(
                        path.start_byte(),
                        path.end_byte(),
                        format!("{alias}\"{}\"", c.new_path),
                    ));
                }
            }
        }
    }
    out.extend(fixes::add_imports(src, tree, model, &additions));
    for (start, end, mut entries) in rewritten {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut text: String = entries.into_iter().map(|(_, t)| t).collect();
        // The last line of the file may lack its newline.
        if !src[..end].ends_with('\n') {
            text.pop();
        }
        out.push(Edit::replace(start, end, text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::apply_edits;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    fn run(src: &str, changes: impl Fn(&FileModel) -> Vec<Change>, add: &[&str]) -> String {
        let tree = parse_str(src);
        let model = extract(src, &tree);
        let edits = edits(src, &tree, &model, &changes(&model), add);
        apply_edits(src, &edits).expect("edits apply")
    }

    fn change_all(m: &FileModel) -> Vec<Change> {
        m.imports
            .iter()
            .filter_map(|i| {
                let new = targets::moved(&i.path)?;
                let alias = (i.alias.is_none() && default_name(&i.path) != default_name(&new))
                    .then(|| default_name(&i.path).to_string());
                Some(Change {
                    spec: i.span.start as usize,
                    new_path: new,
                    alias,
                })
            })
            .collect()
    }

    #[test]
    fn moved_paths_are_resorted_and_renamed_packages_keep_their_name() {
        let src = "package p\n\nimport (\n\t\"context\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n\t\"github.com/restatedev/sdk-go/mocks\"\n\t\"github.com/restatedev/sdk-go/rcontext\"\n\t\"github.com/restatedev/sdk-go/server\"\n)\n";
        let out = run(src, change_all, &["github.com/restatedev/sdk-go/ingress"]);
        assert_eq!(
            out,
            "package p\n\nimport (\n\t\"context\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n\t\"github.com/restatedev/sdk-go/ingress\"\n\trcontext \"github.com/restatedev/sdk-go/logging\"\n\t\"github.com/restatedev/sdk-go/server\"\n\t\"github.com/restatedev/sdk-go/x/mocks\"\n)\n"
        );
    }

    #[test]
    fn a_lone_import_changes_in_place() {
        let src = "package p\n\nimport \"github.com/restatedev/sdk-go/mocks\"\n";
        assert_eq!(
            run(src, change_all, &[]),
            "package p\n\nimport \"github.com/restatedev/sdk-go/x/mocks\"\n"
        );
    }
}

//! Building blocks for fixes: edits as byte ranges plus text, kept gofmt-shaped (tabs, the
//! enclosing indentation, imports in sorted position within their group), import hygiene (an
//! import whose last use a fix removes goes too, or the file stops compiling) and the combination
//! of safe fixes that `source.fixAll` applies.

use tree_sitter::{Node, Tree};

use crate::analysis::findings::{Edit, Finding};
use crate::analysis::go::{self, field, named_children, string_value, text};
use crate::analysis::model::{FileModel, default_package_name};

/// An edit adding `import "path"` unless the file already imports it.
pub fn add_import(src: &str, tree: &Tree, model: &FileModel, path: &str) -> Option<Edit> {
    if model.imports.iter().any(|i| i.path == path) {
        return None;
    }
    let root = tree.root_node();
    let decls: Vec<_> = named_children(root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
        .collect();
    let quoted = format!("\"{path}\"");
    if let Some(list) = decls
        .iter()
        .flat_map(|d| named_children(*d))
        .find(|c| c.kind() == "import_spec_list")
    {
        // Insert into the first group (consecutive lines) at its sorted position.
        let specs: Vec<_> = named_children(list)
            .into_iter()
            .filter(|s| s.kind() == "import_spec")
            .collect();
        let first_group_end = specs
            .windows(2)
            .position(|w| {
                src.get(w[0].end_byte()..w[1].start_byte())
                    .is_some_and(|gap| gap.matches('\n').count() > 1)
            })
            .map(|i| i + 1)
            .unwrap_or(specs.len());
        let group = &specs[..first_group_end];
        let std_group = group.iter().all(|s| {
            field(*s, "path")
                .and_then(|p| string_value(p, src))
                .is_some_and(|p| !p.split('/').next().unwrap_or("").contains('.'))
        });
        let is_std = !path.split('/').next().unwrap_or("").contains('.');
        if std_group == is_std || group.is_empty() {
            let before = group.iter().find(|s| {
                field(**s, "path")
                    .and_then(|p| string_value(p, src))
                    .is_some_and(|p| p.as_str() > path)
            });
            let indent = group
                .first()
                .map(|s| go::line_indent(src, s.start_byte()).to_string())
                .unwrap_or_else(|| "\t".into());
            return Some(match before {
                Some(b) => Edit::insert(
                    go::line_start(src, b.start_byte()),
                    format!("{indent}{quoted}\n"),
                ),
                None => {
                    let last = group
                        .last()
                        .map(|s| s.end_byte())
                        .unwrap_or(list.start_byte() + 1);
                    let eol = src[last..].find('\n').map(|i| last + i + 1).unwrap_or(last);
                    Edit::insert(eol, format!("{indent}{quoted}\n"))
                }
            });
        }
        // A third-party import into a block that starts with the standard library: new group at the end.
        let close = list.end_byte().saturating_sub(1);
        return Some(Edit::insert(
            go::line_start(src, close),
            format!("\n\t{quoted}\n"),
        ));
    }
    if let Some(last) = decls.last() {
        return Some(Edit::insert(last.end_byte(), format!("\nimport {quoted}")));
    }
    let pkg = named_children(root)
        .into_iter()
        .find(|n| n.kind() == "package_clause")?;
    Some(Edit::insert(pkg.end_byte(), format!("\n\nimport {quoted}")))
}

/// An import the file refers to by name (not `_` or `.`).
struct NamedImport<'t> {
    spec: Node<'t>,
    name: String,
}

fn named_imports<'t>(src: &str, tree: &'t Tree) -> Vec<NamedImport<'t>> {
    let mut out = vec![];
    for decl in named_children(tree.root_node()) {
        if decl.kind() != "import_declaration" {
            continue;
        }
        let specs: Vec<Node<'t>> = named_children(decl)
            .into_iter()
            .flat_map(|c| {
                if c.kind() == "import_spec_list" {
                    named_children(c)
                } else {
                    vec![c]
                }
            })
            .filter(|c| c.kind() == "import_spec")
            .collect();
        for spec in specs {
            let Some(path) = field(spec, "path").and_then(|p| string_value(p, src)) else {
                continue;
            };
            let name = match field(spec, "name") {
                Some(n) if matches!(text(n, src), "_" | ".") => continue,
                Some(n) => text(n, src).to_string(),
                None => default_package_name(&path),
            };
            out.push(NamedImport { spec, name });
        }
    }
    out
}

/// Start bytes of `name.X` uses in the tree (selectors and qualified types; strings and comments
/// are leaves, so they never count).
fn uses_of(tree: &Tree, src: &str, name: &str) -> Vec<usize> {
    let mut out = vec![];
    go::walk(tree.root_node(), |n| {
        match n.kind() {
            "import_declaration" | "comment" => return false,
            "selector_expression" => {
                if let Some(op) = field(n, "operand")
                    && op.kind() == "identifier"
                    && text(op, src) == name
                {
                    out.push(op.start_byte());
                }
            }
            "qualified_type" => {
                if let Some(p) = field(n, "package")
                    && text(p, src) == name
                {
                    out.push(p.start_byte());
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// `name.` in a text, not preceded by an identifier character.
fn mentions(text: &str, name: &str) -> usize {
    let needle = format!("{name}.");
    text.match_indices(&needle)
        .filter(|(i, _)| {
            !text[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
        .count()
}

/// Deletions for the imports that `edits` leave without a use: an import used before the edits
/// and by nothing after them (counting uses the edits insert). Imports that were unused already
/// are left alone, so a wrongly guessed package name can never delete a used import.
pub fn tidy_imports(src: &str, tree: &Tree, edits: &[Edit]) -> Vec<Edit> {
    let mut out = vec![];
    let imports = named_imports(src, tree);
    let covered = |pos: usize| edits.iter().any(|e| e.start <= pos && pos < e.end);
    for imp in &imports {
        let (ss, se) = (imp.spec.start_byte(), imp.spec.end_byte());
        if edits.iter().any(|e| e.start < se && ss < e.end) {
            continue; // the fix rewrites this import itself
        }
        let removed = edits.iter().any(|e| {
            e.end > e.start && mentions(src.get(e.start..e.end).unwrap_or(""), &imp.name) > 0
        });
        if !removed {
            continue;
        }
        let inserted: usize = edits.iter().map(|e| mentions(&e.text, &imp.name)).sum();
        if inserted > 0 {
            continue;
        }
        let uses = uses_of(tree, src, &imp.name);
        if uses.is_empty() || uses.iter().any(|u| !covered(*u)) {
            continue;
        }
        if let Some(del) = remove_import(src, imp.spec) {
            out.push(del);
        }
    }
    out
}

/// `edits` plus the import deletions they call for.
pub fn with_tidy_imports(src: &str, tree: &Tree, mut edits: Vec<Edit>) -> Vec<Edit> {
    let extra = tidy_imports(src, tree, &edits);
    edits.extend(extra);
    edits
}

fn is_blank_line(src: &str, start: usize) -> bool {
    let end = src[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(src.len());
    start < src.len() && src[start..end].trim().is_empty()
}

/// Start of the line before the one starting at `line`.
fn prev_line_start(src: &str, line: usize) -> Option<usize> {
    (line > 0).then(|| go::line_start(src, line - 1))
}

/// The deletion of one import spec, keeping gofmt's shape: its whole line, the group's blank
/// separator when it was alone in its group, the declaration when it was the only spec.
fn remove_import(src: &str, spec: Node<'_>) -> Option<Edit> {
    let line = go::line_start(src, spec.start_byte());
    let after = src[spec.end_byte()..]
        .find('\n')
        .map(|i| spec.end_byte() + i + 1)
        .unwrap_or(src.len());
    let parent = spec.parent()?;
    let whole_decl = |decl: Node<'_>| {
        let start = go::line_start(src, decl.start_byte());
        let mut end = src[decl.end_byte()..]
            .find('\n')
            .map(|i| decl.end_byte() + i + 1)
            .unwrap_or(src.len());
        // Two blank lines would remain: take one with the declaration.
        let blank_before = prev_line_start(src, start).is_some_and(|p| is_blank_line(src, p));
        if blank_before && (end >= src.len() || is_blank_line(src, end)) {
            end = src[end..]
                .find('\n')
                .map(|i| end + i + 1)
                .unwrap_or(src.len());
        }
        Edit::replace(start, end, "")
    };
    if parent.kind() == "import_declaration" {
        return Some(whole_decl(parent));
    }
    if parent.kind() != "import_spec_list" {
        return None;
    }
    let specs: Vec<Node<'_>> = named_children(parent)
        .into_iter()
        .filter(|c| c.kind() == "import_spec")
        .collect();
    if specs.len() == 1 {
        return Some(whole_decl(parent.parent()?));
    }
    // Only whitespace around the spec on its line, else just the spec text.
    if !src[line..spec.start_byte()].trim().is_empty() {
        return Some(Edit::replace(spec.start_byte(), spec.end_byte(), ""));
    }
    let blank_before = prev_line_start(src, line).is_some_and(|p| is_blank_line(src, p));
    let blank_after = is_blank_line(src, after);
    let closes_after = src[after..].trim_start().starts_with(')');
    let first_in_list =
        prev_line_start(src, line).is_some_and(|p| src[p..line].trim_end().ends_with('('));
    if blank_before && (blank_after || closes_after) {
        // Alone in its group: the separator goes with it.
        let p = prev_line_start(src, line).unwrap_or(line);
        return Some(Edit::replace(p, after, ""));
    }
    if first_in_list && blank_after {
        let end = src[after..]
            .find('\n')
            .map(|i| after + i + 1)
            .unwrap_or(src.len());
        return Some(Edit::replace(line, end, ""));
    }
    Some(Edit::replace(line, after, ""))
}

/// The edits `source.fixAll` applies: the first safe fix of every finding, skipping fixes that
/// overlap one already taken (identical edits, such as the same import added twice, count once),
/// then the imports the combination leaves unused.
pub fn fix_all(src: &str, tree: &Tree, findings: &[Finding]) -> Vec<Edit> {
    let mut taken: Vec<Edit> = vec![];
    for f in findings {
        let Some(fix) = f.fixes.iter().find(|x| x.safe) else {
            continue;
        };
        let edits = fix.resolved_edits();
        let clash = edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| t != e && overlaps((e.start, e.end), (t.start, t.end)))
        });
        if clash {
            continue;
        }
        for e in edits {
            if !taken.contains(&e) {
                taken.push(e);
            }
        }
    }
    let extra: Vec<Edit> = tidy_imports(src, tree, &taken)
        .into_iter()
        .filter(|d| {
            !taken
                .iter()
                .any(|t| overlaps((d.start, d.end), (t.start, t.end)))
        })
        .collect();
    taken.extend(extra);
    taken.sort_by_key(|e| (e.start, e.end));
    taken
}

/// Two ranges touch in a way that makes applying both ambiguous: they intersect, or they are
/// insertions at the same point.
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    if a.0 == a.1 || b.0 == b.1 {
        return a.0 == b.0 || (a.0 > b.0 && a.0 < b.1) || (b.0 > a.0 && b.0 < a.1);
    }
    a.0 < b.1 && b.0 < a.1
}

/// The nesting depth gofmt's printer uses for the expression at `node`: 1 at statement level,
/// one more inside calls with several arguments, indexes and the right operand of a binary
/// expression, one less inside parentheses. A binary expression printed there gets blanks around
/// its operator only at depth 1 (see `binary`).
pub fn expr_depth(node: Node<'_>) -> usize {
    let Some(parent) = node.parent() else {
        return 1;
    };
    match parent.kind() {
        "argument_list" => {
            let Some(call) = parent.parent() else {
                return 1;
            };
            let args = named_children(parent)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .count();
            expr_depth(call) + usize::from(args > 1)
        }
        "selector_expression" | "unary_expression" | "call_expression" => expr_depth(parent),
        "index_expression" | "slice_expression" => {
            if field(parent, "operand") == Some(node) {
                1
            } else {
                expr_depth(parent) + 1
            }
        }
        "parenthesized_expression" => expr_depth(parent).saturating_sub(1).max(1),
        "binary_expression" => {
            let d = expr_depth(parent);
            if field(parent, "right") == Some(node) {
                d + 1
            } else {
                let same =
                    node.kind() == "binary_expression" && precedence(node) == precedence(parent);
                d + usize::from(!same)
            }
        }
        "expression_list" => match parent.parent() {
            Some(stmt)
                if matches!(
                    stmt.kind(),
                    "assignment_statement" | "short_var_declaration"
                ) =>
            {
                let wide = |f: &str| field(stmt, f).is_some_and(|l| named_children(l).len() > 1);
                1 + usize::from(wide("left") && wide("right"))
            }
            _ => 1,
        },
        "inc_statement" | "dec_statement" => 2,
        _ => 1,
    }
}

/// Go's precedence of a binary expression's operator (5 for `*`, 4 for `+`, ...).
fn precedence(n: Node<'_>) -> u8 {
    match field(n, "operator").map(|o| o.kind()).unwrap_or("") {
        "*" | "/" | "%" | "<<" | ">>" | "&" | "&^" => 5,
        "+" | "-" | "|" | "^" => 4,
        "==" | "!=" | "<" | "<=" | ">" | ">=" => 3,
        "&&" => 2,
        "||" => 1,
        _ => 0,
    }
}

/// `left op right` spaced as gofmt prints a binary expression of one operator (with operands that
/// are not themselves unparenthesised binary expressions) at `depth`.
pub fn binary(left: &str, op: &str, right: &str, depth: usize) -> String {
    if depth <= 1 {
        format!("{left} {op} {right}")
    } else {
        format!("{left}{op}{right}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::apply_edits;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    fn with_import(src: &str, path: &str) -> String {
        let tree = parse_str(src);
        let m = extract(src, &tree);
        match add_import(src, &tree, &m, path) {
            Some(e) => apply_edits(src, &[e]).unwrap_or_default(),
            None => src.to_string(),
        }
    }

    #[test]
    fn imports_land_in_sorted_position() {
        let src = "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n";
        assert_eq!(
            with_import(src, "time"),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n"
        );
        assert_eq!(
            with_import(src, "maps"),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"maps\"\n\t\"os\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n"
        );
        assert_eq!(with_import(src, "fmt"), src);
        let single = "package p\n\nimport \"fmt\"\n";
        assert_eq!(
            with_import(single, "time"),
            "package p\n\nimport \"fmt\"\nimport \"time\"\n"
        );
        let none = "package p\n\nfunc f() {}\n";
        assert_eq!(
            with_import(none, "time"),
            "package p\n\nimport \"time\"\n\nfunc f() {}\n"
        );
    }

    fn tidy(src: &str, edits: Vec<Edit>) -> String {
        let tree = parse_str(src);
        let all = with_tidy_imports(src, &tree, edits);
        apply_edits(src, &all).unwrap_or_default()
    }

    fn replace(src: &str, what: &str, with: &str) -> Edit {
        let at = src.find(what).unwrap_or(0);
        Edit::replace(at, at + what.len(), with)
    }

    #[test]
    fn an_import_goes_with_its_last_use_only() {
        let src = "package p\n\nimport (\n\t\"fmt\"\n\t\"math/rand\"\n\t\"time\"\n)\n\nfunc f() {\n\ttime.Sleep(time.Second)\n\tfmt.Println(rand.Intn(3))\n}\n";
        // time.Second is still there: "time" stays.
        let e = replace(src, "time.Sleep(time.Second)", "g(time.Second)");
        assert!(tidy(src, vec![e]).contains("\"time\""));
        // The only use of rand goes: so does its import.
        let e = replace(src, "rand.Intn(3)", "3");
        assert_eq!(
            tidy(src, vec![e]),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc f() {\n\ttime.Sleep(time.Second)\n\tfmt.Println(3)\n}\n"
        );
        // A use inserted by the fix keeps it.
        let e = replace(src, "rand.Intn(3)", "rand.Int()");
        assert!(tidy(src, vec![e]).contains("\"math/rand\""));
        // A mention in a comment is no use.
        let commented = src.replace("func f", "// rand.Intn is banned\nfunc f");
        let e = replace(&commented, "rand.Intn(3)", "3");
        assert!(!tidy(&commented, vec![e]).contains("math/rand"));
    }

    #[test]
    fn removing_imports_keeps_gofmt_shape() {
        let single = "package p\n\nimport \"time\"\n\nfunc f() { time.Sleep(1) }\n";
        let e = replace(single, "time.Sleep(1)", "g()");
        assert_eq!(tidy(single, vec![e]), "package p\n\nfunc f() { g() }\n");
        let groups = "package p\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/google/uuid\"\n)\n\nvar _ = fmt.Sprint(uuid.New())\n";
        let e = replace(groups, "uuid.New()", "1");
        assert_eq!(
            tidy(groups, vec![e]),
            "package p\n\nimport (\n\t\"fmt\"\n)\n\nvar _ = fmt.Sprint(1)\n"
        );
        let first = "package p\n\nimport (\n\t\"errors\"\n\n\tr \"github.com/restatedev/sdk-go\"\n)\n\nvar _ = errors.New(\"x\")\nvar _ r.Void\n";
        let e = replace(first, "errors.New(\"x\")", "r.TerminalErrorf(\"x\")");
        assert_eq!(
            tidy(first, vec![e]),
            "package p\n\nimport (\n\tr \"github.com/restatedev/sdk-go\"\n)\n\nvar _ = r.TerminalErrorf(\"x\")\nvar _ r.Void\n"
        );
    }

    #[test]
    fn fix_all_combines_and_tidies() {
        use crate::analysis::findings::Fix;
        let src = "package p\n\nimport \"math/rand\"\n\nvar a, b = rand.Intn(1), rand.Intn(2)\n";
        let tree = parse_str(src);
        let finding = |what: &str, with: &str| {
            let mut f = Finding::new("RS1003", 0, 1, "m");
            f.fixes.push(Fix {
                title: "t".into(),
                edits: vec![replace(src, what, with)],
                safe: true,
                snippet: false,
            });
            f
        };
        let fs = vec![finding("rand.Intn(1)", "1"), finding("rand.Intn(2)", "2")];
        let edits = fix_all(src, &tree, &fs);
        assert_eq!(
            apply_edits(src, &edits).unwrap_or_default(),
            "package p\n\nvar a, b = 1, 2\n"
        );
    }

    #[test]
    fn depths_follow_gofmt() {
        let src = "package p\n\nfunc f() {\n\tg(A)\n\tg(a, B)\n\tx := C\n\tx, y := D, 1\n\th(a).g(E)\n\tif x == F {\n\t}\n\tm[G]++\n\tk(a, (H))\n}\n";
        let tree = parse_str(src);
        let mut got = vec![];
        go::walk(tree.root_node(), |n| {
            if n.kind() == "identifier"
                && text(n, src).len() == 1
                && text(n, src).chars().all(|c| c.is_ascii_uppercase())
            {
                got.push((text(n, src).to_string(), expr_depth(n)));
            }
            true
        });
        let want: Vec<(String, usize)> = [
            ("A", 1),
            ("B", 2),
            ("C", 1),
            ("D", 2),
            ("E", 1),
            ("F", 2),
            ("G", 3),
            ("H", 1),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), *b))
        .collect();
        assert_eq!(got, want);
    }
}

//! Building blocks for fixes: edits as byte ranges plus text, kept gofmt-shaped (tabs, the
//! enclosing indentation, imports in sorted position within their group), import hygiene (an
//! import whose last use a fix removes goes too, or the file stops compiling) and the combination
//! of safe fixes that `source.fixAll` applies.

use tree_sitter::{Node, Tree};

use crate::analysis::findings::{Edit, Finding};
use crate::analysis::go::{self, field, named_children, string_value, text};
use crate::analysis::model::FileModel;
use crate::analysis::semantic::Semantic;

/// An edit adding `import "path"` unless the file already imports it.
pub fn add_import(src: &str, tree: &Tree, model: &FileModel, path: &str) -> Option<Edit> {
    add_imports(src, tree, model, &[path]).into_iter().next()
}

/// The package clause, imports and comments at the top of the file (Go puts imports before any
/// other declaration, so the walk stops there instead of visiting every declaration).
fn head(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = vec![];
    let mut cursor = root.walk();
    if !cursor.goto_first_child() {
        return out;
    }
    loop {
        let n = cursor.node();
        if !matches!(
            n.kind(),
            "package_clause" | "import_declaration" | "comment"
        ) {
            break;
        }
        out.push(n);
        if !cursor.goto_next_sibling() {
            break;
        }
    }
    out
}

/// Where a new import goes.
#[derive(PartialEq, Eq)]
enum Placement {
    /// A line of an existing group, inserted at this offset with this indentation.
    Line(usize, String),
    /// A new standard-library group before a block's first (third-party) group.
    GroupFirst(usize),
    /// A new group at the end of the block.
    GroupLast(usize),
    /// Another `import` declaration after this offset.
    Decl(usize),
}

fn is_std(path: &str) -> bool {
    !path.split('/').next().unwrap_or("").contains('.')
}

fn placement(src: &str, tree: &Tree, path: &str) -> Option<Placement> {
    let top = head(tree.root_node());
    let decls: Vec<_> = top
        .iter()
        .copied()
        .filter(|n| n.kind() == "import_declaration")
        .collect();
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
        let spec_path = |s: &Node<'_>| field(*s, "path").and_then(|p| string_value(p, src));
        let std_group = group
            .iter()
            .all(|s| spec_path(s).is_some_and(|p| is_std(&p)));
        if std_group == is_std(path) || group.is_empty() {
            let before = group
                .iter()
                .find(|s| spec_path(s).is_some_and(|p| p.as_str() > path));
            let indent = group
                .first()
                .map(|s| go::line_indent(src, s.start_byte()).to_string())
                .unwrap_or_else(|| "\t".into());
            return Some(match before {
                Some(b) => Placement::Line(go::line_start(src, b.start_byte()), indent),
                None => {
                    let last = group
                        .last()
                        .map(|s| s.end_byte())
                        .unwrap_or(list.start_byte() + 1);
                    let eol = src[last..].find('\n').map(|i| last + i + 1).unwrap_or(last);
                    Placement::Line(eol, indent)
                }
            });
        }
        if is_std(path) {
            // The block starts with third-party imports: the standard library goes first.
            let first = group.first()?;
            return Some(Placement::GroupFirst(go::line_start(
                src,
                first.start_byte(),
            )));
        }
        let close = list.end_byte().saturating_sub(1);
        return Some(Placement::GroupLast(go::line_start(src, close)));
    }
    if let Some(last) = decls.last() {
        return Some(Placement::Decl(last.end_byte()));
    }
    let pkg = top.into_iter().find(|n| n.kind() == "package_clause")?;
    Some(Placement::Decl(pkg.end_byte()))
}

/// Edits adding the imports of `paths` the file lacks, in sorted position; imports that land at
/// the same point come in one edit (one new group, not one group each).
pub fn add_imports(src: &str, tree: &Tree, model: &FileModel, paths: &[&str]) -> Vec<Edit> {
    let mut wanted: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|p| !model.imports.iter().any(|i| i.path == *p))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut by_place: Vec<(Placement, Vec<&str>)> = vec![];
    for p in wanted {
        let Some(place) = placement(src, tree, p) else {
            continue;
        };
        match by_place.iter_mut().find(|(pl, _)| *pl == place) {
            Some((_, list)) => list.push(p),
            None => by_place.push((place, vec![p])),
        }
    }
    let has_imports = head(tree.root_node())
        .into_iter()
        .any(|n| n.kind() == "import_declaration");
    by_place
        .into_iter()
        .map(|(place, list)| {
            let lines = |indent: &str| -> String {
                list.iter().map(|p| format!("{indent}\"{p}\"\n")).collect()
            };
            match place {
                Placement::Line(at, indent) => Edit::insert(at, lines(&indent)),
                Placement::GroupFirst(at) => Edit::insert(at, format!("{}\n", lines("\t"))),
                Placement::GroupLast(at) => Edit::insert(at, format!("\n{}", lines("\t"))),
                Placement::Decl(at) => {
                    let decls: String = list.iter().map(|p| format!("\nimport \"{p}\"")).collect();
                    if has_imports {
                        Edit::insert(at, decls)
                    } else {
                        Edit::insert(at, format!("\n{decls}"))
                    }
                }
            }
        })
        .collect()
}

/// The imports a file names, from its semantic model (no walk of the tree).
fn imports_of<'t>(sem: &Semantic<'t>) -> Vec<NamedImport<'t>> {
    sem.named_imports()
        .filter_map(|(name, spec)| {
            let up = sem.parent(spec)?;
            let (list, decl) = if up.kind() == "import_spec_list" {
                (Some(up), sem.parent(up)?)
            } else {
                (None, up)
            };
            Some(NamedImport {
                spec,
                decl,
                list,
                name: name.to_string(),
            })
        })
        .collect()
}

/// An import the file refers to by name (not `_` or `.`).
struct NamedImport<'t> {
    spec: Node<'t>,
    /// The `import` declaration holding it, and the parenthesised list when there is one.
    decl: Node<'t>,
    list: Option<Node<'t>>,
    name: String,
}

/// Whether the file uses the package named `name` (`name.X` in a selector or a qualified type)
/// anywhere `covered` does not hold. Strings and comments are leaves, so they never count.
fn used_outside(sem: &Semantic<'_>, name: &str, covered: impl Fn(usize) -> bool) -> bool {
    let src = sem.src();
    let mut any = false;
    // Text the tree does not cover: only whitespace in a whole-file tree, but the other functions
    // when a keystroke re-analyses one function (`analysis::incremental` leaves them out of the
    // parse). Mentions there count as uses, so a fix never removes an import they need.
    let root = sem.root();
    let mut cursor = root.walk();
    let mut covered_to = 0;
    let mut gaps = vec![];
    for child in root.children(&mut cursor) {
        if child.start_byte() > covered_to {
            gaps.push((covered_to, child.start_byte()));
        }
        covered_to = child.end_byte();
    }
    gaps.push((covered_to, src.len()));
    for (s, e) in gaps {
        for u in mention_positions(src, s, e, name) {
            if !covered(u) {
                return true;
            }
            any = true;
        }
    }
    for n in sem.mentions(name, 0, src.len()) {
        let Some(p) = sem.parent(*n) else { continue };
        let used = match p.kind() {
            "selector_expression" => field(p, "operand") == Some(*n),
            "qualified_type" => field(p, "package") == Some(*n),
            _ => false,
        };
        if used {
            if !covered(n.start_byte()) {
                return true;
            }
            any = true;
        }
    }
    // A package with no use at all was unused before the edits: not ours to remove.
    !any
}

/// `name.` in a text, not preceded by an identifier character.
fn mentions(text: &str, name: &str) -> usize {
    mention_positions(text, 0, text.len(), name).len()
}

/// Offsets of `name.` in `src[start..end]`, not preceded by an identifier character.
fn mention_positions(src: &str, start: usize, end: usize, name: &str) -> Vec<usize> {
    let Some(text) = src.get(start..end) else {
        return vec![];
    };
    let needle = format!("{name}.");
    text.match_indices(&needle)
        .filter(|(i, _)| {
            !text[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
        .map(|(i, _)| start + i)
        .collect()
}

/// Deletions for the imports that `edits` leave without a use: an import used before the edits
/// and by nothing after them (counting uses the edits insert). Imports that were unused already
/// are left alone, so a wrongly guessed package name can never delete a used import.
pub fn tidy_imports(sem: &Semantic<'_>, edits: &[Edit]) -> Vec<Edit> {
    let src = sem.src();
    let mut out = vec![];
    let imports = imports_of(sem);
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
        if used_outside(sem, &imp.name, covered) {
            continue;
        }
        if let Some(del) = remove_import(src, imp) {
            out.push(del);
        }
    }
    out
}

/// `edits` plus the import deletions they call for.
pub fn with_tidy_imports(sem: &Semantic<'_>, mut edits: Vec<Edit>) -> Vec<Edit> {
    let extra = tidy_imports(sem, &edits);
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
fn remove_import(src: &str, imp: &NamedImport<'_>) -> Option<Edit> {
    let spec = imp.spec;
    let line = go::line_start(src, spec.start_byte());
    let after = src[spec.end_byte()..]
        .find('\n')
        .map(|i| spec.end_byte() + i + 1)
        .unwrap_or(src.len());
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
    let Some(parent) = imp.list else {
        return Some(whole_decl(imp.decl));
    };
    let specs: Vec<Node<'_>> = named_children(parent)
        .into_iter()
        .filter(|c| c.kind() == "import_spec")
        .collect();
    if specs.len() == 1 {
        return Some(whole_decl(imp.decl));
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
    let sem = Semantic::build(src, tree);
    let extra: Vec<Edit> = tidy_imports(&sem, &taken)
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
pub fn expr_depth<'t>(sem: &Semantic<'t>, node: Node<'t>) -> usize {
    let Some(parent) = sem.parent(node) else {
        return 1;
    };
    match parent.kind() {
        "argument_list" => {
            let Some(call) = sem.parent(parent) else {
                return 1;
            };
            let args = named_children(parent)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .count();
            expr_depth(sem, call) + usize::from(args > 1)
        }
        "selector_expression" | "unary_expression" | "call_expression" => expr_depth(sem, parent),
        "index_expression" | "slice_expression" => {
            if field(parent, "operand") == Some(node) {
                1
            } else {
                expr_depth(sem, parent) + 1
            }
        }
        "parenthesized_expression" => expr_depth(sem, parent).saturating_sub(1).max(1),
        "binary_expression" => {
            let d = expr_depth(sem, parent);
            if field(parent, "right") == Some(node) {
                d + 1
            } else {
                let same =
                    node.kind() == "binary_expression" && precedence(node) == precedence(parent);
                d + usize::from(!same)
            }
        }
        "expression_list" => match sem.parent(parent) {
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
/// are not themselves unparenthesised binary expressions) at `depth`: comparisons and logical
/// operators always get blanks, arithmetic only at depth 1.
pub fn binary(left: &str, op: &str, right: &str, depth: usize) -> String {
    let arithmetic = matches!(
        op,
        "*" | "/" | "%" | "<<" | ">>" | "&" | "&^" | "+" | "-" | "|" | "^"
    );
    if depth <= 1 || !arithmetic {
        format!("{left} {op} {right}")
    } else {
        format!("{left}{op}{right}")
    }
}

/// gofmt's `walkBinary`: whether the chain under `n` mixes `+`-level and `*`-level operators, and
/// the operator pairs that must stay apart (`a - -b`, `x / *p`).
fn walk_binary(n: Node<'_>, src: &str) -> (bool, bool, u8) {
    let prec = precedence(n);
    let (mut has4, mut has5, mut problem) = (prec == 4, prec == 5, 0u8);
    let op = field(n, "operator").map(|o| text(o, src)).unwrap_or("");
    if let Some(l) = field(n, "left")
        && l.kind() == "binary_expression"
        && precedence(l) >= prec
    {
        let (a, b, c) = walk_binary(l, src);
        (has4, has5, problem) = (has4 || a, has5 || b, problem.max(c));
    }
    if let Some(r) = field(n, "right") {
        if r.kind() == "binary_expression" && precedence(r) > prec {
            let (a, b, c) = walk_binary(r, src);
            (has4, has5, problem) = (has4 || a, has5 || b, problem.max(c));
        } else if r.kind() == "unary_expression" {
            let rop = field(r, "operator").map(|o| text(o, src)).unwrap_or("");
            match format!("{op}{rop}").as_str() {
                "/*" | "&&" | "&^" => problem = 5,
                "++" | "--" => problem = problem.max(4),
                _ => {}
            }
        }
    }
    (has4, has5, problem)
}

/// The text of `n` with some of its descendants' ranges replaced.
fn splice(n: Node<'_>, src: &str, mut parts: Vec<(usize, usize, String)>) -> String {
    parts.sort_by_key(|p| p.0);
    let mut out = String::new();
    let mut pos = n.start_byte();
    for (s, e, t) in parts {
        out.push_str(&src[pos..s]);
        out.push_str(&t);
        pos = e;
    }
    out.push_str(&src[pos..n.end_byte()]);
    out
}

/// The expression `n` as gofmt prints it at `depth` (see `expr_depth`): only the blanks around
/// binary operators depend on the position, so those are recomputed; everything else, and any
/// expression spanning lines, is kept as written.
pub fn respace(n: Node<'_>, src: &str, depth: usize) -> String {
    let own = text(n, src);
    if own.contains('\n') {
        return own.to_string();
    }
    let depth = depth.max(1);
    match n.kind() {
        "binary_expression" => {
            let (Some(l), Some(o), Some(r)) =
                (field(n, "left"), field(n, "operator"), field(n, "right"))
            else {
                return own.to_string();
            };
            let prec = precedence(n);
            let (has4, has5, problem) = walk_binary(n, src);
            let cutoff = if problem > 0 {
                problem + 1
            } else if has4 && has5 {
                if depth == 1 { 5 } else { 4 }
            } else if depth == 1 {
                6
            } else {
                4
            };
            let same = l.kind() == "binary_expression" && precedence(l) == prec;
            let left = respace(l, src, depth + usize::from(!same));
            let right = respace(r, src, depth + 1);
            let op = text(o, src);
            if prec < cutoff {
                format!("{left} {op} {right}")
            } else {
                format!("{left}{op}{right}")
            }
        }
        "parenthesized_expression" => match n.named_child(0) {
            Some(inner) => splice(
                n,
                src,
                vec![(
                    inner.start_byte(),
                    inner.end_byte(),
                    respace(inner, src, depth.saturating_sub(1)),
                )],
            ),
            None => own.to_string(),
        },
        "call_expression" => {
            let mut parts = vec![];
            if let Some(f) = field(n, "function") {
                parts.push((f.start_byte(), f.end_byte(), respace(f, src, depth)));
            }
            if let Some(list) = field(n, "arguments") {
                let args: Vec<Node<'_>> = named_children(list)
                    .into_iter()
                    .filter(|c| c.kind() != "comment")
                    .collect();
                let d = depth + usize::from(args.len() > 1);
                for a in args {
                    parts.push((a.start_byte(), a.end_byte(), respace(a, src, d)));
                }
            }
            splice(n, src, parts)
        }
        "selector_expression" | "unary_expression" => {
            let child = field(n, "operand");
            match child {
                Some(c) => splice(
                    n,
                    src,
                    vec![(c.start_byte(), c.end_byte(), respace(c, src, depth))],
                ),
                None => own.to_string(),
            }
        }
        "index_expression" => match field(n, "index") {
            Some(i) => splice(
                n,
                src,
                vec![(i.start_byte(), i.end_byte(), respace(i, src, depth + 1))],
            ),
            None => own.to_string(),
        },
        _ => own.to_string(),
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
        // The standard library goes in its own group before third-party imports, together.
        let third = "package p\n\nimport (\n\trestate \"github.com/restatedev/sdk-go\"\n)\n";
        let tree = parse_str(third);
        let m = extract(third, &tree);
        let edits = add_imports(third, &tree, &m, &["slices", "maps"]);
        assert_eq!(
            apply_edits(third, &edits).unwrap_or_default(),
            "package p\n\nimport (\n\t\"maps\"\n\t\"slices\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n"
        );
    }

    fn tidy(src: &str, edits: Vec<Edit>) -> String {
        let tree = parse_str(src);
        let all = with_tidy_imports(&Semantic::build(src, &tree), edits);
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
        let sem = Semantic::build(src, &tree);
        let mut got = vec![];
        go::walk(tree.root_node(), |n| {
            if n.kind() == "identifier"
                && text(n, src).len() == 1
                && text(n, src).chars().all(|c| c.is_ascii_uppercase())
            {
                got.push((text(n, src).to_string(), expr_depth(&sem, n)));
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

    #[test]
    fn respacing_matches_gofmt() {
        let src = "package p\n\nvar _ = f(500 * time.Millisecond, a + b*c, (1 + 2) * x, a*b + c, x / *p, m[i + 1], g(1 + 2), a - -b, a + b + c)\n";
        let tree = parse_str(src);
        let mut args = vec![];
        go::walk(tree.root_node(), |n| {
            if n.kind() == "argument_list" && args.is_empty() {
                args = named_children(n);
            }
            true
        });
        let at = |d: usize| -> Vec<String> { args.iter().map(|a| respace(*a, src, d)).collect() };
        assert_eq!(
            at(1),
            [
                "500 * time.Millisecond",
                "a + b*c",
                "(1 + 2) * x",
                "a*b + c",
                "x / *p",
                "m[i+1]",
                "g(1 + 2)",
                "a - -b",
                "a + b + c"
            ]
        );
        assert_eq!(
            at(2),
            // What gofmt prints for these as the arguments of one call.
            [
                "500*time.Millisecond",
                "a+b*c",
                "(1+2)*x",
                "a*b+c",
                "x / *p",
                "m[i+1]",
                "g(1+2)",
                "a - -b",
                "a+b+c"
            ]
        );
    }
}

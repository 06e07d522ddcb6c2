//! One walk over the file: references to identifiers of the SDK packages (qualified, or bare under
//! a dot import) with the chain of nodes above them, and the request-header selectors. The chain is
//! kept as the walk descends, so no handler needs `Node::parent` (a search from the root).

use tree_sitter::Node;

use crate::analysis::go::{field, text};
use crate::analysis::migrate::results::Write;
use crate::analysis::migrate::{Cx, Pkg, Ref, headers, renames};
use crate::analysis::model::PkgRef;

/// Pre-order walk that hands each node the nodes above it (outermost first). The visitor returns
/// whether to descend.
pub(crate) fn walk_with_path<'t>(
    root: Node<'t>,
    mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> bool,
) {
    let mut cursor = root.walk();
    let mut path: Vec<Node<'t>> = vec![];
    let mut descend = visit(cursor.node(), &path);
    loop {
        if descend {
            let here = cursor.node();
            if cursor.goto_first_child() {
                path.push(here);
                descend = visit(cursor.node(), &path);
                continue;
            }
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                descend = visit(cursor.node(), &path);
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            path.pop();
        }
    }
}

/// The package an operand spelled `name` stands for, if it is one of the aliases we track.
fn pkg_of(cx: &Cx<'_>, name: &str) -> Option<Pkg> {
    let is = |p: &Option<PkgRef>| matches!(p, Some(PkgRef::Named(a)) if a == name);
    if is(&cx.pkgs.root) {
        Some(Pkg::Root)
    } else if is(&cx.pkgs.ingress) {
        Some(Pkg::Ingress)
    } else if is(&cx.pkgs.encoding) {
        Some(Pkg::Encoding)
    } else if is(&cx.pkgs.mocks) {
        Some(Pkg::Mocks)
    } else {
        None
    }
}

/// The dot-imported package a bare name may come from.
fn dot_pkg(cx: &Cx<'_>, name: &str) -> Option<Pkg> {
    let dot = |p: &Option<PkgRef>| matches!(p, Some(PkgRef::Dot));
    if dot(&cx.pkgs.root) && renames::is_old_root(name) {
        Some(Pkg::Root)
    } else if dot(&cx.pkgs.ingress) && renames::is_old_ingress(name) {
        Some(Pkg::Ingress)
    } else {
        None
    }
}

/// The references of the file, and its assignments and short declarations (see `results`).
pub(crate) fn refs<'t>(cx: &mut Cx<'t>) -> (Vec<Ref<'t>>, Vec<Write<'t>>) {
    let src = cx.src;
    let mut out: Vec<Ref<'t>> = vec![];
    let mut headers_at: Vec<(Node<'t>, Vec<Node<'t>>)> = vec![];
    let mut writes: Vec<Write<'t>> = vec![];
    let root = cx.sem.root();
    // A name that resolves to a local is a variable, not the package.
    let is_package = |ident: Node<'t>| cx.sem.resolve(ident).is_none();
    walk_with_path(root, |n, path| {
        match n.kind() {
            "comment"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "import_declaration"
            | "package_clause" => return false,
            "selector_expression" | "qualified_type" => {
                let (op, name) = match n.kind() {
                    "selector_expression" => (field(n, "operand"), field(n, "field")),
                    _ => (field(n, "package"), field(n, "name")),
                };
                let (Some(op), Some(name)) = (op, name) else {
                    return true;
                };
                let name = text(name, src);
                if name == "Headers" && n.kind() == "selector_expression" {
                    headers_at.push((n, path.to_vec()));
                }
                if matches!(op.kind(), "identifier" | "package_identifier")
                    && let Some(pkg) = pkg_of(cx, text(op, src))
                    && is_package(op)
                {
                    out.push(Ref {
                        pkg,
                        name,
                        node: n,
                        path: path.to_vec(),
                    });
                    return false;
                }
            }
            "identifier" | "type_identifier" => {
                let name = text(n, src);
                // A bare name is the dot-imported one unless something declares it; the selector
                // field and declared names are not references at all.
                let parent = path.last().copied();
                let is_field = parent.is_some_and(|p| {
                    p.kind() == "selector_expression" && field(p, "field") == Some(n)
                });
                if !is_field
                    && let Some(pkg) = dot_pkg(cx, name)
                    && !cx.sem.is_declaration(n)
                    && is_package(n)
                {
                    out.push(Ref {
                        pkg,
                        name,
                        node: n,
                        path: path.to_vec(),
                    });
                }
            }
            _ => writes.extend(Write::of(n, path, src)),
        }
        true
    });
    for (n, path) in headers_at {
        headers::site(cx, n, &path);
    }
    (out, writes)
}

//! `ctx.Request().Headers`: a `map[string]string` in 0.x, a read-only, key-sorted `StringMap`
//! (`Get`, `Iter`, `ToMap`) in 1.0. Reads become `Get`, ranges `Iter()` (sorted order is one of
//! the orders the map could give), other uses of the map take a copy with `ToMap()`.

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, Callee, field, text};
use crate::analysis::migrate::{Cx, Rewrite};
use crate::analysis::model::PkgRef;
use crate::analysis::restate_api::CtxKind;
use crate::analysis::semantic::DeclKind;

const KIND: &str = "Request().Headers";

/// Whether a parameter type names a Restate context (`restate.Context`, `*sdk.ObjectContext`,
/// a local alias of one).
fn is_ctx_type(cx: &Cx<'_>, ty: &str) -> bool {
    let ty = ty.trim_start_matches('*');
    match (ty.split_once('.'), &cx.pkgs.root) {
        (Some((pkg, name)), Some(PkgRef::Named(a))) if pkg == a => {
            CtxKind::from_type_name(name).is_some()
        }
        (None, _) => {
            (matches!(cx.pkgs.root, Some(PkgRef::Dot)) && CtxKind::from_type_name(ty).is_some())
                || cx.model.ctx_aliases.iter().any(|(n, _)| n == ty)
        }
        _ => false,
    }
}

/// `c.Request()` where `c` is a parameter of a Restate context type.
fn is_request_call(cx: &Cx<'_>, n: Node<'_>, path: &[Node<'_>]) -> bool {
    let Some(call) = go::call_parts(go::unparen(n)) else {
        return false;
    };
    let Callee::Selector {
        operand,
        name: "Request",
        ..
    } = call.callee(cx.src)
    else {
        return false;
    };
    if !call.args.is_empty() || operand.kind() != "identifier" {
        return false;
    }
    let mut p = path.to_vec();
    p.push(operand);
    cx.sem.resolve(operand).is_some_and(|d| {
        d.kind == DeclKind::Param && d.ty.is_some_and(|t| is_ctx_type(cx, text(t, cx.src)))
    })
}

/// Whether the operand of `.Headers` is the invocation's request: `ctx.Request()`, or a local
/// initialised from it (`req := ctx.Request()`).
fn is_request(cx: &Cx<'_>, operand: Node<'_>, path: &[Node<'_>]) -> bool {
    let operand = go::unparen(operand);
    if operand.kind() == "identifier" {
        let mut p = path.to_vec();
        p.push(operand);
        return cx.sem.resolve(operand).is_some_and(|d| {
            d.kind == DeclKind::Local
                && d.value.is_some_and(|v| {
                    // The declaration's own path is not at hand; its value is resolved from the
                    // use, which sees the same parameters.
                    is_request_call(cx, v, &p)
                })
        });
    }
    is_request_call(cx, operand, path)
}

/// The `[` and `]` of an index expression.
fn brackets(ix: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let mut cursor = ix.walk();
    let kids: Vec<Node<'_>> = ix.children(&mut cursor).collect();
    let open = kids.iter().find(|k| k.kind() == "[")?;
    let close = kids.iter().rev().find(|k| k.kind() == "]")?;
    Some((*open, *close))
}

/// Whether `list` (an expression list) is the value side of a two-value assignment or declaration
/// that holds just one expression: the comma-ok form `v, ok := m[k]`.
fn is_comma_ok(list: Node<'_>, stmt: Option<Node<'_>>) -> bool {
    let Some(stmt) = stmt else { return false };
    if list.named_child_count() != 1 {
        return false;
    }
    let left = match stmt.kind() {
        "assignment_statement" | "short_var_declaration" if field(stmt, "right") == Some(list) => {
            field(stmt, "left").map(|l| l.named_child_count())
        }
        "var_spec" if field(stmt, "value") == Some(list) => {
            let mut cursor = stmt.walk();
            Some(stmt.children_by_field_name("name", &mut cursor).count())
        }
        _ => None,
    };
    left == Some(2)
}

pub(crate) fn site(cx: &mut Cx<'_>, sel: Node<'_>, path: &[Node<'_>]) {
    let Some(operand) = field(sel, "operand") else {
        return;
    };
    if !is_request(cx, operand, path) {
        return;
    }
    let up = |k: usize| path.len().checked_sub(k).and_then(|i| path.get(i)).copied();
    let Some(parent) = up(1) else { return };
    let shown = text(sel, cx.src);
    let insert = |s: &str| vec![Edit::insert(sel.end_byte(), s)];
    let (node, message, rw): (Node<'_>, String, Option<Rewrite>) = match parent.kind() {
        "index_expression" if field(parent, "operand") == Some(sel) => {
            let Some(key) = field(parent, "index") else {
                return;
            };
            let list = up(2).filter(|l| l.kind() == "expression_list");
            let stmt = up(3);
            let written_to = list.is_some_and(|l| {
                stmt.is_some_and(|s| {
                    s.kind() == "assignment_statement" && field(s, "left") == Some(l)
                })
            }) || matches!(
                up(2).map(|g| g.kind()),
                Some("inc_statement" | "dec_statement")
            );
            if written_to {
                (
                    parent,
                    "Request().Headers is read-only since sdk-go 1.0 (a StringMap): copy it with .ToMap() into a map of your own and write to that".into(),
                    None,
                )
            } else if list.is_some_and(|l| is_comma_ok(l, stmt)) {
                (
                    parent,
                    format!(
                        "Request().Headers is a StringMap since sdk-go 1.0, which has no comma-ok lookup: use `{shown}.ToMap()[{}]`",
                        text(key, cx.src)
                    ),
                    Some(Rewrite::new(
                        "Look up in Headers.ToMap()",
                        insert(".ToMap()"),
                    )),
                )
            } else {
                let Some((open, close)) = brackets(parent) else {
                    return;
                };
                let edits = vec![
                    Edit::replace(open.start_byte(), open.end_byte(), ".Get("),
                    Edit::replace(close.start_byte(), close.end_byte(), ")"),
                ];
                (
                    parent,
                    format!(
                        "Request().Headers is a StringMap since sdk-go 1.0, not a map: use `{shown}.Get({})` (\"\" when absent, as the map gave)",
                        crate::analysis::migrate::show::arg(key, cx.src, "key")
                    ),
                    Some(Rewrite::new("Use Headers.Get", edits)),
                )
            }
        }
        "range_clause" if field(parent, "right") == Some(sel) => (
            sel,
            format!(
                "Request().Headers is a StringMap since sdk-go 1.0: range over `{shown}.Iter()` (in key order, the same on every replay)"
            ),
            Some(Rewrite::new("Range over Headers.Iter()", insert(".Iter()"))),
        ),
        // Methods of the 1.0 StringMap: already migrated.
        "selector_expression" => return,
        "argument_list" => {
            let callee = up(2).and_then(go::call_parts).map(|c| c.callee(cx.src));
            match callee {
                Some(Callee::Ident("len")) => (
                    sel,
                    format!("Request().Headers is a StringMap since sdk-go 1.0: count `len({shown}.ToMap())`"),
                    Some(Rewrite::new("Count Headers.ToMap()", insert(".ToMap()"))),
                ),
                Some(Callee::Ident("delete")) => (
                    sel,
                    "Request().Headers is read-only since sdk-go 1.0 (a StringMap): copy it with .ToMap() and delete from the copy".into(),
                    None,
                ),
                _ if cx.old_api => value_use(sel, shown),
                _ => return,
            }
        }
        "binary_expression" if cx.old_api => {
            let other = field(parent, "left")
                .filter(|l| *l != sel)
                .or_else(|| field(parent, "right"));
            if other.is_some_and(|o| text(o, cx.src) == "nil") {
                (
                    parent,
                    "Request().Headers is a StringMap since sdk-go 1.0: a nil check no longer tells whether headers were sent; test a key with .Get or the size of .ToMap()".into(),
                    None,
                )
            } else {
                value_use(sel, shown)
            }
        }
        _ if cx.old_api => value_use(sel, shown),
        _ => return,
    };
    cx.push(KIND, node, message, rw);
}

/// The map itself passed on or stored: a copy with `ToMap()` keeps the code working.
fn value_use<'t>(sel: Node<'t>, shown: &str) -> (Node<'t>, String, Option<Rewrite>) {
    (
        sel,
        format!(
            "Request().Headers is a StringMap since sdk-go 1.0, not a map: `{shown}.ToMap()` gives a map (a copy)"
        ),
        Some(Rewrite::new(
            "Use Headers.ToMap()",
            vec![Edit::insert(sel.end_byte(), ".ToMap()")],
        )),
    )
}

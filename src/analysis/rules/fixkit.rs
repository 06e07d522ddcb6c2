//! What rule fixes need to know about the code around a finding: the name of the Restate context
//! that is really in scope there, the `return` that hands an error back from the enclosing
//! function (zero values included), names that collide with nothing, and statement-shaped edits
//! with the enclosing indentation. Every helper answers `None` when it cannot be sure, and the
//! fix is then not offered.

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, field, named_children};
use crate::analysis::model::PkgRef;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;
use crate::analysis::semantic::DeclKind;

/// `restate.` as this file spells it (empty for a dot import).
pub fn sdk(cx: &FileContext<'_>) -> String {
    crate::analysis::rules::run::prefix(cx)
}

/// The local name of an imported package, if the file imports it by name.
pub fn import_name(cx: &FileContext<'_>, path: &str) -> Option<String> {
    cx.model
        .imports
        .iter()
        .find(|i| i.path == path)
        .and_then(|i| match i.local_name() {
            Some(PkgRef::Named(n)) => Some(n),
            _ => None,
        })
}

/// The nodes from the function that owns `func`'s code (its handler root, else the function
/// itself) down to `node`, found by descending: `Node::parent` descends from the root of the tree
/// on every call, which in a large file costs more than the whole fix.
pub fn path_to<'t>(
    cx: &FileContext<'t>,
    func: Option<u32>,
    node: Node<'t>,
) -> Option<Vec<Node<'t>>> {
    let top_fn = facts::handler_root(cx.model, func)
        .map(|(r, _)| r)
        .or(func)
        .and_then(|i| cx.facts.func_nodes.get(&i).copied());
    let top = top_fn.unwrap_or_else(|| cx.tree.root_node());
    if !go::contains(top, node) {
        return None;
    }
    let mut path = vec![node];
    if node != top {
        for a in cx.sem.ancestors(node) {
            path.push(a);
            if a == top {
                break;
            }
        }
    }
    if path.last() != Some(&top) {
        return None;
    }
    path.reverse();
    Some(path)
}

/// The index in `path` of the statement holding its last node directly in a statement list (what
/// `Semantic::enclosing_statement` finds), if no function boundary comes first.
pub fn statement_index(path: &[Node<'_>]) -> Option<usize> {
    for i in (1..path.len()).rev() {
        let parent = path[i - 1];
        if parent.kind() == "statement_list" {
            return Some(i);
        }
        if go::is_func_like(parent.kind()) {
            return None;
        }
    }
    None
}

/// The handler context parameter usable at the end of `path` (inside function `func`): the
/// handler's own context, reached without crossing a goroutine's function literal, and not
/// shadowed by anything in between.
pub fn ctx_on_path(cx: &FileContext<'_>, path: &[Node<'_>], func: Option<u32>) -> Option<String> {
    let (_, f) = facts::handler_root(cx.model, func)?;
    let ctx = f.ctx.as_ref().filter(|c| c.kind.is_handler())?;
    if ctx.name.is_empty() || ctx.name == "_" {
        return None;
    }
    // `go func() { .. }()`: Restate operations from another goroutine break replay.
    for i in 2..path.len() {
        if path[i].kind() == "func_literal"
            && path[i - 1].kind() == "call_expression"
            && path[i - 2].kind() == "go_statement"
        {
            return None;
        }
    }
    let d = path
        .last()
        .and_then(|at| cx.sem.resolve_name(*at, &ctx.name))?;
    (d.kind == DeclKind::Param && d.id() == ctx.decl as usize).then(|| ctx.name.clone())
}

/// `ctx_on_path` for a node.
pub fn ctx_at(cx: &FileContext<'_>, at: Node<'_>, func: Option<u32>) -> Option<String> {
    let path = path_to(cx, func, at)?;
    ctx_on_path(cx, &path, func)
}

/// The zero value of a type as written in a signature; `*new(T)` when the syntax does not say
/// which literal fits (a named non-struct type, a type parameter).
pub fn zero_value(cx: &FileContext<'_>, ty: &str) -> String {
    zero_value_in(cx.model, cx.ws, cx.path, ty)
}

/// `zero_value` for a type written in file `path` with model `model`.
pub fn zero_value_in(
    model: &crate::analysis::model::FileModel,
    ws: &crate::analysis::workspace::Workspace,
    path: &std::path::Path,
    ty: &str,
) -> String {
    let t = ty.trim();
    match t {
        "string" => return "\"\"".into(),
        "bool" => return "false".into(),
        "int" | "int8" | "int16" | "int32" | "int64" | "uint" | "uint8" | "uint16" | "uint32"
        | "uint64" | "uintptr" | "float32" | "float64" | "byte" | "rune" | "complex64"
        | "complex128" => return "0".into(),
        "error" | "any" => return "nil".into(),
        _ => {}
    }
    if t.starts_with('*')
        || t.starts_with("[]")
        || t.starts_with("map[")
        || t.starts_with("chan")
        || t.starts_with("<-chan")
        || t.starts_with("func")
        || t.starts_with("interface")
    {
        return "nil".into();
    }
    if t.starts_with('[') || t.starts_with("struct") {
        return format!("{t}{{}}");
    }
    let base = t.split('[').next().unwrap_or(t);
    if let Some((pkg, name)) = base.split_once('.') {
        let import = model.import_path_for(pkg).unwrap_or("");
        return match (import, name) {
            ("time", "Duration") => "0".into(),
            ("time", "Time") | (crate::analysis::restate_api::SDK_PATH, "Void") => {
                format!("{t}{{}}")
            }
            _ => format!("*new({t})"),
        };
    }
    let is_struct = ws
        .package_files(path)
        .iter()
        .map(|f| &f.model)
        .chain(std::iter::once(model))
        .flat_map(|m| m.types.iter())
        .find(|td| td.name == base)
        .map(|td| td.is_struct);
    match is_struct {
        Some(true) => format!("{t}{{}}"),
        _ => format!("*new({t})"),
    }
}

/// `return <zero values>, <err>` for function `func`, if its last result is an `error`.
pub fn error_return(cx: &FileContext<'_>, func: Option<u32>, err: &str) -> Option<String> {
    let f = cx.model.functions.get(func? as usize)?;
    let (last, rest) = f.results.split_last()?;
    if last.trim() != "error" {
        return None;
    }
    let mut parts: Vec<String> = rest.iter().map(|t| zero_value(cx, t)).collect();
    parts.push(err.to_string());
    Some(format!("return {}", parts.join(", ")))
}

/// Identifiers used anywhere in function `func`'s node.
/// `base`, or `base2`, `base3`, ...: the first that function `func` (the whole handler, nested
/// literals included) does not use.
pub fn fresh_name(cx: &FileContext<'_>, func: Option<u32>, base: &str) -> String {
    let root = facts::handler_root(cx.model, func)
        .map(|(r, _)| Some(r))
        .unwrap_or(func);
    let Some(node) = root.and_then(|i| cx.facts.func_nodes.get(&i)) else {
        return base.to_string();
    };
    let used = |name: &str| {
        !cx.sem
            .mentions(name, node.start_byte(), node.end_byte())
            .is_empty()
    };
    std::iter::once(base.to_string())
        .chain((2..).map(|i| format!("{base}{i}")))
        .find(|n| !used(n))
        .unwrap_or_else(|| base.to_string())
}

/// Whether `stmt` starts its line (only indentation before it), so lines can be inserted above.
pub fn starts_line(src: &str, stmt: Node<'_>) -> bool {
    let ls = go::line_start(src, stmt.start_byte());
    src.get(ls..stmt.start_byte())
        .is_some_and(|s| s.trim().is_empty())
}

/// Insert `lines` (separated by `\n`, nested lines starting with tabs) above `stmt`, each indented
/// like `stmt`.
pub fn insert_above(src: &str, stmt: Node<'_>, lines: &str) -> Option<Edit> {
    if !starts_line(src, stmt) {
        return None;
    }
    let indent = go::line_indent(src, stmt.start_byte());
    let mut text = String::new();
    for l in lines.lines() {
        if l.is_empty() {
            text.push('\n');
        } else {
            text.push_str(indent);
            text.push_str(l);
            text.push('\n');
        }
    }
    Some(Edit::insert(go::line_start(src, stmt.start_byte()), text))
}

/// Re-indent a multi-line snippet written for column 0 so that lines after the first sit at
/// `indent`.
pub fn indent_rest(snippet: &str, indent: &str) -> String {
    let mut out = String::new();
    for (i, l) in snippet.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !l.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(l);
    }
    out
}

/// Whether the expression can be used as an operand (`x.Sub(..)`) without parentheses.
pub fn is_primary(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        "identifier"
            | "selector_expression"
            | "call_expression"
            | "index_expression"
            | "parenthesized_expression"
            | "composite_literal"
            | "int_literal"
            | "interpreted_string_literal"
    )
}

/// Whether `name` is declared in the same block as the statement ending `path` (so `a, name := ..`
/// there reuses it), or is a parameter or result of the function when that statement is at the
/// top of its body.
pub fn declared_in_block(cx: &FileContext<'_>, path: &[Node<'_>], name: &str) -> bool {
    let n = path.len();
    if n < 2 {
        return false;
    }
    let Some(d) = path.last().and_then(|at| cx.sem.resolve_name(*at, name)) else {
        return false;
    };
    let block = path[n - 2];
    match d.kind {
        DeclKind::Param | DeclKind::Result => {
            n >= 4 && go::is_func_like(path[n - 4].kind()) && path[n - 3].kind() == "block"
        }
        // A declaration visible here and inside the block is made by one of its statements.
        _ => go::contains(block, d.name),
    }
}

/// Whether an identifier `name` appears in the statements after `stmt` in its block.
pub fn mentioned_after<'t>(cx: &FileContext<'t>, stmt: Node<'t>, name: &str) -> bool {
    let Some(list) = cx.sem.parent(stmt) else {
        return false;
    };
    cx.sem
        .mentions_identifier(name, stmt.end_byte(), list.end_byte())
}

/// The name for the error of a new `x, <err> := ..` before the statement ending `path`: `err` when that cannot change
/// the type of an `err` the following code assigns (Restate operations return `TerminalError`),
/// else `<fallback>`.
pub fn err_name(cx: &FileContext<'_>, path: &[Node<'_>], fallback: &str) -> String {
    let Some(&stmt) = path.last() else {
        return fallback.into();
    };
    if declared_in_block(cx, path, "err") || !mentioned_after(cx, stmt, "err") {
        "err".into()
    } else {
        fallback.into()
    }
}

/// Names bound on the left of an assignment or short variable declaration.
pub fn left_names<'t>(stmt: Node<'t>) -> Vec<Node<'t>> {
    field(stmt, "left").map(named_children).unwrap_or_default()
}

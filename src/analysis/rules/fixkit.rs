//! What rule fixes need to know about the code around a finding: the name of the Restate context
//! that is really in scope there, the `return` that hands an error back from the enclosing
//! function (zero values included), names that collide with nothing, and statement-shaped edits
//! with the enclosing indentation. Every helper answers `None` when it cannot be sure, and the
//! fix is then not offered.

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::model::{FuncKind, PkgRef};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;
use crate::analysis::scope::{self, DeclKind};

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

/// The handler context parameter usable at `at` (inside function `func`): the handler's own
/// context, reached without crossing a Run closure or a goroutine's function literal, and not
/// shadowed by anything in between.
pub fn ctx_at(cx: &FileContext<'_>, at: Node<'_>, func: Option<u32>) -> Option<String> {
    let (root, f) = facts::handler_root(cx.model, func)?;
    let ctx = f.ctx.as_ref().filter(|c| c.kind.is_handler())?;
    if ctx.name.is_empty() || ctx.name == "_" {
        return None;
    }
    let mut cur = func;
    while let Some(i) = cur {
        if i == root {
            break;
        }
        let g = cx.model.functions.get(i as usize)?;
        if g.kind == FuncKind::Literal {
            let node = cx.facts.func_nodes.get(&i)?;
            // `go func() { .. }()`: Restate operations from another goroutine break replay.
            if node
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|gp| gp.kind() == "go_statement")
            {
                return None;
            }
        }
        cur = g.parent;
    }
    let d = scope::resolve_name(at, &ctx.name, cx.src)?;
    (d.kind == DeclKind::Param && d.id() == ctx.decl as usize).then(|| ctx.name.clone())
}

/// The zero value of a type as written in a signature; `*new(T)` when the syntax does not say
/// which literal fits (a named non-struct type, a type parameter).
pub fn zero_value(cx: &FileContext<'_>, ty: &str) -> String {
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
        let path = cx.model.import_path_for(pkg).unwrap_or("");
        return match (path, name) {
            ("time", "Duration") => "0".into(),
            ("time", "Time") | (crate::analysis::restate_api::SDK_PATH, "Void") => {
                format!("{t}{{}}")
            }
            _ => format!("*new({t})"),
        };
    }
    let is_struct = cx
        .ws
        .package_files(cx.path)
        .iter()
        .map(|f| &f.model)
        .chain(std::iter::once(cx.model))
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
fn identifiers_in<'s>(cx: &FileContext<'s>, func: Option<u32>) -> Vec<&'s str> {
    let mut out = vec![];
    let Some(node) = func.and_then(|i| cx.facts.func_nodes.get(&i)) else {
        return out;
    };
    go::walk(*node, |n| {
        if n.kind() == "identifier" || n.kind() == "field_identifier" {
            out.push(text(n, cx.src));
        }
        true
    });
    out
}

/// `base`, or `base2`, `base3`, ...: the first that function `func` (the whole handler, nested
/// literals included) does not use.
pub fn fresh_name(cx: &FileContext<'_>, func: Option<u32>, base: &str) -> String {
    let root = facts::handler_root(cx.model, func)
        .map(|(r, _)| Some(r))
        .unwrap_or(func);
    let used = identifiers_in(cx, root);
    if !used.contains(&base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !used.contains(&n.as_str()))
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

/// Whether `name` is declared in the same block as `stmt` (so `a, name := ..` there reuses it),
/// or is a parameter or result of the function when `stmt` is at the top of its body.
pub fn declared_in_block(cx: &FileContext<'_>, stmt: Node<'_>, name: &str) -> bool {
    let Some(d) = scope::resolve_name(stmt, name, cx.src) else {
        return false;
    };
    let block = stmt.parent();
    match d.kind {
        DeclKind::Param | DeclKind::Result => block
            .and_then(|b| b.parent())
            .and_then(|b| b.parent())
            .is_some_and(|f| go::is_func_like(f.kind())),
        _ => go::enclosing_statement(d.name)
            .and_then(|s| s.parent())
            .is_some_and(|p| Some(p) == block),
    }
}

/// Whether an identifier `name` appears in the statements after `stmt` in its block.
pub fn mentioned_after(cx: &FileContext<'_>, stmt: Node<'_>, name: &str) -> bool {
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next {
        let mut hit = false;
        go::walk(n, |x| {
            if x.kind() == "identifier" && text(x, cx.src) == name {
                hit = true;
            }
            !hit
        });
        if hit {
            return true;
        }
        next = n.next_named_sibling();
    }
    false
}

/// The name for the error of a new `x, <err> := ..` before `stmt`: `err` when that cannot change
/// the type of an `err` the following code assigns (Restate operations return `TerminalError`),
/// else `<fallback>`.
pub fn err_name(cx: &FileContext<'_>, stmt: Node<'_>, fallback: &str) -> String {
    if declared_in_block(cx, stmt, "err") || !mentioned_after(cx, stmt, "err") {
        "err".into()
    } else {
        fallback.into()
    }
}

/// Names bound on the left of an assignment or short variable declaration.
pub fn left_names<'t>(stmt: Node<'t>) -> Vec<Node<'t>> {
    field(stmt, "left").map(named_children).unwrap_or_default()
}

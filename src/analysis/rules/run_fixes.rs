//! Quick fixes of the Run rules: values of the deterministic generator drawn before the step and
//! captured (RS3002), a variable set inside a step returned from it instead (RS3003), and the
//! error of a Restate operation bound and checked (RS3004).

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Fix};
use crate::analysis::fixes::{respace, with_tidy_imports};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::{self, CallFact};
use crate::analysis::rules::fixkit::{self, ctx_at, error_return, sdk};
use crate::analysis::semantic::{Decl, DeclKind};

fn fix(cx: &FileContext<'_>, title: String, edits: Vec<Edit>) -> Fix {
    Fix {
        title,
        edits: with_tidy_imports(cx.sem, edits),
        safe: false,
        snippet: false,
    }
}

/// Whether an identifier in `n` refers to something declared inside `closure`.
fn uses_closure_locals(cx: &FileContext<'_>, n: Node<'_>, closure: Node<'_>) -> bool {
    let mut hit = false;
    go::walk(n, |x| {
        if hit {
            return false;
        }
        if x.kind() == "identifier"
            && cx
                .sem
                .resolve(x)
                .is_some_and(|d| go::contains(closure, d.name))
        {
            hit = true;
        }
        true
    });
    hit
}

/// Identifiers named `name` in `root`, outside `except`.
fn used_outside(cx: &FileContext<'_>, root: Node<'_>, except: Node<'_>, name: &str) -> bool {
    let mut hit = false;
    go::walk(root, |x| {
        if hit || x == except {
            return false;
        }
        if x.kind() == "identifier" && text(x, cx.src) == name {
            hit = true;
        }
        true
    });
    hit
}

// ---- RS3002 -------------------------------------------------------------------------------------

/// `restate.UUID(ctx)` or `restate.Rand(ctx).M(..)` inside a Run closure: drawn in the handler just
/// before the step and captured. Drawing in the handler is journaled by the generator's
/// determinism; drawing inside the step would be skipped on replay and shift every later draw.
pub fn hoist_pure(
    cx: &FileContext<'_>,
    run: &CallFact<'_>,
    closure: Node<'_>,
    op: &CallFact<'_>,
) -> Option<Fix> {
    let name = op.sdk?;
    let node = op.parts.node;
    // Drawn once per step: not in a loop or a nested function of the closure.
    let mut cur = cx.sem.parent(node);
    while let Some(n) = cur {
        if n == closure {
            break;
        }
        if matches!(n.kind(), "for_statement" | "func_literal") {
            return None;
        }
        cur = cx.sem.parent(n);
    }
    let stmt = cx.sem.enclosing_statement(run.parts.node)?;
    if !fixkit::starts_line(cx.src, stmt) {
        return None;
    }
    let ctx = ctx_at(cx, stmt, run.func)?;
    let p = sdk(cx);
    let (value, drawn, base) = match name {
        "UUID" => {
            // `restate.UUID(x).String()` is hoisted whole.
            let string_call = cx
                .sem
                .parent(node)
                .filter(|s| s.kind() == "selector_expression")
                .filter(|s| field(*s, "field").is_some_and(|f| text(f, cx.src) == "String"))
                .and_then(|s| cx.sem.parent(s))
                .filter(|c| {
                    c.kind() == "call_expression"
                        && field(*c, "arguments").is_some_and(|a| a.named_child_count() == 0)
                });
            match string_call {
                Some(c) => (c, format!("{p}UUID({ctx}).String()"), "id"),
                None => (node, format!("{p}UUID({ctx})"), "id"),
            }
        }
        "Rand" => {
            let sel = cx
                .sem
                .parent(node)
                .filter(|s| s.kind() == "selector_expression")?;
            let method = text(field(sel, "field")?, cx.src);
            let call = cx
                .sem
                .parent(sel)
                .filter(|c| c.kind() == "call_expression")?;
            let args = field(call, "arguments")?;
            if method == "Shuffle" || uses_closure_locals(cx, args, closure) {
                return None;
            }
            let arg_list: Vec<Node<'_>> = named_children(args);
            let depth = 1 + usize::from(arg_list.len() > 1);
            let arg_text: Vec<String> = arg_list
                .iter()
                .map(|a| respace(*a, cx.src, depth))
                .collect();
            let base = match method {
                m if m.starts_with("Float") || m.ends_with("Float64") => "x",
                "Perm" => "perm",
                _ => "n",
            };
            (
                call,
                format!("{p}Rand({ctx}).{method}({})", arg_text.join(", ")),
                base,
            )
        }
        _ => return None,
    };
    let root = facts::handler_root(cx.model, run.func)
        .and_then(|(r, _)| cx.facts.func_nodes.get(&r).copied())?;
    // `id := restate.UUID(ctx).String()` alone in its statement: the statement moves out whole.
    let inner_stmt = cx.sem.enclosing_statement(value);
    if let Some(s) = inner_stmt
        && s.kind() == "short_var_declaration"
        && fixkit::starts_line(cx.src, s)
        && field(s, "right")
            .is_some_and(|r| r.named_child_count() == 1 && r.named_child(0) == Some(value))
        && let [l] = fixkit::left_names(s).as_slice()
        && l.kind() == "identifier"
        && !used_outside(cx, root, closure, text(*l, cx.src))
    {
        let var = text(*l, cx.src);
        let start = go::line_start(cx.src, s.start_byte());
        let end = cx.src[s.end_byte()..]
            .find('\n')
            .map(|i| s.end_byte() + i + 1)
            .unwrap_or(s.end_byte());
        if !cx.src[s.end_byte()..end].trim().is_empty() {
            return None; // a trailing comment would be lost
        }
        return Some(fix(
            cx,
            format!("Move `{var}` out of the step (draw it in the handler)"),
            vec![
                fixkit::insert_above(cx.src, stmt, &format!("{var} := {drawn}"))?,
                Edit::replace(start, end, ""),
            ],
        ));
    }
    let var = fixkit::fresh_name(cx, run.func, base);
    Some(fix(
        cx,
        format!("Draw `{var}` before the step and capture it"),
        vec![
            fixkit::insert_above(cx.src, stmt, &format!("{var} := {drawn}"))?,
            Edit::replace(value.start_byte(), value.end_byte(), var),
        ],
    ))
}

// ---- RS3003 -------------------------------------------------------------------------------------

/// The type of a variable from its declaration: written, or evident from a literal.
fn declared_type(cx: &FileContext<'_>, decl: &Decl<'_>) -> Option<String> {
    if let Some(t) = decl.ty {
        return Some(text(t, cx.src).to_string());
    }
    let v = go::unparen(decl.value?);
    Some(
        match v.kind() {
            "int_literal" => "int",
            "float_literal" => "float64",
            "interpreted_string_literal" | "raw_string_literal" => "string",
            "true" | "false" => "bool",
            "composite_literal" => {
                return field(v, "type").map(|t| text(t, cx.src).to_string());
            }
            _ => return None,
        }
        .to_string(),
    )
}

/// Return statements of `closure` itself (not of functions nested in it).
fn own_returns<'t>(cx: &FileContext<'t>, closure: Node<'t>) -> Vec<Node<'t>> {
    let Some(body) = field(closure, "body") else {
        return vec![];
    };
    cx.facts
        .returns
        .iter()
        .filter(|r| go::contains(body, r.node) && cx.sem.enclosing_func(r.node) == Some(closure))
        .map(|r| r.node)
        .collect()
}

/// `var x T; _, err := restate.Run(ctx, func(..) (restate.Void, error) { x = ..; return restate.Void{}, nil })`
/// becomes `x, err := restate.Run(ctx, func(..) (T, error) { x = ..; return x, nil })`, and the
/// `RunVoid` form the same way: the journaled result carries the value on replay.
pub fn return_value(
    cx: &FileContext<'_>,
    run: &CallFact<'_>,
    closure: Node<'_>,
    var: Node<'_>,
) -> Option<Fix> {
    let name = run.sdk?;
    if !matches!(name, "Run" | "RunVoid") {
        return None; // RunAsync hands its value out later, through Result()
    }
    let var_name = text(var, cx.src);
    let decl = cx.sem.resolve(var)?;
    if !matches!(
        decl.kind,
        DeclKind::Local | DeclKind::Param | DeclKind::Result
    ) {
        return None;
    }
    let ty = declared_type(cx, &decl)?;
    let p = sdk(cx);
    let void = format!("{p}Void");
    let mut edits = vec![];
    // The closure's results and returns.
    let result = field(closure, "result")?;
    let returns = own_returns(cx, closure);
    if returns.is_empty() {
        return None;
    }
    if name == "RunVoid" {
        if text(result, cx.src) != "error" {
            return None;
        }
        edits.push(Edit::replace(
            result.start_byte(),
            result.end_byte(),
            format!("({ty}, error)"),
        ));
        for r in &returns {
            let e = named_children(*r).into_iter().next()?;
            edits.push(Edit::insert(e.start_byte(), format!("{var_name}, ")));
        }
        let (ns, ne) = run.parts.name_range();
        edits.push(Edit::replace(ns, ne, "Run"));
    } else {
        let first = named_children(result).into_iter().next()?;
        let first_ty = field(first, "type").unwrap_or(first);
        if result.kind() != "parameter_list" || text(first_ty, cx.src) != void {
            return None;
        }
        edits.push(Edit::replace(
            first_ty.start_byte(),
            first_ty.end_byte(),
            ty.clone(),
        ));
        for r in &returns {
            let list = named_children(*r).into_iter().next()?;
            if list.kind() != "expression_list" || list.named_child_count() != 2 {
                return None;
            }
            let v = named_children(list).into_iter().next()?;
            edits.push(Edit::replace(v.start_byte(), v.end_byte(), var_name));
        }
        if let Some(ta) = run.parts.type_args {
            let inner = named_children(ta).into_iter().next().unwrap_or(ta);
            if text(inner, cx.src) != void {
                return None;
            }
            edits.push(Edit::replace(
                inner.start_byte(),
                inner.end_byte(),
                ty.clone(),
            ));
        }
    }
    // Where the result goes.
    let parent = cx.sem.parent(run.parts.node)?;
    let stmt = cx.sem.parent(parent)?;
    if parent.kind() != "expression_list" || parent.named_child_count() != 1 {
        return None;
    }
    let lefts = fixkit::left_names(stmt);
    let define = stmt.kind() == "short_var_declaration";
    let err = match (name, lefts.as_slice()) {
        ("Run", [v, e]) if text(*v, cx.src) == "_" => text(*e, cx.src),
        ("RunVoid", [e]) => text(*e, cx.src),
        _ => return None,
    };
    if err == "_"
        || !matches!(
            stmt.kind(),
            "short_var_declaration" | "assignment_statement"
        )
    {
        return None;
    }
    if stmt.kind() == "assignment_statement"
        && field(stmt, "operator").is_some_and(|o| text(o, cx.src) != "=")
    {
        return None;
    }
    let in_block = |at: Node<'_>, name: &str| {
        fixkit::path_to(cx, run.func, at).is_some_and(|p| fixkit::declared_in_block(cx, &p, name))
    };
    let var_here = |at: Node<'_>| in_block(at, var_name);
    let err_here = |at: Node<'_>| in_block(at, err);
    let if_stmt = cx
        .sem
        .parent(stmt)
        .filter(|p| p.kind() == "if_statement" && field(*p, "initializer") == Some(stmt));
    let right = field(stmt, "right")?;
    if let Some(ifs) = if_stmt {
        // `if err := restate.RunVoid(..); err != nil {`: the declaration moves above the if, so
        // its error variable outlives the if; that must change nothing after it.
        if field(ifs, "alternative").is_some()
            || cx.sem.enclosing_statement(ifs) != Some(ifs)
            || fixkit::mentioned_after(cx, ifs, err)
            || !fixkit::starts_line(cx.src, ifs)
        {
            return None;
        }
        let op = if !define || err_here(ifs) {
            "="
        } else if var_here(ifs) {
            ":="
        } else {
            return None;
        };
        let cond = field(ifs, "condition")?;
        let indent = go::line_indent(cx.src, ifs.start_byte());
        edits.push(Edit::replace(
            ifs.start_byte(),
            right.start_byte(),
            format!("{var_name}, {err} {op} "),
        ));
        edits.push(Edit::replace(
            stmt.end_byte(),
            cond.start_byte(),
            format!("\n{indent}if "),
        ));
    } else {
        if cx.sem.enclosing_statement(stmt) != Some(stmt) {
            return None;
        }
        // `:=` reuses a variable of the same block; one from an outer block would be shadowed.
        let op = if !define {
            "="
        } else if var_here(stmt) {
            ":="
        } else if err_here(stmt) {
            "="
        } else {
            return None;
        };
        let left = field(stmt, "left")?;
        edits.push(Edit::replace(
            left.start_byte(),
            right.start_byte(),
            format!("{var_name}, {err} {op} "),
        ));
    }
    Some(fix(
        cx,
        format!("Return `{var_name}` from the step and assign the result"),
        edits,
    ))
}

// ---- RS3004 -------------------------------------------------------------------------------------

/// Whether a call's only result is the error.
fn single_error(cx: &FileContext<'_>, c: &CallFact<'_>) -> bool {
    matches!(c.sdk, Some("RunVoid" | "Sleep"))
        || crate::analysis::futures::method_call(&c.parts, cx.src)
            .is_some_and(|(_, m)| matches!(m, "Done" | "Resolve" | "Reject"))
}

/// Bind the discarded error and return it: `restate.Sleep(ctx, d)` becomes
/// `if err := restate.Sleep(ctx, d); err != nil { return <zeros>, err }`, `x, _ := op()` becomes
/// `x, err := op()` followed by the check.
pub fn check_error(cx: &FileContext<'_>, c: &CallFact<'_>) -> Option<Fix> {
    let func = c.func.and_then(|i| cx.model.functions.get(i as usize))?;
    if func.region == crate::analysis::model::Region::Run {
        return None;
    }
    let node = c.parts.node;
    let parent = cx.sem.parent(node)?;
    let call_text = text(node, cx.src);
    let title = "Check the error".to_string();
    let if_form = |stmt: Node<'_>| -> Option<Fix> {
        let indent = go::line_indent(cx.src, stmt.start_byte());
        let ret = error_return(cx, c.func, "err")?;
        let bind = if single_error(cx, c) { "err" } else { "_, err" };
        let body = fixkit::indent_rest(call_text, "");
        Some(fix(
            cx,
            title.clone(),
            vec![Edit::replace(
                stmt.start_byte(),
                stmt.end_byte(),
                format!("if {bind} := {body}; err != nil {{\n{indent}\t{ret}\n{indent}}}"),
            )],
        ))
    };
    if parent.kind() == "expression_statement" {
        return if_form(parent);
    }
    if parent.kind() != "expression_list" {
        return None;
    }
    let stmt = cx.sem.parent(parent)?;
    if !matches!(
        stmt.kind(),
        "short_var_declaration" | "assignment_statement"
    ) || cx.sem.enclosing_statement(stmt) != Some(stmt)
    {
        return None;
    }
    let lefts = fixkit::left_names(stmt);
    let (last, rest) = lefts.split_last()?;
    if text(*last, cx.src) != "_" {
        return None;
    }
    if rest.iter().all(|l| text(*l, cx.src) == "_") {
        return if_form(stmt);
    }
    let op_is_define = stmt.kind() == "short_var_declaration";
    let first = text(rest[0], cx.src);
    let err = if op_is_define {
        fixkit::err_name(
            cx,
            &fixkit::path_to(cx, c.func, stmt)?,
            &format!("{first}Err"),
        )
    } else if cx.sem.resolve_name(stmt, "err").is_some() {
        "err".to_string()
    } else {
        return None;
    };
    let ret = error_return(cx, c.func, &err)?;
    let indent = go::line_indent(cx.src, stmt.start_byte());
    let after = cx.src[stmt.end_byte()..]
        .find('\n')
        .map(|i| stmt.end_byte() + i + 1)?;
    Some(fix(
        cx,
        title,
        vec![
            Edit::replace(last.start_byte(), last.end_byte(), err.clone()),
            Edit::insert(
                after,
                format!("{indent}if {err} != nil {{\n{indent}\t{ret}\n{indent}}}\n"),
            ),
        ],
    ))
}

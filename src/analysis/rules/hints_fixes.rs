//! Quick fixes of the performance hints: independent calls started together (RS8001), an
//! exclusive handler that only reads made shared (RS8002), a sleep followed by a send turned into
//! one delayed send (RS8003).

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Fix};
use crate::analysis::fixes::{expr_depth, respace, with_tidy_imports};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::model::Function;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::CallFact;
use crate::analysis::rules::fixkit::{self, sdk};

fn fix(cx: &FileContext<'_>, title: String, edits: Vec<Edit>) -> Fix {
    Fix {
        title,
        edits: with_tidy_imports(cx.sem, edits),
        safe: false,
        snippet: false,
    }
}

// ---- RS8001 -------------------------------------------------------------------------------------

/// `a, err := c1.Request(x)` ... `b, err := c2.Request(y)` become two `RequestFuture` calls
/// started before the first statement and `a, err := aFut.Response()` ... in place, so the calls
/// run in parallel and the error checks stay where they were.
pub fn start_together(
    cx: &FileContext<'_>,
    requests: &[Node<'_>],
    func: Option<u32>,
) -> Option<Fix> {
    let first_stmt = cx.sem.enclosing_statement(*requests.first()?)?;
    if !fixkit::starts_line(cx.src, first_stmt) {
        return None;
    }
    let list = cx.sem.parent(first_stmt)?;
    let mut lines = vec![];
    let mut edits = vec![];
    let mut taken: Vec<String> = vec![];
    for (i, req) in requests.iter().enumerate() {
        let stmt = cx
            .sem
            .enclosing_statement(*req)
            .filter(|s| cx.sem.parent(*s) == Some(list))?;
        // Evaluated exactly once where it stands: not in a nested block, case or function.
        let mut cur = cx.sem.parent(*req);
        while let Some(n) = cur {
            if n == stmt {
                break;
            }
            if matches!(n.kind(), "block" | "func_literal" | "expression_case") {
                return None;
            }
            cur = cx.sem.parent(n);
        }
        if stmt.kind() == "if_statement"
            && !field(stmt, "initializer").is_some_and(|init| go::contains(init, *req))
        {
            return None;
        }
        let func_node = field(*req, "function")?;
        let client = field(func_node, "operand")?;
        let args = field(*req, "arguments")?;
        let arg_nodes: Vec<Node<'_>> = named_children(args)
            .into_iter()
            .filter(|a| a.kind() != "comment")
            .collect();
        let depth = 1 + usize::from(arg_nodes.len() > 1);
        let arg_text: Vec<String> = arg_nodes
            .iter()
            .map(|a| respace(*a, cx.src, depth))
            .collect();
        // Named after the variable that receives the response.
        let base = match stmt.kind() {
            "short_var_declaration" | "assignment_statement" => fixkit::left_names(stmt)
                .first()
                .map(|l| text(*l, cx.src))
                .filter(|n| *n != "_")
                .map(|n| format!("{n}Fut")),
            _ => None,
        }
        .unwrap_or_else(|| format!("fut{}", i + 1));
        let mut name = fixkit::fresh_name(cx, func, &base);
        let mut k = 2;
        while taken.contains(&name) {
            name = fixkit::fresh_name(cx, func, &format!("{base}{k}"));
            k += 1;
        }
        taken.push(name.clone());
        lines.push(format!(
            "{name} := {}.RequestFuture({})",
            respace(client, cx.src, 1),
            arg_text.join(", ")
        ));
        edits.push(Edit::replace(
            req.start_byte(),
            req.end_byte(),
            format!("{name}.Response()"),
        ));
    }
    edits.push(fixkit::insert_above(cx.src, first_stmt, &lines.join("\n"))?);
    Some(fix(
        cx,
        format!(
            "Start the {} calls together with RequestFuture",
            requests.len()
        ),
        edits,
    ))
}

// ---- RS8002 -------------------------------------------------------------------------------------

/// The type node of a function's first parameter.
fn ctx_type_node<'t>(func_node: Node<'t>) -> Option<Node<'t>> {
    let params = field(func_node, "parameters")?;
    let first = named_children(params).into_iter().next()?;
    field(first, "type")
}

/// `restate.ObjectContext` -> `restate.ObjectSharedContext` in the signature, and for handlers
/// registered with a builder in this file, `NewObjectHandler` -> `NewObjectSharedHandler`.
pub fn make_shared(cx: &FileContext<'_>, fi: u32, f: &Function, reflected: bool) -> Option<Fix> {
    let node = *cx.facts.func_nodes.get(&fi)?;
    let ty = ctx_type_node(node)?;
    // Written `restate.ObjectContext` (or `ObjectContext` with a dot import); aliases are left alone.
    let name_node = match ty.kind() {
        "qualified_type" => {
            let pkg = text(field(ty, "package")?, cx.src);
            if format!("{pkg}.") != sdk(cx) {
                return None;
            }
            field(ty, "name")?
        }
        "type_identifier" if sdk(cx).is_empty() => ty,
        _ => return None,
    };
    if text(name_node, cx.src) != "ObjectContext" {
        return None;
    }
    let mut edits = vec![Edit::replace(
        name_node.start_byte(),
        name_node.end_byte(),
        "ObjectSharedContext",
    )];
    if !reflected {
        // The constructor decides the handler's kind: it must change too, and it must be here.
        let ctor: Vec<&CallFact<'_>> = cx
            .facts
            .calls
            .iter()
            .filter(|c| c.sdk == Some("NewObjectHandler"))
            .filter(|c| {
                c.parts.arg(0).is_some_and(|a| {
                    a == node
                        || (a.kind() == "identifier"
                            && !f.name.is_empty()
                            && text(a, cx.src) == f.name)
                })
            })
            .collect();
        let [c] = ctor.as_slice() else {
            return None;
        };
        let (ns, ne) = c.parts.name_range();
        edits.push(Edit::replace(ns, ne, "NewObjectSharedHandler"));
    }
    let p = sdk(cx);
    Some(fix(
        cx,
        format!("Take {p}ObjectSharedContext (a shared handler)"),
        edits,
    ))
}

// ---- RS8003 -------------------------------------------------------------------------------------

/// `if err := restate.Sleep(ctx, d); err != nil {..}` followed by `x.Send(in)` becomes
/// `x.Send(in, restate.WithDelay(d))`.
pub fn delayed_send(
    cx: &FileContext<'_>,
    sleep: &CallFact<'_>,
    stmt: Node<'_>,
    next: Node<'_>,
    send: &CallFact<'_>,
) -> Option<Fix> {
    if sleep.parts.args.len() != 2 {
        return None; // sleep options (a name) have no place on the send
    }
    let d = sleep.parts.arg(1)?;
    // What goes: the sleep statement, and its separate error check if there is one.
    let mut last = stmt;
    match stmt.kind() {
        "expression_statement" => {}
        "if_statement" => {
            if field(stmt, "alternative").is_some() {
                return None;
            }
        }
        "short_var_declaration" | "assignment_statement" => {
            let check = cx.sem.next_named_sibling(stmt)?;
            let bound = fixkit::left_names(stmt);
            let [e] = bound.as_slice() else { return None };
            let e = text(*e, cx.src);
            if check.kind() != "if_statement"
                || field(check, "alternative").is_some()
                || fixkit::mentioned_after(cx, check, e)
            {
                return None;
            }
            last = check;
        }
        _ => return None,
    }
    // Nothing but whitespace between the removed statements and the send.
    let start = go::line_start(cx.src, stmt.start_byte());
    let next_line = go::line_start(cx.src, next.start_byte());
    if !fixkit::starts_line(cx.src, stmt)
        || !cx.src[last.end_byte()..next.start_byte()].trim().is_empty()
    {
        return None;
    }
    if cx.sem.enclosing_statement(send.parts.node) != Some(next) {
        return None;
    }
    let args = send.parts.arg_list?;
    if text(args, cx.src).contains('\n') || text(args, cx.src).contains("WithDelay") {
        return None;
    }
    let close = args.end_byte() - 1;
    let p = sdk(cx);
    // The send gets a second argument: the option sits one level deeper than the send.
    let delay = respace(
        d,
        cx.src,
        expr_depth(cx.sem, send.parts.node) + usize::from(!send.parts.args.is_empty()),
    );
    let sep = if send.parts.args.is_empty() { "" } else { ", " };
    Some(fix(
        cx,
        format!("Send with {p}WithDelay instead of sleeping"),
        vec![
            Edit::replace(start, next_line, ""),
            Edit::insert(close, format!("{sep}{p}WithDelay({delay})")),
        ],
    ))
}

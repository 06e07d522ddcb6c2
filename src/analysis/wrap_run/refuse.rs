//! What a selection does that a Run closure cannot: leave it with `return`/`break`/`goto`, defer
//! to the handler's end, start goroutines, call Restate or await its futures, or hand the handler
//! context to code that needs one.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, Callee, call_parts, named_children, text};
use crate::analysis::model::{CallTarget, sdk_fn};
use crate::analysis::restate_api;

use super::Target;
use super::flow::inside;
use super::infer::Cx;

/// Walk up from `n` to the selection, stopping at the first ancestor for which `stop` says so.
/// Returns whether such an ancestor was found inside the selection.
fn ancestor_within<'t>(
    cx: &Cx<'t>,
    t: &Target<'t>,
    n: Node<'t>,
    stop: impl Fn(Node<'t>) -> bool,
) -> bool {
    for p in cx.sem.ancestors(n) {
        if !inside(t, p) {
            return false;
        }
        if stop(p) {
            return true;
        }
    }
    false
}

fn label_of(n: Node<'_>, src: &str) -> Option<String> {
    named_children(n)
        .into_iter()
        .find(|c| c.kind() == "label_name")
        .map(|l| text(l, src).to_string())
}

/// Control flow that would mean something else inside a closure, and Restate operations (which
/// need the handler context, unavailable inside Run).
pub fn check(cx: &Cx<'_>, t: &Target<'_>, ctx: (&str, u32)) -> Result<(), String> {
    let src = cx.src;
    let mut problem: Option<String> = None;
    let labels_inside: HashSet<String> = {
        let mut s = HashSet::new();
        for st in &t.stmts {
            go::walk(*st, |n| {
                if n.kind() == "labeled_statement"
                    && let Some(l) = label_of(n, src)
                {
                    s.insert(l);
                }
                true
            });
        }
        s
    };
    for st in &t.stmts {
        go::walk(*st, |n| {
            if problem.is_some() {
                return false;
            }
            let line = n.start_position().row + 1;
            let in_literal = || ancestor_within(cx, t, n, |p| p.kind() == "func_literal");
            match n.kind() {
                "return_statement" if !in_literal() => {
                    problem = Some(format!(
                        "the selection contains `return` (line {line}); inside the Run closure it would end the closure, not the handler. Select the statements before it"
                    ));
                }
                "defer_statement" if !in_literal() => {
                    problem = Some(format!(
                        "the selection contains `defer` (line {line}), which would run when the Run closure ends instead of when the handler returns"
                    ));
                }
                "go_statement" => {
                    problem = Some(format!(
                        "the selection starts a goroutine (line {line}); Run journals the closure's result, not work that outlives it"
                    ));
                }
                "goto_statement" => {
                    problem = Some(format!(
                        "the selection contains `goto` (line {line}), which cannot jump out of a closure"
                    ));
                }
                "break_statement" | "continue_statement" | "fallthrough_statement" => {
                    let kind = n.kind().trim_end_matches("_statement");
                    let ok = match label_of(n, src) {
                        Some(l) => labels_inside.contains(&l),
                        None => ancestor_within(cx, t, n, |p| match kind {
                            "continue" => matches!(p.kind(), "for_statement" | "func_literal"),
                            "fallthrough" => {
                                matches!(p.kind(), "expression_switch_statement" | "func_literal")
                            }
                            _ => matches!(
                                p.kind(),
                                "for_statement"
                                    | "expression_switch_statement"
                                    | "type_switch_statement"
                                    | "select_statement"
                                    | "func_literal"
                            ),
                        }),
                    };
                    if !ok {
                        problem = Some(format!(
                            "the selection contains `{kind}` (line {line}) for a statement outside it; a closure cannot {kind} its caller's loop"
                        ));
                    }
                }
                "call_expression" | "type_conversion_expression" => {
                    problem = call_problem(cx, n, ctx, line);
                }
                _ => {}
            }
            problem.is_none()
        });
        if let Some(p) = problem {
            return Err(p);
        }
    }
    Ok(())
}

fn call_problem(
    cx: &Cx<'_>,
    n: Node<'_>,
    (ctx_name, ctx_decl): (&str, u32),
    line: usize,
) -> Option<String> {
    let src = cx.src;
    let call = call_parts(n)?;
    let callee = call.callee(src);
    if let Some(name) = sdk_fn(&cx.model.restate, &callee)
        && restate_api::op_class(name).is_some()
    {
        return Some(format!(
            "the selection calls restate.{name} (line {line}); Restate operations need the handler context and cannot run inside restate.Run"
        ));
    }
    // `pkg.F(..)` through an import is no future method.
    let package_call = matches!(callee, Callee::Selector { operand, operand_ident: Some(_), .. }
        if cx.sem.import_path(operand).is_some());
    if !package_call
        && let Some((recv, method)) = futures::method_call(&call, src)
        && let Some(kind) = futures::kind_of(recv, cx.sem, cx.model)
        && matches!(
            kind,
            FutureKind::Client
                | FutureKind::SendClient
                | FutureKind::Response
                | FutureKind::After
                | FutureKind::RunAsync
                | FutureKind::Awakeable
                | FutureKind::Signal
                | FutureKind::Promise
                | FutureKind::Attach
                | FutureKind::WaitFirstResult
                | FutureKind::Rand
                | FutureKind::WaitIterator
                | FutureKind::Invocation
        )
    {
        return Some(format!(
            "the selection calls `{method}` on a Restate {} (line {line}); that is a journaled operation and cannot run inside restate.Run",
            kind.type_name()
        ));
    }
    // The handler's context passed to a workspace function that wants a handler context: inside the
    // closure the name is the RunContext, which does not satisfy it.
    let passes_ctx = call.args.iter().any(|a| {
        let a = go::unparen(*a);
        a.kind() == "identifier"
            && text(a, src) == ctx_name
            && cx
                .sem
                .resolve(a)
                .is_some_and(|d| d.id() == ctx_decl as usize)
    });
    if !passes_ctx {
        return None;
    }
    let target = match callee {
        Callee::Ident(name) => CallTarget::Func(name.into()),
        Callee::Selector {
            operand,
            operand_ident: Some(q),
            name,
        } if !cx.is_local(operand) && cx.model.import_path_for(q).is_some() => {
            CallTarget::PkgFunc {
                path: cx.model.import_path_for(q)?.into(),
                name: name.into(),
            }
        }
        Callee::Selector { operand, name, .. } => CallTarget::Method {
            type_name: cx.sem.named_type_of(operand)?.into(),
            name: name.into(),
        },
        Callee::Other => return None,
    };
    let wants_handler_ctx = cx
        .ws
        .resolve_call(cx.path, &target)
        .iter()
        .filter_map(|r| cx.ws.function(r))
        .any(|(_, f)| f.ctx.as_ref().is_some_and(|c| c.kind.is_handler()));
    wants_handler_ctx.then(|| {
        format!(
            "the selection passes the handler context to `{}` (line {line}), which needs it; inside restate.Run only a RunContext exists",
            go::one_line(text(call.func, src), 40)
        )
    })
}

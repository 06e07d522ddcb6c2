//! RS8001-RS8003: performance and design hints. Independent calls awaited one by one, exclusive
//! handlers that never write state (and so lock their key for nothing), and a sleep followed by a
//! send that a delayed send does in one step.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::findings::Finding;
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, call_parts, field, named_children, text};
use crate::analysis::model::{FuncKind, StateOpKind};
use crate::analysis::restate_api::{CtxKind, HandlerKind};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::{self, CallFact};
use crate::analysis::rules::hints_fixes;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    sequential_calls(cx, out);
    could_be_shared(cx, out);
    sleep_then_send(cx, out);
}

/// The `.Request(...)` call on a request client made by a statement itself (not in a block or
/// function nested in it: a call in a loop body runs once per element, not once in a row).
fn request_in<'t>(cx: &FileContext<'t>, stmt: Node<'t>) -> Option<Node<'t>> {
    let direct = |call: Node<'t>| {
        cx.sem
            .ancestors(call)
            .take_while(|a| *a != stmt)
            .all(|a| !matches!(a.kind(), "block" | "func_literal"))
    };
    cx.facts
        .calls_in(stmt)
        .iter()
        .filter(|c| {
            futures::method_call(&c.parts, cx.src).is_some_and(|(recv, m)| {
                m == "Request"
                    && futures::kind_of(recv, cx.sem, cx.model) == Some(FutureKind::Client)
            })
        })
        .find(|c| direct(c.parts.node))
        .map(|c| c.parts.node)
}

/// `if err != nil { return ... }` between two calls.
fn is_error_check(stmt: Node<'_>, src: &str) -> bool {
    stmt.kind() == "if_statement"
        && field(stmt, "condition").is_some_and(|c| text(c, src).contains("err != nil"))
        && field(stmt, "initializer").is_none()
}

fn declared_names<'a>(stmt: Node<'_>, src: &'a str) -> Vec<&'a str> {
    match stmt.kind() {
        "short_var_declaration" | "assignment_statement" => field(stmt, "left")
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|n| n.kind() == "identifier")
            .map(|n| text(n, src))
            .filter(|n| *n != "_" && *n != "err")
            .collect(),
        _ => vec![],
    }
}

fn uses_any(node: Node<'_>, names: &HashSet<&str>, src: &str) -> bool {
    let mut hit = false;
    go::walk(node, |n| {
        if n.kind() == "identifier" && names.contains(text(n, src)) {
            hit = true;
        }
        !hit
    });
    hit
}

fn sequential_calls(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    // Statement lists inside handler code, with the function that holds them.
    let k = go::kinds();
    let mut lists: Vec<(u32, Node<'_>)> = vec![];
    let mut stack: Vec<(Option<u32>, usize)> = vec![];
    for &n in cx.sem.listed() {
        while stack.last().is_some_and(|(_, end)| n.start_byte() >= *end) {
            stack.pop();
        }
        let id = n.kind_id();
        if id == k.function_declaration || id == k.method_declaration || id == k.func_literal {
            let i = cx.model.function_at_start(n.start_byte());
            stack.push((i, n.end_byte()));
        } else if n.kind() == "statement_list"
            && let Some(&(Some(i), _)) = stack.last()
            && cx.model.functions[i as usize].is_handler_region()
        {
            lists.push((i, n));
        }
    }
    for (fi, list) in lists {
        let func = Some(fi);
        let stmts = named_children(list);
        let mut run: Vec<Node<'_>> = vec![]; // the Request calls of the current run
        let mut defined: HashSet<&str> = HashSet::new();
        let flush = |run: &mut Vec<Node<'_>>, out: &mut Vec<Finding>| {
            if run.len() >= 2 {
                let first = run[0];
                let mut f = Finding::new(
                    "RS8001",
                    first.start_byte(),
                    first.end_byte(),
                    format!(
                        "{} independent request-response calls are awaited one after another; start them with RequestFuture and collect the responses afterwards so they run in parallel",
                        run.len()
                    ),
                );
                f.fixes.extend(hints_fixes::start_together(cx, run, func));
                out.push(f);
            }
            run.clear();
        };
        for stmt in stmts {
            if stmt.kind() == "comment" {
                continue;
            }
            if let Some(req) = request_in(cx, stmt) {
                // The client constructor (key) and the input may use earlier results.
                let args_depend = uses_any(req, &defined, cx.src);
                if args_depend {
                    flush(&mut run, out);
                    defined.clear();
                }
                run.push(req);
                defined.extend(declared_names(stmt, cx.src));
                continue;
            }
            if is_error_check(stmt, cx.src) {
                continue;
            }
            flush(&mut run, out);
            defined.clear();
        }
        flush(&mut run, out);
    }
}

fn could_be_shared(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    // Exclusive object handlers defined in this file, by function index, and whether their
    // service is registered with restate.Reflect.
    let mut handlers: Vec<(u32, bool)> = vec![];
    if let Some((_, pkg)) = cx.ws.package_of(cx.path) {
        for s in &pkg.services {
            for h in &s.handlers {
                if h.kind != HandlerKind::Exclusive {
                    continue;
                }
                if let Some((p, i)) = &h.func_ref
                    && p == cx.path
                    && let Some(local) = cx.local_function(*i)
                {
                    handlers.push((local, cx.ws.is_reflected(s)));
                }
            }
        }
    }
    for (fi, reflected) in handlers {
        let Some(f) = cx.model.functions.get(fi as usize) else {
            continue;
        };
        let Some(ctx) = f
            .ctx
            .as_ref()
            .filter(|c| c.kind == CtxKind::ObjectExclusive)
        else {
            continue;
        };
        let writes = cx.model.state_ops.iter().any(|op| {
            matches!(
                op.op,
                StateOpKind::Set | StateOpKind::Clear | StateOpKind::ClearAll
            ) && facts::within(cx.model, op.func, fi)
        });
        if writes {
            continue;
        }
        // Steps, calls and sends are serialised per key by the lock, which is usually why such a
        // handler is exclusive (two runs of it must not interleave their effects).
        let serialises_effects = facts::body(cx.facts, fi).is_some_and(|body| {
            cx.facts.calls_in(body).iter().any(|c| {
                c.sdk.is_some_and(|n| {
                    matches!(
                        crate::analysis::restate_api::op_class(n),
                        Some(
                            crate::analysis::restate_api::OpClass::Run
                                | crate::analysis::restate_api::OpClass::Call
                                | crate::analysis::restate_api::OpClass::Invocation
                        )
                    )
                })
            })
        });
        if serialises_effects {
            continue;
        }
        // The context handed to a helper (which may write state), stored, or converted: stay quiet.
        let Some(body) = facts::body(cx.facts, fi) else {
            continue;
        };
        if ctx.name.is_empty() || ctx.name == "_" || passes_ctx_elsewhere(cx, body, &ctx.name) {
            continue;
        }
        let name_span = f.span;
        let (s, e) = name_span.range();
        let mut finding = Finding::new(
            "RS8002",
            s,
            e,
            format!(
                "exclusive handler `{}` never writes state but still takes the key's lock, queueing every other call to this key; take restate.ObjectSharedContext instead",
                if f.kind == FuncKind::Literal {
                    "func literal"
                } else {
                    f.name.as_str()
                }
            ),
        );
        finding
            .fixes
            .extend(hints_fixes::make_shared(cx, fi, f, reflected));
        out.push(finding);
    }
}

/// Whether `ctx` is used other than as the first argument of an SDK call or a method receiver
/// (`ctx.Log()`): passed to a helper, stored, or returned.
fn passes_ctx_elsewhere(cx: &FileContext<'_>, body: Node<'_>, name: &str) -> bool {
    let mut other = false;
    go::walk(body, |n| {
        if other {
            return false;
        }
        if n.kind() != "identifier" || text(n, cx.src) != name {
            return true;
        }
        let Some(p) = cx.sem.parent(n) else {
            return true;
        };
        let ok = match p.kind() {
            "selector_expression" => true,
            "argument_list" => cx.sem.parent(p).is_some_and(|call| {
                call_parts(call).is_some_and(|parts| {
                    crate::analysis::model::sdk_fn(&cx.model.restate, &parts.callee(cx.src))
                        .is_some_and(|f| !matches!(f, "Set" | "Clear" | "ClearAll"))
                })
            }),
            _ => false,
        };
        if !ok {
            other = true;
        }
        true
    });
    other
}

fn sleep_then_send(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        if c.sdk != Some("Sleep") || !facts::in_handler(cx.model, c.func) {
            continue;
        }
        let Some(stmt) = cx.sem.enclosing_statement(c.parts.node) else {
            continue;
        };
        // Skip the error check of the sleep, then look at the next statement.
        let mut next = cx.sem.next_named_sibling(stmt);
        while let Some(n) = next {
            if n.kind() == "comment" || (is_error_check(n, cx.src) && stmt.kind() != "if_statement")
            {
                next = cx.sem.next_named_sibling(n);
                continue;
            }
            break;
        }
        let Some(next) = next else { continue };
        let sends: Vec<&CallFact<'_>> = cx
            .facts
            .calls_in(next)
            .iter()
            .filter(|s| {
                futures::method_call(&s.parts, cx.src).is_some_and(|(recv, m)| {
                    m == "Send"
                        && matches!(
                            futures::kind_of(recv, cx.sem, cx.model),
                            Some(FutureKind::SendClient | FutureKind::Client)
                        )
                })
            })
            .collect();
        if let Some(send) = sends.first() {
            let mut f = Finding::new(
                "RS8003",
                c.parts.node.start_byte(),
                c.parts.node.end_byte(),
                "restate.Sleep followed by a one-way send: send it once with restate.WithDelay(d) instead; the handler finishes right away and no sleep is journaled",
            );
            if sends.len() == 1 {
                f.fixes
                    .extend(hints_fixes::delayed_send(cx, c, stmt, next, send));
            }
            out.push(f);
        }
    }
}

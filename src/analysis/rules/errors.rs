//! RS4001-RS4002: errors. Restate retries every error that is not terminal, so a validation failure
//! returned as a plain error is retried until the policy gives up; and a terminal error keeps only
//! its code and message in the journal, so wrapping and `errors.Is` on it mislead.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix};
use crate::analysis::fixes::with_tidy_imports;
use crate::analysis::go::{self, Callee, call_parts, field, named_children, string_value, text};
use crate::analysis::model::Summary;
use crate::analysis::restate_api;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;
use crate::analysis::rules::run::prefix;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    retryable_validation(cx, out);
    terminal_wrap(cx, out);
}

/// `errors.New(..)` / `fmt.Errorf(..)`, with the package's local name.
fn plain_error_ctor<'t>(
    n: Node<'t>,
    cx: &FileContext<'t>,
) -> Option<(&'static str, go::CallParts<'t>)> {
    let call = call_parts(go::unparen(n))?;
    let Callee::Selector {
        operand_ident: Some(pkg),
        name,
        ..
    } = call.callee(cx.src)
    else {
        return None;
    };
    match (cx.model.import_path_for(pkg), name) {
        (Some("errors"), "New") => Some(("errors.New", call)),
        (Some("fmt"), "Errorf") => Some(("fmt.Errorf", call)),
        _ => None,
    }
}

fn retryable_validation(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    // Registered handlers only: a helper's error goes back to its caller, which decides.
    let handlers: std::collections::HashSet<u32> =
        crate::analysis::workspace::handlers_in(cx.ws, cx.path)
            .into_iter()
            .filter_map(|(i, _, _)| cx.local_function(i))
            .collect();
    for (fi, f) in cx.model.functions.iter().enumerate() {
        if !handlers.contains(&(fi as u32)) {
            continue;
        }
        let Some(body) = facts::body(cx.facts, fi as u32) else {
            continue;
        };
        let input = f
            .params
            .get(1)
            .map(|p| p.name.clone())
            .filter(|n| !n.is_empty() && n != "_");
        // The first Restate operation in the handler's own code.
        let first_op = cx
            .facts
            .calls_in(body)
            .iter()
            .filter(|c| c.sdk.is_some_and(restate_api::is_operation))
            .map(|c| c.parts.node.start_byte())
            .min()
            .unwrap_or(usize::MAX);
        for r in cx.facts.returns_in(body) {
            if r.func != Some(fi as u32) {
                continue;
            }
            let Some(list) = named_children(r.node).into_iter().next() else {
                continue;
            };
            let exprs = if list.kind() == "expression_list" {
                named_children(list)
            } else {
                vec![list]
            };
            let Some(last) = exprs.last() else { continue };
            let Some((ctor, call)) = plain_error_ctor(*last, cx) else {
                continue;
            };
            // Wrapping an error from somewhere else is not a validation failure.
            let format = call
                .arg(0)
                .and_then(|a| string_value(a, cx.src))
                .unwrap_or_default();
            if format.contains("%w") {
                continue;
            }
            let before_ops = r.node.start_byte() < first_op;
            let tests_input = input
                .as_deref()
                .is_some_and(|inp| in_if_testing(r.node, body, inp, cx));
            if !(before_ops || tests_input) {
                continue;
            }
            let mut finding = Finding::new(
                "RS4001",
                call.node.start_byte(),
                call.node.end_byte(),
                format!(
                    "`{ctor}` returned for what looks like invalid input: Restate retries plain errors, so this request fails again and again; return restate.TerminalErrorf(...) to fail it for good"
                ),
            );
            let args = call.arg_list.map(|l| text(l, cx.src)).unwrap_or("()");
            let replacement = if ctor == "fmt.Errorf" {
                format!("{}TerminalErrorf{args}", prefix(cx))
            } else {
                match call.arg(0) {
                    Some(a) if go::is_string_literal(a) => {
                        let lit = text(a, cx.src);
                        if lit.contains('%') {
                            format!("{}TerminalErrorf(\"%s\", {lit})", prefix(cx))
                        } else {
                            format!("{}TerminalErrorf({lit})", prefix(cx))
                        }
                    }
                    Some(a) => format!("{}TerminalErrorf(\"%s\", {})", prefix(cx), text(a, cx.src)),
                    None => format!("{}TerminalErrorf(\"invalid input\")", prefix(cx)),
                }
            };
            finding.fixes.push(Fix {
                title: "Return a terminal error".into(),
                edits: with_tidy_imports(
                    cx.sem,
                    vec![Edit::replace(
                        call.node.start_byte(),
                        call.node.end_byte(),
                        replacement,
                    )],
                ),
                safe: false,
                snippet: false,
            });
            // The same error made terminal, with the HTTP-style code of a bad request.
            let p = prefix(cx);
            finding.fixes.push(Fix {
                title: "Return a terminal error with code 400".into(),
                edits: vec![Edit::replace(
                    call.node.start_byte(),
                    call.node.end_byte(),
                    crate::analysis::migrate::advice::terminal_with_code(
                        cx.gomod,
                        &p,
                        text(call.node, cx.src),
                        "400",
                    ),
                )],
                safe: false,
                snippet: false,
            });
            out.push(finding);
        }
    }
}

/// Whether `n` sits in the consequence of an `if` (within `body`) whose condition mentions `input`.
fn in_if_testing(n: Node<'_>, body: Node<'_>, input: &str, cx: &FileContext<'_>) -> bool {
    for p in cx.sem.ancestors(n) {
        if p == body {
            return false;
        }
        if p.kind() == "if_statement"
            && let Some(cond) = field(p, "condition")
        {
            let mut mentions = false;
            go::walk(cond, |x| {
                if x.kind() == "identifier" && text(x, cx.src) == input {
                    mentions = true;
                }
                !mentions
            });
            if mentions {
                return true;
            }
        }
    }
    false
}

fn terminal_wrap(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        if c.sdk == Some("TerminalErrorf") {
            let Some(fmt_arg) = c.parts.arg(0) else {
                continue;
            };
            if !go::is_string_literal(fmt_arg) || !text(fmt_arg, cx.src).contains("%w") {
                continue;
            }
            let lit = text(fmt_arg, cx.src);
            let mut f = Finding::new(
                "RS4002",
                c.parts.node.start_byte(),
                c.parts.node.end_byte(),
                crate::analysis::migrate::advice::terminalf_wrap(cx.gomod),
            );
            f.fixes.push(Fix {
                title: "Use %v instead of %w".into(),
                edits: vec![Edit::replace(
                    fmt_arg.start_byte(),
                    fmt_arg.end_byte(),
                    lit.replace("%w", "%v"),
                )],
                safe: true,
                snippet: false,
            });
            out.push(f);
            continue;
        }
        // A helper of the workspace built on errors.Is/As (`db.IsNotFound(err)`), given the error
        // of a Restate operation.
        if c.sdk.is_none()
            && let Some(helper) = cx
                .callees(&c.parts)
                .into_iter()
                .find(|f| f.summary.has(Summary::TESTS_ERROR_PARAM))
            && c.parts.args.iter().any(|a| {
                let a = go::unparen(*a);
                a.kind() == "identifier"
                    && cx.sem.resolve(a).is_some()
                    && cx
                        .sem
                        .reaching_value(a)
                        .is_some_and(|v| from_restate_operation(v, cx))
            })
        {
            out.push(Finding::new(
                "RS4002",
                c.parts.node.start_byte(),
                c.parts.node.end_byte(),
                format!(
                    "`{}` inspects the error of a Restate operation with errors.Is/As: only its code and message survive the journal, so the branch is dead after a failure or a replay; return a terminal error with a code from the step and test {}",
                    helper.display_name(),
                    crate::analysis::migrate::advice::read_code(cx.gomod, "restate.")
                ),
            ));
            continue;
        }
        // errors.Is / errors.As on an error that came out of a Restate operation.
        let Callee::Selector {
            operand_ident: Some(pkg),
            name: name @ ("Is" | "As"),
            ..
        } = c.parts.callee(cx.src)
        else {
            continue;
        };
        if cx.model.import_path_for(pkg) != Some("errors") {
            continue;
        }
        let Some(arg) = c
            .parts
            .arg(0)
            .map(go::unparen)
            .filter(|a| a.kind() == "identifier")
        else {
            continue;
        };
        if cx.sem.resolve(arg).is_none() {
            continue;
        }
        let Some(value) = cx.sem.reaching_value(arg) else {
            continue;
        };
        if !from_restate_operation(value, cx) {
            continue;
        }
        out.push(Finding::new(
            "RS4002",
            c.parts.node.start_byte(),
            c.parts.node.end_byte(),
            format!(
                "errors.{name} on an error returned by a Restate operation: only its code and message survive the journal, so the original error value is gone on replay; inspect {} instead",
                crate::analysis::migrate::advice::read_code(cx.gomod, "restate.")
            ),
        ));
    }
}

fn from_restate_operation(value: Node<'_>, cx: &FileContext<'_>) -> bool {
    let Some(call) = call_parts(go::unparen(value)) else {
        return false;
    };
    if let Some(name) = crate::analysis::model::sdk_fn(&cx.model.restate, &call.callee(cx.src)) {
        return matches!(name, "Run" | "RunVoid" | "Sleep" | "WaitFirst" | "Get");
    }
    let Some((recv, m)) = crate::analysis::futures::method_call(&call, cx.src) else {
        return false;
    };
    matches!(m, "Request" | "Response" | "Result" | "Done")
        && crate::analysis::futures::kind_of(recv, cx.sem, cx.model).is_some()
}

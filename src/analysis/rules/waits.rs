//! RS5008: awaiting an external event (awakeable, signal, durable promise) with no timeout race. If
//! the event never comes, the invocation waits forever (and an exclusive handler holds its key).

use tree_sitter::Node;

use crate::analysis::findings::{Finding, Fix};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, text};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::{self, CallFact};
use crate::analysis::rules::{determinism_fixes, fixkit};

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        let Some((recv, "Result")) = futures::method_call(&c.parts, cx.src) else {
            continue;
        };
        let Some(kind) = futures::kind_of(recv, cx.sem, cx.model) else {
            continue;
        };
        if !matches!(
            kind,
            FutureKind::Awakeable | FutureKind::Signal | FutureKind::Promise
        ) {
            continue;
        }
        let Some((root, _)) = facts::handler_root(cx.model, c.func) else {
            continue;
        };
        if raced_with_timer(cx, root, recv) {
            continue;
        }
        let what = match kind {
            FutureKind::Awakeable => "awakeable",
            FutureKind::Signal => "signal",
            _ => "durable promise",
        };
        let mut f = Finding::new(
            "RS5008",
            c.parts.node.start_byte(),
            c.parts.node.end_byte(),
            format!(
                "waiting for the {what} `{}` without a timeout: if it never completes the invocation waits forever; race it with restate.After in restate.WaitFirst",
                futures::snippet(recv, cx.src)
            ),
        );
        f.fixes.extend(timeout_race(cx, c, recv, what));
        out.push(f);
    }
}

/// Whether the handler races `fut` with a timer in a `WaitFirst`: one call whose futures include the
/// same variable (or, when the future is not a variable, any WaitFirst with an `After`).
fn raced_with_timer(cx: &FileContext<'_>, root: u32, fut: Node<'_>) -> bool {
    let fut = go::unparen(fut);
    let fut_name = (fut.kind() == "identifier").then(|| text(fut, cx.src));
    cx.facts.calls.iter().any(|c| {
        if c.sdk != Some("WaitFirst") || !facts::within(cx.model, c.func, root) {
            return false;
        }
        let args = &c.parts.args[1.min(c.parts.args.len())..];
        let has_timer = args
            .iter()
            .any(|a| futures::kind_of(*a, cx.sem, cx.model) == Some(FutureKind::After));
        let has_fut = match fut_name {
            Some(name) => args
                .iter()
                .any(|a| go::unparen(*a).kind() == "identifier" && text(*a, cx.src) == name),
            None => false,
        };
        has_timer && has_fut
    })
}

/// A snippet racing the future with a durable timer just before it is awaited:
///
/// ```go
/// timeout := restate.After(ctx, 24*time.Hour)
/// winner, err := restate.WaitFirst(ctx, approval, timeout)
/// if err != nil { return .., err }
/// if winner == timeout { return .., restate.TerminalErrorf("timed out waiting for the awakeable") }
/// ```
fn timeout_race(cx: &FileContext<'_>, c: &CallFact<'_>, recv: Node<'_>, what: &str) -> Option<Fix> {
    let fut = go::unparen(recv);
    if fut.kind() != "identifier" {
        return None;
    }
    let path = fixkit::path_to(cx, c.func, c.parts.node)?;
    let si = fixkit::statement_index(&path)?;
    let stmt = path[si];
    if !determinism_fixes::evaluated_once_before(&path, si) {
        return None;
    }
    let ctx = fixkit::ctx_on_path(cx, &path[..=si], c.func)?;
    let timeout = fixkit::fresh_name(cx, c.func, "timeout");
    let winner = fixkit::fresh_name(cx, c.func, "winner");
    let err = fixkit::err_name(cx, &path[..=si], &format!("{winner}Err"));
    let ret = fixkit::error_return(cx, c.func, &err)?;
    let zeros = ret
        .trim_start_matches("return ")
        .trim_end_matches(&err)
        .to_string();
    let p = fixkit::sdk(cx);
    let time = fixkit::import_name(cx, "time").unwrap_or_else(|| "time".into());
    let fut = text(fut, cx.src);
    let lines = format!(
        "{timeout} := {p}After({ctx}, ${{1:24*{time}.Hour}})\n{winner}, {err} := {p}WaitFirst({ctx}, {fut}, {timeout})\nif {err} != nil {{\n\t{ret}\n}}\nif {winner} == {timeout} {{\n\treturn {zeros}${{2:{p}TerminalErrorf(\"timed out waiting for the {what}\")}}\n}}"
    );
    let mut edits = vec![fixkit::insert_above(cx.src, stmt, &lines)?];
    edits.extend(crate::analysis::fixes::add_import(
        cx.src, cx.tree, cx.model, "time",
    ));
    Some(Fix {
        title: format!("Race `{fut}` with a timeout"),
        edits,
        safe: false,
        snippet: true,
    })
}

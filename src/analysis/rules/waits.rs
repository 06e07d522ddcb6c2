//! RS5008: awaiting an external event (awakeable, signal, durable promise) with no timeout race. If
//! the event never comes, the invocation waits forever (and an exclusive handler holds its key).

use tree_sitter::Node;

use crate::analysis::findings::{Finding, Fix};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, text};
use crate::analysis::restate_api::CtxKind;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::{self, CallFact};
use crate::analysis::rules::{determinism_fixes, fixkit};

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        if c.sdk == Some("WaitFirst") {
            unbounded_race(cx, c, out);
            continue;
        }
        let Some((recv, "Result")) = futures::method_call(&c.parts, cx.src) else {
            continue;
        };
        let Some(kind) = futures::kind_of(recv, cx.sem, cx.model) else {
            continue;
        };
        let Some(what) = external_event(kind) else {
            continue;
        };
        let Some((root, handler)) = facts::handler_root(cx.model, c.func) else {
            continue;
        };
        // A future that already won (or lost) a WaitFirst is drained, not awaited: the race is
        // what waits, and it is judged on its own.
        if raced_before(cx, recv, c.parts.node).is_some() || raced_with_timer(cx, root, recv) {
            continue;
        }
        // A shared handler that hands the event's value straight back is a getter: the caller
        // decides how long to wait for it.
        if handler
            .ctx
            .as_ref()
            .is_some_and(|x| matches!(x.kind, CtxKind::ObjectShared | CtxKind::WorkflowShared))
            && only_returned(cx, c.parts.node)
        {
            continue;
        }
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

/// What an awaitable external event is called in messages.
pub fn external_event(kind: FutureKind) -> Option<&'static str> {
    match kind {
        FutureKind::Awakeable => Some("awakeable"),
        FutureKind::Signal => Some("signal"),
        FutureKind::Promise => Some("durable promise"),
        _ => None,
    }
}

/// A `WaitFirst` over external events with no durable timer among its futures: if none of them
/// completes, it waits forever.
fn unbounded_race(cx: &FileContext<'_>, c: &CallFact<'_>, out: &mut Vec<Finding>) {
    if !facts::in_handler(cx.model, c.func) {
        return;
    }
    if let Some(what) = race_without_timer(cx, c) {
        out.push(Finding::new(
            "RS5008",
            c.parts.node.start_byte(),
            c.parts.node.end_byte(),
            format!(
                "restate.WaitFirst races {what} with no timer among its futures: if none completes the invocation waits forever; add restate.After(ctx, d) to the race"
            ),
        ));
    }
}

/// For a `WaitFirst` call: the external event it waits for when no `restate.After` takes part.
pub fn race_without_timer(cx: &FileContext<'_>, c: &CallFact<'_>) -> Option<&'static str> {
    let args = &c.parts.args[1.min(c.parts.args.len())..];
    let kinds: Vec<Option<FutureKind>> = args
        .iter()
        .map(|a| futures::kind_of(*a, cx.sem, cx.model))
        .collect();
    if kinds.contains(&Some(FutureKind::After)) {
        return None;
    }
    kinds.into_iter().flatten().find_map(external_event)
}

/// The `WaitFirst` call, earlier than `at`, that the future `fut` (a variable) took part in.
pub fn raced_before<'t>(cx: &FileContext<'t>, fut: Node<'t>, at: Node<'t>) -> Option<Node<'t>> {
    let fut = go::unparen(fut);
    let b = cx.sem.binding_of(fut)?;
    cx.sem.uses(b).iter().find_map(|u| {
        if u.start_byte() >= at.start_byte() {
            return None;
        }
        let list = cx.sem.parent(*u).filter(|l| l.kind() == "argument_list")?;
        let call = cx.sem.parent(list)?;
        let parts = go::call_parts(call)?;
        (crate::analysis::model::sdk_fn(&cx.model.restate, &parts.callee(cx.src))
            == Some("WaitFirst"))
        .then_some(call)
    })
}

/// Whether the value of `call` only goes into the handler's response.
fn only_returned<'t>(cx: &FileContext<'t>, call: Node<'t>) -> bool {
    matches!(
        crate::analysis::rules::flowkit::judge(
            cx,
            call,
            "the value",
            crate::analysis::rules::flowkit::Value::Reading
        ),
        crate::analysis::rules::flowkit::Verdict::Hint { .. }
    )
}

/// Whether the handler races `fut` with a timer in a `WaitFirst`: one call whose futures include the
/// same variable (or, when the future is not a variable, any WaitFirst with an `After`).
pub fn raced_with_timer(cx: &FileContext<'_>, root: u32, fut: Node<'_>) -> bool {
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

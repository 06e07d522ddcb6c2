//! RS5008: awaiting an external event (awakeable, signal, durable promise) with no timeout race. If
//! the event never comes, the invocation waits forever (and an exclusive handler holds its key).

use tree_sitter::Node;

use crate::analysis::findings::Finding;
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, text};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        let Some((recv, "Result")) = futures::method_call(&c.parts, cx.src) else {
            continue;
        };
        let Some(kind) = futures::kind_of(recv, cx.src, cx.model) else {
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
        out.push(Finding::new(
            "RS5008",
            c.parts.node.start_byte(),
            c.parts.node.end_byte(),
            format!(
                "waiting for the {what} `{}` without a timeout: if it never completes the invocation waits forever; race it with restate.After in restate.WaitFirst",
                futures::snippet(recv, cx.src)
            ),
        ));
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
            .any(|a| futures::kind_of(*a, cx.src, cx.model) == Some(FutureKind::After));
        let has_fut = match fut_name {
            Some(name) => args
                .iter()
                .any(|a| go::unparen(*a).kind() == "identifier" && text(*a, cx.src) == name),
            None => false,
        };
        has_timer && has_fut
    })
}

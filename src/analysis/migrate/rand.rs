//! `restate.Rand(ctx)`: a custom interface in 0.x (UUID, Float64, Uint64, Source), the standard
//! `*math/rand/v2.Rand` in 1.0. `Rand(ctx).UUID()` became `restate.UUID(ctx)` and
//! `Rand(ctx).Source()` became `restate.RandSource(ctx)`; Float64 and Uint64 exist on both.

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, Callee, field, text};
use crate::analysis::migrate::{Cx, Ref, Rewrite};

pub(crate) fn site(cx: &mut Cx<'_>, r: &Ref<'_>) {
    let Some(rand_call) = r.call() else { return };
    let Some(ctx_arg) = rand_call.arg(0) else {
        return;
    };
    // Above the reference (outermost first): ... above, method call, selector, Rand call.
    let Some(i) = r.path.iter().rposition(|p| *p == rand_call.node) else {
        return;
    };
    let up = |k: usize| i.checked_sub(k).and_then(|j| r.path.get(j)).copied();
    let Some(sel) = up(1).filter(|s| {
        s.kind() == "selector_expression" && field(*s, "operand") == Some(rand_call.node)
    }) else {
        return;
    };
    let Some(method) = field(sel, "field").map(|f| text(f, cx.src)) else {
        return;
    };
    let Some(call) = up(2)
        .and_then(go::call_parts)
        .filter(|c| c.func == sel && c.args.is_empty())
    else {
        return;
    };
    let (new_fn, kind, what) = match method {
        "UUID" => ("UUID", "Rand(ctx).UUID", "the UUID helper moved to"),
        "Source" => ("RandSource", "Rand(ctx).Source", "the source moved to"),
        _ => return,
    };
    let replacement = format!("{}({})", cx.root(new_fn), text(ctx_arg, cx.src));
    // 0.x's source also served math/rand (v1); 1.0's RandSource is a math/rand/v2 source only.
    if method == "Source" && feeds_rand_v1_new(cx, up(4)) {
        cx.push(
            kind,
            call.node,
            format!(
                "Rand(ctx).Source() was removed in sdk-go 1.0: {what} `{replacement}`, a math/rand/v2 source, which math/rand's New does not accept; switch this generator to math/rand/v2 (rand.New({replacement}))"
            ),
            None,
        );
        return;
    }
    cx.push(
        kind,
        call.node,
        format!(
            "Rand(ctx).{method}() was removed in sdk-go 1.0 (Rand returns *math/rand/v2.Rand): {what} `{replacement}`"
        ),
        Some(Rewrite::new(
            format!("Use {replacement}"),
            vec![Edit::replace(
                call.node.start_byte(),
                call.node.end_byte(),
                replacement.clone(),
            )],
        )),
    );
}

/// Whether `outer` is math/rand's `rand.New(...)` (the call whose argument list holds the source).
fn feeds_rand_v1_new(cx: &Cx<'_>, outer: Option<Node<'_>>) -> bool {
    let Some(alias) = &cx.pkgs.rand_v1 else {
        return false;
    };
    outer.and_then(go::call_parts).is_some_and(|c| {
        matches!(
            c.callee(cx.src),
            Callee::Selector { operand_ident: Some(op), name: "New", .. } if op == alias
        )
    })
}

//! RS2001-RS2002: goroutines, channels, select and wait groups in handler code. The journal records
//! Restate operations in the order the handler goroutine makes them; native concurrency makes that
//! order (or which branch runs) differ on replay.

use tree_sitter::Node;

use crate::analysis::findings::Finding;
use crate::analysis::futures;
use crate::analysis::go::{self, call_parts, field, named_children, text};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::concurrency_fixes;
use crate::analysis::rules::facts;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let facts = cx.facts;
    let handler = |f| facts::in_handler(cx.model, f);
    for g in facts.go_stmts.iter().filter(|g| handler(g.func)) {
        let start = g.node.start_byte();
        let mut f = Finding::new(
            "RS2001",
            start,
            start + 2,
            "goroutine started in handler code: its work is not journaled and Restate operations from other goroutines break replay; use restate.RunAsync, or RequestFuture with restate.Wait",
        );
        f.fixes
            .extend(concurrency_fixes::run_async(cx, g.node, g.func));
        out.push(f);
    }
    for s in facts.selects.iter().filter(|s| handler(s.func)) {
        let start = s.node.start_byte();
        out.push(Finding::new(
            "RS2002",
            start,
            start + 6,
            "`select` in handler code: which case wins is not journaled and can differ on replay; race futures with restate.WaitFirst",
        ));
    }
    for s in facts
        .sends
        .iter()
        .filter(|s| handler(s.func) && !in_select_case(cx, s.node))
    {
        out.push(Finding::new(
            "RS2002",
            s.node.start_byte(),
            s.node.end_byte(),
            "channel send in handler code is not journaled; combine futures with restate.Wait / restate.WaitFirst instead",
        ));
    }
    for r in facts
        .receives
        .iter()
        .filter(|r| handler(r.func) && !in_select_case(cx, r.node))
    {
        let operand = field(r.node, "operand").map(go::unparen);
        // `<-time.After(d)` is reported as a non-durable timer (RS1002).
        if operand.is_some_and(|o| is_time_channel(o, cx)) {
            continue;
        }
        out.push(Finding::new(
            "RS2002",
            r.node.start_byte(),
            r.node.end_byte(),
            format!(
                "channel receive `{}` in handler code is not journaled; await futures with restate.Wait / restate.WaitFirst instead",
                futures::snippet(r.node, cx.src)
            ),
        ));
    }
    for f in facts.fors.iter().filter(|f| handler(f.func)) {
        let Some(range) = named_children(f.node)
            .into_iter()
            .find(|c| c.kind() == "range_clause")
        else {
            continue;
        };
        let Some(right) = field(range, "right") else {
            continue;
        };
        if is_channel(right, cx) {
            out.push(Finding::new(
                "RS2002",
                f.node.start_byte(),
                range.end_byte(),
                format!(
                    "ranging over channel `{}` in handler code is not journaled; iterate futures with restate.Wait instead",
                    text(right, cx.src)
                ),
            ));
        }
    }
    for c in facts.calls.iter().filter(|c| handler(c.func)) {
        let Some((recv, "Wait")) = futures::method_call(&c.parts, cx.src) else {
            continue;
        };
        if !c.parts.args.is_empty() {
            continue;
        }
        let Some(ty) = cx.sem.type_of(recv) else {
            continue;
        };
        let bare = ty.trim_start_matches('*');
        let what = match bare {
            "sync.WaitGroup" => "sync.WaitGroup",
            "golang.org/x/sync/errgroup.Group" => "errgroup.Group",
            "sync.Cond" => "sync.Cond",
            _ => continue,
        };
        out.push(Finding::new(
            "RS2002",
            c.parts.node.start_byte(),
            c.parts.node.end_byte(),
            format!(
                "waiting on a {what} in handler code: the goroutines it waits for are not journaled; use restate.RunAsync futures and restate.Wait"
            ),
        ));
    }
}

fn in_select_case<'t>(cx: &FileContext<'t>, n: Node<'t>) -> bool {
    for p in cx.sem.ancestors(n) {
        match p.kind() {
            "communication_case" => {
                return field(p, "communication").is_some_and(|c| go::contains(c, n));
            }
            "block" | "func_literal" | "function_declaration" | "method_declaration" => {
                return false;
            }
            _ => {}
        }
    }
    false
}

fn is_time_channel(n: Node<'_>, cx: &FileContext<'_>) -> bool {
    let Some(call) = call_parts(n) else {
        return false;
    };
    match call.callee(cx.src) {
        go::Callee::Selector {
            operand_ident: Some(a),
            name: "After" | "Tick",
            ..
        } => cx.model.import_path_for(a) == Some("time"),
        _ => false,
    }
}

fn is_channel(n: Node<'_>, cx: &FileContext<'_>) -> bool {
    let n = go::unparen(n);
    if let Some(call) = call_parts(n)
        && text(call.func, cx.src) == "make"
    {
        return call
            .args
            .first()
            .is_some_and(|t| t.kind() == "channel_type");
    }
    cx.sem
        .type_of(n)
        .is_some_and(|t| t.starts_with("chan") || t.starts_with("<-chan"))
}

//! `restate.Select(ctx, futs...)` and its `Selector` (deprecated since v0.21, removed in 1.0). The
//! loop every example wrote, `for sel.Remaining() { f := sel.Select() ... }`, is `WaitIter` with
//! `Next` and `Value`; other shapes have no mechanical equivalent.

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, field, text};
use crate::analysis::migrate::walk::walk_with_path;
use crate::analysis::migrate::{Cx, Ref, Rewrite, name_node};

const HOW: &str = "race futures with restate.WaitFirst, or iterate them in completion order with restate.WaitIter (Next, Value, then Err for cancellation)";

pub(crate) fn site(cx: &mut Cx<'_>, r: &Ref<'_>) {
    let Some(call) = r.call() else {
        return;
    };
    let code = if cx.old_api { "RS9001" } else { "RS9002" };
    let (message, rw) = match loop_rewrite(cx, r, call.node) {
        Some(edits) => (
            format!(
                "restate.Select was removed in sdk-go 1.0: `{}` iterates the same futures in completion order, with `Next()` for `Remaining()` and `Value()` for `Select()`; where 0.x panicked on cancellation, the loop now ends and `Err()` returns the cancellation, so check it after the loop",
                cx.root("WaitIter")
            ),
            Some({
                let mut rw = Rewrite::new(format!("Use {}", cx.root("WaitIter")), edits);
                // The loop's behaviour on cancellation changes (see the message).
                rw.safe = false;
                rw
            }),
        ),
        None => (
            format!("restate.Select does not exist in sdk-go 1.x: {HOW}"),
            None,
        ),
    };
    cx.push("Select", call.node, message, rw);
    if let Some(last) = cx.out.last_mut() {
        last.code = code;
    }
}

pub(crate) fn selector_type(cx: &mut Cx<'_>, r: &Ref<'_>) {
    cx.push(
        "Selector",
        r.node,
        format!(
            "restate.Selector was removed in sdk-go 1.0 with restate.Select: {HOW}; restate.WaitIterator is its counterpart"
        ),
        None,
    );
}

/// The edits for `sel := restate.Select(..)` used only as `for sel.Remaining() { .. sel.Select() .. }`.
fn loop_rewrite(cx: &Cx<'_>, r: &Ref<'_>, call: Node<'_>) -> Option<Vec<Edit>> {
    let i = r.path.iter().rposition(|p| *p == call)?;
    let list = r.path.get(i.checked_sub(1)?)?;
    let decl_stmt = r.path.get(i.checked_sub(2)?)?;
    if list.kind() != "expression_list" || list.named_child_count() != 1 {
        return None;
    }
    let var = match decl_stmt.kind() {
        "short_var_declaration" if field(*decl_stmt, "right") == Some(*list) => {
            let left = field(*decl_stmt, "left")?;
            (left.named_child_count() == 1).then(|| left.named_child(0))??
        }
        _ => return None,
    };
    let func = r.path[..i]
        .iter()
        .rev()
        .find(|n| go::is_func_like(n.kind()))?;
    let name = text(var, cx.src);
    let mut edits = vec![Edit::replace(
        name_node(r.node).start_byte(),
        name_node(r.node).end_byte(),
        "WaitIter",
    )];
    let mut ok = true;
    let mut loops: Vec<Node<'_>> = vec![];
    let mut uses: Vec<(Node<'_>, Vec<Node<'_>>)> = vec![];
    walk_with_path(*func, |n, path| {
        if !ok {
            return false;
        }
        if n.kind() == "identifier" && n != var && text(n, cx.src) == name {
            let mut p = path.to_vec();
            p.push(n);
            if cx
                .sem
                .resolve_name(p.last().copied().unwrap_or(cx.sem.root()), name)
                .is_some_and(|d| d.name == var)
            {
                uses.push((n, path.to_vec()));
            }
        }
        true
    });
    for (n, path) in &uses {
        let up = |k: usize| path.len().checked_sub(k).and_then(|j| path.get(j)).copied();
        let sel = up(1).filter(|s| s.kind() == "selector_expression");
        let method = sel.and_then(|s| field(s, "field"));
        let called = up(2)
            .and_then(go::call_parts)
            .filter(|c| Some(c.func) == sel && c.args.is_empty());
        let (Some(method), Some(called)) = (method, called) else {
            ok = false;
            break;
        };
        let _ = n;
        match text(method, cx.src) {
            "Remaining" => {
                // The condition of a `for` loop.
                let is_cond = up(3).is_some_and(|f| {
                    f.kind() == "for_statement" && field(f, "body") != Some(called.node)
                });
                if !is_cond {
                    ok = false;
                    break;
                }
                loops.extend(up(3));
                edits.push(Edit::replace(
                    method.start_byte(),
                    method.end_byte(),
                    "Next",
                ));
            }
            "Select" => {
                // Inside the body of a loop on this selector's Remaining().
                let in_loop = path.iter().any(|a| {
                    a.kind() == "for_statement"
                        && field(*a, "body").is_some_and(|b| go::contains(b, called.node))
                        && loop_condition_is_remaining(*a, name, cx.src)
                });
                if !in_loop {
                    ok = false;
                    break;
                }
                edits.push(Edit::replace(
                    method.start_byte(),
                    method.end_byte(),
                    "Value",
                ));
            }
            _ => {
                ok = false;
                break;
            }
        }
    }
    (ok && !loops.is_empty()).then_some(edits)
}

/// Whether a `for` statement's condition is `<name>.Remaining()`.
fn loop_condition_is_remaining(f: Node<'_>, name: &str, src: &str) -> bool {
    let body = field(f, "body");
    let mut cursor = f.walk();
    let cond = f
        .named_children(&mut cursor)
        .find(|c| Some(*c) != body && c.kind() == "call_expression");
    cond.is_some_and(|c| {
        text(c, src).replace(char::is_whitespace, "") == format!("{name}.Remaining()")
    })
}

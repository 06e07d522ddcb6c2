//! The quick fix of RS2001: a goroutine whose work only computes or performs a side effect
//! becomes a journaled `restate.RunAsync` step, awaited before the block's final `return` so it
//! runs and its failure is not lost. Goroutines that hand results over channels, synchronise,
//! write shared variables or use Restate get no fix.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Fix};
use crate::analysis::go::{self, Callee, field, named_children, text};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;
use crate::analysis::rules::fixkit::{self, ctx_at, error_return, sdk};
use crate::analysis::rules::run::kebab;

/// Calls that synchronise with other goroutines (wait groups, mutexes, condition variables).
const SYNC_METHODS: &[&str] = &["Done", "Wait", "Add", "Lock", "Unlock", "RLock", "RUnlock"];

/// Whether the code in `n` only computes: no Restate operation, no channel or `select`, no
/// synchronisation, no nested goroutine, no use of the handler context `ctx`, and no write to a
/// variable declared outside `owner` (the goroutine's function literal, if any).
fn only_computes(cx: &FileContext<'_>, n: Node<'_>, owner: Option<Node<'_>>, ctx: &str) -> bool {
    let f = cx.facts;
    let inside = |x: &facts::NodeFact<'_>| go::contains(n, x.node);
    if f.sends.iter().any(inside)
        || f.receives.iter().any(inside)
        || f.selects.iter().any(inside)
        || f.go_stmts.iter().any(inside)
    {
        return false;
    }
    for c in f.calls_in(n) {
        if c.sdk.is_some() {
            return false;
        }
        if let Callee::Selector { name, .. } = c.parts.callee(cx.src)
            && SYNC_METHODS.contains(&name)
        {
            return false;
        }
    }
    let mut ok = true;
    go::walk(n, |x| {
        if !ok {
            return false;
        }
        match x.kind() {
            "defer_statement" | "range_clause" => {
                // A deferred call runs at the goroutine's end; ranging may read a channel.
                ok = x.kind() != "defer_statement"
                    && !field(x, "right")
                        .is_some_and(|r| cx.sem.type_of(r).is_some_and(|t| t.contains("chan")));
            }
            "identifier" if text(x, cx.src) == ctx => ok = false,
            _ => {}
        }
        true
    });
    if !ok {
        return false;
    }
    for w in f.writes_in(n) {
        let targets: Vec<Node<'_>> = match w.node.kind() {
            "assignment_statement" => fixkit::left_names(w.node),
            _ => named_children(w.node).into_iter().take(1).collect(),
        };
        for t in targets {
            let base = go::assigned_root(t);
            if base.kind() != "identifier" || text(base, cx.src) == "_" {
                continue;
            }
            let local = cx
                .sem
                .resolve(base)
                .is_some_and(|d| owner.is_some_and(|o| go::contains(o, d.name)));
            if !local {
                return false;
            }
        }
    }
    true
}

/// The own `return` statements of the function `func_node` between `from` and `to`.
fn returns_between(cx: &FileContext<'_>, func_node: Node<'_>, from: usize, to: usize) -> bool {
    cx.facts.returns.iter().any(|r| {
        r.node.start_byte() >= from
            && r.node.start_byte() < to
            && cx.sem.enclosing_func(r.node) == Some(func_node)
    })
}

/// `go f(a, b)` / `go func() { .. }()` -> `fut := restate.RunAsync(ctx, func(ctx
/// restate.RunContext) (restate.Void, error) { ..; return restate.Void{}, nil },
/// restate.WithName(..))`, with `fut.Result()` checked before the block's final return.
pub fn run_async(cx: &FileContext<'_>, go_stmt: Node<'_>, func: Option<u32>) -> Option<Fix> {
    let call = named_children(go_stmt).into_iter().next()?;
    let parts = go::call_parts(call)?;
    let ctx = ctx_at(cx, go_stmt, func)?;
    if cx.sem.enclosing_statement(go_stmt) != Some(go_stmt) || !fixkit::starts_line(cx.src, go_stmt)
    {
        return None;
    }
    let indent = go::line_indent(cx.src, go_stmt.start_byte());
    let (body_text, label) = if parts.func.kind() == "func_literal" {
        let lit = parts.func;
        let params = field(lit, "parameters")?;
        if params.named_child_count() != 0
            || field(lit, "result").is_some()
            || !parts.args.is_empty()
        {
            return None;
        }
        let body = field(lit, "body")?;
        if !only_computes(cx, body, Some(lit), &ctx) {
            return None;
        }
        // A bare `return` leaves the step early: it must return the step's values now.
        if cx
            .facts
            .returns
            .iter()
            .any(|r| go::contains(body, r.node) && cx.sem.enclosing_func(r.node) == Some(lit))
        {
            return None;
        }
        let inner = &cx.src[body.start_byte() + 1..body.end_byte() - 1];
        let inner = if inner.contains('\n') {
            inner.trim_end().trim_start_matches([' ', '\t']).to_string()
        } else {
            format!("\n{indent}\t{}", inner.trim())
        };
        let inner = inner.strip_prefix('\n').unwrap_or(&inner).to_string();
        let label = cx
            .facts
            .calls_in(body)
            .iter()
            .find_map(|c| match c.parts.callee(cx.src) {
                Callee::Selector { name, .. } | Callee::Ident(name) => Some(kebab(name)),
                Callee::Other => None,
            })
            .unwrap_or_else(|| "background".into());
        (inner, label)
    } else {
        // `go f(args)`: the arguments are evaluated when the goroutine starts; inside the step
        // they are read later, so they must be values nothing changes afterwards.
        let owner = func.and_then(|i| cx.facts.func_nodes.get(&i).copied())?;
        for a in &parts.args {
            let a = go::unparen(*a);
            match a.kind() {
                "int_literal"
                | "float_literal"
                | "interpreted_string_literal"
                | "raw_string_literal"
                | "true"
                | "false"
                | "nil" => {}
                "identifier" => {
                    let name = text(a, cx.src);
                    if name == ctx {
                        return None;
                    }
                    let written_later = cx.facts.writes_in(owner).iter().any(|w| {
                        w.node.start_byte() > go_stmt.end_byte()
                            && text(w.node, cx.src).starts_with(name)
                    });
                    let chan = cx
                        .sem
                        .type_of(a)
                        .is_some_and(|t| t.contains("chan") || t.contains("sync."));
                    if written_later || chan {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        if !only_computes(cx, call, None, &ctx) {
            return None;
        }
        let name = match parts.callee(cx.src) {
            Callee::Selector { name, .. } | Callee::Ident(name) => name,
            Callee::Other => return None,
        };
        (format!("{indent}\t{}", text(call, cx.src)), kebab(name))
    };
    // The await: before the final return of the goroutine's block, with no other way out between.
    let block = cx.sem.parent(go_stmt)?;
    let last = named_children(block)
        .into_iter()
        .rfind(|s| s.kind() != "comment")?;
    let func_node = func.and_then(|i| cx.facts.func_nodes.get(&i).copied())?;
    if last.kind() != "return_statement"
        || returns_between(cx, func_node, go_stmt.end_byte(), last.start_byte())
    {
        return None;
    }
    let ret = error_return(cx, func, "err")?;
    let p = sdk(cx);
    let fut = fixkit::fresh_name(cx, func, "fut");
    let step = format!(
        "{fut} := {p}RunAsync({ctx}, func({ctx} {p}RunContext) ({p}Void, error) {{\n{body_text}\n{indent}\treturn {p}Void{{}}, nil\n{indent}}}, {p}WithName(\"{label}\"))"
    );
    let await_lines = format!("if _, err := {fut}.Result(); err != nil {{\n\t{ret}\n}}");
    Some(Fix {
        title: format!("Run it as a journaled step with {p}RunAsync"),
        edits: vec![
            Edit::replace(go_stmt.start_byte(), go_stmt.end_byte(), step),
            fixkit::insert_above(cx.src, last, &await_lines)?,
        ],
        safe: false,
        snippet: false,
    })
}

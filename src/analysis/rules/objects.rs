//! RS5001, RS5005-RS5007: virtual objects and definitions. An exclusive handler holds its key while
//! it waits; Reflect rejects (or silently skips) handlers of the wrong shape; polling loops grow the
//! journal; and a state key read but never written is usually a typo.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::model::{FuncKind, ReflectSite, StateOpKind, Summary};
use crate::analysis::restate_api::{CtxKind, HandlerKind, OpClass, ServiceKind, op_class};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::wiring::suggest;
use crate::analysis::rules::{facts, waits};
use crate::analysis::semantic::DeclKind;
use crate::analysis::workspace::Service;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    blocked_key(cx, out);
    invalid_definitions(cx, out);
    polling_loops(cx, out);
    unknown_state_keys(cx, out);
}

// ---- RS5001 ---------------------------------------------------------------------------------------

/// A constant value while evaluating durations: a plain number, or a duration in milliseconds.
#[derive(Clone, Copy)]
enum Quantity {
    Number(f64),
    Millis(f64),
}

/// A constant duration in milliseconds: `5*time.Minute`, `time.Hour`, `90 * time.Second`,
/// `time.Duration(2) * time.Hour`, a constant, or a bare integer (nanoseconds).
pub fn const_duration_ms(n: Node<'_>, cx: &FileContext<'_>, _depth: u32) -> Option<f64> {
    Some(match quantity(n, cx, 0)? {
        Quantity::Millis(ms) => ms,
        Quantity::Number(ns) => ns / 1e6,
    })
}

fn quantity(n: Node<'_>, cx: &FileContext<'_>, depth: u32) -> Option<Quantity> {
    use Quantity::{Millis, Number};
    if depth > 6 {
        return None;
    }
    let n = go::unparen(n);
    match n.kind() {
        "int_literal" | "float_literal" => text(n, cx.src)
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .map(Number),
        "selector_expression" => {
            let op = field(n, "operand")?;
            if op.kind() != "identifier"
                || cx.model.import_path_for(text(op, cx.src)) != Some("time")
            {
                return None;
            }
            Some(Millis(match text(field(n, "field")?, cx.src) {
                "Nanosecond" => 1e-6,
                "Microsecond" => 1e-3,
                "Millisecond" => 1.0,
                "Second" => 1e3,
                "Minute" => 60e3,
                "Hour" => 3600e3,
                _ => return None,
            }))
        }
        "binary_expression" => {
            let op = text(field(n, "operator")?, cx.src);
            let l = quantity(field(n, "left")?, cx, depth + 1)?;
            let r = quantity(field(n, "right")?, cx, depth + 1)?;
            match (op, l, r) {
                ("*", Number(a), Number(b)) => Some(Number(a * b)),
                ("*", Number(a), Millis(b)) | ("*", Millis(b), Number(a)) => Some(Millis(a * b)),
                ("+", Number(a), Number(b)) => Some(Number(a + b)),
                ("+", Millis(a), Millis(b)) => Some(Millis(a + b)),
                ("-", Number(a), Number(b)) => Some(Number(a - b)),
                ("-", Millis(a), Millis(b)) => Some(Millis(a - b)),
                ("/", Millis(a), Number(b)) if b != 0.0 => Some(Millis(a / b)),
                ("/", Number(a), Number(b)) if b != 0.0 => Some(Number(a / b)),
                _ => None,
            }
        }
        "call_expression" => {
            // `time.Duration(n)` keeps n as a count of nanoseconds.
            let call = go::call_parts(n)?;
            if text(call.func, cx.src).ends_with("Duration") {
                return quantity(call.arg(0)?, cx, depth + 1);
            }
            None
        }
        "identifier" => {
            let d = cx.sem.constant(n)?;
            if d.kind != DeclKind::Const {
                return None;
            }
            quantity(d.value?, cx, depth + 1)
        }
        _ => None,
    }
}

fn blocked_key(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let threshold = cx.config.blocked_key_threshold_ms as f64;
    for c in &cx.facts.calls {
        let Some((root_i, root)) = facts::handler_root(cx.model, c.func) else {
            continue;
        };
        if root.ctx.as_ref().map(|x| x.kind) != Some(CtxKind::ObjectExclusive) {
            continue;
        }
        let (s, e) = (c.parts.node.start_byte(), c.parts.node.end_byte());
        if let Some(name @ ("Sleep" | "After")) = c.sdk {
            let Some(d) = c.parts.arg(1).and_then(|a| const_duration_ms(a, cx, 0)) else {
                continue;
            };
            if d < threshold {
                continue;
            }
            out.push(Finding::new(
                "RS5001",
                s,
                e,
                format!(
                    "restate.{name} for {} in an exclusive object handler holds the key the whole time, queueing every other call to it; schedule the follow-up with ObjectSend(...).Send(x, restate.WithDelay(d)), or move the wait to a shared handler or a workflow",
                    human(d)
                ),
            ));
            continue;
        }
        if c.sdk == Some("WaitFirst") {
            // A race over external events with no timer blocks the key like awaiting them.
            if let Some(what) = waits::race_without_timer(cx, c) {
                out.push(Finding::new(
                    "RS5001",
                    s,
                    e,
                    format!(
                        "restate.WaitFirst waits for {what} with no timer in an exclusive object handler: the key stays locked until it completes, queueing every other call to it; wait in a workflow or a shared handler, or add restate.After to the race"
                    ),
                ));
            }
            continue;
        }
        if let Some((recv, "Result")) = futures::method_call(&c.parts, cx.src) {
            let kind = futures::kind_of(recv, cx.sem, cx.model);
            // Drained after a WaitFirst (judged above), or raced with a timer: bounded.
            if waits::raced_before(cx, recv, c.parts.node).is_some()
                || waits::raced_with_timer(cx, root_i, recv)
            {
                continue;
            }
            if matches!(
                kind,
                Some(FutureKind::Awakeable | FutureKind::Signal | FutureKind::Promise)
            ) {
                out.push(Finding::new(
                    "RS5001",
                    s,
                    e,
                    "waiting for an external event in an exclusive object handler holds the key until it arrives, queueing every other call to it; wait in a workflow or a shared handler and resolve from there",
                ));
            }
        }
    }
}

fn human(ms: f64) -> String {
    if ms >= 3600e3 && ms % 3600e3 == 0.0 {
        format!("{}h", ms / 3600e3)
    } else if ms >= 60e3 && ms % 60e3 == 0.0 {
        format!("{}m", ms / 60e3)
    } else if ms >= 1e3 {
        format!("{}s", ms / 1e3)
    } else {
        format!("{ms}ms")
    }
}

// ---- RS5005 ---------------------------------------------------------------------------------------

/// Methods of the type named by a Reflect site, with whether the site passes a pointer.
fn reflected_service<'a>(
    cx: &FileContext<'a>,
    r: &ReflectSite,
) -> Option<&'a std::sync::Arc<Service>> {
    let pkg_key = match &r.type_pkg {
        None => cx.ws.package_of(cx.path).map(|(k, _)| k)?,
        Some(alias) => cx
            .ws
            .resolve_import(cx.path, cx.model.import_path_for(alias)?)?,
    };
    cx.ws
        .package(&pkg_key)?
        .services
        .iter()
        .find(|s| s.type_name.as_deref() == Some(r.type_name.as_str()))
}

fn invalid_definitions(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    // Whole-type problems, at the Reflect call in this file.
    for r in &cx.model.reflects {
        if r.type_name.is_empty() {
            continue;
        }
        let (s, e) = r.span.range();
        let Some(svc) = reflected_service(cx, r) else {
            continue;
        };
        let candidates: Vec<&crate::analysis::workspace::Handler> = svc
            .handlers
            .iter()
            .filter(|h| r.pointer || !handler_on_pointer(cx, h))
            .collect();
        if candidates.is_empty() {
            out.push(Finding::new(
                "RS5005",
                s,
                e,
                format!(
                    "restate.Reflect({}{{}}) passes a value, but the handlers are defined on *{}: the SDK skips them and panics with \"no valid handlers\"; pass &{}{{}}",
                    r.type_name, r.type_name, r.type_name
                ),
            ));
            continue;
        }
        if svc.kind == ServiceKind::Workflow && mixed_family_free(&candidates) {
            let runs = candidates
                .iter()
                .filter(|h| h.kind == HandlerKind::WorkflowRun)
                .count();
            if runs != 1 {
                out.push(Finding::new(
                    "RS5005",
                    s,
                    e,
                    format!(
                        "workflow `{}` has {runs} handlers taking restate.WorkflowContext; a workflow needs exactly one run handler (the others take WorkflowSharedContext), or the SDK panics at start-up",
                        svc.name
                    ),
                ));
            }
        }
    }
    // Per-method problems, at the method in this file, for registered types.
    let Some((_, pkg)) = cx.ws.package_of(cx.path) else {
        return;
    };
    for svc in pkg
        .services
        .iter()
        .filter(|s| s.type_name.is_some() && cx.ws.is_reflected(s))
    {
        for (name, loc, problem) in &svc.invalid {
            if loc.path != cx.path {
                continue;
            }
            let (s, e) = loc.span.range();
            out.push(Finding::new(
                "RS5005",
                s,
                e,
                format!(
                    "handler `{}.{name}` {problem}: restate.Reflect panics at start-up",
                    svc.name
                ),
            ));
        }
        // Mixed context families: the first method by name sets the family.
        let mut sorted: Vec<&crate::analysis::workspace::Handler> = svc.handlers.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        let Some(first) = sorted.first() else {
            continue;
        };
        let fam = first.kind.service_kind();
        for h in sorted.iter().skip(1) {
            if h.kind.service_kind() == fam || h.loc.path != cx.path {
                continue;
            }
            let (s, e) = h.loc.span.range();
            out.push(Finding::new(
                "RS5005",
                s,
                e,
                format!(
                    "`{}.{}` is a {} handler but `{}` (first by name) makes `{}` a {}: one type cannot mix context families, and restate.Reflect panics",
                    svc.name,
                    h.name,
                    h.kind.service_kind().label(),
                    first.name,
                    svc.name,
                    fam.label()
                ),
            ));
        }
    }
}

fn mixed_family_free(handlers: &[&crate::analysis::workspace::Handler]) -> bool {
    let fams: Vec<ServiceKind> = handlers.iter().map(|h| h.kind.service_kind()).collect();
    fams.windows(2).all(|w| w[0] == w[1])
}

fn handler_on_pointer(cx: &FileContext<'_>, h: &crate::analysis::workspace::Handler) -> bool {
    h.func_ref
        .as_ref()
        .and_then(|r| cx.ws.function(r))
        .and_then(|(_, f)| f.receiver.as_ref())
        .is_some_and(|r| r.pointer)
}

// ---- RS5006 ---------------------------------------------------------------------------------------

fn polling_loops(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for f in &cx.facts.fors {
        if !facts::in_handler(cx.model, f.func) {
            continue;
        }
        if named_children(f.node)
            .iter()
            .any(|c| c.kind() == "range_clause")
        {
            continue;
        }
        let Some(body) = field(f.node, "body") else {
            continue;
        };
        // Directly, or through helpers of the workspace (a Run wrapper, a helper that reads
        // state or sleeps).
        let helpers = |c: &facts::CallFact<'_>, flag: u8| {
            c.sdk.is_none()
                && cx
                    .callees(&c.parts)
                    .iter()
                    .any(|f| f.summary.has(flag) || f.summary.run_wrapper().is_some())
        };
        let observes = cx.facts.calls_in(body).iter().any(|c| {
            (matches!(
                c.sdk.and_then(op_class),
                Some(OpClass::StateRead | OpClass::Run)
            ) || futures::method_call(&c.parts, cx.src).is_some_and(|(r, m)| {
                m == "Request" && futures::kind_of(r, cx.sem, cx.model) == Some(FutureKind::Client)
            }) || helpers(c, Summary::JOURNALS))
        });
        let sleeps = cx.facts.calls_in(body).iter().any(|c| {
            c.sdk == Some("Sleep")
                    || matches!(c.parts.callee(cx.src), go::Callee::Selector { operand_ident: Some(a), name: "Sleep", .. } if cx.model.import_path_for(a) == Some("time"))
                    || (c.sdk.is_none()
                        && cx
                            .callees(&c.parts)
                            .iter()
                            .any(|f| f.summary.has(Summary::SLEEPS)))
        });
        if !(observes && sleeps) {
            continue;
        }
        // Bounded by an attempt counter, or sleeping a backoff: a hand-written retry (RS3007's
        // business), not a wait for something to change.
        if retry_shaped(cx, f.node, body) {
            continue;
        }
        let mut exits = false;
        go::walk(body, |n| {
            if n != body && go::is_func_like(n.kind()) {
                return false;
            }
            if matches!(n.kind(), "break_statement" | "return_statement") {
                exits = true;
            }
            !exits
        });
        if exits {
            let holds = match facts::handler_root(cx.model, f.func)
                .and_then(|(_, h)| h.ctx.as_ref().map(|c| c.kind))
            {
                Some(CtxKind::ObjectExclusive) => {
                    "and the exclusive handler keeps the object's key locked the whole time"
                }
                Some(CtxKind::WorkflowRun) => "and the workflow's run handler stays busy",
                _ => "and the invocation stays open the whole time",
            };
            out.push(Finding::new(
                "RS5006",
                f.node.start_byte(),
                f.node.start_byte() + 3,
                format!(
                    "polling loop: each round adds journal entries {holds}; wait for an awakeable or durable promise, or re-schedule with a delayed send instead"
                ),
            ));
        }
    }
}

/// A hand-written retry: the sleep grows with the round (a backoff: it uses the loop counter, a
/// shift or `math.Pow`), or the loop is bounded by an attempt counter (`for attempt := 1; attempt
/// <= max; attempt++`, `for i := range 5`) and goes round again on an error. A loop that waits for
/// a status to change at a fixed pace is polling, even with a bound.
pub fn retry_shaped<'t>(cx: &FileContext<'t>, for_node: Node<'t>, body: Node<'t>) -> bool {
    let counter = loop_counter(cx, for_node);
    let backoff = cx.facts.calls_in(body).iter().any(|c| {
        let sleeps = c.sdk.is_some_and(|n| matches!(n, "Sleep" | "After"))
            || matches!(c.parts.callee(cx.src), go::Callee::Selector { operand_ident: Some(a), name: "Sleep", .. } if cx.model.import_path_for(a) == Some("time"));
        let Some(d) = c.parts.args.last().filter(|_| sleeps) else {
            return false;
        };
        let t = text(*d, cx.src);
        t.contains("<<")
            || t.contains("Pow(")
            || counter.is_some_and(|b| {
                cx.sem
                    .uses(b)
                    .iter()
                    .any(|u| go::contains(*d, *u))
            })
    });
    backoff || (counter.is_some() && crate::analysis::rules::run::retries_on_error(cx, body))
}

/// The counter binding of `for i := 0; i < n; i++` (not iterating `len(xs)`) or `for i := range N`.
fn loop_counter<'t>(cx: &FileContext<'t>, for_node: Node<'t>) -> Option<u32> {
    let clause = named_children(for_node)
        .into_iter()
        .find(|c| matches!(c.kind(), "for_clause" | "range_clause"))?;
    if clause.kind() == "range_clause" {
        // Ranging over an integer: the right side is an int literal or an int-typed name.
        let right = field(clause, "right")?;
        let int = right.kind() == "int_literal"
            || cx.sem.type_of(right).is_some_and(|t| t == "int")
            || cx
                .sem
                .constant(right)
                .and_then(|d| d.value)
                .is_some_and(|v| v.kind() == "int_literal");
        let var = field(clause, "left").and_then(|l| named_children(l).into_iter().next())?;
        return int.then(|| cx.sem.binding_of(var)).flatten();
    }
    let init = field(clause, "initializer")?;
    let cond = field(clause, "condition")?;
    if text(cond, cx.src).contains("len(") || cond.kind() != "binary_expression" {
        return None;
    }
    let var = field(init, "left").and_then(|l| named_children(l).into_iter().next())?;
    let b = cx.sem.binding_of(var)?;
    let compares = cx.sem.uses(b).iter().any(|u| go::contains(cond, *u));
    compares.then_some(b)
}

// ---- RS5007 ---------------------------------------------------------------------------------------

/// Keys written (literal) by a service and whether any write uses a computed key: writes in its
/// handlers (and the literals inside them) and in package helpers that take a context able to write
/// state. Each write is attributed by walking up from its function, so this is linear in the writes
/// (it runs on every keystroke in a file with many handlers).
fn written_keys(cx: &FileContext<'_>, svc: &Service) -> (Vec<String>, bool) {
    let handlers: std::collections::HashSet<(&std::path::Path, u32)> = svc
        .handlers
        .iter()
        .filter_map(|h| h.func_ref.as_ref().map(|(p, i)| (p.as_path(), *i)))
        .collect();
    let mut files = cx.ws.package_files(&svc.loc.path);
    for h in &svc.handlers {
        if let Some((f, _)) = h.func_ref.as_ref().and_then(|r| cx.ws.function(r))
            && !files.iter().any(|g| g.path == f.path)
        {
            files.push(f);
        }
    }
    let mut keys = vec![];
    let mut dynamic = false;
    for f in files {
        let m = &f.model;
        let counts = |i: u32| {
            if handlers.contains(&(f.path.as_path(), i)) {
                return true;
            }
            m.functions.get(i as usize).is_some_and(|func| {
                func.kind != FuncKind::Literal
                    && func.ctx.as_ref().is_some_and(|c| {
                        matches!(c.kind, CtxKind::ObjectExclusive | CtxKind::WorkflowRun)
                    })
            })
        };
        for op in m.state_ops.iter().filter(|o| o.op == StateOpKind::Set) {
            let mut cur = op.func;
            let mut counted = false;
            while let Some(i) = cur {
                if counts(i) {
                    counted = true;
                    break;
                }
                cur = m.functions.get(i as usize).and_then(|g| g.parent);
            }
            if !counted {
                continue;
            }
            match &op.key {
                Some(k) => keys.push(k.value.clone()),
                None => dynamic |= op.dynamic_key,
            }
        }
    }
    (keys, dynamic)
}

fn unknown_state_keys(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    if cx.ws.partial {
        return;
    }
    // Per service: the keys its handlers write (a set, asked once per read) and whether one is
    // dynamic.
    type Written = (Vec<String>, std::collections::HashSet<String>, bool);
    let mut cache: std::collections::HashMap<String, Written> = std::collections::HashMap::new();
    for op in &cx.model.state_ops {
        if !matches!(op.op, StateOpKind::Get | StateOpKind::Clear) {
            continue;
        }
        let Some(key) = &op.key else { continue };
        let Some(root) = op
            .func
            .and_then(|i| match cx.model.functions.get(i as usize)?.region {
                crate::analysis::model::Region::Handler { root } => Some(root),
                _ => None,
            })
        else {
            continue;
        };
        let Some((svc, _)) = cx.handler_of(root) else {
            continue;
        };
        let (keys, set, dynamic) = cache.entry(svc.name.clone()).or_insert_with(|| {
            let (keys, dynamic) = written_keys(cx, svc);
            let set = keys.iter().cloned().collect();
            (keys, set, dynamic)
        });
        if *dynamic || set.contains(&key.value) {
            continue;
        }
        let hint = suggest(&key.value, keys.iter().map(String::as_str));
        let (s, e) = op.span.range();
        let verb = if op.op == StateOpKind::Get {
            "read"
        } else {
            "cleared"
        };
        let mut f = Finding::new(
            "RS5007",
            s,
            e,
            match hint {
                Some(h) => format!(
                    "state key \"{}\" is {verb} but `{}` never sets it; did you mean \"{h}\"?",
                    key.value, svc.name
                ),
                None => format!(
                    "state key \"{}\" is {verb} but `{}` never sets it",
                    key.value, svc.name
                ),
            },
        );
        if let Some(h) = hint {
            let (ks, ke) = key.span.range();
            f.fixes.push(Fix {
                title: format!("Use \"{h}\""),
                edits: vec![Edit::replace(ks, ke, h)],
                safe: false,
                snippet: false,
            });
        }
        out.push(f);
    }
}

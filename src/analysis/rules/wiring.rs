//! RS5002-RS5004: calls between services, made by name. The names are strings the Go compiler never
//! checks: a typo, a wrong kind or swapped arguments fail at run time (RT0011/RT0018), and an
//! exclusive handler waiting on its own key, or on a cycle of objects, waits forever.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::analysis::findings::{Edit, Finding, Fix, Related};
use crate::analysis::model::{ClientMethod, KeyArg, Region, ServiceCall};
use crate::analysis::resolve;
use crate::analysis::restate_api::{CallApi, HandlerKind, ServiceKind};
use crate::analysis::rules::FileContext;
use crate::analysis::workspace::{CallEdge, Service};

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.model.calls {
        unknown_target(cx, c, out);
        self_deadlock(cx, c, out);
    }
    call_cycles(cx, out);
}

/// The closest name by edit distance, when close enough to be a typo.
/// Else, the only candidate sharing a long prefix with the name, or containing it (ignoring case):
/// `Items` -> `ItemList`.
pub fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let w = wanted.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let mut containing: Vec<&str> = vec![];
    for c in candidates {
        let lc = c.to_lowercase();
        let d = strsim::damerau_levenshtein(&w, &lc);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
        let common = w
            .chars()
            .zip(lc.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let long_prefix =
            common >= 3 && common * 3 >= w.chars().count().min(lc.chars().count()) * 2;
        let contains = w.len() >= 3 && lc.len() >= 3 && (lc.contains(&w) || w.contains(&lc));
        if (long_prefix || contains) && !containing.contains(&c) {
            containing.push(c);
        }
    }
    best.map(|(_, c)| c)
        .or_else(|| (containing.len() == 1).then(|| containing[0]))
}

fn replace_lit(title: String, lit: &crate::analysis::model::Lit, text: &str) -> Fix {
    let (s, e) = lit.span.range();
    Fix {
        title,
        edits: vec![Edit::replace(s, e, text)],
        safe: false,
        snippet: false,
    }
}

fn call_form(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Service => "restate.Service(ctx, name, handler) / ServiceSend",
        ServiceKind::Object => "restate.Object(ctx, name, key, handler) / ObjectSend",
        ServiceKind::Workflow => "restate.Workflow(ctx, name, id, handler) / WorkflowSend",
    }
}

fn unknown_target(cx: &FileContext<'_>, c: &ServiceCall, out: &mut Vec<Finding>) {
    if cx.ws.partial {
        return;
    }
    let Some(svc) = &c.service else { return };
    if cx.config.known_services.contains(&svc.value) {
        return;
    }
    let (s, e) = c.span.range();
    let defs = resolve::services_for(cx.ws, cx.path, &svc.value);
    if defs.is_empty() {
        // The Go type name of a service that registers under another name.
        if let Some(real) = cx
            .ws
            .services()
            .find(|x| x.type_name.as_deref() == Some(svc.value.as_str()))
        {
            out.push(
                Finding::new(
                    "RS5004",
                    s,
                    e,
                    format!(
                        "`{}` is the Go type; the service registers as `{}` (its ServiceName), so calls must use that name",
                        svc.value, real.name
                    ),
                )
                .with_fix(replace_lit(format!("Use \"{}\"", real.name), svc, &real.name)),
            );
            return;
        }
        let kind = c.api.target_kind();
        let same_kind = || {
            cx.ws
                .services()
                .filter(move |x| x.kind == kind)
                .map(|x| x.name.as_str())
        };
        // A replacement is only right if the service it names has the handler being called.
        let fitting = c.handler.as_ref().map(|h| {
            cx.ws
                .services()
                .filter(|x| x.kind == kind && x.handler(&h.value).is_some())
                .map(|x| x.name.as_str())
        });
        let fix_to = match fitting {
            Some(fitting) => suggest(&svc.value, fitting),
            None => suggest(&svc.value, same_kind()),
        };
        let hint = fix_to
            .or_else(|| suggest(&svc.value, same_kind()))
            .or_else(|| suggest(&svc.value, cx.ws.service_names().map(String::as_str)));
        let mut f = Finding::new(
            "RS5004",
            s,
            e,
            match hint {
                Some(h) => format!(
                    "no service named `{}` is defined in the workspace; did you mean `{h}`? (if it is deployed from elsewhere, list it in [unknown-target] known-services)",
                    svc.value
                ),
                None => format!(
                    "no service named `{}` is defined in the workspace; if it is deployed from elsewhere, list it in [unknown-target] known-services",
                    svc.value
                ),
            },
        );
        if let Some(h) = fix_to {
            f.fixes.push(replace_lit(format!("Use \"{h}\""), svc, h));
        }
        out.push(f);
        return;
    }
    let want = c.api.target_kind();
    let Some(def) = defs.iter().find(|d| d.kind == want).or(defs.first()) else {
        return;
    };
    if def.kind != want {
        out.push(Finding::new(
            "RS5004",
            s,
            e,
            format!(
                "`{}` is a {}, but restate.{} calls a {}: call it with {}",
                def.name,
                def.kind.label(),
                c.api.name(),
                want.label(),
                call_form(def.kind)
            ),
        ));
        return;
    }
    // Key and handler swapped: the key literal names a handler.
    if let Some(KeyArg::Literal(k)) = &c.key
        && def.handler(&k.value).is_some()
        && c.handler
            .as_ref()
            .is_none_or(|h| def.handler(&h.value).is_none())
    {
        out.push(Finding::new(
                "RS5004",
                s,
                e,
                format!(
                    "the key argument \"{}\" is a handler of `{}`: the key and handler arguments look swapped (the order is service, key, handler)",
                    k.value, def.name
                ),
            ));
        return;
    }
    let Some(h) = &c.handler else { return };
    if def.handler(&h.value).is_some() {
        return;
    }
    let names = || def.handlers.iter().map(|x| x.name.as_str());
    if let Some(exact) = names().find(|n| n.eq_ignore_ascii_case(&h.value)) {
        out.push(
            Finding::new(
                "RS5004",
                s,
                e,
                format!(
                    "handler names are case-sensitive: `{}` has `{exact}`, not `{}`",
                    def.name, h.value
                ),
            )
            .with_fix(replace_lit(format!("Use \"{exact}\""), h, exact)),
        );
        return;
    }
    let hint = suggest(&h.value, names());
    let list: Vec<&str> = names().collect();
    let mut f = Finding::new(
        "RS5004",
        s,
        e,
        match hint {
            Some(x) => format!(
                "`{}` has no handler `{}`; did you mean `{x}`?",
                def.name, h.value
            ),
            None => format!(
                "`{}` has no handler `{}`; it has: {}",
                def.name,
                h.value,
                list.join(", ")
            ),
        },
    );
    if let Some(x) = hint {
        f.fixes.push(replace_lit(format!("Use \"{x}\""), h, x));
    }
    out.push(f);
}

/// The registered handler whose code contains function `func` of this file.
fn caller<'a>(
    cx: &FileContext<'a>,
    func: Option<u32>,
) -> Option<(&'a Arc<Service>, &'a crate::analysis::workspace::Handler)> {
    let root = match cx.model.functions.get(func? as usize)?.region {
        Region::Handler { root } => root,
        _ => return None,
    };
    cx.handler_of(root)
}

fn self_deadlock(cx: &FileContext<'_>, c: &ServiceCall, out: &mut Vec<Finding>) {
    if c.ingress || c.api != CallApi::Object || !c.awaited || c.key != Some(KeyArg::OwnKey) {
        return;
    }
    let (Some(svc), Some(h)) = (&c.service, &c.handler) else {
        return;
    };
    let Some((s, me)) = caller(cx, c.func) else {
        return;
    };
    if me.kind != HandlerKind::Exclusive || s.name != svc.value {
        return;
    }
    let Some(target) = s.handler(&h.value) else {
        return;
    };
    if target.kind != HandlerKind::Exclusive {
        return;
    }
    let (start, end) = c.span.range();
    let mut f = Finding::new(
        "RS5002",
        start,
        end,
        format!(
            "`{}` waits for `{}/{}` on its own key: the call queues behind the lock this handler holds and never runs (deadlock); use restate.ObjectSend, a shared handler, or call the Go method directly",
            me.name, s.name, h.value
        ),
    );
    // `restate.Object[T](...).Request(x)` as a statement -> `restate.ObjectSend(...).Send(x)`.
    if c.result_unused
        && c.method == Some(ClientMethod::Request)
        && let Some(m) = c.method_span
    {
        let (ms, me_) = m.range();
        f.fixes.push(Fix {
            title: "Send one-way with restate.ObjectSend".into(),
            edits: vec![
                Edit::replace(
                    c.api_span.start as usize,
                    c.ctor_open as usize,
                    "ObjectSend",
                ),
                Edit::replace(ms, me_, "Send"),
            ],
            safe: false,
            snippet: false,
        });
    }
    out.push(f);
}

fn is_exclusive_object_handler(cx: &FileContext<'_>, svc: &str, handler: &str) -> bool {
    cx.ws.services_named(svc).iter().any(|s| {
        s.kind == ServiceKind::Object
            && s.handler(handler)
                .is_some_and(|h| h.kind == HandlerKind::Exclusive)
    })
}

fn call_cycles(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let Some((_, pkg)) = cx.ws.package_of(cx.path) else {
        return;
    };
    for edge in pkg.edges.iter().filter(|e| e.path == cx.path) {
        if !is_exclusive_object_handler(cx, &edge.to.0, &edge.to.1) {
            continue;
        }
        let Some(path) = cycle_back(cx, edge) else {
            continue;
        };
        let services: HashSet<&str> = path.iter().map(|e| e.from.0.as_str()).collect();
        if services.len() < 2 {
            continue;
        }
        let (s, e) = edge.span.range();
        let hops: Vec<String> = path
            .iter()
            .map(|e| format!("{}/{}", e.from.0, e.from.1))
            .collect();
        let mut f = Finding::new(
            "RS5003",
            s,
            e,
            format!(
                "request-response cycle between exclusive handlers: {} → {}/{}; each waits for the next while holding its key, so the cycle can deadlock; make one hop a one-way send or a shared handler",
                hops.join(" → "),
                edge.from.0,
                edge.from.1
            ),
        );
        for hop in path.iter().skip(1) {
            f.related.push(Related {
                path: (hop.path != cx.path).then(|| hop.path.clone()),
                span: hop.span,
                message: format!(
                    "{}/{} calls {}/{} here",
                    hop.from.0, hop.from.1, hop.to.0, hop.to.1
                ),
            });
        }
        out.push(f);
    }
}

/// Breadth-first over objects from `edge`'s target back to the caller's object. Locks are per key,
/// not per handler, so reaching any exclusive handler of an object continues with the calls of all
/// its exclusive handlers (a potential deadlock: the keys are not known). Returns the edges of the
/// cycle, starting with `edge`.
/// Longest cycle reported, in objects. Longer request-response chains are not designed as loops,
/// and following them would make every keystroke walk the workspace's whole call graph.
pub const MAX_CYCLE_OBJECTS: usize = 8;

fn cycle_back(cx: &FileContext<'_>, edge: &Arc<CallEdge>) -> Option<Vec<Arc<CallEdge>>> {
    let start = edge.from.0.clone();
    let mut prev: HashMap<String, Arc<CallEdge>> = HashMap::new();
    let mut queue: VecDeque<(String, usize)> = VecDeque::new();
    let mut seen: HashSet<String> = HashSet::new();
    queue.push_back((edge.to.0.clone(), 2));
    seen.insert(edge.to.0.clone());
    while let Some((obj, objects)) = queue.pop_front() {
        if obj == start {
            let mut path = vec![];
            let mut cur = obj;
            while cur != edge.to.0 {
                let e = prev.get(&cur)?.clone();
                cur = e.from.0.clone();
                path.push(e);
            }
            path.push(edge.clone());
            path.reverse();
            return Some(path);
        }
        for e in cx.ws.edges_from(&obj) {
            if !is_exclusive_object_handler(cx, &e.to.0, &e.to.1) {
                continue;
            }
            // `objects` counts A, B and the objects up to `obj`; only the hop back to A may follow
            // once the limit is reached.
            if objects >= MAX_CYCLE_OBJECTS && e.to.0 != start {
                continue;
            }
            if seen.insert(e.to.0.clone()) {
                prev.insert(e.to.0.clone(), e.clone());
                queue.push_back((e.to.0.clone(), objects + 1));
            }
        }
    }
    None
}

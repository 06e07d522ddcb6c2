//! RS1001-RS1010: replay determinism of handler code outside Run closures. Direct effects come from
//! the model; effects of helpers are found by a search over the workspace call graph and reported at
//! the call site in the handler with the chain as related information.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use crate::analysis::callee::{Reach, Types};
use crate::analysis::effects::Effect;
use crate::analysis::findings::{Finding, Related, Severity};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::model::{
    CallTarget, EffectSite, FileModel, FuncKind, Function, Region, Summary,
};
use crate::analysis::restate_api;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::determinism_fixes;
use crate::analysis::rules::facts::{self, Facts};
use crate::analysis::rules::flowkit;
use crate::analysis::semantic::DeclKind;
use crate::analysis::semantic::types;
use crate::analysis::span::Span;
use crate::analysis::workspace::Workspace;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let from = out.len();
    direct_effects(cx, out);
    transitive_effects(cx, out);
    sole_effects(cx, &mut out[from..]);
    map_order(cx, cx.facts, out);
    global_state(cx, cx.facts, out);
    receiver_state(cx, cx.facts, out);
}

/// A handler that journals nothing and has one effect (one write, or one transaction) is retried
/// from the top like a Run step would be: wrapping that effect adds a journal entry, not safety.
/// Its RS1006 findings become info. With two effects or more a retry repeats the first after the
/// second failed, which steps would prevent, so they stay warnings.
fn sole_effects(cx: &FileContext<'_>, found: &mut [Finding]) {
    let types = Types::new(cx.ws, cx.path);
    let mut by_root: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, f) in found.iter().enumerate() {
        if f.code != "RS1006" || f.severity != Severity::Warning {
            continue;
        }
        if let Some((_, func)) = cx.model.function_at(f.start)
            && let Region::Handler { root } = func.region
        {
            by_root.entry(root).or_default().push(i);
        }
    }
    for (root, idx) in by_root {
        let subjects: Vec<&str> = idx
            .iter()
            .filter_map(|i| found[*i].message.split('`').nth(1))
            .collect();
        let in_tx = subjects.iter().any(|s| s.ends_with(".Commit"));
        let writes = subjects
            .iter()
            .filter(|s| !flowkit::is_read_name(s))
            .count();
        // Only a handler is retried from the top; a helper given a Restate context is part of
        // its callers, which may journal.
        let Some(h) = cx.model.functions.get(root as usize) else {
            continue;
        };
        let handler =
            cx.handler_of(root).is_some() || (h.receiver.is_some() && go::is_exported(&h.name));
        if !handler || (writes > 1 && !in_tx) || handler_journals(cx, &types, root) {
            continue;
        }
        for i in idx {
            let f = &mut found[i];
            f.severity = Severity::Info;
            f.message.push_str(
                " (this handler journals nothing and has this one effect: a retry runs it again from the top, as it would a Run step; wrap it once the handler journals other steps)",
            );
        }
    }
}

/// Whether the handler at function `root` journals anything: a Restate operation in its body or
/// closures, or a call given its context that reaches code doing so (workspace helpers, code
/// written for Restate, clients that dispatch on a Restate context).
fn handler_journals(cx: &FileContext<'_>, types: &Types<'_>, root: u32) -> bool {
    let Some(h) = cx.model.functions.get(root as usize) else {
        return true;
    };
    if h.summary.has(Summary::JOURNALS) {
        return true;
    }
    let mut seen: HashSet<FuncRef> = HashSet::new();
    let mut queue: VecDeque<FuncRef> = VecDeque::new();
    let starts = cx
        .model
        .functions
        .iter()
        .enumerate()
        .filter(|(i, _)| facts::within(cx.model, Some(*i as u32), root));
    for (_, g) in starts {
        for c in g.ctx_calls() {
            match types.ctx_call(c) {
                Reach::Restate => return true,
                Reach::Workspace(ts) => queue.extend(ts),
                Reach::Outside => {}
            }
        }
    }
    while let Some(t) = queue.pop_front() {
        if seen.len() > 64 || !seen.insert(t.clone()) {
            continue;
        }
        let Some((file, func)) = cx.ws.function(&t) else {
            continue;
        };
        if func
            .summary
            .has(Summary::JOURNALS | Summary::DISPATCHES_ON_RESTATE_CTX)
        {
            return true;
        }
        let inner = Types::new(cx.ws, &file.path);
        for c in func.ctx_calls() {
            match inner.ctx_call(c) {
                Reach::Restate => return true,
                Reach::Workspace(ts) => queue.extend(ts),
                Reach::Outside => {}
            }
        }
    }
    false
}

fn message(effect: Effect, what: &str) -> String {
    match effect {
        Effect::WallClock => format!(
            "`{what}` reads the wall clock outside restate.Run, so a replay sees a different time; journal it with restate.Run"
        ),
        Effect::Sleep => format!(
            "`{what}` is not durable: the wait is lost or restarted when the invocation replays or suspends; use restate.Sleep or restate.After"
        ),
        Effect::Random => format!(
            "`{what}` returns different values on replay; use restate.Rand(ctx) (or restate.Run for crypto/rand)"
        ),
        Effect::RandomId => format!(
            "`{what}` generates a new identifier on every replay; use restate.UUID(ctx) or generate it inside restate.Run"
        ),
        Effect::Env => format!(
            "`{what}` may differ between the first run and a replay on another host; read it once at start-up"
        ),
        Effect::SideEffect => format!(
            "`{what}` runs again on every replay and its result is not journaled; wrap it in restate.Run"
        ),
        Effect::Logging => {
            format!("`{what}` prints again on every replay; log with ctx.Log() instead")
        }
    }
}

fn direct_effects(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for f in &cx.model.functions {
        if !f.is_handler_region() {
            continue;
        }
        let pending = resolved_pending(cx, cx.path, f);
        for e in f.effects().iter().chain(pending.iter()).cloned() {
            let (s, end) = e.span.range();
            let mut finding = Finding::new(e.effect.rule(), s, end, message(e.effect, &e.what));
            let subject = format!("`{}`", e.what);
            if !judge_by_flow(cx, &mut finding, e.effect, &e.what, &subject, false) {
                continue;
            }
            if e.effect == Effect::SideEffect
                && is_file_read(&e.what)
                && let Some(call) = node_at(cx, s, end)
                && !go::call_parts(call)
                    .and_then(|p| p.arg(0))
                    .is_some_and(|a| flowkit::derives_from_input(cx, a))
            {
                config_read(&mut finding, &e.what);
            }
            finding.fixes = determinism_fixes::effect_fixes(cx, e.effect, s, end);
            out.push(finding);
        }
        // Calls that receive the handler's context and leave the workspace: I/O by convention.
        let types = Types::new(cx.ws, cx.path);
        for c in f.ctx_calls() {
            if types.ctx_call(c) != Reach::Outside || pending.iter().any(|e| e.span == c.span) {
                continue;
            }
            // Opening or rolling back a transaction changes nothing by itself: the statements
            // in it and its commit are reported.
            if matches!(
                c.what.rsplit('.').next(),
                Some("Begin" | "BeginTx" | "BeginTxx" | "Rollback")
            ) {
                continue;
            }
            let (s, end) = c.span.range();
            let message = match types.dependency(&c.callee).and_then(|d| d.io.as_deref()) {
                Some(io) => format!(
                    "`{}` does I/O (its module's code reaches {}): it runs again on every replay and its result is not journaled; wrap it in restate.Run",
                    c.what,
                    io_chain(io)
                ),
                None => format!(
                    "`{}` receives the handler context, so by Go convention it does I/O: it runs again on every replay and its result is not journaled; wrap it in restate.Run",
                    c.what
                ),
            };
            let mut finding = Finding::new("RS1006", s, end, message);
            if flowkit::is_read_name(&c.what) && !read_matters(cx, &mut finding, &c.what) {
                continue;
            }
            out.push(finding);
        }
        dependency_io(cx, f, &types, &pending, out);
    }
}

/// Calls of a dependency's package functions that take no context but reach I/O, as the
/// dependency summaries show (`toml.DecodeFile`, stripe's `customer.New`); calls the client table
/// or the context convention already report are left to them.
fn dependency_io(
    cx: &FileContext<'_>,
    f: &Function,
    types: &Types<'_>,
    pending: &[EffectSite],
    out: &mut Vec<Finding>,
) {
    for call in &f.calls {
        let Some(io) = types
            .dependency_of(&call.target)
            .and_then(|d| d.io.as_deref())
        else {
            continue;
        };
        let known = |span: Span| {
            f.effects().iter().chain(pending).any(|e| e.span == span)
                || f.ctx_calls().iter().any(|c| c.span == span)
        };
        if known(call.span) {
            continue;
        }
        let CallTarget::PkgFunc { path, name } = &call.target else {
            continue;
        };
        let pkg = cx.ws.deps.package_name(path).unwrap_or(path);
        let what = format!("{pkg}.{name}");
        let (s, end) = call.span.range();
        let mut finding = Finding::new(
            "RS1006",
            s,
            end,
            format!(
                "`{what}` does I/O (its module's code reaches {}): it runs again on every replay and its result is not journaled; wrap it in restate.Run",
                io_chain(io)
            ),
        );
        let last = io.rsplit(" -> ").next().unwrap_or(io);
        if is_file_read(last)
            && let Some(node) = node_at(cx, s, end)
            && !go::call_parts(node)
                .and_then(|p| p.arg(0))
                .is_some_and(|a| flowkit::derives_from_input(cx, a))
        {
            config_read(&mut finding, &what);
        }
        finding.fixes = determinism_fixes::effect_fixes(cx, Effect::SideEffect, s, end);
        out.push(finding);
    }
}

/// A read outside Run is only a problem when its result reaches the journal or decides what is
/// journaled (a replay can then diverge); read again on a retry, a result that only shapes the
/// response is harmless: a hint. Returns false when the finding is dropped.
fn read_matters(cx: &FileContext<'_>, finding: &mut Finding, what: &str) -> bool {
    let Some(node) = node_at(cx, finding.start, finding.end) else {
        return true;
    };
    match flowkit::judge(cx, node, what, flowkit::Value::Query) {
        flowkit::Verdict::Keep { related, .. } => {
            finding.message = format!(
                "`{what}` reads outside restate.Run and its result is used by journaled operations: a replay reads again and can see different data, so the handler can diverge from its journal; wrap it in restate.Run"
            );
            finding.related.extend(related);
            true
        }
        flowkit::Verdict::Hint { related } => {
            finding.severity = Severity::Hint;
            finding.message = format!(
                "`{what}` reads outside restate.Run, but its result only shapes the handler's response: a retry reads again; wrap it in restate.Run if the response must match what an earlier attempt saw"
            );
            finding.related.extend(related);
            true
        }
        flowkit::Verdict::Drop => false,
    }
}

/// A summary's I/O chain for a message: `` `os.ReadFile` `` or
/// `` `(*net/http.Client).Do` through `requestconfig.ExecuteNewRequest` ``.
fn io_chain(io: &str) -> String {
    let hops: Vec<&str> = io.split(" -> ").collect();
    match hops.as_slice() {
        [] => String::new(),
        [only] => format!("`{only}`"),
        [.., before, last] => {
            let short = before.rsplit('/').next().unwrap_or(before);
            format!("`{last}` through `{short}`")
        }
    }
}

/// Reading a file (a schema, a template, configuration shipped with the service).
fn is_file_read(what: &str) -> bool {
    matches!(
        what.rsplit('.').next(),
        Some("ReadFile" | "Open" | "ReadDir" | "ParseFiles" | "ParseGlob")
    )
}

/// A file read whose path is not the invocation's input or state reads the same on a replay
/// unless the file changes: info, not a warning.
fn config_read(finding: &mut Finding, what: &str) {
    finding.severity = Severity::Info;
    finding.message = format!(
        "`{what}` reads a file outside restate.Run with a path that is not the invocation's input: fine for configuration shipped with the service, which reads the same on a replay; if the file can change between attempts, read it inside restate.Run"
    );
}

/// Effects whose harm depends on where the value goes (the clock, randomness, ids, the
/// environment); a wall-clock sleep or I/O is a problem wherever it happens.
fn flows_matter(effect: Effect) -> bool {
    matches!(
        effect,
        Effect::WallClock | Effect::Random | Effect::RandomId | Effect::Env
    )
}

/// Adjust a finding about a replay-divergent value to where the value goes (`flowkit`): keep it
/// with the path as related information, make it a hint when only the response carries the value,
/// or drop it (false). `through_helper`: the value comes back from a helper call, which may also
/// have written it into what the call was given.
fn judge_by_flow(
    cx: &FileContext<'_>,
    finding: &mut Finding,
    effect: Effect,
    what: &str,
    subject: &str,
    through_helper: bool,
) -> bool {
    if !flows_matter(effect) {
        return true;
    }
    let Some(node) = node_at(cx, finding.start, finding.end) else {
        return true;
    };
    if through_helper && hands_over_references(cx, node) {
        return true;
    }
    let value = match effect {
        Effect::Random | Effect::RandomId => flowkit::Value::Generated,
        _ => flowkit::Value::Reading,
    };
    match flowkit::judge(cx, node, what, value) {
        flowkit::Verdict::Keep {
            related,
            captured_and_used,
        } => {
            finding.related.extend(related);
            if captured_and_used {
                finding.message = format!(
                    "{subject} differs on every replay, and it is both captured by a restate.Run step and used after it: after a replay the step's journaled outcome was computed from a value the rest of the handler no longer sees; {}",
                    captured_advice(effect)
                );
            }
            true
        }
        flowkit::Verdict::Hint { related } => {
            finding.severity = Severity::Hint;
            finding.message = format!(
                "{subject} differs on replay, but only in the handler's response; {}",
                hint_advice(effect)
            );
            finding.related.extend(related);
            true
        }
        flowkit::Verdict::Drop => false,
    }
}

fn captured_advice(effect: Effect) -> &'static str {
    match effect {
        Effect::RandomId => {
            "generate it with restate.UUID(ctx), or inside the step and use the step's result"
        }
        Effect::Random => "draw it with restate.Rand(ctx), or inside the step and use its result",
        _ => "produce it inside the step and use the step's result",
    }
}

fn hint_advice(effect: Effect) -> &'static str {
    match effect {
        Effect::WallClock => "journal it with restate.Run if callers need a stable value",
        Effect::Random => "use restate.Rand(ctx) if callers need a stable value",
        Effect::RandomId => "use restate.UUID(ctx) if callers need a stable id",
        _ => "read it at start-up if callers need a stable value",
    }
}

/// The expression (call or selector) that spans exactly `[start, end)`.
fn node_at<'t>(cx: &FileContext<'t>, start: usize, end: usize) -> Option<Node<'t>> {
    let mut n = cx.sem.root().descendant_for_byte_range(start, end)?;
    while n.start_byte() == start && n.end_byte() == end {
        match cx.sem.parent(n) {
            Some(p)
                if p.start_byte() == start
                    && p.end_byte() == end
                    && p.kind() != "expression_list" =>
            {
                n = p
            }
            _ => break,
        }
    }
    (n.start_byte() == start && n.end_byte() == end).then_some(n)
}

/// A helper call given a pointer, slice or map (or `&x`): the helper may store the value in it,
/// which the call's result does not show.
fn hands_over_references<'t>(cx: &FileContext<'t>, call: Node<'t>) -> bool {
    let Some(parts) = go::call_parts(call) else {
        return false;
    };
    parts.args.iter().any(|a| {
        let a = go::unparen(*a);
        if a.kind() == "unary_expression"
            && field(a, "operator").is_some_and(|o| text(o, cx.src) == "&")
        {
            return true;
        }
        a.kind() == "identifier"
            && cx
                .sem
                .type_of(a)
                .is_some_and(|t| t.starts_with('*') || t.starts_with("[]") || t.starts_with("map["))
    })
}

/// Effects of method calls on struct fields whose type is declared in another file of the package.
fn resolved_pending(
    cx: &FileContext<'_>,
    path: &std::path::Path,
    f: &crate::analysis::model::Function,
) -> Vec<EffectSite> {
    let mut out = vec![];
    if f.pending_effects().is_empty() {
        return out;
    }
    let files = cx.ws.package_files(path);
    for p in f.pending_effects() {
        let field_type = files.iter().find_map(|file| {
            let td = file.model.types.iter().find(|t| t.name == p.type_name)?;
            let (_, ty) = td.fields.iter().find(|(n, _)| *n == p.field)?;
            Some(types::normalize(ty, |p| file.model.import_path_for(p)))
        });
        let Some(ty) = field_type else { continue };
        if let Some(effect) =
            crate::analysis::effects::method_effect(&ty, &p.method, &cx.config.catalog)
        {
            out.push(EffectSite {
                effect,
                what: format!("({ty}).{}", p.method),
                span: p.span,
            });
        }
    }
    out
}

/// One step of a chain from a handler's call site to an effect.
#[derive(Clone, Debug)]
struct Hop {
    path: PathBuf,
    span: Span,
    label: String,
}

type FuncRef = (PathBuf, u32);

/// For a helper: the first chain found to each effect it reaches (breadth first, so the shortest).
fn reachable(cx: &FileContext<'_>, start: &FuncRef) -> Vec<(Effect, Vec<Hop>)> {
    let ws = cx.ws;
    let mut seen: HashSet<FuncRef> = HashSet::new();
    let mut queue: VecDeque<(FuncRef, Vec<Hop>)> = VecDeque::new();
    let mut found: Vec<(Effect, Vec<Hop>)> = vec![];
    seen.insert(start.clone());
    queue.push_back((start.clone(), vec![]));
    while let Some((fr, chain)) = queue.pop_front() {
        let Some((file, func)) = ws.function(&fr) else {
            continue;
        };
        // Handler code is reported in its own body; Run bodies are journaled; a function that
        // takes its Restate branch when given the handler's context does not reach the rest.
        if func.ctx.is_some()
            || func.region == Region::Run
            || func.summary.has(Summary::DISPATCHES_ON_RESTATE_CTX)
        {
            continue;
        }
        let pending = resolved_pending(cx, &file.path, func);
        let types = Types::new(ws, &file.path);
        for g in std::iter::once(func).chain(nested_literals(ws, &file.path, &file.model, fr.1)) {
            for c in g.ctx_calls() {
                match types.ctx_call(c) {
                    Reach::Outside => {
                        if found.iter().any(|(x, _)| *x == Effect::SideEffect) {
                            continue;
                        }
                        let mut hops = chain.clone();
                        hops.push(Hop {
                            path: file.path.clone(),
                            span: c.span,
                            label: format!("{} (receives the context)", c.what),
                        });
                        found.push((Effect::SideEffect, hops));
                    }
                    Reach::Restate => {}
                    Reach::Workspace(targets) => {
                        for target in targets {
                            if seen.insert(target.clone()) {
                                let name = ws
                                    .function(&target)
                                    .map(|(_, t)| t.display_name())
                                    .unwrap_or_default();
                                let mut hops = chain.clone();
                                hops.push(Hop {
                                    path: file.path.clone(),
                                    span: c.span,
                                    label: name,
                                });
                                queue.push_back((target, hops));
                            }
                        }
                    }
                }
            }
        }
        for e in func.effects().iter().chain(pending.iter()) {
            if !e.effect.is_transitive() || found.iter().any(|(x, _)| *x == e.effect) {
                continue;
            }
            let mut c = chain.clone();
            c.push(Hop {
                path: file.path.clone(),
                span: e.span,
                label: e.what.clone(),
            });
            found.push((e.effect, c));
        }
        // Calls in nested (non-Run) literals of this function run with it.
        for g in std::iter::once(func).chain(nested_literals(ws, &file.path, &file.model, fr.1)) {
            for call in &g.calls {
                for target in ws.resolve_call(&file.path, &call.target) {
                    if seen.insert(target.clone()) {
                        let name = ws
                            .function(&target)
                            .map(|(_, t)| t.display_name())
                            .unwrap_or_default();
                        let mut c = chain.clone();
                        c.push(Hop {
                            path: file.path.clone(),
                            span: call.span,
                            label: name,
                        });
                        queue.push_back((target, c));
                    }
                }
            }
        }
    }
    found
}

/// The func literals nested in function `fi` of the file at `path` that run with it: not Run
/// closures, and not closures handed to a Run wrapper of the workspace (nor nested in one).
fn nested_literals<'m>(
    ws: &'m Workspace,
    path: &'m Path,
    model: &'m FileModel,
    fi: u32,
) -> impl Iterator<Item = &'m Function> {
    let wrapped = move |gi: usize| {
        let mut cur = Some(gi as u32);
        while let Some(i) = cur.filter(|i| *i != fi) {
            let Some(g) = model.functions.get(i as usize) else {
                return false;
            };
            if let Some((target, arg)) = g.passed_to.as_deref()
                && ws
                    .resolve_call(path, target)
                    .iter()
                    .filter_map(|r| ws.function(r))
                    .any(|(_, w)| w.summary.run_wrapper() == Some(*arg as usize))
            {
                return true;
            }
            cur = g.parent;
        }
        false
    };
    model
        .functions
        .iter()
        .enumerate()
        .filter(|(_, g)| g.kind == FuncKind::Literal && g.region != Region::Run)
        .filter(move |(gi, _)| *gi as u32 != fi && facts::within(model, Some(*gi as u32), fi))
        .filter(move |(gi, _)| !wrapped(*gi))
        .map(|(_, g)| g)
}

fn transitive_effects(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let mut memo: HashMap<FuncRef, Vec<(Effect, Vec<Hop>)>> = HashMap::new();
    let types = Types::new(cx.ws, cx.path);
    for f in &cx.model.functions {
        if !f.is_handler_region() {
            continue;
        }
        // Helpers called by name, and those reached through a call given the context
        // (`s.repo.Save(ctx, x)` on a workspace type).
        let mut sites: Vec<(Span, Vec<FuncRef>)> = f
            .calls
            .iter()
            .map(|call| (call.span, cx.ws.resolve_call(cx.path, &call.target)))
            .collect();
        for c in f.ctx_calls() {
            if let Reach::Workspace(targets) = types.ctx_call(c) {
                sites.push((c.span, targets));
            }
        }
        for (call_span, targets) in sites {
            let mut reported: HashSet<Effect> = HashSet::new();
            let mut at_site: Vec<(Effect, Finding)> = vec![];
            for t in targets {
                let Some((_, tf)) = cx.ws.function(&t) else {
                    continue;
                };
                if tf.ctx.is_some() || tf.summary.has(Summary::DISPATCHES_ON_RESTATE_CTX) {
                    continue;
                }
                let callee_name = tf.display_name();
                let reach = memo
                    .entry(t.clone())
                    .or_insert_with(|| reachable(cx, &t))
                    .clone();
                for (effect, chain) in reach {
                    if !reported.insert(effect) {
                        continue;
                    }
                    let Some(last) = chain.last() else { continue };
                    let mut names: Vec<String> = vec![callee_name.clone()];
                    names.extend(chain.iter().map(|h| h.label.clone()));
                    let path_text = names.join(" → ");
                    let (s, e) = call_span.range();
                    let mut finding = Finding::new(
                        effect.rule(),
                        s,
                        e,
                        format!(
                            "`{callee_name}` is called outside restate.Run and reaches `{}` ({path_text}); {}",
                            last.label,
                            tail(effect)
                        ),
                    );
                    let mut prev = callee_name.clone();
                    for h in &chain {
                        finding.related.push(Related {
                            path: (h.path != cx.path).then(|| h.path.clone()),
                            span: h.span,
                            message: format!("`{prev}` calls `{}` here", h.label),
                        });
                        prev = h.label.clone();
                    }
                    if effect == Effect::SideEffect
                        && is_file_read(&last.label)
                        && let Some(call) = node_at(cx, s, e)
                        && !go::call_parts(call).is_some_and(|p| {
                            // Only a string from the input can name the file.
                            p.args.iter().any(|a| {
                                cx.sem.type_of(*a).is_none_or(|t| t == "string")
                                    && flowkit::derives_from_input(cx, *a)
                            })
                        })
                    {
                        config_read(&mut finding, &last.label);
                    }
                    // Judged at the call site by where the helper's result goes.
                    let what = format!("{callee_name}(...)");
                    let subject = format!(
                        "`{callee_name}` reaches `{}` ({path_text}): its result",
                        last.label
                    );
                    if !judge_by_flow(cx, &mut finding, effect, &what, &subject, true) {
                        continue;
                    }
                    at_site.push((effect, finding));
                }
            }
            out.extend(one_per_io_call(at_site));
        }
    }
}

/// A helper that does I/O is fixed by moving the whole call into restate.Run, which also
/// journals the clock, ids and waits it reaches on the way (a client's backoff, its idempotency
/// key): one finding at the call, the I/O's, with the others as related information.
fn one_per_io_call(mut at_site: Vec<(Effect, Finding)>) -> Vec<Finding> {
    let Some(io) = at_site
        .iter()
        .position(|(e, f)| *e == Effect::SideEffect && f.severity >= Severity::Warning)
    else {
        return at_site.into_iter().map(|(_, f)| f).collect();
    };
    let (_, mut kept) = at_site.swap_remove(io);
    for (_, other) in at_site {
        if let Some(last) = other.related.last() {
            kept.related.push(Related {
                path: last.path.clone(),
                span: last.span,
                message: format!(
                    "{} too ({}): inside restate.Run it is journaled with the call",
                    last.message, other.code
                ),
            });
        }
    }
    vec![kept]
}

fn tail(effect: Effect) -> &'static str {
    match effect {
        Effect::WallClock => "the clock differs on replay: journal the time with restate.Run",
        Effect::Sleep => "the wait is not durable: use restate.Sleep",
        Effect::Random => {
            "random values differ on replay: use restate.Rand(ctx) or call it inside restate.Run"
        }
        Effect::RandomId => {
            "a new id is generated on every replay: use restate.UUID(ctx) or call it inside restate.Run"
        }
        Effect::Env => "the environment may differ on replay: read it at start-up",
        Effect::SideEffect => "the I/O runs again on every replay: call it inside restate.Run",
        Effect::Logging => "output repeats on replay",
    }
}

// ---- RS1008 map iteration -------------------------------------------------------------------

/// The map type of a ranged expression, when syntax shows it is a map.
fn map_type_of(n: Node<'_>, cx: &FileContext<'_>) -> Option<String> {
    let n = go::unparen(n);
    if n.kind() == "composite_literal" {
        return field(n, "type")
            .filter(|t| t.kind() == "map_type")
            .map(|t| text(t, cx.src).to_string());
    }
    cx.sem.type_of(n).filter(|t| t.starts_with("map["))
}

fn map_order(cx: &FileContext<'_>, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    for fact in &facts.fors {
        if !facts::in_handler(cx.model, fact.func) {
            continue;
        }
        let Some(range) = named_children(fact.node)
            .into_iter()
            .find(|c| c.kind() == "range_clause")
        else {
            continue;
        };
        let Some(right) = field(range, "right") else {
            continue;
        };
        let Some(map_type) = map_type_of(right, cx) else {
            continue;
        };
        let Some(body) = field(fact.node, "body") else {
            continue;
        };
        let op = facts
            .calls_in(body)
            .iter()
            .find(|c| c.sdk.is_some_and(restate_api::is_operation));
        if let Some(op) = op {
            let name = op.sdk.unwrap_or("operation");
            let mut finding = Finding::new(
                "RS1008",
                fact.node.start_byte(),
                range.end_byte(),
                format!(
                    "`{}` iterates a map in random order and calls restate.{name} inside: the journal order changes on replay; iterate sorted keys (slices.Sorted(maps.Keys(m)))",
                    text(right, cx.src)
                ),
            );
            finding.fixes.extend(determinism_fixes::sorted_keys(
                cx,
                fact.node,
                range,
                Some(&map_type),
                fact.func,
            ));
            out.push(finding);
        }
    }
}

// ---- RS1009 package-level state --------------------------------------------------------------

/// Identifiers in a handler function's own code (nested functions are visited on their own).
fn own_identifiers<'t>(body: Node<'t>) -> Vec<Node<'t>> {
    let mut out = vec![];
    go::walk(body, |n| {
        if n != body && go::is_func_like(n.kind()) {
            return false;
        }
        if n.kind() == "identifier" {
            out.push(n);
        }
        true
    });
    out
}

fn global_state(cx: &FileContext<'_>, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let pkg = cx.ws.package_of(cx.path).map(|(_, p)| p);
    let vars = pkg.map(|p| &p.vars);
    // Handler closures inside plain functions may capture those functions' variables.
    let captures_possible = cx.model.functions.iter().any(|g| {
        g.kind == FuncKind::Literal
            && g.is_handler_region()
            && g.parent
                .and_then(|p| cx.model.functions.get(p as usize))
                .is_some_and(|p| p.region == Region::Plain)
    });
    if vars.is_none_or(|v| v.is_empty()) && !captures_possible {
        return;
    }
    for (i, f) in cx.model.functions.iter().enumerate() {
        if !f.is_handler_region() {
            continue;
        }
        let Some(body) = facts::body(facts, i as u32) else {
            continue;
        };
        for id in own_identifiers(body) {
            let name = text(id, cx.src);
            // A field key in a composite literal is not a variable.
            if cx
                .sem
                .parent(id)
                .is_some_and(|p| p.kind() == "literal_element")
                && cx
                    .sem
                    .parent(id)
                    .and_then(|p| cx.sem.parent(p))
                    .is_some_and(|g| {
                        g.kind() == "keyed_element" && g.named_child(0) == cx.sem.parent(id)
                    })
            {
                continue;
            }
            if cx.sem.is_declaration(id) {
                continue;
            }
            let resolved = cx.sem.resolve(id);
            match resolved {
                None => {
                    if !vars.is_some_and(|v| v.contains(name)) {
                        continue;
                    }
                    let written = pkg.is_some_and(|p| p.written.contains(name));
                    report_shared(
                        id,
                        name,
                        "package-level variable",
                        cx.sem.is_write(id),
                        written,
                        out,
                    );
                }
                Some(d) => {
                    // A variable of an enclosing function that is not handler code (a registration
                    // function's local captured by handler closures) is shared by every invocation.
                    let Some(owner) = d.func else { continue };
                    if d.kind != DeclKind::Local {
                        continue;
                    }
                    let owner_idx = cx
                        .model
                        .functions
                        .iter()
                        .position(|g| g.range.0 as usize == owner.start_byte());
                    let Some(owner_idx) = owner_idx else { continue };
                    if cx.model.functions[owner_idx].region != Region::Plain {
                        continue;
                    }
                    let write = cx.sem.is_write(id);
                    let written = write
                        || cx
                            .sem
                            .binding_of(id)
                            .is_some_and(|b| cx.sem.uses(b).iter().any(|u| cx.sem.is_write(*u)));
                    report_shared(
                        id,
                        name,
                        "variable captured from outside the handler",
                        write,
                        written,
                        out,
                    );
                }
            }
        }
    }
}

fn report_shared(
    id: Node<'_>,
    name: &str,
    what: &str,
    write: bool,
    written: bool,
    out: &mut Vec<Finding>,
) {
    let message = if write {
        format!(
            "handler code writes `{name}`, a {what}: it is not journaled, not shared between service instances and lost on restart; keep it in Restate state or pass it as input"
        )
    } else if written {
        format!(
            "handler code reads `{name}`, a {what} that is written elsewhere: a replay may see a different value; keep it in Restate state or pass it as input"
        )
    } else {
        return;
    };
    out.push(Finding::new(
        "RS1009",
        id.start_byte(),
        id.end_byte(),
        message,
    ));
}

// ---- RS1010 receiver state --------------------------------------------------------------------

fn receiver_state(cx: &FileContext<'_>, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    // Only types registered with restate.Reflect: their value serves every invocation.
    let registered: Vec<String> = cx
        .ws
        .package_of(cx.path)
        .map(|(_, p)| {
            p.services
                .iter()
                .filter(|s| cx.ws.is_reflected(s))
                .filter_map(|s| s.type_name.clone())
                .collect()
        })
        .unwrap_or_default();
    for w in &facts.writes {
        let Some((_, root)) = facts::handler_root(cx.model, w.func) else {
            continue;
        };
        let Some(recv) = root
            .receiver
            .as_ref()
            .filter(|r| !r.name.is_empty() && r.name != "_")
        else {
            continue;
        };
        if !registered.contains(&recv.type_name) || !crate::analysis::go::is_exported(&root.name) {
            continue;
        }
        let targets: Vec<Node<'_>> = match w.node.kind() {
            "assignment_statement" => field(w.node, "left")
                .map(named_children)
                .unwrap_or_default(),
            _ => named_children(w.node).into_iter().take(1).collect(),
        };
        for t in targets {
            // `s.f = ..`, `s.m[k] = ..`, `s.a.b++`: a selector chain rooted at the receiver.
            let mut base = go::unparen(t);
            let mut through_field = false;
            while matches!(base.kind(), "index_expression" | "selector_expression") {
                if base.kind() == "selector_expression" {
                    through_field = true;
                }
                match field(base, "operand") {
                    Some(op) => base = go::unparen(op),
                    None => break,
                }
            }
            if !through_field || base.kind() != "identifier" || text(base, cx.src) != recv.name {
                continue;
            }
            // The identifier must be the receiver itself, not a shadowing local.
            if cx
                .sem
                .resolve(base)
                .is_some_and(|d| d.kind != DeclKind::Receiver)
            {
                continue;
            }
            out.push(Finding::new(
                "RS1010",
                w.node.start_byte(),
                w.node.end_byte(),
                format!(
                    "handler method writes `{}` on its receiver: one {} value serves every invocation and key concurrently and the write is not journaled; keep it in Restate state",
                    text(t, cx.src),
                    recv.type_name
                ),
            ));
            break;
        }
    }
}

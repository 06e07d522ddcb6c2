//! RS3001-RS3007: Run closures and the results of Restate operations. A Run closure runs once and is
//! skipped on replay (its journaled result is returned instead), so it must not use the handler's
//! context, call Restate, or leave results in outer variables; and errors of Restate operations
//! (terminal failures, cancellation) must not be dropped.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix, Severity};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::model::{PkgRef, Summary};
use crate::analysis::restate_api::{self, OpClass};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::{self, CallFact};
use crate::analysis::rules::run_fixes;
use crate::analysis::semantic::DeclKind;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let mut seen_ids: HashSet<usize> = HashSet::new();
    let mut seen_calls: HashSet<usize> = HashSet::new();
    // Steps: calls of Run/RunAsync/RunVoid, and of the workspace's Run wrappers, with the
    // position of the function they run.
    let runs: Vec<(&CallFact<'_>, usize)> = cx
        .facts
        .calls
        .iter()
        .filter_map(|c| {
            if c.sdk.is_some_and(restate_api::is_run) {
                return Some((c, 1));
            }
            if c.sdk.is_some() {
                return None;
            }
            let has_literal = c.parts.args.iter().any(|a| a.kind() == "func_literal");
            has_literal
                .then(|| cx.wrapper_param(&c.parts))
                .flatten()
                .map(|i| (c, i))
        })
        .collect();
    let closures: HashSet<usize> = runs
        .iter()
        .filter_map(|(c, i)| c.parts.arg(*i).filter(|a| a.kind() == "func_literal"))
        .map(|c| c.start_byte())
        .collect();
    for &(call, at) in &runs {
        if call.sdk.is_some() {
            unnamed_run(cx, call, out);
        }
        let Some(closure) = call.parts.arg(at).filter(|a| a.kind() == "func_literal") else {
            continue;
        };
        ctx_in_run(cx, call, closure, &closures, &mut seen_ids, out);
        restate_in_run(cx, call, closure, &mut seen_calls, out);
        lost_mutation(cx, call, closure, out);
        unserializable_result(cx, closure, out);
    }
    ignored_errors(cx, out);
    manual_retry(cx, out);
}

/// `restate.` as this file spells it (empty for a dot import).
pub fn prefix(cx: &FileContext<'_>) -> String {
    match &cx.model.restate {
        Some(PkgRef::Named(a)) => format!("{a}."),
        _ => String::new(),
    }
}

// ---- RS3005 ---------------------------------------------------------------------------------------

fn unnamed_run(cx: &FileContext<'_>, call: &CallFact<'_>, out: &mut Vec<Finding>) {
    let opts = call.parts.args.iter().skip(2);
    let mut named = false;
    for o in opts {
        if o.kind() == "variadic_argument" {
            return; // options built elsewhere: cannot tell
        }
        if text(*o, cx.src).contains("WithName(") {
            named = true;
        }
    }
    if call.parts.node.kind() == "call_expression" {
        let args_text = call.parts.arg_list.map(|l| text(l, cx.src)).unwrap_or("");
        if args_text.contains("...)") {
            return;
        }
    }
    if named {
        return;
    }
    let name = call.sdk.unwrap_or("Run");
    let label = step_label(cx, call);
    // In a Run wrapper, every step run through the wrapper is the unnamed one.
    let wrapper = call
        .func
        .and_then(|i| cx.model.functions.get(i as usize))
        .filter(|f| f.summary.run_wrapper().is_some())
        .map(|f| f.display_name());
    let message = match wrapper {
        Some(w) => format!(
            "restate.{name} in the Run wrapper `{w}` has no restate.WithName: every step run through `{w}` shows up unnamed in the journal and UI; take the name (or ...restate.RunOption) from the callers and pass it on"
        ),
        None => format!(
            "restate.{name} without restate.WithName: the step shows up unnamed in the journal and UI; name it"
        ),
    };
    let mut f = Finding::new(
        "RS3005",
        call.parts.node.start_byte(),
        call.parts.node.end_byte(),
        message,
    );
    if let Some(list) = call.parts.arg_list {
        let close = list.end_byte().saturating_sub(1);
        let before = cx.src.get(list.start_byte()..close).unwrap_or("");
        let trimmed = before.trim_end();
        let opt = format!("{}WithName({label:?})", prefix(cx));
        let (at, insert) = if trimmed.ends_with(',') {
            let last_line_start = go::line_start(cx.src, close);
            if cx
                .src
                .get(last_line_start..close)
                .is_some_and(|l| l.trim().is_empty())
            {
                // `)` on its own line: add the option as one more argument line.
                let indent = go::line_indent(cx.src, call.parts.node.start_byte());
                (last_line_start, format!("{indent}\t{opt},\n"))
            } else {
                (list.start_byte() + trimmed.len(), format!(" {opt},"))
            }
        } else {
            (list.start_byte() + trimmed.len(), format!(", {opt}"))
        };
        f.fixes.push(Fix {
            title: format!("Name the step {label:?}"),
            edits: vec![Edit::insert(at, insert)],
            safe: false,
            snippet: false,
        });
    }
    out.push(f);
}

/// A name for a step: the first call made in the closure (`fetchUser`), else the enclosing function.
fn step_label(cx: &FileContext<'_>, call: &CallFact<'_>) -> String {
    if let Some(closure) = call.parts.arg(1).filter(|a| a.kind() == "func_literal") {
        let inner = cx
            .facts
            .calls_in(closure)
            .iter()
            .find(|c| c.parts.node != closure);
        if let Some(c) = inner {
            let name = match c.parts.callee(cx.src) {
                go::Callee::Selector { name, .. } | go::Callee::Ident(name) => name,
                go::Callee::Other => "",
            };
            if !name.is_empty() {
                return kebab(name);
            }
        }
    }
    let f = call.func.and_then(|i| cx.model.functions.get(i as usize));
    match f {
        Some(f) if !f.name.is_empty() => kebab(&f.name),
        _ => "step".to_string(),
    }
}

pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

// ---- RS3001 ---------------------------------------------------------------------------------------

/// Handler context parameters of the functions enclosing the Run call: (name, decl offset).
fn enclosing_ctx_params(cx: &FileContext<'_>, func: Option<u32>) -> Vec<(String, u32)> {
    let mut out = vec![];
    let mut cur = func;
    while let Some(i) = cur {
        let Some(f) = cx.model.functions.get(i as usize) else {
            break;
        };
        if let Some(c) = &f.ctx
            && c.kind.is_handler()
            && !c.name.is_empty()
            && c.name != "_"
        {
            out.push((c.name.clone(), c.decl));
        }
        cur = f.parent;
    }
    out
}

fn ctx_in_run(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    closure: Node<'_>,
    run_closures: &HashSet<usize>,
    seen: &mut HashSet<usize>,
    out: &mut Vec<Finding>,
) {
    let params = enclosing_ctx_params(cx, call.func);
    if params.is_empty() {
        return;
    }
    let Some(body) = field(closure, "body") else {
        return;
    };
    let closure_param = field(closure, "parameters")
        .and_then(|p| named_children(p).into_iter().next())
        .and_then(|p| field(p, "name"))
        .map(|n| text(n, cx.src).to_string());
    go::walk(body, |n| {
        // A nested Run closure is checked on its own, with the handler contexts this one has,
        // and its fix renames its own parameter; walking it here too made nesting cost n³.
        if n.kind() == "func_literal" && run_closures.contains(&n.start_byte()) {
            return false;
        }
        if n.kind() != "identifier" {
            return true;
        }
        let name = text(n, cx.src);
        let Some((_, decl)) = params.iter().find(|(p, _)| p == name) else {
            return true;
        };
        if cx.sem.is_declaration(n) {
            return true;
        }
        let resolved = cx.sem.resolve(n);
        if resolved.is_some_and(|d| d.kind == DeclKind::Param && d.id() == *decl as usize)
            && seen.insert(n.start_byte())
        {
            let mut f = Finding::new(
                "RS3001",
                n.start_byte(),
                n.end_byte(),
                format!(
                    "the handler's context `{name}` is used inside a Run closure: the step runs on another goroutine and is skipped on replay; use the closure's RunContext"
                ),
            );
            // Renaming the closure parameter to the handler's name shadows it everywhere in the body.
            if let Some(pl) = field(closure, "parameters")
                && let Some(p) = named_children(pl).into_iter().next()
            {
                match field(p, "name") {
                    Some(pn) if closure_param.as_deref() != Some(name) => {
                        let old = text(pn, cx.src).to_string();
                        let mut edits = vec![Edit::replace(pn.start_byte(), pn.end_byte(), name)];
                        // Uses of the old parameter name follow the rename.
                        if old != "_" {
                            go::walk(body, |m| {
                                if m.kind() == "identifier"
                                    && text(m, cx.src) == old
                                    && let Some(d) = cx.sem.resolve(m)
                                    && d.name == pn
                                {
                                    edits.push(Edit::replace(m.start_byte(), m.end_byte(), name));
                                }
                                true
                            });
                        }
                        f.fixes.push(Fix {
                                title: format!("Name the closure's parameter `{name}` so it shadows the handler context"),
                                edits,
                                safe: false,
                                snippet: false,
                            });
                    }
                    None => {
                        if let Some(ty) = field(p, "type") {
                            f.fixes.push(Fix {
                                    title: format!("Name the closure's parameter `{name}` so it shadows the handler context"),
                                    edits: vec![Edit::insert(ty.start_byte(), format!("{name} "))],
                                    safe: false,
                                    snippet: false,
                                });
                        }
                    }
                    _ => {}
                }
            }
            out.push(f);
        }
        true
    });
}

// ---- RS3002 ---------------------------------------------------------------------------------------

fn restate_in_run(
    cx: &FileContext<'_>,
    run: &CallFact<'_>,
    closure: Node<'_>,
    seen: &mut HashSet<usize>,
    out: &mut Vec<Finding>,
) {
    for c in cx.facts.calls_in(closure) {
        let Some(name) = c.sdk else { continue };
        if c.parts.node == closure {
            continue;
        }
        if !restate_api::is_operation(name) || !seen.insert(c.parts.node.start_byte()) {
            continue;
        }
        let hint = match restate_api::op_class(name) {
            Some(OpClass::Random) => " (compute it before the Run and capture the value)",
            _ => " (move it before or after the step)",
        };
        let mut f = Finding::new(
            "RS3002",
            c.parts.node.start_byte(),
            c.parts.node.end_byte(),
            format!(
                "restate.{name} is called inside a Run closure, where Restate operations are not allowed{hint}"
            ),
        );
        f.fixes.extend(run_fixes::hoist_pure(cx, run, closure, c));
        out.push(f);
    }
}

// ---- RS3003 ---------------------------------------------------------------------------------------

fn lost_mutation(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    closure: Node<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(body) = field(closure, "body") else {
        return;
    };
    let Some(func) = call.func else { return };
    if facts::body(cx.facts, func).is_none() {
        return;
    }
    // The statement holding the Run call: reads after it count.
    let after = cx
        .sem
        .enclosing_statement(call.parts.node)
        .map(|s| s.end_byte())
        .unwrap_or(call.parts.node.end_byte());
    // `lim, err = restate.Run(ctx, func(...) { lim.x = ..; return lim, nil })`: the result carries
    // the mutation back, on replay too.
    let assigned_from_run: Vec<usize> = cx
        .sem
        .enclosing_statement(call.parts.node)
        .filter(|st| matches!(st.kind(), "assignment_statement" | "short_var_declaration"))
        .and_then(|st| field(st, "left"))
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.kind() == "identifier")
        .filter_map(|l| cx.sem.resolve(l).map(|d| d.id()).or(Some(l.start_byte())))
        .collect();
    let mut reported: HashSet<usize> = HashSet::new();
    let mut found: Vec<(Node<'_>, Finding)> = vec![];
    for w in cx.facts.writes_in(body) {
        // Writes inside a nested Run closure belong to that one.
        if w.func
            .and_then(|i| cx.model.functions.get(i as usize))
            .is_some_and(|f| f.run_closure)
            && facts::body(cx.facts, w.func.unwrap_or(u32::MAX)) != Some(body)
        {
            continue;
        }
        let targets: Vec<Node<'_>> = match w.node.kind() {
            "assignment_statement" => field(w.node, "left")
                .map(named_children)
                .unwrap_or_default(),
            _ => named_children(w.node).into_iter().take(1).collect(),
        };
        for t in targets {
            let base = go::assigned_root(t);
            if base.kind() != "identifier" {
                continue;
            }
            let Some(decl) = cx.sem.resolve(base) else {
                continue;
            };
            if go::contains(closure, decl.name) {
                continue;
            }
            let name = text(base, cx.src);
            if assigned_from_run.contains(&decl.id()) {
                continue;
            }
            // What exactly the closure writes (`order.Total`, `items[i].CreatedAt`): only a read
            // of that, of something containing it, or of a part of it is lost on replay.
            let written = access_path(cx, base, Some(t));
            if !read_after(cx, base, after, &written) || !reported.insert(decl.id()) {
                continue;
            }
            found.push((
                base,
                Finding::new(
                    "RS3003",
                    w.node.start_byte(),
                    w.node.end_byte(),
                    format!(
                        "`{name}` is assigned inside a Run closure and read after the step: on replay the closure is skipped and `{name}` keeps its old value; return it from the closure instead"
                    ),
                ),
            ));
        }
    }
    // The value can come back as the step's result when it is the only one lost.
    let single = found.len() == 1;
    for (var, mut f) in found {
        if single {
            f.fixes
                .extend(run_fixes::return_value(cx, call, closure, var));
        }
        out.push(f);
    }
}

/// A step of an access path: a field, or any element (`[i]`, `[k]`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Access<'s> {
    Field(&'s str),
    Element,
}

/// The path from the variable `ident` up to `limit` (as far as selectors and indexes go without
/// one): `items[i].CreatedAt` gives `[Element, Field(CreatedAt)]`.
fn access_path<'t>(
    cx: &FileContext<'t>,
    ident: Node<'t>,
    limit: Option<Node<'t>>,
) -> Vec<Access<'t>> {
    let mut path = vec![];
    let mut cur = ident;
    while Some(cur) != limit {
        let Some(p) = cx.sem.parent(cur) else { break };
        match p.kind() {
            "selector_expression" if field(p, "operand") == Some(cur) => {
                // A method call on it reads the whole value from here.
                if cx.sem.parent(p).is_some_and(|c| {
                    c.kind() == "call_expression" && field(c, "function") == Some(p)
                }) {
                    break;
                }
                match field(p, "field") {
                    Some(f) => path.push(Access::Field(text(f, cx.src))),
                    None => break,
                }
            }
            "index_expression" if field(p, "operand") == Some(cur) => path.push(Access::Element),
            "parenthesized_expression" => {}
            _ => break,
        }
        cur = p;
    }
    path
}

/// Whether two access paths overlap: one is a prefix of the other.
fn overlaps(a: &[Access<'_>], b: &[Access<'_>]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether what the closure wrote (`written`, below the variable `base`) is read after byte
/// `after`: a use of the variable whose access path overlaps it, also through a range over it
/// (`for _, it := range items { it.ID }` reads `[Element, Field(ID)]`).
fn read_after<'t>(
    cx: &FileContext<'t>,
    base: Node<'t>,
    after: usize,
    written: &[Access<'_>],
) -> bool {
    let Some(b) = cx.sem.binding_of(base) else {
        return false;
    };
    cx.sem.uses(b).iter().any(|u| {
        if u.start_byte() < after {
            return false;
        }
        let path = access_path(cx, *u, None);
        if !overlaps(&path, written) {
            return false;
        }
        // `for _, v := range x` reads x's elements through `v`: follow what `v` reads.
        let whole = if path.is_empty() { Some(*u) } else { None };
        match whole.and_then(|w| ranged_value(cx, w)) {
            Some(v) => {
                let Some(vb) = cx.sem.binding_of(v) else {
                    return true;
                };
                let rest = &written[1.min(written.len())..];
                written.first() != Some(&Access::Element)
                    || cx
                        .sem
                        .uses(vb)
                        .iter()
                        .any(|vu| overlaps(&access_path(cx, *vu, None), rest))
            }
            None if whole.is_some() && ranged_keys_only(cx, *u) => false,
            None => true,
        }
    })
}

/// For `x` ranged by `for k, v := range x`: the value variable `v`.
fn ranged_value<'t>(cx: &FileContext<'t>, x: Node<'t>) -> Option<Node<'t>> {
    let clause = cx.sem.parent(x).filter(|c| c.kind() == "range_clause")?;
    (field(clause, "right") == Some(x)).then_some(())?;
    let left = field(clause, "left")?;
    named_children(left)
        .get(1)
        .copied()
        .filter(|v| text(*v, cx.src) != "_")
}

/// `for i := range x` (or `for range x`): only the length is read.
fn ranged_keys_only<'t>(cx: &FileContext<'t>, x: Node<'t>) -> bool {
    cx.sem
        .parent(x)
        .filter(|c| c.kind() == "range_clause" && field(*c, "right") == Some(x))
        .is_some_and(|c| {
            field(c, "left").is_none_or(|l| {
                named_children(l)
                    .get(1)
                    .is_none_or(|v| text(*v, cx.src) == "_")
            })
        })
}

// ---- RS3006 ---------------------------------------------------------------------------------------

fn unserializable_result(cx: &FileContext<'_>, closure: Node<'_>, out: &mut Vec<Finding>) {
    let Some(result) = field(closure, "result") else {
        return;
    };
    let first = if result.kind() == "parameter_list" {
        named_children(result)
            .into_iter()
            .next()
            .and_then(|p| field(p, "type").or(Some(p)))
    } else {
        Some(result)
    };
    let Some(ty) = first else { return };
    let written = text(ty, cx.src);
    let norm = cx.sem.normalize(written);
    let bad = written.starts_with("chan ")
        || written.starts_with("<-chan")
        || written.starts_with("chan<-")
        || ty.kind() == "function_type"
        || ty.kind() == "channel_type"
        || matches!(
            norm.as_str(),
            "unsafe.Pointer"
                | "*net/http.Response"
                | "*database/sql.Rows"
                | "io.Reader"
                | "io.ReadCloser"
        );
    if bad {
        out.push(Finding::new(
            "RS3006",
            ty.start_byte(),
            ty.end_byte(),
            format!(
                "a Run closure returning `{written}` cannot be journaled (the JSON codec cannot encode it); return a plain data value instead"
            ),
        ));
    }
}

// ---- RS3004 ---------------------------------------------------------------------------------------

/// Whether this call returns an error the caller must look at, and a label for messages.
fn error_returning(cx: &FileContext<'_>, c: &CallFact<'_>) -> Option<String> {
    if let Some(name) = c.sdk {
        return matches!(
            name,
            "Run" | "RunVoid" | "Sleep" | "WaitFirst" | "Get" | "Keys"
        )
        .then(|| format!("restate.{name}"));
    }
    // A helper of the workspace that hands back the error of a Restate operation.
    if let Some(helper) = cx
        .callees(&c.parts)
        .into_iter()
        .find(|f| f.summary.has(Summary::RETURNS_RESTATE_ERROR))
    {
        return Some(format!(
            "`{}` (it returns the error of a Restate operation)",
            helper.display_name()
        ));
    }
    let (recv, method) = futures::method_call(&c.parts, cx.src)?;
    let kind = futures::kind_of(recv, cx.sem, cx.model)?;
    let ok = matches!(
        (kind, method),
        (FutureKind::Client, "Request")
            | (FutureKind::Response, "Response")
            | (FutureKind::Attach, "Response")
            | (FutureKind::After, "Done")
            | (
                FutureKind::RunAsync
                    | FutureKind::Awakeable
                    | FutureKind::Signal
                    | FutureKind::Promise,
                "Result"
            )
            | (FutureKind::Promise, "Peek" | "Resolve" | "Reject")
            | (FutureKind::IngressRequester, "Request" | "Send")
            | (FutureKind::IngressSendRequester, "Send")
            | (FutureKind::InvocationHandle, "Attach" | "Output")
    );
    ok.then(|| format!(".{method}()"))
}

fn ignored_errors(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        let Some(label) = error_returning(cx, c) else {
            continue;
        };
        let node = c.parts.node;
        let Some(parent) = cx.sem.parent(node) else {
            continue;
        };
        // `_ =`/`_, _ =`: discarded on purpose (errcheck's convention); `x, _ :=` also keeps a
        // value, whose zero value on failure may travel on.
        let mut explicit = false;
        let dropped = match parent.kind() {
            "expression_statement" => true,
            "expression_list" => {
                let Some(stmt) = cx.sem.parent(parent) else {
                    continue;
                };
                if !matches!(
                    stmt.kind(),
                    "assignment_statement" | "short_var_declaration" | "var_spec"
                ) {
                    continue;
                }
                if field(stmt, "right").or_else(|| field(stmt, "value")) != Some(parent)
                    || parent.named_child_count() != 1
                {
                    continue;
                }
                let lefts: Vec<Node<'_>> =
                    field(stmt, "left").map(named_children).unwrap_or_else(|| {
                        let mut cursor = stmt.walk();
                        stmt.children_by_field_name("name", &mut cursor).collect()
                    });
                // The error is the last result.
                explicit = lefts.last().is_some_and(|l| text(*l, cx.src) == "_");
                explicit
            }
            _ => false,
        };
        if !dropped {
            continue;
        }
        let in_handler = facts::in_handler(cx.model, c.func);
        let has_value = !matches!(c.sdk, Some("RunVoid" | "Sleep"))
            && !label.ends_with(".Done()")
            && !label.ends_with(".Resolve()")
            && !label.ends_with(".Reject()");
        let consequence = if c.ingress.is_some() || !in_handler && label.starts_with('.') {
            "a failed or rejected invocation goes unnoticed"
        } else if has_value {
            "a terminal failure or cancellation goes unnoticed and the code carries on with the zero value"
        } else {
            "a terminal failure or cancellation goes unnoticed and the code carries on as if it had succeeded"
        };
        let mut f = if explicit {
            // On purpose: a hint, unless the zero value left behind is journaled or sent on.
            match crate::analysis::rules::flowkit::reaches_journal(cx, node, "its result") {
                Some(related) => {
                    let mut f = Finding::new(
                        "RS3004",
                        node.start_byte(),
                        node.end_byte(),
                        format!(
                            "the error of {label} is discarded with `_`, and the zero value it leaves on failure is journaled later (see the related location): a failed read overwrites what was there; check the error"
                        ),
                    );
                    f.related.push(related);
                    f
                }
                None => {
                    let mut f = Finding::new(
                        "RS3004",
                        node.start_byte(),
                        node.end_byte(),
                        format!(
                            "the error of {label} is discarded on purpose (`_`): {consequence}; fine for best-effort work, otherwise check it"
                        ),
                    );
                    f.severity = Severity::Hint;
                    f
                }
            }
        } else {
            Finding::new(
                "RS3004",
                node.start_byte(),
                node.end_byte(),
                format!("the error of {label} is dropped: {consequence}; check it"),
            )
        };
        f.fixes.extend(run_fixes::check_error(cx, c));
        out.push(f);
    }
}

// ---- RS3007 ---------------------------------------------------------------------------------------

fn manual_retry(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for f in &cx.facts.fors {
        if !facts::in_handler(cx.model, f.func) {
            continue;
        }
        let clause = named_children(f.node)
            .into_iter()
            .find(|c| matches!(c.kind(), "range_clause" | "for_clause"));
        if clause.is_some_and(|c| c.kind() == "range_clause") {
            continue;
        }
        // Counting over items (`i < len(xs)`) is iteration, not retrying.
        if clause.is_some_and(|c| text(c, cx.src).contains("len(")) {
            continue;
        }
        let Some(body) = field(f.node, "body") else {
            continue;
        };
        let repeats_step = cx.facts.calls_in(body).iter().any(|c| {
            c.sdk.is_some_and(|n| {
                restate_api::is_run(n) || restate_api::op_class(n) == Some(OpClass::Call)
            }) || futures::method_call(&c.parts, cx.src).is_some_and(|(_, m)| m == "Request")
        }) || f
            .func
            .and_then(|i| cx.model.functions.get(i as usize))
            .is_some_and(|func| {
                func.effects().iter().any(|e| {
                    (e.span.start as usize) >= body.start_byte()
                        && (e.span.end as usize) <= body.end_byte()
                })
            });
        if !repeats_step {
            continue;
        }
        if retries_on_error(cx, body)
            || crate::analysis::rules::objects::retry_shaped(cx, f.node, body)
        {
            out.push(Finding::new(
                "RS3007",
                f.node.start_byte(),
                f.node.start_byte() + 3,
                "hand-written retry loop: Restate already retries failed steps and handlers durably; configure the step with restate.WithMaxRetryAttempts / WithInitialRetryInterval / WithMaxRetryDuration and return a terminal error to stop",
            ));
        }
    }
}

/// An `if` on `err` inside the loop that continues, sleeps, or (on success) breaks out.
pub fn retries_on_error(cx: &FileContext<'_>, body: Node<'_>) -> bool {
    let mut hit = false;
    go::walk(body, |n| {
        if hit || (n != body && go::is_func_like(n.kind())) {
            return false;
        }
        if n.kind() != "if_statement" {
            return true;
        }
        let cond = field(n, "condition").map(|c| text(c, cx.src)).unwrap_or("");
        let Some(cons) = field(n, "consequence") else {
            return true;
        };
        let cons_text = text(cons, cx.src);
        let on_error = cond.contains("err != nil");
        let on_success = cond.contains("err == nil");
        let sleeps = cons_text.contains("Sleep(") || cons_text.contains("time.After(");
        let continues = cons_text.contains("continue");
        if (on_error && (continues || sleeps))
            || (on_success && (cons_text.contains("break") || cons_text.contains("return")))
        {
            hit = true;
        }
        true
    });
    hit
}

//! RS9001-RS9002: API versions. Older docs and generated code use the 0.x API (renamed in 1.0) or
//! calls that never existed. RS9001's sites and rewrites come from `analysis::migrate`: an error
//! when go.mod requires the 1.0 API (or there is no go.mod); on a module that pins the 0.x API they
//! are summed up in one notice on go.mod instead, unless `[rules]` sets RS9001.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix, Severity, Tag};
use crate::analysis::futures::{self, FutureKind, Values};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::migrate::{self, Site};
use crate::analysis::model::PkgRef;
use crate::analysis::restate_api::CtxKind;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;
use crate::analysis::sdk_methods::{self, SdkType};
use crate::analysis::semantic::DeclKind;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let old_api = migrate::old_api(cx.gomod);
    let (helper, helper_exists) = error_code_helper(cx);
    let sites = migrate::sites(&migrate::Input {
        src: cx.src,
        sem: cx.sem,
        model: cx.model,
        old_api,
        error_code_helper: &helper,
    });
    // Until the workspace's go.mod files are read, a file's module is unknown: report nothing
    // rather than flash the 1.x errors over a module that may pin 0.x.
    let unknown_module = cx.gomod.is_none() && cx.ws.partial;
    for site in sites.into_iter().filter(|_| !unknown_module) {
        out.push(site_finding(cx, site, old_api, helper_exists));
    }
    if cx.model.restate.is_some() {
        nonexistent(cx, out, !old_api && !unknown_module);
    }
}

/// The name of the package's ErrorCode helper, and whether the package already declares it.
fn error_code_helper(cx: &FileContext<'_>) -> (String, bool) {
    let files = cx.ws.package_files(cx.path);
    let declared = |name: &str| {
        files.iter().any(|f| {
            f.model.functions.iter().any(|func| {
                func.name == name
                    && func.receiver.is_none()
                    && func.params.len() == 1
                    && func.params[0].ty == "error"
            })
        }) || migrate::errors::declares_helper(cx.src, name)
    };
    if let Some(n) = ["errorCode", "restateErrorCode"]
        .into_iter()
        .find(|n| declared(n))
    {
        return (n.to_string(), true);
    }
    let taken = |name: &str| {
        cx.src.contains(name)
            || files.iter().any(|f| {
                f.model.functions.iter().any(|func| func.name == name)
                    || f.model.package_vars.iter().any(|v| v.name == name)
                    || f.model.types.iter().any(|t| t.name == name)
            })
    };
    (migrate::errors::helper_name(taken), false)
}

fn site_finding(cx: &FileContext<'_>, site: Site, old_api: bool, helper_exists: bool) -> Finding {
    let mut f = Finding::new(site.code, site.start, site.end, site.message);
    if site.code == "RS9001" {
        // Counted in the go.mod notice on a 0.x module (dropped in `rules::finish` unless
        // configured); a compile error on 1.x.
        f.severity = if old_api {
            Severity::Hint
        } else {
            Severity::Error
        };
        f.tags.push(Tag::Deprecated);
    }
    if let Some(rw) = site.rewrite {
        let mut edits = rw.edits;
        edits.extend(migrate::imports::edits(
            cx.src,
            cx.tree,
            cx.model,
            rw.import_change.as_slice(),
            &rw.imports,
        ));
        let mut safe = rw.safe;
        if rw.needs_error_code_helper && !helper_exists {
            let (helper, _) = error_code_helper(cx);
            let nl = if cx.src.ends_with('\n') { "" } else { "\n" };
            edits.push(Edit::insert(
                cx.src.len(),
                format!(
                    "{nl}{}",
                    migrate::errors::helper_text(&helper, &crate::analysis::rules::run::prefix(cx))
                ),
            ));
            safe = false;
        }
        f.fixes.push(Fix {
            title: rw.title,
            edits: crate::analysis::fixes::with_tidy_imports(cx.sem, edits),
            safe,
            snippet: false,
        });
    }
    f
}

fn rewrite(title: impl Into<String>, start: usize, end: usize, text: impl Into<String>) -> Fix {
    Fix {
        title: title.into(),
        edits: vec![Edit::replace(start, end, text)],
        safe: true,
        snippet: false,
    }
}

/// Pre-0.11 context methods.
const OLD_CTX_METHODS: &[&str] = &[
    "Sleep",
    "Run",
    "Service",
    "ServiceSend",
    "Object",
    "ObjectSend",
    "Workflow",
    "Awakeable",
    "After",
    "Get",
    "Set",
    "Clear",
    "ClearAll",
    "Key",
    "Rand",
    "Select",
    "SideEffect",
    "ResolveAwakeable",
    "RejectAwakeable",
    "Keys",
];

/// Calls of methods the SDK's values do not have. `.Done()`, `.Index()` and the pre-0.11 context
/// methods are reported on every module; the complete method sets (`sdk_methods`) are those of
/// sdk-go 1.0, so everything else is checked only on modules that require it (`check_sets`).
fn nonexistent(cx: &FileContext<'_>, out: &mut Vec<Finding>, check_sets: bool) {
    let values = Values::new(cx.ws, cx.path);
    for c in &cx.facts.calls {
        let node = c.parts.node;
        // `restate.Select` is a site of `analysis::migrate` (with its rewrite).
        let Some((recv, method)) = futures::method_call(&c.parts, cx.src) else {
            continue;
        };
        if let Some(ctx) = ctx_kind(cx, recv) {
            if ctx.is_handler() && OLD_CTX_METHODS.contains(&method) {
                out.push(old_ctx_method(cx, node, recv, method));
            } else if check_sets
                && let Some(ty) = sdk_methods::get("restate", ctx.type_name())
                && !ty.has(method)
            {
                out.push(missing_method(c, ty, method, ""));
            }
            continue;
        }
        let Some(kind) = futures::sdk_value_of(recv, cx.sem, cx.model, &values) else {
            continue;
        };
        let Some(ty) = sdk_methods::of_kind(kind) else {
            continue;
        };
        if ty.has(method) {
            continue;
        }
        match (kind, method) {
            (_, "Done") if kind.is_awaitable() => {
                let Some(accessor) = ty.accessor else {
                    continue;
                };
                let message = format!(
                    "{} has no Done() method (only restate.After's future does); it has {}: use .{accessor}()",
                    ty.display,
                    ty.listing()
                );
                out.push(rs9002(node, message).with_fix(done_fix(cx, c, accessor)));
            }
            (FutureKind::WaitFirstResult, "Index") => {
                let mut f = rs9002(
                    node,
                    "the future returned by restate.WaitFirst has no Index(): compare it with the futures you passed (`if first == timeout`) or use a type switch",
                );
                f.fixes.extend(index_comparison(cx, node, recv));
                out.push(f);
            }
            _ if !check_sets => {}
            // The awakeable (any future) is the future: `.Future()` is dropped, and what was
            // called on its result is reported on its own.
            (_, "Future") if kind.is_awaitable() && c.parts.args.is_empty() => {
                let what = match kind {
                    FutureKind::Awakeable => "the awakeable",
                    FutureKind::Promise => "the promise",
                    FutureKind::Signal => "the signal",
                    _ => "the value",
                };
                let itself = futures::snippet(recv, cx.src);
                let message = format!(
                    "{} has no Future() method: {what} already is the future (it has {}); use `{itself}` itself",
                    ty.display,
                    ty.listing(),
                );
                out.push(rs9002(node, message).with_fix(Fix {
                    title: format!("Use {itself} itself"),
                    edits: vec![Edit::replace(recv.end_byte(), node.end_byte(), "")],
                    safe: true,
                    snippet: false,
                }));
            }
            // RS7003 reports an Invocation used as an error.
            (FutureKind::Invocation, "Error") => {}
            // `restate.Rand(ctx).UUID()` is RS9001's (a 0.x method with its rewrite).
            (FutureKind::Rand, "UUID" | "Source") if is_sdk_call(cx, recv, "Rand") => {}
            (FutureKind::Rand, "UUID") => out.push(missing_method(
                c,
                ty,
                method,
                "; sdk-go 1.0 moved it to restate.UUID(ctx)",
            )),
            (FutureKind::Rand, "Source") => out.push(missing_method(
                c,
                ty,
                method,
                "; sdk-go 1.0 moved it to restate.RandSource(ctx)",
            )),
            (FutureKind::WaitFirstResult, _) => out.push(missing_method(
                c,
                ty,
                method,
                ": compare it with the futures you passed, then call that future's accessor",
            )),
            _ => out.push(missing_method(c, ty, method, "")),
        }
    }
}

/// `.Done()` -> `.Response()`/`.Result()`. `Done()` gives one value and the accessors two (the
/// value and the error), so a lone `err := f.Done()` becomes `_, err := f.Result()`. Where the
/// count of values cannot be made to match (`return f.Done()` from a function returning only an
/// error, an argument) the rename is offered but not applied by fixAll.
fn done_fix(cx: &FileContext<'_>, c: &facts::CallFact<'_>, accessor: &str) -> Fix {
    let (ns, ne) = c.parts.name_range();
    let mut fix = rewrite(format!("Use {accessor}()"), ns, ne, accessor);
    let call = c.parts.node;
    let mut cur = call;
    let mut parent = cx.sem.parent(call);
    while let Some(p) = parent.filter(|p| p.kind() == "parenthesized_expression") {
        cur = p;
        parent = cx.sem.parent(p);
    }
    fix.safe = match parent.map(|p| (p, p.kind())) {
        Some((_, "expression_statement")) => true,
        Some((list, "expression_list")) => {
            let values = named_children(list);
            let stmt = cx.sem.parent(list);
            match stmt.map(|s| (s, s.kind())) {
                Some((stmt, "short_var_declaration" | "assignment_statement"))
                    if field(stmt, "right") == Some(list) && values == [cur] =>
                {
                    let lefts = field(stmt, "left").map(named_children).unwrap_or_default();
                    match lefts.as_slice() {
                        [one] => {
                            fix.edits.insert(0, Edit::insert(one.start_byte(), "_, "));
                            true
                        }
                        [_, _] => true,
                        _ => false,
                    }
                }
                Some((ret, "return_statement")) if values == [cur] => {
                    result_count(cx, ret) == Some(2)
                }
                _ => false,
            }
        }
        _ => false,
    };
    fix
}

/// How many results the function around `n` declares.
fn result_count(cx: &FileContext<'_>, n: Node<'_>) -> Option<usize> {
    let result = match cx.sem.enclosing_func(n).map(|f| field(f, "result")) {
        Some(Some(r)) => r,
        Some(None) => return Some(0),
        None => return None,
    };
    if result.kind() != "parameter_list" {
        return Some(1);
    }
    Some(
        named_children(result)
            .into_iter()
            .map(|p| {
                let mut cursor = p.walk();
                p.children_by_field_name("name", &mut cursor).count().max(1)
            })
            .sum(),
    )
}

/// An RS9002 finding over the whole call.
fn rs9002(call: Node<'_>, message: impl Into<String>) -> Finding {
    Finding::new("RS9002", call.start_byte(), call.end_byte(), message)
}

/// `x.M(...)` where `x`'s type has no `M`: what it has, and the closest method when one is close.
fn missing_method(c: &facts::CallFact<'_>, ty: &SdkType, method: &str, advice: &str) -> Finding {
    let node = c.parts.node;
    let suggestion = sdk_methods::suggest(ty, method);
    let hint = match suggestion {
        Some(s) if advice.is_empty() => format!("; did you mean {s}()?"),
        _ => advice.to_string(),
    };
    let mut f = rs9002(
        node,
        format!(
            "{} has no {method}() method; it has {}{hint}",
            ty.display,
            ty.listing()
        ),
    );
    if let Some(s) = suggestion.filter(|_| advice.is_empty()) {
        let (ns, ne) = c.parts.name_range();
        // A guess: the user confirms it, fixAll does not apply it.
        f.fixes.push(Fix {
            safe: false,
            ..rewrite(format!("Use {s}()"), ns, ne, s)
        });
    }
    f
}

fn old_ctx_method(cx: &FileContext<'_>, node: Node<'_>, recv: Node<'_>, m: &str) -> Finding {
    let p = match &cx.model.restate {
        Some(PkgRef::Named(a)) => format!("{a}."),
        _ => String::new(),
    };
    rs9002(
        node,
        format!(
            "`{}.{m}` is the pre-0.11 API: Restate operations are package functions taking the context, e.g. `{p}{m}({}, ...)`",
            text(recv, cx.src),
            text(recv, cx.src)
        ),
    )
}

/// The Restate context type of a context parameter (`ctx restate.ObjectContext`, a Run
/// closure's `restate.RunContext`).
fn ctx_kind(cx: &FileContext<'_>, n: Node<'_>) -> Option<CtxKind> {
    let n = go::unparen(n);
    if n.kind() != "identifier" {
        return None;
    }
    let d = cx.sem.resolve(n)?;
    if d.kind != DeclKind::Param {
        return None;
    }
    let f = cx.model.function_at_start(d.func?.start_byte())?;
    let ctx = cx.model.functions.get(f as usize)?.ctx.as_ref()?;
    (ctx.decl as usize == d.id()).then_some(ctx.kind)
}

/// Whether `n` is the call `<restate>.name(...)`.
fn is_sdk_call(cx: &FileContext<'_>, n: Node<'_>, name: &str) -> bool {
    go::call_parts(go::unparen(n)).is_some_and(|call| {
        crate::analysis::model::sdk_fn(&cx.model.restate, &call.callee(cx.src)) == Some(name)
    })
}

/// `winner.Index() == 1` -> `winner == timeout`, where `timeout` is the second future the
/// `WaitFirst` that produced `winner` was given (only futures held in variables: the expression
/// itself would start a new one).
fn index_comparison(cx: &FileContext<'_>, call: Node<'_>, recv: Node<'_>) -> Option<Fix> {
    let bin = cx
        .sem
        .parent(call)
        .filter(|p| p.kind() == "binary_expression")?;
    let op = text(field(bin, "operator")?, cx.src);
    if !matches!(op, "==" | "!=") {
        return None;
    }
    let other = if field(bin, "left") == Some(call) {
        field(bin, "right")?
    } else {
        field(bin, "left")?
    };
    if other.kind() != "int_literal" {
        return None;
    }
    let i: usize = text(other, cx.src).parse().ok()?;
    let recv = go::unparen(recv);
    if recv.kind() != "identifier" {
        return None;
    }
    let decl = cx.sem.resolve(recv)?;
    let right = field(decl.stmt, "right")?;
    let wait = go::call_parts(go::unparen(right.named_child(0)?))?;
    if right.named_child_count() != 1
        || crate::analysis::model::sdk_fn(&cx.model.restate, &wait.callee(cx.src))
            != Some("WaitFirst")
        || wait.args.iter().any(|a| a.kind() == "variadic_argument")
    {
        return None;
    }
    let fut = wait.args.get(i + 1).copied().map(go::unparen)?;
    if fut.kind() != "identifier" {
        return None;
    }
    let replacement = crate::analysis::fixes::binary(
        text(recv, cx.src),
        op,
        text(fut, cx.src),
        crate::analysis::fixes::expr_depth(cx.sem, bin),
    );
    Some(rewrite(
        format!("Compare with {}", text(fut, cx.src)),
        bin.start_byte(),
        bin.end_byte(),
        replacement,
    ))
}

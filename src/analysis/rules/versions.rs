//! RS9001-RS9002: API versions. Older docs and generated code use the 0.x API (renamed in 1.0) or
//! calls that never existed. RS9001 is an error when go.mod requires sdk-go 1.x (or there is no
//! go.mod), a hint when it still requires 0.x.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix, Severity, Tag};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, Callee, field, named_children, text};
use crate::analysis::model::PkgRef;
use crate::analysis::restate_api::SDK_PATH;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::run::prefix;
use crate::analysis::semantic::DeclKind;

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let pre1 = cx.gomod.and_then(|m| m.sdk()).is_some_and(|v| v.0 < 1);
    let mut found = vec![];
    moved_imports(cx, &mut found);
    if cx.model.restate.is_some() {
        renamed_calls(cx, &mut found);
        nonexistent(cx, out);
    }
    for mut f in found {
        f.severity = if pre1 {
            Severity::Hint
        } else {
            Severity::Error
        };
        f.tags.push(Tag::Deprecated);
        out.push(f);
    }
}

fn rewrite(title: impl Into<String>, start: usize, end: usize, text: impl Into<String>) -> Fix {
    Fix {
        title: title.into(),
        edits: vec![Edit::replace(start, end, text)],
        safe: true,
        snippet: false,
    }
}

fn moved_imports(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for imp in &cx.model.imports {
        let new = match imp.path.strip_prefix(SDK_PATH) {
            Some("/mocks") => "github.com/restatedev/sdk-go/x/mocks",
            Some("/rcontext") => "github.com/restatedev/sdk-go/logging",
            Some("/protoc-gen-go-restate") => {
                "github.com/restatedev/sdk-go/x/protoc-gen-go-restate"
            }
            _ => continue,
        };
        let (s, e) = imp.span.range();
        // The path literal is the last part of the spec.
        let spec = cx.src.get(s..e).unwrap_or("");
        let Some(q) = spec
            .rfind('"')
            .and_then(|end| spec[..end].rfind('"').map(|start| (start, end)))
        else {
            continue;
        };
        let (ps, pe) = (s + q.0 + 1, s + q.1);
        let mut f = Finding::new(
            "RS9001",
            s,
            e,
            format!("`{}` moved in sdk-go 1.0: import `{new}`", imp.path),
        );
        f.fixes.push(rewrite(format!("Import {new}"), ps, pe, new));
        out.push(f);
    }
}

const RETRY_RENAMES: &[(&str, &str)] = &[
    ("WithMaxAttempts", "WithMaxRetryAttempts"),
    ("WithInitialInterval", "WithInitialRetryInterval"),
    ("WithMaxInterval", "WithMaxRetryInterval"),
    ("WithExponentiationFactor", "WithRetryIntervalFactor"),
    ("WithPayloadCodec", "WithCodec"),
];

fn renamed_calls(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let p = prefix(cx);
    for c in &cx.facts.calls {
        let node = c.parts.node;
        let args: Vec<&str> = c.parts.args.iter().map(|a| text(*a, cx.src)).collect();
        if let Some(name) = c.sdk {
            match name {
                "TerminalError" if !args.is_empty() => {
                    let replacement = match args.as_slice() {
                        [err] => format!("{p}ToTerminalError({err})"),
                        [err, code, ..] => {
                            format!("{p}ToTerminalError({err}, {p}WithErrorCode({code}))")
                        }
                        [] => continue,
                    };
                    out.push(
                        Finding::new(
                            "RS9001",
                            node.start_byte(),
                            node.end_byte(),
                            format!(
                                "restate.TerminalError is a type since sdk-go 1.0, not a constructor: use `{}`",
                                go::one_line(&replacement, 80)
                            ),
                        )
                        .with_fix(rewrite(format!("Use {replacement}"), node.start_byte(), node.end_byte(), replacement)),
                    );
                }
                "WithErrorCode" if args.len() == 2 => {
                    let replacement = format!(
                        "{p}ToTerminalError({}, {p}WithErrorCode({}))",
                        args[0], args[1]
                    );
                    out.push(
                        Finding::new(
                            "RS9001",
                            node.start_byte(),
                            node.end_byte(),
                            format!(
                                "restate.WithErrorCode(err, code) is the 0.x form; since 1.0 it is an option: `{}` (or ToRetryableError for retryable failures)",
                                go::one_line(&replacement, 80)
                            ),
                        )
                        .with_fix(rewrite(format!("Use {replacement}"), node.start_byte(), node.end_byte(), replacement)),
                    );
                }
                "ErrorCode" if args.len() == 1 => {
                    out.push(Finding::new(
                        "RS9001",
                        node.start_byte(),
                        node.end_byte(),
                        format!(
                            "restate.ErrorCode was removed in sdk-go 1.0: use `{p}AsTerminalError({0})` and call .Code() on it after a nil check",
                            go::one_line(args[0], 40)
                        ),
                    ));
                }
                "WithHttpClient" | "WithAuthKey" => {
                    let mut f = Finding::new(
                        "RS9001",
                        node.start_byte(),
                        node.end_byte(),
                        format!(
                            "restate.{name} moved to the ingress package in sdk-go 1.0: use ingress.{name}"
                        ),
                    );
                    f.fixes.extend(to_ingress(cx, &c.parts, name));
                    out.push(f);
                }
                _ => {
                    if let Some((_, new)) = RETRY_RENAMES.iter().find(|(old, _)| *old == name) {
                        let (ns, ne) = c.parts.name_range();
                        out.push(
                            Finding::new(
                                "RS9001",
                                node.start_byte(),
                                node.end_byte(),
                                format!(
                                    "restate.{name} was renamed to restate.{new} in sdk-go 1.0"
                                ),
                            )
                            .with_fix(rewrite(
                                format!("Rename to {new}"),
                                ns,
                                ne,
                                *new,
                            )),
                        );
                    }
                }
            }
            continue;
        }
        // `restate.Rand(ctx).UUID()`
        if let Some((recv, "UUID")) = futures::method_call(&c.parts, cx.src)
            && futures::kind_of(recv, cx.sem, cx.model) == Some(FutureKind::Rand)
        {
            let ctx_arg = go::call_parts(go::unparen(recv))
                .and_then(|r| r.arg(0))
                .map(|a| text(a, cx.src))
                .unwrap_or("ctx");
            let replacement = format!("{p}UUID({ctx_arg})");
            out.push(
                Finding::new(
                    "RS9001",
                    node.start_byte(),
                    node.end_byte(),
                    format!("Rand(ctx).UUID() was removed in sdk-go 1.0: use `{replacement}`"),
                )
                .with_fix(rewrite(
                    format!("Use {replacement}"),
                    node.start_byte(),
                    node.end_byte(),
                    replacement,
                )),
            );
        }
    }
    request_headers(cx, out);
}

/// `ctx.Request().Headers[k]` and `range ctx.Request().Headers`: a map in 0.x, a StringMap in 1.0.
fn request_headers(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let nodes = cx.facts.headers.clone();
    for sel in nodes {
        let Some(operand) = field(sel, "operand").map(go::unparen) else {
            continue;
        };
        // `<x>.Request()` where x is a Restate context parameter.
        let Some(req) = go::call_parts(operand) else {
            continue;
        };
        let Callee::Selector {
            operand: ctx,
            name: "Request",
            ..
        } = req.callee(cx.src)
        else {
            continue;
        };
        if !is_restate_ctx(ctx, cx) {
            continue;
        }
        let Some(parent) = cx.sem.parent(sel) else {
            continue;
        };
        if parent.kind() == "index_expression" && field(parent, "operand") == Some(sel) {
            let Some(key) = field(parent, "index") else {
                continue;
            };
            let replacement = format!("{}.Get({})", text(sel, cx.src), text(key, cx.src));
            out.push(
                Finding::new(
                    "RS9001",
                    parent.start_byte(),
                    parent.end_byte(),
                    format!("Request().Headers is a StringMap since sdk-go 1.0, not a map: use `{replacement}`"),
                )
                .with_fix(rewrite(format!("Use {replacement}"), parent.start_byte(), parent.end_byte(), replacement)),
            );
        } else if parent.kind() == "range_clause" && field(parent, "right") == Some(sel) {
            let replacement = format!("{}.Iter()", text(sel, cx.src));
            out.push(
                Finding::new(
                    "RS9001",
                    sel.start_byte(),
                    sel.end_byte(),
                    format!("Request().Headers is a StringMap since sdk-go 1.0: range over `{replacement}`"),
                )
                .with_fix(rewrite(format!("Use {replacement}"), sel.start_byte(), sel.end_byte(), replacement)),
            );
        }
    }
}

/// An identifier that resolves to a parameter whose type is a Restate handler context.
fn is_restate_ctx(n: Node<'_>, cx: &FileContext<'_>) -> bool {
    let n = go::unparen(n);
    if n.kind() != "identifier" {
        return false;
    }
    let Some(d) = cx.sem.resolve(n) else {
        return false;
    };
    if d.kind != DeclKind::Param {
        return false;
    }
    d.func
        .and_then(|f| cx.model.function_at_start(f.start_byte()))
        .and_then(|i| cx.model.functions.get(i as usize))
        .and_then(|f| f.ctx.as_ref())
        .is_some_and(|c| c.decl as usize == d.id() && c.kind.is_handler())
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

fn nonexistent(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        let node = c.parts.node;
        if c.sdk == Some("Select") {
            out.push(Finding::new(
                "RS9002",
                node.start_byte(),
                node.end_byte(),
                "restate.Select does not exist in sdk-go 1.x: race futures with restate.WaitFirst or iterate them with restate.Wait",
            ));
            continue;
        }
        let Some((recv, method)) = futures::method_call(&c.parts, cx.src) else {
            continue;
        };
        match method {
            "Done" if c.parts.args.is_empty() => {
                let Some(kind) = futures::kind_of(recv, cx.sem, cx.model) else {
                    continue;
                };
                let accessor = match kind {
                    FutureKind::Response | FutureKind::Attach => "Response",
                    FutureKind::RunAsync
                    | FutureKind::Awakeable
                    | FutureKind::Signal
                    | FutureKind::Promise => "Result",
                    _ => continue,
                };
                let (ns, ne) = c.parts.name_range();
                out.push(
                    Finding::new(
                        "RS9002",
                        node.start_byte(),
                        node.end_byte(),
                        format!(
                            "{} has no Done() method (only restate.After's future does): use .{accessor}()",
                            kind.type_name()
                        ),
                    )
                    .with_fix(rewrite(format!("Use {accessor}()"), ns, ne, accessor)),
                );
            }
            "Index"
                if c.parts.args.is_empty()
                    && futures::kind_of(recv, cx.sem, cx.model)
                        == Some(FutureKind::WaitFirstResult) =>
            {
                let mut f = Finding::new(
                    "RS9002",
                    node.start_byte(),
                    node.end_byte(),
                    "the future returned by restate.WaitFirst has no Index(): compare it with the futures you passed (`if first == timeout`) or use a type switch",
                );
                f.fixes.extend(index_comparison(cx, node, recv));
                out.push(f);
            }
            m if OLD_CTX_METHODS.contains(&m) => {
                if !is_restate_ctx(recv, cx) {
                    continue;
                }
                let p = match &cx.model.restate {
                    Some(PkgRef::Named(a)) => format!("{a}."),
                    _ => String::new(),
                };
                let _ = named_children;
                out.push(Finding::new(
                    "RS9002",
                    node.start_byte(),
                    node.end_byte(),
                    format!(
                        "`{}.{m}` is the pre-0.11 API: Restate operations are package functions taking the context, e.g. `{p}{m}({}, ...)`",
                        text(recv, cx.src),
                        text(recv, cx.src)
                    ),
                ));
            }
            _ => {}
        }
    }
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

/// `restate.WithAuthKey(k)` -> `ingress.WithAuthKey(k)`, importing the ingress package if needed
/// (and dropping the SDK import if that was its last use).
fn to_ingress(cx: &FileContext<'_>, call: &go::CallParts<'_>, name: &str) -> Option<Fix> {
    let (alias, import) = match &cx.model.ingress {
        Some(PkgRef::Named(a)) => (a.clone(), None),
        Some(PkgRef::Dot) => return None,
        None => (
            "ingress".to_string(),
            crate::analysis::fixes::add_import(
                cx.src,
                cx.tree,
                cx.model,
                crate::analysis::restate_api::INGRESS_PATH,
            ),
        ),
    };
    if import.is_some() && cx.sem.has_local_named("ingress") {
        return None; // a local named `ingress` would hide the package
    }
    let f = call.func;
    let mut edits = vec![Edit::replace(
        f.start_byte(),
        f.end_byte(),
        format!("{alias}.{name}"),
    )];
    edits.extend(import);
    Some(Fix {
        title: format!("Use {alias}.{name}"),
        edits: crate::analysis::fixes::with_tidy_imports(cx.sem, edits),
        safe: true,
        snippet: false,
    })
}

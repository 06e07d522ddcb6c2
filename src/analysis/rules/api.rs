//! RS7001-RS7003: misuse the Go compiler accepts. A bare integer where a `time.Duration` is expected
//! is nanoseconds; `WaitFirst` with nothing to wait for panics; the `Invocation` a one-way `Send`
//! returns is never nil, so checking it as the error older SDKs returned always takes the failure
//! path.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix};
use crate::analysis::futures::{self, FutureKind, Values};
use crate::analysis::go::{self, Callee, field, named_children, text};
use crate::analysis::model::sdk_fn;
use crate::analysis::rules::FileContext;
use crate::analysis::semantic::{BindingKind, DeclKind};

/// Duration arguments: (function, argument index).
const DURATION_ARGS: &[(&str, usize)] = &[
    ("Sleep", 1),
    ("After", 1),
    ("WithDelay", 0),
    ("WithInitialRetryInterval", 0),
    ("WithMaxRetryInterval", 0),
    ("WithMaxRetryDuration", 0),
    ("WithInactivityTimeout", 0),
    ("WithAbortTimeout", 0),
    ("WithIdempotencyRetention", 0),
    ("WithJournalRetention", 0),
    ("WithWorkflowRetention", 0),
];

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    send_result_as_error(cx, out);
    for c in &cx.facts.calls {
        let Some(name) = c.sdk else { continue };
        if name == "WaitFirst" && c.parts.args.len() <= 1 {
            out.push(Finding::new(
                "RS7002",
                c.parts.node.start_byte(),
                c.parts.node.end_byte(),
                "restate.WaitFirst with no futures panics at run time; pass the futures to race",
            ));
            continue;
        }
        let Some(&(_, idx)) = DURATION_ARGS.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let Some(arg) = c.parts.arg(idx) else {
            continue;
        };
        let Some(value) = untyped_int(arg, cx, 0) else {
            continue;
        };
        if value == 0 {
            continue;
        }
        let arg_text = text(arg, cx.src);
        let time = match cx.model.imports.iter().find(|i| i.path == "time") {
            Some(i) => match i.local_name() {
                Some(crate::analysis::model::PkgRef::Named(n)) => n,
                _ => "time".to_string(),
            },
            None => "time".to_string(),
        };
        let mut f = Finding::new(
            "RS7001",
            arg.start_byte(),
            arg.end_byte(),
            format!(
                "restate.{name}({arg_text}) takes a time.Duration: the untyped constant {arg_text} means {value} nanoseconds; multiply it by a unit"
            ),
        );
        let depth = crate::analysis::fixes::expr_depth(cx.sem, arg);
        let wrap = |unit: &str| {
            let base = if arg.kind() == "binary_expression" {
                format!("({arg_text})")
            } else {
                arg_text.to_string()
            };
            crate::analysis::fixes::binary(&base, "*", &format!("{time}.{unit}"), depth)
        };
        for unit in ["Millisecond", "Second"] {
            let mut edits = vec![Edit::replace(arg.start_byte(), arg.end_byte(), wrap(unit))];
            if let Some(imp) = crate::analysis::fixes::add_import(cx.src, cx.tree, cx.model, "time")
            {
                edits.push(imp);
            }
            f.fixes.push(Fix {
                title: format!("Use {arg_text} * {time}.{unit}"),
                edits,
                safe: false,
                snippet: false,
            });
        }
        out.push(f);
    }
}

/// The value of an untyped integer constant expression (literals, arithmetic on them, and
/// constants declared without a type), if `n` is one.
fn untyped_int(n: Node<'_>, cx: &FileContext<'_>, depth: u32) -> Option<i128> {
    if depth > 6 {
        return None;
    }
    let n = go::unparen(n);
    match n.kind() {
        "int_literal" => parse_int(text(n, cx.src)),
        "binary_expression" => {
            let l = untyped_int(field(n, "left")?, cx, depth + 1)?;
            let r = untyped_int(field(n, "right")?, cx, depth + 1)?;
            match field(n, "operator").map(|o| text(o, cx.src))? {
                "+" => l.checked_add(r),
                "-" => l.checked_sub(r),
                "*" => l.checked_mul(r),
                "/" => (r != 0).then(|| l / r),
                _ => None,
            }
        }
        "identifier" => {
            let d = cx.sem.constant(n)?;
            if d.kind != DeclKind::Const || d.ty.is_some() {
                return None;
            }
            untyped_int(d.value?, cx, depth + 1)
        }
        _ => None,
    }
}

fn parse_int(t: &str) -> Option<i128> {
    let t = t.replace('_', "");
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i128::from_str_radix(h, 16).ok()
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        i128::from_str_radix(b, 2).ok()
    } else if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        i128::from_str_radix(o, 8).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        i128::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

/// RS7003: every `Send(...)` of a request or send client (generated typed clients included) whose
/// `Invocation` is compared with nil or used as an error, directly or through the variables it is
/// declared into.
fn send_result_as_error(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let values = Values::new(cx.ws, cx.path);
    for c in &cx.facts.calls {
        if is_client_send(cx, &c.parts, &values) {
            error_uses(cx, &values, c.parts.node, c.parts.node, 0, out);
        }
    }
}

/// `x.Send(...)` on a request or send client: the call that returns an `Invocation`.
fn is_client_send(cx: &FileContext<'_>, call: &go::CallParts<'_>, values: &Values<'_>) -> bool {
    matches!(futures::method_call(call, cx.src), Some((recv, "Send"))
    if matches!(
        futures::sdk_value_of(recv, cx.sem, cx.model, values),
        Some(FutureKind::Client | FutureKind::SendClient)
    ))
}

/// The uses of `value` (the Send call, or a use of a variable holding its result) as an error.
fn error_uses<'t>(
    cx: &FileContext<'t>,
    values: &Values<'_>,
    send: Node<'t>,
    value: Node<'t>,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    if depth > 4 {
        return;
    }
    let mut cur = value;
    let mut parent = cx.sem.parent(cur);
    while let Some(p) = parent.filter(|p| p.kind() == "parenthesized_expression") {
        cur = p;
        parent = cx.sem.parent(p);
    }
    let Some(parent) = parent else { return };
    let subject = if value == send {
        format!("`{}` returns", futures::snippet(send, cx.src))
    } else {
        format!(
            "`{}` holds the result of `{}`,",
            text(value, cx.src),
            futures::snippet(send, cx.src)
        )
    };
    let report =
        |at: Node<'_>, what: String| Finding::new("RS7003", at.start_byte(), at.end_byte(), what);
    match parent.kind() {
        "binary_expression" => {
            let Some(op) = field(parent, "operator").map(|o| text(o, cx.src)) else {
                return;
            };
            let other = if field(parent, "left") == Some(cur) {
                field(parent, "right")
            } else {
                field(parent, "left")
            };
            if !matches!(op, "==" | "!=") || !other.is_some_and(|o| is_nil(cx, o)) {
                return;
            }
            let outcome = if op == "!=" {
                "always true, so the \"failure\" path always runs"
            } else {
                "always false"
            };
            out.push(report(
                parent,
                format!(
                    "{subject} a restate.Invocation (a handle with GetInvocationId()), never an error and never nil: `{}` is {outcome}; Send reports no error (Restate journals the call and delivers it), so drop the check",
                    futures::snippet(parent, cx.src)
                ),
            ));
        }
        "selector_expression" if field(parent, "operand") == Some(cur) => {
            let is_error_call = field(parent, "field").is_some_and(|f| text(f, cx.src) == "Error")
                && cx.sem.parent(parent).is_some_and(|g| {
                    g.kind() == "call_expression" && field(g, "function") == Some(parent)
                });
            if let Some(call) = cx.sem.parent(parent).filter(|_| is_error_call) {
                out.push(report(
                    call,
                    format!(
                        "{subject} a restate.Invocation, not an error: it has no Error(), only GetInvocationId(); Send reports no error, so there is nothing to read here"
                    ),
                ));
            }
        }
        "argument_list" => {
            let Some(call) = cx.sem.parent(parent).and_then(go::call_parts) else {
                return;
            };
            let index = call.args.iter().position(|a| *a == cur);
            if let Some(what) = index.and_then(|i| error_parameter(cx, &call, i)) {
                out.push(report(
                    call.node,
                    format!(
                        "{subject} a restate.Invocation, never an error and never nil, but {what} takes it as an error; Send reports no error (Restate journals the call and delivers it), so drop this"
                    ),
                ));
            }
        }
        "expression_list" => {
            let Some(stmt) = cx.sem.parent(parent) else {
                return;
            };
            let items = named_children(parent);
            let Some(i) = items.iter().position(|v| *v == cur) else {
                return;
            };
            match stmt.kind() {
                "short_var_declaration" | "var_spec" if is_value_list(stmt, parent) => {
                    let names = declared_names(stmt);
                    if names.len() == items.len()
                        && let Some(name) = names.get(i)
                    {
                        follow(cx, values, send, *name, depth, out);
                    }
                }
                "return_statement" if returns_error_at(cx, stmt, i, items.len()) => {
                    out.push(report(
                        cur,
                        format!(
                            "{subject} a restate.Invocation, never an error and never nil, but it is returned as this function's error: callers see a failure on every send; Send reports no error, so return nil"
                        ),
                    ));
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// A variable declared with the result of `send`: its uses, unless something other than a Send's
/// result may be stored in it later (`inv = nil`, `&inv`).
fn follow<'t>(
    cx: &FileContext<'t>,
    values: &Values<'_>,
    send: Node<'t>,
    name: Node<'t>,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    let Some(id) = cx.sem.binding_of(name) else {
        return;
    };
    // A `:=` that assigns a variable declared earlier: what it held before is not known here.
    if cx.sem.binding(id).decl != name {
        return;
    }
    let uses = cx.sem.uses(id);
    if uses
        .iter()
        .any(|u| cx.sem.is_write(*u) && !assigns_a_send(cx, values, *u))
    {
        return;
    }
    for u in uses {
        if !cx.sem.is_write(*u) {
            error_uses(cx, values, send, *u, depth + 1, out);
        }
    }
}

/// `inv = client.Send(y)`: the write stores another Invocation.
fn assigns_a_send(cx: &FileContext<'_>, values: &Values<'_>, target: Node<'_>) -> bool {
    let Some(list) = cx
        .sem
        .parent(target)
        .filter(|p| p.kind() == "expression_list")
    else {
        return false;
    };
    let Some(stmt) = cx.sem.parent(list) else {
        return false;
    };
    if !matches!(
        stmt.kind(),
        "assignment_statement" | "short_var_declaration"
    ) || field(stmt, "operator").is_some_and(|o| !matches!(text(o, cx.src), "=" | ":="))
    {
        return false;
    }
    let lefts = named_children(list);
    let rights = field(stmt, "right").map(named_children).unwrap_or_default();
    let Some(i) = lefts.iter().position(|l| *l == target) else {
        return false;
    };
    lefts.len() == rights.len()
        && go::call_parts(go::unparen(rights[i]))
            .is_some_and(|call| is_client_send(cx, &call, values))
}

/// Whether `list` holds the values (not the names) of a declaration.
fn is_value_list(stmt: Node<'_>, list: Node<'_>) -> bool {
    match stmt.kind() {
        "short_var_declaration" => field(stmt, "right") == Some(list),
        "var_spec" => field(stmt, "value") == Some(list),
        _ => false,
    }
}

/// The names a `:=` or `var` spec declares, in order.
fn declared_names(stmt: Node<'_>) -> Vec<Node<'_>> {
    match stmt.kind() {
        "short_var_declaration" => field(stmt, "left").map(named_children).unwrap_or_default(),
        _ => {
            let mut cursor = stmt.walk();
            stmt.children_by_field_name("name", &mut cursor).collect()
        }
    }
}

/// The untyped `nil`, not a variable of that name.
fn is_nil(cx: &FileContext<'_>, n: Node<'_>) -> bool {
    let n = go::unparen(n);
    (n.kind() == "nil" || (n.kind() == "identifier" && text(n, cx.src) == "nil"))
        && cx.sem.binding_of(n).is_none()
}

/// What takes argument `i` of `call` as an error: the errors package's inspection functions, the
/// SDK's error conversions, and a `%w` verb of `fmt.Errorf`.
fn error_parameter(cx: &FileContext<'_>, call: &go::CallParts<'_>, i: usize) -> Option<String> {
    let callee = call.callee(cx.src);
    if let Some(name) = sdk_fn(&cx.model.restate, &callee)
        && matches!(
            name,
            "IsTerminalError"
                | "AsTerminalError"
                | "ToTerminalError"
                | "IsRetryableError"
                | "AsRetryableError"
                | "ToRetryableError"
        )
        && i == 0
    {
        return Some(format!("restate.{name}"));
    }
    let Callee::Selector {
        operand,
        operand_ident: Some(pkg),
        name,
    } = callee
    else {
        return None;
    };
    // A local variable named like the package is not the package.
    if cx
        .sem
        .binding_of(operand)
        .is_some_and(|b| cx.sem.binding(b).kind != BindingKind::Import)
    {
        return None;
    }
    match (cx.model.import_path_for(pkg)?, name) {
        ("errors", "Is" | "As" | "Unwrap") if i == 0 => Some(format!("errors.{name}")),
        ("errors", "Join") => Some("errors.Join".to_string()),
        ("fmt", "Errorf") if i > 0 => {
            let format = go::string_value(call.arg(0)?, cx.src)?;
            (verbs(&format)?.get(i - 1) == Some(&'w')).then(|| "the %w of fmt.Errorf".to_string())
        }
        _ => None,
    }
}

/// The verbs of a format string in argument order; `None` when a `*` width or an explicit
/// argument index makes the order hard to follow.
fn verbs(format: &str) -> Option<Vec<char>> {
    let mut out = vec![];
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        for v in chars.by_ref() {
            match v {
                '*' | '[' => return None,
                '+' | '-' | '#' | ' ' | '0'..='9' | '.' => continue,
                // `%%` is a literal percent sign, not a verb.
                '%' => break,
                _ => {
                    out.push(v);
                    break;
                }
            }
        }
    }
    Some(out)
}

/// Whether value `i` of `n` values returned by `ret` is the enclosing function's `error` result.
fn returns_error_at(cx: &FileContext<'_>, ret: Node<'_>, i: usize, n: usize) -> bool {
    let Some(result) = cx.sem.enclosing_func(ret).and_then(|f| field(f, "result")) else {
        return false;
    };
    let types: Vec<&str> = if result.kind() == "parameter_list" {
        named_children(result)
            .into_iter()
            .flat_map(|p| {
                let ty = field(p, "type")
                    .map(|t| text(t, cx.src))
                    .unwrap_or_default();
                let mut cursor = p.walk();
                let count = p.children_by_field_name("name", &mut cursor).count().max(1);
                std::iter::repeat_n(ty, count)
            })
            .collect()
    } else {
        vec![text(result, cx.src)]
    };
    types.len() == n && types.get(i) == Some(&"error")
}

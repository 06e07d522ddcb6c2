//! RS7001-RS7002: misuse the Go compiler accepts. A bare integer where a `time.Duration` is expected
//! is nanoseconds; `WaitFirst` with nothing to wait for panics.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix};
use crate::analysis::go::{self, field, text};
use crate::analysis::rules::FileContext;
use crate::analysis::semantic::DeclKind;

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

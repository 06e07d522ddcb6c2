//! RS6001: ingress calls to critical handlers without an idempotency key. A client that retries a
//! request after a timeout would start a second invocation (a second charge); with a key, Restate
//! deduplicates it. Calls made inside handlers are already deduplicated by the journal.

use crate::analysis::findings::{Edit, Finding, Fix};
use crate::analysis::model::{ClientMethod, PkgRef};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;

const DEFAULT_CRITICAL: &[&str] = &[
    "charge", "pay", "refund", "transfer", "withdraw", "deposit", "order", "checkout", "invoice",
];

/// Whether `Service/Handler` is critical: the configured patterns (`*` matches any run of
/// characters), else a handler name containing one of the default words.
pub fn is_critical(patterns: &[String], service: &str, handler: &str) -> bool {
    if patterns.is_empty() {
        let h = handler.to_lowercase();
        return DEFAULT_CRITICAL.iter().any(|w| h.contains(w));
    }
    let target = format!("{service}/{handler}");
    patterns.iter().any(|p| glob(p, &target))
}

fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

pub fn check(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.model.calls {
        if !c.ingress
            || c.has_idempotency_key
            || !matches!(c.method, Some(ClientMethod::Request | ClientMethod::Send))
        {
            continue;
        }
        if facts::in_handler(cx.model, c.func) {
            continue;
        }
        let (Some(svc), Some(h)) = (&c.service, &c.handler) else {
            continue;
        };
        if !is_critical(&cx.config.critical, &svc.value, &h.value) {
            continue;
        }
        let (s, e) = c.full_span.range();
        let mut f = Finding::new(
            "RS6001",
            s,
            e,
            format!(
                "ingress call to critical handler {}/{} without restate.WithIdempotencyKey: if the client retries (a timeout, a crash), Restate starts a second invocation; pass a key that identifies the request",
                svc.value, h.value
            ),
        );
        if let Some(close) = c.method_args_close {
            let prefix = match &cx.model.restate {
                Some(PkgRef::Named(a)) => format!("{a}."),
                Some(PkgRef::Dot) => String::new(),
                None => "restate.".to_string(),
            };
            let mut edits = vec![Edit::insert(
                close as usize,
                format!(", {prefix}WithIdempotencyKey(${{1:idempotencyKey}})"),
            )];
            if cx.model.restate.is_none() {
                let sdk = crate::analysis::restate_api::SDK_PATH;
                if let Some(imp) =
                    crate::analysis::fixes::add_import(cx.src, cx.tree, cx.model, sdk)
                {
                    // The SDK's package name is `restate` while its path ends in `sdk-go`: name it.
                    let text = imp
                        .text
                        .replace(&format!("\"{sdk}\""), &format!("restate \"{sdk}\""));
                    edits.push(Edit::replace(imp.start, imp.end, text));
                }
            }
            f.fixes.push(Fix {
                title: "Add restate.WithIdempotencyKey".into(),
                edits,
                safe: false,
                snippet: true,
            });
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_targets() {
        assert!(is_critical(&[], "Payments", "Charge"));
        assert!(is_critical(&[], "Shop", "PlaceOrder"));
        assert!(!is_critical(&[], "Shop", "Browse"));
        let cfg = vec!["Payments/Capture".to_string(), "Ledger/*".to_string()];
        assert!(is_critical(&cfg, "Ledger", "Post"));
        assert!(is_critical(&cfg, "Payments", "Capture"));
        assert!(!is_critical(&cfg, "Payments", "Charge"));
        assert!(!is_critical(&cfg, "LedgerArchive", "Post"));
    }
}

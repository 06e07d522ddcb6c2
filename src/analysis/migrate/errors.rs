//! Errors: `restate.TerminalError(err[, code])` (a type in 1.0, no longer a constructor),
//! `restate.WithErrorCode(err, code)` (an option in 1.0) and `restate.ErrorCode(err)` (removed).

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, Callee, text};
use crate::analysis::migrate::show::arg;
use crate::analysis::migrate::walk::walk_with_path;
use crate::analysis::migrate::{Cx, Ref, Rewrite, has_spread, name_node, wrap};
use crate::analysis::span::Locator;

/// The declaration the ErrorCode rewrite calls, with `{name}` and `{p}` (the SDK prefix) to fill.
/// It answers what 0.x's `ErrorCode` answered: the code carried by the error, else 500. In 1.0 a
/// code travels on a terminal or a retryable error, and nothing else has one.
pub const HELPER: &str = "\n// {name} is the code of err as sdk-go 0.x's restate.ErrorCode read it: the code of the terminal\n// or retryable error err is or wraps, else 500.\nfunc {name}(err error) {p}Code {\n\tif t := {p}AsTerminalError(err); t != nil {\n\t\treturn t.Code()\n\t}\n\tif r := {p}AsRetryableError(err); r != nil {\n\t\treturn r.Code()\n\t}\n\treturn 500\n}\n";

/// The helper's text for a package whose SDK prefix is `p`.
pub fn helper_text(name: &str, p: &str) -> String {
    HELPER.replace("{name}", name).replace("{p}", p)
}

/// The name the helper gets in a package, given a test for names already taken there.
pub fn helper_name(taken: impl Fn(&str) -> bool) -> String {
    ["errorCode", "restateErrorCode"]
        .iter()
        .map(|s| s.to_string())
        .chain((2..).map(|i| format!("restateErrorCode{i}")))
        .find(|n| !taken(n))
        .unwrap_or_else(|| "restateErrorCode".into())
}

/// Whether `src` already declares the helper (a function of that name taking an error): rewrites
/// then call it instead of adding another.
pub fn declares_helper(src: &str, name: &str) -> bool {
    src.contains(&format!("func {name}(err error)"))
}

/// The targets of `errors.Is(x, target)` in the file, with their line (1-based): code that
/// compares with a sentinel relies on unwrapping, which 1.0's ToTerminalError does not do.
pub(crate) fn is_targets(cx: &Cx<'_>) -> Vec<(String, u32)> {
    let Some(alias) = cx.pkgs.errors.clone() else {
        return vec![];
    };
    let mut out = vec![];
    let loc = Locator::new(cx.src);
    walk_with_path(cx.sem.root(), |n, _| {
        if matches!(n.kind(), "comment" | "import_declaration") {
            return false;
        }
        if let Some(c) = go::call_parts(n)
            && let Callee::Selector {
                operand_ident: Some(op),
                name: "Is",
                ..
            } = c.callee(cx.src)
            && op == alias
            && let Some(t) = c.arg(1)
        {
            out.push((
                text(t, cx.src).to_string(),
                loc.pos(n.start_byte()).line + 1,
            ));
        }
        true
    });
    out
}

/// Whether an error expression is a terminal error under 0.x (built by the SDK's constructors).
fn is_terminal_expr(cx: &Cx<'_>, n: Node<'_>) -> bool {
    let Some(c) = go::call_parts(go::unparen(n)) else {
        return false;
    };
    let name = match c.callee(cx.src) {
        Callee::Selector {
            operand_ident: Some(op),
            name,
            ..
        } if cx.pkgs.root_prefix() == format!("{op}.") => name,
        Callee::Ident(name) if cx.pkgs.root_prefix().is_empty() => name,
        _ => return false,
    };
    matches!(name, "TerminalError" | "TerminalErrorf" | "ToTerminalError")
}

pub(crate) fn site(cx: &mut Cx<'_>, r: &Ref<'_>, is_targets: &[(String, u32)]) {
    if r.node.kind() == "qualified_type" {
        return; // `restate.TerminalError` as a type: the 1.0 API
    }
    let Some(call) = r.call() else {
        // A value use (`mapErr(restate.TerminalError)`): the function is gone in 1.0.
        let what = match r.name {
            "TerminalError" => {
                "is a type in sdk-go 1.0: pass `func(err error) error { return restate.ToTerminalError(err) }` instead"
            }
            "ErrorCode" => {
                "was removed in sdk-go 1.0: read the code with restate.AsTerminalError(err).Code() after a nil check"
            }
            // `restate.WithErrorCode` as a value is the 1.0 option constructor.
            _ => return,
        };
        if !cx.old_api && r.name != "TerminalError" {
            return;
        }
        let kind = if r.name == "TerminalError" {
            "TerminalError"
        } else {
            "ErrorCode"
        };
        cx.push(kind, r.node, format!("restate.{} {what}", r.name), None);
        return;
    };
    let src = cx.src;
    let name = name_node(r.node);
    match (r.name, call.args.as_slice()) {
        ("TerminalError", [err, rest @ ..]) if rest.len() <= 1 && !has_spread(&call) => {
            let mut edits = vec![Edit::replace(
                name.start_byte(),
                name.end_byte(),
                "ToTerminalError",
            )];
            let shown = match rest {
                [code] => {
                    edits.extend(wrap(*code, &format!("{}(", cx.root("WithErrorCode")), ")"));
                    format!(
                        "{}({}, {}({}))",
                        cx.root("ToTerminalError"),
                        arg(*err, src, "err"),
                        cx.root("WithErrorCode"),
                        arg(*code, src, "code")
                    )
                }
                _ => format!("{}({})", cx.root("ToTerminalError"), arg(*err, src, "err")),
            };
            let mut message = format!(
                "restate.TerminalError is a type since sdk-go 1.0, not a constructor: use `{shown}`"
            );
            if let Some(note) = unwrap_note(cx, *err, is_targets) {
                message.push_str(&note);
            }
            cx.push(
                "TerminalError",
                call.node,
                message,
                Some(Rewrite::new(
                    format!("Use {}", cx.root("ToTerminalError")),
                    edits,
                )),
            );
        }
        ("WithErrorCode", [err, code]) => {
            let terminal = is_terminal_expr(cx, *err);
            let (new, meaning) = if terminal {
                ("ToTerminalError", "")
            } else {
                (
                    "ToRetryableError",
                    " keeps the 0.x meaning (the error stays retryable, and wrapped); write ToTerminalError instead to stop retries",
                )
            };
            let mut edits = vec![Edit::replace(name.start_byte(), name.end_byte(), new)];
            edits.extend(wrap(*code, &format!("{}(", cx.root("WithErrorCode")), ")"));
            let shown = format!(
                "{}({}, {}({}))",
                cx.root(new),
                arg(*err, src, "err"),
                cx.root("WithErrorCode"),
                arg(*code, src, "code")
            );
            let advice = if meaning.is_empty() {
                format!("use `{shown}`")
            } else {
                format!("`{shown}`{meaning}")
            };
            cx.push(
                "WithErrorCode",
                call.node,
                format!(
                    "restate.WithErrorCode(err, code) is the 0.x form; since sdk-go 1.0 a code is an option: {advice}"
                ),
                Some(Rewrite::new(format!("Use {}", cx.root(new)), edits)),
            );
        }
        ("ErrorCode", [err]) => {
            let helper = cx.error_code_helper.to_string();
            let mut rw = Rewrite::new(
                format!("Use {helper}, a helper with ErrorCode's meaning"),
                vec![Edit::replace(
                    call.func.start_byte(),
                    call.func.end_byte(),
                    helper.clone(),
                )],
            );
            rw.needs_error_code_helper = true;
            // It adds a declaration to the package: applied one site at a time it could add it
            // twice, so only the module migration (which adds it once) applies it unasked.
            rw.safe = false;
            cx.push(
                "ErrorCode",
                call.node,
                format!(
                    "restate.ErrorCode was removed in sdk-go 1.0: use `{helper}({})`, a package helper returning the code of the terminal or retryable error (restate.AsTerminalError / AsRetryableError), else 500, as ErrorCode did",
                    arg(*err, src, "err")
                ),
                Some(rw),
            );
        }
        // `restate.WithErrorCode(code)` is the 1.0 option; other shapes do not compile anywhere.
        _ => {}
    }
}

/// ", and ToTerminalError ..." when code in this file compares with what `err` wraps.
fn unwrap_note(cx: &Cx<'_>, err: Node<'_>, is_targets: &[(String, u32)]) -> Option<String> {
    let t = text(err, cx.src);
    let hit = is_targets.iter().find(|(target, _)| mentions(t, target))?;
    Some(format!(
        "; note that ToTerminalError no longer wraps the original error (it keeps only its message), so `errors.Is(.., {})` on line {} stops matching the result: compare before converting, or keep the sentinel's message",
        hit.0, hit.1
    ))
}

/// Whether `hay` mentions `needle` as a whole expression or identifier.
fn mentions(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names_skip_taken_ones() {
        assert_eq!(helper_name(|_| false), "errorCode");
        assert_eq!(helper_name(|n| n == "errorCode"), "restateErrorCode");
        assert_eq!(
            helper_name(|n| n == "errorCode" || n == "restateErrorCode"),
            "restateErrorCode2"
        );
        assert!(declares_helper(
            &helper_text("errorCode", "restate."),
            "errorCode"
        ));
    }

    #[test]
    fn mentions_whole_identifiers() {
        assert!(mentions("ErrDeclined", "ErrDeclined"));
        assert!(mentions(
            "fmt.Errorf(\"x: %w\", ErrDeclined)",
            "ErrDeclined"
        ));
        assert!(!mentions("ErrDeclinedTwice", "ErrDeclined"));
        assert!(!mentions("pkg.ErrDeclined", "ErrDeclined"));
    }
}

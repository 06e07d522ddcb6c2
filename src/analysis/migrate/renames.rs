//! Identifiers that 1.0 renamed or moved to another package, and those it removed from
//! `x/mocks` without a replacement of the same shape. Found by comparing the exported declarations
//! of sdk-go v0.23.0/v0.24.0 (root, ingress, encoding, mocks) with v1.0.0.

use crate::analysis::findings::Edit;
use crate::analysis::go;
use crate::analysis::migrate::show::arg;
use crate::analysis::migrate::{Cx, Pkg, Ref, Rewrite, has_spread, wrap};

/// A parameter whose type changed with the name: the conversion the rewrite adds around an
/// argument that is not a constant.
#[derive(Clone, Copy)]
struct Retyped {
    from: &'static str,
    to: &'static str,
}

struct Rename {
    pkg: Pkg,
    old: &'static str,
    new_pkg: Pkg,
    new: &'static str,
    retyped: Option<Retyped>,
    /// What the message adds (semantics that moved with the name).
    note: &'static str,
}

const fn rename(pkg: Pkg, old: &'static str, new_pkg: Pkg, new: &'static str) -> Rename {
    Rename {
        pkg,
        old,
        new_pkg,
        new,
        retyped: None,
        note: "",
    }
}

const RENAMES: &[Rename] = &[
    Rename {
        retyped: Some(Retyped {
            from: "int",
            to: "uint",
        }),
        note: " (the count still includes the first attempt)",
        ..rename(
            Pkg::Root,
            "WithMaxAttempts",
            Pkg::Root,
            "WithMaxRetryAttempts",
        )
    },
    rename(
        Pkg::Root,
        "WithInitialInterval",
        Pkg::Root,
        "WithInitialRetryInterval",
    ),
    rename(
        Pkg::Root,
        "WithMaxInterval",
        Pkg::Root,
        "WithMaxRetryInterval",
    ),
    Rename {
        retyped: Some(Retyped {
            from: "float64",
            to: "float32",
        }),
        note: "",
        ..rename(
            Pkg::Root,
            "WithExponentiationFactor",
            Pkg::Root,
            "WithRetryIntervalFactor",
        )
    },
    rename(Pkg::Root, "WithPayloadCodec", Pkg::Root, "WithCodec"),
    rename(Pkg::Root, "WithHttpClient", Pkg::Ingress, "WithHttpClient"),
    rename(Pkg::Root, "WithAuthKey", Pkg::Ingress, "WithAuthKey"),
    rename(
        Pkg::Root,
        "IngressClientOption",
        Pkg::Ingress,
        "ClientOption",
    ),
    rename(
        Pkg::Root,
        "IngressRequestOption",
        Pkg::Ingress,
        "RequestOption",
    ),
    rename(Pkg::Root, "IngressSendOption", Pkg::Ingress, "SendOption"),
    // `Future` and `Selectable` were two names of one interface in 0.x.
    rename(Pkg::Root, "Selectable", Pkg::Root, "Future"),
    Rename {
        note: " (a PayloadCodec's InputPayload/OutputPayload methods now belong to encoding.CodecMetadata)",
        ..rename(Pkg::Encoding, "PayloadCodec", Pkg::Encoding, "Codec")
    },
    // Deprecated in v0.24, removed in 1.0; the replacements take the same arguments.
    rename(
        Pkg::Ingress,
        "AttachInvocation",
        Pkg::Ingress,
        "InvocationById",
    ),
    rename(
        Pkg::Ingress,
        "AttachService",
        Pkg::Ingress,
        "ServiceInvocationByIdempotencyKey",
    ),
    rename(
        Pkg::Ingress,
        "AttachObject",
        Pkg::Ingress,
        "ObjectInvocationByIdempotencyKey",
    ),
    rename(
        Pkg::Ingress,
        "AttachWorkflow",
        Pkg::Ingress,
        "WorkflowHandle",
    ),
];

/// Mock types and constructors for APIs 1.0 removed (`Rand()`'s custom interface, `Select`).
const REMOVED_MOCKS: &[(&str, &str)] = &[
    (
        "MockRand",
        "restate.Rand(ctx) returns *math/rand/v2.Rand in 1.0, which is not mocked: expect RandUUID() or seed it with WithRandSeed(n)",
    ),
    (
        "NewMockRand",
        "restate.Rand(ctx) returns *math/rand/v2.Rand in 1.0, which is not mocked: expect RandUUID() or seed it with WithRandSeed(n)",
    ),
    (
        "MockSelector",
        "restate.Select is gone in 1.0: mock the futures and WaitIterator (NewMockWaitIterator)",
    ),
    (
        "NewMockSelector",
        "restate.Select is gone in 1.0: mock the futures and WaitIterator (NewMockWaitIterator)",
    ),
    (
        "MockContext_Rand_Call",
        "MockContext.Rand is gone in 1.0: expect RandUUID() or RandSource(), or use WithRandSeed(n)",
    ),
    (
        "MockContext_Select_Call",
        "MockContext.Select is gone in 1.0: expect WaitIter",
    ),
];

/// Whether a bare (dot-imported) root name is one this module knows about.
pub(crate) fn is_old_root(name: &str) -> bool {
    RENAMES.iter().any(|r| r.pkg == Pkg::Root && r.old == name)
        || matches!(
            name,
            "TerminalError" | "WithErrorCode" | "ErrorCode" | "Rand" | "Select" | "Selector"
        )
}

pub(crate) fn is_old_ingress(name: &str) -> bool {
    RENAMES
        .iter()
        .any(|r| r.pkg == Pkg::Ingress && r.old == name)
}

/// The removed mock identifier `name` is (or belongs to, for `MockRand_UUID_Call` and the like),
/// with what to use instead.
fn removed_mock(name: &str) -> Option<(&'static str, &'static str)> {
    REMOVED_MOCKS
        .iter()
        .copied()
        .find(|(n, _)| name == *n || name.strip_prefix(n).is_some_and(|r| r.starts_with('_')))
}

fn pkg_name(p: Pkg) -> &'static str {
    match p {
        Pkg::Root => "restate",
        Pkg::Ingress => "ingress",
        Pkg::Encoding => "encoding",
        Pkg::Mocks => "mocks",
    }
}

/// Whether an argument is a constant the new parameter type accepts without a conversion:
/// literals and arithmetic on them (untyped constants).
fn is_literal_constant(n: tree_sitter::Node<'_>) -> bool {
    let n = go::unparen(n);
    match n.kind() {
        "int_literal" | "float_literal" => true,
        "unary_expression" => {
            crate::analysis::go::field(n, "operand").is_some_and(is_literal_constant)
        }
        "binary_expression" => {
            crate::analysis::go::field(n, "left").is_some_and(is_literal_constant)
                && crate::analysis::go::field(n, "right").is_some_and(is_literal_constant)
        }
        _ => false,
    }
}

pub(crate) fn site(cx: &mut Cx<'_>, r: &Ref<'_>) {
    if r.pkg == Pkg::Mocks {
        if let Some((kind, why)) = removed_mock(r.name) {
            cx.push(
                kind,
                r.node,
                format!(
                    "mocks.{} was removed from the mocks package in sdk-go 1.0: {why}",
                    r.name
                ),
                None,
            );
        }
        return;
    }
    let Some(rn) = RENAMES.iter().find(|x| x.pkg == r.pkg && x.old == r.name) else {
        return;
    };
    let old = format!("{}.{}", pkg_name(rn.pkg), rn.old);
    let new = format!("{}.{}", pkg_name(rn.new_pkg), rn.new);
    let verb = if rn.new_pkg != rn.pkg {
        format!("moved to the {} package", pkg_name(rn.new_pkg))
    } else {
        "was renamed".to_string()
    };
    let Some((written, import)) = cx.qualified(rn.new_pkg, rn.new, &r.path, r.node) else {
        cx.push(
            rn.old,
            r.node,
            format!(
                "{old} {verb} in sdk-go 1.0: use {new} (a local named `{}` hides the package here)",
                pkg_name(rn.new_pkg)
            ),
            None,
        );
        return;
    };
    let mut edits = vec![Edit::replace(
        r.node.start_byte(),
        r.node.end_byte(),
        written.clone(),
    )];
    let mut shown = written.clone();
    let mut retyped = String::new();
    if let Some(t) = rn.retyped {
        retyped = format!("; its parameter changed from {} to {}", t.from, t.to);
        match r.call() {
            Some(call) if call.args.len() == 1 && !has_spread(&call) => {
                let a = call.args[0];
                if is_literal_constant(a) {
                    shown = format!("{written}({})", arg(a, cx.src, "n"));
                } else {
                    edits.extend(wrap(a, &format!("{}(", t.to), ")"));
                    shown = format!("{written}({}({}))", t.to, arg(a, cx.src, "n"));
                    retyped.push_str(", so the argument is converted");
                }
            }
            // A value of the old function's type cannot become the new one by a rename.
            _ => {
                cx.push(
                    rn.old,
                    r.node,
                    format!(
                        "{old} {verb} to {new} in sdk-go 1.0{retyped}: call {new} with a {} where this passes the function",
                        t.to
                    ),
                    None,
                );
                return;
            }
        }
    }
    let mut rw = Rewrite::new(format!("Use {written}"), edits);
    rw.imports.extend(import);
    let where_ = if rn.new_pkg != rn.pkg {
        format!("{verb} in sdk-go 1.0")
    } else {
        format!("{verb} to {new} in sdk-go 1.0")
    };
    cx.push(
        rn.old,
        r.node,
        format!("{old} {where_}{retyped}{}: use `{shown}`", rn.note),
        Some(rw),
    );
}

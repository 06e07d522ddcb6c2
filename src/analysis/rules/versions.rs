//! RS9001-RS9002: API versions. Older docs and generated code use the 0.x API (renamed in 1.0) or
//! calls that never existed. RS9001's sites and rewrites come from `analysis::migrate`: an error
//! when go.mod requires the 1.0 API (or there is no go.mod); on a module that pins the 0.x API they
//! are summed up in one notice on go.mod instead, unless `[rules]` sets RS9001.

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Finding, Fix, Severity, Tag};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::migrate::{self, Site};
use crate::analysis::model::PkgRef;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;

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
        nonexistent(cx, out);
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

fn nonexistent(cx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for c in &cx.facts.calls {
        let node = c.parts.node;
        // `restate.Select` is a site of `analysis::migrate` (with its rewrite).
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
                if !facts::is_handler_ctx(cx, recv) {
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

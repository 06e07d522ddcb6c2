//! Results that became `restate.TerminalError` in 1.0 (`Get`, `Keys`, `Sleep`, `Run`, `RunVoid`,
//! `WaitFirst`, `TerminalErrorf`, and `Request`, `Response`, `Result`, `Peek`, `Done`, `Resolve`,
//! `Reject` of clients and futures). `count, err := restate.Get[int](ctx, "n")` then declares `err`
//! as a TerminalError, and a later `data, err := json.Marshal(v)` in the same block (or
//! `err = f()`) no longer compiles. Declaring `var err error` before the first declaration keeps
//! the variable's 0.x type, which every later assignment fits.

use tree_sitter::Node;

use crate::analysis::findings::Edit;
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::migrate::walk::walk_with_path;
use crate::analysis::migrate::{Cx, Rewrite};
use crate::analysis::model::sdk_fn;
use crate::analysis::scope::{self, DeclKind};

const KIND: &str = "TerminalError results";

/// Whether `call` returns a TerminalError (as its last result) in sdk-go 1.0; its name if so.
fn terminal_result(cx: &Cx<'_>, call: Node<'_>) -> Option<String> {
    let parts = go::call_parts(go::unparen(call))?;
    if let Some(name) = sdk_fn(&cx.model.restate, &parts.callee(cx.src)) {
        return matches!(
            name,
            "Get" | "Keys" | "Sleep" | "Run" | "RunVoid" | "WaitFirst" | "TerminalErrorf"
        )
        .then(|| format!("restate.{name}"));
    }
    let (recv, method) = futures::method_call(&parts, cx.src)?;
    let kind = futures::kind_of(recv, cx.src, cx.model)?;
    let fits = match method {
        "Request" => kind == FutureKind::Client,
        "Response" => matches!(kind, FutureKind::Response | FutureKind::Attach),
        "Result" => matches!(
            kind,
            FutureKind::RunAsync | FutureKind::Awakeable | FutureKind::Signal | FutureKind::Promise
        ),
        "Peek" | "Resolve" | "Reject" => kind == FutureKind::Promise,
        "Done" => kind == FutureKind::After,
        _ => false,
    };
    fits.then(|| format!("{}.{method}", kind.type_name()))
}

/// The expression assigned to the `i`-th of `n` targets by a right-hand side `rights`.
fn value_for<'t>(rights: &[Node<'t>], i: usize, n: usize) -> Option<(Node<'t>, bool)> {
    if rights.len() == n {
        rights.get(i).map(|r| (*r, true))
    } else {
        // `a, err := f()`: the call's last result.
        rights.first().map(|r| (*r, i + 1 == n))
    }
}

pub(crate) fn sites(cx: &mut Cx<'_>) {
    if cx.model.restate.is_none() {
        return;
    }
    let src = cx.src;
    let mut candidates: Vec<(Node<'_>, Vec<Node<'_>>)> = vec![];
    walk_with_path(cx.tree.root_node(), |n, path| {
        if matches!(n.kind(), "comment" | "import_declaration") {
            return false;
        }
        if n.kind() == "short_var_declaration"
            && path.last().is_some_and(|p| p.kind() == "statement_list")
        {
            candidates.push((n, path.to_vec()));
        }
        true
    });
    for (stmt, path) in candidates {
        site(cx, stmt, &path, src);
    }
}

fn site(cx: &mut Cx<'_>, stmt: Node<'_>, path: &[Node<'_>], src: &str) {
    let (Some(left), Some(right)) = (field(stmt, "left"), field(stmt, "right")) else {
        return;
    };
    let lefts = named_children(left);
    let rights = named_children(right);
    let n = lefts.len();
    let Some(block) = path.last().copied() else {
        return;
    };
    for (i, var) in lefts.iter().enumerate() {
        let name = text(*var, src);
        if var.kind() != "identifier" || name == "_" {
            continue;
        }
        let Some((value, last)) = value_for(&rights, i, n) else {
            continue;
        };
        if !last && rights.len() != n {
            continue;
        }
        let Some(op) = terminal_result(cx, value) else {
            continue;
        };
        // Only where this statement declares the variable (not a reuse of one declared earlier in
        // the same block, or a parameter of the function whose body the block is).
        if declared_before(path, *var, name, block, src) {
            continue;
        }
        let Some(write) = breaking_write(cx, stmt, block, name, src) else {
            continue;
        };
        let others_new = lefts.iter().enumerate().any(|(j, o)| {
            j != i
                && o.kind() == "identifier"
                && text(*o, src) != "_"
                && !declared_before(path, *o, text(*o, src), block, src)
        });
        let indent = go::line_indent(src, stmt.start_byte());
        let mut edits = vec![Edit::insert(
            stmt.start_byte(),
            format!("var {name} error\n{indent}"),
        )];
        if !others_new {
            let Some(tok) = assign_token(stmt) else {
                continue;
            };
            edits.push(Edit::replace(tok.start_byte(), tok.end_byte(), "="));
        }
        let loc = crate::analysis::span::Locator::new(src);
        let line = loc.pos(write.start_byte()).line + 1;
        let mut rw = Rewrite::new(format!("Declare `var {name} error` first"), edits);
        rw.safe = true;
        cx.push(
            KIND,
            *var,
            format!(
                "{op} returns a restate.TerminalError since sdk-go 1.0, so `{name}` declared here gets that type and the assignment on line {line} (`{}`) stops compiling: declare `var {name} error` first, as the 0.x type was",
                crate::analysis::migrate::show::arg(write, src, "assignment")
            ),
            Some(rw),
        );
    }
}

fn assign_token(stmt: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = stmt.walk();
    stmt.children(&mut cursor).find(|c| c.kind() == ":=")
}

/// Whether `name` is already declared in `block`'s scope before `at` (so `:=` reuses it).
fn declared_before(
    path: &[Node<'_>],
    at: Node<'_>,
    name: &str,
    block: Node<'_>,
    src: &str,
) -> bool {
    let mut p = path.to_vec();
    p.push(at);
    let Some(d) = scope::resolve_name_on_path(&p, name, src) else {
        return false;
    };
    if d.stmt.parent() == Some(block) || d.stmt == block {
        return true;
    }
    // The function's body block shares its scope with the parameters and results.
    let body_of_func = path
        .iter()
        .rev()
        .nth(1)
        .is_some_and(|b| b.kind() == "block")
        && path
            .iter()
            .rev()
            .nth(2)
            .is_some_and(|f| go::is_func_like(f.kind()));
    body_of_func
        && matches!(
            d.kind,
            DeclKind::Param | DeclKind::Result | DeclKind::Receiver
        )
        && d.func == path.iter().rev().nth(2).copied()
}

/// The first later write to the variable that the 1.0 type would reject: `x, name := g()` reusing
/// it in the same block, or `name = g()` anywhere inside the block, where the value is neither
/// nil nor another TerminalError result.
fn breaking_write<'t>(
    cx: &Cx<'_>,
    decl: Node<'t>,
    block: Node<'t>,
    name: &str,
    src: &str,
) -> Option<Node<'t>> {
    let mut found: Option<Node<'t>> = None;
    walk_with_path(block, |n, path| {
        if found.is_some() || n.end_byte() <= decl.end_byte() && n != block {
            return found.is_none() && go::contains(n, decl);
        }
        let reuse = n.kind() == "short_var_declaration"
            && path.last() == Some(&block)
            && n.start_byte() > decl.start_byte();
        let assign = n.kind() == "assignment_statement"
            && field(n, "operator").is_none_or(|o| text(o, src) == "=");
        if !(reuse || assign) {
            return true;
        }
        let (Some(left), Some(right)) = (field(n, "left"), field(n, "right")) else {
            return true;
        };
        let lefts = named_children(left);
        let rights = named_children(right);
        for (i, l) in lefts.iter().enumerate() {
            if l.kind() != "identifier" || text(*l, src) != name {
                continue;
            }
            if assign {
                // The same variable: not shadowed between the block and here.
                let mut p = path.to_vec();
                p.push(n);
                p.push(*l);
                let Some(d) = scope::resolve_name_on_path(&p, name, src) else {
                    continue;
                };
                if d.stmt.parent() != Some(block) {
                    continue;
                }
            }
            let Some((value, last)) = value_for(&rights, i, lefts.len()) else {
                continue;
            };
            let fine = text(value, src) == "nil"
                || (last || rights.len() == lefts.len()) && terminal_result(cx, value).is_some();
            if !fine {
                found = Some(n);
            }
        }
        true
    });
    found
}

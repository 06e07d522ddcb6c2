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
use crate::analysis::migrate::{Cx, Rewrite};
use crate::analysis::model::sdk_fn;

const KIND: &str = "TerminalError results";

/// Whether `call` returns a TerminalError (as its last result) in sdk-go 1.0; its name if so.
/// With `local`, also a function of this file declared to return one (code already on 1.x).
fn terminal_result(cx: &Cx<'_>, call: Node<'_>, local: bool) -> Option<String> {
    let parts = go::call_parts(go::unparen(call))?;
    let callee = parts.callee(cx.src);
    if let Some(name) = sdk_fn(&cx.model.restate, &callee) {
        return matches!(
            name,
            "Get"
                | "Keys"
                | "Sleep"
                | "Run"
                | "RunVoid"
                | "WaitFirst"
                | "TerminalErrorf"
                | "ToTerminalError"
        )
        .then(|| format!("restate.{name}"));
    }
    // A function of this file declared to return a TerminalError (1.x code).
    let own = match callee {
        go::Callee::Ident(n) => Some(n),
        go::Callee::Selector { name, .. } => Some(name),
        go::Callee::Other => None,
    };
    if local
        && let Some(n) = own
        && cx.model.functions.iter().any(|f| {
            f.name == n
                && f.results.last().is_some_and(|r| {
                    r.rsplit('.').next() == Some("TerminalError") && cx.model.restate.is_some()
                })
        })
    {
        return Some(n.to_string());
    }
    let (recv, method) = futures::method_call(&parts, cx.src)?;
    let kind = futures::kind_of(recv, cx.sem, cx.model)?;
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

/// A statement that may write a variable: `a, b = ..` or `a, b := ..`, with the nodes above it.
pub(crate) struct Write<'t> {
    pub stmt: Node<'t>,
    pub path: Vec<Node<'t>>,
    pub declares: bool,
}

impl<'t> Write<'t> {
    /// The write `n` is, if it is one (collected by the file's walk, in source order).
    pub fn of(n: Node<'t>, path: &[Node<'t>], src: &str) -> Option<Write<'t>> {
        let declares = n.kind() == "short_var_declaration";
        let assigns = n.kind() == "assignment_statement"
            && field(n, "operator").is_none_or(|o| text(o, src) == "=");
        (declares || assigns).then(|| Write {
            stmt: n,
            path: path.to_vec(),
            declares,
        })
    }
}

/// Candidates are the short declarations directly in a block; the later writes of each are found
/// among `writes` (every assignment and short declaration of the file, in source order).
pub(crate) fn sites(cx: &mut Cx<'_>, writes: &[Write<'_>]) {
    if cx.model.restate.is_none() {
        return;
    }
    let src = cx.src;
    for w in writes
        .iter()
        .filter(|w| w.declares && w.path.last().is_some_and(|p| p.kind() == "statement_list"))
    {
        site(cx, w, writes, src);
    }
}

fn site(cx: &mut Cx<'_>, w: &Write<'_>, writes: &[Write<'_>], src: &str) {
    let (stmt, path) = (w.stmt, w.path.as_slice());
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
        let Some(op) = terminal_result(cx, value, false) else {
            continue;
        };
        // Only where this statement declares the variable (not a reuse of one declared earlier in
        // the same block, or a parameter of the function whose body the block is).
        if declared_before(cx, *var) {
            continue;
        }
        let Some(write) = breaking_write(cx, stmt, block, name, writes, src) else {
            continue;
        };
        let others_new = lefts.iter().enumerate().any(|(j, o)| {
            j != i && o.kind() == "identifier" && text(*o, src) != "_" && !declared_before(cx, *o)
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
        let rw = Rewrite::new(format!("Declare `var {name} error` first"), edits);
        // The assignment is quoted when it fits on one short line; the line number always is.
        let quoted = text(write, src);
        let quoted = if quoted.contains('\n') || quoted.chars().count() > 60 {
            String::new()
        } else {
            format!(" (`{quoted}`)")
        };
        cx.push(
            KIND,
            *var,
            format!(
                "{op} returns a restate.TerminalError since sdk-go 1.0, so `{name}` declared here gets that type and the assignment on line {line}{quoted} stops compiling: declare `var {name} error` first, as the 0.x type was"
            ),
            Some(rw),
        );
    }
}

fn assign_token(stmt: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = stmt.walk();
    stmt.children(&mut cursor).find(|c| c.kind() == ":=")
}

/// Whether the `:=` naming `var` reuses a variable already declared in the block's scope (a
/// parameter or result when the block is a function's body) instead of declaring one.
fn declared_before(cx: &Cx<'_>, var: Node<'_>) -> bool {
    !cx.sem.is_declaration(var)
}

/// The first later write to the variable that the 1.0 type would reject: `x, name := g()` reusing
/// it in the same block, or `name = g()` anywhere inside the block, where the value is neither
/// nil nor another TerminalError result.
fn breaking_write<'t>(
    cx: &Cx<'_>,
    decl: Node<'t>,
    block: Node<'t>,
    name: &str,
    writes: &[Write<'t>],
    src: &str,
) -> Option<Node<'t>> {
    let from = writes.partition_point(|w| w.stmt.start_byte() <= decl.start_byte());
    // The block's own declarations of the variable: this one and the `:=` that reuse it.
    let mut own: Vec<usize> = vec![decl.start_byte()];
    for w in &writes[from..] {
        if w.stmt.start_byte() >= block.end_byte() {
            break;
        }
        let direct = w.path.last() == Some(&block);
        if w.declares && !direct {
            continue; // a declaration in a nested block is another variable
        }
        let (Some(left), Some(right)) = (field(w.stmt, "left"), field(w.stmt, "right")) else {
            continue;
        };
        let lefts = named_children(left);
        let rights = named_children(right);
        for (i, l) in lefts.iter().enumerate() {
            if l.kind() != "identifier" || text(*l, src) != name {
                continue;
            }
            if w.declares {
                own.push(w.stmt.start_byte());
            } else {
                // The same variable: not shadowed between the block and here.
                let Some(d) = cx.sem.resolve(*l) else {
                    continue;
                };
                if !own.contains(&d.stmt.start_byte()) {
                    continue;
                }
            }
            let Some((value, last)) = value_for(&rights, i, lefts.len()) else {
                continue;
            };
            let fine = text(value, src) == "nil"
                || (last || rights.len() == lefts.len())
                    && terminal_result(cx, value, true).is_some();
            if !fine {
                return Some(w.stmt);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::analysis::go::parse_str;
    use crate::analysis::migrate::{Input, sites};
    use crate::analysis::model::extract;

    fn kinds(src: &str) -> Vec<(String, String)> {
        let tree = parse_str(src);
        let model = extract(src, &tree);
        let sem = crate::analysis::semantic::Semantic::build(src, &tree);
        sites(&Input {
            src,
            sem: &sem,
            model: &model,
            old_api: false,
            error_code_helper: "errorCode",
        })
        .into_iter()
        .filter(|s| s.kind == super::KIND)
        .map(|s| (src[s.start..s.end].to_string(), s.message))
        .collect()
    }

    const HEAD: &str = "package p\n\nimport (\n\t\"encoding/json\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\nfunc check(ctx restate.Context) restate.TerminalError { return nil }\n\n";

    #[test]
    fn plain_errors_assigned_later_need_the_0x_type() {
        let src = format!(
            "{HEAD}func H(ctx restate.Context) (string, error) {{\n\tn, err := restate.Get[int](ctx, \"n\")\n\tif err != nil {{\n\t\treturn \"\", err\n\t}}\n\terr = check(ctx)\n\terr = nil\n\t_, err = restate.Service[int](ctx, \"S\", \"h\").Request(n)\n\traw, err := json.Marshal(n)\n\treturn string(raw), err\n}}\n"
        );
        let found = kinds(&src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "err");
        assert!(
            found[0].1.contains("(`raw, err := json.Marshal(n)`)"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn nothing_when_only_terminal_errors_follow_or_the_variable_is_shadowed() {
        let src = format!(
            "{HEAD}func H(ctx restate.Context) error {{\n\t_, err := restate.Get[int](ctx, \"n\")\n\tif err != nil {{\n\t\treturn err\n\t}}\n\tif true {{\n\t\terr := json.Unmarshal(nil, nil)\n\t\t_ = err\n\t}}\n\terr = restate.Sleep(ctx, 0)\n\treturn err\n}}\n"
        );
        assert_eq!(kinds(&src), vec![]);
    }
}

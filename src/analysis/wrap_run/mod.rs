//! "Wrap in restate.Run": turn a selection of handler statements into a Run (or RunVoid, or
//! RunAsync) step. The variables the code after the selection still uses become the closure's
//! results; statements that cannot live in a closure (`return`, `defer`, Restate calls, writes into
//! outer values) make it a refusal with a reason instead.
//!
//! Pure: source, tree, file model and workspace in, edits (or a reason) out. The server offers the
//! result as a refactoring on a selection and as an extra quick fix on RS1001, RS1003, RS1004 and RS1006.

mod flow;
mod infer;
mod names;
mod refuse;
mod render;
mod stdlib;

use std::path::Path;

use tree_sitter::{Node, Tree};

use crate::analysis::findings::Fix;
use crate::analysis::go::{self, field, named_children};
use crate::analysis::model::{FileModel, Region};
use crate::analysis::semantic::Semantic;
use crate::analysis::workspace::Workspace;

pub const TITLE_RUN: &str = "Wrap in restate.Run";
pub const TITLE_RUN_VOID: &str = "Wrap in restate.RunVoid";
pub const TITLE_RUN_ASYNC: &str = "Wrap in restate.RunAsync";

/// Rules whose findings get the wrap as an extra quick fix. Not RS1002: a wall-clock sleep inside
/// Run is still not durable (its fix is restate.Sleep/After).
pub const FIX_FOR: &[&str] = &["RS1001", "RS1003", "RS1004", "RS1006"];

pub struct Input<'a> {
    pub path: &'a Path,
    pub src: &'a str,
    pub tree: &'a Tree,
    pub model: &'a FileModel,
    pub ws: &'a Workspace,
    /// The selection (or a finding's range), in bytes.
    pub start: usize,
    pub end: usize,
    /// Wrap the statement around the range instead of requiring whole statements to be selected
    /// (the quick-fix form for findings).
    pub around: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not whole statements of handler code: nothing to offer.
    NotApplicable,
    /// Handler statements that cannot be wrapped, and why.
    Refused(String),
    /// The Run (or RunVoid) fix first, then (for selections) RunAsync when a value is needed later.
    Wrapped(Vec<Fix>),
}

/// The statements to wrap.
pub struct Target<'t> {
    /// Selected statements (comments left out).
    pub stmts: Vec<Node<'t>>,
    /// Byte range that is replaced (from the first to the last selected node, comments included).
    pub start: usize,
    pub end: usize,
    /// The statement list holding the selection.
    pub list: Option<Node<'t>>,
    /// The `if`/`switch` whose initializer is the selection (instead of a list).
    pub header: Option<Node<'t>>,
}

fn is_header(n: Node<'_>) -> bool {
    matches!(n.kind(), "if_statement" | "expression_switch_statement")
}

/// The initializer of an `if`/`switch` at or above `n`, with its header statement.
fn initializer_of<'t>(sem: &Semantic<'t>, n: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let mut cur = Some(n);
    while let Some(c) = cur {
        let p = sem.parent(c)?;
        if is_header(p) && field(p, "initializer").is_some_and(|i| i.id() == c.id()) {
            return Some((c, p));
        }
        if go::is_func_like(p.kind()) || p.kind() == "statement_list" {
            return None;
        }
        cur = Some(p);
    }
    None
}

fn trim(src: &str, start: usize, end: usize) -> (usize, usize) {
    let b = src.as_bytes();
    let (mut s, mut e) = (start.min(src.len()), end.min(src.len()));
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// Whole statements of a block covered by `[s, e)`. `n` is a statement list, or a block or case
/// whose own children are comments (tree-sitter puts a comment before the first statement there).
fn in_list<'t>(sem: &Semantic<'t>, n: Node<'t>, s: usize, e: usize) -> Option<Target<'t>> {
    let list = if n.kind() == "statement_list" {
        n
    } else {
        named_children(n)
            .into_iter()
            .find(|c| c.kind() == "statement_list")?
    };
    let children: Vec<Node<'t>> = if n.id() == list.id() {
        named_children(list)
    } else {
        named_children(n)
            .into_iter()
            .flat_map(|c| {
                if c.id() == list.id() {
                    named_children(list)
                } else {
                    vec![c]
                }
            })
            .collect()
    };
    let touched: Vec<Node<'t>> = children
        .into_iter()
        .filter(|c| c.end_byte() > s && c.start_byte() < e)
        .collect();
    let (first, last) = (touched.first()?, touched.last()?);
    if s > first.start_byte() || e < last.end_byte() {
        return None;
    }
    let stmts: Vec<Node<'t>> = touched
        .iter()
        .copied()
        .filter(|c| c.kind() != "comment")
        .collect();
    if stmts.is_empty() || stmts.iter().any(|c| sem.parent(*c) != Some(list)) {
        return None;
    }
    Some(Target {
        start: first.start_byte(),
        end: last.end_byte(),
        stmts,
        list: Some(list),
        header: None,
    })
}

fn single<'t>(n: Node<'t>, list: Option<Node<'t>>, header: Option<Node<'t>>) -> Target<'t> {
    Target {
        stmts: vec![n],
        start: n.start_byte(),
        end: n.end_byte(),
        list,
        header,
    }
}

/// The statements a selection covers (whole statements of one block, or one `if` initializer).
fn find_target<'t>(sem: &Semantic<'t>, start: usize, end: usize) -> Option<Target<'t>> {
    let (s, e) = trim(sem.src(), start, end);
    if s >= e {
        return None;
    }
    let mut cur = sem.root().descendant_for_byte_range(s, e);
    if let Some((init, header)) = cur.and_then(|c| initializer_of(sem, c))
        && s <= init.start_byte()
        && e >= init.end_byte()
        && e <= init.end_byte() + 1
    {
        return Some(single(init, None, Some(header)));
    }
    while let Some(n) = cur {
        let holds_statements = matches!(
            n.kind(),
            "statement_list"
                | "block"
                | "expression_case"
                | "default_case"
                | "type_case"
                | "communication_case"
        );
        if holds_statements && let Some(t) = in_list(sem, n, s, e) {
            return Some(t);
        }
        if matches!(n.kind(), "function_declaration" | "method_declaration") {
            return None;
        }
        cur = sem.parent(n);
    }
    None
}

/// The simple statement around a finding's range (innermost, inside the function that holds it).
/// A finding in the header of an `if` or a loop does not make the whole compound statement a step.
fn statement_around<'t>(sem: &Semantic<'t>, start: usize, end: usize) -> Option<Target<'t>> {
    let mut cur = sem.root().descendant_for_byte_range(start, end);
    while let Some(n) = cur {
        let p = sem.parent(n)?;
        if p.kind() == "statement_list" && n.kind() != "comment" {
            let simple = matches!(
                n.kind(),
                "expression_statement"
                    | "short_var_declaration"
                    | "assignment_statement"
                    | "var_declaration"
                    | "inc_statement"
                    | "dec_statement"
            );
            return simple.then(|| single(n, Some(p), None));
        }
        if is_header(p) && field(p, "initializer").is_some_and(|i| i.id() == n.id()) {
            return Some(single(n, None, Some(p)));
        }
        if go::is_func_like(p.kind()) {
            return None;
        }
        cur = Some(p);
    }
    None
}

pub fn wrap(input: &Input<'_>) -> Outcome {
    let sem = Semantic::build_at(input.src, input.tree, input.start);
    let target = if input.around {
        statement_around(&sem, input.start, input.end)
    } else {
        find_target(&sem, input.start, input.end)
    };
    let Some(target) = target else {
        return Outcome::NotApplicable;
    };
    match plan(input, &sem, &target) {
        Ok(fixes) => Outcome::Wrapped(fixes),
        Err(Refusal::NotApplicable) => Outcome::NotApplicable,
        Err(Refusal::Reason(r)) => Outcome::Refused(r),
    }
}

pub(crate) enum Refusal {
    NotApplicable,
    Reason(String),
}

impl From<String> for Refusal {
    fn from(s: String) -> Self {
        Refusal::Reason(s)
    }
}

fn plan<'t>(
    input: &Input<'t>,
    sem: &Semantic<'t>,
    target: &Target<'t>,
) -> Result<Vec<Fix>, Refusal> {
    let model = input.model;
    if model.restate.is_none() {
        return Err(Refusal::NotApplicable);
    }
    let Some((fi, func)) = model.function_at(target.start) else {
        return Err(Refusal::NotApplicable);
    };
    let Region::Handler { root } = func.region else {
        return Err(Refusal::NotApplicable);
    };
    let Some(ctx) = model
        .functions
        .get(root as usize)
        .and_then(|f| f.ctx.clone())
    else {
        return Err(Refusal::NotApplicable);
    };
    if ctx.name.is_empty() || ctx.name == "_" {
        return Err(
            "the handler's context parameter has no name; name it (e.g. `ctx`) so restate.Run can use it"
                .to_string()
                .into(),
        );
    }
    let first = target.stmts[0];
    for n in sem.ancestors(first) {
        if n.kind() == "go_statement" {
            return Err(
                "the selection runs in a goroutine; restate.Run, like every Restate call, must run on the handler's own goroutine"
                    .to_string()
                    .into(),
            );
        }
    }
    let visible = sem.resolve_name(first, &ctx.name);
    if visible.is_none_or(|d| d.id() != ctx.decl as usize) {
        return Err(format!(
            "`{}` here is not the handler's context (it is shadowed), so restate.Run cannot be called with it",
            ctx.name
        )
        .into());
    }
    let cx = infer::Cx {
        path: input.path,
        src: input.src,
        sem,
        model,
        ws: input.ws,
    };
    refuse::check(&cx, target, (&ctx.name, ctx.decl))?;
    let outputs = flow::outputs(&cx, target)?;
    for o in outputs.iter().filter(|o| !o.is_error) {
        if let Some(ty) = &o.ty
            && let Some(hint) = infer::unjournalable(ty)
        {
            let mut shown = vec![];
            let written =
                infer::render(ty, model, &input.ws.deps, &mut shown).unwrap_or_else(|| ty.clone());
            return Err(format!(
                "`{}` would be the step's result, but `{written}` cannot be journaled (Run stores its result as JSON); {hint}",
                o.name
            )
            .into());
        }
    }
    let r = render::Render::new(input, &cx, target, fi, &ctx.name, outputs);
    let mut fixes = vec![r.run()?];
    // The quick fix around a finding only offers the Run form.
    if !input.around
        && let Some(f) = r.run_async()
    {
        fixes.push(f);
    }
    Ok(fixes)
}

#[cfg(test)]
mod tests;

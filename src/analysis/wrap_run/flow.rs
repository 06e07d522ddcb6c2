//! Which of a selection's variables the code after it still needs (the closure's outputs), how
//! each is bound after the wrap, and the writes into outer values that a closure would lose.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::semantic::Semantic;
use crate::analysis::semantic::{Decl, DeclKind, scopes};

use super::Target;
use super::infer::Cx;

/// How a variable the closure hands on is bound after the wrap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Declared by the selection: declared again by the Run statement.
    Declared,
    /// Declared before the selection in the same block (or a parameter of the function whose body
    /// it is): `:=` may redeclare it.
    ExistingSame,
    /// Declared in an enclosing block: only `=` assigns it without shadowing.
    ExistingOuter,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    /// Normalised type, when known.
    pub ty: Option<String>,
    pub is_error: bool,
    pub status: Status,
    /// Assigned again after the selection: its declared type must stay what it was (an `error`
    /// variable must not become a `restate.TerminalError` one).
    pub assigned_later: bool,
    /// Written with `=` (or `+=`, `++`) inside the selection although declared outside: the closure
    /// works on its own copy, so no captured variable is written from inside Run.
    pub copy_in: bool,
    /// First byte of its first mention in the selection (outputs are listed in that order).
    order: usize,
}

pub(super) fn inside(t: &Target<'_>, n: Node<'_>) -> bool {
    t.start <= n.start_byte() && n.end_byte() <= t.end
}

/// The variable an assignment target writes: `x` itself, or the root of `x.f`, `x[i]`, `*x`.
fn target_root(lhs: Node<'_>) -> (Node<'_>, bool) {
    let mut n = go::unparen(lhs);
    let mut direct = true;
    loop {
        let next = match n.kind() {
            "selector_expression" | "index_expression" | "slice_expression" => field(n, "operand"),
            "unary_expression" => field(n, "operand"),
            _ => None,
        };
        match next {
            Some(x) => {
                direct = false;
                n = go::unparen(x);
            }
            None => return (n, direct),
        }
    }
}

fn has_eq_token(n: Node<'_>) -> bool {
    let mut c = n.walk();
    n.children(&mut c).any(|x| x.kind() == "=")
}

/// Assignment targets (left-hand expressions written with `=`, `op=`, `++`, `--`) under `n`.
fn assigned_exprs<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut out = vec![];
    go::walk(n, |x| {
        match x.kind() {
            "assignment_statement" => {
                if let Some(l) = field(x, "left") {
                    out.extend(named_children(l));
                }
            }
            "inc_statement" | "dec_statement" => out.extend(named_children(x).into_iter().take(1)),
            "range_clause" | "receive_statement" if has_eq_token(x) => {
                if let Some(l) = field(x, "left") {
                    out.extend(named_children(l));
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// Whether the identifier is assigned as a whole: `x = ..`, `x++`, or a `:=` that redeclares it
/// (a declaring `:=` is not a use of the variable at all).
fn is_assign_lhs<'t>(sem: &Semantic<'t>, n: Node<'t>) -> bool {
    let Some(p) = sem.parent(n) else { return false };
    match p.kind() {
        "inc_statement" | "dec_statement" => true,
        "expression_list" => sem.parent(p).is_some_and(|s| {
            matches!(s.kind(), "assignment_statement" | "short_var_declaration")
                && field(s, "left") == Some(p)
        }),
        _ => false,
    }
}

impl<'t> Target<'t> {
    /// Declared before the selection in the block it sits in (so `:=` there redeclares it).
    pub fn same_block(&self, sem: &Semantic<'t>, d: &Decl<'t>) -> bool {
        let Some(list) = self.list else { return false };
        if sem.parent(d.stmt).is_some_and(|p| p.id() == list.id()) {
            return true;
        }
        matches!(
            d.kind,
            DeclKind::Param | DeclKind::Result | DeclKind::Receiver
        ) && sem
            .parent(list)
            .and_then(|b| sem.parent(b))
            .zip(d.func)
            .is_some_and(|(f, g)| f.id() == g.id())
    }

    /// Nodes after the selection that can still see its declarations.
    pub fn rest(&self) -> Vec<Node<'t>> {
        match (self.list, self.header) {
            (Some(list), _) => named_children(list)
                .into_iter()
                .filter(|c| c.start_byte() >= self.end)
                .collect(),
            (None, Some(h)) => named_children(h)
                .into_iter()
                .filter(|c| c.start_byte() >= self.end)
                .collect(),
            _ => vec![],
        }
    }
}

/// For names declared by the selection (with their declaration ids): is each referenced after the
/// selection, and assigned there (a `:=` in the same block that names it again assigns it)? One
/// walk over the rest of the block; only identifiers spelled like one of the names are resolved.
fn used_after<'t>(
    t: &Target<'t>,
    sem: &Semantic<'t>,
    ids: HashMap<String, HashSet<usize>>,
) -> HashMap<String, (bool, bool)> {
    let src = sem.src();
    let mut out: HashMap<String, (bool, bool)> = HashMap::new();
    if ids.is_empty() {
        return out;
    }
    for r in t.rest() {
        go::walk(r, |n| {
            if n.kind() != "identifier" {
                return true;
            }
            let name = text(n, src);
            let Some(set) = ids.get(name) else {
                return true;
            };
            if !sem.is_declaration(n) && sem.resolve(n).is_some_and(|d| set.contains(&d.id())) {
                let e = out.entry(name.to_string()).or_default();
                e.0 = true;
                e.1 |= is_assign_lhs(sem, n);
            }
            true
        });
    }
    out
}

/// Whether a variable declared outside the selection is referenced anywhere outside it.
fn used_outside<'t>(t: &Target<'t>, sem: &Semantic<'t>, d: &Decl<'t>) -> bool {
    let Some(b) = sem.binding_of(d.name) else {
        return true;
    };
    sem.uses(b).iter().any(|n| !inside(t, *n))
}

/// Whether the selection reads a variable (not only writes it).
fn read_inside<'t>(t: &Target<'t>, sem: &Semantic<'t>, d: &Decl<'t>) -> bool {
    let src = sem.src();
    let name = text(d.name, src);
    let mut found = false;
    for st in &t.stmts {
        go::walk(*st, |n| {
            if !found
                && n.kind() == "identifier"
                && text(n, src) == name
                && !sem.is_declaration(n)
                && !is_assign_lhs(sem, n)
            {
                found = true;
            }
            !found
        });
    }
    found
}

/// Names declared at the top level of the selection: `(identifier node, statement)`; constants and
/// types separately.
fn declarations<'t>(t: &Target<'t>, src: &str) -> (Vec<(Node<'t>, Node<'t>)>, Vec<Node<'t>>) {
    let mut vars = vec![];
    let mut other = vec![];
    for st in &t.stmts {
        let mut s = *st;
        while s.kind() == "labeled_statement" {
            match named_children(s)
                .into_iter()
                .find(|c| c.kind() != "label_name")
            {
                Some(inner) => s = inner,
                None => break,
            }
        }
        match s.kind() {
            "short_var_declaration" => {
                if let Some(l) = field(s, "left") {
                    for id in named_children(l) {
                        if id.kind() == "identifier" && text(id, src) != "_" {
                            vars.push((id, s));
                        }
                    }
                }
            }
            "var_declaration" => go::walk(s, |n| {
                if n.kind() == "var_spec" {
                    let mut c = n.walk();
                    for id in n.children_by_field_name("name", &mut c) {
                        if text(id, src) != "_" {
                            vars.push((id, s));
                        }
                    }
                }
                true
            }),
            "const_declaration" | "type_declaration" => go::walk(s, |n| {
                if matches!(n.kind(), "const_spec" | "type_spec" | "type_alias") {
                    let mut c = n.walk();
                    other.extend(n.children_by_field_name("name", &mut c));
                }
                true
            }),
            _ => {}
        }
    }
    (vars, other)
}

/// The selection's outputs, or why it cannot be wrapped.
pub fn outputs<'t>(cx: &Cx<'t>, t: &Target<'t>) -> Result<Vec<Output>, String> {
    let src = cx.src;
    let sem = cx.sem;
    let mut outs: Vec<Output> = vec![];
    let (vars, other) = declarations(t, src);
    let other_ids: HashMap<String, HashSet<usize>> = other
        .iter()
        .map(|o| (text(*o, src).to_string(), HashSet::from([o.start_byte()])))
        .collect();
    if let Some(name) = used_after(t, sem, other_ids).into_keys().next() {
        return Err(format!(
            "the selection declares `{name}`, which is used after it; a closure cannot hand on constants or types"
        ));
    }
    // New variables (a top-level `:=` may also redeclare one from before the selection: a write).
    let mut redeclared: Vec<(Node<'_>, Decl<'_>)> = vec![];
    let mut new_names: Vec<(String, usize)> = vec![];
    let mut ids_by_name: HashMap<String, HashSet<usize>> = HashMap::new();
    for (id, stmt) in &vars {
        let name = text(*id, src).to_string();
        if stmt.kind() == "short_var_declaration"
            && let Some(d) = sem.resolve(*id)
            && d.id() != id.start_byte()
            && !inside(t, d.name)
            && t.same_block(sem, &d)
        {
            redeclared.push((*id, d));
            continue;
        }
        ids_by_name
            .entry(name.clone())
            .or_default()
            .insert(id.start_byte());
        if !new_names.iter().any(|(n, _)| *n == name) {
            new_names.push((name, id.start_byte()));
        }
    }
    let after = used_after(t, sem, ids_by_name);
    for (name, order) in new_names {
        let Some(&(true, assigned)) = after.get(&name) else {
            continue;
        };
        let ty = vars
            .iter()
            .filter(|(id, _)| text(*id, src) == name)
            .filter_map(|(_, s)| scopes::declares(*s, &name, src))
            .find_map(|d| cx.decl_type(&d, 0));
        outs.push(Output {
            name,
            ty,
            is_error: false,
            status: Status::Declared,
            assigned_later: assigned,
            copy_in: false,
            order,
        });
    }
    // Variables from before the selection that it writes.
    let mut writes: Vec<(Decl<'_>, bool, usize, Option<Node<'_>>)> = vec![];
    for st in &t.stmts {
        for lhs in assigned_exprs(*st) {
            let (root, direct) = target_root(lhs);
            if root.kind() != "identifier" || text(root, src) == "_" {
                continue;
            }
            let Some(d) = sem.resolve(root) else {
                continue; // package-level: not the closure's business
            };
            if inside(t, d.name) {
                continue;
            }
            if !direct {
                if used_outside(t, sem, &d) {
                    return Err(format!(
                        "the selection writes `{}` (line {}), part of a variable declared outside it; when the invocation replays, the Run closure is skipped and the write is lost. Build the value inside the selection and use it after",
                        go::one_line(text(lhs, src), 40),
                        lhs.start_position().row + 1
                    ));
                }
                continue;
            }
            let value = assigned_value(sem, lhs);
            match writes.iter_mut().find(|w| w.0.id() == d.id()) {
                Some(w) => w.1 = true,
                None => writes.push((d, true, lhs.start_byte(), value)),
            }
        }
    }
    for (id, d) in redeclared {
        if !writes.iter().any(|w| w.0.id() == d.id()) {
            writes.push((d, false, id.start_byte(), None));
        }
    }
    for (d, copy_in, order, value) in writes {
        // A variable only redeclared by the selection becomes a new one inside the closure, which
        // Go wants used: hand it on even when nothing reads it later.
        let needed = used_outside(t, sem, &d) || (!copy_in && !read_inside(t, sem, &d));
        if !needed {
            continue;
        }
        let name = text(d.name, src).to_string();
        let ty = cx
            .decl_type(&d, 0)
            .or_else(|| value.and_then(|v| cx.expr_type(v, 0)));
        outs.push(Output {
            status: if t.same_block(sem, &d) {
                Status::ExistingSame
            } else {
                Status::ExistingOuter
            },
            name,
            ty,
            is_error: false,
            assigned_later: false,
            copy_in,
            order,
        });
    }
    outs.sort_by_key(|o| o.order);
    for o in &mut outs {
        o.is_error = match &o.ty {
            Some(t) => t == "error",
            None => o.name == "err" || o.name.ends_with("Err"),
        };
    }
    let errors: Vec<&str> = outs
        .iter()
        .filter(|o| o.is_error)
        .map(|o| o.name.as_str())
        .collect();
    if errors.len() > 1 {
        return Err(format!(
            "the code after the selection uses {} errors ({}); a Run closure returns one",
            errors.len(),
            errors.join(", ")
        ));
    }
    Ok(outs)
}

/// The value written to an identifier by a plain `=` (same position on the right).
fn assigned_value<'t>(sem: &Semantic<'t>, lhs: Node<'t>) -> Option<Node<'t>> {
    let list = sem.parent(lhs)?;
    let stmt = sem.parent(list)?;
    if stmt.kind() != "assignment_statement" || field(stmt, "left") != Some(list) {
        return None;
    }
    let lefts = named_children(list);
    let rights = field(stmt, "right").map(named_children)?;
    if lefts.len() != rights.len() {
        return None;
    }
    let i = lefts.iter().position(|l| *l == lhs)?;
    rights.get(i).copied()
}

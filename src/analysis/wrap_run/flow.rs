//! Which of a selection's variables the code after it still needs (the closure's outputs), how
//! each is bound after the wrap, and the writes into outer values that a closure would lose.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::scope::{self, Decl, DeclKind};

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

fn is_assign_lhs(n: Node<'_>) -> bool {
    let Some(p) = n.parent() else { return false };
    match p.kind() {
        "inc_statement" | "dec_statement" => true,
        "expression_list" => p
            .parent()
            .is_some_and(|s| s.kind() == "assignment_statement" && field(s, "left") == Some(p)),
        _ => false,
    }
}

impl<'t> Target<'t> {
    /// Declared before the selection in the block it sits in (so `:=` there redeclares it).
    pub fn same_block(&self, d: &Decl<'_>) -> bool {
        let Some(list) = self.list else { return false };
        if d.stmt.parent().is_some_and(|p| p.id() == list.id()) {
            return true;
        }
        matches!(
            d.kind,
            DeclKind::Param | DeclKind::Result | DeclKind::Receiver
        ) && list
            .parent()
            .and_then(|b| b.parent())
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
/// selection, and assigned there? One walk over the rest of the block; only identifiers spelled
/// like one of the names are resolved.
fn used_after(
    t: &Target<'_>,
    src: &str,
    mut ids: HashMap<String, HashSet<usize>>,
) -> HashMap<String, (bool, bool)> {
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
            let Some(set) = ids.get_mut(name) else {
                return true;
            };
            if scope::is_declaration_name(n) {
                // `:=` at the top of the same block redeclares (assigns) the selection's variable.
                let stmt = n.parent().and_then(|l| l.parent());
                let top = stmt.is_some_and(|s| {
                    s.kind() == "short_var_declaration"
                        && s.parent()
                            .zip(t.list)
                            .is_some_and(|(a, b)| a.id() == b.id())
                });
                if top && scope::resolve(n, src).is_some_and(|d| set.contains(&d.id())) {
                    set.insert(n.start_byte());
                    out.insert(name.to_string(), (true, true));
                }
                return true;
            }
            if scope::resolve(n, src).is_some_and(|d| set.contains(&d.id())) {
                let e = out.entry(name.to_string()).or_default();
                e.0 = true;
                e.1 |= is_assign_lhs(n);
            }
            true
        });
    }
    out
}

/// Whether a variable declared outside the selection is referenced anywhere outside it.
fn used_outside(t: &Target<'_>, src: &str, d: &Decl<'_>) -> bool {
    let Some(scope_node) = d.func.or_else(|| go::enclosing_func(d.name)) else {
        return true;
    };
    let name = text(d.name, src);
    let mut found = false;
    go::walk(scope_node, |n| {
        if found {
            return false;
        }
        if n.kind() == "identifier"
            && !inside(t, n)
            && n.id() != d.name.id()
            && text(n, src) == name
            && scope::resolve(n, src).is_some_and(|x| x.id() == d.id())
        {
            found = true;
        }
        true
    });
    found
}

/// Whether the selection reads a variable (not only writes it).
fn read_inside(t: &Target<'_>, src: &str, d: &Decl<'_>) -> bool {
    let name = text(d.name, src);
    let mut found = false;
    for st in &t.stmts {
        go::walk(*st, |n| {
            if !found
                && n.kind() == "identifier"
                && text(n, src) == name
                && !scope::is_declaration_name(n)
                && !is_assign_lhs(n)
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

/// Names declared in the enclosing function before the selection starts (a superset of those a
/// `:=` in the selection can redeclare): other names need no scope walk.
fn declared_before<'s>(t: &Target<'_>, src: &'s str) -> HashSet<&'s str> {
    let mut out = HashSet::new();
    let mut top = t.stmts[0];
    while let Some(p) = top.parent() {
        if p.kind() == "source_file" {
            break;
        }
        top = p;
    }
    go::walk(top, |n| {
        if n.start_byte() >= t.start {
            return false;
        }
        scope::collect_declared(n, src, &mut out);
        true
    });
    out
}

/// The selection's outputs, or why it cannot be wrapped.
pub fn outputs(cx: &Cx<'_>, t: &Target<'_>) -> Result<Vec<Output>, String> {
    let src = cx.src;
    let mut outs: Vec<Output> = vec![];
    let (vars, other) = declarations(t, src);
    let other_ids: HashMap<String, HashSet<usize>> = other
        .iter()
        .map(|o| (text(*o, src).to_string(), HashSet::from([o.start_byte()])))
        .collect();
    if let Some(name) = used_after(t, src, other_ids).into_keys().next() {
        return Err(format!(
            "the selection declares `{name}`, which is used after it; a closure cannot hand on constants or types"
        ));
    }
    // New variables (a top-level `:=` may also redeclare one from before the selection: a write).
    let mut redeclared: Vec<(Node<'_>, Decl<'_>)> = vec![];
    let mut new_names: Vec<(String, usize)> = vec![];
    let mut ids_by_name: HashMap<String, HashSet<usize>> = HashMap::new();
    let before = declared_before(t, src);
    for (id, stmt) in &vars {
        let name = text(*id, src).to_string();
        if stmt.kind() == "short_var_declaration"
            && before.contains(name.as_str())
            && let Some(d) = scope::resolve(*id, src)
            && d.id() != id.start_byte()
            && !inside(t, d.name)
            && t.same_block(&d)
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
    let after = used_after(t, src, ids_by_name);
    for (name, order) in new_names {
        let Some(&(true, assigned)) = after.get(&name) else {
            continue;
        };
        let ty = vars
            .iter()
            .filter(|(id, _)| text(*id, src) == name)
            .filter_map(|(_, s)| scope::declares(*s, &name, src))
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
            let Some(d) = scope::resolve(root, src) else {
                continue; // package-level: not the closure's business
            };
            if inside(t, d.name) {
                continue;
            }
            if !direct {
                if used_outside(t, src, &d) {
                    return Err(format!(
                        "the selection writes `{}` (line {}), part of a variable declared outside it; when the invocation replays, the Run closure is skipped and the write is lost. Build the value inside the selection and use it after",
                        go::one_line(text(lhs, src), 40),
                        lhs.start_position().row + 1
                    ));
                }
                continue;
            }
            let value = assigned_value(lhs);
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
        let needed = used_outside(t, src, &d) || (!copy_in && !read_inside(t, src, &d));
        if !needed {
            continue;
        }
        let name = text(d.name, src).to_string();
        let ty = cx
            .decl_type(&d, 0)
            .or_else(|| value.and_then(|v| cx.expr_type(v, 0)));
        outs.push(Output {
            status: if t.same_block(&d) {
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
fn assigned_value(lhs: Node<'_>) -> Option<Node<'_>> {
    let list = lhs.parent()?;
    let stmt = list.parent()?;
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

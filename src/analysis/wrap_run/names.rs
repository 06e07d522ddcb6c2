//! Names the wrap invents: the step's `WithName` label, and fresh identifiers (struct type,
//! result and future variables) that clash with nothing in the function or the file.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::go::{self, Callee, call_parts, field, named_children, text};
use crate::analysis::model::Function;
use crate::analysis::rules::run::kebab;
use crate::analysis::semantic::Semantic;

use super::flow::Output;
use super::infer::Cx;
use super::{Input, Target};

/// `fetch-user` -> `fetchUser`.
pub fn camel(label: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in label.chars() {
        if c == '-' || c == '_' {
            up = !out.is_empty();
            continue;
        }
        if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    if out.is_empty() || !out.starts_with(|c: char| c.is_alphabetic()) {
        out.insert_str(0, "step");
    }
    out
}

fn callee_name<'s>(n: Node<'_>, src: &'s str) -> Option<&'s str> {
    let call = call_parts(n)?;
    let name = match call.callee(src) {
        Callee::Selector { name, .. } | Callee::Ident(name) => name,
        Callee::Other => return None,
    };
    (!go::is_builtin_func(name)).then_some(name)
}

/// The call a top-level statement of the selection makes to produce one of its values
/// (`out, err := json.Marshal(x)`).
fn producing_call<'s>(t: &Target<'_>, src: &'s str, outs: &[Output]) -> Option<&'s str> {
    t.stmts.iter().find_map(|st| {
        if !matches!(st.kind(), "short_var_declaration" | "assignment_statement") {
            return None;
        }
        let lefts = named_children(field(*st, "left")?);
        let produces = lefts
            .iter()
            .any(|l| outs.iter().any(|o| !o.is_error && o.name == text(*l, src)));
        let rights = named_children(field(*st, "right")?);
        match (produces, rights.as_slice()) {
            (true, [r]) => callee_name(go::unparen(*r), src),
            _ => None,
        }
    })
}

/// The step's name: the first side effect or clock/random read the selection makes (the call the
/// wrap is about), else the call that produces its value, else its first call, else the enclosing
/// function; kebab-case like RS3005's fix (`http.Get` gives "get", `loadUser` "load-user").
pub fn step_label(cx: &Cx<'_>, t: &Target<'_>, func: &Function, outs: &[Output]) -> String {
    let src = cx.src;
    let effects: HashSet<(usize, usize)> = cx
        .model
        .functions
        .iter()
        .flat_map(|f| f.effects().iter())
        .map(|e| e.span.range())
        .filter(|(s, _)| (t.start..t.end).contains(s))
        .collect();
    let mut first_effect: Option<&str> = None;
    let mut first_call: Option<&str> = None;
    for st in &t.stmts {
        go::walk(*st, |n| {
            if let Some(name) = callee_name(n, src) {
                if first_effect.is_none() && effects.contains(&(n.start_byte(), n.end_byte())) {
                    first_effect = Some(name);
                }
                first_call.get_or_insert(name);
            }
            first_effect.is_none()
        });
    }
    let chosen = first_effect
        .or_else(|| producing_call(t, src, outs))
        .or(first_call);
    match chosen {
        Some(n) => kebab(n),
        None if !func.name.is_empty() => kebab(&func.name),
        None => "step".into(),
    }
}

/// Names that new identifiers must avoid: everything spelled in the enclosing top-level function,
/// the file's imports and its package-level declarations.
pub fn taken_names<'t>(input: &Input<'_>, sem: &Semantic<'t>, t: &Target<'t>) -> HashSet<String> {
    let src = input.src;
    let mut top = t.stmts[0];
    for p in sem.ancestors(top) {
        if p.kind() == "source_file" {
            break;
        }
        top = p;
    }
    let mut out = HashSet::new();
    go::walk(top, |n| {
        if matches!(
            n.kind(),
            "identifier" | "type_identifier" | "field_identifier" | "package_identifier"
        ) {
            out.insert(text(n, src).to_string());
        }
        true
    });
    let m = input.model;
    out.extend(m.imports.iter().map(|i| i.local.clone()));
    out.extend(m.functions.iter().map(|f| f.name.clone()));
    out.extend(m.types.iter().map(|t| t.name.clone()));
    out.extend(m.package_vars.iter().map(|v| v.name.clone()));
    out
}

//! Just enough type knowledge from syntax: the declared or obvious type of a variable, a parameter, a
//! struct field or a constructor call, written with import paths (`*net/http.Client`). Rules use it to
//! recognise I/O methods on clients, maps, channels and wait groups without a type checker; anything it
//! cannot see is `None` and the rules stay silent.

use tree_sitter::Node;

use crate::analysis::go::{self, call_parts, field, named_children, text};
use crate::analysis::model::{FileModel, PkgRef};
use crate::analysis::scope;

/// Replace the package qualifier of a type by its import path: `*http.Client` -> `*net/http.Client`.
/// Types without a qualifier are returned as written (`map[string]int`, `Cart`).
pub fn normalize(ty: &str, model: &FileModel) -> String {
    let ty = ty.trim();
    let (stars, rest) = split_stars(ty);
    if rest.starts_with("map[")
        || rest.starts_with("[]")
        || rest.starts_with("chan")
        || rest.starts_with("<-chan")
        || rest.starts_with("func")
    {
        return ty.to_string();
    }
    if let Some((pkg, name)) = rest.split_once('.')
        && let Some(path) = model.import_path_for(pkg)
    {
        return format!("{stars}{path}.{name}");
    }
    ty.to_string()
}

fn split_stars(ty: &str) -> (&str, &str) {
    let n = ty.len() - ty.trim_start_matches('*').len();
    (&ty[..n], &ty[n..])
}

/// The type of an expression, normalised, when syntax makes it evident.
pub fn type_of(expr: Node<'_>, src: &str, model: &FileModel) -> Option<String> {
    type_of_depth(expr, src, model, 0)
}

fn type_of_depth(expr: Node<'_>, src: &str, model: &FileModel, depth: u32) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let expr = go::unparen(expr);
    match expr.kind() {
        "identifier" => {
            if let Some(d) = scope::resolve(expr, src) {
                if let Some(ty) = d.ty {
                    return Some(normalize(text(ty, src), model));
                }
                let v = d.value?;
                // `for k, v := range m`: element types are unknown, but ranging a channel yields its
                // element; leave both unknown.
                if d.stmt.kind() == "range_clause" || d.stmt.kind() == "type_switch_statement" {
                    return None;
                }
                return type_of_depth(v, src, model, depth + 1);
            }
            package_var_type(expr, text(expr, src), src, model, depth)
        }
        "selector_expression" => {
            let operand = field(expr, "operand")?;
            let name = text(field(expr, "field")?, src);
            if operand.kind() == "identifier"
                && scope::resolve(operand, src).is_none()
                && let Some(path) = model.import_path_for(text(operand, src))
            {
                return package_var(path, name).map(str::to_string);
            }
            let base = type_of_depth(operand, src, model, depth + 1)?;
            let base = base.trim_start_matches('*');
            let td = model.types.iter().find(|t| t.name == base)?;
            let (_, fty) = td.fields.iter().find(|(n, _)| n == name)?;
            Some(normalize(fty, model))
        }
        "unary_expression" => {
            let op = field(expr, "operator").map(|o| text(o, src)).unwrap_or("");
            let operand = field(expr, "operand")?;
            if op == "&" {
                let inner = type_of_depth(operand, src, model, depth + 1)?;
                Some(format!("*{inner}"))
            } else {
                None
            }
        }
        "composite_literal" => Some(normalize(text(field(expr, "type")?, src), model)),
        "call_expression" | "type_conversion_expression" => call_result(expr, src, model),
        _ => None,
    }
}

fn package_var_type(
    at: Node<'_>,
    name: &str,
    src: &str,
    model: &FileModel,
    depth: u32,
) -> Option<String> {
    // Package-level `var x T` / `var x = expr` in this file.
    if !model.package_vars.iter().any(|v| v.name == name) {
        return None;
    }
    let root = go::root_of(at);
    for decl in named_children(root) {
        if decl.kind() != "var_declaration" {
            continue;
        }
        if let Some(d) = scope::declares(decl, name, src) {
            if let Some(ty) = d.ty {
                return Some(normalize(text(ty, src), model));
            }
            return type_of_depth(d.value?, src, model, depth + 1);
        }
    }
    None
}

/// Known package-level variables with their types.
fn package_var(path: &str, name: &str) -> Option<&'static str> {
    Some(match (path, name) {
        ("net/http", "DefaultClient") => "*net/http.Client",
        ("os", "Stdout") | ("os", "Stderr") | ("os", "Stdin") => "*os.File",
        _ => return None,
    })
}

/// The result type of a call when it is known: common constructors, Restate's typed getters, local
/// functions with a declared result.
fn call_result(expr: Node<'_>, src: &str, model: &FileModel) -> Option<String> {
    let call = call_parts(expr)?;
    let func_text = text(call.func, src);
    match func_text {
        "make" | "new" => {
            let first = call.args.first().copied()?;
            let t = normalize(text(first, src), model);
            return Some(if func_text == "new" {
                format!("*{t}")
            } else {
                t
            });
        }
        _ => {}
    }
    match call.callee(src) {
        go::Callee::Selector {
            operand_ident: Some(pkg),
            name,
            ..
        } => {
            let path = model.import_path_for(pkg)?;
            if path == crate::analysis::restate_api::SDK_PATH && name == "Get" {
                let t = call.type_args?;
                let inner = if t.kind() == "type_arguments" {
                    named_children(t).into_iter().next()?
                } else {
                    t
                };
                return Some(normalize(text(inner, src), model));
            }
            constructor(path, name).map(str::to_string)
        }
        go::Callee::Ident(name) => {
            if let Some(PkgRef::Dot) = &model.restate
                && name == "Get"
            {
                let t = call.type_args?;
                return Some(normalize(
                    text(t, src).trim_matches(|c| c == '[' || c == ']'),
                    model,
                ));
            }
            let f = model
                .functions
                .iter()
                .find(|f| f.receiver.is_none() && f.name == name)?;
            f.results.first().map(|r| normalize(r, model))
        }
        _ => None,
    }
}

fn constructor(path: &str, name: &str) -> Option<&'static str> {
    Some(match (path, name) {
        ("database/sql", "Open") | ("database/sql", "OpenDB") => "*database/sql.DB",
        ("os/exec", "Command") | ("os/exec", "CommandContext") => "*os/exec.Cmd",
        ("net/http", "NewRequest") | ("net/http", "NewRequestWithContext") => "*net/http.Request",
        ("os", "Open") | ("os", "Create") | ("os", "OpenFile") => "*os.File",
        ("sync", "NewCond") => "*sync.Cond",
        ("golang.org/x/sync/errgroup", "WithContext") => "*golang.org/x/sync/errgroup.Group",
        _ => return None,
    })
}

/// The local named type (without `*`) of a method call's operand, for the call graph: `s.helper()`
/// inside `func (s *Svc) H(...)` gives `Svc`.
pub fn named_type_of(operand: Node<'_>, src: &str, model: &FileModel) -> Option<String> {
    let t = type_of(operand, src, model)?;
    let t = t.trim_start_matches('*');
    if t.contains(['.', '[', ' ', '(']) {
        return None;
    }
    if !t
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        return None;
    }
    Some(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::{parse_str, walk};
    use crate::analysis::model::extract;

    /// Type of the expression spelled `expr` at its first occurrence after `after`.
    fn type_at(src: &str, after: &str, expr: &str) -> Option<String> {
        let tree = parse_str(src);
        let model = extract(src, &tree);
        let base = src.find(after)?;
        let at = base + src[base..].find(expr)?;
        let mut target = None;
        walk(tree.root_node(), |n| {
            if n.start_byte() == at && n.end_byte() == at + expr.len() {
                target = Some(n);
            }
            true
        });
        type_of(target?, src, &model)
    }

    #[test]
    fn infers_common_shapes() {
        let src = r#"package p
import (
	"database/sql"
	"net/http"
	restate "github.com/restatedev/sdk-go"
)
type Svc struct { db *sql.DB; hc http.Client }
var client = &http.Client{}
func (s *Svc) H(ctx restate.Context, in string) error {
	m := make(map[string]int)
	g, _ := restate.Get[map[string]bool](ctx, "k")
	_ = s.db
	_ = s.hc
	_ = client
	_ = m
	_ = g
	_ = http.DefaultClient
	return nil
}
"#;
        assert_eq!(
            type_at(src, "_ = s.db", "s.db").as_deref(),
            Some("*database/sql.DB")
        );
        assert_eq!(
            type_at(src, "_ = s.hc", "s.hc").as_deref(),
            Some("net/http.Client")
        );
        assert_eq!(
            type_at(src, "_ = client", "client").as_deref(),
            Some("*net/http.Client")
        );
        assert_eq!(
            type_at(src, "_ = m", "m").as_deref(),
            Some("map[string]int")
        );
        assert_eq!(
            type_at(src, "_ = g", "g").as_deref(),
            Some("map[string]bool")
        );
        assert_eq!(
            type_at(src, "_ = http.D", "http.DefaultClient").as_deref(),
            Some("*net/http.Client")
        );
    }
}

//! Types of expressions as far as one file's syntax shows them: declared types of variables,
//! parameters and this file's struct fields, composite literals, `make`/`new`, common constructors of
//! the standard library, Restate's typed getters and this file's functions with a declared result.
//! Types are written with import paths (`*net/http.Client`). What it cannot see is `None`; knowledge
//! from other files and dependencies is layered on top by the workspace.

use tree_sitter::Node;

use crate::analysis::go::{self, call_parts, field, named_children, text};
use crate::analysis::restate_api::SDK_PATH;
use crate::analysis::semantic::{BindingKind, Semantic};

/// Replace the package qualifier of a type by its import path: `*http.Client` -> `*net/http.Client`.
/// Types without a qualifier, and composite types, are returned as written.
pub fn normalize<'a>(ty: &str, import_path: impl Fn(&str) -> Option<&'a str>) -> String {
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
        && let Some(path) = import_path(pkg)
    {
        return format!("{stars}{path}.{name}");
    }
    ty.to_string()
}

fn split_stars(ty: &str) -> (&str, &str) {
    let n = ty.len() - ty.trim_start_matches('*').len();
    (&ty[..n], &ty[n..])
}

/// Known package-level variables with their types.
fn package_var(path: &str, name: &str) -> Option<&'static str> {
    Some(match (path, name) {
        ("net/http", "DefaultClient") => "*net/http.Client",
        ("os", "Stdout") | ("os", "Stderr") | ("os", "Stdin") => "*os.File",
        _ => return None,
    })
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

impl<'t> Semantic<'t> {
    /// A type written in this file, with its package qualifier replaced by the import path.
    pub fn normalize(&self, ty: &str) -> String {
        normalize(ty, |pkg| self.import_path_of_name(pkg))
    }

    /// The type of an expression, normalised, when syntax makes it evident.
    pub fn type_of(&self, expr: Node<'t>) -> Option<String> {
        self.type_of_depth(expr, 0)
    }

    /// The named type (without `*`) of this package that an operand has: `s.helper()` inside
    /// `func (s *Svc) H(...)` gives `Svc`.
    pub fn named_type_of(&self, operand: Node<'t>) -> Option<String> {
        let t = self.type_of(operand)?;
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

    /// The type of field `name` of a struct type declared in this file.
    pub fn field_type(&self, type_name: &str, name: &str) -> Option<String> {
        let st = self.type_decl(type_name)?;
        if st.kind() != "struct_type" {
            return None;
        }
        for list in named_children(st) {
            for fd in named_children(list) {
                if fd.kind() != "field_declaration" {
                    continue;
                }
                let Some(ty) = field(fd, "type") else {
                    continue;
                };
                let mut cursor = fd.walk();
                let names: Vec<Node<'t>> = fd.children_by_field_name("name", &mut cursor).collect();
                let matches = if names.is_empty() {
                    // Embedded: the field is named after its type.
                    let t = text(ty, self.src()).trim_start_matches('*');
                    t.rsplit('.').next() == Some(name)
                } else {
                    names.iter().any(|n| text(*n, self.src()) == name)
                };
                if matches {
                    return Some(self.normalize(text(ty, self.src())));
                }
            }
        }
        None
    }

    fn type_of_depth(&self, expr: Node<'t>, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let src = self.src();
        let expr = go::unparen(expr);
        match expr.kind() {
            "identifier" => {
                let b = self.binding(self.binding_of(expr)?);
                if let Some(ty) = b.ty {
                    return Some(self.normalize(text(ty, src)));
                }
                if !matches!(
                    b.kind,
                    BindingKind::Local(_) | BindingKind::PackageVar | BindingKind::PackageConst
                ) {
                    return None;
                }
                // Range and type-switch variables take element or case types: unknown here.
                if matches!(b.stmt.kind(), "range_clause" | "type_switch_statement") {
                    return None;
                }
                match b.result_index {
                    None | Some(0) => self.type_of_depth(b.value?, depth + 1),
                    Some(i) => self.call_result_at(b.value?, i as usize),
                }
            }
            "selector_expression" => {
                let operand = field(expr, "operand")?;
                let name = text(field(expr, "field")?, src);
                if operand.kind() == "identifier"
                    && let Some(path) = self.import_path(operand)
                {
                    return package_var(path, name).map(str::to_string);
                }
                let base = self.type_of_depth(operand, depth + 1)?;
                self.field_type(base.trim_start_matches('*'), name)
            }
            "unary_expression" => {
                let op = field(expr, "operator").map(|o| text(o, src)).unwrap_or("");
                let operand = field(expr, "operand")?;
                if op == "&" {
                    let inner = self.type_of_depth(operand, depth + 1)?;
                    Some(format!("*{inner}"))
                } else {
                    None
                }
            }
            "composite_literal" => Some(self.normalize(text(field(expr, "type")?, src))),
            "call_expression" | "type_conversion_expression" => self.call_result(expr),
            _ => None,
        }
    }

    /// The result type of a call when it is known.
    fn call_result(&self, expr: Node<'t>) -> Option<String> {
        let src = self.src();
        let call = call_parts(expr)?;
        let func_text = text(call.func, src);
        if matches!(func_text, "make" | "new") {
            let first = call.args.first().copied()?;
            let t = self.normalize(text(first, src));
            return Some(if func_text == "new" {
                format!("*{t}")
            } else {
                t
            });
        }
        match call.callee(src) {
            go::Callee::Selector {
                operand,
                operand_ident: Some(_),
                name,
            } => {
                let path = self.import_path(operand)?;
                if path == SDK_PATH && name == "Get" {
                    return self.first_type_arg(&call);
                }
                constructor(path, name).map(str::to_string)
            }
            go::Callee::Ident(name) => {
                if name == "Get" && self.dot_imports().any(|p| p == SDK_PATH) {
                    return self.first_type_arg(&call);
                }
                let b = self.binding(self.binding_of(call.func)?);
                if b.kind != BindingKind::PackageFunc {
                    return None;
                }
                let result = field(b.stmt, "result")?;
                let first = if result.kind() == "parameter_list" {
                    let p = named_children(result).into_iter().next()?;
                    field(p, "type")?
                } else {
                    result
                };
                Some(self.normalize(text(first, src)))
            }
            _ => None,
        }
    }

    /// Result `i` (> 0) of a call to a function of this file with declared results.
    fn call_result_at(&self, expr: Node<'t>, i: usize) -> Option<String> {
        let call = call_parts(go::unparen(expr))?;
        let b = self.binding(self.binding_of(call.func)?);
        if b.kind != BindingKind::PackageFunc {
            return None;
        }
        let result = field(b.stmt, "result")?;
        if result.kind() != "parameter_list" {
            return None;
        }
        let mut types = vec![];
        for p in named_children(result) {
            let ty = field(p, "type")?;
            let mut cursor = p.walk();
            let count = p.children_by_field_name("name", &mut cursor).count().max(1);
            types.extend(std::iter::repeat_n(ty, count));
        }
        types.get(i).map(|t| self.normalize(text(*t, self.src())))
    }

    fn first_type_arg(&self, call: &go::CallParts<'t>) -> Option<String> {
        let t = call.type_args?;
        let inner = if t.kind() == "type_arguments" {
            named_children(t).into_iter().next()?
        } else {
            t
        };
        let written = text(inner, self.src()).trim_matches(|c| c == '[' || c == ']');
        Some(self.normalize(written))
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::go::{parse_str, walk};
    use crate::analysis::semantic::Semantic;

    /// Type of the expression spelled `expr` at its first occurrence after `after`.
    fn type_at(src: &str, after: &str, expr: &str) -> Option<String> {
        let tree = parse_str(src);
        let sem = Semantic::build(src, &tree);
        let base = src.find(after)?;
        let at = base + src[base..].find(expr)?;
        let mut target = None;
        walk(tree.root_node(), |n| {
            if n.start_byte() == at && n.end_byte() == at + expr.len() {
                target = Some(n);
            }
            true
        });
        sem.type_of(target?)
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
func newSvc() *Svc { return nil }
func (s *Svc) H(ctx restate.Context, in string) error {
	m := make(map[string]int)
	g, _ := restate.Get[map[string]bool](ctx, "k")
	h := restate.Get[int](ctx, "k")
	v := newSvc()
	_ = s.db
	_ = s.hc
	_ = client
	_ = m
	_ = g
	_ = h
	_ = v
	_ = http.DefaultClient
	return nil
}
"#;
        let t = |after: &str, e: &str| type_at(src, after, e);
        assert_eq!(t("_ = s.db", "s.db").as_deref(), Some("*database/sql.DB"));
        assert_eq!(t("_ = s.hc", "s.hc").as_deref(), Some("net/http.Client"));
        assert_eq!(
            t("_ = client", "client").as_deref(),
            Some("*net/http.Client")
        );
        assert_eq!(t("_ = m", "m").as_deref(), Some("map[string]int"));
        assert_eq!(t("_ = g", "g").as_deref(), Some("map[string]bool"));
        assert_eq!(t("_ = h", "h").as_deref(), Some("int"));
        assert_eq!(t("_ = v", "v").as_deref(), Some("*Svc"));
        assert_eq!(
            t("_ = http.D", "http.DefaultClient").as_deref(),
            Some("*net/http.Client")
        );
    }
}

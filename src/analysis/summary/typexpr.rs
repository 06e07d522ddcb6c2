//! Type expressions of a dependency's source written with import paths, everywhere in the type
//! (`map[string][]*pgconn.FieldDescription` -> `map[string][]*github.com/jackc/pgx/v5/pgconn.FieldDescription`),
//! and the package's own types qualified by its import path, so a summary means the same thing
//! wherever it is read. `semantic::types::normalize` does the outermost qualifier of a workspace
//! file's types; summaries leave their file behind, so they need every qualifier.

use tree_sitter::Node;

use crate::analysis::go::{self, field, text};

/// The imports of one file: qualifier -> import path.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    aliased: Vec<(String, String)>,
    plain: Vec<String>,
}

impl Imports {
    /// The import declarations of a file's root node.
    pub fn of(root: Node<'_>, src: &str) -> Imports {
        let mut out = Imports::default();
        for decl in go::named_children(root) {
            if decl.kind() != "import_declaration" {
                continue;
            }
            go::walk(decl, |n| {
                if n.kind() != "import_spec" {
                    return true;
                }
                let path = field(n, "path")
                    .and_then(|p| go::string_value(p, src))
                    .unwrap_or_default();
                match field(n, "name").map(|a| text(a, src)) {
                    Some("_") | Some(".") => {}
                    Some(alias) => out.aliased.push((alias.to_string(), path)),
                    None => out.plain.push(path),
                }
                false
            });
        }
        out
    }

    /// The import path a qualifier names. An unaliased import binds the package's own name, which
    /// only its source knows; Go modules name packages after the last path element with `go-`,
    /// `-go` or `-sdk-go` around it (`github.com/openai/openai-go` is `openai`), so a qualifier
    /// that is such a prefix of the last element matches.
    pub fn resolve(&self, qualifier: &str) -> Option<&str> {
        if let Some((_, p)) = self.aliased.iter().find(|(a, _)| a == qualifier) {
            return Some(p);
        }
        if let Some(p) = self
            .plain
            .iter()
            .find(|p| go::default_package_name(p) == qualifier)
        {
            return Some(p);
        }
        self.plain
            .iter()
            .find(|p| guessed_name_matches(p, qualifier))
            .map(String::as_str)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.aliased
            .iter()
            .map(|(_, p)| p.as_str())
            .chain(self.plain.iter().map(String::as_str))
    }
}

fn guessed_name_matches(path: &str, qualifier: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1
        && parts.last().is_some_and(|l| {
            l.len() > 1 && l.starts_with('v') && l[1..].bytes().all(|b| b.is_ascii_digit())
        })
    {
        parts.pop();
    }
    let last = parts.last().copied().unwrap_or(path);
    let last = last.strip_prefix("go-").unwrap_or(last);
    let squashed: String = last.chars().filter(|c| c.is_alphanumeric()).collect();
    squashed == qualifier
        || last
            .strip_prefix(qualifier)
            .is_some_and(|rest| rest.starts_with(['-', '.', '_']))
}

/// Go's predeclared types: never qualified.
pub fn is_builtin_type(name: &str) -> bool {
    matches!(
        name,
        "bool"
            | "byte"
            | "complex64"
            | "complex128"
            | "error"
            | "float32"
            | "float64"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "rune"
            | "string"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "any"
            | "comparable"
    )
}

/// What a type expression is written against: the file's imports, the package's own path, and the
/// type parameters in scope (which stay as written).
pub struct TypeCx<'a> {
    pub imports: &'a Imports,
    pub pkg_path: &'a str,
    pub type_params: &'a [String],
}

impl TypeCx<'_> {
    /// The type expression at `node`, every named type qualified by its import path, whitespace
    /// collapsed. Qualifiers that no import explains are left as written.
    pub fn normalize(&self, node: Node<'_>, src: &str) -> String {
        let base = node.start_byte();
        let written = text(node, src);
        let mut edits: Vec<(usize, usize, String)> = vec![];
        go::walk(node, |n| match n.kind() {
            "qualified_type" => {
                if let (Some(pkg), Some(name)) = (field(n, "package"), field(n, "name"))
                    && let Some(path) = self.imports.resolve(text(pkg, src))
                {
                    edits.push((
                        n.start_byte() - base,
                        n.end_byte() - base,
                        format!("{path}.{}", text(name, src)),
                    ));
                }
                false
            }
            "type_identifier" => {
                let name = text(n, src);
                if !is_builtin_type(name) && !self.type_params.iter().any(|p| p == name) {
                    edits.push((
                        n.start_byte() - base,
                        n.end_byte() - base,
                        format!("{}.{name}", self.pkg_path),
                    ));
                }
                false
            }
            _ => true,
        });
        let mut out = String::with_capacity(written.len() + 16 * edits.len());
        let mut at = 0;
        for (s, e, new) in edits {
            if s < at || e > written.len() {
                continue;
            }
            out.push_str(&written[at..s]);
            out.push_str(&new);
            at = e;
        }
        out.push_str(&written[at..]);
        if out.contains(['\n', '\t', '\r']) || out.contains("  ") {
            out.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            out
        }
    }
}

/// Type parameter names declared by a `type_parameter_list` node (or none).
pub fn type_param_names(list: Option<Node<'_>>, src: &str) -> Vec<String> {
    let Some(list) = list else { return vec![] };
    let mut out = vec![];
    for decl in go::named_children(list) {
        let mut cursor = decl.walk();
        for n in decl.children_by_field_name("name", &mut cursor) {
            out.push(text(n, src).to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;

    fn first_result_type(src: &str) -> String {
        let tree = parse_str(src);
        let root = tree.root_node();
        let imports = Imports::of(root, src);
        let mut out = String::new();
        go::walk(root, |n| {
            if n.kind() == "function_declaration" && out.is_empty() {
                let tps = type_param_names(field(n, "type_parameters"), src);
                let cx = TypeCx {
                    imports: &imports,
                    pkg_path: "example.com/p",
                    type_params: &tps,
                };
                if let Some(r) = field(n, "result") {
                    out = cx.normalize(r, src);
                }
                return false;
            }
            true
        });
        out
    }

    #[test]
    fn every_qualifier_is_written_with_its_import_path() {
        let src = "package p\nimport (\n\t\"github.com/jackc/pgx/v5/pgconn\"\n\tstripe \"github.com/stripe/stripe-go/v82\"\n\t\"github.com/openai/openai-go\"\n)\nfunc F() map[string][]*pgconn.FieldDescription { return nil }\n";
        assert_eq!(
            first_result_type(src),
            "map[string][]*github.com/jackc/pgx/v5/pgconn.FieldDescription"
        );
        let src = "package p\nimport stripe \"github.com/stripe/stripe-go/v82\"\nfunc F() (*stripe.Customer, error) { return nil, nil }\n";
        assert_eq!(
            first_result_type(src),
            "(*github.com/stripe/stripe-go/v82.Customer, error)"
        );
        // Unaliased: the package is named after the last element without `-go`.
        let src = "package p\nimport \"github.com/openai/openai-go\"\nfunc F() openai.Client { return openai.Client{} }\n";
        assert_eq!(first_result_type(src), "github.com/openai/openai-go.Client");
        let src = "package p\nimport \"github.com/anthropics/anthropic-sdk-go\"\nfunc F() anthropic.Message { return anthropic.Message{} }\n";
        assert_eq!(
            first_result_type(src),
            "github.com/anthropics/anthropic-sdk-go.Message"
        );
        // Own types are qualified, builtins and type parameters are not.
        let src = "package p\nfunc F[T any]() func(T) (*Pool, error) { return nil }\n";
        assert_eq!(
            first_result_type(src),
            "func(T) (*example.com/p.Pool, error)"
        );
    }
}

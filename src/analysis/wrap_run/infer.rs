//! Types for the values a wrapped selection hands on: the declared results of workspace functions,
//! the library table, explicit declarations and literals. Types are kept "normalised" (package
//! qualifiers replaced by import paths: `*net/http.Response`) and rendered with the file's own
//! package names at the end, adding imports that are missing.

use std::path::Path;
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::go::{self, Callee, call_parts, field, named_children, text};
use crate::analysis::model::{CallTarget, FileModel, default_package_name};

use crate::analysis::semantic::{Decl, Semantic};
use crate::analysis::summary::DepIndex;
use crate::analysis::workspace::{IndexedFile, Workspace};

use super::stdlib;

/// What inference looks at: the file being edited and the workspace around it.
pub struct Cx<'a> {
    pub path: &'a Path,
    pub src: &'a str,
    pub sem: &'a Semantic<'a>,
    pub model: &'a FileModel,
    pub ws: &'a Workspace,
}

const PREDECLARED: &[&str] = &[
    "bool",
    "byte",
    "complex64",
    "complex128",
    "error",
    "float32",
    "float64",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "rune",
    "string",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "any",
    "comparable",
];

const TYPE_KEYWORDS: &[&str] = &["map", "chan", "func", "struct", "interface"];

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Normalise a type as written in `file`: `pkg.T` becomes `import/path.T`; a bare `T` stays bare
/// in its own package and becomes `other/pkg.T` when the type comes from another package. `None`
/// when a name is not a type we can place (a type parameter, a field list of an inline struct).
fn normalize_written(
    ty: &str,
    file: &FileModel,
    other_pkg: Option<&str>,
    is_pkg_type: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let ty = ty.trim();
    if ty.is_empty() {
        return None;
    }
    let compact: String = ty.split_whitespace().collect();
    if (compact.contains("struct{") && !compact.contains("struct{}"))
        || (compact.contains("interface{") && !compact.contains("interface{}"))
    {
        return None;
    }
    let chars: Vec<char> = ty.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_ident_start(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let s = i;
        while i < chars.len() && is_ident_char(chars[i]) {
            i += 1;
        }
        let ident: String = chars[s..i].iter().collect();
        if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|c| is_ident_start(*c)) {
            let n = i + 1;
            let mut e = n;
            while e < chars.len() && is_ident_char(chars[e]) {
                e += 1;
            }
            let name: String = chars[n..e].iter().collect();
            let path = file.import_path_for(&ident)?;
            out.push_str(&format!("{path}.{name}"));
            i = e;
            continue;
        }
        if PREDECLARED.contains(&ident.as_str()) || TYPE_KEYWORDS.contains(&ident.as_str()) {
            out.push_str(&ident);
        } else if is_pkg_type(&ident) {
            match other_pkg {
                Some(p) => out.push_str(&format!("{p}.{ident}")),
                None => out.push_str(&ident),
            }
        } else {
            return None;
        }
    }
    Some(out)
}

/// Render a normalised type with the package names of `model`; import paths the file does not
/// import yet are pushed to `imports`. `None` when a needed package name would clash.
/// `deps` gives the package clause of a dependency whose import path does not end in it
/// (`github.com/openai/openai-go` is `openai`), which an unaliased import binds.
pub fn render(
    norm: &str,
    model: &FileModel,
    deps: &DepIndex,
    imports: &mut Vec<String>,
) -> Option<String> {
    let chars: Vec<char> = norm.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_ident_start(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let s = i;
        while i < chars.len() && (is_ident_char(chars[i]) || matches!(chars[i], '.' | '/' | '-')) {
            i += 1;
        }
        // A trailing `.` belongs to what follows (never the case in a well-formed type).
        let run: String = chars[s..i].iter().collect();
        let Some((path, name)) = run.rsplit_once('.') else {
            out.push_str(&run);
            continue;
        };
        let existing = model.imports.iter().find(|imp| imp.path == path);
        let clause = deps.package_name(path);
        match existing.map(|imp| (imp.local.as_str(), imp.alias.is_none())) {
            Some((".", _)) => out.push_str(name),
            Some((_, true)) if clause.is_some() => {
                out.push_str(&format!("{}.{name}", clause.unwrap_or_default()))
            }
            Some((local, _)) if local != "_" => out.push_str(&format!("{local}.{name}")),
            _ => {
                let local = clause.map_or_else(|| default_package_name(path), str::to_string);
                let clash = model
                    .imports
                    .iter()
                    .any(|imp| imp.local == local && imp.path != path);
                if clash {
                    return None;
                }
                if !imports.iter().any(|p| p == path) {
                    imports.push(path.to_string());
                }
                out.push_str(&format!("{local}.{name}"));
            }
        }
    }
    Some(out)
}

/// Why a value of this (normalised) type cannot be a Run result, if it cannot. Run journals its
/// result with the JSON codec and hands the decoded value back on replay, so handles, streams,
/// functions and interfaces do not survive.
pub fn unjournalable(norm: &str) -> Option<&'static str> {
    let hint_http = "read the body inside the closure as well and return the data you need";
    let hint_sql = "scan the rows inside the closure as well and return the values";
    let hint_plain = "return plain data (structs, strings, numbers, slices, maps) instead";
    let t = norm.trim();
    if t.starts_with("chan")
        || t.starts_with("<-chan")
        || t.starts_with("func")
        || t == "unsafe.Pointer"
    {
        return Some(hint_plain);
    }
    Some(match t {
        "*net/http.Response" => hint_http,
        "*database/sql.Rows" | "*database/sql.Row" | "database/sql.Result" => hint_sql,
        "*net/http.Request" | "*database/sql.DB" | "*database/sql.Tx" | "*database/sql.Conn"
        | "*database/sql.Stmt" | "*os.File" | "os.FileInfo" | "io/fs.FileInfo"
        | "[]os.DirEntry" | "io.Reader" | "io.ReadCloser" | "io.Writer" | "net.Conn"
        | "*os/exec.Cmd" | "context.Context" | "error" => hint_plain,
        _ => return None,
    })
}

/// Does a package (given by its files) declare a type with this name?
fn declares_type(files: &[&Arc<IndexedFile>], extra: Option<&FileModel>, name: &str) -> bool {
    files
        .iter()
        .map(|f| &f.model)
        .chain(extra)
        .any(|m| m.types.iter().any(|t| t.name == name))
}

impl<'a> Cx<'a> {
    /// Whether an identifier resolves to a declaration inside the function.
    pub fn is_local(&self, ident: Node<'a>) -> bool {
        self.sem.resolve(ident).is_some()
    }

    fn own_pkg_files(&self) -> Vec<&Arc<IndexedFile>> {
        self.ws.package_files(self.path)
    }

    /// Normalise a type written in the edited file.
    pub fn normalize_here(&self, ty: &str) -> Option<String> {
        let files = self.own_pkg_files();
        normalize_written(ty, self.model, None, &|n| {
            declares_type(&files, Some(self.model), n)
        })
    }

    /// Results of a workspace function, normalised; `pkg` is the import path when the function
    /// lives in another package.
    fn results_of(&self, r: &(std::path::PathBuf, u32), pkg: Option<&str>) -> Option<Vec<String>> {
        let (file, func) = self.ws.function(r)?;
        let files = self.ws.package_files(&file.path);
        func.results
            .iter()
            .map(|t| normalize_written(t, &file.model, pkg, &|n| declares_type(&files, None, n)))
            .collect()
    }

    fn package_function(&self, import_path: &str, key: &str) -> Option<Vec<String>> {
        let Some(pkg) = self.ws.resolve_import(self.path, import_path) else {
            return self.dependency_function(import_path, key);
        };
        let r = self.ws.package(&pkg)?.funcs.get(key)?.first()?.clone();
        self.results_of(&r, Some(import_path))
    }

    /// `openai.Client` where the import's path does not end in its package name
    /// (`github.com/openai/openai-go` declares `package openai`): qualified through the
    /// summaries' package names.
    fn dependency_qualified(&self, ty: &str) -> String {
        let (stars, bare) = ty.split_at(ty.len() - ty.trim_start_matches('*').len());
        if let Some((pkg, name)) = bare.split_once('.')
            && !pkg.contains('/')
            && let Some(imp) = self
                .model
                .imports
                .iter()
                .find(|i| i.alias.is_none() && self.ws.deps.package_name(&i.path) == Some(pkg))
        {
            return format!("{stars}{}.{name}", imp.path);
        }
        ty.to_string()
    }

    /// A dependency's function (`New`) or method (`Queries.GetUser`) from the summaries of the
    /// module cache: its results, already written with import paths.
    fn dependency_function(&self, import_path: &str, key: &str) -> Option<Vec<String>> {
        let deps = &self.ws.deps;
        let f = match key.split_once('.') {
            Some((tname, name)) => deps.method(&format!("{import_path}.{tname}"), name)?,
            None => deps.function(import_path, key)?,
        };
        Some(f.results.iter().map(|t| t.to_string()).collect())
    }

    /// The results of a call, normalised, when they are known.
    pub fn call_results(&self, node: Node<'_>, depth: u32) -> Option<Vec<String>> {
        let src = self.src;
        if depth > 6 {
            return None;
        }
        let Some(parts) = call_parts(node) else {
            // `T(x)`: a conversion.
            if node.kind() == "type_conversion_expression" {
                return Some(vec![self.normalize_here(text(field(node, "type")?, src))?]);
            }
            return None;
        };
        if node.kind() == "call_expression"
            && matches!(
                parts.func.kind(),
                "slice_type" | "map_type" | "array_type" | "pointer_type" | "channel_type"
            )
        {
            return Some(vec![self.normalize_here(text(parts.func, src))?]);
        }
        match parts.callee(src) {
            Callee::Ident(name) => {
                let first = parts.arg(0);
                match name {
                    "len" | "cap" | "copy" => return Some(vec!["int".into()]),
                    "append" => return Some(vec![self.expr_type(first?, depth + 1)?]),
                    "make" => return Some(vec![self.normalize_here(text(first?, src))?]),
                    "new" => {
                        return Some(vec![format!(
                            "*{}",
                            self.normalize_here(text(first?, src))?
                        )]);
                    }
                    _ => {}
                }
                if PREDECLARED.contains(&name) {
                    return Some(vec![name.to_string()]);
                }
                // A local variable holding a function: its type is not written here.
                if self.is_local(parts.func) {
                    return None;
                }
                let target = CallTarget::Func(name.into());
                if let Some(r) = self.ws.resolve_call(self.path, &target).first() {
                    return self.results_of(r, None);
                }
                let f = self
                    .model
                    .functions
                    .iter()
                    .find(|f| f.receiver.is_none() && f.name == name)?;
                f.results.iter().map(|t| self.normalize_here(t)).collect()
            }
            Callee::Selector {
                operand,
                operand_ident,
                name,
            } => {
                if let Some(q) = operand_ident
                    && !self.is_local(operand)
                    && let Some(path) = self.model.import_path_for(q)
                {
                    if let Some(r) = stdlib::function(path, name) {
                        return Some(r.to_vec());
                    }
                    return self.package_function(path, name);
                }
                let recv = self.expr_type(operand, depth + 1)?;
                if let Some(r) = stdlib::method(&recv, name) {
                    return Some(r.to_vec());
                }
                let recv = self.dependency_qualified(&recv);
                let base = recv.trim_start_matches('*');
                match base.rsplit_once('.') {
                    Some((path, tname)) => self.package_function(path, &format!("{tname}.{name}")),
                    None => {
                        let target = CallTarget::Method {
                            type_name: base.into(),
                            name: name.into(),
                        };
                        let r = self.ws.resolve_call(self.path, &target);
                        self.results_of(r.first()?, None)
                    }
                }
            }
            Callee::Other => None,
        }
    }

    /// The type of an expression, normalised, when it is evident.
    pub fn expr_type(&self, e: Node<'_>, depth: u32) -> Option<String> {
        if depth > 6 {
            return None;
        }
        let src = self.src;
        let e = go::unparen(e);
        let simple = match e.kind() {
            "int_literal" => Some("int"),
            "float_literal" => Some("float64"),
            "imaginary_literal" => Some("complex128"),
            "rune_literal" => Some("rune"),
            "interpreted_string_literal" | "raw_string_literal" => Some("string"),
            "true" | "false" => Some("bool"),
            _ => None,
        };
        if let Some(s) = simple {
            return Some(s.to_string());
        }
        match e.kind() {
            "call_expression" | "type_conversion_expression" => {
                let r = self.call_results(e, depth + 1)?;
                (r.len() == 1).then(|| r[0].clone())
            }
            "binary_expression" => {
                let op = field(e, "operator").map(|o| text(o, src)).unwrap_or("");
                if matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||") {
                    return Some("bool".into());
                }
                if matches!(op, "<<" | ">>") {
                    return self.expr_type(field(e, "left")?, depth + 1);
                }
                field(e, "left")
                    .and_then(|l| self.expr_type(l, depth + 1))
                    .or_else(|| self.expr_type(field(e, "right")?, depth + 1))
            }
            "composite_literal" => self.normalize_here(text(field(e, "type")?, src)),
            "unary_expression" => {
                let op = field(e, "operator").map(|o| text(o, src)).unwrap_or("");
                let inner = self.expr_type(field(e, "operand")?, depth + 1)?;
                match op {
                    "&" => Some(format!("*{inner}")),
                    "-" | "+" | "^" => Some(inner),
                    "!" => Some("bool".into()),
                    _ => None,
                }
            }
            "identifier" => self.ident_type(e, depth),
            "selector_expression" => {
                if let Some(t) = self.sem.type_of(e) {
                    return Some(t);
                }
                let base = self.expr_type(field(e, "operand")?, depth + 1)?;
                self.field_type(&base, text(field(e, "field")?, src))
            }
            _ => self.sem.type_of(e),
        }
    }

    /// The type of a variable from its declaration.
    pub fn ident_type(&self, ident: Node<'a>, depth: u32) -> Option<String> {
        let Some(d) = self.sem.resolve(ident) else {
            return self.sem.type_of(ident);
        };
        self.decl_type(&d, depth)
    }

    pub fn decl_type(&self, d: &Decl<'_>, depth: u32) -> Option<String> {
        let src = self.src;
        if let Some(ty) = d.ty {
            return self.normalize_here(text(ty, src));
        }
        if matches!(d.stmt.kind(), "range_clause" | "type_switch_statement") {
            return None;
        }
        let value = d.value?;
        // `a, b := f()`: the declared name's position picks the result.
        if let Some(left) = field(d.stmt, "left") {
            let lefts = named_children(left);
            let rights = field(d.stmt, "right")
                .map(named_children)
                .unwrap_or_default();
            if lefts.len() > 1 && rights.len() == 1 {
                let i = lefts.iter().position(|l| *l == d.name)?;
                let r = self.call_results(go::unparen(value), depth + 1)?;
                return (r.len() == lefts.len()).then(|| r[i].clone());
            }
        }
        self.expr_type(value, depth + 1)
    }

    /// A field's type for a (normalised) struct type declared in the workspace.
    fn field_type(&self, base: &str, name: &str) -> Option<String> {
        let base = base.trim_start_matches('*');
        let (files, tname, pkg) = match base.rsplit_once('.') {
            Some((path, t)) => {
                let Some(key) = self.ws.resolve_import(self.path, path) else {
                    // A dependency's struct (`openai.Client.Chat`), from the summaries.
                    let base = self.dependency_qualified(base);
                    return self.ws.deps.field_type(&base, name).map(str::to_string);
                };
                let p = self.ws.package(&key)?;
                let files: Vec<&Arc<IndexedFile>> =
                    p.files.iter().filter_map(|f| self.ws.file(f)).collect();
                (files, t, Some(path))
            }
            None => (self.own_pkg_files(), base, None),
        };
        let own = [self.model];
        let models = files
            .iter()
            .map(|f| &f.model)
            .chain(own.iter().copied().filter(|_| pkg.is_none()));
        for m in models {
            let Some(td) = m.types.iter().find(|t| t.name == tname) else {
                continue;
            };
            let (_, fty) = td.fields.iter().find(|(n, _)| n == name)?;
            return normalize_written(fty, m, pkg, &|n| declares_type(&files, Some(m), n));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::model::extract;

    #[test]
    fn types_round_trip_through_import_paths() {
        let src = "package p\n\nimport (\n\t\"net/http\"\n\tt \"time\"\n)\n\ntype Order struct{}\n";
        let tree = go::parse_str(src);
        let m = extract(src, &tree);
        let own = |n: &str| n == "Order";
        assert_eq!(
            normalize_written("*http.Response", &m, None, &own).as_deref(),
            Some("*net/http.Response")
        );
        assert_eq!(
            normalize_written("map[string][]t.Time", &m, None, &own).as_deref(),
            Some("map[string][]time.Time")
        );
        assert_eq!(
            normalize_written("[]Order", &m, Some("example.com/x/orders"), &own).as_deref(),
            Some("[]example.com/x/orders.Order")
        );
        // A type parameter or an undeclared name cannot be placed.
        assert_eq!(normalize_written("T", &m, None, &own), None);
        assert_eq!(normalize_written("struct{ A int }", &m, None, &own), None);

        let mut imports = vec![];
        assert_eq!(
            render(
                "map[string][]time.Time",
                &m,
                &DepIndex::default(),
                &mut imports
            )
            .as_deref(),
            Some("map[string][]t.Time")
        );
        assert_eq!(
            render(
                "*example.com/x/orders.Order",
                &m,
                &DepIndex::default(),
                &mut imports
            )
            .as_deref(),
            Some("*orders.Order")
        );
        assert_eq!(
            render(
                "github.com/oklog/ulid/v2.ULID",
                &m,
                &DepIndex::default(),
                &mut imports
            )
            .as_deref(),
            Some("ulid.ULID")
        );
        assert_eq!(
            imports,
            vec!["example.com/x/orders", "github.com/oklog/ulid/v2"]
        );
        assert!(unjournalable("*net/http.Response").is_some());
        assert!(unjournalable("func() error").is_some());
        assert!(unjournalable("[]byte").is_none());
        assert!(unjournalable("time.Time").is_none());
    }
}

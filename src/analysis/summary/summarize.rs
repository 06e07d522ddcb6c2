//! One dependency package's Go files -> its `PkgSummary`.
//!
//! Each file is parsed and reduced to owned facts right away (declarations with normalised types,
//! and per function the calls its body makes, with their receivers described but not yet typed),
//! so only one syntax tree is alive at a time. Then the facts of all files are joined: receivers
//! are typed against the package's struct fields, functions and variables, calls are resolved to
//! the package's own functions and methods, to standard-library I/O, or to other packages, and
//! whether a function reaches I/O is propagated through the package's call graph (shortest chain
//! first). Only exported declarations are kept.
//!
//! Local variables are typed without scopes (the last declaration of a name before a call wins):
//! a summary wants "does this body reach I/O", and a shadowed receiver name is rare enough.

use std::collections::{BTreeSet, HashMap, VecDeque};

use tree_sitter::Node;

use crate::analysis::go::{self, call_parts, field, named_children, text};
use crate::analysis::summary::stdio;
use crate::analysis::summary::typexpr::{Imports, TypeCx, type_param_names};
use crate::analysis::summary::{
    ExtCall, FuncSummary, Interner, PkgSummary, Recv, TypeKind, TypeSummary, is_std,
    split_type_path,
};

/// Chains longer than this many calls are cut in the middle for messages.
const MAX_CHAIN: usize = 4;
/// Calls into other packages kept per function for the index to follow.
const MAX_EXT_CALLS: usize = 16;
/// Functions of the package visited when collecting one function's calls into other packages.
const MAX_REACH: usize = 64;
/// Embedded types followed when promoting fields and methods.
const MAX_EMBED_DEPTH: u32 = 4;

/// Summarise a package from its files (name, text): non-test files of one directory.
pub fn summarize(pkg_path: &str, files: &[(String, String)]) -> PkgSummary {
    let mut parser = go::new_parser();
    let mut facts: Vec<FileFacts> = files
        .iter()
        .map(|(_, src)| {
            let tree = go::parse(&mut parser, src);
            file_facts(pkg_path, src, tree.root_node())
        })
        .collect();
    let name = package_name(&facts);
    facts.retain(|f| f.package == name);
    let pkg = Pkg::join(pkg_path, facts);
    let mut out = pkg.summary(name);
    out.finish();
    out.intern(&mut Interner::default());
    out
}

/// The package clause most files agree on, ignoring external test packages.
fn package_name(facts: &[FileFacts]) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for f in facts {
        if !f.package.is_empty() && !f.package.ends_with("_test") {
            *counts.entry(&f.package).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(n, _)| n.to_string())
        .unwrap_or_default()
}

// ---- facts of one file -----------------------------------------------------------------------------

/// What a call's receiver is, described in one file and typed once the package is joined.
#[derive(Clone, Debug)]
enum Operand {
    Type(String),
    Field(Box<Operand>, String),
    FuncResult(String, u8),
    MethodResult(Box<Operand>, String, u8),
    PkgVar(String),
}

#[derive(Clone, Debug)]
enum CallFact {
    /// A standard-library call that is I/O (what was called, for messages).
    Io(String),
    /// A function of this package.
    Func(String),
    /// A function of another non-standard package.
    Ext(ExtCall),
    Method(Operand, String),
}

#[derive(Debug, Default)]
struct TypeInfo {
    kind: TypeKind,
    underlying: Option<String>,
    alias: bool,
    /// Every field (exported or not: receivers reach unexported ones).
    fields: Vec<(String, String)>,
    /// Embedded types (normalised), structs' and interfaces'.
    embeds: Vec<String>,
    /// An interface's own methods.
    iface: Vec<Sig>,
}

#[derive(Clone, Debug, Default)]
struct Sig {
    name: String,
    params: Vec<String>,
    results: Vec<String>,
}

#[derive(Debug)]
struct FuncInfo {
    sig: Sig,
    recv: Option<(String, bool)>,
    calls: Vec<CallFact>,
}

#[derive(Debug, Default)]
struct FileFacts {
    package: String,
    types: Vec<(String, TypeInfo)>,
    funcs: Vec<(String, FuncInfo)>,
    vars: Vec<(String, Operand)>,
}

fn file_facts(pkg_path: &str, src: &str, root: Node<'_>) -> FileFacts {
    let imports = Imports::of(root, src);
    let mut out = FileFacts::default();
    for decl in named_children(root) {
        match decl.kind() {
            "package_clause" => {
                if let Some(n) = named_children(decl).first() {
                    out.package = text(*n, src).to_string();
                }
            }
            "type_declaration" => {
                for spec in named_children(decl) {
                    if let Some(t) = type_info(spec, src, &imports, pkg_path) {
                        out.types.push(t);
                    }
                }
            }
            "function_declaration" | "method_declaration" => {
                if let Some(f) = func_info(decl, src, &imports, pkg_path) {
                    out.funcs.push(f);
                }
            }
            "var_declaration" => {
                let cx = TypeCx {
                    imports: &imports,
                    pkg_path,
                    type_params: &[],
                };
                go::walk(decl, |n| {
                    if n.kind() == "var_spec" {
                        let mut body = Body::new(src, &imports, &cx);
                        for name in body.var_spec(n) {
                            if let Some(op) = body.env.remove(&name) {
                                out.vars.push((name, op));
                            }
                        }
                        return false;
                    }
                    true
                });
            }
            _ => {}
        }
    }
    out
}

fn type_info(
    spec: Node<'_>,
    src: &str,
    imports: &Imports,
    pkg_path: &str,
) -> Option<(String, TypeInfo)> {
    let name = text(field(spec, "name")?, src).to_string();
    let ty = field(spec, "type")?;
    let tps = type_param_names(field(spec, "type_parameters"), src);
    let cx = TypeCx {
        imports,
        pkg_path,
        type_params: &tps,
    };
    let mut info = TypeInfo::default();
    if spec.kind() == "type_alias" {
        info.alias = true;
        info.underlying = Some(cx.normalize(ty, src));
        return Some((name, info));
    }
    match ty.kind() {
        "struct_type" => {
            info.kind = TypeKind::Struct;
            for list in named_children(ty) {
                for fd in named_children(list) {
                    if fd.kind() != "field_declaration" {
                        continue;
                    }
                    let Some(fty) = field(fd, "type") else {
                        continue;
                    };
                    let norm = cx.normalize(fty, src);
                    let mut cursor = fd.walk();
                    let names: Vec<String> = fd
                        .children_by_field_name("name", &mut cursor)
                        .map(|n| text(n, src).to_string())
                        .collect();
                    if names.is_empty() {
                        // Embedded: the field is named after its type.
                        if let Some((_, tname)) = split_type_path(&norm) {
                            info.fields.push((tname.to_string(), norm.clone()));
                        }
                        info.embeds.push(norm);
                    } else {
                        for n in names {
                            info.fields.push((n, norm.clone()));
                        }
                    }
                }
            }
        }
        "interface_type" => {
            info.kind = TypeKind::Interface;
            for el in named_children(ty) {
                match el.kind() {
                    "method_elem" => {
                        if let Some(n) = field(el, "name") {
                            info.iface.push(signature(text(n, src), el, src, &cx));
                        }
                    }
                    "type_elem" => {
                        // An embedded interface; unions and approximations constrain type
                        // parameters and add no methods.
                        let inner = named_children(el);
                        if let [one] = inner.as_slice()
                            && matches!(one.kind(), "qualified_type" | "type_identifier")
                        {
                            info.embeds.push(cx.normalize(*one, src));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => info.underlying = Some(cx.normalize(ty, src)),
    }
    Some((name, info))
}

/// Parameter and result types of a function, method or interface method node.
fn signature(name: &str, node: Node<'_>, src: &str, cx: &TypeCx<'_>) -> Sig {
    let params = field(node, "parameters")
        .map(|p| param_types(p, src, cx))
        .unwrap_or_default();
    let results = match field(node, "result") {
        Some(r) if r.kind() == "parameter_list" => param_types(r, src, cx),
        Some(r) => vec![cx.normalize(r, src)],
        None => vec![],
    };
    Sig {
        name: name.to_string(),
        params,
        results,
    }
}

/// One type per parameter (`a, b int` is two), variadic ones as `...T`.
fn param_types(list: Node<'_>, src: &str, cx: &TypeCx<'_>) -> Vec<String> {
    let mut out = vec![];
    for p in named_children(list) {
        let Some(ty) = field(p, "type") else {
            continue;
        };
        let mut t = cx.normalize(ty, src);
        if p.kind() == "variadic_parameter_declaration" {
            t = format!("...{t}");
        }
        let mut cursor = p.walk();
        let count = p.children_by_field_name("name", &mut cursor).count().max(1);
        out.extend(std::iter::repeat_n(t, count));
    }
    out
}

/// The receiver's type name, whether it is a pointer, and its type parameters.
fn receiver(decl: Node<'_>, src: &str) -> Option<(String, bool, Vec<String>, Option<String>)> {
    let list = field(decl, "receiver")?;
    let p = named_children(list).into_iter().next()?;
    let mut ty = field(p, "type")?;
    let pointer = ty.kind() == "pointer_type";
    if pointer {
        ty = named_children(ty).into_iter().next()?;
    }
    let mut tps = vec![];
    if ty.kind() == "generic_type" {
        if let Some(args) = field(ty, "type_arguments") {
            go::walk(args, |n| {
                if n.kind() == "type_identifier" {
                    tps.push(text(n, src).to_string());
                }
                true
            });
        }
        ty = field(ty, "type")?;
    }
    let name = field(p, "name").map(|n| text(n, src).to_string());
    Some((text(ty, src).to_string(), pointer, tps, name))
}

fn func_info(
    decl: Node<'_>,
    src: &str,
    imports: &Imports,
    pkg_path: &str,
) -> Option<(String, FuncInfo)> {
    let name = text(field(decl, "name")?, src).to_string();
    let recv = if decl.kind() == "method_declaration" {
        Some(receiver(decl, src)?)
    } else {
        None
    };
    let mut tps = type_param_names(field(decl, "type_parameters"), src);
    if let Some((_, _, r, _)) = &recv {
        tps.extend(r.iter().cloned());
    }
    let cx = TypeCx {
        imports,
        pkg_path,
        type_params: &tps,
    };
    let sig = signature(&name, decl, src, &cx);
    let mut body = Body::new(src, imports, &cx);
    if let Some((ty, pointer, _, Some(rname))) = &recv {
        let t = format!("{}{pkg_path}.{ty}", if *pointer { "*" } else { "" });
        body.env.insert(rname.clone(), Operand::Type(t));
    }
    if let Some(params) = field(decl, "parameters") {
        body.params(params);
    }
    let mut calls = vec![];
    if let Some(b) = field(decl, "body") {
        body.walk(b, &mut calls);
    }
    let key = match &recv {
        Some((ty, ..)) => format!("{ty}.{name}"),
        None => name,
    };
    Some((
        key,
        FuncInfo {
            sig,
            recv: recv.map(|(t, p, ..)| (t, p)),
            calls,
        },
    ))
}

/// The walk of one function body: local variables as operands, calls as facts.
struct Body<'a, 's> {
    src: &'s str,
    imports: &'a Imports,
    cx: &'a TypeCx<'a>,
    env: HashMap<String, Operand>,
}

impl<'a, 's> Body<'a, 's> {
    fn new(src: &'s str, imports: &'a Imports, cx: &'a TypeCx<'a>) -> Self {
        Body {
            src,
            imports,
            cx,
            env: HashMap::new(),
        }
    }

    fn params(&mut self, list: Node<'_>) {
        for p in named_children(list) {
            let Some(ty) = field(p, "type") else {
                continue;
            };
            let t = self.cx.normalize(ty, self.src);
            let mut cursor = p.walk();
            for n in p.children_by_field_name("name", &mut cursor) {
                self.env
                    .insert(text(n, self.src).to_string(), Operand::Type(t.clone()));
            }
        }
    }

    fn walk(&mut self, body: Node<'_>, calls: &mut Vec<CallFact>) {
        let mut cursor = body.walk();
        // Pre-order over the body, declarations recorded as they come (source order).
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "short_var_declaration" => self.short_var(n),
                "var_spec" => {
                    self.var_spec(n);
                }
                "func_literal" => {
                    if let Some(p) = field(n, "parameters") {
                        self.params(p);
                    }
                }
                "call_expression" => {
                    if let Some(c) = self.call_fact(n) {
                        calls.push(c);
                    }
                }
                _ => {}
            }
            let children: Vec<Node<'_>> = n.named_children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }

    fn short_var(&mut self, n: Node<'_>) {
        let (Some(left), Some(right)) = (field(n, "left"), field(n, "right")) else {
            return;
        };
        let names: Vec<Node<'_>> = named_children(left);
        let values: Vec<Node<'_>> = named_children(right);
        self.bind(&names, &values);
    }

    /// `var a, b T = x, y` / `var a, b = f()`: binds the names, returns them.
    fn var_spec(&mut self, n: Node<'_>) -> Vec<String> {
        let mut cursor = n.walk();
        let names: Vec<Node<'_>> = n.children_by_field_name("name", &mut cursor).collect();
        if let Some(ty) = field(n, "type") {
            let t = self.cx.normalize(ty, self.src);
            for x in &names {
                self.env
                    .insert(text(*x, self.src).to_string(), Operand::Type(t.clone()));
            }
        } else {
            let values = field(n, "value").map(named_children).unwrap_or_default();
            self.bind(&names, &values);
        }
        names
            .iter()
            .map(|x| text(*x, self.src).to_string())
            .collect()
    }

    fn bind(&mut self, names: &[Node<'_>], values: &[Node<'_>]) {
        if names.len() == values.len() {
            for (n, v) in names.iter().zip(values) {
                let name = text(*n, self.src);
                match self.operand(*v, 0) {
                    Some(op) => self.env.insert(name.to_string(), op),
                    None => self.env.remove(name),
                };
            }
        } else if let [one] = values {
            for (i, n) in names.iter().enumerate() {
                let name = text(*n, self.src);
                match self.result_operand(*one, i as u8) {
                    Some(op) => self.env.insert(name.to_string(), op),
                    None => self.env.remove(name),
                };
            }
        }
    }

    /// The import path an identifier names when it is a package qualifier (not a variable).
    fn qualifier(&self, n: Node<'_>) -> Option<&'a str> {
        if n.kind() != "identifier" {
            return None;
        }
        let name = text(n, self.src);
        if self.env.contains_key(name) {
            return None;
        }
        self.imports.resolve(name)
    }

    fn operand(&self, expr: Node<'_>, depth: u32) -> Option<Operand> {
        if depth > 8 {
            return None;
        }
        let expr = go::unparen(expr);
        match expr.kind() {
            "identifier" => {
                let name = text(expr, self.src);
                Some(
                    self.env
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| Operand::PkgVar(name.to_string())),
                )
            }
            "selector_expression" => {
                let op = field(expr, "operand")?;
                let name = text(field(expr, "field")?, self.src);
                if let Some(path) = self.qualifier(op) {
                    return std_var(path, name).map(|t| Operand::Type(t.to_string()));
                }
                Some(Operand::Field(
                    Box::new(self.operand(op, depth + 1)?),
                    name.to_string(),
                ))
            }
            "composite_literal" => Some(Operand::Type(
                self.cx.normalize(field(expr, "type")?, self.src),
            )),
            "unary_expression" => {
                let inner = self.operand(field(expr, "operand")?, depth + 1)?;
                Some(match inner {
                    Operand::Type(t) if !t.starts_with('*') => Operand::Type(format!("*{t}")),
                    other => other,
                })
            }
            "type_assertion_expression" => Some(Operand::Type(
                self.cx.normalize(field(expr, "type")?, self.src),
            )),
            "call_expression" => self.result_operand(expr, 0),
            _ => None,
        }
    }

    /// Result `i` of a call.
    fn result_operand(&self, expr: Node<'_>, i: u8) -> Option<Operand> {
        let call = call_parts(go::unparen(expr))?;
        match call.callee(self.src) {
            go::Callee::Ident(name) => match name {
                "new" | "make" => {
                    let t = self.cx.normalize(*call.args.first()?, self.src);
                    Some(Operand::Type(if name == "new" {
                        format!("*{t}")
                    } else {
                        t
                    }))
                }
                _ if self.env.contains_key(name) => None,
                _ => Some(Operand::FuncResult(name.to_string(), i)),
            },
            go::Callee::Selector { operand, name, .. } => {
                if let Some(path) = self.qualifier(operand) {
                    return (i == 0)
                        .then(|| std_result(path, name))
                        .flatten()
                        .map(|t| Operand::Type(t.to_string()));
                }
                Some(Operand::MethodResult(
                    Box::new(self.operand(operand, 1)?),
                    name.to_string(),
                    i,
                ))
            }
            go::Callee::Other => None,
        }
    }

    fn call_fact(&self, n: Node<'_>) -> Option<CallFact> {
        let call = call_parts(n)?;
        match call.callee(self.src) {
            go::Callee::Ident(name) => {
                if go::is_builtin_func(name) || self.env.contains_key(name) {
                    None
                } else {
                    Some(CallFact::Func(name.to_string()))
                }
            }
            go::Callee::Selector { operand, name, .. } => {
                if let Some(path) = self.qualifier(operand) {
                    return if is_std(path) {
                        stdio::function(path, name).then(|| CallFact::Io(format!("{path}.{name}")))
                    } else {
                        Some(CallFact::Ext(ExtCall {
                            path: path.into(),
                            name: name.into(),
                        }))
                    };
                }
                Some(CallFact::Method(
                    self.operand(operand, 1)?,
                    name.to_string(),
                ))
            }
            go::Callee::Other => None,
        }
    }
}

/// Package-level variables of the standard library that libraries call methods on.
fn std_var(path: &str, name: &str) -> Option<&'static str> {
    Some(match (path, name) {
        ("net/http", "DefaultClient") => "*net/http.Client",
        ("net/http", "DefaultTransport") => "net/http.RoundTripper",
        ("os", "Stdout" | "Stderr" | "Stdin") => "*os.File",
        ("net", "DefaultResolver") => "*net.Resolver",
        _ => return None,
    })
}

/// Result types of standard-library constructors whose values do I/O.
fn std_result(path: &str, name: &str) -> Option<&'static str> {
    Some(match (path, name) {
        ("database/sql", "Open" | "OpenDB") => "*database/sql.DB",
        ("os/exec", "Command" | "CommandContext") => "*os/exec.Cmd",
        ("os", "Open" | "Create" | "OpenFile" | "CreateTemp") => "*os.File",
        ("net", "Dial" | "DialTimeout") => "net.Conn",
        ("net", "Listen") => "net.Listener",
        ("crypto/tls", "Dial" | "DialWithDialer" | "Client" | "Server") => "*crypto/tls.Conn",
        ("net/smtp", "Dial" | "NewClient") => "*net/smtp.Client",
        _ => return None,
    })
}

// ---- the package joined ----------------------------------------------------------------------------

struct Pkg {
    path: String,
    types: HashMap<String, TypeInfo>,
    /// `F` for functions, `T.M` for methods.
    funcs: HashMap<String, FuncInfo>,
    vars: HashMap<String, Operand>,
    /// Method name -> keys of the methods of that name (`T.M`), sorted.
    by_method: HashMap<String, Vec<String>>,
    /// Type name -> keys of its declared methods, sorted.
    methods_of: HashMap<String, Vec<String>>,
}

/// What one function's calls resolved to.
#[derive(Default)]
struct Resolved {
    io: Option<String>,
    local: Vec<String>,
    ext: Vec<ExtCall>,
}

impl Pkg {
    fn join(path: &str, facts: Vec<FileFacts>) -> Pkg {
        let mut pkg = Pkg {
            path: path.to_string(),
            types: HashMap::new(),
            funcs: HashMap::new(),
            vars: HashMap::new(),
            by_method: HashMap::new(),
            methods_of: HashMap::new(),
        };
        // The first declaration wins (files for other platforms are filtered by the reader; a
        // duplicate left is one of them).
        for f in facts {
            for (k, v) in f.types {
                pkg.types.entry(k).or_insert(v);
            }
            for (k, v) in f.funcs {
                pkg.funcs.entry(k).or_insert(v);
            }
            for (k, v) in f.vars {
                pkg.vars.entry(k).or_insert(v);
            }
        }
        for (k, f) in &pkg.funcs {
            if let Some((t, _)) = &f.recv {
                pkg.by_method
                    .entry(f.sig.name.clone())
                    .or_default()
                    .push(k.clone());
                pkg.methods_of.entry(t.clone()).or_default().push(k.clone());
            }
        }
        for v in pkg
            .by_method
            .values_mut()
            .chain(pkg.methods_of.values_mut())
        {
            v.sort();
        }
        pkg
    }

    /// The name of a type of this package, from a normalised type.
    fn local<'t>(&self, ty: &'t str) -> Option<&'t str> {
        let (path, name) = split_type_path(ty)?;
        (path == self.path && self.types.contains_key(name)).then_some(name)
    }

    /// Follow aliases (`type A = B`) of this package to the type they name.
    fn resolve_alias<'t>(&'t self, ty: &'t str) -> &'t str {
        let mut t = ty;
        for _ in 0..MAX_EMBED_DEPTH {
            match self
                .local(t)
                .and_then(|n| self.types.get(n))
                .filter(|i| i.alias)
                .and_then(|i| i.underlying.as_deref())
            {
                Some(u) => t = u,
                None => break,
            }
        }
        t
    }

    fn type_of(&self, op: &Operand, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        match op {
            Operand::Type(t) => Some(t.clone()),
            Operand::PkgVar(name) => self.type_of(self.vars.get(name)?, depth + 1),
            Operand::Field(base, f) => {
                let base = self.type_of(base, depth + 1)?;
                self.field_type(&base, f, 0)
            }
            Operand::FuncResult(name, i) => match self.funcs.get(name) {
                Some(f) => f.sig.results.get(*i as usize).cloned(),
                // `T(x)`: a conversion to a type of this package.
                None if *i == 0 && self.types.contains_key(name) => {
                    Some(format!("{}.{name}", self.path))
                }
                None => None,
            },
            Operand::MethodResult(base, m, i) => {
                let base = self.type_of(base, depth + 1)?;
                let key = self.method_key(&base, m, 0)?;
                self.funcs.get(&key)?.sig.results.get(*i as usize).cloned()
            }
        }
    }

    /// The type of field `f` of a struct of this package, promoted fields included.
    fn field_type(&self, ty: &str, f: &str, depth: u32) -> Option<String> {
        if depth > MAX_EMBED_DEPTH {
            return None;
        }
        let ty = self.resolve_alias(ty);
        let info = self.types.get(self.local(ty)?)?;
        if let Some((_, t)) = info.fields.iter().find(|(n, _)| n == f) {
            return Some(t.clone());
        }
        info.embeds
            .iter()
            .find_map(|e| self.field_type(e, f, depth + 1))
    }

    /// The key of method `m` of a type of this package (`T.m`), promoted methods included.
    fn method_key(&self, ty: &str, m: &str, depth: u32) -> Option<String> {
        if depth > MAX_EMBED_DEPTH {
            return None;
        }
        let ty = self.resolve_alias(ty);
        let name = self.local(ty)?;
        let key = format!("{name}.{m}");
        if self.funcs.contains_key(&key) {
            return Some(key);
        }
        let info = self.types.get(name)?;
        info.embeds
            .iter()
            .find_map(|e| self.method_key(e, m, depth + 1))
    }

    /// What the calls of one function resolve to.
    fn resolve(&self, f: &FuncInfo) -> Resolved {
        let mut r = Resolved::default();
        for c in &f.calls {
            match c {
                CallFact::Io(what) => {
                    r.io.get_or_insert_with(|| what.clone());
                }
                CallFact::Func(name) => {
                    if self.funcs.contains_key(name) {
                        r.local.push(name.clone());
                    }
                }
                CallFact::Ext(e) => r.ext.push(e.clone()),
                CallFact::Method(op, m) => {
                    let Some(ty) = self.type_of(op, 0) else {
                        continue;
                    };
                    self.resolve_method(&ty, m, &mut r, 0);
                }
            }
        }
        r
    }

    fn resolve_method(&self, ty: &str, m: &str, r: &mut Resolved, depth: u32) {
        if depth > MAX_EMBED_DEPTH {
            return;
        }
        let ty = self.resolve_alias(ty);
        let Some((path, tname)) = split_type_path(ty) else {
            return;
        };
        if is_std(path) {
            if stdio::method(ty, m) {
                r.io.get_or_insert_with(|| {
                    let star = if ty.starts_with('*') { "*" } else { "" };
                    format!("({star}{path}.{tname}).{m}")
                });
            }
            return;
        }
        if path != self.path {
            r.ext.push(ExtCall {
                path: path.into(),
                name: format!("{tname}.{m}").into(),
            });
            return;
        }
        let Some(info) = self.types.get(tname) else {
            return;
        };
        let key = format!("{tname}.{m}");
        if self.funcs.contains_key(&key) {
            r.local.push(key);
            return;
        }
        if info.kind == TypeKind::Interface {
            // A call through an interface of this package: the package's own implementations
            // (the methods of that name on its other types) stand for it.
            if let Some(impls) = self.by_method.get(m) {
                r.local.extend(impls.iter().cloned());
            }
        }
        for e in &info.embeds {
            self.resolve_method(e, m, r, depth + 1);
        }
    }

    fn summary(&self, name: String) -> PkgSummary {
        let mut keys: Vec<&String> = self.funcs.keys().collect();
        keys.sort();
        let resolved: HashMap<&str, Resolved> = keys
            .iter()
            .map(|k| (k.as_str(), self.resolve(&self.funcs[*k])))
            .collect();
        let io = propagate_io(&keys, &resolved);
        let summarise = |key: &str, f: &FuncInfo| -> FuncSummary {
            let io = io.get(key).cloned();
            let calls = if io.is_some() {
                vec![]
            } else {
                reachable_ext(key, &resolved)
            };
            FuncSummary {
                name: f.sig.name.as_str().into(),
                recv: f.recv.as_ref().map(|(t, p)| Recv {
                    type_name: t.as_str().into(),
                    pointer: *p,
                }),
                ctx: f
                    .sig
                    .params
                    .iter()
                    .position(|p| p == "context.Context")
                    .and_then(|i| u8::try_from(i).ok()),
                params: f.sig.params.iter().map(|s| s.as_str().into()).collect(),
                results: f.sig.results.iter().map(|s| s.as_str().into()).collect(),
                io: io.map(Into::into),
                calls: calls.into_boxed_slice(),
            }
        };
        let mut out = PkgSummary {
            path: self.path.clone(),
            name,
            ..Default::default()
        };
        for k in &keys {
            let f = &self.funcs[*k];
            if f.recv.is_none() && go::is_exported(&f.sig.name) {
                out.funcs.push(summarise(k, f));
            }
        }
        let mut tnames: Vec<&String> = self.types.keys().collect();
        tnames.sort();
        for t in tnames {
            if !go::is_exported(t) {
                continue;
            }
            let info = &self.types[t];
            let mut ts = TypeSummary {
                name: t.as_str().into(),
                kind: info.kind,
                underlying: info.underlying.as_deref().map(Into::into),
                alias: info.alias,
                ..Default::default()
            };
            let mut seen_fields = BTreeSet::new();
            let mut seen_methods = BTreeSet::new();
            self.collect_members(
                t,
                &mut ts,
                &mut seen_fields,
                &mut seen_methods,
                &summarise,
                0,
            );
            out.types.push(ts);
        }
        let mut vars: Vec<&String> = self.vars.keys().collect();
        vars.sort();
        for v in vars {
            if go::is_exported(v)
                && let Some(t) = self.type_of(&self.vars[v], 0)
            {
                out.vars.push((v.as_str().into(), t.into()));
            }
        }
        out
    }

    /// Fields and methods of type `t` and, promoted, of the same-package types it embeds.
    fn collect_members(
        &self,
        t: &str,
        ts: &mut TypeSummary,
        fields: &mut BTreeSet<String>,
        methods: &mut BTreeSet<String>,
        summarise: &dyn Fn(&str, &FuncInfo) -> FuncSummary,
        depth: u32,
    ) {
        if depth > MAX_EMBED_DEPTH {
            return;
        }
        let Some(info) = self.types.get(t) else {
            return;
        };
        for (n, ty) in &info.fields {
            if go::is_exported(n) && fields.insert(n.clone()) {
                ts.fields.push((n.as_str().into(), ty.as_str().into()));
            }
        }
        for k in self.methods_of.get(t).map(Vec::as_slice).unwrap_or(&[]) {
            let f = &self.funcs[k];
            if go::is_exported(&f.sig.name) && methods.insert(f.sig.name.clone()) {
                ts.methods.push(summarise(k, f));
            }
        }
        for sig in &info.iface {
            if go::is_exported(&sig.name) && methods.insert(sig.name.clone()) {
                let f = FuncInfo {
                    sig: sig.clone(),
                    recv: None,
                    calls: vec![],
                };
                ts.methods.push(summarise("", &f));
            }
        }
        if let Some(u) = info.underlying.as_deref().filter(|_| info.alias) {
            if let Some(n) = self.local(u) {
                self.collect_members(n, ts, fields, methods, summarise, depth + 1);
            } else if split_type_path(u).is_some() {
                ts.embeds.push(u.into());
            }
        }
        for e in &info.embeds {
            match self.local(e) {
                Some(n) => self.collect_members(n, ts, fields, methods, summarise, depth + 1),
                None => {
                    if !ts.embeds.iter().any(|x| **x == **e) {
                        ts.embeds.push(e.as_str().into());
                    }
                }
            }
        }
    }
}

/// Which functions reach I/O, each with its shortest chain: a breadth-first search backwards from
/// the functions that call I/O directly.
fn propagate_io(keys: &[&String], resolved: &HashMap<&str, Resolved>) -> HashMap<String, String> {
    let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
    for k in keys {
        for callee in &resolved[k.as_str()].local {
            callers.entry(callee.as_str()).or_default().push(k.as_str());
        }
    }
    // key -> (next hop, chain length)
    let mut via: HashMap<&str, (Option<&str>, usize)> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    for k in keys {
        if resolved[k.as_str()].io.is_some() {
            via.insert(k.as_str(), (None, 0));
            queue.push_back(k.as_str());
        }
    }
    while let Some(k) = queue.pop_front() {
        let len = via[k].1;
        for c in callers.get(k).map(Vec::as_slice).unwrap_or(&[]) {
            if !via.contains_key(c) {
                via.insert(c, (Some(k), len + 1));
                queue.push_back(c);
            }
        }
    }
    via.keys()
        .map(|k| {
            let mut chain = vec![];
            let mut cur = *k;
            while let Some((Some(next), _)) = via.get(cur) {
                chain.push(display_key(next));
                cur = next;
            }
            let end = resolved[cur].io.clone().unwrap_or_default();
            if chain.len() > MAX_CHAIN - 1 {
                chain.drain(1..chain.len() - (MAX_CHAIN - 2));
                chain.insert(1, "...".to_string());
            }
            chain.push(end);
            (k.to_string(), chain.join(" -> "))
        })
        .collect()
}

/// `T.m` -> `(T).m` for messages; functions stay as they are.
fn display_key(k: &str) -> String {
    match k.split_once('.') {
        Some((t, m)) => format!("({t}).{m}"),
        None => k.to_string(),
    }
}

/// The calls into other packages a function makes, directly or through this package's functions.
fn reachable_ext(key: &str, resolved: &HashMap<&str, Resolved>) -> Vec<ExtCall> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out: BTreeSet<&ExtCall> = BTreeSet::new();
    let mut queue = VecDeque::from([key]);
    while let Some(k) = queue.pop_front() {
        if !seen.insert(k) || seen.len() > MAX_REACH {
            continue;
        }
        let Some(r) = resolved.get(k) else { continue };
        out.extend(r.ext.iter());
        queue.extend(r.local.iter().map(String::as_str));
    }
    out.into_iter().take(MAX_EXT_CALLS).cloned().collect()
}

#[cfg(test)]
mod tests;

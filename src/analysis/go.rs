//! Tree-sitter helpers for Go: parsing, iterative walks, literal values and the normalised shape of
//! calls. tree-sitter-go gives a generic call such as `restate.Get[T](ctx, "k")` one of four shapes
//! depending on the type argument and the argument count; `call_parts` folds them into one view so no
//! rule has to know about it.

use tree_sitter::{Language, Node, Parser, Tree};

pub fn language() -> Language {
    tree_sitter_go::LANGUAGE.into()
}

/// A parser for Go. The grammar is compiled in, so the only failure is an ABI mismatch between the
/// tree-sitter runtime and the grammar crate, which a unit test guards.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    // An ABI mismatch is a build problem, not an input problem: the unit test `grammar_loads` fails first.
    if let Err(e) = parser.set_language(&language()) {
        panic!("tree-sitter-go grammar cannot be loaded: {e}");
    }
    parser
}

/// Parse a whole source text. tree-sitter only returns `None` when parsing is cancelled or no
/// language is set, neither of which happens here; an empty tree stands in just in case.
pub fn parse(parser: &mut Parser, src: &str) -> Tree {
    match parser.parse(src, None) {
        Some(tree) => tree,
        None => {
            let mut fresh = new_parser();
            fresh
                .parse("", None)
                .unwrap_or_else(|| panic!("tree-sitter refused to parse an empty text"))
        }
    }
}

pub fn parse_str(src: &str) -> Tree {
    parse(&mut new_parser(), src)
}

/// The source text of a node; empty when the node's range is not on a char boundary of `src`
/// (which only happens when tree and text disagree, a bug we refuse to panic on).
pub fn text<'a>(node: Node<'_>, src: &'a str) -> &'a str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// Field names the analysis uses, with their ids looked up once (tree-sitter's lookup by name
/// compares strings against every field of the grammar on each call).
const FIELDS: &[&str] = &[
    "operand",
    "type",
    "left",
    "field",
    "name",
    "right",
    "body",
    "parameters",
    "operator",
    "result",
    "function",
    "alias",
    "value",
    "package",
    "initializer",
    "condition",
    "arguments",
    "type_arguments",
    "receiver",
    "index",
    "communication",
    "path",
    "consequence",
    "alternative",
    "update",
    "label",
    "key",
    "element",
    "tag",
];

fn field_ids() -> &'static [Option<std::num::NonZeroU16>] {
    static IDS: std::sync::OnceLock<Vec<Option<std::num::NonZeroU16>>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let lang = language();
        FIELDS.iter().map(|f| lang.field_id_for_name(f)).collect()
    })
}

/// The grammar's id of a field the analysis uses (0, which no field has, for others): for
/// comparing a cursor's `field_id` without building strings.
pub fn field_id(name: &str) -> u16 {
    FIELDS
        .iter()
        .position(|f| *f == name)
        .and_then(|i| field_ids()[i])
        .map_or(0, |id| id.get())
}

pub fn field<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    match FIELDS.iter().position(|f| *f == name) {
        Some(i) => node.child_by_field_id(field_ids()[i]?.get()),
        None => node.child_by_field_name(name),
    }
}

/// Node kinds the hot walks test, by id (comparing ids avoids building the kind's string).
pub struct Kinds {
    pub call_expression: u16,
    pub type_conversion_expression: u16,
    pub function_declaration: u16,
    pub method_declaration: u16,
    pub func_literal: u16,
    pub selector_expression: u16,
    pub assignment_statement: u16,
    pub inc_statement: u16,
    pub dec_statement: u16,
    pub go_statement: u16,
    pub select_statement: u16,
    pub send_statement: u16,
    pub unary_expression: u16,
    pub for_statement: u16,
    pub return_statement: u16,
    pub import_declaration: u16,
    pub comment: u16,
    pub interpreted_string_literal: u16,
    pub raw_string_literal: u16,
    pub parameter_declaration: u16,
    pub variadic_parameter_declaration: u16,
    pub var_spec: u16,
    pub const_spec: u16,
    pub short_var_declaration: u16,
    pub range_clause: u16,
    pub receive_statement: u16,
    pub type_switch_statement: u16,
}

pub fn kinds() -> &'static Kinds {
    static K: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        let l = language();
        let id = |k: &str| l.id_for_node_kind(k, true);
        Kinds {
            call_expression: id("call_expression"),
            type_conversion_expression: id("type_conversion_expression"),
            function_declaration: id("function_declaration"),
            method_declaration: id("method_declaration"),
            func_literal: id("func_literal"),
            selector_expression: id("selector_expression"),
            assignment_statement: id("assignment_statement"),
            inc_statement: id("inc_statement"),
            dec_statement: id("dec_statement"),
            go_statement: id("go_statement"),
            select_statement: id("select_statement"),
            send_statement: id("send_statement"),
            unary_expression: id("unary_expression"),
            for_statement: id("for_statement"),
            return_statement: id("return_statement"),
            import_declaration: id("import_declaration"),
            comment: id("comment"),
            interpreted_string_literal: id("interpreted_string_literal"),
            raw_string_literal: id("raw_string_literal"),
            parameter_declaration: id("parameter_declaration"),
            variadic_parameter_declaration: id("variadic_parameter_declaration"),
            var_spec: id("var_spec"),
            const_spec: id("const_spec"),
            short_var_declaration: id("short_var_declaration"),
            range_clause: id("range_clause"),
            receive_statement: id("receive_statement"),
            type_switch_statement: id("type_switch_statement"),
        }
    })
}

/// Named children in order.
pub fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Iterative pre-order walk (deeply nested code must not overflow the stack). The visitor returns
/// whether to descend into the node's children.
pub fn walk<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    let mut descend = visit(cursor.node());
    loop {
        if descend && cursor.goto_first_child() {
            descend = visit(cursor.node());
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                descend = visit(cursor.node());
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The value of a Go string literal (interpreted or raw). Escapes other than the common ones are kept
/// verbatim; service and handler names never contain them.
pub fn string_value(node: Node<'_>, src: &str) -> Option<String> {
    match node.kind() {
        "raw_string_literal" => {
            let t = text(node, src);
            Some(t.trim_start_matches('`').trim_end_matches('`').to_string())
        }
        "interpreted_string_literal" => {
            let t = text(node, src);
            let inner = t
                .strip_prefix('"')?
                .strip_suffix('"')
                .unwrap_or(t.get(1..)?);
            if !inner.contains('\\') {
                return Some(inner.to_string());
            }
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// The text inside a string literal's quotes, escapes kept (import paths have none).
pub fn string_content<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    let (s, e) = string_content_range(node);
    src.get(s..e).unwrap_or("")
}

/// Byte range of a string literal's content (inside the quotes).
pub fn string_content_range(node: Node<'_>) -> (usize, usize) {
    let (s, e) = (node.start_byte(), node.end_byte());
    if e >= s + 2 { (s + 1, e - 1) } else { (s, e) }
}

pub fn is_string_literal(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "interpreted_string_literal" | "raw_string_literal"
    )
}

/// A call in any of its tree shapes.
#[derive(Clone, Debug)]
pub struct CallParts<'t> {
    /// The node that represents the whole call (`call_expression` or `type_conversion_expression`).
    pub node: Node<'t>,
    /// The callee without type arguments: `restate.Get`, `Get`, `client.Do`, ...
    pub func: Node<'t>,
    /// Explicit type arguments, whatever node carries them.
    pub type_args: Option<Node<'t>>,
    pub args: Vec<Node<'t>>,
    /// The `argument_list` node when there is one (absent in the conversion shape).
    pub arg_list: Option<Node<'t>>,
}

/// How a callee is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee<'t, 's> {
    /// `x.Name`: `x` may be a package alias or a value; the model decides.
    Selector {
        operand: Node<'t>,
        operand_ident: Option<&'s str>,
        name: &'s str,
    },
    /// `Name`: a local function or a dot-imported one.
    Ident(&'s str),
    Other,
}

/// Normalise a node into a call, whatever generic shape tree-sitter chose.
pub fn call_parts(node: Node<'_>) -> Option<CallParts<'_>> {
    match node.kind() {
        "call_expression" => {
            let function = field(node, "function")?;
            let arg_list = field(node, "arguments");
            let args = arg_list.map(named_children).unwrap_or_default();
            let mut type_args = field(node, "type_arguments");
            let mut func = function;
            if function.kind() == "index_expression" {
                // `pkg.F[T](a, b)`: an index expression stands for the instantiation.
                if let (Some(op), Some(idx)) =
                    (field(function, "operand"), field(function, "index"))
                    && matches!(op.kind(), "selector_expression" | "identifier")
                {
                    func = op;
                    type_args = Some(idx);
                }
            }
            Some(CallParts {
                node,
                func,
                type_args,
                args,
                arg_list,
            })
        }
        "type_conversion_expression" => {
            // `pkg.F[T](x)` with a single argument parses as a conversion to a generic type.
            let ty = field(node, "type")?;
            if ty.kind() != "generic_type" {
                return None;
            }
            let inner = field(ty, "type")?;
            if !matches!(inner.kind(), "qualified_type" | "type_identifier") {
                return None;
            }
            let operand = field(node, "operand")?;
            Some(CallParts {
                node,
                func: inner,
                type_args: field(ty, "type_arguments"),
                args: vec![operand],
                arg_list: None,
            })
        }
        _ => None,
    }
}

impl<'t> CallParts<'t> {
    pub fn callee<'s>(&self, src: &'s str) -> Callee<'t, 's> {
        callee_of(self.func, src)
    }

    /// Byte range of the callee name (`Sleep` in `restate.Sleep(...)`).
    pub fn name_range(&self) -> (usize, usize) {
        let n = match self.func.kind() {
            "selector_expression" => field(self.func, "field"),
            "qualified_type" => field(self.func, "name"),
            _ => None,
        }
        .unwrap_or(self.func);
        (n.start_byte(), n.end_byte())
    }

    pub fn arg(&self, i: usize) -> Option<Node<'t>> {
        self.args.get(i).copied()
    }
}

pub fn callee_of<'t, 's>(func: Node<'t>, src: &'s str) -> Callee<'t, 's> {
    match func.kind() {
        "selector_expression" => {
            let (Some(operand), Some(name)) = (field(func, "operand"), field(func, "field")) else {
                return Callee::Other;
            };
            let operand_ident = (operand.kind() == "identifier").then(|| text(operand, src));
            Callee::Selector {
                operand,
                operand_ident,
                name: text(name, src),
            }
        }
        "qualified_type" => {
            let (Some(pkg), Some(name)) = (field(func, "package"), field(func, "name")) else {
                return Callee::Other;
            };
            Callee::Selector {
                operand: pkg,
                operand_ident: Some(text(pkg, src)),
                name: text(name, src),
            }
        }
        "identifier" | "type_identifier" => Callee::Ident(text(func, src)),
        // Unwrapped in a loop: `((((f))))()` may nest thousands deep.
        "parenthesized_expression" => {
            let inner = unparen(func);
            if inner.kind() == "parenthesized_expression" {
                Callee::Other
            } else {
                callee_of(inner, src)
            }
        }
        _ => Callee::Other,
    }
}

/// Strip parentheses around an expression.
pub fn unparen(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The variable an assignment target writes to: `g` for `g`, `g[k]`, `g.x.y`, `(g).x` (the target
/// itself when it is something else, such as a call result).
pub fn assigned_root(target: Node<'_>) -> Node<'_> {
    let mut base = unparen(target);
    while matches!(base.kind(), "index_expression" | "selector_expression") {
        match field(base, "operand") {
            Some(op) => base = unparen(op),
            None => break,
        }
    }
    base
}

pub fn is_func_like(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration" | "method_declaration" | "func_literal"
    )
}

/// Whether `inner` lies within `outer` (by byte range; trees never overlap otherwise).
pub fn contains(outer: Node<'_>, inner: Node<'_>) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// Leading indentation (tabs/spaces) of the line that contains byte `at`.
pub fn line_indent(src: &str, at: usize) -> &str {
    let at = at.min(src.len());
    let line_start = src[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let rest = &src[line_start..];
    let end = rest
        .find(|c: char| c != '\t' && c != ' ')
        .unwrap_or(rest.len());
    &rest[..end]
}

pub fn line_start(src: &str, at: usize) -> usize {
    let at = floor_char_boundary(src, at.min(src.len()));
    src[..at].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

pub fn floor_char_boundary(src: &str, mut at: usize) -> usize {
    at = at.min(src.len());
    while at > 0 && !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Text on one line, whitespace collapsed and cut at `max` chars (for messages).
pub fn one_line(t: &str, max: usize) -> String {
    let s = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > max {
        let cut: String = s.chars().take(max.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// The package name Go uses for an unaliased import path.
pub fn default_package_name(path: &str) -> String {
    if path == crate::analysis::restate_api::SDK_PATH {
        return "restate".to_string();
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    // `.../v2` major-version suffixes are not the package name.
    if parts.len() > 1
        && let Some(last) = parts.last()
        && last.len() > 1
        && last.starts_with('v')
        && last[1..].chars().all(|c| c.is_ascii_digit())
    {
        parts.pop();
    }
    let last = parts.last().copied().unwrap_or(path);
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix(".go").unwrap_or(last);
    last.replace(['-', '.'], "_")
}

/// Go's predeclared functions, never workspace functions.
pub fn is_builtin_func(name: &str) -> bool {
    matches!(
        name,
        "append"
            | "cap"
            | "clear"
            | "close"
            | "complex"
            | "copy"
            | "delete"
            | "imag"
            | "len"
            | "make"
            | "max"
            | "min"
            | "new"
            | "panic"
            | "print"
            | "println"
            | "real"
            | "recover"
    )
}

/// The type of the first parameter written in a func type's text (`func(ctx restate.Context, s
/// S) error` gives `restate.Context`), when it has one.
pub fn first_param_type(func_ty: &str) -> Option<&str> {
    let rest = func_ty.trim().strip_prefix("func(")?;
    let end = rest.find([',', ')']).unwrap_or(rest.len());
    rest[..end].split_whitespace().last()
}

/// Whether a Go identifier is exported.
pub fn is_exported(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_uppercase())
}

/// An indented dump of the named nodes with field names and leaf text.
pub fn debug_tree(src: &str) -> String {
    let tree = parse_str(src);
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let n = cursor.node();
        if n.is_named() {
            let f = cursor
                .field_name()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            let leaf = if n.child_count() == 0 {
                format!(" {:?}", text(n, src))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{}{}{}{}\n",
                "  ".repeat(depth),
                f,
                n.kind(),
                leaf
            ));
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            depth = depth.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_call(src: &str) -> (Tree, String) {
        let tree = parse_str(src);
        let mut found = String::new();
        walk(tree.root_node(), |n| {
            if found.is_empty()
                && let Some(c) = call_parts(n)
            {
                let targs = c
                    .type_args
                    .map(|t| text(t, src).to_string())
                    .unwrap_or_default();
                found = match c.callee(src) {
                    Callee::Selector {
                        operand_ident,
                        name,
                        ..
                    } => format!(
                        "{}.{}[{}]/{}",
                        operand_ident.unwrap_or("?"),
                        name,
                        targs,
                        c.args.len()
                    ),
                    Callee::Ident(n) => format!("{n}[{targs}]/{}", c.args.len()),
                    Callee::Other => "other".into(),
                };
            }
            true
        });
        (tree, found)
    }

    #[test]
    fn grammar_loads() {
        let tree = parse_str("package main\n");
        assert_eq!(tree.root_node().kind(), "source_file");
    }

    #[test]
    fn four_generic_shapes_normalise() {
        let cases = [
            (
                "restate.Service[string](ctx, \"A\", \"B\")",
                "restate.Service[string]/3",
            ),
            ("restate.Get[*Cart](ctx, \"cart\")", "restate.Get[*Cart]/2"),
            (
                "restate.Get[[]string](ctx, \"t\")",
                "restate.Get[[[]string]]/2",
            ),
            (
                "restate.Awakeable[string](ctx)",
                "restate.Awakeable[[string]]/1",
            ),
            ("restate.Get[*Cart](ctx)", "restate.Get[[*Cart]]/1"),
            ("Get[int](ctx, \"k\")", "Get[int]/2"),
            ("restate.Key(ctx)", "restate.Key[]/1"),
        ];
        for (expr, want) in cases {
            let src = format!("package p\nfunc f() {{ _ = {expr} }}\n");
            let (_t, got) = first_call(&src);
            assert_eq!(got, want, "for {expr}");
        }
    }

    #[test]
    fn walk_is_iterative_on_deep_nesting() {
        let depth = 20_000;
        let src = format!(
            "package p\nvar x = {}1{}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let tree = parse_str(&src);
        let mut count = 0usize;
        walk(tree.root_node(), |_| {
            count += 1;
            true
        });
        assert!(count > depth);
    }

    #[test]
    fn string_values() {
        let src = "package p\nvar a, b = \"x\\\"y\", `raw`\n";
        let tree = parse_str(src);
        let mut vals = vec![];
        walk(tree.root_node(), |n| {
            if is_string_literal(n) {
                vals.push(string_value(n, src).unwrap_or_default());
                return false;
            }
            true
        });
        assert_eq!(vals, vec!["x\"y".to_string(), "raw".to_string()]);
    }
}

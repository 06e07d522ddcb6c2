//! Resolution of identifiers to their declarations by Go's block scoping, walking up from the use.
//! Rules must resolve by declaration, not by spelling: a Run closure's parameter named `ctx` shadows
//! the handler's `ctx`; one named `rc` does not.

use tree_sitter::Node;

use crate::analysis::go::{self, field, is_func_like, named_children, text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    Param,
    Receiver,
    Result,
    /// `x := ...`, `var x = ...`, `for x := range`, ...
    Local,
    Const,
}

/// A declaration found for an identifier.
#[derive(Clone, Copy, Debug)]
pub struct Decl<'t> {
    pub kind: DeclKind,
    /// The declaring identifier node.
    pub name: Node<'t>,
    /// Declared type, when written.
    pub ty: Option<Node<'t>>,
    /// The initialising expression, when it can be paired with the name (`x := expr`).
    pub value: Option<Node<'t>>,
    /// The function-like node whose scope holds the declaration (None at package level).
    pub func: Option<Node<'t>>,
    /// The statement or clause that declares it.
    pub stmt: Node<'t>,
}

impl Decl<'_> {
    pub fn id(&self) -> usize {
        self.name.start_byte()
    }
}

/// Resolve an identifier use to its local declaration. `None` means: not declared in any enclosing
/// function scope (a package-level name, an import, or a builtin).
pub fn resolve<'t>(ident: Node<'t>, src: &str) -> Option<Decl<'t>> {
    let name = text(ident, src);
    if name.is_empty() || name == "_" {
        return None;
    }
    resolve_name(ident, name, src)
}

/// Resolve `name` as seen from `at` (which need not be an identifier).
pub fn resolve_name<'t>(at: Node<'t>, name: &str, src: &str) -> Option<Decl<'t>> {
    let chain = go::ancestors(at);
    let owner = |n: Node<'t>| {
        let i = chain.iter().position(|a| *a == n)?;
        chain[i..].iter().copied().find(|a| is_func_like(a.kind()))
    };
    resolve_along(at, chain.iter().copied(), name, src, owner)
}

/// `resolve_name` for a node whose ancestors are known: `path` runs from an enclosing function
/// (or any ancestor) down to the node. It makes no `Node::parent` calls, each of which descends
/// from the root of the tree again, so it costs the same in a 20,000-line file as in a small one.
/// Declarations above the path's first node are not seen.
pub fn resolve_name_on_path<'t>(path: &[Node<'t>], name: &str, src: &str) -> Option<Decl<'t>> {
    let (&at, above) = path.split_last()?;
    let owner = |n: Node<'t>| {
        let i = above.iter().position(|a| *a == n)?;
        above[..=i]
            .iter()
            .rev()
            .find(|a| is_func_like(a.kind()))
            .copied()
    };
    resolve_along(at, above.iter().rev().copied(), name, src, owner)
}

fn resolve_along<'t>(
    at: Node<'t>,
    ancestors: impl Iterator<Item = Node<'t>>,
    name: &str,
    src: &str,
    owner: impl Fn(Node<'t>) -> Option<Node<'t>>,
) -> Option<Decl<'t>> {
    let pos = at.start_byte();
    let mut child = at;
    for n in ancestors {
        let hit = match n.kind() {
            "statement_list" => in_statement_list(n, child, pos, name, src),
            "for_statement" => in_for(n, child, name, src),
            "if_statement" | "expression_switch_statement" | "type_switch_statement" => {
                in_initializer(n, child, name, src)
            }
            "communication_case" => in_comm_case(n, child, name, src),
            "func_literal" | "function_declaration" | "method_declaration" => {
                in_signature(n, name, src)
            }
            _ => None,
        };
        if let Some(mut d) = hit {
            if d.func.is_none() {
                d.func = owner(n);
            }
            return Some(d);
        }
        if matches!(n.kind(), "function_declaration" | "method_declaration") {
            return None;
        }
        child = n;
    }
    None
}

/// Names a node declares locally (parameters, `:=`, `var`, `const`, range and receive variables),
/// added to `out`. Walks use it to build a file's set of local names, so that resolving a name that
/// no local declares (an import alias, a package-level variable) costs nothing.
pub fn collect_declared<'s>(
    n: Node<'_>,
    src: &'s str,
    out: &mut std::collections::HashSet<&'s str>,
) {
    match n.kind() {
        "parameter_declaration" | "variadic_parameter_declaration" | "var_spec" | "const_spec" => {
            let mut cursor = n.walk();
            for name in n.children_by_field_name("name", &mut cursor) {
                out.insert(text(name, src));
            }
        }
        "short_var_declaration" | "range_clause" | "receive_statement" => {
            if let Some(left) = field(n, "left") {
                let mut cursor = left.walk();
                for id in left.named_children(&mut cursor) {
                    if id.kind() == "identifier" {
                        out.insert(text(id, src));
                    }
                }
            }
        }
        "type_switch_statement" => {
            if let Some(alias) = field(n, "alias") {
                let mut cursor = alias.walk();
                for id in alias.named_children(&mut cursor) {
                    out.insert(text(id, src));
                }
            }
        }
        _ => {}
    }
}

/// Whether the identifier is itself a declaration (`x` in `x := 1`, `var x`, a parameter name, a
/// range variable), not a use.
pub fn is_declaration_name(ident: Node<'_>) -> bool {
    let Some(p) = ident.parent() else {
        return false;
    };
    match p.kind() {
        "parameter_declaration" | "variadic_parameter_declaration" | "var_spec" | "const_spec" => {
            let mut cursor = p.walk();
            p.children_by_field_name("name", &mut cursor)
                .any(|n| n == ident)
        }
        "expression_list" => {
            let Some(stmt) = p.parent() else { return false };
            let defines = match stmt.kind() {
                "short_var_declaration" => true,
                "range_clause" | "receive_statement" => {
                    let mut cursor = stmt.walk();
                    stmt.children(&mut cursor).any(|t| t.kind() == ":=")
                }
                "type_switch_statement" => field(stmt, "alias") == Some(p),
                _ => false,
            };
            defines && field(stmt, "left").or_else(|| field(stmt, "alias")) == Some(p)
        }
        _ => false,
    }
}

fn in_signature<'t>(func: Node<'t>, name: &str, src: &str) -> Option<Decl<'t>> {
    let lists = [
        (field(func, "receiver"), DeclKind::Receiver),
        (field(func, "parameters"), DeclKind::Param),
        (field(func, "result"), DeclKind::Result),
    ];
    for (list, kind) in lists {
        let Some(list) = list else { continue };
        if list.kind() != "parameter_list" {
            continue;
        }
        for p in named_children(list) {
            let mut cursor = p.walk();
            for n in p.children_by_field_name("name", &mut cursor) {
                if text(n, src) == name {
                    return Some(Decl {
                        kind,
                        name: n,
                        ty: field(p, "type"),
                        value: None,
                        func: Some(func),
                        stmt: p,
                    });
                }
            }
        }
    }
    None
}

/// Declarations in statements that precede `child` in a statement list.
fn in_statement_list<'t>(
    list: Node<'t>,
    child: Node<'t>,
    pos: usize,
    name: &str,
    src: &str,
) -> Option<Decl<'t>> {
    // Forward over the statements before `child`, keeping the last declaration of `name`.
    let mut found = None;
    let mut cursor = list.walk();
    if !cursor.goto_first_child() {
        return None;
    }
    loop {
        let stmt = cursor.node();
        if stmt.start_byte() >= child.start_byte() || stmt.start_byte() > pos {
            break;
        }
        // `x := x + 1`: the new `x` is only in scope after the statement.
        let declaring = matches!(
            stmt.kind(),
            "short_var_declaration" | "var_declaration" | "const_declaration" | "labeled_statement"
        );
        if declaring
            && !crate::analysis::go::contains(stmt, child)
            && text(stmt, src).contains(name)
            && let Some(d) = declares(unlabel(stmt), name, src)
        {
            found = Some(d);
        }
        if !cursor.goto_next_sibling() {
            break;
        }
    }
    found
}

fn unlabel(mut stmt: Node<'_>) -> Node<'_> {
    while stmt.kind() == "labeled_statement" {
        match named_children(stmt)
            .into_iter()
            .find(|c| c.kind() != "label_name")
        {
            Some(inner) => stmt = inner,
            None => break,
        }
    }
    stmt
}

/// If `stmt` declares `name`, the declaration.
pub fn declares<'t>(stmt: Node<'t>, name: &str, src: &str) -> Option<Decl<'t>> {
    match stmt.kind() {
        "short_var_declaration" => {
            let left = field(stmt, "left")?;
            let right = field(stmt, "right");
            let lefts = named_children(left);
            let rights = right.map(named_children).unwrap_or_default();
            for (i, l) in lefts.iter().enumerate() {
                if l.kind() == "identifier" && text(*l, src) == name {
                    let value = if lefts.len() == rights.len() {
                        rights.get(i).copied()
                    } else {
                        rights.first().copied()
                    };
                    return Some(Decl {
                        kind: DeclKind::Local,
                        name: *l,
                        ty: None,
                        value,
                        func: None,
                        stmt,
                    });
                }
            }
            None
        }
        "var_declaration" | "const_declaration" => {
            let kind = if stmt.kind() == "const_declaration" {
                DeclKind::Const
            } else {
                DeclKind::Local
            };
            let mut specs = vec![];
            for c in named_children(stmt) {
                match c.kind() {
                    "var_spec" | "const_spec" => specs.push(c),
                    "var_spec_list" => specs.extend(named_children(c)),
                    _ => {}
                }
            }
            for spec in specs {
                let mut cursor = spec.walk();
                let names: Vec<Node<'t>> =
                    spec.children_by_field_name("name", &mut cursor).collect();
                let values = field(spec, "value").map(named_children).unwrap_or_default();
                for (i, n) in names.iter().enumerate() {
                    if text(*n, src) == name {
                        return Some(Decl {
                            kind,
                            name: *n,
                            ty: field(spec, "type"),
                            value: values.get(i).copied(),
                            func: None,
                            stmt,
                        });
                    }
                }
            }
            None
        }
        _ => None,
    }
}

fn in_for<'t>(for_stmt: Node<'t>, child: Node<'t>, name: &str, src: &str) -> Option<Decl<'t>> {
    for c in named_children(for_stmt) {
        match c.kind() {
            "range_clause" => {
                // Range variables are visible in the body only.
                if field(for_stmt, "body") != Some(child) {
                    continue;
                }
                let is_define = {
                    let mut cursor = c.walk();
                    c.children(&mut cursor).any(|t| t.kind() == ":=")
                };
                if !is_define {
                    continue;
                }
                let left = field(c, "left")?;
                for l in named_children(left) {
                    if l.kind() == "identifier" && text(l, src) == name {
                        return Some(Decl {
                            kind: DeclKind::Local,
                            name: l,
                            ty: None,
                            value: field(c, "right"),
                            func: None,
                            stmt: c,
                        });
                    }
                }
            }
            "for_clause" => {
                if c == child {
                    // Uses inside the clause's condition/update see the initializer too.
                }
                if let Some(init) = field(c, "initializer") {
                    if init == child {
                        continue;
                    }
                    if let Some(d) = declares(init, name, src) {
                        return Some(d);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn in_initializer<'t>(stmt: Node<'t>, child: Node<'t>, name: &str, src: &str) -> Option<Decl<'t>> {
    if stmt.kind() == "type_switch_statement"
        && let Some(alias) = field(stmt, "alias")
        && (child.kind() == "type_case" || child.kind() == "default_case")
    {
        for a in named_children(alias) {
            if text(a, src) == name {
                return Some(Decl {
                    kind: DeclKind::Local,
                    name: a,
                    ty: None,
                    value: field(stmt, "value"),
                    func: None,
                    stmt,
                });
            }
        }
    }
    let init = field(stmt, "initializer")?;
    if init == child {
        return None;
    }
    declares(init, name, src)
}

fn in_comm_case<'t>(case: Node<'t>, child: Node<'t>, name: &str, src: &str) -> Option<Decl<'t>> {
    let comm = field(case, "communication")?;
    if comm == child || comm.kind() != "receive_statement" {
        return None;
    }
    let left = field(comm, "left")?;
    for l in named_children(left) {
        if text(l, src) == name {
            return Some(Decl {
                kind: DeclKind::Local,
                name: l,
                ty: None,
                value: None,
                func: None,
                stmt: comm,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::{parse_str, walk};

    /// Resolve the identifier at the `n`-th occurrence of `needle` and report the declaring line.
    fn decl_line(src: &str, needle: &str, nth: usize) -> Option<usize> {
        let tree = parse_str(src);
        let at = src.match_indices(needle).nth(nth)?.0;
        let mut target = None;
        walk(tree.root_node(), |n| {
            if n.kind() == "identifier" && n.start_byte() == at {
                target = Some(n);
            }
            true
        });
        let d = resolve(target?, src)?;
        Some(d.name.start_position().row)
    }

    #[test]
    fn closure_parameter_shadows_outer_ctx() {
        let src = "package p\nfunc h(ctx C) {\n\tRun(ctx, func(ctx R) { use(ctx) })\n}\n";
        // use(ctx) resolves to the closure parameter on line 2.
        assert_eq!(decl_line(src, "ctx)", 0), Some(2));
        let src2 = "package p\nfunc h(ctx C) {\n\tRun(ctx, func(rc R) { use(ctx) })\n}\n";
        assert_eq!(decl_line(src2, "ctx)", 0), Some(1));
    }

    #[test]
    fn short_var_scoping() {
        let src = "package p\nfunc f() {\n\tx := 1\n\tif true {\n\t\tx := x\n\t\t_ = x\n\t}\n}\n";
        // `x := x` right side refers to line 2's x.
        assert_eq!(decl_line(src, "x\n", 0), Some(2));
        // `_ = x` refers to line 4's x.
        assert_eq!(decl_line(src, "x\n", 1), Some(4));
    }

    #[test]
    fn range_and_package_level() {
        let src = "package p\nvar g int\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\t_ = k + g\n\t}\n}\n";
        assert_eq!(decl_line(src, "k +", 0), Some(3));
        assert_eq!(decl_line(src, "g\n", 1), None);
        assert_eq!(decl_line(src, "m {", 0), Some(2));
    }

    #[test]
    fn resolving_along_a_known_path_agrees_with_resolving_by_parents() {
        let src = "package p\n\nfunc f(ctx int, xs []int) (n int, err error) {\n\tx := 1\n\tfor i, v := range xs {\n\t\tif y := v; y > x {\n\t\t\tctx := \"s\"\n\t\t\t_ = ctx + string(rune(i))\n\t\t}\n\t}\n\tg := func(x int) int { return x + n }\n\tswitch z := g(x); z {\n\tcase ctx:\n\t\terr = nil\n\t}\n\treturn\n}\n";
        let tree = parse_str(src);
        let root = tree.root_node();
        let mut checked = 0;
        walk(root, |n| {
            if n.kind() == "identifier" {
                let mut path = vec![root];
                while *path.last().unwrap_or(&root) != n {
                    match path.last().and_then(|c| c.child_with_descendant(n)) {
                        Some(c) => path.push(c),
                        None => break,
                    }
                }
                let name = text(n, src);
                let a =
                    resolve_name(n, name, src).map(|d| (d.id(), d.kind, d.func.map(|f| f.id())));
                let b = resolve_name_on_path(&path, name, src)
                    .map(|d| (d.id(), d.kind, d.func.map(|f| f.id())));
                assert_eq!(a, b, "{name} at {}", n.start_byte());
                checked += 1;
            }
            true
        });
        assert!(checked > 20);
    }
}

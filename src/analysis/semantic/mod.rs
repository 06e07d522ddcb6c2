//! The semantic layer: what rules, fixes and refactorings ask about a file's syntax tree, answered
//! from tables built in one walk (the way ruff's rules ask its SemanticModel): the parent of every
//! node, and the binding every identifier names. Upward questions cost the depth of the node, name
//! resolution a hash lookup; nothing here walks the tree again per question.
//!
//! Built for a whole file, or for the reduced tree of the keystroke path (only one function's
//! body included), which it handles the same way.

pub mod flow;
pub mod kinds;
pub mod scopes;
pub mod syntax;
pub mod types;

use rustc_hash::FxHashMap;
use tree_sitter::{Node, Tree};

use crate::analysis::go::{self, text};
pub use scopes::{Binding, BindingId, BindingKind, Decl, DeclKind};
use scopes::{Builder, Frame, Scopes};
use syntax::{Ancestors, Parents};

pub struct Semantic<'t> {
    src: &'t str,
    root: Node<'t>,
    parents: Parents<'t>,
    scopes: Scopes<'t>,
    /// Statement -> the next named node of its statement list (tree-sitter finds a sibling
    /// through the parent, which it finds by descending from the root).
    next_stmt: FxHashMap<usize, Node<'t>>,
    /// Identifiers, field names and package qualifiers by spelling, in source order: "is `x`
    /// mentioned in this range" is a binary search.
    mentions: FxHashMap<&'t str, Vec<Node<'t>>>,
    /// Functions, calls, selectors, writes and rule-relevant statements in source order (see
    /// `kinds::LISTED`).
    listed: Vec<Node<'t>>,
}

impl<'t> Semantic<'t> {
    pub fn build(src: &'t str, tree: &'t Tree) -> Semantic<'t> {
        let root = tree.root_node();
        Self::build_over(src, root, root)
    }

    /// Build over the one top-level declaration that holds `byte` (with the file's package-level
    /// names), for requests that ask about one place: a hover or a refactoring pays for the
    /// function under the cursor, not for the file. Nodes outside that declaration have no
    /// recorded parent beyond the file.
    pub fn build_at(src: &'t str, tree: &'t Tree, byte: usize) -> Semantic<'t> {
        let root = tree.root_node();
        let decl = root
            .first_child_for_byte(byte)
            .filter(|d| d.start_byte() <= byte)
            .unwrap_or(root);
        Self::build_over(src, decl, root)
    }

    /// Walk the subtree at `top`; package-level names come from the file at `file`.
    fn build_over(src: &'t str, top: Node<'t>, file: Node<'t>) -> Semantic<'t> {
        let mut parents = Parents::new(top);
        if top != file {
            parents.record(top, file);
        }
        let root = top;
        let mut builder = Builder::new(src, file);
        let mut frames: Vec<Frame<'t>> = Vec::with_capacity(64);
        // Enter/exit walk with an explicit stack of frames (iterative: deeply nested code must
        // not overflow the stack). `base` frames sit above the walked subtree.
        let base = usize::from(root != file);
        let mut extra = Extra::default();
        if root != file {
            frames.push(Frame {
                node: file,
                field: 0,
            });
            builder.enter(root, 0, &frames);
            extra.record(root, Some(file), src);
        }
        frames.push(Frame {
            node: root,
            field: 0,
        });
        let mut cursor = root.walk();
        let enter = |cursor: &tree_sitter::TreeCursor<'t>,
                     frames: &mut Vec<Frame<'t>>,
                     parents: &mut Parents<'t>,
                     builder: &mut Builder<'t>,
                     extra: &mut Extra<'t>| {
            let n = cursor.node();
            // Only named nodes are declarations or uses; punctuation needs no field id.
            let named = n.is_named();
            let field = if named {
                cursor.field_id().map_or(0, |f| f.get())
            } else {
                0
            };
            if named {
                builder.enter(n, field, frames);
                extra.record(n, frames.last().map(|f| f.node), src);
                if let Some(p) = frames.last() {
                    parents.record(n, p.node);
                }
            }
            frames.push(Frame { node: n, field });
        };
        'walk: loop {
            if cursor.goto_first_child() {
                enter(&cursor, &mut frames, &mut parents, &mut builder, &mut extra);
                continue;
            }
            loop {
                let Some(done) = frames.pop() else {
                    break 'walk;
                };
                if done.node.is_named() {
                    builder.exit(done.node);
                }
                if frames.len() <= base {
                    break 'walk;
                }
                if cursor.goto_next_sibling() {
                    enter(&cursor, &mut frames, &mut parents, &mut builder, &mut extra);
                    break;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        Semantic {
            src,
            root: file,
            parents,
            scopes: builder.finish(),
            next_stmt: extra.next_stmt,
            mentions: extra.mentions,
            listed: extra.listed,
        }
    }

    pub fn src(&self) -> &'t str {
        self.src
    }

    pub fn root(&self) -> Node<'t> {
        self.root
    }

    // ---- parents -------------------------------------------------------------------------------

    pub fn parent(&self, n: Node<'t>) -> Option<Node<'t>> {
        self.parents.parent(n)
    }

    /// The ancestors of `n`, innermost first (`n` excluded).
    pub fn ancestors(&self, n: Node<'t>) -> Ancestors<'_, 't> {
        self.parents.ancestors(n)
    }

    /// The statement that contains `node` directly inside a `statement_list` (or the node itself).
    pub fn enclosing_statement(&self, n: Node<'t>) -> Option<Node<'t>> {
        self.parents.enclosing_statement(n)
    }

    /// The innermost function-like ancestor (declaration, method or literal).
    pub fn enclosing_func(&self, n: Node<'t>) -> Option<Node<'t>> {
        self.parents.enclosing_func(n)
    }

    /// The next named sibling of `n` (comments included, as tree-sitter counts them).
    pub fn next_named_sibling(&self, n: Node<'t>) -> Option<Node<'t>> {
        if self.parent(n).is_some_and(|p| p.kind() == "statement_list") {
            return self.next_stmt.get(&n.id()).copied();
        }
        n.next_named_sibling()
    }

    /// The identifiers and field names spelled `name` that lie within `[start, end)`.
    pub fn mentions(&self, name: &str, start: usize, end: usize) -> &[Node<'t>] {
        let Some(all) = self.mentions.get(name) else {
            return &[];
        };
        let lo = all.partition_point(|n| n.start_byte() < start);
        let hi = all.partition_point(|n| n.start_byte() < end);
        &all[lo..hi.max(lo)]
    }

    /// Whether an identifier (not a field name) spelled `name` lies within `[start, end)`.
    pub fn mentions_identifier(&self, name: &str, start: usize, end: usize) -> bool {
        self.mentions(name, start, end)
            .iter()
            .any(|n| n.kind() == "identifier")
    }

    /// Functions, calls, selectors, assignments and the statements rules look at, in source
    /// order (pre-order of the walk), for passes that would otherwise walk the tree again.
    pub fn listed(&self) -> &[Node<'t>] {
        &self.listed
    }

    /// The path from the root down to `n` (both included), outermost first.
    pub fn path_to(&self, n: Node<'t>) -> Vec<Node<'t>> {
        let mut path: Vec<Node<'t>> = self.ancestors(n).collect();
        path.reverse();
        path.push(n);
        path
    }

    // ---- bindings ------------------------------------------------------------------------------

    /// The binding an identifier names (a use, or the declaring name itself), package-level
    /// names and imports of this file included.
    pub fn binding_of(&self, ident: Node<'t>) -> Option<BindingId> {
        self.scopes.refs.get(&ident.id()).copied()
    }

    pub fn binding(&self, id: BindingId) -> &Binding<'t> {
        &self.scopes.bindings[id as usize]
    }

    /// The uses of a binding in source order (its declaring name excluded; a `:=` that reassigns it
    /// is a use).
    pub fn uses(&self, id: BindingId) -> &[Node<'t>] {
        self.scopes
            .uses
            .get(id as usize)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The local declaration an identifier resolves to; `None` for package-level names, imports,
    /// builtins and names declared in other files.
    pub fn resolve(&self, ident: Node<'t>) -> Option<Decl<'t>> {
        self.binding(self.binding_of(ident)?).as_decl()
    }

    /// The constant an identifier names, local or declared at the top of this file.
    pub fn constant(&self, ident: Node<'t>) -> Option<Decl<'t>> {
        let b = self.binding(self.binding_of(ident)?);
        match b.kind {
            BindingKind::Local(DeclKind::Const) => b.as_decl(),
            BindingKind::PackageConst => Some(Decl {
                kind: DeclKind::Const,
                name: b.decl,
                ty: b.ty,
                value: b.value,
                func: None,
                stmt: b.stmt,
            }),
            _ => None,
        }
    }

    /// The expression last assigned to the variable `ident` names before `ident` (its
    /// declaration's value, or a later `=`/`:=` that assigns it again): `err` after
    /// `v, err := restate.Run(...)` is that call's second result even when `err` was declared
    /// earlier. By position, not by paths through the code: in straight-line code they agree.
    pub fn reaching_value(&self, ident: Node<'t>) -> Option<Node<'t>> {
        let b = self.binding_of(ident)?;
        let binding = self.binding(b);
        let pos = ident.start_byte();
        let mut best = if binding.decl.start_byte() < pos {
            (binding.decl.start_byte(), binding.value)
        } else {
            (0, None)
        };
        for &u in self.uses(b) {
            if u.start_byte() >= pos || u.start_byte() < best.0 {
                continue;
            }
            if let Some(v) = self.assigned_value(u) {
                best = (u.start_byte(), Some(v));
            }
        }
        best.1
    }

    /// For the target of an assignment or short declaration, the value it receives (the single
    /// right-hand call of `a, b := f()`).
    pub fn assigned_value(&self, target: Node<'t>) -> Option<Node<'t>> {
        let list = self
            .parent(target)
            .filter(|l| l.kind() == "expression_list")?;
        let stmt = self.parent(list)?;
        if !matches!(
            stmt.kind(),
            "assignment_statement" | "short_var_declaration"
        ) || go::field(stmt, "left") != Some(list)
            || go::field(stmt, "operator").is_some_and(|o| text(o, self.src) != "=")
        {
            return None;
        }
        let lefts = go::named_children(list);
        let rights = go::named_children(go::field(stmt, "right")?);
        if lefts.len() == rights.len() {
            let i = lefts.iter().position(|l| *l == target)?;
            rights.get(i).copied()
        } else {
            rights.first().copied()
        }
    }

    /// Whether some function of this file declares a local named `name`.
    pub fn has_local_named(&self, name: &str) -> bool {
        self.scopes
            .bindings
            .iter()
            .any(|b| b.kind.is_local() && b.name == name)
    }

    /// Whether the identifier is the declaring name of a binding (`x` in `x := 1`, a parameter).
    pub fn is_declaration(&self, ident: Node<'t>) -> bool {
        self.binding_of(ident)
            .is_some_and(|b| self.binding(b).decl == ident)
    }

    /// The binding `name` denotes as seen from `at` (which need not be an identifier), package
    /// level included.
    pub fn binding_at(&self, at: Node<'t>, name: &str) -> Option<BindingId> {
        if at.kind() == "identifier" && text(at, self.src) == name {
            return self.binding_of(at);
        }
        let pos = at.start_byte();
        let mut scope = std::iter::once(at)
            .chain(self.ancestors(at))
            .find_map(|n| self.scopes.scope_of.get(&n.id()).copied());
        while let Some(s) = scope {
            let sc = &self.scopes.scopes[s as usize];
            let hit = sc.bindings.iter().rev().copied().find(|b| {
                let b = self.binding(*b);
                b.name == name && b.active_from <= pos
            });
            if hit.is_some() {
                return hit;
            }
            scope = sc.parent;
        }
        None
    }

    /// `resolve` for `name` as seen from `at`: local declarations only.
    pub fn resolve_name(&self, at: Node<'t>, name: &str) -> Option<Decl<'t>> {
        self.binding(self.binding_at(at, name)?).as_decl()
    }

    /// Whether the identifier is written: an assignment target (also through `x[k]`, `x.f`),
    /// `++`/`--`, `delete(x, ..)`, or its address taken (`&x`).
    pub fn is_write(&self, id: Node<'t>) -> bool {
        let mut cur = id;
        let mut up = self.ancestors(id);
        let mut parent = up.next();
        // Climb through `x[k]`, `x.f` as long as `x` is the operand.
        while let Some(p) = parent {
            match p.kind() {
                "index_expression" | "selector_expression"
                    if go::field(p, "operand") == Some(cur) => {}
                "parenthesized_expression" => {}
                _ => break,
            }
            cur = p;
            parent = up.next();
        }
        let Some(p) = parent else { return false };
        match p.kind() {
            "expression_list" => self.parent(p).is_some_and(|stmt| {
                matches!(
                    stmt.kind(),
                    "assignment_statement" | "short_var_declaration"
                ) && go::field(stmt, "left") == Some(p)
            }),
            "inc_statement" | "dec_statement" => true,
            "unary_expression" => {
                go::field(p, "operator").is_some_and(|o| text(o, self.src) == "&")
            }
            "argument_list" => self.parent(p).is_some_and(|call| {
                p.named_child(0) == Some(cur)
                    && go::field(call, "function").is_some_and(|f| text(f, self.src) == "delete")
            }),
            _ => false,
        }
    }

    /// The import path of the package this file imports under `name`.
    pub fn import_path_of_name(&self, name: &str) -> Option<&'t str> {
        let b = self.scopes.scopes.first()?.bindings.iter().find(|b| {
            let b = self.binding(**b);
            b.kind == BindingKind::Import && b.name == name
        })?;
        go::field(self.binding(*b).decl, "path").map(|p| go::string_content(p, self.src))
    }

    /// The imports this file names (not `_` or `.`): (name, `import_spec` node).
    pub fn named_imports(&self) -> impl Iterator<Item = (&'t str, Node<'t>)> + '_ {
        self.scopes
            .scopes
            .first()
            .into_iter()
            .flat_map(|s| s.bindings.iter())
            .map(|b| self.binding(*b))
            .filter(|b| b.kind == BindingKind::Import && !b.name.is_empty())
            .map(|b| (b.name, b.decl))
    }

    /// Import paths imported with `import . "path"`.
    pub fn dot_imports(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.scopes.dot_imports.iter().copied()
    }

    /// The type expression of a type declared at the top of this file (`struct {...}` for
    /// `type Svc struct {...}`).
    pub fn type_decl(&self, name: &str) -> Option<Node<'t>> {
        self.scopes.type_decls.get(name).copied()
    }

    /// The import path an identifier names when it is an import's name (not shadowed).
    pub fn import_path(&self, ident: Node<'t>) -> Option<&'t str> {
        if ident.kind() == "package_identifier" {
            // The qualifier of a type (`pkg.T`): not an expression, so never shadowed.
            return self.import_path_of_name(text(ident, self.src));
        }
        let b = self.binding(self.binding_of(ident)?);
        if b.kind != BindingKind::Import {
            return None;
        }
        go::field(b.decl, "path").map(|p| go::string_content(p, self.src))
    }
}

/// Tables the walk fills besides parents and bindings.
#[derive(Default)]
struct Extra<'t> {
    listed: Vec<Node<'t>>,
    next_stmt: FxHashMap<usize, Node<'t>>,
    /// The last named child seen of each statement list (by the list's id).
    last_in_list: FxHashMap<usize, Node<'t>>,
    mentions: FxHashMap<&'t str, Vec<Node<'t>>>,
}

impl<'t> Extra<'t> {
    fn record(&mut self, n: Node<'t>, parent: Option<Node<'t>>, src: &'t str) {
        if kinds::is_listed(n) {
            self.listed.push(n);
        }
        if let Some(p) = parent
            && kinds::class(p) == kinds::Class::StatementList
            && let Some(prev) = self.last_in_list.insert(p.id(), n)
        {
            self.next_stmt.insert(prev.id(), n);
        }
        if matches!(
            kinds::class(n),
            kinds::Class::Identifier
                | kinds::Class::FieldIdentifier
                | kinds::Class::PackageIdentifier
        ) {
            self.mentions.entry(text(n, src)).or_default().push(n);
        }
    }
}

#[cfg(test)]
mod tests;

//! Bindings and scopes by Go's block scoping, resolved in the one walk that records parents: every
//! identifier use is mapped to the binding it names when the walk reaches it, so asking later is a
//! hash lookup instead of a search up the statement lists (which cost the number of preceding
//! statements per question).
//!
//! Go's rules as they matter here: a name declared by `:=`, `var` or `const` inside a function is in
//! scope from the end of its declaring statement (`x := x + 1` reads the outer `x`); range and
//! receive variables from the end of their clause; parameters, receivers and named results in the
//! whole function; a type switch's alias in every case. A `:=` that names a variable already declared
//! in the same scope assigns it (`a, err := f(); b, err := g()` has one `err`). Package-level
//! functions, variables, constants and imports of this file form the outermost scope; names from
//! other files of the package resolve to nothing.

use rustc_hash::FxHashMap;
use tree_sitter::Node;

use crate::analysis::go::{self, field, named_children, text};
use crate::analysis::semantic::kinds::{self, Class};

pub type BindingId = u32;
pub type ScopeId = u32;

/// Declaration kinds of function-local names (the kinds `resolve` reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    Param,
    Receiver,
    Result,
    /// `x := ...`, `var x = ...`, `for x := range`, ...
    Local,
    Const,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Local(DeclKind),
    PackageVar,
    PackageConst,
    PackageFunc,
    /// An import's name (`http`, or its alias).
    Import,
}

impl BindingKind {
    pub fn is_local(self) -> bool {
        matches!(self, BindingKind::Local(_))
    }
}

#[derive(Clone, Debug)]
pub struct Binding<'t> {
    pub name: &'t str,
    pub kind: BindingKind,
    /// The declaring identifier (the `import_spec` for imports).
    pub decl: Node<'t>,
    /// Declared type, when written.
    pub ty: Option<Node<'t>>,
    /// The initialising expression, when it can be paired with the name.
    pub value: Option<Node<'t>>,
    /// `a, err := f()`: which result of the single right-hand call this name receives.
    pub result_index: Option<u32>,
    /// The statement or clause that declares it.
    pub stmt: Node<'t>,
    /// The function-like node whose scope holds the declaration (None at package level).
    pub func: Option<Node<'t>>,
    pub scope: ScopeId,
    /// Byte from which uses see the binding.
    pub active_from: usize,
}

/// A declaration found for an identifier: the view of a local binding that rules use.
#[derive(Clone, Copy, Debug)]
pub struct Decl<'t> {
    pub kind: DeclKind,
    /// The declaring identifier node.
    pub name: Node<'t>,
    pub ty: Option<Node<'t>>,
    pub value: Option<Node<'t>>,
    pub func: Option<Node<'t>>,
    pub stmt: Node<'t>,
}

impl Decl<'_> {
    pub fn id(&self) -> usize {
        self.name.start_byte()
    }
}

impl<'t> Binding<'t> {
    pub fn as_decl(&self) -> Option<Decl<'t>> {
        match self.kind {
            BindingKind::Local(kind) => Some(Decl {
                kind,
                name: self.decl,
                ty: self.ty,
                value: self.value,
                func: self.func,
                stmt: self.stmt,
            }),
            _ => None,
        }
    }
}

pub struct Scope<'t> {
    pub node: Node<'t>,
    pub parent: Option<ScopeId>,
    pub func: Option<Node<'t>>,
    pub bindings: Vec<BindingId>,
}

#[derive(Default)]
pub struct Scopes<'t> {
    pub bindings: Vec<Binding<'t>>,
    pub scopes: Vec<Scope<'t>>,
    /// Identifier node id -> binding (uses, and declaring names of their own binding).
    pub refs: FxHashMap<usize, BindingId>,
    /// Scope-introducing node id -> scope.
    pub scope_of: FxHashMap<usize, ScopeId>,
    /// References of each binding in source order (declaring names excluded).
    pub uses: Vec<Vec<Node<'t>>>,
    /// Types declared at the top of the file: name -> the type expression.
    pub type_decls: FxHashMap<&'t str, Node<'t>>,
    /// Paths imported with `import . "path"`.
    pub dot_imports: Vec<&'t str>,
}

/// Whether a node opens a scope.
pub fn opens_scope(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "method_declaration"
            | "func_literal"
            | "block"
            | "if_statement"
            | "for_statement"
            | "expression_switch_statement"
            | "type_switch_statement"
            | "expression_case"
            | "type_case"
            | "default_case"
            | "communication_case"
    )
}

/// The builder, driven by the walk in `semantic::build` with enter/exit events.
pub struct Builder<'t> {
    src: &'t str,
    pub out: Scopes<'t>,
    /// Name -> visible bindings, innermost last.
    visible: FxHashMap<&'t str, Vec<BindingId>>,
    scope_stack: Vec<ScopeId>,
    /// Bindings waiting for the end of the node that declares them: (declaring node id, binding).
    pending: Vec<(usize, BindingId)>,
}

impl<'t> Builder<'t> {
    pub fn new(src: &'t str, root: Node<'t>) -> Builder<'t> {
        let mut b = Builder {
            src,
            out: Scopes::default(),
            visible: FxHashMap::default(),
            scope_stack: vec![],
            pending: vec![],
        };
        b.push_scope(root, None);
        b.package_scope(root);
        b
    }

    fn current_scope(&self) -> ScopeId {
        self.scope_stack.last().copied().unwrap_or(0)
    }

    fn push_scope(&mut self, node: Node<'t>, func: Option<Node<'t>>) {
        let id = self.out.scopes.len() as ScopeId;
        let parent = self.scope_stack.last().copied();
        self.out.scopes.push(Scope {
            node,
            parent,
            func,
            bindings: vec![],
        });
        self.out.scope_of.insert(node.id(), id);
        self.scope_stack.push(id);
    }

    fn pop_scope(&mut self) {
        let Some(id) = self.scope_stack.pop() else {
            return;
        };
        for &b in &self.out.scopes[id as usize].bindings {
            let name = self.out.bindings[b as usize].name;
            if let Some(v) = self.visible.get_mut(name) {
                v.pop();
            }
        }
    }

    fn add(&mut self, b: Binding<'t>) -> BindingId {
        let id = self.out.bindings.len() as BindingId;
        self.out.refs.insert(b.decl.id(), id);
        self.out.bindings.push(b);
        self.out.uses.push(vec![]);
        id
    }

    fn activate(&mut self, id: BindingId) {
        let scope = self.current_scope();
        let b = &mut self.out.bindings[id as usize];
        b.scope = scope;
        let name = b.name;
        self.out.scopes[scope as usize].bindings.push(id);
        self.visible.entry(name).or_default().push(id);
    }

    /// Functions, variables, constants and imports declared at the top of this file.
    fn package_scope(&mut self, root: Node<'t>) {
        let src = self.src;
        for decl in named_children(root) {
            match decl.kind() {
                "function_declaration" => {
                    if let Some(n) = field(decl, "name") {
                        let id = self.add(package_binding(
                            text(n, src),
                            BindingKind::PackageFunc,
                            n,
                            decl,
                        ));
                        self.activate(id);
                    }
                }
                "var_declaration" | "const_declaration" => {
                    let kind = if decl.kind() == "var_declaration" {
                        BindingKind::PackageVar
                    } else {
                        BindingKind::PackageConst
                    };
                    for spec in specs(decl) {
                        let values = field(spec, "value").map(named_children).unwrap_or_default();
                        let mut cursor = spec.walk();
                        let names: Vec<Node<'t>> =
                            spec.children_by_field_name("name", &mut cursor).collect();
                        for (i, n) in names.iter().enumerate() {
                            let name = text(*n, src);
                            if name == "_" {
                                continue;
                            }
                            let mut b = package_binding(name, kind, *n, decl);
                            b.ty = field(spec, "type");
                            b.value = values.get(i).copied();
                            let id = self.add(b);
                            self.activate(id);
                        }
                    }
                }
                "type_declaration" => {
                    for spec in named_children(decl) {
                        if matches!(spec.kind(), "type_spec" | "type_alias")
                            && let (Some(n), Some(ty)) = (field(spec, "name"), field(spec, "type"))
                        {
                            self.out.type_decls.insert(text(n, src), ty);
                        }
                    }
                }
                "import_declaration" => {
                    let mut list = vec![];
                    go::walk(decl, |n| {
                        if n.kind() == "import_spec" {
                            list.push(n);
                            return false;
                        }
                        true
                    });
                    for spec in list {
                        let name = match field(spec, "name") {
                            Some(a) => text(a, src).to_string(),
                            None => {
                                match field(spec, "path").and_then(|p| go::string_value(p, src)) {
                                    Some(path) => go::default_package_name(&path),
                                    None => continue,
                                }
                            }
                        };
                        if name == "." {
                            if let Some(p) = field(spec, "path") {
                                self.out.dot_imports.push(go::string_content(p, src));
                            }
                            continue;
                        }
                        if name == "_" || name.is_empty() {
                            continue;
                        }
                        let name: &'t str = match field(spec, "name") {
                            Some(a) => text(a, src),
                            None => leak_free_name(src, spec, &name),
                        };
                        let id = self.add(package_binding(name, BindingKind::Import, spec, spec));
                        self.activate(id);
                    }
                }
                _ => {}
            }
        }
    }

    /// Called when the walk enters `n`; `frames` are its ancestors (outermost first) with the
    /// field name each has in its parent, and `field_name` is `n`'s.
    pub fn enter(&mut self, n: Node<'t>, field_name: u16, frames: &[Frame<'t>]) {
        let class = kinds::class(n);
        if class == Class::Identifier {
            self.identifier(n, field_name, frames);
            return;
        }
        if class == Class::Case
            && let Some(p) = frames.last()
            && kinds::class(p.node) == Class::TypeSwitch
        {
            // The alias of `switch v := x.(type)` is visible in every case.
            self.flush_pending(p.node.id());
        }
        // A function's body block is the scope of its parameters and results too: `err := f()`
        // at the top of a body whose result is named `err` assigns the result.
        let body_of_func = frames
            .last()
            .is_some_and(|p| kinds::class(p.node).is_func());
        if kinds::opens_scope(n) && !body_of_func {
            let func = if class.is_func() {
                Some(n)
            } else {
                self.scope_stack
                    .last()
                    .and_then(|s| self.out.scopes[*s as usize].func)
            };
            self.push_scope(n, func);
        }
    }

    /// Called when the walk leaves `n`.
    pub fn exit(&mut self, n: Node<'t>) {
        let opened = self
            .scope_stack
            .last()
            .is_some_and(|s| self.out.scopes[*s as usize].node == n);
        if opened {
            self.pop_scope();
            // A type switch without cases leaves its alias pending: it is in scope nowhere.
            let id = n.id();
            self.pending.retain(|(o, _)| *o != id);
            return;
        }
        self.flush_pending(n.id());
    }

    /// Activate the bindings `owner` declared. Owners nest like the walk, so their pending
    /// bindings sit on top of the stack when they end.
    fn flush_pending(&mut self, owner: usize) {
        while let Some(&(o, b)) = self.pending.last() {
            if o != owner {
                break;
            }
            self.pending.pop();
            self.activate(b);
        }
    }

    fn func_of_scope(&self) -> Option<Node<'t>> {
        self.scope_stack
            .last()
            .and_then(|s| self.out.scopes[*s as usize].func)
    }

    fn local(
        &self,
        n: Node<'t>,
        kind: DeclKind,
        stmt: Node<'t>,
        active_from: usize,
    ) -> Binding<'t> {
        Binding {
            name: text(n, self.src),
            kind: BindingKind::Local(kind),
            decl: n,
            ty: None,
            value: None,
            result_index: None,
            stmt,
            func: self.func_of_scope(),
            scope: self.current_scope(),
            active_from,
        }
    }

    fn identifier(&mut self, n: Node<'t>, field_name: u16, frames: &[Frame<'t>]) {
        let f = fields();
        let name = text(n, self.src);
        if name == "_" || name.is_empty() {
            return;
        }
        let len = frames.len();
        let parent = frames.last();
        let grand = len.checked_sub(2).map(|i| &frames[i]);
        let Some(parent) = parent else { return };
        match kinds::class(parent.node) {
            Class::Param if field_name == f.name => {
                // Names in a function type (`func(x int) error`) declare nothing.
                let Some(list) = grand else { return };
                let Some(func) = len.checked_sub(3).map(|i| frames[i].node) else {
                    return;
                };
                if !kinds::class(func).is_func() {
                    return;
                }
                let kind = if list.field == f.receiver {
                    DeclKind::Receiver
                } else if list.field == f.result {
                    DeclKind::Result
                } else {
                    DeclKind::Param
                };
                let mut b = self.local(n, kind, parent.node, func.start_byte());
                b.ty = field(parent.node, "type");
                b.func = Some(func);
                let id = self.add(b);
                self.activate(id);
                return;
            }
            Class::VarSpec | Class::ConstSpec if field_name == f.name => {
                if self.func_of_scope().is_none() {
                    return; // package level: bound in `package_scope`
                }
                let kind = if kinds::class(parent.node) == Class::ConstSpec {
                    DeclKind::Const
                } else {
                    DeclKind::Local
                };
                let stmt = frames[..len - 1]
                    .iter()
                    .rev()
                    .find(|f| matches!(f.node.kind(), "var_declaration" | "const_declaration"))
                    .map(|f| f.node)
                    .unwrap_or(parent.node);
                let mut cursor = parent.node.walk();
                let i = parent
                    .node
                    .children_by_field_name("name", &mut cursor)
                    .position(|x| x == n)
                    .unwrap_or(0);
                let values = field(parent.node, "value")
                    .map(named_children)
                    .unwrap_or_default();
                let mut b = self.local(n, kind, stmt, parent.node.end_byte());
                b.ty = field(parent.node, "type");
                b.value = values.get(i).copied();
                if values.len() == 1 && i > 0 {
                    b.value = values.first().copied();
                    b.result_index = Some(i as u32);
                } else if values.len() == 1 && names_count(parent.node) > 1 {
                    b.result_index = Some(0);
                }
                let id = self.add(b);
                self.pending.push((parent.node.id(), id));
                return;
            }
            Class::ExpressionList => {
                if let Some(g) = grand
                    && self.declaring_list(n, name, parent, g).is_some()
                {
                    return;
                }
            }
            Class::LiteralElement if parent.field == f.key => {
                // `T{Name: v}`: a field name, unless the literal is a map's.
                let lit_type = frames[..len - 1]
                    .iter()
                    .rev()
                    .find(|f| f.node.kind() == "composite_literal")
                    .and_then(|f| field(f.node, "type"));
                if lit_type.is_none_or(|t| t.kind() != "map_type") {
                    return;
                }
            }
            Class::FunctionDecl if field_name == f.name => return,
            _ => {}
        }
        self.use_of(n, name);
    }

    /// Declaring names in `x, y := ...`, `for k, v := range`, `case v := <-ch`, `switch v := ...`.
    fn declaring_list(
        &mut self,
        n: Node<'t>,
        name: &'t str,
        list: &Frame<'t>,
        stmt: &Frame<'t>,
    ) -> Option<BindingId> {
        let f = fields();
        let skind = kinds::class(stmt.node);
        let defines = match skind {
            Class::ShortVarDecl => list.field == f.left,
            Class::RangeClause | Class::ReceiveStatement => {
                list.field == f.left && has_define_token(stmt.node)
            }
            Class::TypeSwitch => list.field == f.alias,
            _ => false,
        };
        if !defines {
            return None;
        }
        if skind == Class::ShortVarDecl {
            // Redeclaration in the same scope assigns the existing variable.
            let scope = self.current_scope();
            if let Some(&existing) = self.visible.get(name).and_then(|v| v.last())
                && self.out.bindings[existing as usize].scope == scope
                && self.out.bindings[existing as usize].kind.is_local()
            {
                self.out.refs.insert(n.id(), existing);
                self.out.uses[existing as usize].push(n);
                return Some(existing);
            }
        }
        let mut b = self.local(n, DeclKind::Local, stmt.node, stmt.node.end_byte());
        match skind {
            Class::ShortVarDecl => {
                let lefts = named_children(list.node);
                let rights = field(stmt.node, "right")
                    .map(named_children)
                    .unwrap_or_default();
                let i = lefts.iter().position(|x| *x == n).unwrap_or(0);
                if lefts.len() == rights.len() {
                    b.value = rights.get(i).copied();
                } else {
                    b.value = rights.first().copied();
                    b.result_index = Some(i as u32);
                }
            }
            Class::RangeClause => b.value = field(stmt.node, "right"),
            Class::TypeSwitch => b.value = field(stmt.node, "value"),
            _ => {}
        }
        let id = self.add(b);
        self.pending.push((stmt.node.id(), id));
        Some(id)
    }

    fn use_of(&mut self, n: Node<'t>, name: &'t str) {
        if let Some(&b) = self.visible.get(name).and_then(|v| v.last()) {
            self.out.refs.insert(n.id(), b);
            self.out.uses[b as usize].push(n);
        }
    }

    pub fn finish(mut self) -> Scopes<'t> {
        while !self.scope_stack.is_empty() {
            self.pop_scope();
        }
        self.out
    }
}

/// Field ids compared in the walk.
struct FieldIds {
    name: u16,
    key: u16,
    left: u16,
    alias: u16,
    receiver: u16,
    result: u16,
}

fn fields() -> &'static FieldIds {
    static IDS: std::sync::OnceLock<FieldIds> = std::sync::OnceLock::new();
    IDS.get_or_init(|| FieldIds {
        name: go::field_id("name"),
        key: go::field_id("key"),
        left: go::field_id("left"),
        alias: go::field_id("alias"),
        receiver: go::field_id("receiver"),
        result: go::field_id("result"),
    })
}

/// One level of the walk: a node and the field name it has in its parent.
#[derive(Clone, Copy)]
pub struct Frame<'t> {
    pub node: Node<'t>,
    /// The grammar's field id (0 when the node is not a field).
    pub field: u16,
}

fn package_binding<'t>(
    name: &'t str,
    kind: BindingKind,
    decl: Node<'t>,
    stmt: Node<'t>,
) -> Binding<'t> {
    Binding {
        name,
        kind,
        decl,
        ty: None,
        value: None,
        result_index: None,
        stmt,
        func: None,
        scope: 0,
        active_from: 0,
    }
}

fn specs(decl: Node<'_>) -> Vec<Node<'_>> {
    let mut out = vec![];
    for c in named_children(decl) {
        match c.kind() {
            "var_spec" | "const_spec" => out.push(c),
            "var_spec_list" | "const_spec_list" => out.extend(
                named_children(c)
                    .into_iter()
                    .filter(|s| matches!(s.kind(), "var_spec" | "const_spec")),
            ),
            _ => {}
        }
    }
    out
}

fn names_count(spec: Node<'_>) -> usize {
    let mut cursor = spec.walk();
    spec.children_by_field_name("name", &mut cursor).count()
}

fn has_define_token(n: Node<'_>) -> bool {
    let mut cursor = n.walk();
    n.children(&mut cursor).any(|t| t.kind() == ":=")
}

/// An import without an alias is named after its path (`net/http` -> `http`). Binding names are
/// slices of the source, and the default name nearly always appears in the path's text; where it
/// does not (`my-pkg` is named `my_pkg`) the import gets an empty name, which no use matches, so
/// such a package's selectors stay unresolved, as they were before bindings existed.
fn leak_free_name<'t>(src: &'t str, spec: Node<'t>, name: &str) -> &'t str {
    if let Some(path) = field(spec, "path") {
        let t = text(path, src);
        if let Some(i) = t.rfind(name) {
            let start = path.start_byte() + i;
            if let Some(s) = src.get(start..start + name.len()) {
                return s;
            }
        }
    }
    ""
}

/// If the declaration statement `stmt` (`:=`, `var`, `const`) declares `name`, the declaration:
/// for asking about a statement that is not in scope anywhere (a selection being moved).
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

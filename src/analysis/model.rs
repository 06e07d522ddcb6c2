//! What one Go file declares and uses, as far as Restate is concerned: how it imports the SDK, its
//! functions and their Restate contexts (handler regions), its service definitions in both
//! registration styles, its Run closures, and its calls to other services by name.
//!
//! The model holds no tree nodes: it is the summary the workspace index keeps for closed files, so
//! everything in it is owned data with spans that carry their line/column positions.

use std::collections::HashSet;

use tree_sitter::{Node, Tree};

use crate::analysis::effects::{self, Effect};
use crate::analysis::go::{
    self, CallParts, Callee, call_parts, field, is_string_literal, named_children, string_value,
    text,
};
use crate::analysis::restate_api::{
    CallApi, CtxKind, HandlerKind, INGRESS_PATH, SDK_PATH, SERVER_PATH, ServiceKind,
};
use crate::analysis::semantic::{DeclKind, Semantic};
use crate::analysis::span::{Locator, Span};

/// How a file refers to an imported package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PkgRef {
    /// `alias.Name` (the alias may be the package's default name).
    Named(String),
    /// `import . "path"`: bare `Name`.
    Dot,
}

#[derive(Clone, Debug)]
pub struct Import {
    pub path: String,
    /// The explicit alias (`sdk`, `.`, `_`), if any.
    pub alias: Option<String>,
    pub span: Span,
    /// The identifier the file uses (alias or default package name; `.` or `_` as written).
    pub local: String,
}

impl Import {
    /// The identifier the file uses for this package (default: last path element, with the
    /// conventions of the SDK's own packages).
    pub fn local_name(&self) -> Option<PkgRef> {
        match self.alias.as_deref() {
            Some(".") => Some(PkgRef::Dot),
            Some("_") => None,
            Some(a) => Some(PkgRef::Named(a.to_string())),
            None => Some(PkgRef::Named(default_package_name(&self.path))),
        }
    }
}

pub use crate::analysis::go::default_package_name;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtxParam {
    /// Parameter name (`ctx`, `_`, or empty when unnamed).
    pub name: String,
    pub kind: CtxKind,
    /// Byte offset of the declaring identifier (the declaration's identity for scope checks).
    pub decl: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncKind {
    Function,
    Method,
    Literal,
}

/// Which code a function's body is, for the determinism and concurrency rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// Handler code; `root` is the function whose Restate context parameter makes it so.
    Handler { root: u32 },
    /// Inside a Run closure (or a function taking a `RunContext`): journaled as one step.
    Run,
    /// Neither: main, tests, ingress clients, helpers.
    Plain,
}

#[derive(Clone, Debug)]
pub struct Receiver {
    pub name: String,
    pub type_name: String,
    pub pointer: bool,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: String,
}

/// A call from a function to something that may be a function of the workspace, for the call graph
/// of transitive effects.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
/// (Boxed strings: a workspace keeps hundreds of thousands of these, and `Box<str>` is a third
/// smaller than `String`.)
pub enum CallTarget {
    /// `helper(...)`: same package.
    Func(Box<str>),
    /// `pkg.Helper(...)` through an import.
    PkgFunc { path: Box<str>, name: Box<str> },
    /// `recv.helper(...)` on a value of a named type of this package.
    Method { type_name: Box<str>, name: Box<str> },
}

#[derive(Clone, Debug)]
pub struct CallRef {
    pub target: CallTarget,
    pub span: Span,
}

/// A method call on a struct field whose type lives in another file of the package
/// (`s.client.Do(req)` with `Svc` declared elsewhere): resolved against the package later.
#[derive(Clone, Debug)]
pub struct PendingEffect {
    pub type_name: String,
    pub field: String,
    pub method: String,
    pub span: Span,
}

/// A non-deterministic or side-effecting call made directly by a function (outside Run closures).
#[derive(Clone, Debug)]
pub struct EffectSite {
    pub effect: Effect,
    /// What was called, for messages: `time.Now`, `http.Get`, `(*sql.DB).Query`.
    pub what: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub kind: FuncKind,
    /// Empty for literals.
    pub name: String,
    /// Boxed, like `ctx`: most functions have neither, and a workspace keeps every summary.
    pub receiver: Option<Box<Receiver>>,
    /// Name for declarations, `func` keyword for literals.
    pub span: Span,
    /// The whole node.
    pub range: (u32, u32),
    pub ctx: Option<Box<CtxParam>>,
    /// Boxed slices (fixed once extracted; two words each instead of three).
    pub params: Box<[Param]>,
    pub results: Box<[String]>,
    pub parent: Option<u32>,
    /// A func literal passed directly to `Run`/`RunAsync`/`RunVoid`.
    pub run_closure: bool,
    pub region: Region,
    /// Direct and pending effects; boxed and absent for most functions, since a workspace keeps
    /// every summary (see `effects()` and `pending_effects()`).
    effect_sites: Option<Box<EffectSites>>,
    /// Calls that may reach other workspace functions, outside Run closures.
    pub calls: Vec<CallRef>,
    /// What callers need to know about this function's body (see `Summary`).
    pub summary: Summary,
    /// A func literal passed as an argument to a call that is not the SDK's: the callee and the
    /// argument's position (a Run wrapper's closure is a Run closure).
    pub passed_to: Option<Box<(CallTarget, u8)>>,
}

/// Facts about a function's own body that its callers' rules use (kept for closed files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    flags: u8,
    /// 1 + the index of a function parameter the body hands to `restate.Run`/`RunAsync`/
    /// `RunVoid` (a Run wrapper such as `RunAWS(ctx, fn)`); 0 when none.
    run_wrapper: u8,
}

impl Summary {
    /// Performs Restate operations (state, steps, calls, timers, awakeables, ...).
    pub const JOURNALS: u8 = 1;
    /// Sleeps (durably or not).
    pub const SLEEPS: u8 = 2;
    /// Returns the error of a Restate operation (`return restate.Run(...)`, `return v, err` after
    /// `v, err := ...Request(x)`).
    pub const RETURNS_RESTATE_ERROR: u8 = 4;
    /// Calls `errors.Is`/`errors.As` on one of its parameters (an error-test helper).
    pub const TESTS_ERROR_PARAM: u8 = 8;
    /// Starts with `if rc, ok := ctx.(restate.Context); ok { ...; return ... }` on a context
    /// parameter: given a handler's context it takes the Restate branch (a journaled call) and
    /// the rest of its body (an ingress HTTP fallback, say) does not run.
    pub const DISPATCHES_ON_RESTATE_CTX: u8 = 16;

    pub fn has(self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub fn set(&mut self, flag: u8) {
        self.flags |= flag;
    }

    /// The parameter a Run wrapper hands to `restate.Run`.
    pub fn run_wrapper(self) -> Option<usize> {
        self.run_wrapper.checked_sub(1).map(usize::from)
    }

    pub fn set_run_wrapper(&mut self, param: usize) {
        self.run_wrapper = u8::try_from(param + 1).unwrap_or(0);
    }
}

/// A call that receives a context (the handler's, a `context.Context` parameter, or one derived
/// from them), outside Run: by Go's convention such a call does I/O or blocks. The callee is
/// resolved against the workspace and its dependencies when rules run: a workspace function is
/// judged by its body, anything else is a side effect.
#[derive(Clone, Debug)]
pub struct CtxCall {
    pub callee: CtxCallee,
    /// The call as written, for messages (`s.pool.QueryRow`).
    pub what: Box<str>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtxCallee {
    /// `helper(ctx)`: a function of the same package.
    Func(Box<str>),
    /// `pkg.F(ctx)`.
    PkgFunc { path: Box<str>, name: Box<str> },
    /// `x.f.g.M(ctx)`: the type of `x` (normalised with import paths; a bare name is a type of
    /// this package), the fields followed, and the method.
    Method {
        root: Box<str>,
        fields: Box<[Box<str>]>,
        name: Box<str>,
    },
    /// `v.f.M(ctx)` where `v` is a package-level variable declared in another file of the package.
    VarMethod {
        var: Box<str>,
        fields: Box<[Box<str>]>,
        name: Box<str>,
    },
    /// `v.M(ctx)` where the type of `v` does not show in syntax (a call's result held in a
    /// variable): only the method's name is known.
    UnknownMethod(Box<str>),
    /// A func value, or a callee that is not a name.
    Unknown,
}

#[derive(Clone, Debug, Default)]
struct EffectSites {
    direct: Vec<EffectSite>,
    pending: Vec<PendingEffect>,
    ctx_calls: Vec<CtxCall>,
}

impl Function {
    /// Direct effects in this function's own code, outside Run closures.
    pub fn effects(&self) -> &[EffectSite] {
        self.effect_sites.as_ref().map_or(&[], |e| &e.direct)
    }

    /// Method calls on fields of types declared in other files, resolved against the package.
    pub fn pending_effects(&self) -> &[PendingEffect] {
        self.effect_sites.as_ref().map_or(&[], |e| &e.pending)
    }

    /// Calls that receive a context, outside Run closures (see `CtxCall`).
    pub fn ctx_calls(&self) -> &[CtxCall] {
        self.effect_sites.as_ref().map_or(&[], |e| &e.ctx_calls)
    }

    fn effect_sites_mut(&mut self) -> &mut EffectSites {
        self.effect_sites.get_or_insert_with(Default::default)
    }

    pub fn is_handler_region(&self) -> bool {
        matches!(self.region, Region::Handler { .. })
    }

    pub fn display_name(&self) -> String {
        match (&self.receiver, self.kind) {
            (_, FuncKind::Literal) => "func literal".to_string(),
            (Some(r), _) => format!("{}.{}", r.type_name, self.name),
            (None, _) => self.name.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct TypeDecl {
    pub name: String,
    pub span: Span,
    /// Struct fields (name, type text); empty for non-struct types. An embedded field is named
    /// after its type.
    pub fields: Vec<(String, String)>,
    pub is_struct: bool,
    /// Method names of an interface type (embedded interfaces as their type text).
    pub methods: Vec<String>,
    pub is_interface: bool,
    /// `type T other.Type` / `type T = other.Type`: the type it is defined from.
    pub underlying: Option<String>,
    /// Interface methods whose first parameter is a Restate context: code written for Restate
    /// (its implementations journal their own steps), not I/O by Go's context convention.
    pub restate_methods: Vec<String>,
    /// `type Step func(restate.ObjectContext) error`: a func type taking a Restate context.
    pub restate_func: bool,
}

/// A string literal argument with its value and the span of its content (inside the quotes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lit {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum HandlerTarget {
    /// A named function of the package.
    Func(String),
    /// A method value or package function: `svc.Greet`, `pkg.Greet`.
    Selector {
        operand: String,
        name: String,
    },
    /// A func literal at this span.
    Literal(Span),
    Unknown,
}

#[derive(Clone, Debug)]
pub struct BuilderHandler {
    pub name: Lit,
    pub kind: HandlerKind,
    pub target: HandlerTarget,
    /// Input and output type texts when the constructor gave them or the literal declares them.
    pub io: Option<(String, String)>,
}

/// `restate.NewService("Name").Handler("h", restate.NewServiceHandler(fn))...`
#[derive(Clone, Debug)]
pub struct BuilderService {
    pub name: Lit,
    pub kind: ServiceKind,
    /// The constructor call.
    pub span: Span,
    pub handlers: Vec<BuilderHandler>,
}

/// `restate.Reflect(T{})` / `restate.Reflect(&T{})`.
#[derive(Clone, Debug)]
pub struct ReflectSite {
    pub type_name: String,
    /// The package alias qualifying the type (`pkg.T{}`), if any.
    pub type_pkg: Option<String>,
    pub pointer: bool,
    pub span: Span,
    /// `Reflect(NewSvc(...))` or `Reflect(pkg.NewSvc(...))`: the constructor whose result type is the
    /// service (resolved by the workspace; `type_name` is empty then).
    pub ctor: Option<String>,
}

/// `func (T) ServiceName() string { return "Name" }`
#[derive(Clone, Debug)]
pub struct ServiceNameOverride {
    pub type_name: String,
    pub name: String,
    pub pointer_receiver: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyArg {
    Literal(Lit),
    /// `restate.Key(ctx)`: the caller's own key.
    OwnKey,
    Expr {
        text: String,
        span: Span,
    },
}

/// The method called on the client returned by a `Service/Object/Workflow` constructor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientMethod {
    Request,
    RequestFuture,
    Send,
    /// Attach/Output on an ingress workflow handle, and anything else.
    Other,
}

#[derive(Clone, Debug)]
pub struct ServiceCall {
    pub api: CallApi,
    pub ingress: bool,
    pub service: Option<Lit>,
    pub key: Option<KeyArg>,
    pub handler: Option<Lit>,
    /// The constructor call.
    pub span: Span,
    /// The constructor's name (`Object`), for diagnostics that point at it.
    pub api_span: Span,
    pub method: Option<ClientMethod>,
    /// The whole expression including the `.Request(...)`/`.Send(...)` call when there is one.
    pub full_span: Span,
    pub has_idempotency_key: bool,
    pub func: Option<u32>,
    /// The method name (`Request`) when chained.
    pub method_span: Option<Span>,
    /// Byte of the `(` opening the constructor's arguments (after any type arguments).
    pub ctor_open: u32,
    /// Byte of the `)` closing the chained method's arguments.
    pub method_args_close: Option<u32>,
    /// A request whose response is waited for: `.Request(x)`, or `.RequestFuture(x)` whose future
    /// gets `.Response()` (chained, or through the variable holding it).
    pub awaited: bool,
    /// The chained call is a statement of its own (its result is not used).
    pub result_unused: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateOpKind {
    Get,
    Set,
    Clear,
    ClearAll,
    Keys,
}

#[derive(Clone, Debug)]
pub struct StateOp {
    pub op: StateOpKind,
    /// The key when it is a literal.
    pub key: Option<Lit>,
    /// Whether a key argument exists but is not a literal.
    pub dynamic_key: bool,
    pub span: Span,
    pub func: Option<u32>,
}

/// A package-level variable, for the global-state rule.
#[derive(Clone, Debug)]
pub struct PackageVar {
    pub name: String,
    pub span: Span,
    /// The declared type as written, or the type its initialiser shows (`= &http.Client{}`).
    pub ty: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct FileModel {
    pub package: String,
    pub imports: Vec<Import>,
    /// How the SDK root package is referenced, when it is imported.
    pub restate: Option<PkgRef>,
    pub ingress: Option<PkgRef>,
    pub generated: bool,
    /// Local aliases of Restate context types (`type Ctx = restate.ObjectContext`).
    pub ctx_aliases: Vec<(String, CtxKind)>,
    pub types: Vec<TypeDecl>,
    pub functions: Vec<Function>,
    pub builders: Vec<BuilderService>,
    pub reflects: Vec<ReflectSite>,
    pub service_names: Vec<ServiceNameOverride>,
    pub calls: Vec<ServiceCall>,
    pub state_ops: Vec<StateOp>,
    pub package_vars: Vec<PackageVar>,
    /// Names of identifiers written anywhere in the file that are not local declarations (candidates
    /// for package-level variables).
    pub global_writes: Vec<String>,
    pub has_errors: bool,
}

impl FileModel {
    pub fn imports_sdk(&self) -> bool {
        self.restate.is_some()
    }

    pub fn import_path_for(&self, ident: &str) -> Option<&str> {
        self.imports
            .iter()
            .find(|i| i.local == ident)
            .map(|i| i.path.as_str())
    }

    /// Handler methods grouped by receiver type are assembled by the workspace; this lists the
    /// functions that are methods with a Restate handler context.
    pub fn handler_methods(&self) -> impl Iterator<Item = (u32, &Function)> {
        self.functions.iter().enumerate().filter_map(|(i, f)| {
            (f.kind == FuncKind::Method && f.ctx.as_ref().is_some_and(|c| c.kind.is_handler()))
                .then_some((i as u32, f))
        })
    }

    /// The function whose node starts at `byte` (functions are numbered in source order).
    pub fn function_at_start(&self, byte: usize) -> Option<u32> {
        let i = self
            .functions
            .partition_point(|f| (f.range.0 as usize) < byte);
        (self.functions.get(i)?.range.0 as usize == byte).then_some(i as u32)
    }

    /// The innermost function containing a byte offset.
    pub fn function_at(&self, byte: usize) -> Option<(u32, &Function)> {
        // Functions are numbered in source order and nest: the last one starting at or before
        // `byte`, or the nearest of its enclosing functions, is the innermost holding it.
        let after = self
            .functions
            .partition_point(|f| (f.range.0 as usize) <= byte);
        let mut cur = after.checked_sub(1).map(|i| i as u32);
        while let Some(i) = cur {
            let f = self.functions.get(i as usize)?;
            if byte < f.range.1 as usize {
                return Some((i, f));
            }
            cur = f.parent;
        }
        None
    }
}

/// Does the `// Code generated ... DO NOT EDIT.` marker appear before the package clause?
pub fn is_generated(src: &str) -> bool {
    for line in src.lines() {
        let t = line.trim();
        if t.starts_with("package ") {
            return false;
        }
        if t.starts_with("// Code generated") && t.ends_with("DO NOT EDIT.") {
            return true;
        }
    }
    false
}

/// Settings that change what the extraction records (user-configured side effects).
#[derive(Clone, Debug, Default)]
pub struct ExtractOptions {
    pub effects: effects::Catalog,
}

pub fn extract(src: &str, tree: &Tree) -> FileModel {
    extract_with(src, tree, &ExtractOptions::default())
}

pub fn extract_with(src: &str, tree: &Tree, opts: &ExtractOptions) -> FileModel {
    let sem = Semantic::build(src, tree);
    extract_with_semantic(&sem, opts)
}

/// `extract_with` over a semantic model that is already built (the rules reuse it).
pub fn extract_with_semantic(sem: &Semantic<'_>, opts: &ExtractOptions) -> FileModel {
    let src = sem.src();
    let root = sem.root();
    let mut ex = Extractor {
        src,
        sem,
        loc: Locator::new(src),
        opts,
        m: FileModel {
            generated: is_generated(src),
            has_errors: root.has_error(),
            ..FileModel::default()
        },
        stack: Vec::new(),
        run_literals: HashSet::new(),
        passed_literals: std::collections::HashMap::new(),
        pending_var_handlers: Vec::new(),
        builder_vars: Vec::new(),
    };
    ex.top_level(root);
    ex.walk();
    ex.attach_var_handlers();
    let mut m = ex.m;
    shrink(&mut m);
    m
}

/// Give back the spare capacity of the summary's vectors: summaries of closed files live as long
/// as the workspace is open, and vectors grown by doubling hold a quarter spare on average (a
/// `Function` is ~300 bytes), which showed in the peak RSS of a 100,000-file workspace.
fn shrink(m: &mut FileModel) {
    m.imports.shrink_to_fit();
    m.ctx_aliases.shrink_to_fit();
    m.types.shrink_to_fit();
    for t in &mut m.types {
        t.fields.shrink_to_fit();
    }
    m.functions.shrink_to_fit();
    for f in &mut m.functions {
        if !f.is_handler_region() {
            dedup_calls(&mut f.calls);
        }
        if let Some(e) = &mut f.effect_sites {
            e.direct.shrink_to_fit();
            e.pending.shrink_to_fit();
            e.ctx_calls.shrink_to_fit();
        }
        f.calls.shrink_to_fit();
    }
    m.builders.shrink_to_fit();
    m.reflects.shrink_to_fit();
    m.service_names.shrink_to_fit();
    m.calls.shrink_to_fit();
    m.state_ops.shrink_to_fit();
    m.package_vars.shrink_to_fit();
    m.global_writes.shrink_to_fit();
}

/// Keep the first call of each target. Outside handler code the calls only feed the call graph of
/// transitive effects, which follows each target once (from its first call, the one a finding's
/// path shows); in the standard library this drops 45 % of the calls kept.
fn dedup_calls(calls: &mut Vec<CallRef>) {
    let keep: Vec<bool> = {
        let mut seen: std::collections::HashSet<&CallTarget> = std::collections::HashSet::new();
        calls.iter().map(|c| seen.insert(&c.target)).collect()
    };
    let mut keep = keep.into_iter();
    calls.retain(|_| keep.next().unwrap_or(true));
}

struct Extractor<'a, 't> {
    src: &'t str,
    sem: &'a Semantic<'t>,
    loc: Locator<'t>,
    opts: &'a ExtractOptions,
    m: FileModel,
    /// Enclosing functions of the node being visited: (index, end byte).
    stack: Vec<(u32, usize)>,
    /// Start bytes of func literals passed to Run.
    run_literals: HashSet<usize>,
    /// Func literals handed to a non-SDK call, by start byte: the callee and the position.
    passed_literals: std::collections::HashMap<usize, (CallTarget, u8)>,
    /// `svc.Handler("h", ...)` calls on a variable: (variable, handler).
    /// (variable, handler, enclosing function, byte of the call).
    pending_var_handlers: Vec<(String, BuilderHandler, Option<u32>, usize)>,
    /// Builders assigned to a variable: (variable, builder index, enclosing function, byte of
    /// the assignment).
    builder_vars: Vec<(String, usize, Option<u32>, usize)>,
}

impl<'a, 't> Extractor<'a, 't> {
    fn text(&self, n: Node<'_>) -> &'t str {
        text(n, self.src)
    }

    fn lit(&self, n: Node<'_>) -> Option<Lit> {
        let n = go::unparen(n);
        if !is_string_literal(n) {
            return None;
        }
        let value = string_value(n, self.src)?;
        let (s, e) = go::string_content_range(n);
        Some(Lit {
            value,
            span: self.loc.range(s, e),
        })
    }

    // ---- package clause, imports, types, package vars -------------------------------------

    fn top_level(&mut self, root: Node<'_>) {
        for child in named_children(root) {
            match child.kind() {
                "package_clause" => {
                    if let Some(id) = named_children(child).first() {
                        self.m.package = self.text(*id).to_string();
                    }
                }
                "import_declaration" => self.imports(child),
                _ => {}
            }
        }
        for imp in &self.m.imports {
            if imp.path == SDK_PATH {
                self.m.restate = imp.local_name();
            } else if imp.path == INGRESS_PATH {
                self.m.ingress = imp.local_name();
            }
        }
        // Types need the SDK's local name (which interface methods take a Restate context).
        for child in named_children(root) {
            match child.kind() {
                "type_declaration" => self.types(child),
                "var_declaration" => self.package_vars(child),
                _ => {}
            }
        }
        // Context aliases need the SDK alias, so they are resolved after imports.
        let mut aliases = vec![];
        for child in named_children(root) {
            if child.kind() != "type_declaration" {
                continue;
            }
            for spec in named_children(child) {
                if spec.kind() == "type_alias"
                    && let (Some(name), Some(ty)) = (field(spec, "name"), field(spec, "type"))
                    && let Some(kind) = self.ctx_kind_of_type(ty)
                {
                    aliases.push((self.text(name).to_string(), kind));
                }
            }
        }
        self.m.ctx_aliases = aliases;
    }

    fn imports(&mut self, decl: Node<'_>) {
        let mut specs = vec![];
        for c in named_children(decl) {
            match c.kind() {
                "import_spec" => specs.push(c),
                "import_spec_list" => specs.extend(
                    named_children(c)
                        .into_iter()
                        .filter(|s| s.kind() == "import_spec"),
                ),
                _ => {}
            }
        }
        for spec in specs {
            let Some(path) = field(spec, "path").and_then(|p| string_value(p, self.src)) else {
                continue;
            };
            let alias = field(spec, "name").map(|n| self.text(n).to_string());
            let local = alias.clone().unwrap_or_else(|| default_package_name(&path));
            self.m.imports.push(Import {
                path,
                alias,
                span: self.loc.node(spec),
                local,
            });
        }
    }

    fn types(&mut self, decl: Node<'_>) {
        for spec in named_children(decl) {
            if spec.kind() != "type_spec" {
                continue;
            }
            let (Some(name), Some(ty)) = (field(spec, "name"), field(spec, "type")) else {
                continue;
            };
            let mut fields = vec![];
            let mut methods = vec![];
            let mut restate_methods = vec![];
            let is_struct = ty.kind() == "struct_type";
            let is_interface = ty.kind() == "interface_type";
            if is_interface {
                for m in named_children(ty) {
                    match m.kind() {
                        "method_elem" | "method_spec" => {
                            if let Some(n) = field(m, "name") {
                                methods.push(self.text(n).to_string());
                                if self.first_param_is_restate_ctx(m) {
                                    restate_methods.push(self.text(n).to_string());
                                }
                            }
                        }
                        "type_elem" | "constraint_elem" => methods.push(self.text(m).to_string()),
                        _ => {}
                    }
                }
            }
            let underlying = (!is_struct
                && !is_interface
                && matches!(
                    ty.kind(),
                    "qualified_type" | "type_identifier" | "pointer_type"
                ))
            .then(|| self.text(ty).to_string());
            if is_struct {
                for list in named_children(ty) {
                    for fd in named_children(list) {
                        if fd.kind() != "field_declaration" {
                            continue;
                        }
                        let ty_text = field(fd, "type")
                            .map(|t| self.text(t).to_string())
                            .unwrap_or_default();
                        let mut cursor = fd.walk();
                        let names: Vec<_> =
                            fd.children_by_field_name("name", &mut cursor).collect();
                        if names.is_empty() {
                            // Embedded field: its name is the type's name.
                            let base = ty_text.trim_start_matches('*');
                            let base = base.rsplit('.').next().unwrap_or(base).to_string();
                            fields.push((base, ty_text.clone()));
                        }
                        for n in names {
                            fields.push((self.text(n).to_string(), ty_text.clone()));
                        }
                    }
                }
            }
            self.m.types.push(TypeDecl {
                name: self.text(name).to_string(),
                span: self.loc.node(name),
                fields,
                is_struct,
                methods,
                is_interface,
                underlying,
                restate_methods,
                restate_func: ty.kind() == "function_type" && self.first_param_is_restate_ctx(ty),
            });
        }
    }

    /// Whether a signature (`func(ctx restate.Context, ...)`, an interface method) takes a
    /// Restate context first.
    fn first_param_is_restate_ctx(&self, sig: Node<'_>) -> bool {
        field(sig, "parameters")
            .and_then(|l| {
                named_children(l).into_iter().find(|p| {
                    matches!(
                        p.kind(),
                        "parameter_declaration" | "variadic_parameter_declaration"
                    )
                })
            })
            .and_then(|p| field(p, "type"))
            .is_some_and(|t| self.ctx_kind_of_type(t).is_some())
    }

    fn package_vars(&mut self, decl: Node<'_>) {
        let mut specs = vec![];
        for c in named_children(decl) {
            match c.kind() {
                "var_spec" => specs.push(c),
                "var_spec_list" => specs.extend(named_children(c)),
                _ => {}
            }
        }
        for spec in specs {
            let declared = field(spec, "type").map(|t| self.text(t).to_string());
            let values = field(spec, "value").map(named_children).unwrap_or_default();
            let mut cursor = spec.walk();
            let names: Vec<Node<'_>> = spec.children_by_field_name("name", &mut cursor).collect();
            for (i, n) in names.iter().enumerate() {
                let name = self.text(*n);
                if name != "_" {
                    let ty = declared.clone().or_else(|| {
                        values
                            .get(i)
                            .filter(|_| values.len() == names.len())
                            .and_then(|v| self.sem.type_of(*v))
                    });
                    self.m.package_vars.push(PackageVar {
                        name: name.to_string(),
                        span: self.loc.node(*n),
                        ty,
                    });
                }
            }
        }
    }

    // ---- contexts ----------------------------------------------------------------------------

    /// The Restate context kind named by a type node (`restate.Context`, `*sdk.ObjectContext`,
    /// `Context` under a dot import, or a local alias).
    fn ctx_kind_of_type(&self, ty: Node<'_>) -> Option<CtxKind> {
        let ty = if ty.kind() == "pointer_type" {
            named_children(ty).first().copied()?
        } else {
            ty
        };
        match ty.kind() {
            "qualified_type" => {
                let pkg = self.text(field(ty, "package")?);
                let name = self.text(field(ty, "name")?);
                match &self.m.restate {
                    Some(PkgRef::Named(a)) if a == pkg => CtxKind::from_type_name(name),
                    _ => None,
                }
            }
            "type_identifier" => {
                let name = self.text(ty);
                if let Some((_, k)) = self.m.ctx_aliases.iter().find(|(n, _)| n == name) {
                    return Some(*k);
                }
                match &self.m.restate {
                    Some(PkgRef::Dot) => CtxKind::from_type_name(name),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether a callee is `<restate>.Name` for this file's import of the SDK.
    fn restate_fn<'s>(&self, callee: &Callee<'_, 's>) -> Option<&'s str> {
        sdk_fn(&self.m.restate, callee)
    }

    // ---- the walk ------------------------------------------------------------------------------

    fn walk(&mut self) {
        let nodes: Vec<Node<'t>> = self
            .sem
            .listed()
            .iter()
            .copied()
            .filter(|n| {
                matches!(
                    n.kind(),
                    "function_declaration"
                        | "method_declaration"
                        | "func_literal"
                        | "call_expression"
                        | "type_conversion_expression"
                        | "selector_expression"
                        | "assignment_statement"
                        | "inc_statement"
                        | "dec_statement"
                        | "return_statement"
                )
            })
            .collect();
        for n in nodes {
            while let Some(&(_, end)) = self.stack.last() {
                if n.start_byte() >= end {
                    self.stack.pop();
                } else {
                    break;
                }
            }
            match n.kind() {
                "function_declaration" | "method_declaration" | "func_literal" => {
                    let idx = self.function(n);
                    self.stack.push((idx, n.end_byte()));
                }
                "call_expression" | "type_conversion_expression" => {
                    if let Some(call) = call_parts(n) {
                        self.call(&call);
                    }
                }
                "selector_expression" => self.selector_effect(n),
                "assignment_statement" | "inc_statement" | "dec_statement" => self.write(n),
                "return_statement" => self.returns(n),
                _ => {}
            }
        }
    }

    /// `return ..., restate.Run(...)` or `return v, err` where `err` last came from a Restate
    /// operation, in a function whose last result is an `error`: the function hands a Restate
    /// error to its callers.
    fn returns(&mut self, n: Node<'t>) {
        let Some(fi) = self.current() else { return };
        // Only an error result hands the error on: a helper returning the operation's value
        // (and handling the error itself) gives its callers nothing to check.
        if self.m.functions[fi as usize]
            .results
            .last()
            .is_none_or(|r| r.as_str() != "error")
        {
            return;
        }
        let Some(list) = n.named_child(0) else { return };
        let last = if list.kind() == "expression_list" {
            named_children(list).last().copied()
        } else {
            Some(list)
        };
        let Some(last) = last.map(go::unparen) else {
            return;
        };
        let value = if last.kind() == "identifier" {
            self.sem.reaching_value(last)
        } else {
            Some(last)
        };
        if value.is_some_and(|v| self.is_restate_operation(v)) {
            self.m.functions[fi as usize]
                .summary
                .set(Summary::RETURNS_RESTATE_ERROR);
        }
    }

    /// A call of a Restate operation that returns an error: a root-package operation, or a
    /// method awaiting an SDK future or client.
    fn is_restate_operation(&self, v: Node<'t>) -> bool {
        let Some(c) = call_parts(go::unparen(v)) else {
            return false;
        };
        let callee = c.callee(self.src);
        if let Some(name) = self.restate_fn(&callee) {
            return crate::analysis::restate_api::is_operation(name);
        }
        match crate::analysis::futures::method_call(&c, self.src) {
            Some((recv, m)) => {
                matches!(m, "Request" | "Response" | "Result" | "Done" | "Peek")
                    && crate::analysis::futures::kind_of(recv, self.sem, &self.m).is_some()
            }
            None => false,
        }
    }

    /// Set a summary flag on the current function and the functions it is nested in (a
    /// closure's Restate operations are its declaring function's, for that function's callers).
    fn flag_up(&mut self, flag: u8) {
        let mut cur = self.current();
        while let Some(i) = cur {
            let f = &mut self.m.functions[i as usize];
            f.summary.set(flag);
            cur = f.parent;
        }
    }

    fn current(&self) -> Option<u32> {
        self.stack.last().map(|(i, _)| *i)
    }

    fn current_region(&self) -> Region {
        match self.current() {
            Some(i) => self.m.functions[i as usize].region,
            None => Region::Plain,
        }
    }

    fn function(&mut self, n: Node<'_>) -> u32 {
        let kind = match n.kind() {
            "function_declaration" => FuncKind::Function,
            "method_declaration" => FuncKind::Method,
            _ => FuncKind::Literal,
        };
        let name_node = field(n, "name");
        let name = name_node
            .map(|x| self.text(x).to_string())
            .unwrap_or_default();
        let span = match name_node {
            Some(x) => self.loc.node(x),
            None => {
                let end = (n.start_byte() + 4).min(n.end_byte());
                self.loc.range(n.start_byte(), end)
            }
        };
        let receiver = field(n, "receiver").and_then(|r| self.receiver(r));
        let mut params = vec![];
        let mut ctx = None;
        if let Some(list) = field(n, "parameters") {
            for (i, p) in named_children(list).into_iter().enumerate() {
                if !matches!(
                    p.kind(),
                    "parameter_declaration" | "variadic_parameter_declaration"
                ) {
                    continue;
                }
                let ty = field(p, "type");
                let ty_text = ty.map(|t| self.text(t).to_string()).unwrap_or_default();
                let mut cursor = p.walk();
                let names: Vec<_> = p.children_by_field_name("name", &mut cursor).collect();
                if i == 0
                    && let Some(kind) = ty.and_then(|t| self.ctx_kind_of_type(t))
                {
                    let (pname, decl) = match names.first() {
                        Some(nm) => (self.text(*nm).to_string(), nm.start_byte()),
                        None => (String::new(), p.start_byte()),
                    };
                    ctx = Some(CtxParam {
                        name: pname,
                        kind,
                        decl: decl as u32,
                    });
                }
                if names.is_empty() {
                    params.push(Param {
                        name: String::new(),
                        ty: ty_text,
                    });
                } else {
                    for nm in names {
                        params.push(Param {
                            name: self.text(nm).to_string(),
                            ty: ty_text.clone(),
                        });
                    }
                }
            }
        }
        let results = field(n, "result")
            .map(|r| {
                if r.kind() == "parameter_list" {
                    named_children(r)
                        .into_iter()
                        .flat_map(|p| {
                            let ty = field(p, "type")
                                .map(|t| self.text(t).to_string())
                                .unwrap_or_default();
                            let mut cursor = p.walk();
                            let count =
                                p.children_by_field_name("name", &mut cursor).count().max(1);
                            std::iter::repeat_n(ty, count)
                        })
                        .collect()
                } else {
                    vec![self.text(r).to_string()]
                }
            })
            .unwrap_or_default();
        let parent = self.current();
        let run_closure = kind == FuncKind::Literal && self.run_literals.contains(&n.start_byte());
        let idx = self.m.functions.len() as u32;
        let region = if run_closure || ctx.as_ref().is_some_and(|c| c.kind == CtxKind::Run) {
            Region::Run
        } else if ctx.is_some() {
            Region::Handler { root: idx }
        } else if kind == FuncKind::Literal {
            match parent {
                Some(p) => self.m.functions[p as usize].region,
                None => Region::Plain,
            }
        } else {
            Region::Plain
        };
        if kind == FuncKind::Method && name == "ServiceName" {
            self.service_name_override(n, receiver.as_ref());
        }
        let mut summary = Summary::default();
        if ctx.is_none() && self.dispatches_on_restate_ctx(n, &params) {
            summary.set(Summary::DISPATCHES_ON_RESTATE_CTX);
        }
        self.m.functions.push(Function {
            kind,
            name,
            receiver: receiver.map(Box::new),
            span,
            range: (n.start_byte() as u32, n.end_byte() as u32),
            ctx: ctx.map(Box::new),
            params: params.into_boxed_slice(),
            results: results.into_boxed_slice(),
            parent,
            run_closure,
            region,
            effect_sites: None,
            calls: vec![],
            summary,
            passed_to: self.passed_literals.remove(&n.start_byte()).map(Box::new),
        });
        idx
    }

    /// A func type's text whose first parameter is a Restate context of this file's SDK import
    /// (`func(restate.ObjectContext) error`, `func(ctx restate.Context, s S) (S, error)`).
    fn func_text_takes_restate_ctx(&self, ty: &str) -> bool {
        let Some(first) = go::first_param_type(ty) else {
            return false;
        };
        match (first.split_once('.'), &self.m.restate) {
            (Some((pkg, name)), Some(PkgRef::Named(a))) if a == pkg => {
                CtxKind::from_type_name(name).is_some_and(|k| k != CtxKind::Run)
            }
            (None, _) => self
                .m
                .ctx_aliases
                .iter()
                .any(|(n, k)| n == first && *k != CtxKind::Run),
            _ => false,
        }
    }

    /// A top-level `if v, ok := p.(restate.Context); ok { ... return ... }` on parameter `p`.
    fn dispatches_on_restate_ctx(&self, n: Node<'_>, params: &[Param]) -> bool {
        let Some(body) = field(n, "body") else {
            return false;
        };
        block_statements(body).into_iter().any(|st| {
            if st.kind() != "if_statement" {
                return false;
            }
            let Some(assert) = field(st, "initializer")
                .filter(|i| i.kind() == "short_var_declaration")
                .and_then(|i| field(i, "right"))
                .and_then(|r| named_children(r).into_iter().next())
                .map(go::unparen)
                .filter(|a| a.kind() == "type_assertion_expression")
            else {
                return false;
            };
            let on_param = field(assert, "operand")
                .filter(|o| o.kind() == "identifier")
                .is_some_and(|o| params.iter().any(|p| p.name == self.text(o)));
            let to_restate = field(assert, "type")
                .is_some_and(|t| self.ctx_kind_of_type(t).is_some_and(|k| k != CtxKind::Run));
            let returns = field(st, "consequence")
                .and_then(|b| block_statements(b).into_iter().last())
                .is_some_and(|last| last.kind() == "return_statement");
            on_param && to_restate && returns
        })
    }

    fn receiver(&self, list: Node<'_>) -> Option<Receiver> {
        let p = named_children(list).into_iter().next()?;
        let name = field(p, "name")
            .map(|x| self.text(x).to_string())
            .unwrap_or_default();
        let mut ty = field(p, "type")?;
        let mut pointer = false;
        if ty.kind() == "pointer_type" {
            pointer = true;
            ty = named_children(ty).first().copied()?;
        }
        if ty.kind() == "generic_type" {
            ty = field(ty, "type")?;
        }
        Some(Receiver {
            name,
            type_name: self.text(ty).to_string(),
            pointer,
        })
    }

    fn service_name_override(&mut self, n: Node<'_>, receiver: Option<&Receiver>) {
        let Some(r) = receiver else { return };
        let has_params = field(n, "parameters").is_some_and(|p| p.named_child_count() > 0);
        if has_params {
            return;
        }
        let Some(body) = field(n, "body") else { return };
        let mut value = None;
        go::walk(body, |x| {
            if value.is_some() {
                return false;
            }
            if x.kind() == "return_statement" {
                if let Some(list) = named_children(x).first() {
                    let first = if list.kind() == "expression_list" {
                        named_children(*list).first().copied()
                    } else {
                        Some(*list)
                    };
                    value = first.and_then(|e| self.lit(e));
                }
                return false;
            }
            !matches!(x.kind(), "func_literal")
        });
        if let Some(lit) = value {
            self.m.service_names.push(ServiceNameOverride {
                type_name: r.type_name.clone(),
                name: lit.value,
                pointer_receiver: r.pointer,
                span: lit.span,
            });
        }
    }

    // ---- calls ---------------------------------------------------------------------------------

    fn call(&mut self, call: &CallParts<'t>) {
        let callee = call.callee(self.src);
        self.summarise_call(call, &callee);
        if let Some(name) = self.restate_fn(&callee) {
            self.restate_call(call, name);
        } else if let Some(name) = sdk_fn(&self.m.ingress, &callee) {
            self.ingress_call(call, name);
        } else if let Callee::Selector {
            operand_ident: Some(var),
            name: "Handler",
            ..
        } = callee
        {
            // `svc.Handler("h", restate.NewServiceHandler(fn))` on a builder variable.
            if let Some(h) = self.builder_handler(call) {
                self.pending_var_handlers.push((
                    var.to_string(),
                    h,
                    self.current(),
                    call.node.start_byte(),
                ));
            }
        }
        if self.current_region() != Region::Run {
            if !self.effect_of_call(call, &callee) {
                self.ctx_call(call, &callee);
            }
            self.call_ref(call, &callee);
        }
    }

    /// What this call tells the function's callers (see `Summary`), and where func literals
    /// handed to it go.
    fn summarise_call(&mut self, call: &CallParts<'t>, callee: &Callee<'t, '_>) {
        let sdk = self.restate_fn(callee);
        if let Some(name) = sdk {
            if crate::analysis::restate_api::is_operation(name) {
                self.flag_up(Summary::JOURNALS);
            }
            if matches!(name, "Sleep" | "After") {
                self.flag_up(Summary::SLEEPS);
            }
            // `restate.Run(ctx, fn)` with `fn` a parameter: a Run wrapper.
            if crate::analysis::restate_api::is_run(name)
                && let Some(arg) = call.arg(1).map(go::unparen)
                && arg.kind() == "identifier"
                && let Some(d) = self.sem.resolve(arg)
                && d.kind == DeclKind::Param
                && let Some(fi) = self.current()
            {
                let pname = self.text(arg);
                if let Some(i) = self.m.functions[fi as usize]
                    .params
                    .iter()
                    .position(|p| p.name == pname)
                {
                    self.m.functions[fi as usize].summary.set_run_wrapper(i);
                }
            }
            return;
        }
        if let Callee::Selector {
            operand,
            operand_ident: Some(_),
            name,
        } = *callee
            && let Some(path) = self.sem.import_path(operand)
        {
            if path == "time" && name == "Sleep" {
                self.flag_up(Summary::SLEEPS);
            }
            if path == "errors"
                && matches!(name, "Is" | "As")
                && call
                    .arg(0)
                    .map(go::unparen)
                    .and_then(|a| self.sem.resolve(a))
                    .is_some_and(|d| d.kind == DeclKind::Param)
            {
                self.flag_up(Summary::TESTS_ERROR_PARAM);
            }
        }
        if call.args.iter().any(|a| a.kind() == "func_literal")
            && let Some(target) = self.call_target(call, callee)
        {
            for (i, a) in call.args.iter().enumerate() {
                if a.kind() == "func_literal" {
                    self.passed_literals
                        .insert(a.start_byte(), (target.clone(), i.min(255) as u8));
                }
            }
        }
    }

    fn restate_call(&mut self, call: &CallParts<'t>, name: &str) {
        if crate::analysis::restate_api::is_run(name) {
            for a in &call.args {
                if a.kind() == "func_literal" {
                    self.run_literals.insert(a.start_byte());
                }
            }
            return;
        }
        if let Some(api) = CallApi::from_name(name) {
            self.service_call(call, api, false);
            return;
        }
        match name {
            "NewService" | "NewObject" | "NewWorkflow" => self.builder(call, name),
            "Reflect" => self.reflect(call),
            "Get" | "Set" | "Clear" | "ClearAll" | "Keys" => self.state_op(call, name),
            _ => {}
        }
    }

    fn ingress_call(&mut self, call: &CallParts<'t>, name: &str) {
        if name == "WorkflowHandle" {
            self.service_call(call, CallApi::WorkflowHandle, true);
        } else if let Some(api) = CallApi::from_name(name) {
            self.service_call(call, api, true);
        }
    }

    fn service_call(&mut self, call: &CallParts<'t>, api: CallApi, ingress: bool) {
        let arg = |i: usize| call.arg(i);
        let service = arg(1).and_then(|a| self.lit(a));
        let (key, handler) = match api {
            CallApi::Service | CallApi::ServiceSend => (None, arg(2).and_then(|a| self.lit(a))),
            CallApi::WorkflowHandle => (arg(2).map(|a| self.key_arg(a)), None),
            _ => (
                arg(2).map(|a| self.key_arg(a)),
                arg(3).and_then(|a| self.lit(a)),
            ),
        };
        // `.Request(x)` / `.RequestFuture(x)` / `.Send(x)` chained on the constructor.
        let mut method = None;
        let mut full = call.node;
        let mut has_idem = false;
        let mut method_span = None;
        let mut method_args_close = None;
        if let Some(sel) = self
            .sem
            .parent(call.node)
            .filter(|p| p.kind() == "selector_expression")
            && let (Some(fname), Some(outer)) = (
                field(sel, "field"),
                self.sem
                    .parent(sel)
                    .filter(|g| g.kind() == "call_expression"),
            )
        {
            method = Some(match self.text(fname) {
                "Request" => ClientMethod::Request,
                "RequestFuture" => ClientMethod::RequestFuture,
                "Send" => ClientMethod::Send,
                _ => ClientMethod::Other,
            });
            full = outer;
            method_span = Some(self.loc.node(fname));
            if let Some(args) = field(outer, "arguments") {
                has_idem = self.text(args).contains("WithIdempotencyKey");
                method_args_close = Some(args.end_byte().saturating_sub(1) as u32);
            }
        }
        let awaited = match method {
            Some(ClientMethod::Request) => true,
            Some(ClientMethod::RequestFuture) => self.future_awaited(full),
            _ => false,
        };
        let result_unused = self
            .sem
            .parent(full)
            .is_some_and(|p| p.kind() == "expression_statement");
        let ctor_open = call
            .arg_list
            .map(|l| l.start_byte())
            .unwrap_or(call.node.start_byte()) as u32;
        let api_span = self.loc.range(call.name_range().0, call.name_range().1);
        self.m.calls.push(ServiceCall {
            api,
            ingress,
            service,
            key,
            handler,
            span: self.loc.node(call.node),
            api_span,
            method,
            full_span: self.loc.node(full),
            has_idempotency_key: has_idem,
            func: self.current(),
            method_span,
            ctor_open,
            method_args_close,
            awaited,
            result_unused,
        });
    }

    /// Whether the future made by `fut_expr` (a `.RequestFuture(x)` call) is waited for.
    fn future_awaited(&self, fut_expr: Node<'t>) -> bool {
        let responds = |n: Node<'t>| {
            self.sem
                .parent(n)
                .filter(|p| p.kind() == "selector_expression")
                .and_then(|sel| field(sel, "field"))
                .is_some_and(|f| self.text(f) == "Response")
        };
        // `.RequestFuture(x).Response()`
        if responds(fut_expr) {
            return true;
        }
        // `fut := ....RequestFuture(x)` and later `fut.Response()`.
        let Some(b) = assigned_ident(self.sem, fut_expr).and_then(|v| self.sem.binding_of(v))
        else {
            return false;
        };
        self.sem.uses(b).iter().any(|u| responds(*u))
    }

    fn key_arg(&self, a: Node<'_>) -> KeyArg {
        if let Some(l) = self.lit(a) {
            return KeyArg::Literal(l);
        }
        if let Some(c) = call_parts(go::unparen(a))
            && self.restate_fn(&c.callee(self.src)) == Some("Key")
        {
            return KeyArg::OwnKey;
        }
        KeyArg::Expr {
            text: self.text(a).to_string(),
            span: self.loc.node(a),
        }
    }

    fn builder(&mut self, call: &CallParts<'t>, ctor: &str) {
        let Some(name) = call.arg(0).and_then(|a| self.lit(a)) else {
            return;
        };
        let kind = match ctor {
            "NewService" => ServiceKind::Service,
            "NewObject" => ServiceKind::Object,
            _ => ServiceKind::Workflow,
        };
        let mut handlers = vec![];
        let mut cur = call.node;
        // Walk up the `.Handler(...)` chain.
        while let Some(sel) = self
            .sem
            .parent(cur)
            .filter(|p| p.kind() == "selector_expression")
        {
            let Some(outer) = self
                .sem
                .parent(sel)
                .filter(|p| p.kind() == "call_expression")
            else {
                break;
            };
            let fname = field(sel, "field").map(|f| self.text(f)).unwrap_or("");
            if fname == "Handler" {
                if let Some(parts) = call_parts(outer)
                    && let Some(h) = self.builder_handler(&parts)
                {
                    handlers.push(h);
                }
            } else if fname != "ConfigureHandler" {
                break;
            }
            cur = outer;
        }
        let idx = self.m.builders.len();
        // `svc := restate.NewService("X")` followed by `svc.Handler(...)` statements.
        if let Some(var) = assigned_ident(self.sem, cur).map(|v| self.text(v).to_string()) {
            self.builder_vars
                .push((var, idx, self.current(), call.node.start_byte()));
        }
        self.m.builders.push(BuilderService {
            name,
            kind,
            span: self.loc.node(call.node),
            handlers,
        });
    }

    fn builder_handler(&self, parts: &CallParts<'_>) -> Option<BuilderHandler> {
        let name = parts.arg(0).and_then(|a| self.lit(a))?;
        let ctor_node = parts.arg(1)?;
        let ctor = call_parts(go::unparen(ctor_node))?;
        let ctor_name = self.restate_fn(&ctor.callee(self.src))?;
        let kind = match ctor_name {
            "NewServiceHandler" => HandlerKind::Service,
            "NewObjectHandler" => HandlerKind::Exclusive,
            "NewObjectSharedHandler" => HandlerKind::Shared,
            "NewWorkflowHandler" => HandlerKind::WorkflowRun,
            "NewWorkflowSharedHandler" => HandlerKind::WorkflowShared,
            _ => return None,
        };
        let fn_arg = ctor.arg(0);
        let target = match fn_arg.map(go::unparen) {
            Some(a) if a.kind() == "identifier" => HandlerTarget::Func(self.text(a).to_string()),
            Some(a) if a.kind() == "selector_expression" => HandlerTarget::Selector {
                operand: field(a, "operand")
                    .map(|o| self.text(o).to_string())
                    .unwrap_or_default(),
                name: field(a, "field")
                    .map(|o| self.text(o).to_string())
                    .unwrap_or_default(),
            },
            Some(a) if a.kind() == "func_literal" => HandlerTarget::Literal(self.loc.node(a)),
            _ => HandlerTarget::Unknown,
        };
        let io = ctor.type_args.and_then(|t| {
            let texts: Vec<String> = if t.kind() == "type_arguments" {
                named_children(t)
                    .into_iter()
                    .map(|x| self.text(x).to_string())
                    .collect()
            } else {
                vec![self.text(t).to_string()]
            };
            (texts.len() == 2).then(|| (texts[0].clone(), texts[1].clone()))
        });
        let io = io.or_else(|| {
            let lit = fn_arg.filter(|a| a.kind() == "func_literal")?;
            let params = field(lit, "parameters")
                .map(named_children)
                .unwrap_or_default();
            let input = params
                .get(1)
                .and_then(|p| field(*p, "type"))
                .map(|t| self.text(t).to_string())?;
            let result = field(lit, "result")?;
            let output = named_children(result)
                .first()
                .and_then(|p| field(*p, "type").or(Some(*p)))
                .map(|t| self.text(t).to_string())?;
            Some((input, output))
        });
        Some(BuilderHandler {
            name,
            kind,
            target,
            io,
        })
    }

    fn attach_var_handlers(&mut self) {
        for (var, h, func, at) in std::mem::take(&mut self.pending_var_handlers) {
            // The latest builder assigned to the same variable before this call, in the same function.
            if let Some((_, idx, _, _)) = self
                .builder_vars
                .iter()
                .rev()
                .find(|(v, _, f, start)| *v == var && *f == func && *start < at)
                && let Some(b) = self.m.builders.get_mut(*idx)
            {
                b.handlers.push(h);
            }
        }
    }

    fn reflect(&mut self, call: &CallParts<'t>) {
        let Some(arg) = call.arg(0).map(go::unparen) else {
            return;
        };
        let (ty, pointer) = match reflect_type(arg, self.sem) {
            Some(x) => x,
            None => {
                if let Some(ctor) = constructor_call(arg, self.sem) {
                    self.m.reflects.push(ReflectSite {
                        type_name: String::new(),
                        type_pkg: None,
                        pointer: true,
                        span: self.loc.node(call.node),
                        ctor: Some(ctor),
                    });
                }
                return;
            }
        };
        let (type_pkg, type_name) = match ty.split_once('.') {
            Some((p, n)) => (Some(p.to_string()), n.to_string()),
            None => (None, ty),
        };
        self.m.reflects.push(ReflectSite {
            type_name,
            type_pkg,
            pointer,
            span: self.loc.node(call.node),
            ctor: None,
        });
    }

    fn state_op(&mut self, call: &CallParts<'t>, name: &str) {
        let op = match name {
            "Get" => StateOpKind::Get,
            "Set" => StateOpKind::Set,
            "Clear" => StateOpKind::Clear,
            "ClearAll" => StateOpKind::ClearAll,
            _ => StateOpKind::Keys,
        };
        let key_node = call.arg(1);
        let key = key_node.and_then(|k| self.lit(k));
        let dynamic_key = key_node.is_some()
            && key.is_none()
            && !matches!(op, StateOpKind::ClearAll | StateOpKind::Keys);
        self.m.state_ops.push(StateOp {
            op,
            key,
            dynamic_key,
            span: self.loc.node(call.node),
            func: self.current(),
        });
    }

    // ---- effects and the call graph -----------------------------------------------------------------

    /// Record the call's effect; whether the call is settled as one (a call on a field whose type
    /// is declared in another file is recorded as pending and not settled).
    fn effect_of_call(&mut self, call: &CallParts<'t>, callee: &Callee<'t, '_>) -> bool {
        let Some(fi) = self.current() else {
            return false;
        };
        let found = effects::classify_call(call, callee, self.sem, &self.opts.effects);
        if let Some((effect, what)) = found {
            let span = self.loc.node(call.node);
            self.m.functions[fi as usize]
                .effect_sites_mut()
                .direct
                .push(EffectSite { effect, what, span });
            return true;
        }
        // `x.field.Method(..)` where x's struct type is declared in another file.
        let Callee::Selector { operand, name, .. } = *callee else {
            return false;
        };
        if !effects::is_io_method(name, &self.opts.effects)
            || operand.kind() != "selector_expression"
        {
            return false;
        }
        let (Some(base), Some(fld)) = (field(operand, "operand"), field(operand, "field")) else {
            return false;
        };
        let Some(type_name) = self.sem.named_type_of(base) else {
            return false;
        };
        if self.m.types.iter().any(|t| t.name == type_name) {
            return false;
        }
        let pending = PendingEffect {
            type_name,
            field: self.text(fld).to_string(),
            method: name.to_string(),
            span: self.loc.node(call.node),
        };
        self.m.functions[fi as usize]
            .effect_sites_mut()
            .pending
            .push(pending);
        // Not settled until the field's type is known: when it is not a catalogued client, the
        // call is still judged as a context call.
        false
    }

    /// Package variables such as `os.Args` and writes to `os.Stdout` are effects without a call.
    fn selector_effect(&mut self, n: Node<'t>) {
        if self.current_region() == Region::Run {
            return;
        }
        let Some(fi) = self.current() else { return };
        if let Some((effect, what)) = effects::classify_selector(n, self.sem) {
            let span = self.loc.node(n);
            self.m.functions[fi as usize]
                .effect_sites_mut()
                .direct
                .push(EffectSite { effect, what, span });
        }
    }

    fn call_ref(&mut self, call: &CallParts<'t>, callee: &Callee<'t, '_>) {
        let Some(fi) = self.current() else { return };
        let Some(target) = self.call_target(call, callee) else {
            return;
        };
        let span = self.loc.node(call.node);
        self.m.functions[fi as usize]
            .calls
            .push(CallRef { target, span });
    }

    /// What a call may reach in the workspace, when syntax shows it: a function of this package,
    /// a function of an imported package outside the standard library and the SDK, or a method
    /// of a named type of this package.
    fn call_target(&self, call: &CallParts<'t>, callee: &Callee<'t, '_>) -> Option<CallTarget> {
        Some(match *callee {
            Callee::Ident(name) => {
                if go::is_builtin_func(name) || self.sem.resolve(call.func).is_some() {
                    return None;
                }
                CallTarget::Func(name.into())
            }
            Callee::Selector {
                operand,
                operand_ident,
                name,
            } => {
                if operand_ident.is_some()
                    && let Some(path) = self.sem.import_path(operand)
                {
                    if path == SDK_PATH
                        || path == INGRESS_PATH
                        || path == SERVER_PATH
                        || !path.contains('.')
                    {
                        return None;
                    }
                    CallTarget::PkgFunc {
                        path: path.into(),
                        name: name.into(),
                    }
                } else {
                    CallTarget::Method {
                        type_name: self.sem.named_type_of(operand)?.into(),
                        name: name.into(),
                    }
                }
            }
            Callee::Other => return None,
        })
    }

    /// A context-like value: the function's Restate context, a `context.Context` parameter, or a
    /// local derived from one (`context.WithTimeout(ctx, d)`, `tracer.Start(ctx, "x")`,
    /// `restate.WrapContext(ctx, c)`).
    fn is_context(&self, n: Node<'t>, depth: u32) -> bool {
        let n = go::unparen(n);
        if depth > 4 {
            return false;
        }
        match n.kind() {
            "identifier" => {
                let Some(d) = self.sem.resolve(n) else {
                    return false;
                };
                match d.kind {
                    DeclKind::Param => {
                        let Some(ty) = d.ty else { return false };
                        self.ctx_kind_of_type(ty).is_some_and(|k| k.is_handler())
                            || self.sem.normalize(self.text(ty)) == "context.Context"
                    }
                    DeclKind::Local => self
                        .sem
                        .reaching_value(n)
                        .is_some_and(|v| self.derives_context(v, depth + 1)),
                    _ => false,
                }
            }
            "call_expression" => self.derives_context(n, depth + 1),
            _ => false,
        }
    }

    /// `context.WithX(ctx, ..)`, `x.Start(ctx, ..)`, `restate.WrapContext(ctx, ..)`,
    /// `restate.WithValue(ctx, ..)` on a context-like first argument.
    fn derives_context(&self, v: Node<'t>, depth: u32) -> bool {
        let Some(c) = call_parts(go::unparen(v)) else {
            return false;
        };
        let first_is_ctx = c.arg(0).is_some_and(|a| self.is_context(a, depth));
        if !first_is_ctx {
            return false;
        }
        match c.callee(self.src) {
            Callee::Selector {
                operand,
                operand_ident: Some(_),
                name,
            } if self.sem.import_path(operand).is_some() => {
                let path = self.sem.import_path(operand).unwrap_or("");
                (path == "context" && name.starts_with("With"))
                    || (path == SDK_PATH && matches!(name, "WrapContext" | "WithValue"))
            }
            Callee::Selector { name: "Start", .. } => true,
            _ => false,
        }
    }

    /// Callees that take a context without doing I/O: the SDK, the `context` package,
    /// OpenTelemetry, `slog`'s `*Context` functions (RS1007's business), `errgroup.WithContext`
    /// (RS2002's), and methods of the context itself.
    fn quiet_with_context(&self, callee: &Callee<'t, '_>) -> bool {
        match *callee {
            Callee::Selector {
                operand,
                operand_ident,
                name,
            } => {
                if operand_ident.is_some()
                    && let Some(path) = self.sem.import_path(operand)
                {
                    return path == SDK_PATH
                        || path.starts_with("github.com/restatedev/sdk-go/")
                        || path == "context"
                        || path.starts_with("go.opentelemetry.io/")
                        || path == "log/slog"
                        || path == "log"
                        || path == "golang.org/x/sync/errgroup"
                        || path == "time"
                        || path == "errors"
                        || path == "fmt";
                }
                name.ends_with("Context") && name.len() > "Context".len()
                    && matches!(&name[..name.len() - "Context".len()], "Debug" | "Info" | "Warn" | "Error" | "Log")
                    || self.is_context(operand, 0)
                    || matches!(name, "SetAttributes" | "AddEvent" | "RecordError" | "SetStatus" | "End" | "SpanFromContext")
                    // A tracer (`otel.Tracer("x")`, kept in a variable) starting a span.
                    || (name == "Start" && self.made_by(operand, "go.opentelemetry.io/"))
            }
            _ => false,
        }
    }

    /// Whether the value of `operand` (a variable, or a call written in place) was made by a
    /// function of a package whose path starts with `prefix`.
    fn made_by(&self, operand: Node<'t>, prefix: &str) -> bool {
        let operand = go::unparen(operand);
        let value = match operand.kind() {
            // Made right there: `otel.Tracer("x").Start(ctx, ..)`.
            "call_expression" => Some(operand),
            "identifier" => {
                let Some(b) = self.sem.binding_of(operand) else {
                    return false;
                };
                self.sem
                    .reaching_value(operand)
                    .or(self.sem.binding(b).value)
            }
            _ => return false,
        };
        value
            .and_then(|v| call_parts(go::unparen(v)))
            .is_some_and(|c| match c.callee(self.src) {
                Callee::Selector {
                    operand: pkg,
                    operand_ident: Some(_),
                    ..
                } => self
                    .sem
                    .import_path(pkg)
                    .is_some_and(|p| p.starts_with(prefix)),
                _ => false,
            })
    }

    /// A call outside Run that receives a context: recorded with its callee for the rules.
    fn ctx_call(&mut self, call: &CallParts<'t>, callee: &Callee<'t, '_>) {
        let Some(fi) = self.current() else { return };
        if self.restate_fn(callee).is_some()
            || sdk_fn(&self.m.ingress, callee).is_some()
            || !call.args.iter().any(|a| self.is_context(*a, 0))
            || self.quiet_with_context(callee)
        {
            return;
        }
        let ctx_callee = match *callee {
            Callee::Ident(name) => {
                if self.sem.resolve(call.func).is_some() || go::is_builtin_func(name) {
                    // A func value written for Restate (`op func(restate.ObjectContext) error`):
                    // its body is checked where it is written.
                    if self
                        .sem
                        .type_of(call.func)
                        .is_some_and(|t| self.func_text_takes_restate_ctx(&t))
                    {
                        return;
                    }
                    CtxCallee::Unknown
                } else {
                    CtxCallee::Func(name.into())
                }
            }
            Callee::Selector {
                operand,
                operand_ident,
                name,
            } => {
                if operand_ident.is_some()
                    && let Some(path) = self.sem.import_path(operand)
                {
                    CtxCallee::PkgFunc {
                        path: path.into(),
                        name: name.into(),
                    }
                } else {
                    self.method_path(operand, name)
                }
            }
            Callee::Other => CtxCallee::Unknown,
        };
        let what = go::one_line(self.text(call.func), 60).into_boxed_str();
        let span = self.loc.node(call.node);
        self.m.functions[fi as usize]
            .effect_sites_mut()
            .ctx_calls
            .push(CtxCall {
                callee: ctx_callee,
                what,
                span,
            });
    }

    /// `x.f.g` as the receiver of method `name`: the root's type (or package variable) and the
    /// fields followed.
    fn method_path(&self, operand: Node<'t>, name: &str) -> CtxCallee {
        let mut fields: Vec<Box<str>> = vec![];
        let mut cur = go::unparen(operand);
        while cur.kind() == "selector_expression" {
            let (Some(op), Some(f)) = (field(cur, "operand"), field(cur, "field")) else {
                return CtxCallee::Unknown;
            };
            fields.push(self.text(f).into());
            cur = go::unparen(op);
        }
        fields.reverse();
        if cur.kind() != "identifier" {
            // A call result (`client.Chat().New(ctx)`) or an index: its type from syntax.
            return match self.sem.type_of(cur) {
                Some(root) => CtxCallee::Method {
                    root: root.into(),
                    fields: fields.into_boxed_slice(),
                    name: name.into(),
                },
                None => CtxCallee::UnknownMethod(name.into()),
            };
        }
        match self.sem.type_of(cur) {
            Some(root) => CtxCallee::Method {
                root: root.into(),
                fields: fields.into_boxed_slice(),
                name: name.into(),
            },
            None if self.sem.binding_of(cur).is_none() => CtxCallee::VarMethod {
                var: self.text(cur).into(),
                fields: fields.into_boxed_slice(),
                name: name.into(),
            },
            None => CtxCallee::UnknownMethod(name.into()),
        }
    }

    fn write(&mut self, n: Node<'t>) {
        let targets: Vec<Node<'_>> = match n.kind() {
            "assignment_statement" => field(n, "left").map(named_children).unwrap_or_default(),
            _ => named_children(n).into_iter().take(1).collect(),
        };
        for t in targets {
            // `g[k] = v`, `g.x = v`: the write is to `g`.
            let base = go::assigned_root(t);
            if base.kind() != "identifier" {
                continue;
            }
            let name = self.text(base);
            if name == "_" || self.m.global_writes.iter().any(|g| g == name) {
                continue;
            }
            // A name that resolves to no local declaration is package-level (this file's or
            // another's).
            let global = self.sem.resolve(base).is_none();
            if self.current().is_some() && global {
                self.m.global_writes.push(name.to_string());
            }
        }
    }
}

/// `<pkg>.Name` where `<pkg>` is how the file refers to an SDK package.
pub fn sdk_fn<'s>(pkg: &Option<PkgRef>, callee: &Callee<'_, 's>) -> Option<&'s str> {
    match (pkg, callee) {
        (
            Some(PkgRef::Named(alias)),
            Callee::Selector {
                operand_ident: Some(op),
                name,
                ..
            },
        ) if op == alias => Some(name),
        (Some(PkgRef::Dot), Callee::Ident(name)) => Some(name),
        _ => None,
    }
}

/// The variable an expression is assigned to, if any (`svc := restate.NewService(...)...`): the
/// first name on the left.
fn assigned_ident<'t>(sem: &Semantic<'t>, expr: Node<'t>) -> Option<Node<'t>> {
    let list = sem.parent(expr).filter(|p| p.kind() == "expression_list")?;
    let stmt = sem.parent(list)?;
    let left = match stmt.kind() {
        "short_var_declaration" | "assignment_statement" => field(stmt, "left")?,
        _ => return None,
    };
    let first = named_children(left).into_iter().next()?;
    (first.kind() == "identifier").then_some(first)
}

/// The type passed to `Reflect`: `T{}`, `&T{}`, `new(T)`, `pkg.T{}`, or a variable initialised with
/// one of these.
/// `NewSvc(...)` / `pkg.NewSvc(...)`, directly or through a variable: the function's name.
fn constructor_call<'t>(arg: Node<'t>, sem: &Semantic<'t>) -> Option<String> {
    let src = sem.src();
    let arg = go::unparen(arg);
    match arg.kind() {
        "call_expression" => {
            let f = field(arg, "function")?;
            matches!(f.kind(), "identifier" | "selector_expression")
                .then(|| text(f, src).to_string())
        }
        "identifier" => constructor_call(sem.resolve(arg)?.value?, sem),
        _ => None,
    }
}

fn reflect_type<'t>(arg: Node<'t>, sem: &Semantic<'t>) -> Option<(String, bool)> {
    let src = sem.src();
    match arg.kind() {
        "composite_literal" => Some((text(field(arg, "type")?, src).to_string(), false)),
        "unary_expression" => {
            let op = field(arg, "operand").map(go::unparen)?;
            if op.kind() == "composite_literal" {
                Some((text(field(op, "type")?, src).to_string(), true))
            } else {
                None
            }
        }
        "call_expression" => {
            let f = field(arg, "function")?;
            if text(f, src) != "new" {
                return None;
            }
            let a = field(arg, "arguments").and_then(|l| named_children(l).into_iter().next())?;
            Some((text(a, src).to_string(), true))
        }
        "identifier" => {
            let d = sem.resolve(arg)?;
            if let Some(v) = d.value {
                return reflect_type(go::unparen(v), sem);
            }
            let ty = d.ty?;
            if ty.kind() == "pointer_type" {
                let inner = named_children(ty).into_iter().next()?;
                Some((text(inner, src).to_string(), true))
            } else {
                Some((text(ty, src).to_string(), false))
            }
        }
        _ => None,
    }
}

/// Bytes a summary keeps on the heap (an estimate: lengths and capacities of its strings and
/// vectors), for the memory budget of closed files.
pub fn heap_bytes(m: &FileModel) -> usize {
    use std::mem::size_of;
    fn s(x: &String) -> usize {
        x.capacity()
    }
    fn v<T>(x: &Vec<T>) -> usize {
        x.capacity() * size_of::<T>()
    }
    let mut n = size_of::<FileModel>() + s(&m.package);
    n += v(&m.imports)
        + m.imports
            .iter()
            .map(|i| s(&i.path) + i.alias.as_ref().map_or(0, s))
            .sum::<usize>();
    n += v(&m.ctx_aliases) + m.ctx_aliases.iter().map(|(a, _)| s(a)).sum::<usize>();
    n += v(&m.types)
        + m.types
            .iter()
            .map(|t| {
                s(&t.name) + v(&t.fields) + t.fields.iter().map(|(a, b)| s(a) + s(b)).sum::<usize>()
            })
            .sum::<usize>();
    n += v(&m.functions)
        + m.functions
            .iter()
            .map(|f| {
                s(&f.name)
                    + f.receiver
                        .as_ref()
                        .map_or(0, |r| size_of::<Receiver>() + s(&r.name) + s(&r.type_name))
                    + f.ctx
                        .as_ref()
                        .map_or(0, |c| size_of::<CtxParam>() + s(&c.name))
                    + std::mem::size_of_val(&*f.params)
                    + f.params
                        .iter()
                        .map(|p| s(&p.name) + s(&p.ty))
                        .sum::<usize>()
                    + std::mem::size_of_val(&*f.results)
                    + f.results.iter().map(s).sum::<usize>()
                    + f.effect_sites.as_ref().map_or(0, |e| {
                        size_of::<EffectSites>() + v(&e.direct) + v(&e.pending) + v(&e.ctx_calls)
                    })
                    + f.ctx_calls()
                        .iter()
                        .map(|c| {
                            c.what.len()
                                + match &c.callee {
                                    CtxCallee::Func(n) => n.len(),
                                    CtxCallee::PkgFunc { path, name } => path.len() + name.len(),
                                    CtxCallee::Method { root, fields, name } => {
                                        root.len()
                                            + name.len()
                                            + fields.iter().map(|x| x.len() + 16).sum::<usize>()
                                    }
                                    CtxCallee::VarMethod { var, fields, name } => {
                                        var.len()
                                            + name.len()
                                            + fields.iter().map(|x| x.len() + 16).sum::<usize>()
                                    }
                                    CtxCallee::UnknownMethod(n) => n.len(),
                                    CtxCallee::Unknown => 0,
                                }
                        })
                        .sum::<usize>()
                    + f.passed_to
                        .as_ref()
                        .map_or(0, |_| size_of::<(CallTarget, u8)>())
                    + f.effects().iter().map(|e| s(&e.what)).sum::<usize>()
                    + f.pending_effects()
                        .iter()
                        .map(|p| s(&p.type_name) + s(&p.field) + s(&p.method))
                        .sum::<usize>()
                    + v(&f.calls)
                    + f.calls
                        .iter()
                        .map(|c| match &c.target {
                            CallTarget::Func(x) => x.len(),
                            CallTarget::PkgFunc { path, name } => path.len() + name.len(),
                            CallTarget::Method { type_name, name } => type_name.len() + name.len(),
                        })
                        .sum::<usize>()
            })
            .sum::<usize>();
    n += v(&m.builders)
        + m.builders
            .iter()
            .map(|b| {
                s(&b.name.value)
                    + v(&b.handlers)
                    + b.handlers.iter().map(|h| s(&h.name.value)).sum::<usize>()
            })
            .sum::<usize>();
    n += v(&m.reflects) + m.reflects.iter().map(|r| s(&r.type_name)).sum::<usize>();
    n += v(&m.service_names)
        + m.service_names
            .iter()
            .map(|o| s(&o.type_name) + s(&o.name))
            .sum::<usize>();
    n += v(&m.calls)
        + m.calls
            .iter()
            .map(|c| {
                c.service.as_ref().map_or(0, |l| s(&l.value))
                    + c.handler.as_ref().map_or(0, |l| s(&l.value))
            })
            .sum::<usize>();
    n += v(&m.state_ops)
        + m.state_ops
            .iter()
            .map(|o| o.key.as_ref().map_or(0, |k| s(&k.value)))
            .sum::<usize>();
    n += v(&m.package_vars) + m.package_vars.iter().map(|p| s(&p.name)).sum::<usize>();
    n += v(&m.global_writes) + m.global_writes.iter().map(s).sum::<usize>();
    n
}

/// The statements of a block (which holds them in a `statement_list`).
fn block_statements(b: Node<'_>) -> Vec<Node<'_>> {
    named_children(b)
        .into_iter()
        .flat_map(|c| {
            if c.kind() == "statement_list" {
                named_children(c)
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;

    fn model(src: &str) -> FileModel {
        extract(src, &parse_str(src))
    }

    #[test]
    fn aliased_unaliased_and_dot_imports() {
        for (imp, ctx) in [
            ("\"github.com/restatedev/sdk-go\"", "restate.ObjectContext"),
            ("sdk \"github.com/restatedev/sdk-go\"", "sdk.ObjectContext"),
            (". \"github.com/restatedev/sdk-go\"", "ObjectContext"),
        ] {
            let src = format!(
                "package p\nimport {imp}\ntype Cart struct{{}}\nfunc (c *Cart) Add(ctx {ctx}, item string) error {{ return nil }}\n"
            );
            let m = model(&src);
            let (_, f) = m
                .handler_methods()
                .next()
                .unwrap_or_else(|| panic!("no handler for {imp}"));
            assert_eq!(
                f.ctx.as_ref().map(|c| c.kind),
                Some(CtxKind::ObjectExclusive),
                "{imp}"
            );
            assert_eq!(
                f.receiver.as_ref().map(|r| r.type_name.as_str()),
                Some("Cart")
            );
        }
        // A file that does not import the SDK has no handlers even with the same spelling.
        let m = model(
            "package p\nimport restate \"example.com/other\"\nfunc H(ctx restate.Context) {}\n",
        );
        assert!(m.functions[0].ctx.is_none());
    }

    #[test]
    fn builder_services_and_calls() {
        let src = r#"package p
import (
	restate "github.com/restatedev/sdk-go"
	"github.com/restatedev/sdk-go/ingress"
)
func greet(ctx restate.Context, name string) (string, error) { return name, nil }
func Def() {
	_ = restate.NewService("Greeter").
		Handler("greet", restate.NewServiceHandler(greet)).
		Handler("shout", restate.NewServiceHandler[string, string](func(ctx restate.Context, s string) (string, error) { return s, nil }))
	obj := restate.NewObject("Counter")
	obj.Handler("add", restate.NewObjectSharedHandler(add))
}
func call(ctx restate.ObjectContext) {
	_, _ = restate.Object[int](ctx, "Counter", restate.Key(ctx), "add").Request(1)
	restate.ServiceSend(ctx, "Greeter", "greet").Send("x", restate.WithIdempotencyKey("k"))
	c := ingress.NewClient("http://localhost:8080")
	_, _ = ingress.Service[string, string](c, "Greeter", "greet").Request(nil, "x")
}
"#;
        let m = model(src);
        assert_eq!(m.builders.len(), 2);
        assert_eq!(m.builders[0].name.value, "Greeter");
        let names: Vec<_> = m.builders[0]
            .handlers
            .iter()
            .map(|h| h.name.value.as_str())
            .collect();
        assert_eq!(names, ["greet", "shout"]);
        assert_eq!(m.builders[1].handlers.len(), 1);
        assert_eq!(m.builders[1].handlers[0].kind, HandlerKind::Shared);
        assert_eq!(m.calls.len(), 3);
        assert_eq!(m.calls[0].key, Some(KeyArg::OwnKey));
        assert_eq!(m.calls[0].method, Some(ClientMethod::Request));
        assert!(m.calls[1].has_idempotency_key);
        assert!(m.calls[2].ingress);
        let lit_fn = m
            .functions
            .iter()
            .find(|f| f.kind == FuncKind::Literal)
            .unwrap();
        assert!(matches!(lit_fn.region, Region::Handler { .. }));
    }

    #[test]
    fn run_closures_and_regions() {
        let src = r#"package p
import restate "github.com/restatedev/sdk-go"
func H(ctx restate.Context) error {
	_, err := restate.Run(ctx, func(ctx restate.RunContext) (int, error) { return 1, nil })
	defer func() { _ = 1 }()
	return err
}
func helper() {}
"#;
        let m = model(src);
        let regions: Vec<_> = m
            .functions
            .iter()
            .map(|f| (f.name.clone(), f.region, f.run_closure))
            .collect();
        assert_eq!(regions[0].1, Region::Handler { root: 0 });
        assert_eq!(regions[1].1, Region::Run);
        assert!(regions[1].2);
        assert_eq!(regions[2].1, Region::Handler { root: 0 });
        assert_eq!(regions[3].1, Region::Plain);
    }

    #[test]
    fn reflect_and_service_name() {
        let src = r#"package p
import restate "github.com/restatedev/sdk-go"
type Bank struct{}
func (Bank) ServiceName() string { return "BankV2" }
func main() {
	b := &Bank{}
	_ = restate.Reflect(b)
	_ = restate.Reflect(Bank{})
}
"#;
        let m = model(src);
        assert_eq!(m.service_names[0].name, "BankV2");
        assert_eq!(m.reflects.len(), 2);
        assert!(m.reflects[0].pointer);
        assert!(!m.reflects[1].pointer);
    }

    #[test]
    fn generated_marker() {
        assert!(is_generated(
            "// Code generated by protoc-gen-go-restate. DO NOT EDIT.\npackage p\n"
        ));
        assert!(!is_generated(
            "package p\n// Code generated by x. DO NOT EDIT.\n"
        ));
    }
}

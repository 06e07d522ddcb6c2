//! What kind of SDK value an expression is (a call client, a response future, a timer, an
//! awakeable, ...), from the call that made it or the declaration of the variable holding it. Rules
//! use it to tell `AfterFuture.Done()` from an invented `.Done()`, and hover uses it to document
//! methods on futures.
//!
//! Two readings: `kind_of` is the permissive one most rules and hover use (it follows a
//! variable's initialiser and nothing else), `sdk_value_of` the certain one for rules that report
//! what a value cannot do (RS9002's missing methods, RS7003's nil checks): it also knows declared
//! SDK types and protoc-gen-go-restate clients, and it gives up on anything that might hold
//! something else (a reassigned variable, a shadowed package name, a declared non-SDK type).

use std::cell::RefCell;
use std::path::Path;

use rustc_hash::FxHashMap;
use tree_sitter::Node;

use crate::analysis::go::{self, Callee, call_parts, field, text};
use crate::analysis::model::{CallTarget, FileModel, PkgRef, sdk_fn};
use crate::analysis::semantic::{BindingId, BindingKind, DeclKind, Semantic};
use crate::analysis::workspace::Workspace;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutureKind {
    /// `restate.Service/Object/Workflow[O](...)`: a request client.
    Client,
    /// `restate.ServiceSend/ObjectSend/WorkflowSend(...)`.
    SendClient,
    /// `.RequestFuture(x)`.
    Response,
    /// `restate.After(...)`.
    After,
    RunAsync,
    Awakeable,
    Signal,
    Promise,
    Attach,
    /// `restate.WaitFirst(...)`'s winner.
    WaitFirstResult,
    /// `restate.Rand(ctx)`.
    Rand,
    /// `ingress.Service/Object/Workflow[I, O](...)`.
    IngressRequester,
    IngressSendRequester,
    /// `ingress.WorkflowHandle/InvocationById/...`.
    InvocationHandle,
    /// `.Send(...)` in a handler: an invocation handle with `GetInvocationId`.
    Invocation,
    /// `ingress.NewClient(...)`.
    IngressClient,
    /// `restate.NewService/NewObject/NewWorkflow(...)` builders.
    Builder,
    /// `server.NewRestate()` and its chained setters.
    ServerRestate,
    /// `restate.WaitIter(...)`.
    WaitIterator,
    /// `restate.TerminalErrorf/ToTerminalError/AsTerminalError(...)`.
    TerminalError,
    /// `restate.Reflect(...)`.
    ServiceDefinition,
    /// `ctx.Request().Headers`, `TerminalError.Metadata()`.
    StringMap,
    /// The result of an ingress `.Send(ctx, x)`.
    SendResponse,
    /// `NewXClient(ctx, ...)` of protoc-gen-go-restate: every method returns a `restate.Client`
    /// for one handler (only `sdk_value_of` knows these).
    TypedClient,
}

impl FutureKind {
    /// The Go type name used by the hover docs for methods on this value.
    pub fn type_name(self) -> &'static str {
        match self {
            FutureKind::Client => "Client",
            FutureKind::SendClient => "SendClient",
            FutureKind::Response => "ResponseFuture",
            FutureKind::After => "AfterFuture",
            FutureKind::RunAsync => "RunAsyncFuture",
            FutureKind::Awakeable => "AwakeableFuture",
            FutureKind::Signal => "SignalFuture",
            FutureKind::Promise => "DurablePromise",
            FutureKind::Attach => "AttachFuture",
            FutureKind::WaitFirstResult => "Future",
            FutureKind::Rand => "Rand",
            FutureKind::IngressRequester => "Requester",
            FutureKind::IngressSendRequester => "SendRequester",
            FutureKind::InvocationHandle => "InvocationHandle",
            FutureKind::Invocation => "Invocation",
            FutureKind::IngressClient => "Client",
            FutureKind::Builder => "NewService",
            FutureKind::ServerRestate => "Restate",
            FutureKind::WaitIterator => "WaitIterator",
            FutureKind::TerminalError => "TerminalError",
            FutureKind::ServiceDefinition => "ServiceDefinition",
            FutureKind::StringMap => "StringMap",
            FutureKind::SendResponse => "SimpleSendResponse",
            FutureKind::TypedClient => "TypedClient",
        }
    }

    /// Whether this is a value users await (`Response`, `Result`, `Done`).
    pub fn is_awaitable(self) -> bool {
        matches!(
            self,
            FutureKind::Response
                | FutureKind::After
                | FutureKind::RunAsync
                | FutureKind::Awakeable
                | FutureKind::Signal
                | FutureKind::Promise
                | FutureKind::Attach
        )
    }
}

/// What `sdk_value_of` reads besides the file: the workspace, for generated clients, and a memo of
/// the variables assigned after their declaration, so asking about every method call on one
/// variable scans its uses once, not once per call.
pub struct Values<'a> {
    ws: Option<(&'a Workspace, &'a Path)>,
    reassigned: RefCell<FxHashMap<BindingId, bool>>,
}

impl<'a> Values<'a> {
    /// For the file at `path` of `ws`.
    pub fn new(ws: &'a Workspace, path: &'a Path) -> Self {
        Values {
            ws: Some((ws, path)),
            reassigned: RefCell::default(),
        }
    }

    /// Without a workspace: generated clients are not recognised.
    pub fn file_only() -> Self {
        Values {
            ws: None,
            reassigned: RefCell::default(),
        }
    }

    fn reassigned(&self, sem: &Semantic<'_>, id: BindingId) -> bool {
        if let Some(&r) = self.reassigned.borrow().get(&id) {
            return r;
        }
        // A later assignment (a `:=` redeclaration included) or `&x` may store anything.
        let r = sem.uses(id).iter().any(|u| sem.is_write(*u));
        self.reassigned.borrow_mut().insert(id, r);
        r
    }
}

/// How `kind_depth` reads an expression: `sdk_value_of`'s certain reading when `values` is set
/// (see the module comment).
#[derive(Clone, Copy)]
struct Mode<'a> {
    values: Option<&'a Values<'a>>,
}

/// The kind of value an expression evaluates to, if it comes from the SDK.
pub fn kind_of<'t>(expr: Node<'t>, sem: &Semantic<'t>, model: &FileModel) -> Option<FutureKind> {
    kind_depth(expr, sem, model, Mode { values: None }, 0)
}

/// The kind of SDK value an expression certainly is: through variables that are never assigned
/// again (nor have their address taken), declared SDK types (`f restate.ResponseFuture[T]`),
/// calls of the SDK whose package name is not shadowed, and generated clients of the workspace.
pub fn sdk_value_of<'t>(
    expr: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
    values: &Values<'_>,
) -> Option<FutureKind> {
    kind_depth(
        expr,
        sem,
        model,
        Mode {
            values: Some(values),
        },
        0,
    )
}

fn kind_depth<'t>(
    expr: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
    mode: Mode<'_>,
    depth: u32,
) -> Option<FutureKind> {
    let src = sem.src();
    if depth > 6 {
        return None;
    }
    let expr = go::unparen(expr);
    match expr.kind() {
        "identifier" if mode.values.is_some() => variable_kind(expr, sem, model, mode, depth),
        "identifier" => {
            let d = sem.resolve(expr)?;
            if d.stmt.kind() == "range_clause" {
                return None;
            }
            // `first, err := restate.WaitFirst(...)`: only the first result is the winner.
            let v = d.value?;
            let k = kind_depth(v, sem, model, mode, depth + 1)?;
            if k == FutureKind::WaitFirstResult && !is_first_of(d.stmt, d.name) {
                return None;
            }
            Some(k)
        }
        // `ctx.Request().Headers`
        "selector_expression" => {
            let f = field(expr, "field")?;
            let operand = go::unparen(field(expr, "operand")?);
            let call = call_parts(operand)?;
            match (text(f, src), call.callee(src)) {
                (
                    "Headers",
                    Callee::Selector {
                        name: "Request", ..
                    },
                ) if call.args.is_empty() => Some(FutureKind::StringMap),
                _ => None,
            }
        }
        "call_expression" | "type_conversion_expression" => {
            let call = call_parts(expr)?;
            let callee = call.callee(src);
            // A local value named like the package: `restate.Awakeable(c)` is its method.
            let package = !(mode.values.is_some() && shadowed(&callee, call.func, sem));
            if let Some(name) = sdk_fn(&model.restate, &callee).filter(|_| package) {
                return Some(match name {
                    "Service" | "Object" | "Workflow" => FutureKind::Client,
                    "ServiceSend" | "ObjectSend" | "WorkflowSend" => FutureKind::SendClient,
                    "After" => FutureKind::After,
                    "RunAsync" => FutureKind::RunAsync,
                    "Awakeable" => FutureKind::Awakeable,
                    "Signal" => FutureKind::Signal,
                    "Promise" => FutureKind::Promise,
                    "AttachInvocation" => FutureKind::Attach,
                    "WaitFirst" => FutureKind::WaitFirstResult,
                    "Rand" => FutureKind::Rand,
                    "WaitIter" => FutureKind::WaitIterator,
                    "TerminalErrorf" | "ToTerminalError" | "AsTerminalError" => {
                        FutureKind::TerminalError
                    }
                    "Reflect" => FutureKind::ServiceDefinition,
                    "WithRequestType" => FutureKind::Client,
                    "NewService" | "NewObject" | "NewWorkflow" => FutureKind::Builder,
                    _ => return None,
                });
            }
            if let Some(name) = sdk_fn(&model.ingress, &callee).filter(|_| package) {
                return Some(match name {
                    "Service" | "Object" | "Workflow" | "NewRequester" => {
                        FutureKind::IngressRequester
                    }
                    "ServiceSend" | "ObjectSend" | "WorkflowSend" => {
                        FutureKind::IngressSendRequester
                    }
                    "WorkflowHandle"
                    | "InvocationById"
                    | "ServiceInvocationByIdempotencyKey"
                    | "ObjectInvocationByIdempotencyKey" => FutureKind::InvocationHandle,
                    "NewClient" => FutureKind::IngressClient,
                    _ => return None,
                });
            }
            if let Callee::Selector {
                operand_ident: Some(pkg),
                name: "NewRestate",
                ..
            } = callee
                && package
                && model.import_path_for(pkg) == Some(crate::analysis::restate_api::SERVER_PATH)
            {
                return Some(FutureKind::ServerRestate);
            }
            if let Some((ws, path)) = mode.values.and_then(|v| v.ws)
                && package
                && generated_client(&callee, model, ws, path)
            {
                return Some(FutureKind::TypedClient);
            }
            // Methods on SDK values.
            if let Callee::Selector { operand, name, .. } = callee {
                let base = kind_depth(operand, sem, model, mode, depth + 1)?;
                return match (base, name) {
                    // `awakeable.Future()` does not exist: the awakeable is the future. Reading
                    // the call as the value it was meant to return lets RS9002 report every call
                    // of a chain (`f := awakeable.Future(); f.Done()`).
                    (k, "Future") if k.is_awaitable() => Some(k),
                    (FutureKind::TypedClient, _) => Some(FutureKind::Client),
                    (FutureKind::WaitIterator, "Value") => Some(FutureKind::WaitFirstResult),
                    (FutureKind::Client, "RequestFuture") => Some(FutureKind::Response),
                    (FutureKind::Client | FutureKind::SendClient, "Send") => {
                        Some(FutureKind::Invocation)
                    }
                    (FutureKind::Builder, "Handler") => Some(FutureKind::Builder),
                    (FutureKind::Builder | FutureKind::ServiceDefinition, "ConfigureHandler") => {
                        Some(FutureKind::ServiceDefinition)
                    }
                    (
                        FutureKind::ServerRestate,
                        "Bind" | "WithLogger" | "WithIdentityV1" | "Bidirectional",
                    ) => Some(FutureKind::ServerRestate),
                    (FutureKind::TerminalError, "Metadata") => Some(FutureKind::StringMap),
                    (FutureKind::IngressRequester | FutureKind::IngressSendRequester, "Send") => {
                        Some(FutureKind::SendResponse)
                    }
                    _ => None,
                };
            }
            None
        }
        _ => None,
    }
}

/// `sdk_value_of` on a variable: the kind of its declared type, else of its initialiser, when
/// nothing else is ever stored in it.
fn variable_kind<'t>(
    ident: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
    mode: Mode<'_>,
    depth: u32,
) -> Option<FutureKind> {
    let id = sem.binding_of(ident)?;
    let b = sem.binding(id);
    if !matches!(
        b.kind,
        BindingKind::Local(DeclKind::Local | DeclKind::Param)
    ) || matches!(b.stmt.kind(), "range_clause" | "type_switch_statement")
    {
        return None;
    }
    if let Some(ty) = b.ty {
        let k = declared_kind(ty, sem, model)?;
        return (!reassigned(mode, sem, id)).then_some(k);
    }
    let k = kind_depth(b.value?, sem, model, mode, depth + 1)?;
    if reassigned(mode, sem, id) {
        return None;
    }
    match b.result_index {
        None => Some(k),
        // The SDK calls with two results hold the value in the first (`first, err :=
        // restate.WaitFirst(...)`, `resp, err := requester.Send(bg, x)`).
        Some(0) if matches!(k, FutureKind::WaitFirstResult | FutureKind::SendResponse) => Some(k),
        Some(_) => None,
    }
}

fn reassigned(mode: Mode<'_>, sem: &Semantic<'_>, id: BindingId) -> bool {
    mode.values.is_none_or(|v| v.reassigned(sem, id))
}

/// The kind of an SDK type as declared (`restate.AwakeableFuture[string]`, `*ingress.Client`).
fn declared_kind<'t>(ty: Node<'t>, sem: &Semantic<'t>, model: &FileModel) -> Option<FutureKind> {
    let src = sem.src();
    let mut ty = ty;
    let mut pointer = false;
    loop {
        match ty.kind() {
            "generic_type" => ty = field(ty, "type")?,
            "pointer_type" if !pointer => {
                pointer = true;
                ty = ty.named_child(0)?;
            }
            "parenthesized_type" => ty = ty.named_child(0)?,
            _ => break,
        }
    }
    let (pkg, name) = match ty.kind() {
        "qualified_type" => {
            let pkg = text(field(ty, "package")?, src);
            (model.import_path_for(pkg)?, text(field(ty, "name")?, src))
        }
        // A dot-imported SDK type, unless the file declares one of that name.
        "type_identifier" if model.restate == Some(PkgRef::Dot) => {
            let name = text(ty, src);
            if sem.type_decl(name).is_some() {
                return None;
            }
            (crate::analysis::restate_api::SDK_PATH, name)
        }
        _ => return None,
    };
    use crate::analysis::restate_api::{INGRESS_PATH, SDK_PATH, SERVER_PATH};
    Some(match (pkg, name, pointer) {
        (SDK_PATH, "AfterFuture", false) => FutureKind::After,
        (SDK_PATH, "ResponseFuture", false) => FutureKind::Response,
        (SDK_PATH, "AttachFuture", false) => FutureKind::Attach,
        (SDK_PATH, "AwakeableFuture", false) => FutureKind::Awakeable,
        (SDK_PATH, "RunAsyncFuture", false) => FutureKind::RunAsync,
        (SDK_PATH, "SignalFuture", false) => FutureKind::Signal,
        (SDK_PATH, "DurablePromise", false) => FutureKind::Promise,
        (SDK_PATH, "Client", false) => FutureKind::Client,
        (SDK_PATH, "SendClient", false) => FutureKind::SendClient,
        (SDK_PATH, "Invocation", false) => FutureKind::Invocation,
        (SDK_PATH, "Future", false) => FutureKind::WaitFirstResult,
        (SDK_PATH, "WaitIterator", false) => FutureKind::WaitIterator,
        (SDK_PATH, "TerminalError", false) => FutureKind::TerminalError,
        (SDK_PATH, "ServiceDefinition", false) => FutureKind::ServiceDefinition,
        (SDK_PATH, "StringMap", false) => FutureKind::StringMap,
        (INGRESS_PATH, "Client", true) => FutureKind::IngressClient,
        (INGRESS_PATH, "Requester", false) => FutureKind::IngressRequester,
        (INGRESS_PATH, "SendRequester", false) => FutureKind::IngressSendRequester,
        (INGRESS_PATH, "InvocationHandle", false) => FutureKind::InvocationHandle,
        (INGRESS_PATH, "SendResponse" | "SimpleSendResponse", false) => FutureKind::SendResponse,
        (SERVER_PATH, "Restate", true) => FutureKind::ServerRestate,
        _ => return None,
    })
}

/// Whether the package name a call goes through is a local name here (`restate := fake{}`), so
/// the call is not the SDK's even though it is spelled like it.
fn shadowed<'t>(callee: &Callee<'t, '_>, func: Node<'t>, sem: &Semantic<'t>) -> bool {
    let named = match callee {
        Callee::Selector {
            operand,
            operand_ident: Some(_),
            ..
        } => *operand,
        Callee::Ident(_) => func,
        _ => return false,
    };
    sem.binding_of(named)
        .is_some_and(|b| sem.binding(b).kind != BindingKind::Import)
}

/// `NewXClient(ctx, ...)` (or `pkg.NewXClient`) naming a constructor of a file that
/// protoc-gen-go-restate generated, whose `XClient` methods return the SDK's `Client`.
fn generated_client(
    callee: &Callee<'_, '_>,
    model: &FileModel,
    ws: &Workspace,
    path: &Path,
) -> bool {
    let name = match *callee {
        Callee::Selector { name, .. } | Callee::Ident(name) => name,
        Callee::Other => return false,
    };
    let Some(ty) = name
        .strip_prefix("New")
        .filter(|t| t.ends_with("Client") && !t.ends_with("IngressClient") && t.len() > 6)
    else {
        return false;
    };
    let target = match *callee {
        Callee::Selector {
            operand_ident: Some(pkg),
            ..
        } => match model.import_path_for(pkg) {
            Some(path) => CallTarget::PkgFunc {
                path: path.into(),
                name: name.into(),
            },
            None => return false,
        },
        Callee::Ident(_) => CallTarget::Func(name.into()),
        _ => return false,
    };
    let receiver = lower_first(ty);
    ws.resolve_call(path, &target)
        .iter()
        .filter_map(|r| ws.function(r))
        .any(|(file, func)| {
            let Some(PkgRef::Named(sdk)) = &file.model.restate else {
                return false;
            };
            let client = format!("{sdk}.Client[");
            file.model.generated
                && func.receiver.is_none()
                && func.results.len() == 1
                && func.results[0].as_str() == ty
                && file.model.functions.iter().any(|m| {
                    m.receiver.as_ref().is_some_and(|r| r.type_name == receiver)
                        && m.results.len() == 1
                        && m.results[0].starts_with(&client)
                })
        })
}

/// `InventoryClient` -> `inventoryClient`, the unexported type protoc-gen-go-restate implements
/// the interface with.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn is_first_of(stmt: Node<'_>, name: Node<'_>) -> bool {
    field(stmt, "left")
        .and_then(|l| l.named_child(0))
        .is_some_and(|first| first == name)
}

/// The receiver and method name of a method call `x.M(...)`.
pub fn method_call<'t>(
    call: &crate::analysis::go::CallParts<'t>,
    src: &'t str,
) -> Option<(Node<'t>, &'t str)> {
    match call.callee(src) {
        Callee::Selector { operand, name, .. } => Some((operand, name)),
        _ => None,
    }
}

/// Text of an expression (for messages).
pub fn snippet(n: Node<'_>, src: &str) -> String {
    let t = text(n, src);
    let one_line = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

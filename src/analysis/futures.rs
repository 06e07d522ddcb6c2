//! What kind of SDK value an expression is (a call client, a response future, a timer, an
//! awakeable, ...), from the call that made it or the declaration of the variable holding it. Rules
//! use it to tell `AfterFuture.Done()` from an invented `.Done()`, and hover uses it to document
//! methods on futures.

use tree_sitter::Node;

use crate::analysis::go::{self, Callee, call_parts, field, text};
use crate::analysis::model::{FileModel, sdk_fn};
use crate::analysis::semantic::Semantic;

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

/// The kind of value an expression evaluates to, if it comes from the SDK.
pub fn kind_of<'t>(expr: Node<'t>, sem: &Semantic<'t>, model: &FileModel) -> Option<FutureKind> {
    kind_depth(expr, sem, model, 0)
}

fn kind_depth<'t>(
    expr: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
    depth: u32,
) -> Option<FutureKind> {
    let src = sem.src();
    if depth > 6 {
        return None;
    }
    let expr = go::unparen(expr);
    match expr.kind() {
        "identifier" => {
            let d = sem.resolve(expr)?;
            if d.stmt.kind() == "range_clause" {
                return None;
            }
            // `first, err := restate.WaitFirst(...)`: only the first result is the winner.
            let v = d.value?;
            let k = kind_depth(v, sem, model, depth + 1)?;
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
            if let Some(name) = sdk_fn(&model.restate, &callee) {
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
            if let Some(name) = sdk_fn(&model.ingress, &callee) {
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
                && model.import_path_for(pkg) == Some(crate::analysis::restate_api::SERVER_PATH)
            {
                return Some(FutureKind::ServerRestate);
            }
            // Methods on SDK values.
            if let Callee::Selector { operand, name, .. } = callee {
                let base = kind_depth(operand, sem, model, depth + 1)?;
                return match (base, name) {
                    (FutureKind::Client, "RequestFuture") => Some(FutureKind::Response),
                    (FutureKind::Client | FutureKind::SendClient, "Send") => {
                        Some(FutureKind::Invocation)
                    }
                    (FutureKind::Builder, "Handler" | "ConfigureHandler") => {
                        Some(FutureKind::Builder)
                    }
                    (
                        FutureKind::ServerRestate,
                        "Bind" | "WithLogger" | "WithIdentityV1" | "Bidirectional",
                    ) => Some(FutureKind::ServerRestate),
                    (FutureKind::TerminalError, "Metadata") => Some(FutureKind::StringMap),
                    (FutureKind::IngressRequester | FutureKind::IngressSendRequester, "Send") => {
                        Some(FutureKind::SendResponse)
                    }
                    (FutureKind::ServiceDefinition, "ConfigureHandler") => {
                        Some(FutureKind::ServiceDefinition)
                    }
                    _ => None,
                };
            }
            None
        }
        _ => None,
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

//! What the analysis knows about the Restate Go SDK v1 surface: import paths, context types and the
//! categories of package functions that rules reason about.

pub const SDK_PATH: &str = "github.com/restatedev/sdk-go";
pub const INGRESS_PATH: &str = "github.com/restatedev/sdk-go/ingress";
pub const SERVER_PATH: &str = "github.com/restatedev/sdk-go/server";

/// The kind of a Restate context parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtxKind {
    /// `restate.Context`: a plain service handler.
    Service,
    /// `restate.ObjectContext`: exclusive virtual-object handler.
    ObjectExclusive,
    /// `restate.ObjectSharedContext`: shared virtual-object handler.
    ObjectShared,
    /// `restate.WorkflowContext`: a workflow's run handler.
    WorkflowRun,
    /// `restate.WorkflowSharedContext`: shared workflow handler.
    WorkflowShared,
    /// `restate.RunContext`: the body of a journaled step.
    Run,
}

impl CtxKind {
    pub fn from_type_name(name: &str) -> Option<Self> {
        Some(match name {
            "Context" => CtxKind::Service,
            "ObjectContext" => CtxKind::ObjectExclusive,
            "ObjectSharedContext" => CtxKind::ObjectShared,
            "WorkflowContext" => CtxKind::WorkflowRun,
            "WorkflowSharedContext" => CtxKind::WorkflowShared,
            "RunContext" => CtxKind::Run,
            _ => return None,
        })
    }

    pub fn type_name(self) -> &'static str {
        match self {
            CtxKind::Service => "Context",
            CtxKind::ObjectExclusive => "ObjectContext",
            CtxKind::ObjectShared => "ObjectSharedContext",
            CtxKind::WorkflowRun => "WorkflowContext",
            CtxKind::WorkflowShared => "WorkflowSharedContext",
            CtxKind::Run => "RunContext",
        }
    }

    /// A handler context (anything but `RunContext`).
    pub fn is_handler(self) -> bool {
        self != CtxKind::Run
    }

    /// Holds the key's (or workflow's) exclusive lock while it runs.
    pub fn is_exclusive(self) -> bool {
        matches!(self, CtxKind::ObjectExclusive | CtxKind::WorkflowRun)
    }

    pub fn service_kind(self) -> Option<ServiceKind> {
        match self {
            CtxKind::Service => Some(ServiceKind::Service),
            CtxKind::ObjectExclusive | CtxKind::ObjectShared => Some(ServiceKind::Object),
            CtxKind::WorkflowRun | CtxKind::WorkflowShared => Some(ServiceKind::Workflow),
            CtxKind::Run => None,
        }
    }

    pub fn handler_kind(self) -> Option<HandlerKind> {
        match self {
            CtxKind::Service => Some(HandlerKind::Service),
            CtxKind::ObjectExclusive => Some(HandlerKind::Exclusive),
            CtxKind::ObjectShared => Some(HandlerKind::Shared),
            CtxKind::WorkflowRun => Some(HandlerKind::WorkflowRun),
            CtxKind::WorkflowShared => Some(HandlerKind::WorkflowShared),
            CtxKind::Run => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    Service,
    Object,
    Workflow,
}

impl ServiceKind {
    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Service => "service",
            ServiceKind::Object => "virtual object",
            ServiceKind::Workflow => "workflow",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HandlerKind {
    Service,
    Exclusive,
    Shared,
    WorkflowRun,
    WorkflowShared,
}

impl HandlerKind {
    pub fn label(self) -> &'static str {
        match self {
            HandlerKind::Service => "handler",
            HandlerKind::Exclusive => "exclusive",
            HandlerKind::Shared => "shared",
            HandlerKind::WorkflowRun => "workflow run",
            HandlerKind::WorkflowShared => "shared",
        }
    }

    pub fn service_kind(self) -> ServiceKind {
        match self {
            HandlerKind::Service => ServiceKind::Service,
            HandlerKind::Exclusive | HandlerKind::Shared => ServiceKind::Object,
            HandlerKind::WorkflowRun | HandlerKind::WorkflowShared => ServiceKind::Workflow,
        }
    }

    pub fn is_exclusive(self) -> bool {
        matches!(self, HandlerKind::Exclusive | HandlerKind::WorkflowRun)
    }

    /// "virtual object · exclusive", "service", "workflow · run", ...
    pub fn describe(self) -> &'static str {
        match self {
            HandlerKind::Service => "service",
            HandlerKind::Exclusive => "virtual object · exclusive",
            HandlerKind::Shared => "virtual object · shared",
            HandlerKind::WorkflowRun => "workflow · run",
            HandlerKind::WorkflowShared => "workflow · shared",
        }
    }
}

/// The six client constructors, in handlers (`restate.X`) and in `ingress`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallApi {
    Service,
    ServiceSend,
    Object,
    ObjectSend,
    Workflow,
    WorkflowSend,
    /// `ingress.WorkflowHandle(client, "Svc", id)`: attaches to a workflow's run.
    WorkflowHandle,
}

impl CallApi {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "Service" => CallApi::Service,
            "ServiceSend" => CallApi::ServiceSend,
            "Object" => CallApi::Object,
            "ObjectSend" => CallApi::ObjectSend,
            "Workflow" => CallApi::Workflow,
            "WorkflowSend" => CallApi::WorkflowSend,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            CallApi::Service => "Service",
            CallApi::ServiceSend => "ServiceSend",
            CallApi::Object => "Object",
            CallApi::ObjectSend => "ObjectSend",
            CallApi::Workflow => "Workflow",
            CallApi::WorkflowSend => "WorkflowSend",
            CallApi::WorkflowHandle => "WorkflowHandle",
        }
    }

    pub fn target_kind(self) -> ServiceKind {
        match self {
            CallApi::Service | CallApi::ServiceSend => ServiceKind::Service,
            CallApi::Object | CallApi::ObjectSend => ServiceKind::Object,
            CallApi::Workflow | CallApi::WorkflowSend | CallApi::WorkflowHandle => {
                ServiceKind::Workflow
            }
        }
    }

    pub fn is_send(self) -> bool {
        matches!(
            self,
            CallApi::ServiceSend | CallApi::ObjectSend | CallApi::WorkflowSend
        )
    }

    pub fn has_key(self) -> bool {
        !matches!(self, CallApi::Service | CallApi::ServiceSend)
    }
}

/// What a root-package function does, for the rules that care about "a Restate operation".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClass {
    StateRead,
    StateWrite,
    Run,
    Timer,
    Call,
    Awakeable,
    Signal,
    Promise,
    Random,
    Wait,
    Key,
    Invocation,
}

pub fn op_class(name: &str) -> Option<OpClass> {
    Some(match name {
        "Get" | "Keys" => OpClass::StateRead,
        "Set" | "Clear" | "ClearAll" => OpClass::StateWrite,
        "Run" | "RunAsync" | "RunVoid" => OpClass::Run,
        "Sleep" | "After" => OpClass::Timer,
        "Service" | "ServiceSend" | "Object" | "ObjectSend" | "Workflow" | "WorkflowSend" => {
            OpClass::Call
        }
        "Awakeable" | "ResolveAwakeable" | "RejectAwakeable" => OpClass::Awakeable,
        "Signal" | "ResolveSignal" | "RejectSignal" => OpClass::Signal,
        "Promise" => OpClass::Promise,
        "UUID" | "Rand" | "RandSource" => OpClass::Random,
        "WaitFirst" | "Wait" | "WaitIter" => OpClass::Wait,
        "Key" => OpClass::Key,
        "CancelInvocation" | "AttachInvocation" => OpClass::Invocation,
        _ => return None,
    })
}

/// Root-package functions that are journaled operations (the ones RS1008/RS3002 talk about).
pub fn is_operation(name: &str) -> bool {
    matches!(op_class(name), Some(c) if c != OpClass::Key)
}

pub fn is_run(name: &str) -> bool {
    matches!(name, "Run" | "RunAsync" | "RunVoid")
}

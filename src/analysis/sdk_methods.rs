//! The method sets of the SDK's types in sdk-go 1.0, as data, written by hand from the SDK's
//! exported declarations (the interfaces of the restate, server and ingress packages, and the
//! internal types they alias: `AfterFuture`, `Invocation`, `WaitIterator`, `StringMap`, the
//! contexts, the service builders and the ingress client). RS9002 reports a call of any other
//! method on a value known to be of one of these types; `tests/sdk_methods.rs` checks the table
//! against the SDK's declarations where they list methods.

use crate::analysis::futures::FutureKind;

/// One SDK type and every method a value of it has (embedded interfaces included).
#[derive(Debug)]
pub struct SdkType {
    /// The package as users import it: `restate`, `server`, `ingress`, or `math/rand/v2` for
    /// what `restate.Rand` returns.
    pub package: &'static str,
    /// The declared name (`AwakeableFuture`).
    pub name: &'static str,
    /// How messages name it (`restate.AwakeableFuture`, `*rand.Rand`).
    pub display: &'static str,
    /// Sorted.
    pub methods: &'static [&'static str],
    /// The accessor that waits for a future's outcome (`Result`), for futures.
    pub accessor: Option<&'static str>,
}

impl SdkType {
    pub fn has(&self, method: &str) -> bool {
        self.methods.binary_search(&method).is_ok()
    }

    /// "Id() and Result()", for "it has ..." in messages.
    pub fn listing(&self) -> String {
        let names: Vec<String> = self.methods.iter().map(|m| format!("{m}()")).collect();
        match names.as_slice() {
            [] => "no methods".to_string(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

const fn t(
    package: &'static str,
    name: &'static str,
    display: &'static str,
    methods: &'static [&'static str],
    accessor: Option<&'static str>,
) -> SdkType {
    SdkType {
        package,
        name,
        display,
        methods,
        accessor,
    }
}

/// `context.Context`'s methods plus `Log` and `Request`: every handler context and `RunContext`
/// (the marker methods that tell the contexts apart are unexported).
const CONTEXT_METHODS: &[&str] = &["Deadline", "Done", "Err", "Log", "Request", "Value"];

pub const TYPES: &[SdkType] = &[
    t(
        "restate",
        "AfterFuture",
        "restate.AfterFuture",
        &["Done"],
        Some("Done"),
    ),
    t(
        "restate",
        "AttachFuture",
        "restate.AttachFuture",
        &["Response"],
        Some("Response"),
    ),
    t(
        "restate",
        "AwakeableFuture",
        "restate.AwakeableFuture",
        &["Id", "Result"],
        Some("Result"),
    ),
    t(
        "restate",
        "Client",
        "restate.Client",
        &["Request", "RequestFuture", "Send"],
        None,
    ),
    t(
        "restate",
        "Context",
        "restate.Context",
        CONTEXT_METHODS,
        None,
    ),
    t(
        "restate",
        "ObjectContext",
        "restate.ObjectContext",
        CONTEXT_METHODS,
        None,
    ),
    t(
        "restate",
        "ObjectSharedContext",
        "restate.ObjectSharedContext",
        CONTEXT_METHODS,
        None,
    ),
    t(
        "restate",
        "WorkflowContext",
        "restate.WorkflowContext",
        CONTEXT_METHODS,
        None,
    ),
    t(
        "restate",
        "WorkflowSharedContext",
        "restate.WorkflowSharedContext",
        CONTEXT_METHODS,
        None,
    ),
    t(
        "restate",
        "DurablePromise",
        "restate.DurablePromise",
        &["Peek", "Reject", "Resolve", "Result"],
        Some("Result"),
    ),
    // `restate.Future` is an opaque marker: its methods are unexported.
    t("restate", "Future", "restate.Future", &[], None),
    t(
        "restate",
        "Invocation",
        "restate.Invocation",
        &["GetInvocationId"],
        None,
    ),
    t(
        "restate",
        "ResponseFuture",
        "restate.ResponseFuture",
        &["GetInvocationId", "Response"],
        Some("Response"),
    ),
    t(
        "restate",
        "RunAsyncFuture",
        "restate.RunAsyncFuture",
        &["Result"],
        Some("Result"),
    ),
    t(
        "restate",
        "RunContext",
        "restate.RunContext",
        CONTEXT_METHODS,
        None,
    ),
    t(
        "restate",
        "SendClient",
        "restate.SendClient",
        &["Send"],
        None,
    ),
    t(
        "restate",
        "ServiceDefinition",
        "restate.ServiceDefinition",
        &["ConfigureHandler", "GetOptions", "Handlers", "Name", "Type"],
        None,
    ),
    // What `NewService`, `NewObject` and `NewWorkflow` return: a ServiceDefinition with `Handler`.
    t(
        "restate",
        "NewService",
        "the service builder",
        &[
            "ConfigureHandler",
            "GetOptions",
            "Handler",
            "Handlers",
            "Name",
            "Type",
        ],
        None,
    ),
    t(
        "restate",
        "SignalFuture",
        "restate.SignalFuture",
        &["Result"],
        Some("Result"),
    ),
    t(
        "restate",
        "StringMap",
        "restate.StringMap",
        &["Get", "Iter", "MarshalJSON", "ToMap"],
        None,
    ),
    t(
        "restate",
        "TerminalError",
        "restate.TerminalError",
        &["Code", "Error", "Message", "Metadata"],
        None,
    ),
    t(
        "restate",
        "WaitIterator",
        "restate.WaitIterator",
        &["Err", "Next", "Value"],
        None,
    ),
    t(
        "server",
        "Restate",
        "*server.Restate",
        &[
            "Bidirectional",
            "Bind",
            "Handler",
            "LambdaHandler",
            "Start",
            "WithIdentityV1",
            "WithLogger",
        ],
        None,
    ),
    t(
        "ingress",
        "Client",
        "*ingress.Client",
        &["Attach", "Output", "Request", "Send"],
        None,
    ),
    t(
        "ingress",
        "InvocationHandle",
        "ingress.InvocationHandle",
        &["Attach", "Output"],
        None,
    ),
    t(
        "ingress",
        "Requester",
        "ingress.Requester",
        &["Request", "Send"],
        None,
    ),
    t(
        "ingress",
        "SendRequester",
        "ingress.SendRequester",
        &["Send"],
        None,
    ),
    // `Requester.Send` gives a SendResponse, `SendRequester.Send` a SimpleSendResponse (its
    // `Id` and `Status` only); the analysis does not tell the two apart, so it allows the union.
    t(
        "ingress",
        "SendResponse",
        "ingress.SendResponse",
        &["Attach", "Id", "Output", "Status"],
        None,
    ),
    t(
        "ingress",
        "SimpleSendResponse",
        "ingress.SimpleSendResponse",
        &["Id", "Status"],
        None,
    ),
    t(
        "math/rand/v2",
        "Rand",
        "*rand.Rand (math/rand/v2)",
        &[
            "ExpFloat64",
            "Float32",
            "Float64",
            "Int",
            "Int32",
            "Int32N",
            "Int64",
            "Int64N",
            "IntN",
            "NormFloat64",
            "Perm",
            "Shuffle",
            "Uint",
            "Uint32",
            "Uint32N",
            "Uint64",
            "Uint64N",
            "UintN",
        ],
        None,
    ),
];

pub fn get(package: &str, name: &str) -> Option<&'static SdkType> {
    TYPES
        .iter()
        .find(|t| t.package == package && t.name == name)
}

/// The SDK type of each kind of value `futures` tells apart (generated clients have no entry:
/// their methods are the handlers of one service).
const KIND_TYPES: &[(FutureKind, &str, &str)] = &[
    (FutureKind::Client, "restate", "Client"),
    (FutureKind::SendClient, "restate", "SendClient"),
    (FutureKind::Response, "restate", "ResponseFuture"),
    (FutureKind::After, "restate", "AfterFuture"),
    (FutureKind::RunAsync, "restate", "RunAsyncFuture"),
    (FutureKind::Awakeable, "restate", "AwakeableFuture"),
    (FutureKind::Signal, "restate", "SignalFuture"),
    (FutureKind::Promise, "restate", "DurablePromise"),
    (FutureKind::Attach, "restate", "AttachFuture"),
    (FutureKind::WaitFirstResult, "restate", "Future"),
    (FutureKind::Rand, "math/rand/v2", "Rand"),
    (FutureKind::IngressRequester, "ingress", "Requester"),
    (FutureKind::IngressSendRequester, "ingress", "SendRequester"),
    (FutureKind::InvocationHandle, "ingress", "InvocationHandle"),
    (FutureKind::Invocation, "restate", "Invocation"),
    (FutureKind::IngressClient, "ingress", "Client"),
    (FutureKind::Builder, "restate", "NewService"),
    (FutureKind::ServerRestate, "server", "Restate"),
    (FutureKind::WaitIterator, "restate", "WaitIterator"),
    (FutureKind::TerminalError, "restate", "TerminalError"),
    (
        FutureKind::ServiceDefinition,
        "restate",
        "ServiceDefinition",
    ),
    (FutureKind::StringMap, "restate", "StringMap"),
    (FutureKind::SendResponse, "ingress", "SendResponse"),
];

/// The type of a kind of SDK value; `None` where the method set is not known.
pub fn of_kind(kind: FutureKind) -> Option<&'static SdkType> {
    let (_, package, name) = KIND_TYPES.iter().find(|(k, _, _)| *k == kind)?;
    get(package, name)
}

/// Names assistants and other SDKs use for waiting on a future.
const AWAIT_WORDS: &[&str] = &["Await", "Get", "Join", "Then", "Value", "Wait"];

/// The method of `ty` that `method` most likely meant: a known synonym, the same name in other
/// case, the closest name by edit distance when it is close for its length (`Int63` -> `Int64`),
/// else the one name it starts or ends with or that starts or ends with it (`Logger` -> `Log`).
pub fn suggest(ty: &SdkType, method: &str) -> Option<&'static str> {
    if let Some(acc) = ty.accessor
        && AWAIT_WORDS.contains(&method)
    {
        return Some(acc);
    }
    if ty.name == "Client" && ty.package == "restate" {
        match method {
            "Call" | "Invoke" | "Do" | "Execute" => return Some("Request"),
            "Future" | "CallAsync" | "RequestAsync" => return Some("RequestFuture"),
            _ => {}
        }
    }
    let lower = method.to_ascii_lowercase();
    if let Some(m) = ty.methods.iter().find(|m| m.to_ascii_lowercase() == lower) {
        return Some(m);
    }
    let allowed = match lower.len() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &'static str)> = None;
    let mut tie = false;
    for m in ty.methods {
        let d = strsim::damerau_levenshtein(&lower, &m.to_ascii_lowercase());
        if d > allowed {
            continue;
        }
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tie = true,
            _ => {
                best = Some((d, m));
                tie = false;
            }
        }
    }
    if let Some((_, m)) = best.filter(|_| !tie) {
        return Some(m);
    }
    let affix: Vec<&'static str> = ty
        .methods
        .iter()
        .copied()
        .filter(|m| {
            let ml = m.to_ascii_lowercase();
            let (short, long) = if ml.len() < lower.len() {
                (&ml, &lower)
            } else {
                (&lower, &ml)
            };
            (short.len() >= 2 && long.ends_with(short.as_str()))
                || (short.len() >= 3 && long.starts_with(short.as_str()))
        })
        .collect();
    match affix.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::docs::{self, Package};

    #[test]
    fn method_lists_are_sorted_and_types_unique() {
        for (i, ty) in TYPES.iter().enumerate() {
            assert!(
                ty.methods.windows(2).all(|w| w[0] < w[1]),
                "{}.{}: methods must be sorted (binary search)",
                ty.package,
                ty.name
            );
            if let Some(acc) = ty.accessor {
                assert!(ty.has(acc), "{}: accessor {acc} not a method", ty.name);
            }
            assert!(
                !TYPES[..i]
                    .iter()
                    .any(|o| o.package == ty.package && o.name == ty.name),
                "{}.{} listed twice",
                ty.package,
                ty.name
            );
        }
    }

    /// Every method the hover documentation describes (`ResponseFuture.Response`, ...) exists in
    /// the table, so RS9002 never reports a documented method.
    #[test]
    fn documented_methods_are_in_the_table() {
        let mut checked = 0;
        for (pkg, e) in docs::all() {
            let Some((ty, method)) = e.name.split_once('.') else {
                continue;
            };
            let package = match pkg {
                Package::Restate => "restate",
                Package::Server => "server",
                Package::Ingress => "ingress",
            };
            let t = get(package, ty)
                .unwrap_or_else(|| panic!("{package}.{ty} is documented but not in the table"));
            assert!(t.has(method), "{package}.{ty}.{method} missing");
            checked += 1;
        }
        assert!(checked >= 40, "only {checked} documented methods seen");
    }

    #[test]
    fn every_kind_with_a_known_type_maps_to_it() {
        for (k, package, name) in KIND_TYPES {
            assert!(get(package, name).is_some(), "{k:?}: no {package}.{name}");
            assert!(
                !k.is_awaitable() || of_kind(*k).and_then(|t| t.accessor).is_some(),
                "{k:?} is awaited but has no accessor"
            );
        }
        assert!(of_kind(FutureKind::TypedClient).is_none());
    }

    #[test]
    fn suggestions() {
        let ty = |p, n| get(p, n).expect("type");
        let awk = ty("restate", "AwakeableFuture");
        assert_eq!(suggest(awk, "Await"), Some("Result"));
        assert_eq!(suggest(awk, "Results"), Some("Result"));
        assert_eq!(suggest(awk, "ID"), Some("Id"));
        assert_eq!(suggest(awk, "Resolve"), None);
        let inv = ty("restate", "Invocation");
        assert_eq!(suggest(inv, "GetInvocationID"), Some("GetInvocationId"));
        assert_eq!(suggest(inv, "InvocationId"), Some("GetInvocationId"));
        assert_eq!(suggest(inv, "Cancel"), None);
        let rand = ty("math/rand/v2", "Rand");
        assert_eq!(suggest(rand, "Intn"), Some("IntN"));
        assert_eq!(suggest(rand, "Int63"), Some("Int64"));
        let client = ty("restate", "Client");
        assert_eq!(suggest(client, "Call"), Some("Request"));
        assert_eq!(suggest(client, "Future"), Some("RequestFuture"));
        let ctx = ty("restate", "Context");
        assert_eq!(suggest(ctx, "Logger"), Some("Log"));
        assert_eq!(suggest(ctx, "GetRequest"), Some("Request"));
        assert_eq!(ty("restate", "Future").listing(), "no methods");
        assert_eq!(awk.listing(), "Id() and Result()");
        assert_eq!(
            ty("restate", "DurablePromise").listing(),
            "Peek(), Reject(), Resolve() and Result()"
        );
    }
}

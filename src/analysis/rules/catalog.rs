//! The rule catalog as data: IDs, names, default severities, whether a fix exists. The contract
//! users rely on in suppression comments, configuration and CI baselines.

use crate::analysis::findings::Severity;

#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub has_fix: bool,
}

const fn r(
    id: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    has_fix: bool,
) -> RuleInfo {
    RuleInfo {
        id,
        name,
        severity,
        summary,
        has_fix,
    }
}

use Severity::{Error as E, Hint as H, Info as I, Warning as W};

pub const RULES: &[RuleInfo] = &[
    r(
        "RS0001",
        "unused-suppression",
        H,
        "A //restate:ignore directive that suppressed nothing or has no reason",
        false,
    ),
    r(
        "RS0002",
        "internal-error",
        I,
        "A rule failed on this file; the other rules still reported",
        false,
    ),
    r(
        "RS1001",
        "wall-clock",
        W,
        "Wall-clock read in handler code outside restate.Run",
        true,
    ),
    r(
        "RS1002",
        "non-durable-sleep",
        W,
        "Non-durable sleep or timer in handler code",
        true,
    ),
    r(
        "RS1003",
        "non-deterministic-random",
        W,
        "Random numbers outside restate.Run that differ on replay",
        true,
    ),
    r(
        "RS1004",
        "random-id",
        W,
        "Random identifier generated outside restate.Run",
        true,
    ),
    r(
        "RS1005",
        "environment-read",
        I,
        "Environment or process read in handler code",
        false,
    ),
    r(
        "RS1006",
        "side-effect",
        W,
        "I/O in handler code outside restate.Run",
        true,
    ),
    r(
        "RS1007",
        "replay-logging",
        H,
        "Console output that repeats on every replay",
        true,
    ),
    r(
        "RS1008",
        "map-order",
        W,
        "Restate operations inside iteration over a map (random order)",
        true,
    ),
    r(
        "RS1009",
        "global-state",
        W,
        "Handler code using mutable package-level state",
        false,
    ),
    r(
        "RS1010",
        "receiver-state",
        W,
        "Handler method writing fields of its receiver",
        false,
    ),
    r(
        "RS2001",
        "goroutine",
        W,
        "Goroutine started in handler code",
        true,
    ),
    r(
        "RS2002",
        "native-sync",
        W,
        "Channels, select or wait groups in handler code",
        false,
    ),
    r(
        "RS3001",
        "ctx-in-run",
        E,
        "Handler context used inside a Run closure",
        true,
    ),
    r(
        "RS3002",
        "restate-in-run",
        E,
        "Restate operation called inside a Run closure",
        true,
    ),
    r(
        "RS3003",
        "lost-mutation",
        W,
        "Variable assigned inside a Run closure and read after it",
        true,
    ),
    r(
        "RS3004",
        "ignored-error",
        W,
        "Error of a Restate operation discarded",
        true,
    ),
    r(
        "RS3005",
        "unnamed-run",
        H,
        "Run step without restate.WithName",
        true,
    ),
    r(
        "RS3006",
        "unserializable-run-result",
        W,
        "Run result type that the journal cannot store",
        false,
    ),
    r(
        "RS3007",
        "manual-retry",
        W,
        "Hand-written retry loop around a step Restate already retries",
        false,
    ),
    r(
        "RS4001",
        "retryable-validation",
        H,
        "Permanent failure returned as a retryable error",
        true,
    ),
    r(
        "RS4002",
        "terminal-wrap",
        W,
        "Error wrapping that does not survive the journal",
        true,
    ),
    r(
        "RS5001",
        "blocked-key",
        W,
        "Long wait inside an exclusive virtual-object handler",
        false,
    ),
    r(
        "RS5002",
        "self-deadlock",
        E,
        "Exclusive handler calling its own object key and waiting",
        true,
    ),
    r(
        "RS5003",
        "call-cycle",
        W,
        "Cycle of request-response calls between exclusive handlers",
        false,
    ),
    r(
        "RS5004",
        "unknown-target",
        W,
        "Call to a service or handler that no definition matches",
        true,
    ),
    r(
        "RS5005",
        "invalid-definition",
        E,
        "Handler definition the SDK rejects or silently skips",
        false,
    ),
    r(
        "RS5006",
        "polling-loop",
        I,
        "Loop that polls state or a step and sleeps",
        false,
    ),
    r(
        "RS5007",
        "unknown-state-key",
        W,
        "State key read but never written in the service",
        true,
    ),
    r(
        "RS5008",
        "unbounded-wait",
        H,
        "Awaiting an external event without a timeout",
        true,
    ),
    r(
        "RS6001",
        "missing-idempotency-key",
        I,
        "Ingress call to a critical handler without an idempotency key",
        true,
    ),
    r(
        "RS7001",
        "bare-duration",
        W,
        "Untyped integer used as a time.Duration (nanoseconds)",
        true,
    ),
    r(
        "RS7002",
        "empty-wait",
        E,
        "WaitFirst with no futures panics",
        false,
    ),
    r(
        "RS7003",
        "send-result-as-error",
        W,
        "Result of Send (an Invocation, never nil) checked as an error",
        false,
    ),
    r(
        "RS8001",
        "sequential-calls",
        H,
        "Independent request-response calls made one after another",
        true,
    ),
    r(
        "RS8002",
        "could-be-shared",
        H,
        "Exclusive handler that never writes state",
        true,
    ),
    r(
        "RS8003",
        "sleep-then-send",
        H,
        "Sleep followed by a send: use a delayed send",
        true,
    ),
    r("RS9001", "pre-1.0-api", E, "Pre-1.0 SDK API", true),
    r(
        "RS9002",
        "nonexistent-api",
        E,
        "API that does not exist in the SDK",
        true,
    ),
];

pub fn get(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

pub fn default_severity(id: &str) -> Severity {
    get(id).map(|r| r.severity).unwrap_or(Severity::Warning)
}

/// The documentation page of a rule, shown as the diagnostic's `codeDescription`.
pub fn doc_url(id: &str) -> String {
    format!("{DOCS_BASE}{id}.md")
}

pub const DOCS_BASE: &str = "https://github.com/restate-lsp/restate-lsp/blob/main/docs/rules/";

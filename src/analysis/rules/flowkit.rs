//! The Restate reading of a value's flow (`Semantic::flows_of`): on replay only what reaches the
//! journal, or decides which journaled operations follow, can diverge. Rules about values that
//! differ between the first run and a replay (the clock, randomness, generated ids, the
//! environment) ask `judge` where such a value goes and report accordingly:
//!
//! - into the input of a journaled operation (state, a call's target or payload, a promise or
//!   awakeable resolution, a step or timer name), into a condition that decides which journaled
//!   operations follow, or somewhere not followed: the rule's own severity;
//! - captured by a Run step and also used after it: the rule's severity (after a replay the step's
//!   journaled outcome was computed from a value the rest of the handler no longer sees);
//! - only into the handler's result: a hint;
//! - only into logs, Run closures, sleep and timer durations, unjournaled I/O that is reported on
//!   its own, or nowhere: no finding.

use tree_sitter::Node;

use crate::analysis::callee::{Reach, Types};
use crate::analysis::effects::{self, Effect};
use crate::analysis::findings::Related;
use crate::analysis::futures;
use crate::analysis::go::{self, Callee, call_parts, field, text};
use crate::analysis::model::{Region, sdk_fn};
use crate::analysis::restate_api;
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts;
use crate::analysis::semantic::flow::{Policy, Sink};
use crate::analysis::semantic::{BindingKind, DeclKind};

/// What a finding about a replay-divergent value becomes.
#[derive(Debug)]
pub enum Verdict {
    /// Report at the rule's severity; `related` shows where the value goes. `captured_and_used`:
    /// the value reaches the journal only by a Run step capturing it while it is also used after
    /// the step.
    Keep {
        related: Vec<Related>,
        captured_and_used: bool,
    },
    /// Report as a hint: the value only shapes the handler's response.
    Hint { related: Vec<Related> },
    /// No finding.
    Drop,
}

/// Standard-library packages whose functions compute a result from their arguments and do nothing
/// else (a value passed in comes back derived).
const PURE_PACKAGES: &[&str] = &[
    "strconv",
    "strings",
    "bytes",
    "time",
    "math",
    "math/big",
    "errors",
    "unicode",
    "unicode/utf8",
    "encoding/json",
    "encoding/hex",
    "encoding/base64",
    "encoding/binary",
    "path",
    "path/filepath",
    "net/url",
    "crypto/sha256",
    "crypto/sha1",
    "crypto/md5",
    "hash/fnv",
    "hash/crc32",
    "slices",
    "maps",
    "sort",
    "cmp",
];

const LOG_PACKAGES: &[&str] = &["log", "log/slog"];

/// Methods of loggers (`slog.Logger`, `ctx.Log()`, zap, zerolog, logrus): the value is only printed.
const LOG_METHODS: &[&str] = &[
    "Debug",
    "Info",
    "Warn",
    "Error",
    "DebugContext",
    "InfoContext",
    "WarnContext",
    "ErrorContext",
    "Log",
    "LogAttrs",
    "Debugf",
    "Infof",
    "Warnf",
    "Errorf",
    "Printf",
    "Println",
    "Print",
    "Debugw",
    "Infow",
    "Warnw",
    "Errorw",
    "Msg",
    "Msgf",
    "Str",
    "Time",
    "Dur",
    "Int",
    "With",
];

/// Root-package functions whose result is built from their arguments (errors), not journaled.
fn sdk_through(name: &str) -> bool {
    matches!(
        name,
        "TerminalError"
            | "TerminalErrorf"
            | "ToTerminalError"
            | "WithErrorCode"
            | "ToRetryableError"
    )
}

/// Root-package options and operations whose arguments are durations or retry settings: not
/// compared on replay.
fn sdk_duration(name: &str, index: usize) -> bool {
    match name {
        "Sleep" | "After" => index == 1,
        "WithDelay"
        | "WithMaxRetryDuration"
        | "WithInitialRetryInterval"
        | "WithMaxRetryInterval"
        | "WithRetryIntervalFactor"
        | "WithMaxRetryAttempts"
        | "WithInactivityTimeout"
        | "WithAbortTimeout" => true,
        _ => false,
    }
}

/// Go's predeclared functions and types used as conversions: the result carries the argument.
fn builtin_through(name: &str) -> bool {
    matches!(
        name,
        "append"
            | "min"
            | "max"
            | "len"
            | "cap"
            | "string"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "float32"
            | "float64"
            | "byte"
            | "rune"
            | "bool"
            | "complex"
    )
}

/// How a call treats an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArgUse {
    /// The call's result carries it.
    Through,
    /// Journaled (state, call input, names, resolutions).
    Journaled,
    /// A duration or retry setting, or a log line.
    Harmless,
    /// Written by I/O outside Run (reported on its own by RS1006).
    Io,
    /// Not followed.
    Unknown,
}

/// What kind of value is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A clock or environment read: handed to I/O that runs again on replay, it only makes that
    /// I/O write a fresh timestamp, which the I/O's own finding covers.
    Reading,
    /// A random value or a generated id: handed to I/O outside Run, every replay writes a new
    /// one (a retried insert creates a second row), so it is kept.
    Generated,
    /// A zero value left by a discarded error: followed through calls the analysis does not
    /// know, since their results are built from it.
    Zero,
    /// The result of a query outside Run (`q.ListOrders(ctx, id)`): followed through calls the
    /// analysis does not know (`lo.Map(rows, f)` builds its result from it), and kept only where
    /// it is seen to reach the journal or decide journaled operations; a read that goes where the
    /// analysis does not follow is read again on a retry, which is harmless unless it diverges.
    Query,
}

struct RestatePolicy<'a, 't> {
    cx: &'a FileContext<'t>,
    value: Value,
}

impl<'a, 't> RestatePolicy<'a, 't> {
    fn arg_use(&self, call: Node<'t>, index: Option<usize>) -> ArgUse {
        let cx = self.cx;
        let Some(parts) = call_parts(call) else {
            return ArgUse::Unknown;
        };
        let callee = parts.callee(cx.src);
        if let Some(name) = sdk_fn(&cx.model.restate, &callee) {
            return match index {
                Some(i) if sdk_duration(name, i) => ArgUse::Harmless,
                _ if sdk_through(name) => ArgUse::Through,
                _ => ArgUse::Journaled,
            };
        }
        let Some(index) = index else {
            // A method of the value itself (`now.Unix()`, `id.String()`).
            return ArgUse::Through;
        };
        match callee {
            Callee::Ident(name) => {
                if go::is_builtin_func(name) || builtin_through(name) {
                    return ArgUse::Through;
                }
                match cx
                    .sem
                    .binding_of(parts.func)
                    .map(|b| cx.sem.binding(b).kind)
                {
                    // A function of this package: its result.
                    Some(BindingKind::PackageFunc) | None => self.helper_use(call),
                    _ => ArgUse::Unknown,
                }
            }
            Callee::Selector {
                operand,
                operand_ident,
                name,
            } => {
                if operand_ident.is_some()
                    && let Some(path) = cx.sem.import_path(operand)
                {
                    if LOG_PACKAGES.contains(&path)
                        || (path == "fmt"
                            && (name.starts_with("Print") || name.starts_with("Fprint")))
                    {
                        return ArgUse::Harmless;
                    }
                    if path == "fmt" || PURE_PACKAGES.contains(&path) {
                        return ArgUse::Through;
                    }
                    if self.known_io(call) {
                        return self.io_use(name);
                    }
                    if cx.ws.resolve_import(cx.path, path).is_some() {
                        return self.helper_use(call);
                    }
                    return self.unknown();
                }
                // A method: on a Restate value it is journaled (`.Request(v)`, `.Send(v)`,
                // `.Resolve(v)`); a logger prints; a method of this package's types is a helper.
                if futures::kind_of(operand, cx.sem, cx.model).is_some() {
                    return ArgUse::Journaled;
                }
                if LOG_METHODS.contains(&name) || is_ctx_log(cx, operand) {
                    return ArgUse::Harmless;
                }
                if self.known_io(call) {
                    return self.io_use(name);
                }
                if cx.sem.named_type_of(operand).is_some() {
                    return self.helper_use(call);
                }
                let _ = index;
                self.unknown()
            }
            Callee::Other => self.unknown(),
        }
    }

    /// I/O outside Run given the value: a query's result handed to another query shapes that
    /// one's result (`ListPopular(ctx, idsFrom(rows))`), so it is followed on.
    fn io_use(&self, name: &str) -> ArgUse {
        if self.value == Value::Query && is_read_name(name) {
            ArgUse::Through
        } else {
            ArgUse::Io
        }
    }

    /// A call this analysis does not know: a zero value is assumed to come back in its result,
    /// anything else is not followed.
    fn unknown(&self) -> ArgUse {
        if matches!(self.value, Value::Zero | Value::Query) {
            ArgUse::Through
        } else {
            ArgUse::Unknown
        }
    }

    /// A call to a function of the workspace: its result carries the argument, unless it takes a
    /// Restate context (then it is handler code that may journal the value).
    fn helper_use(&self, call: Node<'t>) -> ArgUse {
        if self.passes_handler_ctx(call) {
            ArgUse::Unknown
        } else {
            ArgUse::Through
        }
    }

    /// I/O outside Run that RS1006 knows (a catalogued function or method).
    fn known_io(&self, call: Node<'t>) -> bool {
        known_io(self.cx, call)
    }

    /// Whether one of the call's arguments is a Restate handler context.
    fn passes_handler_ctx(&self, call: Node<'t>) -> bool {
        let cx = self.cx;
        let Some(parts) = call_parts(call) else {
            return false;
        };
        parts.args.iter().any(|a| facts::is_handler_ctx(cx, *a))
    }
}

/// `ctx.Log()` as the receiver of a logging method.
fn is_ctx_log<'t>(cx: &FileContext<'t>, operand: Node<'t>) -> bool {
    call_parts(go::unparen(operand)).is_some_and(|c| {
        matches!(c.callee(cx.src), Callee::Selector { name: "Log", .. }) && c.args.is_empty()
    })
}

impl<'t> Policy<'t> for RestatePolicy<'_, 't> {
    fn through(&self, call: Node<'t>, index: Option<usize>) -> bool {
        self.arg_use(call, index) == ArgUse::Through
    }

    fn stops_at(&self, closure: Node<'t>) -> bool {
        is_run_closure(self.cx, closure)
    }
}

/// A function literal passed to `Run`, `RunAsync` or `RunVoid`.
pub fn is_run_closure<'t>(cx: &FileContext<'t>, closure: Node<'t>) -> bool {
    let Some(i) = cx.model.function_at_start(closure.start_byte()) else {
        return false;
    };
    cx.model
        .functions
        .get(i as usize)
        .is_some_and(|f| f.run_closure || f.region == Region::Run)
}

/// Where the value of `source` (a call or selector in handler code outside Run) goes, read as
/// Restate sees it. `what` names the source in messages (`time.Now()`).
pub fn judge<'t>(cx: &FileContext<'t>, source: Node<'t>, what: &str, value: Value) -> Verdict {
    let policy = RestatePolicy { cx, value };
    let flow = cx.sem.flows_of(source, &policy);
    let mut journaled: Option<Related> = None;
    let mut captured: Option<Related> = None;
    let mut result: Option<Related> = None;
    let rel = |n: Node<'t>, message: String| Related {
        path: None,
        span: cx.loc.node(n),
        message,
    };
    for sink in &flow.sinks {
        match *sink {
            Sink::Arg { call, index } => {
                let label = callee_label(cx, call);
                match policy.arg_use(call, Some(index)) {
                    ArgUse::Through | ArgUse::Harmless => {}
                    ArgUse::Io if value != Value::Generated => {}
                    ArgUse::Io => {
                        journaled.get_or_insert_with(|| {
                            rel(call, format!("`{what}` is written by `{label}` here, I/O outside restate.Run that runs again on every replay with a new value"))
                        });
                    }
                    ArgUse::Journaled => {
                        journaled.get_or_insert_with(|| {
                            rel(
                                call,
                                format!("`{what}` flows into `{label}` here, which is journaled"),
                            )
                        });
                    }
                    ArgUse::Unknown => {
                        journaled.get_or_insert_with(|| {
                            rel(call, format!("`{what}` is handed to `{label}` here, which this analysis does not follow"))
                        });
                    }
                }
            }
            Sink::Recv { .. } if value == Value::Query => {}
            Sink::Recv { call } => {
                journaled.get_or_insert_with(|| {
                    rel(
                        call,
                        format!(
                            "`{what}` is used by `{}` here, which this analysis does not follow",
                            callee_label(cx, call)
                        ),
                    )
                });
            }
            Sink::Return { func, at } => {
                if returns_from_handler(cx, func) {
                    result.get_or_insert_with(|| {
                        rel(
                            at,
                            format!("`{what}` is returned in the handler's response here"),
                        )
                    });
                } else if returned_as_error(cx, func, at) {
                    // Handed back as the error of a handler-code helper: it fails the attempt (or
                    // shapes a failure's message); the caller's journal does not carry it.
                    result.get_or_insert_with(|| {
                        rel(at, format!("`{what}` is returned as an error here"))
                    });
                } else {
                    journaled.get_or_insert_with(|| {
                        rel(at, format!("`{what}` is returned here to a caller this analysis does not follow"))
                    });
                }
            }
            Sink::Condition { stmt, at } => match decides(cx, stmt) {
                Decides::Steps => {
                    journaled.get_or_insert_with(|| {
                        rel(
                            at,
                            format!("`{what}` decides here which journaled operations run"),
                        )
                    });
                }
                Decides::Result => {
                    result.get_or_insert_with(|| {
                        rel(
                            at,
                            format!("`{what}` decides here what the handler returns"),
                        )
                    });
                }
                Decides::Nothing => {}
            },
            Sink::Capture { at, .. } => {
                captured.get_or_insert_with(|| {
                    rel(
                        at,
                        format!("`{what}` is captured by the restate.Run step here"),
                    )
                });
            }
            Sink::Discarded { .. } => {}
            Sink::Escape { at } if value == Value::Query => {
                result.get_or_insert_with(|| {
                    rel(
                        at,
                        format!("`{what}` is stored here, where this analysis does not follow it"),
                    )
                });
            }
            Sink::Escape { at } => {
                journaled.get_or_insert_with(|| {
                    rel(
                        at,
                        format!("`{what}` is stored here, where this analysis does not follow it"),
                    )
                });
            }
        }
    }
    match (journaled, captured, result) {
        (Some(j), _, _) => Verdict::Keep {
            related: vec![j],
            captured_and_used: false,
        },
        (None, Some(c), Some(r)) => Verdict::Keep {
            related: vec![c, r],
            captured_and_used: true,
        },
        (None, _, Some(r)) => Verdict::Hint { related: vec![r] },
        _ => Verdict::Drop,
    }
}

/// A call named like a read (`GetOrder`, `ListItems`, `CountSeats`, `FindUser`): sqlc's and most
/// clients' naming for queries that change nothing.
pub fn is_read_name(what: &str) -> bool {
    let name = what.rsplit('.').next().unwrap_or(what);
    const READS: &[&str] = &[
        "Get", "List", "Count", "Find", "Search", "Fetch", "Load", "Lookup", "Read", "Has",
        "Exists", "Describe", "Head",
    ];
    READS.iter().any(|p| {
        name.strip_prefix(p).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })
}

/// Where the value of `expr` first reaches the journal (a journaled operation's input), if it
/// does; places this analysis does not follow do not count.
pub fn reaches_journal<'t>(cx: &FileContext<'t>, expr: Node<'t>, what: &str) -> Option<Related> {
    let policy = RestatePolicy {
        cx,
        value: Value::Zero,
    };
    let flow = cx.sem.flows_of(expr, &policy);
    flow.sinks.iter().find_map(|s| match *s {
        Sink::Arg { call, index } if policy.arg_use(call, Some(index)) == ArgUse::Journaled => {
            Some(Related {
                path: None,
                span: cx.loc.node(call),
                message: format!(
                    "{what} flows into `{}` here, which is journaled",
                    callee_label(cx, call)
                ),
            })
        }
        _ => None,
    })
}

/// Whether `expr` is computed from the invocation's input or its state: a parameter of the handler
/// function (not its context), a `restate.Get`, or a local initialised from those. Literals,
/// constants, package variables and fields of the receiver are the service's own configuration.
pub fn derives_from_input<'t>(cx: &FileContext<'t>, expr: Node<'t>) -> bool {
    let mut stack = vec![(expr, 0u32)];
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some((e, depth)) = stack.pop() {
        if depth > 8 || !seen.insert(e.id()) {
            continue;
        }
        let mut found = false;
        go::walk(e, |n| {
            if found {
                return false;
            }
            if let Some(c) = call_parts(n)
                && sdk_fn(&cx.model.restate, &c.callee(cx.src)) == Some("Get")
            {
                found = true;
                return false;
            }
            if n.kind() == "identifier"
                && let Some(d) = cx.sem.resolve(n)
            {
                match d.kind {
                    DeclKind::Param => found |= !facts::is_handler_ctx(cx, n),
                    DeclKind::Local => {
                        if let Some(v) = d.value {
                            stack.push((v, depth + 1));
                        }
                    }
                    _ => {}
                }
            }
            true
        });
        if found {
            return true;
        }
    }
    false
}

/// `restate.Set`, `client.Request`, `pkg.Helper`: the callee as written, for messages.
fn callee_label(cx: &FileContext<'_>, call: Node<'_>) -> String {
    let f = field(call, "function").unwrap_or(call);
    go::one_line(text(f, cx.src), 40)
}

/// Whether `at` is the last result of a `return` in `func`, whose last declared result is `error`.
fn returned_as_error<'t>(cx: &FileContext<'t>, func: Node<'t>, at: Node<'t>) -> bool {
    let Some(i) = cx.model.function_at_start(func.start_byte()) else {
        return false;
    };
    let Some(f) = cx.model.functions.get(i as usize) else {
        return false;
    };
    if f.results.last().is_none_or(|r| r != "error") {
        return false;
    }
    let Some(list) = cx.sem.parent(at) else {
        return false;
    };
    match list.kind() {
        "expression_list" => go::named_children(list).last() == Some(&at),
        "return_statement" => f.results.len() == 1,
        _ => false,
    }
}

/// Whether `func` is a registered handler (what it returns is the invocation's response).
fn returns_from_handler<'t>(cx: &FileContext<'t>, func: Node<'t>) -> bool {
    let Some(i) = cx.model.function_at_start(func.start_byte()) else {
        return false;
    };
    let Some(f) = cx.model.functions.get(i as usize) else {
        return false;
    };
    if f.ctx.as_ref().is_none_or(|c| !c.kind.is_handler()) {
        return false;
    }
    // Registered, or handler-shaped where registration is not visible (an exported method with a
    // handler context is what Reflect registers; an unexported one is a helper of handlers).
    cx.handler_of(i).is_some() || (f.receiver.is_some() && go::is_exported(&f.name))
}

enum Decides {
    /// A branch holds a journaled operation, or leaves early while journaled operations follow.
    Steps,
    /// The branches only return.
    Result,
    Nothing,
}

/// I/O outside Run that RS1006 knows (a catalogued function or method, or a call that receives
/// the context and leaves the workspace).
fn known_io<'t>(cx: &FileContext<'t>, call: Node<'t>) -> bool {
    let Some(parts) = call_parts(call) else {
        return false;
    };
    let callee = parts.callee(cx.src);
    if matches!(
        effects::classify_call(&parts, &callee, cx.sem, &cx.config.catalog),
        Some((Effect::SideEffect, _))
    ) {
        return true;
    }
    // A call that receives the context and leaves the workspace: I/O by Go's convention,
    // reported on its own by RS1006.
    let span = cx.loc.node(call);
    let Some(c) = cx
        .model
        .functions
        .iter()
        .flat_map(|f| f.ctx_calls())
        .find(|c| c.span == span)
    else {
        return false;
    };
    Types::new(cx.ws, cx.path).ctx_call(c) == Reach::Outside
}

/// What a condition decides: which journaled operations run, what is returned, or neither.
fn decides<'t>(cx: &FileContext<'t>, stmt: Node<'t>) -> Decides {
    let journals_in = |n: Node<'t>| {
        cx.facts.calls_in(n).iter().any(|c| {
            c.sdk.is_some_and(restate_api::is_operation)
                || futures::method_call(&c.parts, cx.src).is_some_and(|(recv, m)| {
                    matches!(
                        m,
                        "Request" | "Send" | "Result" | "Response" | "Resolve" | "Reject"
                    ) && futures::kind_of(recv, cx.sem, cx.model).is_some()
                })
                // A helper given the handler's context is handler code: it may journal; a call
                // that leaves the workspace with it is I/O (RS1006's), not a journaled step.
                || (c.parts.args.iter().any(|a| facts::is_handler_ctx(cx, *a))
                    && !known_io(cx, c.parts.node))
        })
    };
    // The statement's branches: everything but its condition (the condition's own calls are the
    // value's source, not what it decides).
    let mut exits = false;
    let mut steps = false;
    let mut cursor = stmt.walk();
    for child in stmt.named_children(&mut cursor) {
        if Some(child) == field(stmt, "condition")
            || Some(child) == field(stmt, "value")
            || Some(child) == field(stmt, "initializer")
        {
            continue;
        }
        steps |= journals_in(child);
        exits |= has_exit(child, cx.src);
    }
    if steps {
        return Decides::Steps;
    }
    if exits {
        // An early return skips the journaled operations after the statement.
        let func = cx.sem.enclosing_func(stmt);
        let after = func.is_some_and(|f| {
            let rest = cx.facts.calls_in(f);
            rest.iter().any(|c| {
                c.parts.node.start_byte() >= stmt.end_byte()
                    && facts::within(
                        cx.model,
                        c.func,
                        cx.model
                            .function_at_start(f.start_byte())
                            .unwrap_or(u32::MAX),
                    )
                    && c.sdk.is_some_and(restate_api::is_operation)
            })
        });
        return if after {
            Decides::Steps
        } else {
            Decides::Result
        };
    }
    Decides::Nothing
}

/// Whether `n` leaves the enclosing statement other than by failing the attempt (break, continue,
/// goto, or a return that is not a retryable error): returning a plain error ends the attempt,
/// and the next one replays the journal from the start, so it decides nothing journaled; a
/// terminal error ends the invocation with an outcome the first run may not have had.
fn has_exit(n: Node<'_>, src: &str) -> bool {
    let mut found = false;
    go::walk(n, |x| {
        if found || x.kind() == "func_literal" {
            return false;
        }
        match x.kind() {
            "break_statement" | "continue_statement" | "goto_statement" => found = true,
            "return_statement" => found = !returns_retryable_error(x, src),
            _ => {}
        }
        true
    });
    found
}

/// `return ..., err` / `return errors.New(..)` / `return x, fmt.Errorf(..)`: a plain error, which
/// Restate retries (not a terminal one).
fn returns_retryable_error(ret: Node<'_>, src: &str) -> bool {
    let Some(list) = ret.named_child(0) else {
        return false;
    };
    let last = if list.kind() == "expression_list" {
        go::named_children(list).last().copied()
    } else {
        Some(list)
    };
    last.is_some_and(|e| {
        let t = text(e, src);
        let terminal = t.contains("Terminal") || t.contains("WithErrorCode");
        !terminal
            && t != "nil"
            && (t == "err"
                || t.ends_with("Err")
                || t.ends_with("err")
                || t.contains("errors.New(")
                || t.contains("fmt.Errorf("))
    })
}

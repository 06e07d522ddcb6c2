//! The catalog of calls that break replay when they run outside a Run closure: wall-clock reads,
//! non-durable timers, randomness, random identifiers, environment reads, I/O and console output.
//! A curated table (not a crawl of the standard library) plus what the user configures.

use tree_sitter::Node;

use crate::analysis::go::{self, CallParts, Callee, field, text};
use crate::analysis::semantic::Semantic;

/// An effect class; each maps to one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    WallClock,
    Sleep,
    Random,
    RandomId,
    Env,
    SideEffect,
    Logging,
}

impl Effect {
    pub fn rule(self) -> &'static str {
        match self {
            Effect::WallClock => "RS1001",
            Effect::Sleep => "RS1002",
            Effect::Random => "RS1003",
            Effect::RandomId => "RS1004",
            Effect::Env => "RS1005",
            Effect::SideEffect => "RS1006",
            Effect::Logging => "RS1007",
        }
    }

    /// Whether a helper performing this effect makes its callers non-deterministic. Console output
    /// in a helper is only noise on replay and is not worth a report at every call site.
    pub fn is_transitive(self) -> bool {
        !matches!(self, Effect::Logging)
    }
}

/// User additions from the configuration (`[side-effects]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// (import path, function name); name `*` stands for every package function.
    pub functions: Vec<(String, String)>,
    /// (import path, type name): any method on a value of this type (pointer or not).
    pub receivers: Vec<(String, String)>,
}

impl Catalog {
    /// Parse `github.com/acme/payments.Charge` / `github.com/acme/payments.*` and
    /// `*github.com/redis/go-redis/v9.Client`. Returns the entries it could not read.
    pub fn from_config(functions: &[String], receivers: &[String]) -> (Self, Vec<String>) {
        let mut bad = vec![];
        let mut cat = Catalog::default();
        for f in functions {
            match split_qualified(f) {
                Some((p, n)) => cat.functions.push((p, n)),
                None => bad.push(f.clone()),
            }
        }
        for r in receivers {
            match split_qualified(r.trim_start_matches('*')) {
                Some((p, n)) if n != "*" => cat.receivers.push((p, n)),
                _ => bad.push(r.clone()),
            }
        }
        (cat, bad)
    }
}

/// `a/b/c.Name` -> (`a/b/c`, `Name`): the name follows the last dot after the last slash.
fn split_qualified(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let slash = s.rfind('/').map(|i| i + 1).unwrap_or(0);
    let dot = s[slash..].rfind('.')? + slash;
    let (path, name) = (&s[..dot], &s[dot + 1..]);
    (!path.is_empty() && !name.is_empty()).then(|| (path.to_string(), name.to_string()))
}

/// The package functions in the catalog.
pub fn package_function(path: &str, name: &str) -> Option<Effect> {
    use Effect::*;
    Some(match path {
        "time" => match name {
            "Now" | "Since" | "Until" => WallClock,
            "Sleep" | "After" | "Tick" | "NewTimer" | "NewTicker" | "AfterFunc" => Sleep,
            _ => return None,
        },
        // Constructors with an explicit source are deterministic given their seed (a seed from
        // the clock is reported as a clock read).
        "math/rand" | "math/rand/v2" => match name {
            "New" | "NewSource" | "NewPCG" | "NewChaCha8" | "NewZipf" => return None,
            _ if go::is_exported(name) => Random,
            _ => return None,
        },
        "crypto/rand" => match name {
            "Read" | "Int" | "Prime" | "Text" => Random,
            _ => return None,
        },
        "github.com/google/uuid" => match name {
            "New"
            | "NewString"
            | "NewRandom"
            | "NewUUID"
            | "NewV6"
            | "NewV7"
            | "NewRandomFromReader" => RandomId,
            _ => return None,
        },
        "github.com/gofrs/uuid" | "github.com/gofrs/uuid/v5" | "github.com/satori/go.uuid" => {
            match name {
                "NewV1" | "NewV4" | "NewV6" | "NewV7" | "Must" => {
                    if name == "Must" {
                        return None;
                    }
                    RandomId
                }
                _ => return None,
            }
        }
        "github.com/rs/xid" => match name {
            "New" | "NewWithTime" => RandomId,
            _ => return None,
        },
        "github.com/oklog/ulid" | "github.com/oklog/ulid/v2" => match name {
            "Make" => RandomId,
            _ => return None,
        },
        "github.com/segmentio/ksuid" => match name {
            "New" | "NewRandom" | "NewRandomWithTime" => RandomId,
            _ => return None,
        },
        "os" => match name {
            "Getenv" | "LookupEnv" | "Environ" | "Hostname" | "Getpid" | "Getppid"
            | "ExpandEnv" => Env,
            "ReadFile" | "WriteFile" | "Open" | "OpenFile" | "Create" | "Remove" | "RemoveAll"
            | "Rename" | "Mkdir" | "MkdirAll" | "MkdirTemp" | "CreateTemp" | "ReadDir"
            | "Truncate" | "Chmod" | "Chown" | "Symlink" | "Link" => SideEffect,
            _ => return None,
        },
        "net/http" => match name {
            "Get" | "Head" | "Post" | "PostForm" => SideEffect,
            _ => return None,
        },
        "net" => match name {
            n if n.starts_with("Dial") => SideEffect,
            _ => return None,
        },
        "fmt" => match name {
            "Print" | "Printf" | "Println" => Logging,
            _ => return None,
        },
        "log" => match name {
            n if n.starts_with("Print") || n.starts_with("Fatal") || n.starts_with("Panic") => {
                Logging
            }
            _ => return None,
        },
        "log/slog" => match name {
            "Debug" | "Info" | "Warn" | "Error" | "Log" | "LogAttrs" | "DebugContext"
            | "InfoContext" | "WarnContext" | "ErrorContext" => Logging,
            _ => return None,
        },
        _ => return None,
    })
}

const HTTP_CLIENT_METHODS: &[&str] = &["Do", "Get", "Head", "Post", "PostForm"];
const SQL_METHODS: &[&str] = &[
    "Query",
    "QueryContext",
    "QueryRow",
    "QueryRowContext",
    "Exec",
    "ExecContext",
    "Begin",
    "BeginTx",
    "Prepare",
    "PrepareContext",
    "Ping",
    "PingContext",
    "Commit",
    "Rollback",
];
const EXEC_METHODS: &[&str] = &["Run", "Output", "CombinedOutput", "Start"];

/// Classify a call; returns the effect and a short name of what was called.
pub fn classify_call<'t>(
    call: &CallParts<'t>,
    callee: &Callee<'t, '_>,
    sem: &Semantic<'t>,
    catalog: &Catalog,
) -> Option<(Effect, String)> {
    let src = sem.src();
    let Callee::Selector {
        operand,
        operand_ident,
        name,
    } = *callee
    else {
        return None;
    };
    // Package function through an import (not shadowed by a local variable).
    if let Some(alias) = operand_ident
        && let Some(path) = sem.import_path(operand)
    {
        let effect = package_function(path, name).or_else(|| {
            (catalog
                .functions
                .iter()
                .any(|(p, n)| p == path && (n == name || n == "*"))
                || crate::analysis::clients::function_does_io(path, name))
            .then_some(Effect::SideEffect)
        });
        if let Some(mut effect) = effect {
            // `fmt.Fprintf(os.Stderr, ...)` is console output; other writers are not ours.
            if path == "fmt" && !matches!(name, "Print" | "Printf" | "Println") {
                return None;
            }
            if path == "fmt" || path == "log" || path == "log/slog" {
                effect = Effect::Logging;
            }
            return Some((effect, format!("{alias}.{name}")));
        }
        if path == "fmt" && matches!(name, "Fprint" | "Fprintf" | "Fprintln") {
            let w = call.arg(0)?;
            if is_std_stream(w, sem) {
                return Some((Effect::Logging, format!("{alias}.{name}")));
            }
        }
        return None;
    }
    // Methods on values whose type syntax reveals.
    let is_method_of_interest = HTTP_CLIENT_METHODS.contains(&name)
        || SQL_METHODS.contains(&name)
        || EXEC_METHODS.contains(&name)
        || matches!(name, "Write" | "WriteString")
        || !catalog.receivers.is_empty()
        || go::is_exported(name);
    if !is_method_of_interest {
        return None;
    }
    if EXEC_METHODS.contains(&name)
        && let Some(inner) = go::call_parts(go::unparen(operand))
        && let Callee::Selector {
            operand: pkg,
            operand_ident: Some(a),
            name: "Command" | "CommandContext",
        } = inner.callee(src)
        && sem.import_path(pkg) == Some("os/exec")
    {
        return Some((Effect::SideEffect, format!("{a}.Command(...).{name}")));
    }
    let ty = sem.type_of(operand)?;
    if ty.trim_start_matches('*') == "os.File" && matches!(name, "Write" | "WriteString") {
        return is_std_stream(operand, sem)
            .then(|| (Effect::Logging, format!("{}.{name}", text(operand, src))));
    }
    method_effect(&ty, name, catalog).map(|e| (e, format!("({ty}).{name}")))
}

/// Whether a method on a value of the (normalised) type is I/O.
pub fn method_effect(ty: &str, name: &str, catalog: &Catalog) -> Option<Effect> {
    let bare = ty.trim_start_matches('*');
    if bare == "net/http.Client" && HTTP_CLIENT_METHODS.contains(&name) {
        return Some(Effect::SideEffect);
    }
    if matches!(
        bare,
        "database/sql.DB" | "database/sql.Tx" | "database/sql.Conn" | "database/sql.Stmt"
    ) && SQL_METHODS.contains(&name)
    {
        return Some(Effect::SideEffect);
    }
    if bare == "os/exec.Cmd" && EXEC_METHODS.contains(&name) {
        return Some(Effect::SideEffect);
    }
    if catalog
        .receivers
        .iter()
        .any(|(p, t)| bare == format!("{p}.{t}"))
        || crate::analysis::clients::method_does_io(ty, name)
    {
        return Some(Effect::SideEffect);
    }
    None
}

/// Whether a method name can be I/O on some type we know (used to decide whether an unresolved
/// receiver is worth resolving later against the whole package).
pub fn is_io_method(name: &str, catalog: &Catalog) -> bool {
    HTTP_CLIENT_METHODS.contains(&name)
        || SQL_METHODS.contains(&name)
        || EXEC_METHODS.contains(&name)
        || !catalog.receivers.is_empty()
        // The client table (`clients.toml`) names types whose every exported method does I/O.
        || go::is_exported(name)
}

fn is_std_stream<'t>(n: Node<'t>, sem: &Semantic<'t>) -> bool {
    let src = sem.src();
    let n = go::unparen(n);
    if n.kind() != "selector_expression" {
        return false;
    }
    let (Some(op), Some(f)) = (field(n, "operand"), field(n, "field")) else {
        return false;
    };
    op.kind() == "identifier"
        && sem.import_path(op) == Some("os")
        && matches!(text(f, src), "Stdout" | "Stderr")
}

/// `os.Args` read as a value.
pub fn classify_selector<'t>(n: Node<'t>, sem: &Semantic<'t>) -> Option<(Effect, String)> {
    let src = sem.src();
    let f = field(n, "field")?;
    if text(f, src) != "Args" {
        return None;
    }
    let op = field(n, "operand")?;
    if op.kind() != "identifier" || sem.import_path(op) != Some("os") {
        return None;
    }
    Some((Effect::Env, format!("{}.Args", text(op, src))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_entries_parse() {
        let (cat, bad) = Catalog::from_config(
            &[
                "github.com/acme/payments.Charge".into(),
                "github.com/acme/mail.*".into(),
                "nodot".into(),
            ],
            &["*github.com/redis/go-redis/v9.Client".into()],
        );
        assert_eq!(
            cat.functions[0],
            ("github.com/acme/payments".into(), "Charge".into())
        );
        assert_eq!(cat.functions[1].1, "*");
        assert_eq!(
            cat.receivers[0],
            ("github.com/redis/go-redis/v9".into(), "Client".into())
        );
        assert_eq!(bad, vec!["nodot".to_string()]);
    }
}

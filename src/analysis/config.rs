//! Configuration: `restate-lsp.toml` at the workspace root, and the same keys from the client's
//! settings (initializationOptions / didChangeConfiguration), which win over the file.
//!
//! A file that cannot be read as TOML yields one problem at the error's position and none of its
//! values are used; entries that parse but make no sense (an unknown rule, a bad severity) are
//! reported one by one and skipped while the rest applies.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::analysis::effects::Catalog;
use crate::analysis::findings::Severity;
use crate::analysis::rules::catalog;

pub const FILE_NAME: &str = "restate-lsp.toml";

/// The keys as written, before validation. Deserialised from TOML by the analysis and from JSON
/// settings by the server.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RawConfig {
    pub rules: Option<BTreeMap<String, String>>,
    #[serde(rename = "side-effects")]
    pub side_effects: Option<RawSideEffects>,
    #[serde(rename = "blocked-key")]
    pub blocked_key: Option<RawBlockedKey>,
    pub idempotency: Option<RawIdempotency>,
    #[serde(rename = "unknown-target")]
    pub unknown_target: Option<RawUnknownTarget>,
    /// Also accepted at the top level.
    #[serde(rename = "known-services")]
    pub known_services: Option<Vec<String>>,
    /// Keys we do not know, reported so typos do not go unnoticed.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, toml::Value>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RawSideEffects {
    pub functions: Option<Vec<String>>,
    pub receivers: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RawBlockedKey {
    pub threshold: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RawIdempotency {
    pub critical: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RawUnknownTarget {
    #[serde(rename = "known-services")]
    pub known_services: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    /// Byte range in the config file, when known.
    pub range: Option<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    overrides: HashMap<String, Option<Severity>>,
    pub catalog: Catalog,
    pub blocked_key_threshold_ms: u64,
    /// `Service/Handler` patterns (`*` wildcards); empty means the default name pattern.
    pub critical: Vec<String>,
    pub known_services: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            overrides: HashMap::new(),
            catalog: Catalog::default(),
            blocked_key_threshold_ms: 60_000,
            critical: vec![],
            known_services: vec![],
        }
    }
}

impl Config {
    /// The effective severity of a rule; `None` when it is turned off.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        match self.overrides.get(id) {
            Some(s) => *s,
            None => Some(catalog::default_severity(id)),
        }
    }

    pub fn has_override(&self, id: &str) -> bool {
        self.overrides.contains_key(id)
    }

    /// Build from the file's keys and the client's keys (client wins per key).
    pub fn from_layers(
        file: Option<&RawConfig>,
        client: Option<&RawConfig>,
    ) -> (Config, Vec<Problem>) {
        let merged = merge(file, client);
        Config::from_raw(&merged)
    }

    pub fn from_raw(raw: &RawConfig) -> (Config, Vec<Problem>) {
        let mut cfg = Config::default();
        let mut problems = vec![];
        for key in raw.unknown.keys() {
            problems.push(Problem {
                message: format!(
                    "unknown key `{key}` in the restate-lsp configuration; known keys: rules, side-effects, blocked-key, idempotency, unknown-target"
                ),
                range: None,
            });
        }
        if let Some(rules) = &raw.rules {
            for (id, sev) in rules {
                let Some(info) = catalog::get(id) else {
                    problems.push(Problem {
                        message: format!("unknown rule `{id}` in [rules]; rule IDs look like RS1001 (see `restate-lsp explain`)"),
                        range: None,
                    });
                    continue;
                };
                match Severity::parse(sev) {
                    Some(s) => {
                        cfg.overrides.insert(info.id.to_string(), s);
                    }
                    None => problems.push(Problem {
                        message: format!(
                            "invalid severity `{sev}` for {id}; use one of off, hint, info, warning, error"
                        ),
                        range: None,
                    }),
                }
            }
        }
        if let Some(se) = &raw.side_effects {
            let (cat, bad) = Catalog::from_config(
                se.functions.as_deref().unwrap_or(&[]),
                se.receivers.as_deref().unwrap_or(&[]),
            );
            cfg.catalog = cat;
            for b in bad {
                problems.push(Problem {
                    message: format!(
                        "cannot read side-effect entry `{b}`: write functions as `import/path.Func` (or `import/path.*`) and receivers as `*import/path.Type`"
                    ),
                    range: None,
                });
            }
        }
        if let Some(t) = raw
            .blocked_key
            .as_ref()
            .and_then(|b| b.threshold.as_deref())
        {
            match parse_duration_ms(t) {
                Some(ms) => cfg.blocked_key_threshold_ms = ms,
                None => problems.push(Problem {
                    message: format!(
                        "invalid [blocked-key] threshold `{t}`; write a Go duration such as \"1m\", \"90s\" or \"1h30m\" (default 1m stays in force)"
                    ),
                    range: None,
                }),
            }
        }
        if let Some(c) = raw.idempotency.as_ref().and_then(|i| i.critical.clone()) {
            for p in &c {
                if !p.contains('/') {
                    problems.push(Problem {
                        message: format!(
                            "idempotency target `{p}` has no handler part; write `Service/Handler` or `Service/*`"
                        ),
                        range: None,
                    });
                }
            }
            cfg.critical = c.into_iter().filter(|p| p.contains('/')).collect();
        }
        if let Some(k) = &raw.known_services {
            cfg.known_services = k.clone();
        }
        if let Some(k) = raw
            .unknown_target
            .as_ref()
            .and_then(|u| u.known_services.as_ref())
        {
            cfg.known_services.extend(k.iter().cloned());
        }
        (cfg, problems)
    }
}

fn merge(file: Option<&RawConfig>, client: Option<&RawConfig>) -> RawConfig {
    let mut out = file.cloned().unwrap_or_default();
    let Some(c) = client else { return out };
    if let Some(rules) = &c.rules {
        let mut merged = out.rules.take().unwrap_or_default();
        merged.extend(rules.clone());
        out.rules = Some(merged);
    }
    if let Some(se) = &c.side_effects {
        let base = out.side_effects.get_or_insert_with(RawSideEffects::default);
        if se.functions.is_some() {
            base.functions = se.functions.clone();
        }
        if se.receivers.is_some() {
            base.receivers = se.receivers.clone();
        }
    }
    if c.blocked_key
        .as_ref()
        .is_some_and(|b| b.threshold.is_some())
    {
        out.blocked_key = c.blocked_key.clone();
    }
    if c.idempotency.as_ref().is_some_and(|i| i.critical.is_some()) {
        out.idempotency = c.idempotency.clone();
    }
    if c.known_services.is_some() {
        out.known_services = c.known_services.clone();
    }
    if c.unknown_target
        .as_ref()
        .is_some_and(|u| u.known_services.is_some())
    {
        out.unknown_target = c.unknown_target.clone();
    }
    for (k, v) in &c.unknown {
        out.unknown.insert(k.clone(), v.clone());
    }
    out
}

/// Read `restate-lsp.toml`. `Err` carries the one problem that made the whole file unusable.
pub fn parse_file(text: &str) -> Result<RawConfig, Problem> {
    toml::from_str::<RawConfig>(text).map_err(|e| Problem {
        message: format!(
            "{FILE_NAME} is not valid: {}; the defaults are used until it is fixed",
            e.message()
        ),
        range: e.span().map(|s| (s.start, s.end)),
    })
}

/// A Go duration string in milliseconds: `1m`, `90s`, `1h30m`, `500ms`.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => return None,
        };
        total += n * factor;
    }
    Some(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("1m"), Some(60_000));
        assert_eq!(parse_duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("90"), None);
        assert_eq!(parse_duration_ms("abc"), None);
    }

    #[test]
    fn file_values_and_client_override() {
        let file = parse_file(
            "[rules]\nRS1007 = \"off\"\nRS1001 = \"error\"\n[side-effects]\nfunctions = [\"github.com/acme/payments.Charge\"]\n[blocked-key]\nthreshold = \"2m\"\n",
        )
        .expect("valid file");
        let client: RawConfig = toml::from_str("[rules]\nRS1001 = \"hint\"\n").expect("valid");
        let (cfg, problems) = Config::from_layers(Some(&file), Some(&client));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg.severity("RS1007"), None);
        assert_eq!(cfg.severity("RS1001"), Some(Severity::Hint));
        assert_eq!(cfg.severity("RS1002"), Some(Severity::Warning));
        assert_eq!(cfg.blocked_key_threshold_ms, 120_000);
        assert_eq!(cfg.catalog.functions.len(), 1);
    }

    #[test]
    fn malformed_file_is_one_problem_with_a_position() {
        let err = parse_file("[rules\nRS1001 = \"error\"\n").expect_err("malformed");
        assert!(err.message.contains("restate-lsp.toml is not valid"));
        assert!(err.range.is_some());
        let err = parse_file("[side-effects]\nfunctions = 3\n").expect_err("wrong type");
        assert!(err.range.is_some());
    }

    #[test]
    fn bad_entries_are_reported_and_skipped() {
        let raw = parse_file(
            "colour = 1\n[rules]\nRS9999 = \"off\"\nRS1001 = \"loud\"\nRS1002 = \"off\"\n",
        )
        .expect("parses");
        let (cfg, problems) = Config::from_raw(&raw);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(cfg.severity("RS1002"), None);
        assert_eq!(cfg.severity("RS1001"), Some(Severity::Warning));
    }
}

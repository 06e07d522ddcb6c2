//! Output formats of `check`: golangci-lint-like text, JSON, SARIF 2.1.0 and GitHub workflow
//! annotations. Lines and columns are 1-based; columns count UTF-8 bytes, like gopls' CLI.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::json;

use crate::analysis::findings::{Finding, Severity};
use crate::analysis::rules::catalog::{self, RULES};
use crate::analysis::span::Locator;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reported {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub code: &'static str,
    #[serde(serialize_with = "ser_severity")]
    pub severity: Severity,
    pub message: String,
    /// Columns in UTF-16 code units, for SARIF (whose column kinds do not include bytes).
    #[serde(skip)]
    pub column16: u32,
    #[serde(skip)]
    pub end_column16: u32,
}

fn ser_severity<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

impl Reported {
    pub fn new(path: &Path, loc: &Locator<'_>, f: Finding) -> Self {
        let (s, e) = (loc.pos(f.start), loc.pos(f.end));
        Reported {
            file: path.to_string_lossy().replace('\\', "/"),
            line: s.line + 1,
            column: s.col + 1,
            end_line: e.line + 1,
            end_column: e.col + 1,
            code: f.code,
            severity: f.severity,
            message: f.message,
            column16: s.col16 + 1,
            end_column16: e.col16 + 1,
        }
    }
}

pub fn write(format: Format, items: &[Reported], out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Text => {
            for r in items {
                let message = r.message.replace(['\n', '\r'], " ");
                writeln!(
                    out,
                    "{}:{}:{}: {} {message}",
                    r.file, r.line, r.column, r.code
                )?;
            }
            Ok(())
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, items).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut *out, &sarif(items))
                .map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Github => {
            for r in items {
                let level = match r.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info | Severity::Hint => "notice",
                };
                writeln!(
                    out,
                    "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                    escape_property(&r.file),
                    r.line,
                    r.column,
                    r.end_line,
                    r.end_column,
                    r.code,
                    escape_data(&r.message)
                )?;
            }
            Ok(())
        }
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

pub fn sarif(items: &[Reported]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "helpUri": catalog::doc_url(r.id),
                "defaultConfiguration": { "level": sarif_level(r.severity) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = items
        .iter()
        .map(|r| {
            json!({
                "ruleId": r.code,
                "ruleIndex": RULES.iter().position(|x| x.id == r.code).unwrap_or(0),
                "level": sarif_level(r.severity),
                "message": { "text": r.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": r.file },
                        "region": {
                            "startLine": r.line,
                            "startColumn": r.column16,
                            "endLine": r.end_line,
                            "endColumn": r.end_column16,
                        }
                    }
                }]
            })
        })
        .collect();
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "restate-lsp",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/restate-lsp/restate-lsp",
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

/// GitHub workflow commands: `%`, CR, LF escaped in data; also `:` and `,` in properties.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

//! Analysis data -> LSP types. The only place that maps findings, spans and symbols to protocol
//! structures.

use std::str::FromStr;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Uri,
};

use crate::analysis::findings::{Finding, Related, Severity, Tag};
use crate::analysis::rules::catalog;
use crate::server::encoding::{self, Encoding};
use crate::server::state::{Caps, path_to_uri};

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Hint => DiagnosticSeverity::HINT,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Error => DiagnosticSeverity::ERROR,
    }
}

pub fn diagnostic(f: &Finding, uri: &Uri, rope: &Rope, enc: Encoding, caps: &Caps) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .filter_map(|r| related_info(r, uri, rope, enc))
        .collect();
    let tags: Vec<DiagnosticTag> = f
        .tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect();
    Diagnostic {
        range: encoding::to_range(rope, f.start, f.end, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: rule_page(f.code).map(|href| CodeDescription { href }),
        source: Some("restate".to_string()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty() && caps.diagnostic_tags).then_some(tags),
        data: None,
    }
}

/// The link to a rule's page, parsed once per rule (diagnostics are converted on every keystroke).
fn rule_page(code: &'static str) -> Option<Uri> {
    static PAGES: std::sync::OnceLock<std::collections::HashMap<&'static str, Uri>> =
        std::sync::OnceLock::new();
    let pages = PAGES.get_or_init(|| {
        catalog::RULES
            .iter()
            .filter_map(|r| Some((r.id, Uri::from_str(&catalog::doc_url(r.id)).ok()?)))
            .collect()
    });
    pages
        .get(code)
        .cloned()
        .or_else(|| Uri::from_str(&catalog::doc_url(code)).ok())
}

fn related_info(
    r: &Related,
    uri: &Uri,
    rope: &Rope,
    enc: Encoding,
) -> Option<DiagnosticRelatedInformation> {
    let location = match &r.path {
        None => Location::new(
            uri.clone(),
            encoding::to_range(rope, r.span.start as usize, r.span.end as usize, enc),
        ),
        Some(p) => Location::new(path_to_uri(p)?, encoding::span_to_range(&r.span, enc)),
    };
    Some(DiagnosticRelatedInformation {
        location,
        message: r.message.clone(),
    })
}

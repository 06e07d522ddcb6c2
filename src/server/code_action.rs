//! textDocument/codeAction and codeAction/resolve: the fixes that findings carry (quickfix), a
//! suppression comment for every finding, `source.fixAll.restate` for the fixes marked safe, and
//! "Wrap in restate.Run" (refactor.rewrite on a selection, quickfix on RS1001/3/4/6).
//! Editors ask on every cursor move, so the findings come from the cache filled when diagnostics
//! were published; with `resolveSupport` the edits themselves are only built on resolve. The wrap
//! is only analysed for a non-empty selection or a finding of those rules under the cursor.

use std::collections::HashMap;

use serde_json::{Value, json};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionDisabled, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit,
    Uri, WorkspaceEdit,
};

use crate::analysis::findings::{Edit, Finding, Fix};
use crate::analysis::go;
use crate::analysis::wrap_run;
use crate::server::documents::Document;
use crate::server::encoding;
use crate::server::state::State;

pub const FIX_ALL: &str = "source.fixAll.restate";

/// One action before it is turned into LSP: enough to rebuild it on resolve.
struct Planned {
    title: String,
    kind: CodeActionKind,
    /// Index into the findings, if the action answers one.
    finding: Option<usize>,
    edits: Vec<Edit>,
    preferred: bool,
    /// Shown greyed out with this reason (clients with `disabledSupport` only).
    disabled: Option<String>,
}

pub use crate::analysis::findings::strip_placeholders;

fn wants(only: &Option<Vec<CodeActionKind>>, kind: &str) -> bool {
    match only {
        None => !kind.starts_with("source"),
        Some(list) => list
            .iter()
            .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str()))),
    }
}

fn plan(
    st: &State,
    doc: &Document,
    findings: &[Finding],
    start: usize,
    end: usize,
    only: &Option<Vec<CodeActionKind>>,
) -> Vec<Planned> {
    let mut out = vec![];
    if wants(only, "quickfix") {
        for (i, f) in findings.iter().enumerate() {
            // Findings under the cursor or the selection (touching counts).
            if f.end < start || f.start > end {
                continue;
            }
            for (k, fix) in f.fixes.iter().enumerate() {
                out.push(Planned {
                    title: fix.title.clone(),
                    kind: CodeActionKind::QUICKFIX,
                    finding: Some(i),
                    edits: fix_edits(fix),
                    preferred: k == 0,
                    disabled: None,
                });
            }
            if f.code != "RS0001" {
                let line_start = go::line_start(&doc.text, f.start);
                let indent = go::line_indent(&doc.text, f.start);
                out.push(Planned {
                    title: format!("Suppress {} here with //restate:ignore", f.code),
                    kind: CodeActionKind::QUICKFIX,
                    finding: Some(i),
                    edits: vec![Edit::insert(
                        line_start,
                        format!("{indent}//restate:ignore {} \n", f.code),
                    )],
                    preferred: false,
                    disabled: None,
                });
            }
        }
    }
    out.extend(wrap_actions(st, doc, findings, start, end, only));
    if wants(only, FIX_ALL) && only.is_some() {
        let edits = crate::analysis::fixes::fix_all(&doc.text, &doc.tree, findings);
        if !edits.is_empty() {
            out.push(Planned {
                title: "Fix all Restate issues with safe fixes".into(),
                kind: CodeActionKind::new(FIX_ALL),
                finding: None,
                edits,
                preferred: false,
                disabled: None,
            });
        }
    }
    out
}

/// "Wrap in restate.Run" on a selection (refactor.rewrite; a refusal becomes a disabled action
/// when the client shows those) and on findings of the rules in `wrap_run::FIX_FOR` under the
/// cursor (quickfix, the Run form only, refusals left out).
fn wrap_actions(
    st: &State,
    doc: &Document,
    findings: &[Finding],
    start: usize,
    end: usize,
    only: &Option<Vec<CodeActionKind>>,
) -> Vec<Planned> {
    let mut out: Vec<Planned> = vec![];
    let selection = start < end && wants(only, CodeActionKind::REFACTOR_REWRITE.as_str());
    let quick: Vec<usize> = if wants(only, "quickfix") {
        findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                wrap_run::FIX_FOR.contains(&f.code) && f.end >= start && f.start <= end
            })
            .map(|(i, _)| i)
            .collect()
    } else {
        vec![]
    };
    if !selection && quick.is_empty() {
        return out;
    }
    let extracted;
    let model = match st.ws.file(&doc.path) {
        Some(f) => &f.model,
        None => {
            extracted = crate::analysis::model::extract_with(&doc.text, &doc.tree, &st.extract);
            &extracted
        }
    };
    let input = |s: usize, e: usize, around: bool| wrap_run::Input {
        path: &doc.path,
        src: &doc.text,
        tree: &doc.tree,
        model,
        ws: &st.ws,
        start: s,
        end: e,
        around,
    };
    for i in quick {
        let f = &findings[i];
        // Named apart from the finding's own fixes (RS1001's hoists just the clock read), and left
        // out when one of them already makes the same edit.
        if let wrap_run::Outcome::Wrapped(fixes) = wrap_run::wrap(&input(f.start, f.end, true))
            && let Some(fix) = fixes.into_iter().next()
            && !out.iter().any(|p| p.edits == fix.edits)
            && !f.fixes.iter().any(|own| fix_edits(own) == fix.edits)
        {
            out.push(Planned {
                title: fix.title.replacen("Wrap in", "Wrap the statement in", 1),
                kind: CodeActionKind::QUICKFIX,
                finding: Some(i),
                edits: fix.edits,
                preferred: false,
                disabled: None,
            });
        }
    }
    if selection {
        match wrap_run::wrap(&input(start, end, false)) {
            wrap_run::Outcome::Wrapped(fixes) => out.extend(fixes.into_iter().map(|fix| Planned {
                title: fix.title,
                kind: CodeActionKind::REFACTOR_REWRITE,
                finding: None,
                edits: fix.edits,
                preferred: false,
                disabled: None,
            })),
            wrap_run::Outcome::Refused(reason) if st.caps.code_action_disabled => {
                out.push(Planned {
                    title: wrap_run::TITLE_RUN.into(),
                    kind: CodeActionKind::REFACTOR_REWRITE,
                    finding: None,
                    edits: vec![],
                    preferred: false,
                    disabled: Some(reason),
                })
            }
            _ => {}
        }
    }
    out
}

fn fix_edits(fix: &Fix) -> Vec<Edit> {
    fix.resolved_edits()
}

fn workspace_edit(st: &State, doc: &Document, edits: &[Edit]) -> WorkspaceEdit {
    let text_edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| {
            TextEdit::new(
                encoding::to_range(&doc.rope, e.start, e.end, st.enc),
                e.text.clone(),
            )
        })
        .collect();
    if st.caps.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: doc.uri.clone(),
                    version: Some(doc.version),
                },
                edits: text_edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        let mut changes = HashMap::new();
        changes.insert(doc.uri.clone(), text_edits);
        WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }
}

fn to_action(
    st: &State,
    doc: &Document,
    findings: &[Finding],
    p: Planned,
    index: usize,
    lazy: bool,
) -> CodeAction {
    let diagnostics = p.finding.and_then(|i| findings.get(i)).map(|f| {
        vec![crate::server::convert::diagnostic(
            f, &doc.uri, &doc.rope, st.enc, &st.caps,
        )]
    });
    let enabled = p.disabled.is_none();
    let data = (lazy && enabled).then(|| json!({"uri": doc.uri.as_str(), "version": doc.version, "index": index, "title": p.title}));
    CodeAction {
        title: p.title,
        kind: Some(p.kind),
        diagnostics,
        edit: (!lazy && enabled).then(|| workspace_edit(st, doc, &p.edits)),
        command: None,
        is_preferred: p.preferred.then_some(true),
        disabled: p.disabled.map(|reason| CodeActionDisabled { reason }),
        data,
    }
}

fn request_range(doc: &Document, params: &CodeActionParams, st: &State) -> (usize, usize) {
    let start = encoding::to_byte(&doc.rope, params.range.start, st.enc);
    let end = encoding::to_byte(&doc.rope, params.range.end, st.enc);
    (start.min(end), start.max(end))
}

pub fn code_actions(st: &State, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let doc = st.docs.get(&params.text_document.uri)?;
    let findings = st
        .findings
        .get(&doc.uri)
        .filter(|(v, _)| *v == doc.version)
        .map(|(_, f)| f.clone())?;
    let (start, end) = request_range(doc, params, st);
    let planned = plan(st, doc, &findings, start, end, &params.context.only);
    let lazy = st.caps.resolve_edits;
    Some(
        planned
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                CodeActionOrCommand::CodeAction(to_action(st, doc, &findings, p, i, lazy))
            })
            .collect(),
    )
}

/// Fill in the edit of an action returned without one. The request is replayed against the same
/// document version; a changed document gets no edit (the client then asks again).
pub fn resolve(st: &State, mut action: CodeAction) -> CodeAction {
    let Some(data) = action.data.clone() else {
        return action;
    };
    let (Some(uri), Some(version), Some(index)) = (
        data.get("uri").and_then(Value::as_str),
        data.get("version").and_then(Value::as_i64),
        data.get("index").and_then(Value::as_u64),
    ) else {
        return action;
    };
    let Ok(uri) = uri.parse::<Uri>() else {
        return action;
    };
    let Some(doc) = st
        .docs
        .get(&uri)
        .filter(|d| i64::from(d.version) == version)
    else {
        return action;
    };
    let Some(findings) = st
        .findings
        .get(&uri)
        .filter(|(v, _)| *v == doc.version)
        .map(|(_, f)| f.clone())
    else {
        return action;
    };
    let Some(range) = data
        .get("range")
        .cloned()
        .and_then(|r| serde_json::from_value(r).ok())
    else {
        return action;
    };
    let params_like = CodeActionParams {
        text_document: tower_lsp_server::ls_types::TextDocumentIdentifier { uri: uri.clone() },
        range,
        context: tower_lsp_server::ls_types::CodeActionContext {
            diagnostics: vec![],
            only: data
                .get("only")
                .cloned()
                .and_then(|o| serde_json::from_value(o).ok()),
            trigger_kind: None,
        },
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    };
    let (start, end) = request_range(doc, &params_like, st);
    let planned = plan(st, doc, &findings, start, end, &params_like.context.only);
    if let Some(p) = planned.into_iter().nth(index as usize)
        && p.title == action.title
    {
        action.edit = Some(workspace_edit(st, doc, &p.edits));
    }
    action
}

/// Attach the request's range and kinds to lazily returned actions so resolve can replay them.
pub fn remember_request(actions: &mut [CodeActionOrCommand], params: &CodeActionParams) {
    for a in actions {
        if let CodeActionOrCommand::CodeAction(ca) = a
            && let Some(Value::Object(map)) = ca.data.as_mut()
        {
            map.insert(
                "range".into(),
                serde_json::to_value(params.range).unwrap_or(Value::Null),
            );
            map.insert(
                "only".into(),
                serde_json::to_value(&params.context.only).unwrap_or(Value::Null),
            );
        }
    }
}

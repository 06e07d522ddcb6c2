//! Go-to-definition, find-references and document highlights by service and handler name, and the
//! code lens on each handler (callers, ingress URL).

use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeLens, CodeLensParams, Command, DocumentHighlight, DocumentHighlightKind,
    DocumentHighlightParams, GotoDefinitionParams, GotoDefinitionResponse, Location,
    ReferenceParams,
};

use crate::analysis::hover::{caller_count, ingress_path};
use crate::analysis::navigate::{self, Target};
use crate::analysis::workspace::{self, Location as AnLocation};
use crate::server::cancel::Token;
use crate::server::encoding;
use crate::server::state::{State, path_to_uri};

/// A location in LSP terms; open documents convert through their rope, others use the positions the
/// summary stored.
fn location(st: &State, l: &AnLocation) -> Option<Location> {
    let uri = path_to_uri(&l.path)?;
    let range = match st.doc_for_path(&l.path) {
        Some(doc) => encoding::to_range(
            &doc.rope,
            l.span.start as usize,
            l.span.end as usize,
            st.enc,
        ),
        None => encoding::span_to_range(&l.span, st.enc),
    };
    Some(Location::new(uri, range))
}

fn target(
    st: &State,
    uri: &tower_lsp_server::ls_types::Uri,
    pos: tower_lsp_server::ls_types::Position,
) -> Option<Target> {
    let doc = st.docs.get(uri)?;
    let byte = encoding::to_byte(&doc.rope, pos, st.enc);
    let file = st.ws.file(&doc.path)?;
    navigate::target_at(&file.model, &st.ws, &doc.path, byte)
}

pub fn definition(st: &State, p: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let pos = &p.text_document_position_params;
    let t = target(st, &pos.text_document.uri, pos.position)?;
    let locs: Vec<Location> = navigate::definition(&t)
        .iter()
        .filter_map(|l| location(st, l))
        .collect();
    (!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs))
}

pub fn references(st: &State, p: &ReferenceParams, token: &Token) -> Option<Vec<Location>> {
    let pos = &p.text_document_position;
    let t = target(st, &pos.text_document.uri, pos.position)?;
    let mut locs: Vec<Location> = navigate::references_until(&st.ws, &t, &|| token.is_cancelled())
        .iter()
        .filter_map(|l| location(st, l))
        .collect();
    if p.context.include_declaration {
        for l in navigate::definition(&t) {
            if let Some(x) = location(st, &l) {
                locs.insert(0, x);
            }
        }
    }
    Some(locs)
}

pub fn highlights(st: &State, p: &DocumentHighlightParams) -> Option<Vec<DocumentHighlight>> {
    let pos = &p.text_document_position_params;
    let doc = st.docs.get(&pos.text_document.uri)?;
    let t = target(st, &pos.text_document.uri, pos.position)?;
    Some(
        navigate::highlights(&st.ws, &doc.path, &t)
            .into_iter()
            .map(|s| DocumentHighlight {
                range: encoding::to_range(&doc.rope, s.start as usize, s.end as usize, st.enc),
                kind: Some(DocumentHighlightKind::TEXT),
            })
            .collect(),
    )
}

/// Client-side commands the lenses use (the VS Code extension registers them).
pub const SHOW_REFERENCES: &str = "restate.showReferences";
pub const COPY_CURL: &str = "restate.copyIngressCurl";

pub fn code_lenses(st: &State, p: &CodeLensParams, token: &Token) -> Option<Vec<CodeLens>> {
    let doc = st.docs.get(&p.text_document.uri)?;
    let mut out = vec![];
    let mut seen = vec![];
    for (_, s, h) in workspace::handlers_in(&st.ws, &doc.path) {
        // Each lens counts its handler's callers over the whole workspace.
        if token.is_cancelled() {
            return None;
        }
        let Some(anchor) = h
            .func
            .as_ref()
            .filter(|f| f.path == doc.path)
            .or(Some(&h.loc))
            .filter(|l| l.path == doc.path)
        else {
            continue;
        };
        if seen.contains(&(s.name.clone(), h.name.clone())) {
            continue;
        }
        seen.push((s.name.clone(), h.name.clone()));
        let range = encoding::to_range(
            &doc.rope,
            anchor.span.start as usize,
            anchor.span.end as usize,
            st.enc,
        );
        let t = Target::Handler(s.clone(), h.name.clone());
        let refs: Vec<Location> = navigate::references_until(&st.ws, &t, &|| token.is_cancelled())
            .iter()
            .filter_map(|l| location(st, l))
            .collect();
        let n = caller_count(&st.ws, s, h);
        out.push(CodeLens {
            range,
            command: Some(Command {
                title: format!("{n} caller{}", if n == 1 { "" } else { "s" }),
                command: SHOW_REFERENCES.into(),
                arguments: Some(vec![
                    json!(p.text_document.uri),
                    json!(range.start),
                    json!(refs),
                ]),
            }),
            data: None,
        });
        out.push(CodeLens {
            range,
            command: Some(Command {
                title: format!("POST {}", ingress_path(s, h)),
                command: COPY_CURL.into(),
                arguments: Some(vec![json!(navigate::curl(s, h))]),
            }),
            data: None,
        });
    }
    Some(out)
}

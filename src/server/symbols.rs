//! textDocument/documentSymbol and workspace/symbol: services as classes, handlers as methods.

use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind as LspKind,
    Uri, WorkspaceSymbolResponse,
};

use crate::analysis::symbols::{self, Symbol, SymbolKind};
use crate::server::encoding::{self, Encoding};
use crate::server::state::{State, path_to_uri, uri_to_path};

fn kind(k: &SymbolKind) -> LspKind {
    match k {
        SymbolKind::Service(_) => LspKind::CLASS,
        SymbolKind::Handler => LspKind::METHOD,
    }
}

#[allow(deprecated)]
fn document_symbol(s: &Symbol, enc: Encoding) -> DocumentSymbol {
    let range = encoding::span_to_range(&s.span, enc);
    DocumentSymbol {
        name: s.name.clone(),
        detail: Some(s.detail.clone()),
        kind: kind(&s.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: range,
        children: Some(s.children.iter().map(|c| document_symbol(c, enc)).collect()),
    }
}

#[allow(deprecated)]
fn flat(s: &Symbol, uri: &Uri, enc: Encoding, out: &mut Vec<SymbolInformation>) {
    out.push(SymbolInformation {
        name: s.name.clone(),
        kind: kind(&s.kind),
        tags: None,
        deprecated: None,
        location: Location::new(uri.clone(), encoding::span_to_range(&s.span, enc)),
        container_name: s.container.clone(),
    });
    for c in &s.children {
        flat(c, uri, enc, out);
    }
}

pub fn document_symbols(st: &State, uri: &Uri) -> Option<DocumentSymbolResponse> {
    let path = uri_to_path(uri);
    let syms = symbols::document_symbols(&st.ws, &path);
    if st.caps.hierarchical_symbols {
        Some(DocumentSymbolResponse::Nested(
            syms.iter().map(|s| document_symbol(s, st.enc)).collect(),
        ))
    } else {
        let mut out = vec![];
        for s in &syms {
            flat(s, uri, st.enc, &mut out);
        }
        Some(DocumentSymbolResponse::Flat(out))
    }
}

#[allow(deprecated)]
pub fn workspace_symbols(st: &State, query: &str) -> Option<WorkspaceSymbolResponse> {
    let syms = symbols::workspace_symbols(&st.ws, query, 500);
    let out = syms
        .iter()
        .filter_map(|s| {
            Some(SymbolInformation {
                name: s.name.clone(),
                kind: kind(&s.kind),
                tags: None,
                deprecated: None,
                location: Location::new(
                    path_to_uri(&s.path)?,
                    encoding::span_to_range(&s.span, st.enc),
                ),
                container_name: s.container.clone().or_else(|| Some(s.detail.clone())),
            })
        })
        .collect();
    Some(WorkspaceSymbolResponse::Flat(out))
}

//! textDocument/hover: SDK docs, workspace handlers, call strings, and the summary of the rules whose
//! diagnostics sit under the cursor.

use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use crate::analysis::hover::{self, HoverResult};
use crate::analysis::rules::pages;
use crate::server::documents::Document;
use crate::server::encoding;
use crate::server::state::State;

pub fn hover(st: &State, params: &HoverParams) -> Option<Hover> {
    let uri = &params.text_document_position_params.text_document.uri;
    let doc = st.docs.get(uri)?;
    let byte = encoding::to_byte(
        &doc.rope,
        params.text_document_position_params.position,
        st.enc,
    );
    let file = st.ws.file(&doc.path)?;
    let found = hover::hover(&doc.text, &doc.tree, &file.model, &st.ws, &doc.path, byte);
    render(st, doc, byte, found)
}

/// The hover while the index's model of the document lags behind its text (after an edit, until
/// the analysis or a request extracts the new one): answered from that model, with the text and
/// tree it was extracted from, the position mapped back through the edits made since and the
/// range mapped forward. Outer None when this cannot be done (the model is current, or the
/// position lies in text typed since): the caller then brings the model up to date first.
pub fn hover_lagging(st: &State, params: &HoverParams) -> Option<Option<Hover>> {
    let uri = &params.text_document_position_params.text_document.uri;
    let doc = st.docs.get(uri)?;
    doc.index_stale_from?;
    let ix = doc.indexed.as_ref()?;
    let file = st.ws.file(&doc.path)?;
    let byte = encoding::to_byte(
        &doc.rope,
        params.text_document_position_params.position,
        st.enc,
    );
    let old = ix.map_back(byte)?;
    let found = hover::hover(&ix.text, &ix.tree, &file.model, &st.ws, &doc.path, old).map(|h| {
        HoverResult {
            start: ix.map_forward(h.start),
            end: ix.map_forward(h.end),
            ..h
        }
    });
    Some(render(st, doc, byte, found))
}

/// The hover of `found` (if any) with the rules reported under `byte` of the current text.
fn render(st: &State, doc: &Document, byte: usize, found: Option<HoverResult>) -> Option<Hover> {
    let uri = &doc.uri;
    let mut parts: Vec<String> = vec![];
    let mut range = None;
    // Rules reported under the cursor.
    if let Some((v, findings)) = st.findings.get(uri)
        && *v == doc.version
    {
        let mut seen = vec![];
        for f in findings
            .iter()
            .filter(|f| f.start <= byte && byte <= f.end.max(f.start + 1))
        {
            if seen.contains(&f.code) {
                continue;
            }
            seen.push(f.code);
            let summary = pages::first_paragraph(f.code).unwrap_or_default();
            let name = crate::analysis::rules::catalog::get(f.code)
                .map(|r| r.name)
                .unwrap_or("");
            parts.push(format!(
                "**{} {name}**: {summary}\n\nRun `restate-lsp explain {}` for the full page.",
                f.code, f.code
            ));
            range.get_or_insert((f.start, f.end));
        }
    }
    if let Some(h) = found {
        parts.insert(0, h.markdown);
        range = Some((h.start, h.end));
    }
    // On a module that pins sdk-go 0.x, the declaration it really calls comes first.
    if let Some((_, gm)) = st.ws.module_for(&doc.path)
        && crate::analysis::migrate::old_api(Some(gm))
        && let Some(file) = st.ws.file(&doc.path)
        && let Some(md) = crate::analysis::migrate::hover::pinned(
            &doc.text,
            &doc.tree,
            &file.model,
            byte,
            gm.sdk_version.as_deref().unwrap_or("0.x"),
        )
    {
        parts.insert(0, md);
    }
    if parts.is_empty() {
        return None;
    }
    let kind = if st.caps.markdown_hover {
        MarkupKind::Markdown
    } else {
        MarkupKind::PlainText
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind,
            value: parts.join("\n\n---\n\n"),
        }),
        range: range.map(|(s, e)| encoding::to_range(&doc.rope, s, e, st.enc)),
    })
}

//! textDocument/completion: service and handler names inside call strings, state keys, and pattern
//! snippets (top-level ones outside functions, body ones inside handlers with the real context name).

use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, TextEdit,
};

use crate::analysis::complete::{self, Context, ItemKind};
use crate::analysis::snippets::{self, Scope};
use crate::server::encoding;
use crate::server::state::State;

pub fn completion(st: &State, params: &CompletionParams) -> Option<CompletionResponse> {
    let pos = &params.text_document_position;
    let doc = st.docs.get(&pos.text_document.uri)?;
    let byte = encoding::to_byte(&doc.rope, pos.position, st.enc);
    let file = st.ws.file(&doc.path)?;
    let ctx = complete::context_at(&doc.text, &doc.tree, &file.model, byte);
    let mut items = vec![];
    match &ctx {
        Context::ServiceName { .. } | Context::HandlerName { .. } | Context::StateKey { .. } => {
            for it in complete::items(&ctx, &st.ws, &doc.path) {
                let range = encoding::to_range(&doc.rope, it.start, byte, st.enc);
                items.push(CompletionItem {
                    label: it.label.clone(),
                    kind: Some(match it.kind {
                        ItemKind::Service => CompletionItemKind::MODULE,
                        ItemKind::Handler => CompletionItemKind::METHOD,
                        ItemKind::StateKey => CompletionItemKind::FIELD,
                    }),
                    detail: Some(it.detail),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, it.label))),
                    ..Default::default()
                });
            }
        }
        Context::Body { ctx: Some(name) } => snippet_items(st, Scope::Body, name, &mut items),
        Context::TopLevel => snippet_items(st, Scope::Toplevel, "ctx", &mut items),
        _ => {}
    }
    Some(CompletionResponse::Array(items))
}

fn snippet_items(st: &State, scope: Scope, ctx: &str, out: &mut Vec<CompletionItem>) {
    for s in snippets::all().iter().filter(|s| s.scope == scope) {
        let expanded = s.expanded(ctx);
        let documentation = if st.caps.markdown_completion_docs {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!("{}\n\n```go\n{}\n```", s.description, expanded.trim_end()),
            })
        } else {
            Documentation::String(format!("{}\n\n{}", s.description, expanded.trim_end()))
        };
        let (insert, format) = if st.caps.snippets {
            (s.body_with_ctx(ctx), InsertTextFormat::SNIPPET)
        } else {
            (expanded, InsertTextFormat::PLAIN_TEXT)
        };
        out.push(CompletionItem {
            label: s.prefix.clone(),
            kind: Some(CompletionItemKind::SNIPPET),
            detail: Some(s.name.clone()),
            documentation: Some(documentation),
            insert_text: Some(insert),
            insert_text_format: Some(format),
            filter_text: Some(s.prefix.clone()),
            ..Default::default()
        });
    }
}

//! Outline data: the services and handlers a file defines (document symbols) and a fuzzy search over
//! the whole index (workspace symbols). Plain data; the server turns it into LSP symbols.

use std::path::{Path, PathBuf};

use crate::analysis::restate_api::ServiceKind;
use crate::analysis::span::Span;
use crate::analysis::workspace::{Service, Workspace};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Service(ServiceKind),
    Handler,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: String,
    pub kind: SymbolKind,
    pub path: PathBuf,
    pub span: Span,
    pub children: Vec<Symbol>,
    /// For handlers in workspace search: the service they belong to.
    pub container: Option<String>,
}

fn service_detail(s: &Service) -> String {
    match &s.type_name {
        Some(t) if *t != s.name => format!("{} · type {t}", s.kind.label()),
        _ => s.kind.label().to_string(),
    }
}

/// Services with at least one handler (or the definition itself) in `path`, with those handlers.
pub fn document_symbols(ws: &Workspace, path: &Path) -> Vec<Symbol> {
    let Some((_, pkg)) = ws.package_of(path) else {
        return vec![];
    };
    let mut out = vec![];
    for s in &pkg.services {
        let children: Vec<Symbol> = s
            .handlers
            .iter()
            .filter(|h| h.loc.path == path)
            .map(|h| Symbol {
                name: h.name.clone(),
                detail: h.kind.describe().to_string(),
                kind: SymbolKind::Handler,
                path: h.loc.path.clone(),
                span: h.loc.span,
                children: vec![],
                container: Some(s.name.clone()),
            })
            .collect();
        if children.is_empty() && s.loc.path != path {
            continue;
        }
        // The service symbol must enclose its children in this file.
        let mut span = if s.loc.path == path {
            s.loc.span
        } else {
            children[0].span
        };
        for c in &children {
            if c.span.start < span.start {
                span.start = c.span.start;
                span.start_pos = c.span.start_pos;
            }
            if c.span.end > span.end {
                span.end = c.span.end;
                span.end_pos = c.span.end_pos;
            }
        }
        out.push(Symbol {
            name: s.name.clone(),
            detail: service_detail(s),
            kind: SymbolKind::Service(s.kind),
            path: path.to_path_buf(),
            span,
            children,
            container: None,
        });
    }
    out.sort_by_key(|s| s.span.start);
    out
}

/// Fuzzy match score: lower is better; `None` when `query` does not match `name`.
pub fn match_score(query: &str, name: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(3);
    }
    let q = query.to_lowercase();
    let n = name.to_lowercase();
    if n.starts_with(&q) {
        return Some(0);
    }
    // Prefix of a camel-case segment (`Appr` matches `BankApprove`).
    let segments = name
        .char_indices()
        .filter(|(i, c)| *i == 0 || c.is_uppercase() || *c == '_' || *c == '.')
        .map(|(i, _)| &n[i..]);
    for seg in segments {
        if seg.trim_start_matches(['_', '.']).starts_with(&q) {
            return Some(1);
        }
    }
    // Subsequence.
    let mut it = n.chars();
    q.chars().all(|c| it.any(|x| x == c)).then_some(2)
}

/// Services and handlers across the index matching `query`, best first.
pub fn workspace_symbols(ws: &Workspace, query: &str, limit: usize) -> Vec<Symbol> {
    let mut scored: Vec<(u32, Symbol)> = vec![];
    for s in ws.services() {
        if let Some(score) = match_score(query, &s.name) {
            scored.push((
                score,
                Symbol {
                    name: s.name.clone(),
                    detail: service_detail(s),
                    kind: SymbolKind::Service(s.kind),
                    path: s.loc.path.clone(),
                    span: s.loc.span,
                    children: vec![],
                    container: None,
                },
            ));
        }
        for h in &s.handlers {
            let full = format!("{}/{}", s.name, h.name);
            let score = match_score(query, &h.name).or_else(|| match_score(query, &full));
            if let Some(score) = score {
                scored.push((
                    score,
                    Symbol {
                        name: h.name.clone(),
                        detail: h.kind.describe().to_string(),
                        kind: SymbolKind::Handler,
                        path: h.loc.path.clone(),
                        span: h.loc.span,
                        children: vec![],
                        container: Some(s.name.clone()),
                    },
                ));
            }
        }
    }
    scored.sort_by(|a, b| (a.0, &a.1.name, &a.1.path).cmp(&(b.0, &b.1.name, &b.1.path)));
    scored.into_iter().take(limit).map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_scores() {
        assert_eq!(match_score("ban", "Bank"), Some(0));
        assert_eq!(match_score("appr", "BankApprove"), Some(1));
        assert_eq!(match_score("bkap", "BankApprove"), Some(2));
        assert_eq!(match_score("zz", "Bank"), None);
    }
}

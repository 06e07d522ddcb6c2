//! Completion: what the cursor is in. Inside the string arguments of `Service/Object/Workflow(...)`
//! (and their Send forms, and ingress) we complete service names by kind, then the chosen service's
//! handlers; inside `Get/Set/Clear` the state keys the service uses; elsewhere pattern snippets by
//! scope. The text is usually half-typed and the tree broken there, so the call is found by
//! scanning the text backwards from the cursor.

use std::path::Path;

use tree_sitter::Tree;

use crate::analysis::go;
use crate::analysis::model::{FileModel, PkgRef, StateOpKind};
use crate::analysis::restate_api::{CallApi, HandlerKind, ServiceKind};
use crate::analysis::workspace::Workspace;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    ServiceName {
        api: CallApi,
        prefix: String,
        start: usize,
    },
    HandlerName {
        service: String,
        api: CallApi,
        prefix: String,
        start: usize,
    },
    StateKey {
        prefix: String,
        start: usize,
    },
    /// Inside a function body; the name of the Restate context in scope, if any.
    Body {
        ctx: Option<String>,
    },
    TopLevel,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub detail: String,
    pub kind: ItemKind,
    /// Byte offset where the typed prefix starts (the text from there to the cursor is replaced).
    pub start: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Service,
    Handler,
    StateKey,
}

/// The call around the cursor: (callee text before `(`, index of the argument, the argument's text
/// up to the cursor, the byte where that argument starts). A forward scan from a little before the
/// cursor keeps track of strings, comments and brackets, so half-typed code is fine.
fn enclosing_call(src: &str, byte: usize) -> Option<(String, usize, String, usize)> {
    let before = src.get(..byte)?;
    let from = go::line_start(src, byte.saturating_sub(2000));
    let bytes = before.as_bytes();
    // (open position, bracket, argument count, start of current argument)
    let mut stack: Vec<(usize, u8, usize, usize)> = vec![];
    let (mut in_str, mut in_raw, mut in_comment) = (false, false, false);
    let mut i = from;
    while i < bytes.len() {
        let c = bytes[i];
        if in_comment {
            if c == b'\n' {
                in_comment = false;
            }
        } else if in_str {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' || c == b'\n' {
                in_str = false;
            }
        } else if in_raw {
            if c == b'`' {
                in_raw = false;
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'`' => in_raw = true,
                b'/' if bytes.get(i + 1) == Some(&b'/') => in_comment = true,
                b'(' | b'[' | b'{' => stack.push((i, c, 0, i + 1)),
                b')' | b']' | b'}' => {
                    stack.pop();
                }
                b',' => {
                    if let Some(top) = stack.last_mut() {
                        top.2 += 1;
                        top.3 = i + 1;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    if in_comment || in_raw {
        return None;
    }
    let &(open, bracket, args, arg_start) = stack.last()?;
    if bracket != b'(' {
        return None;
    }
    // The callee: identifier characters, dots and a `[type args]` group before the paren.
    let mut j = open;
    let mut depth = 0;
    while j > 0 {
        let d = bytes[j - 1];
        if d == b']' {
            depth += 1;
        } else if d == b'[' {
            depth -= 1;
        } else if depth == 0 && !(d.is_ascii_alphanumeric() || d == b'_' || d == b'.') {
            break;
        }
        j -= 1;
    }
    let callee = before[j..open].to_string();
    let current = before[arg_start..].trim_start().to_string();
    Some((callee, args, current, arg_start))
}

fn strip_type_args(callee: &str) -> &str {
    callee.split('[').next().unwrap_or(callee)
}

/// Split `restate.Object` into its package alias and name; bare names for dot imports.
fn split_callee(callee: &str) -> (Option<&str>, &str) {
    let c = strip_type_args(callee);
    match c.rsplit_once('.') {
        Some((pkg, name)) => (Some(pkg), name),
        None => (None, c),
    }
}

fn is_pkg(model_ref: &Option<PkgRef>, pkg: Option<&str>) -> bool {
    match (model_ref, pkg) {
        (Some(PkgRef::Named(a)), Some(p)) => a == p,
        (Some(PkgRef::Dot), None) => true,
        _ => false,
    }
}

/// The string literal being typed: (prefix after the quote, byte where the prefix starts).
fn open_string(current: &str, arg_start: usize, src: &str) -> Option<(String, usize)> {
    let lead = src[arg_start..].len() - src[arg_start..].trim_start().len();
    let rest = current.strip_prefix('"')?;
    if rest.contains('"') {
        return None;
    }
    Some((rest.to_string(), arg_start + lead + 1))
}

pub fn context_at(src: &str, tree: &Tree, model: &FileModel, byte: usize) -> Context {
    let byte = go::floor_char_boundary(src, byte);
    if let Some((callee, index, current, arg_start)) = enclosing_call(src, byte) {
        let (pkg, name) = split_callee(&callee);
        let restate = is_pkg(&model.restate, pkg);
        let ingress = is_pkg(&model.ingress, pkg);
        if restate || ingress {
            if let Some(api) = CallApi::from_name(name) {
                let Some((prefix, start)) = open_string(&current, arg_start, src) else {
                    return Context::None;
                };
                let handler_index = if api.has_key() { 3 } else { 2 };
                if index == 1 {
                    return Context::ServiceName { api, prefix, start };
                }
                if index == handler_index {
                    // The service is the second argument of the same call, already typed.
                    let call_open = src[..arg_start].rfind('(').unwrap_or(0);
                    let args_text = &src[call_open + 1..byte];
                    let service = args_text
                        .split(',')
                        .nth(1)
                        .map(|s| s.trim().trim_matches('"').to_string())
                        .unwrap_or_default();
                    return Context::HandlerName {
                        service,
                        api,
                        prefix,
                        start,
                    };
                }
                return Context::None;
            }
            if restate
                && matches!(name, "Get" | "Set" | "Clear")
                && index == 1
                && let Some((prefix, start)) = open_string(&current, arg_start, src)
            {
                return Context::StateKey { prefix, start };
            }
        }
    }
    // Inside a string or comment: nothing to offer.
    if let Some(n) = tree
        .root_node()
        .descendant_for_byte_range(byte.saturating_sub(1), byte)
        && matches!(
            n.kind(),
            "comment"
                | "interpreted_string_literal"
                | "raw_string_literal"
                | "interpreted_string_literal_content"
        )
        && n.start_byte() < byte
        && byte < n.end_byte()
    {
        return Context::None;
    }
    match model.function_at(byte) {
        Some(_) => {
            // The handler context in scope: this function's or an enclosing one's (not a Run's).
            let mut ctx = None;
            let mut cur = model.function_at(byte).map(|(i, _)| i);
            while let Some(i) = cur {
                let Some(g) = model.functions.get(i as usize) else {
                    break;
                };
                if let Some(c) = &g.ctx {
                    if c.kind.is_handler() && !c.name.is_empty() && c.name != "_" {
                        ctx = Some(c.name.clone());
                        break;
                    }
                    if !c.kind.is_handler() {
                        break;
                    }
                }
                cur = g.parent;
            }
            Context::Body { ctx }
        }
        None => Context::TopLevel,
    }
}

/// Names for the string contexts.
pub fn items(ctx: &Context, ws: &Workspace, path: &Path) -> Vec<Item> {
    let mut out = vec![];
    match ctx {
        Context::ServiceName { api, prefix, start } => {
            let want = api.target_kind();
            let mut names: Vec<(&String, ServiceKind, usize)> = vec![];
            for s in ws.services() {
                if s.kind != want {
                    continue;
                }
                if !names.iter().any(|(n, _, _)| **n == s.name) {
                    names.push((&s.name, s.kind, s.handlers.len()));
                }
            }
            names.sort_by(|a, b| a.0.cmp(b.0));
            for (n, k, h) in names {
                if n.to_lowercase().starts_with(&prefix.to_lowercase()) {
                    out.push(Item {
                        label: n.clone(),
                        detail: format!(
                            "{} · {h} handler{}",
                            k.label(),
                            if h == 1 { "" } else { "s" }
                        ),
                        kind: ItemKind::Service,
                        start: *start,
                    });
                }
            }
        }
        Context::HandlerName {
            service,
            api,
            prefix,
            start,
        } => {
            let Some(s) = crate::analysis::resolve::pick_service(ws, path, service) else {
                return out;
            };
            for h in &s.handlers {
                // A workflow's run handler is reached through Workflow(...), shared ones too;
                // `ingress.WorkflowHandle` has no handler argument.
                if *api == CallApi::WorkflowHandle {
                    continue;
                }
                if !h.name.to_lowercase().starts_with(&prefix.to_lowercase()) {
                    continue;
                }
                let io = match (&h.input, &h.output) {
                    (Some(i), Some(o)) => format!(" ({i}) → {o}"),
                    (Some(i), None) => format!(" ({i})"),
                    (None, Some(o)) => format!(" → {o}"),
                    (None, None) => String::new(),
                };
                let kind = match h.kind {
                    HandlerKind::WorkflowRun => "workflow run",
                    k => k.describe(),
                };
                out.push(Item {
                    label: h.name.clone(),
                    detail: format!("{kind}{io}"),
                    kind: ItemKind::Handler,
                    start: *start,
                });
            }
        }
        Context::StateKey { prefix, start } => {
            let mut keys: Vec<String> = ws
                .package_files(path)
                .iter()
                .flat_map(|f| f.model.state_ops.iter())
                .filter(|op| {
                    matches!(
                        op.op,
                        StateOpKind::Get | StateOpKind::Set | StateOpKind::Clear
                    )
                })
                .filter_map(|op| op.key.as_ref().map(|k| k.value.clone()))
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                if k.starts_with(prefix.as_str()) && k != *prefix {
                    out.push(Item {
                        label: k,
                        detail: "state key".into(),
                        kind: ItemKind::StateKey,
                        start: *start,
                    });
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    fn ctx_of(src_with_cursor: &str) -> Context {
        let at = src_with_cursor.find('|').expect("cursor");
        let src = src_with_cursor.replacen('|', "", 1);
        let tree = parse_str(&src);
        let m = extract(&src, &tree);
        context_at(&src, &tree, &m, at)
    }

    const HEAD: &str = "package p\n\nimport restate \"github.com/restatedev/sdk-go\"\n\nfunc h(ctx restate.ObjectContext) {\n\t";

    #[test]
    fn string_arguments_of_calls() {
        let c = ctx_of(&format!("{HEAD}restate.Object[int](ctx, \"Ba|"));
        assert!(
            matches!(c, Context::ServiceName { api: CallApi::Object, ref prefix, .. } if prefix == "Ba"),
            "{c:?}"
        );
        let c = ctx_of(&format!(
            "{HEAD}restate.Object[int](ctx, \"Bank\", key, \"Ap|"
        ));
        assert!(
            matches!(c, Context::HandlerName { ref service, ref prefix, .. } if service == "Bank" && prefix == "Ap"),
            "{c:?}"
        );
        let c = ctx_of(&format!(
            "{HEAD}restate.ServiceSend(ctx, \"Mail\", \"|\")\n}}\n"
        ));
        assert!(
            matches!(c, Context::HandlerName { ref service, .. } if service == "Mail"),
            "{c:?}"
        );
        let c = ctx_of(&format!("{HEAD}restate.Get[[]string](ctx, \"it|"));
        assert!(
            matches!(c, Context::StateKey { ref prefix, .. } if prefix == "it"),
            "{c:?}"
        );
        let c = ctx_of(&format!("{HEAD}x := 1\n\t|\n}}\n"));
        assert_eq!(
            c,
            Context::Body {
                ctx: Some("ctx".into())
            }
        );
        let c = ctx_of("package p\n\n|\n");
        assert_eq!(c, Context::TopLevel);
    }
}

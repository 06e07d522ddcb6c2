//! What to show when hovering: SDK identifiers (through the file's import alias, dot imports, and
//! methods on futures and clients whose kind is inferred from their declaration), the workspace's
//! own handlers (kind, service, ingress URL, types, callers), and service or handler names in call
//! strings. Plain markdown out; the server adds rule summaries for diagnostics under the cursor.

use std::path::Path;

use tree_sitter::{Node, Tree};

use crate::analysis::docs::{self, Package};
use crate::analysis::futures::{self, FutureKind};
use crate::analysis::go::{self, field, text};
use crate::analysis::model::{FileModel, PkgRef};
use crate::analysis::restate_api::{HandlerKind, INGRESS_PATH, SDK_PATH, SERVER_PATH, ServiceKind};
use crate::analysis::semantic::Semantic;
use crate::analysis::workspace::{Handler, Service, Workspace};

pub struct HoverResult {
    pub markdown: String,
    pub start: usize,
    pub end: usize,
}

pub fn hover(
    src: &str,
    tree: &Tree,
    model: &FileModel,
    ws: &Workspace,
    path: &Path,
    byte: usize,
) -> Option<HoverResult> {
    let node = tree
        .root_node()
        .named_descendant_for_byte_range(byte, byte)?;
    let range = (node.start_byte(), node.end_byte());
    let sem = Semantic::build_at(src, tree, byte);
    let md = api_hover(node, &sem, model)
        .map(str::to_string)
        .or_else(|| handler_definition_hover(node, &sem, model, ws, path))
        .or_else(|| call_string_hover(node, &sem, model, ws, path))?;
    Some(HoverResult {
        markdown: md,
        start: range.0,
        end: range.1,
    })
}

fn package_of_alias(model: &FileModel, alias: &str) -> Option<Package> {
    match model.import_path_for(alias)? {
        SDK_PATH => Some(Package::Restate),
        SERVER_PATH => Some(Package::Server),
        INGRESS_PATH => Some(Package::Ingress),
        _ => None,
    }
}

/// SDK documentation for the identifier under the cursor.
fn api_hover<'t>(node: Node<'t>, sem: &Semantic<'t>, model: &FileModel) -> Option<&'static str> {
    let src = sem.src();
    let parent = sem.parent(node)?;
    let name = text(node, src);
    match (node.kind(), parent.kind()) {
        ("field_identifier", "selector_expression") if field(parent, "field") == Some(node) => {
            let operand = field(parent, "operand")?;
            if operand.kind() == "identifier"
                && sem.resolve(operand).is_none()
                && let Some(pkg) = package_of_alias(model, text(operand, src))
            {
                return docs::markdown(pkg, name);
            }
            method_hover(operand, name, sem, model)
        }
        ("type_identifier", "qualified_type") => {
            let pkg_node = field(parent, "package")?;
            let pkg = package_of_alias(model, text(pkg_node, src))?;
            docs::markdown(pkg, name)
        }
        ("identifier" | "type_identifier", _) if model.restate == Some(PkgRef::Dot) => {
            if node.kind() == "identifier" && sem.resolve(node).is_some() {
                return None;
            }
            docs::markdown(Package::Restate, name)
        }
        _ => None,
    }
}

/// `.Method` on an SDK value: the entry named after the value's type.
fn method_hover<'t>(
    receiver: Node<'t>,
    method: &str,
    sem: &Semantic<'t>,
    model: &FileModel,
) -> Option<&'static str> {
    let kind = futures::kind_of(receiver, sem, model)?;
    let (pkg, ty) = match (kind, method) {
        (FutureKind::Client | FutureKind::SendClient, "Send") => (Package::Restate, "SendClient"),
        (FutureKind::Response, "GetInvocationId") => (Package::Restate, "ResponseFuture"),
        (FutureKind::IngressRequester, _) => (Package::Ingress, "Requester"),
        (FutureKind::IngressSendRequester, _) => (Package::Ingress, "SendRequester"),
        (FutureKind::SendResponse, "Id" | "Status") => (Package::Ingress, "SimpleSendResponse"),
        (FutureKind::SendResponse, _) => (Package::Ingress, "InvocationHandle"),
        (FutureKind::InvocationHandle, _) => (Package::Ingress, "InvocationHandle"),
        (FutureKind::ServerRestate, _) => (Package::Server, "Restate"),
        (FutureKind::IngressClient, _) => return None,
        (k, _) => (Package::Restate, k.type_name()),
    };
    docs::markdown(pkg, &format!("{ty}.{method}"))
}

/// The ingress URL of a handler, as curl would use it.
pub fn ingress_path(s: &Service, h: &Handler) -> String {
    match s.kind {
        ServiceKind::Service => format!("/{}/{}", s.name, h.name),
        ServiceKind::Object => format!("/{}/{{key}}/{}", s.name, h.name),
        ServiceKind::Workflow => match h.kind {
            HandlerKind::WorkflowRun => format!("/{}/{{workflowId}}/{}", s.name, h.name),
            _ => format!("/{}/{{workflowId}}/{}", s.name, h.name),
        },
    }
}

/// Number of call sites naming this handler in the workspace (handlers and ingress clients).
pub fn caller_count(ws: &Workspace, s: &Service, h: &Handler) -> usize {
    ws.files()
        .flat_map(|f| f.model.calls.iter())
        .filter(|c| {
            c.service.as_ref().is_some_and(|l| l.value == s.name)
                && c.handler.as_ref().is_some_and(|l| l.value == h.name)
        })
        .count()
}

pub fn handler_markdown(ws: &Workspace, s: &Service, h: &Handler) -> String {
    let mut md = format!("**{}/{}** · {}\n\n", s.name, h.name, h.kind.describe());
    if let Some((path, i)) = &h.func_ref
        && let Some(f) = ws
            .file(path)
            .and_then(|f| f.model.functions.get(*i as usize))
    {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{} {}", p.name, p.ty).trim().to_string())
            .collect();
        let results = match f.results.len() {
            0 => String::new(),
            1 => format!(" {}", f.results[0]),
            _ => format!(" ({})", f.results.join(", ")),
        };
        let recv = f
            .receiver
            .as_ref()
            .map(|r| format!("({}{}) ", if r.pointer { "*" } else { "" }, r.type_name))
            .unwrap_or_default();
        let name = if f.name.is_empty() {
            "func".to_string()
        } else {
            format!("func {recv}{}", f.name)
        };
        md.push_str(&format!(
            "```go\n{name}({}){results}\n```\n\n",
            params.join(", ")
        ));
    }
    md.push_str(&format!("Registered as `{}` ({}).", s.name, s.kind.label()));
    if let (Some(i), Some(o)) = (&h.input, &h.output) {
        md.push_str(&format!(" Input `{i}`, output `{o}`."));
    } else if let Some(i) = &h.input {
        md.push_str(&format!(" Input `{i}`."));
    }
    md.push_str(&format!(
        "\n\nIngress: `POST {}`\n\nCallers in the workspace: {}",
        ingress_path(s, h),
        caller_count(ws, s, h)
    ));
    md
}

/// Hover over a handler's method or function name.
fn handler_definition_hover<'t>(
    node: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
    ws: &Workspace,
    path: &Path,
) -> Option<String> {
    if !matches!(node.kind(), "field_identifier" | "identifier") {
        return None;
    }
    let parent = sem.parent(node)?;
    if !matches!(parent.kind(), "method_declaration" | "function_declaration")
        || field(parent, "name") != Some(node)
    {
        return None;
    }
    let (fi, _) = model
        .functions
        .iter()
        .enumerate()
        .find(|(_, f)| f.range.0 as usize == parent.start_byte())?;
    let (_, pkg) = ws.package_of(path)?;
    for s in &pkg.services {
        for h in &s.handlers {
            if h.func_ref
                .as_ref()
                .is_some_and(|(p, i)| p == path && *i == fi as u32)
            {
                return Some(handler_markdown(ws, s, h));
            }
        }
    }
    None
}

/// Hover over the service or handler string of a `Service/Object/Workflow(...)` call.
fn call_string_hover<'t>(
    node: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
    ws: &Workspace,
    path: &Path,
) -> Option<String> {
    let lit = if go::is_string_literal(node) {
        node
    } else {
        sem.parent(node).filter(|p| go::is_string_literal(*p))?
    };
    let at = lit.start_byte() + 1;
    for c in &model.calls {
        let on_service = c.service.as_ref().is_some_and(|l| l.span.contains_byte(at));
        let on_handler = c.handler.as_ref().is_some_and(|l| l.span.contains_byte(at));
        if !(on_service || on_handler) {
            continue;
        }
        let name = &c.service.as_ref()?.value;
        let service = crate::analysis::resolve::pick_service(ws, path, name)?;
        if on_handler {
            let h = service.handler(&c.handler.as_ref()?.value)?;
            let mut md = handler_markdown(ws, service, h);
            md.push_str(&format!("\n\nDefined in `{}`", h.loc.path.display()));
            return Some(md);
        }
        let handlers: Vec<String> = service
            .handlers
            .iter()
            .map(|h| format!("- `{}` ({})", h.name, h.kind.describe()))
            .collect();
        return Some(format!(
            "**{}** · {}\n\nDefined in `{}`\n\nHandlers:\n{}",
            service.name,
            service.kind.label(),
            service.loc.path.display(),
            handlers.join("\n")
        ));
    }
    None
}

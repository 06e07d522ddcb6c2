//! Navigation by name: from a service or handler string in a call to its definition, from a
//! handler (or service) to every call site that names it, and highlights of one handler name in a
//! file. Services and handlers are matched by their registered names, the way Restate routes calls.

use std::path::Path;
use std::sync::Arc;

use crate::analysis::model::FileModel;
use crate::analysis::resolve;
use crate::analysis::span::Span;
use crate::analysis::workspace::{Handler, Location, Service, ServiceOrigin, Workspace};

/// What the cursor names.
#[derive(Clone, Debug)]
pub enum Target {
    Service(Arc<Service>),
    Handler(Arc<Service>, String),
}

fn service_of_call_string(
    model: &FileModel,
    ws: &Workspace,
    path: &Path,
    byte: usize,
) -> Option<Target> {
    for c in &model.calls {
        let on_service = c
            .service
            .as_ref()
            .is_some_and(|l| l.span.contains_byte(byte));
        let on_handler = c
            .handler
            .as_ref()
            .is_some_and(|l| l.span.contains_byte(byte));
        if !(on_service || on_handler) {
            continue;
        }
        let s = resolve::pick_service(ws, path, &c.service.as_ref()?.value)?.clone();
        if on_handler {
            let h = c.handler.as_ref()?.value.clone();
            s.handler(&h)?;
            return Some(Target::Handler(s, h));
        }
        return Some(Target::Service(s));
    }
    None
}

/// The target under the cursor: a call string, a handler definition (method name, builder name
/// literal or the builder's function), or a service definition (type name, `NewService("Name")`).
pub fn target_at(model: &FileModel, ws: &Workspace, path: &Path, byte: usize) -> Option<Target> {
    if let Some(t) = service_of_call_string(model, ws, path, byte) {
        return Some(t);
    }
    let (_, pkg) = ws.package_of(path)?;
    for s in &pkg.services {
        if s.loc.path == path && s.loc.span.contains_byte(byte) {
            return Some(Target::Service(s.clone()));
        }
        for h in &s.handlers {
            let on_loc = h.loc.path == path && h.loc.span.contains_byte(byte);
            let on_func = h
                .func
                .as_ref()
                .is_some_and(|f| f.path == path && f.span.contains_byte(byte));
            if on_loc || on_func {
                return Some(Target::Handler(s.clone(), h.name.clone()));
            }
        }
    }
    None
}

/// Where a target is defined.
pub fn definition(t: &Target) -> Vec<Location> {
    match t {
        Target::Service(s) => vec![s.loc.clone()],
        Target::Handler(s, h) => {
            let Some(h) = s.handler(h) else { return vec![] };
            // The Go function implementing it; for builders, also the name literal.
            let mut out = vec![];
            if let Some(f) = &h.func {
                out.push(f.clone());
            }
            if s.origin == ServiceOrigin::Builder || out.is_empty() {
                out.push(h.loc.clone());
            }
            out.dedup();
            out
        }
    }
}

/// Every call site in the workspace naming the target (handler code and ingress clients): the
/// handler string for handlers, the service string for services.
pub fn references(ws: &Workspace, t: &Target) -> Vec<Location> {
    references_until(ws, t, &|| false)
}

/// `references`, giving up (with what it found so far) once `stop` says so; it is asked once per
/// file, so a cancelled request over a large workspace ends within one file's calls.
pub fn references_until(ws: &Workspace, t: &Target, stop: &dyn Fn() -> bool) -> Vec<Location> {
    let (name, handler) = match t {
        Target::Service(s) => (&s.name, None),
        Target::Handler(s, h) => (&s.name, Some(h.as_str())),
    };
    let mut out = vec![];
    let mut files: Vec<&Arc<crate::analysis::workspace::IndexedFile>> = ws.files().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in files {
        if stop() {
            break;
        }
        for c in &f.model.calls {
            let Some(svc) = &c.service else { continue };
            if svc.value != *name {
                continue;
            }
            // Same name, but resolved to another service (another module)? Keep it only if this
            // file resolves the name to the same definition.
            if let Some(resolved) = resolve::pick_service(ws, &f.path, name) {
                let same = match t {
                    Target::Service(s) | Target::Handler(s, _) => Arc::ptr_eq(resolved, s),
                };
                if !same {
                    continue;
                }
            }
            match handler {
                None => out.push(Location {
                    path: f.path.clone(),
                    span: svc.span,
                }),
                Some(h) => {
                    if let Some(hl) = c.handler.as_ref().filter(|l| l.value == h) {
                        out.push(Location {
                            path: f.path.clone(),
                            span: hl.span,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Ranges in this file that name the same handler (or service): call strings and the definition.
pub fn highlights(ws: &Workspace, path: &Path, t: &Target) -> Vec<Span> {
    let mut out: Vec<Span> = references(ws, t)
        .into_iter()
        .filter(|l| l.path == path)
        .map(|l| l.span)
        .collect();
    for l in definition(t) {
        if l.path == path {
            out.push(l.span);
        }
    }
    if let Target::Handler(s, h) = t
        && let Some(h) = s.handler(h)
        && h.loc.path == path
    {
        out.push(h.loc.span);
    }
    out.sort_by_key(|s| s.start);
    out.dedup();
    out
}

/// A curl line that invokes a handler through the ingress.
pub fn curl(s: &Service, h: &Handler) -> String {
    let path = crate::analysis::hover::ingress_path(s, h)
        .replace("{key}", "KEY")
        .replace("{workflowId}", "ID");
    let body = match h.input.as_deref() {
        None => String::new(),
        Some("string") => " -H 'content-type: application/json' -d '\"hello\"'".to_string(),
        Some(_) => " -H 'content-type: application/json' -d '{}'".to_string(),
    };
    format!("curl localhost:8080{path}{body}")
}

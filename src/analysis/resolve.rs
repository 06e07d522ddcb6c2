//! Resolving the names used in calls (`restate.Object[T](ctx, "Bank", key, "Approve")`) to the
//! services and handlers the workspace defines. Several modules may define the same name; a
//! definition in the caller's own go.mod module wins, any other one is accepted.

use std::path::Path;
use std::sync::Arc;

use crate::analysis::workspace::{Service, Workspace};

/// Definitions of a service name, those of the caller's module first.
pub fn services_for<'a>(ws: &'a Workspace, from: &Path, name: &str) -> Vec<&'a Arc<Service>> {
    let module = ws.module_for(from).map(|(d, _)| d.to_path_buf());
    let mut out: Vec<&Arc<Service>> = ws.services_named(name).iter().collect();
    out.sort_by_key(|s| (s.module != module, s.loc.path.clone()));
    out
}

pub fn pick_service<'a>(ws: &'a Workspace, from: &Path, name: &str) -> Option<&'a Arc<Service>> {
    services_for(ws, from, name).into_iter().next()
}

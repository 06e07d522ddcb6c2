//! RS9001's notice on go.mod for a module that pins sdk-go 0.x, and "Migrate this module to
//! sdk-go 1.0": as a code action on the notice and as the command `restate-lsp.migrateModule`
//! (editors bind it to a command of their own). Counting and planning read every Go file of the
//! module, so both run on the blocking pool with a snapshot of what is open; the state lock is
//! only held to take the snapshot and to store the result. Closed files' counts are cached by
//! their size and modification time. The edit goes to the client: the server never writes files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ropey::Rope;
use serde_json::{Value, json};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, DocumentChanges,
    MessageType, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::analysis::findings::{Edit, Finding};
use crate::analysis::gomod;
use crate::analysis::migrate::{self, module, notice::FileSites};
use crate::scan;
use crate::server::convert;
use crate::server::encoding::{self, Encoding};
use crate::server::state::{State, lock, path_to_uri};

pub const COMMAND: &str = "restate-lsp.migrateModule";
pub const TITLE: &str = "Migrate this module to sdk-go 1.0";

/// Stamp of a closed file: its modification time and size.
type Stamp = (Option<SystemTime>, u64);

/// A closed file's counts, valid while its stamp is.
type Counted = (PathBuf, (Stamp, FileSites));

#[derive(Default)]
pub struct Cache {
    files: HashMap<PathBuf, (Stamp, FileSites)>,
    /// The notice published for each open go.mod, with the version it was computed for.
    notices: HashMap<Uri, (i32, Finding)>,
    /// Bumped by every Go edit; a pending recount only runs if it is still the latest.
    generation: u64,
}

impl Cache {
    pub fn forget(&mut self, uri: &Uri) {
        self.notices.remove(uri);
    }
}

/// What counting one module needs, taken under the lock.
struct Job {
    uri: Uri,
    version: i32,
    dir: PathBuf,
    gomod_text: String,
    rope: Rope,
    /// Open Go documents of the module: path -> text.
    open: HashMap<PathBuf, Arc<str>>,
    cached: HashMap<PathBuf, (Stamp, FileSites)>,
    enabled: bool,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok(), m.len()))
}

/// The open Go documents under `dir`.
fn open_docs(st: &State, dir: &Path) -> HashMap<PathBuf, Arc<str>> {
    st.docs
        .values()
        .filter(|d| d.path.starts_with(dir))
        .map(|d| (d.path.clone(), d.text.clone()))
        .collect()
}

impl Job {
    /// Count the module's sites: (the notice, fresh cache entries for closed files).
    fn run(self) -> (Option<Finding>, Vec<Counted>) {
        let gm = gomod::parse(&self.gomod_text);
        if !self.enabled || !migrate::old_api(Some(&gm)) {
            return (None, vec![]);
        }
        let (mut paths, _) = scan::module_go_files(&self.dir);
        paths.extend(
            self.open
                .keys()
                .filter(|p| !paths.contains(p))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let mut per_file = vec![];
        let mut fresh = vec![];
        for p in paths {
            let sites = match self.open.get(&p) {
                Some(text) => FileSites::of_text(text),
                None => {
                    let Some(st) = stamp(&p) else { continue };
                    match self.cached.get(&p) {
                        Some((s, sites)) if *s == st => sites.clone(),
                        _ => {
                            let Ok(Some(text)) = scan::read_source(&p) else {
                                continue;
                            };
                            let sites = FileSites::of_text(&text);
                            fresh.push((p.clone(), (st, sites.clone())));
                            sites
                        }
                    }
                }
            };
            if sites.total() > 0 {
                per_file.push((p, sites));
            }
        }
        (
            migrate::notice::notice(&self.gomod_text, &gm, &per_file),
            fresh,
        )
    }
}

/// Recount and publish the notice of every open go.mod.
pub async fn publish_notices(client: &Client, state: &Arc<Mutex<State>>) {
    let jobs: Vec<Job> = {
        let st = lock(state);
        let enabled = st.config.severity("RS9001").is_some();
        st.gomods
            .values()
            .map(|d| {
                let dir = d.dir();
                Job {
                    uri: d.uri.clone(),
                    version: d.version,
                    open: open_docs(&st, &dir),
                    cached: st
                        .migration
                        .files
                        .iter()
                        .filter(|(p, _)| p.starts_with(&dir))
                        .map(|(p, v)| (p.clone(), v.clone()))
                        .collect(),
                    dir,
                    gomod_text: d.text.clone(),
                    rope: d.rope.clone(),
                    enabled,
                }
            })
            .collect()
    };
    for job in jobs {
        let (uri, version, rope) = (job.uri.clone(), job.version, job.rope.clone());
        let Ok((notice, fresh)) = tokio::task::spawn_blocking(move || job.run()).await else {
            continue;
        };
        let diags: Option<Vec<Diagnostic>> = {
            let mut st = lock(state);
            st.migration.files.extend(fresh);
            let current = st.gomods.get(&uri).map(|d| d.version);
            if current != Some(version) {
                None // a newer version is on its way; its own recount publishes
            } else {
                let (enc, caps) = (st.enc, st.caps.clone());
                match notice {
                    Some(f) => {
                        let d = convert::diagnostic(&f, &uri, &rope, enc, &caps);
                        st.migration.notices.insert(uri.clone(), (version, f));
                        Some(vec![d])
                    }
                    None => {
                        st.migration.notices.remove(&uri);
                        Some(vec![])
                    }
                }
            }
        };
        if let Some(d) = diags {
            client.publish_diagnostics(uri, d, Some(version)).await;
        }
    }
}

/// After Go edits: recount shortly after the last one, when a go.mod is open.
pub fn schedule_notices(client: Client, state: Arc<Mutex<State>>) {
    let generation = {
        let mut st = lock(&state);
        if st.gomods.is_empty() {
            return;
        }
        st.migration.generation += 1;
        st.migration.generation
    };
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if lock(&state).migration.generation != generation {
            return;
        }
        publish_notices(&client, &state).await;
    });
}

/// Code actions on a go.mod document: the migration, on the notice. None when `params` is not
/// about a go.mod the server tracks.
pub async fn code_actions(
    state: &Arc<Mutex<State>>,
    params: &CodeActionParams,
) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &params.text_document.uri;
    let (diag, lazy) = {
        let st = lock(state);
        let doc = st.gomods.get(uri)?;
        let wanted = match &params.context.only {
            None => true,
            Some(kinds) => kinds.iter().any(|k| {
                let k = k.as_str();
                k == "quickfix"
                    || k == "source"
                    || k == "source.migrate"
                    || k == "source.migrate.restate"
            }),
        };
        let at = match st.migration.notices.get(uri) {
            Some((v, f)) if *v == doc.version && wanted => {
                let s = encoding::to_byte(&doc.rope, params.range.start, st.enc);
                let e = encoding::to_byte(&doc.rope, params.range.end, st.enc);
                (s.min(e) <= f.end && s.max(e) >= f.start)
                    .then(|| convert::diagnostic(f, uri, &doc.rope, st.enc, &st.caps))
            }
            _ => None,
        };
        (at, st.caps.resolve_edits)
    };
    let Some(diag) = diag else {
        return Some(vec![]);
    };
    let mut action = CodeAction {
        title: TITLE.into(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag]),
        edit: None,
        command: None,
        is_preferred: Some(true),
        disabled: None,
        data: Some(json!({ "migrate": uri.as_str() })),
    };
    if !lazy {
        action.edit = migration_edit(state, uri).await.map(|(e, _)| e);
    }
    Some(vec![CodeActionOrCommand::CodeAction(action)])
}

/// Fill in the migration's edit; None when the action is not the migration.
pub async fn resolve(state: &Arc<Mutex<State>>, action: &CodeAction) -> Option<CodeAction> {
    let uri = action
        .data
        .as_ref()?
        .get("migrate")?
        .as_str()?
        .parse::<Uri>()
        .ok()?;
    let mut action = action.clone();
    action.edit = migration_edit(state, &uri).await.map(|(e, _)| e);
    Some(action)
}

/// `workspace/executeCommand` `restate-lsp.migrateModule [uri]`: `uri` is the go.mod or any file of
/// the module. The edit is sent with `workspace/applyEdit`.
pub async fn execute(client: &Client, state: &Arc<Mutex<State>>, args: &[Value]) -> Option<Value> {
    let Some(gomod_uri) = args
        .first()
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uri>().ok())
        .and_then(|u| module_gomod(state, &u))
    else {
        client
            .show_message(
                MessageType::WARNING,
                "Restate: no go.mod found for this file; open a file of the Go module to migrate",
            )
            .await;
        return Some(json!({ "applied": false }));
    };
    let Some((edit, plan)) = migration_edit(state, &gomod_uri).await else {
        client
            .show_message(
                MessageType::INFO,
                "Restate: this module has nothing to migrate to sdk-go 1.0",
            )
            .await;
        return Some(json!({ "applied": false, "files": 0 }));
    };
    let applied = client
        .apply_edit(edit)
        .await
        .map(|r| r.applied)
        .unwrap_or(false);
    let left = if plan.left.is_empty() {
        String::new()
    } else {
        format!(
            "; {} site(s) need a hand edit (see RS9001 with RS9001 = \"hint\")",
            plan.left.len()
        )
    };
    if applied {
        client
            .show_message(
                MessageType::INFO,
                format!(
                    "Restate: migrated {} file(s) to sdk-go 1.0{left}; run `go mod tidy` to update go.sum",
                    plan.files.len()
                ),
            )
            .await;
    }
    Some(
        json!({ "applied": applied, "files": plan.files.len(), "sites": plan.sites, "left": plan.left.len() }),
    )
}

/// The go.mod of the module `uri` belongs to.
fn module_gomod(state: &Arc<Mutex<State>>, uri: &Uri) -> Option<Uri> {
    let st = lock(state);
    if st.gomods.contains_key(uri) {
        return Some(uri.clone());
    }
    let path = crate::server::state::uri_to_path(uri);
    if path.file_name().is_some_and(|n| n == "go.mod") {
        return Some(uri.clone());
    }
    let dir = match st.ws.module_for(&path) {
        Some((d, _)) => d.to_path_buf(),
        None => path
            .ancestors()
            .skip(1)
            .find(|d| d.join("go.mod").is_file())?
            .to_path_buf(),
    };
    path_to_uri(&dir.join("go.mod"))
}

/// A file the edit touches, as the client has it.
struct Target {
    uri: Uri,
    version: Option<i32>,
    text: String,
}

/// The migration of the module whose go.mod is `gomod_uri`, as a workspace edit (None when it
/// changes nothing).
async fn migration_edit(
    state: &Arc<Mutex<State>>,
    gomod_uri: &Uri,
) -> Option<(WorkspaceEdit, module::ModulePlan)> {
    let (gomod, dir, open, enc, versioned) = {
        let st = lock(state);
        let path = crate::server::state::uri_to_path(gomod_uri);
        let dir = path.parent()?.to_path_buf();
        let gomod = match st.gomods.get(gomod_uri) {
            Some(d) => Target {
                uri: d.uri.clone(),
                version: Some(d.version),
                text: d.text.clone(),
            },
            None => Target {
                uri: gomod_uri.clone(),
                version: None,
                text: std::fs::read_to_string(&path).ok()?,
            },
        };
        let open: HashMap<PathBuf, (Uri, i32, Arc<str>)> = st
            .docs
            .values()
            .filter(|d| d.path.starts_with(&dir))
            .map(|d| (d.path.clone(), (d.uri.clone(), d.version, d.text.clone())))
            .collect();
        (gomod, dir, open, st.enc, st.caps.document_changes)
    };
    tokio::task::spawn_blocking(move || plan_edit(gomod, &dir, &open, enc, versioned))
        .await
        .ok()
        .flatten()
}

fn plan_edit(
    gomod: Target,
    dir: &Path,
    open: &HashMap<PathBuf, (Uri, i32, Arc<str>)>,
    enc: Encoding,
    versioned: bool,
) -> Option<(WorkspaceEdit, module::ModulePlan)> {
    let (mut paths, _) = scan::module_go_files(dir);
    paths.extend(
        open.keys()
            .filter(|p| !paths.contains(p))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let mut files = vec![];
    let mut targets: HashMap<PathBuf, Target> = HashMap::new();
    for p in paths {
        let (uri, version, text) = match open.get(&p) {
            Some((u, v, t)) => (u.clone(), Some(*v), t.to_string()),
            None => {
                let Ok(Some(text)) = scan::read_source(&p) else {
                    continue;
                };
                (path_to_uri(&p)?, None, text)
            }
        };
        targets.insert(
            p.clone(),
            Target {
                uri,
                version,
                text: text.clone(),
            },
        );
        files.push(module::SourceFile { path: p, text });
    }
    let plan = module::plan(&gomod.text, &files);
    if !plan.changes_anything() {
        return None;
    }
    let mut edits: Vec<(&Target, &[Edit])> = plan
        .files
        .iter()
        .filter_map(|f| Some((targets.get(&f.path)?, f.edits.as_slice())))
        .collect();
    if !plan.gomod.edits.is_empty() {
        edits.push((&gomod, plan.gomod.edits.as_slice()));
    }
    let text_edits = |t: &Target, es: &[Edit]| -> Vec<TextEdit> {
        let rope = Rope::from_str(&t.text);
        es.iter()
            .map(|e| {
                TextEdit::new(
                    encoding::to_range(&rope, e.start, e.end, enc),
                    e.text.clone(),
                )
            })
            .collect()
    };
    let edit = if versioned {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(
                edits
                    .iter()
                    .map(|(t, es)| TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri: t.uri.clone(),
                            version: t.version,
                        },
                        edits: text_edits(t, es).into_iter().map(OneOf::Left).collect(),
                    })
                    .collect(),
            )),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(
                edits
                    .iter()
                    .map(|(t, es)| (t.uri.clone(), text_edits(t, es)))
                    .collect(),
            ),
            ..Default::default()
        }
    };
    Some((edit, plan))
}

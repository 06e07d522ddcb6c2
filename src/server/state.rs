//! The server's mutable state, behind one `std::sync::Mutex`. The mutex is never held across an
//! `.await` (the compiler refuses: handler futures must be `Send`), which is what keeps document
//! mutations in arrival order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::ls_types::Uri;
use tree_sitter::Parser;

use crate::analysis::config::{self, Config, Problem, RawConfig};
use crate::analysis::findings::Finding;
use crate::analysis::go;
use crate::analysis::model::{self, ExtractOptions, FileModel};
use crate::analysis::workspace::Workspace;
use crate::server::documents::Document;
use crate::server::encoding::Encoding;
use crate::server::scheduler::Slot;

/// What the client told us it supports.
#[derive(Clone, Debug, Default)]
pub struct Caps {
    pub snippets: bool,
    pub dynamic_watchers: bool,
    pub work_done_progress: bool,
    pub configuration_pull: bool,
    pub related_information: bool,
    pub code_description: bool,
    pub diagnostic_tags: bool,
    pub hierarchical_symbols: bool,
    pub document_changes: bool,
    /// The client resolves code action edits lazily (`codeAction/resolve`).
    pub resolve_edits: bool,
    /// The client shows actions with `disabled.reason` (greyed out, with the reason).
    pub code_action_disabled: bool,
    pub markdown_hover: bool,
    /// Completion documentation may be markdown (the client lists it in `documentationFormat`).
    pub markdown_completion_docs: bool,
}

pub struct State {
    pub docs: HashMap<Uri, Document>,
    /// The findings last published for each open document, with the version they belong to.
    pub findings: HashMap<Uri, (i32, Arc<Vec<Finding>>)>,
    pub ws: Workspace,
    pub parser: Parser,
    pub enc: Encoding,
    pub caps: Caps,
    pub roots: Vec<PathBuf>,
    pub file_config: Option<RawConfig>,
    pub client_config: Option<RawConfig>,
    pub config: Arc<Config>,
    pub extract: ExtractOptions,
    /// Problems with the configuration, keyed by the config file (None: client settings).
    pub config_problems: Vec<(Option<PathBuf>, Problem)>,
    pub indexing_done: bool,
    pub shutdown: bool,
    /// The client's process id from `initialize`, watched so the server stops when it dies.
    pub client_pid: Option<u32>,
    /// Bumped by every edit; a pending settle refresh only runs if it is still the latest.
    pub cross_gen: u64,
    /// Open go.mod documents (they carry RS9001's notice for modules that pin sdk-go 0.x).
    pub gomods: HashMap<Uri, crate::server::gomod::GoModDoc>,
    /// Site counts and published notices of the go.mod migration.
    pub migration: crate::server::migrate::Cache,
    /// The analysis task of each open document (`server::scheduler`).
    pub analyses: HashMap<Uri, Slot>,
    /// Loading the dependency summaries in the background (`server::deps`).
    pub deps: crate::server::deps::Loader,
}

impl Default for State {
    fn default() -> Self {
        State {
            docs: HashMap::new(),
            findings: HashMap::new(),
            ws: Workspace::new(),
            parser: go::new_parser(),
            enc: Encoding::Utf16,
            caps: Caps::default(),
            roots: vec![],
            file_config: None,
            client_config: None,
            config: Arc::new(Config::default()),
            extract: ExtractOptions::default(),
            config_problems: vec![],
            indexing_done: false,
            shutdown: false,
            client_pid: None,
            cross_gen: 0,
            gomods: HashMap::new(),
            migration: Default::default(),
            analyses: HashMap::new(),
            deps: Default::default(),
        }
    }
}

/// Lock the state, recovering from a poisoned mutex: a panic in one handler must not take every
/// later request down with it.
pub fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A filesystem path for a URI; non-file URIs (untitled buffers) get a synthetic path so they can
/// still be analysed on their own.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    match uri.to_file_path() {
        Some(p) => p.into_owned(),
        None => PathBuf::from(format!("/<{}>", uri.as_str().replace('/', "_"))),
    }
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

impl State {
    pub fn doc_for_path(&self, path: &Path) -> Option<&Document> {
        self.docs.values().find(|d| d.path == path)
    }

    pub fn is_open(&self, path: &Path) -> bool {
        self.doc_for_path(path).is_some()
    }

    /// Re-extract an open document's model into the index.
    pub fn index_document(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.indexed_now();
        if crate::server::diagnostics::too_large(doc.text.len()) {
            doc.indexed = None;
            let path = doc.path.clone();
            self.ws.remove(&path);
            return;
        }
        let m = model::extract_with(&doc.text, &doc.tree, &self.extract);
        let lines = doc.rope.len_lines() as u32;
        let path = doc.path.clone();
        self.ws.upsert(path, m, lines);
    }

    /// Bring the index up to date with every open document that was analysed incrementally since
    /// it was last indexed. Requests that read models call this first.
    pub fn sync_index(&mut self) {
        let stale: Vec<Uri> = self
            .docs
            .values()
            .filter(|d| d.index_stale_from.is_some())
            .map(|d| d.uri.clone())
            .collect();
        for uri in stale {
            self.index_document(&uri);
        }
    }

    /// Recompute the effective configuration from the file and client layers.
    pub fn reconfigure(&mut self) {
        let (cfg, problems) =
            Config::from_layers(self.file_config.as_ref(), self.client_config.as_ref());
        let extract_changed = cfg.catalog != self.config.catalog;
        self.config_problems.retain(|(p, _)| p.is_some());
        let file = self.config_file_path();
        for p in problems {
            // Problems of merged keys are attributed to the file when it has the key.
            self.config_problems
                .push((file.clone().filter(|_| self.file_config.is_some()), p));
        }
        self.extract = ExtractOptions {
            effects: cfg.catalog.clone(),
        };
        self.config = Arc::new(cfg);
        if extract_changed {
            self.reindex_all_models();
        }
    }

    pub fn config_file_path(&self) -> Option<PathBuf> {
        self.roots.first().map(|r| r.join(config::FILE_NAME))
    }

    /// Re-extract every summary (when the side-effect catalog changed). Open documents use their
    /// trees; closed files are re-read from disk.
    fn reindex_all_models(&mut self) {
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for u in &uris {
            self.index_document(u);
        }
        let closed: Vec<PathBuf> = self
            .ws
            .files()
            .map(|f| f.path.clone())
            .filter(|p| !self.is_open(p))
            .collect();
        for p in closed {
            if let Ok(Some(src)) = crate::scan::read_source(&p) {
                let tree = go::parse(&mut self.parser, &src);
                let m: FileModel = model::extract_with(&src, &tree, &self.extract);
                self.ws.upsert(p, m, src.lines().count() as u32);
            }
        }
    }
}

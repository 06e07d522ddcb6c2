//! The language server: the only part of restate-lsp that knows LSP. Handlers are thin: they mutate
//! state synchronously at the top (before the first `.await`, so edits apply in arrival order),
//! call the analysis, convert, and only then await to talk to the client.

pub mod cancel;
pub mod catch_panic;
pub mod code_action;
pub mod completion;
pub mod convert;
pub mod deps;
pub mod diagnostics;
pub mod documents;
pub mod encoding;
pub mod gomod;
pub mod hover;
pub mod indexing;
pub mod migrate;
pub mod models;
pub mod navigation;
pub mod parent;
pub mod scheduler;
pub mod snapshot;
pub mod state;
pub mod symbols;
pub mod transport;

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::analysis::config::RawConfig;
use crate::server::documents::Document;
use crate::server::encoding::Encoding;
use crate::server::scheduler::Job;
use crate::server::state::{Caps, State, lock, uri_to_path};

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    async fn invalid_request(&self) -> Result<Value> {
        Err(Error::invalid_request())
    }

    /// Read settings in our shape (`{"rules": {...}, "side-effects": {...}}`), also accepting them
    /// nested under a `restate` key as editors tend to send them.
    fn settings_from(value: &Value) -> Option<std::result::Result<RawConfig, String>> {
        let v = match value.get("restate") {
            Some(inner) if inner.is_object() => inner,
            _ => value,
        };
        if v.is_null() || v.as_object().is_some_and(|o| o.is_empty()) {
            return None;
        }
        // Keys the editor packages send that are not analysis configuration.
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            for k in ["server", "trace", "diagnostics"] {
                o.remove(k);
            }
            o.retain(|_, val| !val.is_null());
            if o.is_empty() {
                return None;
            }
        }
        Some(serde_json::from_value::<RawConfig>(v).map_err(|e| e.to_string()))
    }

    async fn apply_client_settings(&self, value: &Value) {
        let err = {
            let mut st = lock(&self.state);
            match Self::settings_from(value) {
                None => None,
                Some(Ok(raw)) => {
                    st.client_config = Some(raw);
                    st.reconfigure();
                    None
                }
                Some(Err(e)) => Some(e),
            }
        };
        if let Some(e) = err {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("restate-lsp: cannot read the settings sent by the editor ({e}); the previous configuration stays in force"),
                )
                .await;
        }
        let problems: Vec<String> = {
            let st = lock(&self.state);
            st.config_problems
                .iter()
                .filter(|(p, _)| p.is_none())
                .map(|(_, p)| p.message.clone())
                .collect()
        };
        if !problems.is_empty() {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("restate-lsp settings: {}", problems.join("; ")),
                )
                .await;
        }
    }

    async fn pull_configuration(&self) {
        let supported = lock(&self.state).caps.configuration_pull;
        if !supported {
            return;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("restate".into()),
        }];
        if let Ok(values) = self.client.configuration(items).await
            && let Some(v) = values.into_iter().next()
        {
            self.apply_client_settings(&v).await;
        }
    }

    async fn refresh_all(&self) {
        // Every model first, so that no document is analysed against another's stale model.
        models::catch_up(&self.state).await;
        scheduler::request_all(&self.client, &self.state, Job::Refresh, None);
        let cfg = diagnostics::config_problems(&lock(&self.state));
        if let Some((uri, d)) = cfg {
            self.client.publish_diagnostics(uri, d, None).await;
        }
        migrate::publish_notices(&self.client, &self.state).await;
    }

    /// Answer a request that reads models with `f`, on models of the documents' current text. When
    /// they are current already (the usual case) `f` runs at once, before any await; otherwise
    /// the lagging models are extracted off the lock first (`models::catch_up`), never waiting for
    /// an analysis. If `uri` changed meanwhile the position in the request no longer fits its
    /// text, and the client is told so (ContentModified) and asks again.
    async fn with_models<T>(&self, uri: &Uri, f: impl FnOnce(&mut State) -> T) -> Result<T> {
        let version = {
            let mut st = lock(&self.state);
            if !models::lagging(&st) {
                return Ok(f(&mut st));
            }
            st.docs.get(uri).map(|d| d.version)
        };
        models::catch_up(&self.state).await;
        let mut st = lock(&self.state);
        if st.docs.get(uri).map(|d| d.version) != version {
            return Err(Error::content_modified());
        }
        st.sync_index();
        Ok(f(&mut st))
    }
}

fn client_caps(p: &InitializeParams) -> (Caps, Encoding) {
    let c = &p.capabilities;
    let td = c.text_document.as_ref();
    let enc = match c
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
    {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    };
    let diag = td.and_then(|t| t.publish_diagnostics.as_ref());
    let caps = Caps {
        snippets: td
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false),
        dynamic_watchers: c
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        work_done_progress: c
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        configuration_pull: c
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false),
        related_information: diag.and_then(|d| d.related_information).unwrap_or(false),
        code_description: diag
            .and_then(|d| d.code_description_support)
            .unwrap_or(false),
        diagnostic_tags: diag.and_then(|d| d.tag_support.as_ref()).is_some(),
        hierarchical_symbols: td
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            .unwrap_or(false),
        document_changes: c
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|w| w.document_changes)
            .unwrap_or(false),
        resolve_edits: td
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
        code_action_disabled: td
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.disabled_support)
            .unwrap_or(false),
        markdown_hover: td
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_none_or(|f| f.is_empty() || f.contains(&MarkupKind::Markdown)),
        // Unlike hover, no format list means plain text: clients that render markdown say so.
        markdown_completion_docs: td
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.documentation_format.as_ref())
            .is_some_and(|f| f.contains(&MarkupKind::Markdown)),
    };
    (caps, enc)
}

#[allow(deprecated)]
fn workspace_roots(p: &InitializeParams) -> Vec<std::path::PathBuf> {
    let mut roots: Vec<std::path::PathBuf> = p
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|x| x.into_owned()))
        .collect();
    if roots.is_empty()
        && let Some(p) = p.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        roots.push(p.into_owned());
    }
    roots
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let (caps, enc) = client_caps(&params);
        let roots = workspace_roots(&params);
        {
            let mut st = lock(&self.state);
            st.caps = caps;
            st.enc = enc;
            // Until the folders are read, rules that report what is missing hold back.
            st.ws.partial = !roots.is_empty();
            st.roots = roots;
            st.client_pid = params.process_id;
        }
        if let Some(opts) = &params.initialization_options {
            self.apply_client_settings(opts).await;
        }
        let position_encoding = Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        });
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding,
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                document_symbol_provider: Some(OneOf::Left(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["\"".into()]),
                    resolve_provider: Some(false),
                    ..Default::default()
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR_REWRITE,
                            CodeActionKind::new(code_action::FIX_ALL),
                        ]),
                        resolve_provider: Some(true),
                        work_done_progress_options: Default::default(),
                    },
                )),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![migrate::COMMAND.into()],
                    work_done_progress_options: Default::default(),
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "restate-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            ..Default::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let dynamic = lock(&self.state).caps.dynamic_watchers;
        if dynamic {
            let watchers = ["**/*.go", "**/go.mod", "**/restate-lsp.toml"]
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect();
            let reg = Registration {
                id: "restate-lsp/watchers".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            };
            if let Err(e) = self.client.register_capability(vec![reg]).await {
                eprintln!(
                    "restate-lsp: the client refused the file watchers ({e}); files changed outside the editor are picked up on reopen"
                );
            }
        }
        self.pull_configuration().await;
        let client = self.client.clone();
        let state = self.state.clone();
        tokio::spawn(indexing::index_workspace(client, state));
    }

    async fn shutdown(&self) -> Result<()> {
        lock(&self.state).shutdown = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri;
        if gomod::is_gomod(&uri, &params.text_document.language_id) {
            gomod::open(
                &mut lock(&self.state),
                uri,
                params.text_document.version,
                &params.text_document.text,
            );
            // Its sdk-go version decides RS9001 in the module's Go files.
            self.refresh_all().await;
            return;
        }
        let start = {
            let mut st = lock(&self.state);
            let path = uri_to_path(&uri);
            let doc = {
                let State { parser, .. } = &mut *st;
                Document::open(
                    uri.clone(),
                    path,
                    params.text_document.version,
                    &params.text_document.text,
                    parser,
                )
            };
            // A second didOpen of an open document replaces it, and what was found in it.
            st.docs.insert(uri.clone(), doc);
            st.findings.remove(&uri);
            scheduler::request(&mut st, &uri, Job::Edit)
        };
        if start {
            scheduler::spawn(&self.client, &self.state, uri.clone());
        }
        scheduler::schedule_settle(self.client.clone(), self.state.clone(), uri);
        migrate::schedule_notices(self.client.clone(), self.state.clone());
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let gomod_changed = {
            let mut st = lock(&self.state);
            let enc = st.enc;
            st.gomods
                .contains_key(&uri)
                .then(|| gomod::change(&mut st, &uri, version, &params.content_changes, enc))
        };
        if let Some(changed) = gomod_changed {
            if changed {
                self.refresh_all().await;
            }
            return;
        }
        let start = {
            let mut st = lock(&self.state);
            let State {
                docs, parser, enc, ..
            } = &mut *st;
            let Some(doc) = docs.get_mut(&uri) else {
                return;
            };
            if version <= doc.version {
                eprintln!(
                    "restate-lsp: ignored a stale change to {} (version {version}, have {})",
                    uri.as_str(),
                    doc.version
                );
                return;
            }
            doc.apply_changes(&params.content_changes, *enc, parser);
            doc.version = version;
            // The analysis runs on its own task; this only asks for it (and cancels the one
            // running on an older version).
            scheduler::request(&mut st, &uri, Job::Edit)
        };
        if start {
            scheduler::spawn(&self.client, &self.state, uri.clone());
        }
        scheduler::schedule_settle(self.client.clone(), self.state.clone(), uri);
        migrate::schedule_notices(self.client.clone(), self.state.clone());
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if gomod::close(&mut lock(&self.state), &uri) {
            self.client.publish_diagnostics(uri, vec![], None).await;
            self.refresh_all().await;
            return;
        }
        {
            let mut st = lock(&self.state);
            st.findings.remove(&uri);
            scheduler::forget(&mut st, &uri);
            if let Some(doc) = st.docs.remove(&uri) {
                // The index falls back to the file on disk (or forgets an unsaved buffer).
                let opts = st.extract.clone();
                match crate::scan::read_source(&doc.path) {
                    Ok(Some(src)) => {
                        let tree = crate::analysis::go::parse(&mut st.parser, &src);
                        let m = crate::analysis::model::extract_with(&src, &tree, &opts);
                        st.ws
                            .upsert(doc.path.clone(), m, src.lines().count() as u32);
                    }
                    _ => st.ws.remove(&doc.path),
                }
            }
        }
        self.client.publish_diagnostics(uri, vec![], None).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        {
            let mut st = lock(&self.state);
            indexing::apply_file_events(&mut st, &params.changes);
        }
        // Requirements may have changed: summaries are loaded again (from memory where they
        // are already known).
        if params
            .changes
            .iter()
            .any(|e| e.uri.path().as_str().ends_with("/go.mod"))
        {
            deps::ensure(&self.client, &self.state);
        }
        self.refresh_all().await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() || params.settings.as_object().is_some_and(|o| o.is_empty()) {
            self.pull_configuration().await;
        } else {
            self.apply_client_settings(&params.settings).await;
        }
        self.refresh_all().await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut st = lock(&self.state);
            for removed in &params.event.removed {
                if let Some(p) = removed.uri.to_file_path() {
                    let p = p.into_owned();
                    st.roots.retain(|r| *r != p);
                    st.ws.remove_dir(&p);
                }
            }
            for added in &params.event.added {
                if let Some(p) = added.uri.to_file_path() {
                    st.roots.push(p.into_owned());
                }
            }
            st.ws.partial = true;
        }
        tokio::spawn(indexing::index_workspace(
            self.client.clone(),
            self.state.clone(),
        ));
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = &params.text_document.uri;
        self.with_models(uri, |st| symbols::document_symbols(st, uri))
            .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = &params.text_document_position.text_document.uri;
        self.with_models(uri, |st| completion::completion(st, &params))
            .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = &params.text_document_position_params.text_document.uri;
        self.with_models(uri, |st| navigation::definition(st, &params))
            .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        cancel::run(self.state.clone(), move |st, token| {
            navigation::references(st, &params, token)
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let uri = &params.text_document_position_params.text_document.uri;
        self.with_models(uri, |st| navigation::highlights(st, &params))
            .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        cancel::run(self.state.clone(), move |st, token| {
            navigation::code_lenses(st, &params, token)
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = &params.text_document_position_params.text_document.uri;
        // While the model lags behind the text, answer from it through the edits at once.
        if let Some(answer) = hover::hover_lagging(&lock(&self.state), &params) {
            return Ok(answer);
        }
        self.with_models(uri, |st| hover::hover(st, &params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        if let Some(actions) = migrate::code_actions(&self.state, &params).await {
            return Ok(Some(actions));
        }
        let uri = &params.text_document.uri;
        self.with_models(uri, |st| {
            let mut actions = code_action::code_actions(st, &params).unwrap_or_default();
            if st.caps.resolve_edits {
                code_action::remember_request(&mut actions, &params);
            }
            Some(actions)
        })
        .await
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        if let Some(resolved) = migrate::resolve(&self.state, &action).await {
            return Ok(resolved);
        }
        let uri = action
            .data
            .as_ref()
            .and_then(|d| d.get("uri"))
            .and_then(Value::as_str)
            .and_then(|u| u.parse::<Uri>().ok());
        match uri {
            Some(uri) => {
                self.with_models(&uri, |st| code_action::resolve(st, action))
                    .await
            }
            // Not one of ours: nothing to resolve.
            None => Ok(action),
        }
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command == migrate::COMMAND {
            return Ok(migrate::execute(&self.client, &self.state, &params.arguments).await);
        }
        Err(Error::invalid_params(format!(
            "unknown command `{}`",
            params.command
        )))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        // Services only (a few thousand in the largest workspaces), so the token is not polled.
        cancel::run(self.state.clone(), move |st, _| {
            symbols::workspace_symbols(st, &params.query)
        })
        .await
    }
}

/// Serve LSP over stdin/stdout until the client exits. Returns the process exit code (0 when the
/// client sent `shutdown` before `exit`, as the protocol asks).
pub async fn serve_stdio() -> i32 {
    let (service, socket) = LspService::build(Backend::new)
        .custom_method(transport::INVALID_REQUEST_METHOD, Backend::invalid_request)
        .finish();
    let state = service.inner().state.clone();
    let (filtered_in, server_in) = tokio::io::duplex(1 << 20);
    let ended = Arc::new(tokio::sync::Notify::new());
    tokio::spawn(transport::filter(
        tokio::io::stdin(),
        filtered_in,
        ended.clone(),
    ));
    let service = catch_panic::CatchPanic::new(service);
    let serve = Server::new(server_in, tokio::io::stdout(), socket).serve(service);
    // `serve` only returns once every handler finished; one waiting on a client that already left
    // would keep the process alive, so `exit` (or the end of input) also ends it after a grace period
    // that lets the last responses flush.
    tokio::select! {
        _ = serve => {}
        _ = async {
            ended.notified().await;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        } => {}
        _ = parent::wait_for_client_exit(state.clone()) => {}
    }
    if lock(&state).shutdown { 0 } else { 1 }
}

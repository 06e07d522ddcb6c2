//! Background indexing of the workspace folders, and keeping the index current when files change on
//! disk. Parsing happens outside the state lock; only the insertion of finished summaries takes it,
//! in batches, so typing stays responsive while a large workspace is indexed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    FileChangeType, FileEvent, MessageType, NumberOrString, ProgressToken,
};

use crate::analysis::config;
use crate::analysis::go;
use crate::analysis::gomod;
use crate::analysis::model::{self, ExtractOptions, FileModel};
use crate::scan;
use crate::server::diagnostics;
use crate::server::models;
use crate::server::scheduler::{self, Job};
use crate::server::state::{State, lock, uri_to_path};

const BATCH: usize = 64;

/// A parsed file ready to be inserted.
struct Parsed {
    path: PathBuf,
    model: FileModel,
    lines: u32,
}

fn parse_file(
    parser: &mut tree_sitter::Parser,
    path: &Path,
    opts: &ExtractOptions,
) -> Option<Parsed> {
    let src = match scan::read_source(path) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!(
                "restate-lsp: skipped {} (binary or over the size limit)",
                path.display()
            );
            return None;
        }
        Err(e) => {
            eprintln!("restate-lsp: cannot read {}: {e}", path.display());
            return None;
        }
    };
    let tree = go::parse(parser, &src);
    let model = model::extract_with(&src, &tree, opts);
    Some(Parsed {
        path: path.to_path_buf(),
        model,
        lines: src.lines().count() as u32,
    })
}

/// Load go.mod files and the config file (quick; done before parsing Go files).
pub fn load_project_files(st: &mut State, found: &scan::Found) {
    for m in &found.go_mods {
        // An open go.mod's text wins over the file on disk.
        if st.gomods.values().any(|d| d.path == *m) {
            continue;
        }
        if let (Some(dir), Ok(text)) = (m.parent(), std::fs::read_to_string(m)) {
            st.ws.set_gomod(dir.to_path_buf(), gomod::parse(&text));
        }
    }
    reload_config_file(st);
}

pub fn reload_config_file(st: &mut State) {
    let Some(path) = st.config_file_path() else {
        return;
    };
    st.config_problems
        .retain(|(p, _)| p.as_ref() != Some(&path));
    st.file_config = match std::fs::read_to_string(&path) {
        Ok(text) => match config::parse_file(&text) {
            Ok(raw) => Some(raw),
            Err(problem) => {
                st.config_problems.push((Some(path.clone()), problem));
                None
            }
        },
        Err(_) => None,
    };
    st.reconfigure();
}

/// Index every workspace folder, then refresh the diagnostics of open documents.
pub async fn index_workspace(client: Client, state: Arc<Mutex<State>>) {
    let (roots, opts, progress_ok) = {
        let st = lock(&state);
        (
            st.roots.clone(),
            st.extract.clone(),
            st.caps.work_done_progress,
        )
    };
    if roots.is_empty() {
        let mut st = lock(&state);
        st.indexing_done = true;
        st.ws.partial = false;
        return;
    }
    let token = ProgressToken::String("restate-lsp/indexing".into());
    let progress = if progress_ok
        && client
            .create_work_done_progress(token.clone())
            .await
            .is_ok()
    {
        Some(
            client
                .progress(token, "Restate: indexing")
                .with_percentage(0)
                .begin()
                .await,
        )
    } else {
        None
    };
    let roots2 = roots.clone();
    let found = tokio::task::spawn_blocking(move || scan::scan(&roots2))
        .await
        .unwrap_or_default();
    for line in &found.skipped {
        eprintln!("restate-lsp: {line}");
    }
    {
        let mut st = lock(&state);
        load_project_files(&mut st, &found);
    }
    let total = found.go_files.len();
    let mut done = 0usize;
    for chunk in found.go_files.chunks(BATCH) {
        let paths: Vec<PathBuf> = chunk.to_vec();
        let opts2 = opts.clone();
        let parsed: Vec<Parsed> = tokio::task::spawn_blocking(move || {
            let mut parser = go::new_parser();
            paths
                .iter()
                .filter_map(|p| parse_file(&mut parser, p, &opts2))
                .collect()
        })
        .await
        .unwrap_or_default();
        {
            let mut st = lock(&state);
            for p in parsed {
                if !st.is_open(&p.path) {
                    st.ws.upsert(p.path, p.model, p.lines);
                }
            }
        }
        done += chunk.len();
        if let Some(pr) = &progress {
            let pct = (done * 100 / total.max(1)) as u32;
            pr.report_with_message(format!("{done}/{total} files"), pct)
                .await;
        }
    }
    let config_diags = {
        let mut st = lock(&state);
        st.indexing_done = true;
        st.ws.partial = false;
        diagnostics::config_problems(&st)
    };
    if let Some(pr) = progress {
        pr.finish_with_message(format!("{total} Go files indexed"))
            .await;
    }
    client
        .log_message(
            MessageType::INFO,
            format!("restate-lsp: indexed {total} Go files"),
        )
        .await;
    // Open documents are analysed again now that the whole workspace is known (their models
    // first, so that none is analysed against another's stale model).
    models::catch_up(&state).await;
    scheduler::request_all(&client, &state, Job::Refresh, None);
    // Then the dependencies' summaries, in the background; open documents are refreshed again
    // when they are in.
    crate::server::deps::ensure(&client, &state);
    if let Some((uri, d)) = config_diags {
        client.publish_diagnostics(uri, d, None).await;
    }
}

/// Apply `workspace/didChangeWatchedFiles` events to the index (open documents are the client's
/// truth and are left alone).
pub fn apply_file_events(st: &mut State, events: &[FileEvent]) -> bool {
    let mut config_changed = false;
    for ev in events {
        let path = uri_to_path(&ev.uri);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == config::FILE_NAME {
            config_changed = true;
            continue;
        }
        if name == "go.mod" {
            let Some(dir) = path.parent().map(Path::to_path_buf) else {
                continue;
            };
            if st.gomods.values().any(|d| d.path == path) {
                continue; // open: the editor's text wins
            }
            if ev.typ == FileChangeType::DELETED {
                st.ws.remove_gomod(&dir);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                st.ws.set_gomod(dir, gomod::parse(&text));
            }
            continue;
        }
        if !name.ends_with(".go") {
            // A deleted directory arrives as one event for the directory.
            if ev.typ == FileChangeType::DELETED {
                st.ws.remove_dir(&path);
            }
            continue;
        }
        if st.is_open(&path) {
            continue;
        }
        if ev.typ == FileChangeType::DELETED {
            st.ws.remove(&path);
        } else {
            let opts = st.extract.clone();
            let mut parser = go::new_parser();
            if let Some(p) = parse_file(&mut parser, &path, &opts) {
                st.ws.upsert(p.path, p.model, p.lines);
            }
        }
    }
    if config_changed {
        reload_config_file(st);
    }
    config_changed
}

pub fn watcher_id() -> NumberOrString {
    NumberOrString::String("restate-lsp/watchers".into())
}

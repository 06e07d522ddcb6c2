//! What an analysis reads, copied out of the state under the lock and used off it.
//!
//! Every copy is cheap: the rope and the text are shared (`Rope` is copy-on-write, the text an
//! `Arc<str>`), `Tree::clone` bumps a reference count, and the workspace index shares its tables
//! with the state (`analysis::cow_map`). So taking a snapshot holds the lock for microseconds, and
//! edits, requests and other analyses go on while the snapshot is analysed.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::Uri;
use tree_sitter::Tree;

use crate::analysis::config::Config;
use crate::analysis::findings::Finding;
use crate::analysis::incremental::Outline;
use crate::analysis::model::ExtractOptions;
use crate::analysis::workspace::Workspace;
use crate::server::encoding::Encoding;
use crate::server::state::{Caps, State};

/// One open document as of one version, with what the last analysis of it left behind.
#[derive(Clone)]
pub struct DocSnapshot {
    pub uri: Uri,
    pub path: PathBuf,
    pub version: i32,
    pub text: Arc<str>,
    pub rope: Rope,
    pub tree: Tree,
    pub provisional: bool,
    /// See `Document::index_stale_from`.
    pub index_stale_from: Option<usize>,
    /// The cached findings with their version, and the outline of their text.
    pub cached: Option<(i32, Arc<Vec<Finding>>)>,
    pub outline: Option<Outline>,
    pub analysed_generation: Option<u64>,
}

/// The rest of what an analysis reads: the index, the configuration, how to convert.
#[derive(Clone)]
pub struct Env {
    pub ws: Workspace,
    pub config: Arc<Config>,
    pub extract: ExtractOptions,
    pub enc: Encoding,
    pub caps: Caps,
}

impl Env {
    pub fn take(st: &State) -> Env {
        Env {
            ws: st.ws.clone(),
            config: st.config.clone(),
            extract: st.extract.clone(),
            enc: st.enc,
            caps: st.caps.clone(),
        }
    }
}

/// The document `uri` and its environment, or None when it is not open.
pub fn take(st: &State, uri: &Uri) -> Option<(DocSnapshot, Env)> {
    let d = st.docs.get(uri)?;
    let doc = DocSnapshot {
        uri: uri.clone(),
        path: d.path.clone(),
        version: d.version,
        text: d.text.clone(),
        rope: d.rope.clone(),
        tree: d.tree.clone(),
        provisional: d.is_provisional(),
        index_stale_from: d.index_stale_from,
        cached: st.findings.get(uri).cloned(),
        outline: d.outline.clone(),
        analysed_generation: d.analysed_generation,
    };
    Some((doc, Env::take(st)))
}

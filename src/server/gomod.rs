//! go.mod documents. The server offers a diagnostic on go.mod (RS9001's notice for a module that
//! pins sdk-go 0.x), so it tracks the go.mod files the editor opens (language id `go.mod`, or
//! `gomod` as Neovim names it): their text, version and rope. The editor's text wins over the file
//! on disk for the module's sdk-go version, as it does for Go files.

use std::path::{Path, PathBuf};

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis::gomod;
use crate::server::encoding::{self, Encoding};
use crate::server::state::{State, uri_to_path};

pub struct GoModDoc {
    pub uri: Uri,
    pub path: PathBuf,
    pub version: i32,
    pub rope: Rope,
    pub text: String,
}

impl GoModDoc {
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// Whether a document the client opens is a go.mod file.
pub fn is_gomod(uri: &Uri, language_id: &str) -> bool {
    matches!(language_id, "go.mod" | "gomod")
        || uri_to_path(uri).file_name().is_some_and(|n| n == "go.mod")
}

pub fn open(st: &mut State, uri: Uri, version: i32, text: &str) {
    let path = uri_to_path(&uri);
    let doc = GoModDoc {
        uri: uri.clone(),
        path,
        version,
        rope: Rope::from_str(text),
        text: text.to_string(),
    };
    st.ws.set_gomod(doc.dir(), gomod::parse(text));
    st.gomods.insert(uri, doc);
}

/// Apply a change batch; false when the version is stale (the change is ignored).
pub fn change(
    st: &mut State,
    uri: &Uri,
    version: i32,
    changes: &[TextDocumentContentChangeEvent],
    enc: Encoding,
) -> bool {
    let Some(doc) = st.gomods.get_mut(uri) else {
        return false;
    };
    if version <= doc.version {
        return false;
    }
    for c in changes {
        match c.range {
            None => doc.rope = Rope::from_str(&c.text),
            Some(r) => {
                let mut s = encoding::to_byte(&doc.rope, r.start, enc);
                let mut e = encoding::to_byte(&doc.rope, r.end, enc);
                if e < s {
                    std::mem::swap(&mut s, &mut e);
                }
                let (Ok(sc), Ok(ec)) = (doc.rope.try_byte_to_char(s), doc.rope.try_byte_to_char(e))
                else {
                    continue;
                };
                if doc.rope.try_remove(sc..ec).is_ok() {
                    let _ = doc.rope.try_insert(sc, &c.text);
                }
            }
        }
    }
    doc.version = version;
    doc.text = doc.rope.to_string();
    let (dir, parsed) = (doc.dir(), gomod::parse(&doc.text));
    st.ws.set_gomod(dir, parsed);
    true
}

/// Forget a closed go.mod; the index falls back to the file on disk.
pub fn close(st: &mut State, uri: &Uri) -> bool {
    let Some(doc) = st.gomods.remove(uri) else {
        return false;
    };
    st.migration.forget(uri);
    match std::fs::read_to_string(&doc.path) {
        Ok(text) => st.ws.set_gomod(doc.dir(), gomod::parse(&text)),
        Err(_) => st.ws.remove_gomod(&doc.dir()),
    }
    true
}

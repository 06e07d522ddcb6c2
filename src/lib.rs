//! restate-lsp: a language server and CI checker for Go code written with the Restate SDK.
//!
//! `analysis` is pure (text in, findings out); `server` is the only module that knows LSP; `cli`
//! drives the same analysis over files on disk; `deps` reads the Go dependencies the analysis
//! summarises.

pub mod analysis;
pub mod cli;
pub mod deps;
#[doc(hidden)]
pub mod fuzzing;
pub mod scan;
pub mod server;

//! The analysis: pure functions from Go source text to a model of the file, the workspace index and
//! findings. Nothing here knows about LSP, JSON-RPC or the file system of a client.

pub mod callee;
pub mod cancel;
pub mod clients;
pub mod complete;
pub mod config;
pub mod cow_map;
pub mod docs;
pub mod effects;
pub mod findings;
pub mod fixes;
pub mod futures;
pub mod go;
pub mod gomod;
pub mod hover;
pub mod incremental;
pub mod migrate;
pub mod model;
pub mod navigate;
pub mod resolve;
pub mod restate_api;
pub mod rules;
pub mod sdk_methods;
pub mod semantic;
pub mod snippets;
pub mod span;
pub mod summary;
pub mod suppress;
pub mod symbols;
pub mod workspace;
pub mod wrap_run;

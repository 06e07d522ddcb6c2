//! The command line: `serve` (default), `check`, `migrate`, `explain`.

pub mod bench;
pub mod bench_analysis;
pub mod bench_deps;
pub mod bench_server;
pub mod check;
pub mod filter;
pub mod fix;
pub mod migrate;
pub mod report;
pub mod statistics;
pub mod write;

use std::io::Write;

use crate::analysis::rules::{catalog, pages};

/// `restate-lsp explain RS1001`: print the rule page. Exit 2 for an unknown rule.
pub fn explain(id: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match pages::page(id) {
        Some(p) => {
            let _ = out.write_all(p.as_bytes());
            0
        }
        None => {
            let ids: Vec<&str> = catalog::RULES.iter().map(|r| r.id).collect();
            let _ = writeln!(
                err,
                "restate-lsp: unknown rule `{id}`; known rules: {}",
                ids.join(", ")
            );
            2
        }
    }
}

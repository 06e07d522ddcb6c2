//! `check --statistics`: how many findings each rule has, most first, in every output format.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::json;

use crate::analysis::rules::catalog;
use crate::cli::report::{Format, Reported};

/// (code, rule name, count, how many carry a safe fix), most frequent first, then by code.
pub fn count(
    items: &[Reported],
    fixable: &BTreeMap<&'static str, usize>,
) -> Vec<(&'static str, &'static str, usize, usize)> {
    let mut by: BTreeMap<&'static str, usize> = BTreeMap::new();
    for r in items {
        *by.entry(r.code).or_default() += 1;
    }
    let mut rows: Vec<_> = by
        .into_iter()
        .map(|(code, n)| {
            let name = catalog::get(code).map(|r| r.name).unwrap_or("");
            (code, name, n, fixable.get(code).copied().unwrap_or(0))
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    rows
}

pub fn write(
    format: Format,
    rows: &[(&'static str, &'static str, usize, usize)],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => {
            for (code, name, n, fixable) in rows {
                let fix = if *fixable > 0 {
                    format!(" ({fixable} fixable with --fix)")
                } else {
                    String::new()
                };
                writeln!(out, "{n:>6}  {code}  {name}{fix}")?;
            }
            Ok(())
        }
        Format::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|(code, name, n, fixable)| {
                    json!({"code": code, "name": name, "count": n, "fixable": fixable})
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Github => {
            for (code, name, n, _) in rows {
                writeln!(
                    out,
                    "::notice title={code}::{n} finding(s) of {code} {name}"
                )?;
            }
            Ok(())
        }
        Format::Sarif => {
            // A SARIF log without results; the counts go in the run's property bag.
            let mut log = crate::cli::report::sarif(&[]);
            let stats: Vec<_> = rows
                .iter()
                .map(|(code, name, n, fixable)| {
                    json!({"ruleId": code, "name": name, "count": n, "fixable": fixable})
                })
                .collect();
            if let Some(run) = log["runs"].get_mut(0) {
                run["properties"] = json!({ "statistics": stats });
            }
            serde_json::to_writer_pretty(&mut *out, &log).map_err(std::io::Error::other)?;
            writeln!(out)
        }
    }
}

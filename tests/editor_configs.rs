//! The editor packages stay in step with the server: Helix's languages.toml names both servers, the
//! VS Code settings are exactly the keys of restate-lsp.toml and list every rule of the catalog.

use std::path::Path;

use restate_lsp::analysis::config::{Config, parse_file};
use restate_lsp::analysis::rules::catalog;
use serde_json::Value;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn helix_languages_toml_parses_and_runs_both_servers_for_go() {
    let doc: toml::Value =
        toml::from_str(&read("editors/helix/languages.toml")).expect("valid TOML");
    assert_eq!(
        doc["language-server"]["restate-lsp"]["command"].as_str(),
        Some("restate-lsp")
    );
    let go = doc["language"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["name"].as_str() == Some("go")))
        .expect("a [[language]] entry for go");
    let names: Vec<&str> = go["language-servers"]
        .as_array()
        .expect("language-servers list")
        .iter()
        .filter_map(|s| {
            s.as_str()
                .or_else(|| s.get("name").and_then(|n| n.as_str()))
        })
        .collect();
    // Helix replaces the list, so gopls must be repeated, and first (its answers are shown first).
    assert_eq!(names, vec!["gopls", "restate-lsp"]);
    // Helix never asks a server for a feature its `only-features` leaves out; hover, definitions and
    // references answered by restate-lsp only show when they are listed (Helix 25.07).
    let features: Vec<&str> = go["language-servers"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|s| s.get("name").and_then(|n| n.as_str()) == Some("restate-lsp"))
        })
        .and_then(|s| s.get("only-features"))
        .and_then(|f| f.as_array())
        .expect("restate-lsp entry with only-features")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    for wanted in [
        "diagnostics",
        "code-action",
        "completion",
        "hover",
        "goto-definition",
        "goto-reference",
    ] {
        assert!(
            features.contains(&wanted),
            "only-features lacks {wanted}: {features:?}"
        );
    }
    // Feature names Helix does not know make it reject the whole languages.toml.
    let known = [
        "format",
        "goto-definition",
        "goto-declaration",
        "goto-type-definition",
        "goto-reference",
        "goto-implementation",
        "signature-help",
        "hover",
        "document-highlight",
        "completion",
        "code-action",
        "workspace-command",
        "document-symbols",
        "workspace-symbols",
        "diagnostics",
        "rename-symbol",
        "inlay-hints",
        "document-colors",
    ];
    for f in &features {
        assert!(
            known.contains(f),
            "{f} is not a Helix language-server feature"
        );
    }
    assert!(
        read("editors/helix/languages.toml").contains("Checked with Helix 25.07"),
        "the file names the Helix version it was checked with"
    );
}

/// A value the server accepts for each analysis setting, by its key.
fn sample(key: &str) -> toml::Value {
    let list = |v: &str| toml::Value::Array(vec![toml::Value::String(v.into())]);
    match key {
        "rules" => toml::Value::Table(toml::map::Map::from_iter([(
            "RS1001".to_string(),
            toml::Value::String("error".into()),
        )])),
        "side-effects.functions" => list("github.com/acme/pay.Charge"),
        "side-effects.receivers" => list("github.com/acme/pay.Client"),
        "blocked-key.threshold" => toml::Value::String("1m".into()),
        "idempotency.critical" => list("Payments/Charge"),
        "unknown-target.known-services" => list("Ledger"),
        other => panic!("the VS Code setting restate.{other} has no sample here: add one"),
    }
}

#[test]
fn vscode_settings_are_the_config_file_keys_and_list_every_rule() {
    let pkg: Value = serde_json::from_str(&read("editors/vscode/package.json")).expect("JSON");
    let props = pkg["contributes"]["configuration"]["properties"]
        .as_object()
        .or_else(|| {
            pkg["contributes"]["configuration"]
                .as_array()
                .and_then(|a| a.iter().find_map(|c| c["properties"].as_object()))
        })
        .expect("contributes.configuration.properties");
    let mut doc = toml::map::Map::new();
    let mut rules_listed: Vec<String> = vec![];
    for (name, schema) in props {
        let Some(key) = name.strip_prefix("restate.") else {
            continue;
        };
        if key.starts_with("server.") || key.starts_with("trace.") {
            continue; // client-side settings
        }
        if key == "rules" {
            rules_listed = schema["properties"]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
        }
        let mut table = &mut doc;
        let parts: Vec<&str> = key.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            table = table
                .entry(p.to_string())
                .or_insert_with(|| toml::Value::Table(Default::default()))
                .as_table_mut()
                .expect("table");
        }
        table.insert(parts[parts.len() - 1].to_string(), sample(key));
    }
    let text = toml::to_string(&toml::Value::Table(doc)).expect("TOML");
    let raw = parse_file(&text).unwrap_or_else(|p| panic!("{}\n{text}", p.message));
    let (_, problems) = Config::from_layers(Some(&raw), None);
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages.is_empty(), "{messages:?}\n{text}");
    let mut catalog_ids: Vec<String> = catalog::RULES.iter().map(|r| r.id.to_string()).collect();
    catalog_ids.sort();
    rules_listed.sort();
    assert_eq!(
        rules_listed, catalog_ids,
        "restate.rules should list every rule"
    );
}

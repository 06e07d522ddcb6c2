//! The editor packages expose the module migration: VS Code contributes "Restate: Migrate module to
//! sdk-go 1.0", sends the server's command and includes go.mod documents; the Neovim config attaches
//! to go.mod (filetype `gomod`) and its README shows how to run the command.

use restate_lsp::server::migrate::COMMAND;
use serde_json::Value;

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn vscode_contributes_the_migration_command() {
    let pkg: Value = serde_json::from_str(&read("editors/vscode/package.json")).expect("JSON");
    let cmds = pkg["contributes"]["commands"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let cmd = cmds
        .iter()
        .find(|c| c["command"] == "restate.migrateModule")
        .expect("restate.migrateModule is contributed");
    assert_eq!(
        format!(
            "{}: {}",
            cmd["category"].as_str().unwrap_or(""),
            cmd["title"].as_str().unwrap_or("")
        ),
        "Restate: Migrate module to sdk-go 1.0"
    );
    let ts = read("editors/vscode/src/extension.ts");
    assert!(ts.contains("registerCommand(\"restate.migrateModule\""));
    assert!(
        ts.contains(&format!("command: \"{COMMAND}\"")),
        "the extension sends {COMMAND}"
    );
    assert!(
        ts.contains("language: \"go.mod\""),
        "go.mod documents reach the server"
    );
}

#[test]
fn neovim_attaches_to_go_mod_and_documents_the_command() {
    assert!(read("editors/neovim/lsp/restate_lsp.lua").contains("filetypes = { 'go', 'gomod' }"));
    let readme = read("editors/neovim/README.md");
    assert!(readme.contains(&format!("command = '{COMMAND}'")));
    assert!(readme.contains("Migrate this module to sdk-go 1.0"));
}

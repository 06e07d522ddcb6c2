//! The method table RS9002 reports from (`analysis::sdk_methods`) against the SDK's exported
//! declarations (tests/data/restate-go-api.json, sdk-go v1.0.2: a copy of the reference listing
//! every exported declaration of the restate, server and ingress packages with its signature).
//! Where the listing spells out an interface or a type's methods, the table must hold exactly
//! those methods; the internal types the SDK aliases (`AfterFuture`, `Invocation`, the contexts,
//! ...) are listed by hand from the SDK's sources and checked by the unit tests next to the table.

use std::collections::{BTreeMap, BTreeSet};

use restate_lsp::analysis::sdk_methods;
use serde_json::Value;

struct Decl {
    kind: String,
    signature: String,
}

fn listing() -> BTreeMap<(String, String), Decl> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/restate-go-api.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/data/restate-go-api.json");
    let json: Value = serde_json::from_str(&text).expect("JSON");
    let items = json["items"].as_array().expect("items");
    assert!(items.len() > 100, "the listing looks truncated");
    items
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (
                (s("package"), s("name")),
                Decl {
                    kind: s("kind"),
                    signature: s("signature"),
                },
            )
        })
        .collect()
}

/// The exported methods an interface declaration lists, following embedded interfaces of the same
/// package (an alias of an internal type contributes the table's entry for it); `None` when it
/// embeds something else the listing does not spell out (`restatecontext.Future`'s methods are
/// unexported and contribute nothing).
fn interface_methods(
    all: &BTreeMap<(String, String), Decl>,
    package: &str,
    signature: &str,
    depth: u32,
) -> Option<BTreeSet<String>> {
    let body = signature.split_once("interface {")?.1.rsplit_once('}')?.0;
    let mut out = BTreeSet::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((name, _)) = line.split_once('(') {
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                out.insert(name.to_string());
            }
            continue;
        }
        // An embedded interface: `Invocation`, `SendClient[I]`, `restatecontext.Future`.
        let embedded = line.split('[').next().unwrap_or(line);
        if embedded == "restatecontext.Future" {
            continue;
        }
        let decl = all.get(&(package.to_string(), embedded.to_string()))?;
        if depth > 4 {
            return None;
        }
        if decl.signature.starts_with(&format!("type {embedded} = ")) {
            // An alias of an internal type (`Invocation`, `RunContext`): its methods are the
            // table's own entry, which the unit tests and the hover documentation check.
            let t = sdk_methods::get(package, embedded)?;
            out.extend(t.methods.iter().map(|m| m.to_string()));
            continue;
        }
        out.extend(interface_methods(all, package, &decl.signature, depth + 1)?);
    }
    Some(out)
}

#[test]
fn interfaces_of_the_listing_have_exactly_the_tables_methods() {
    let all = listing();
    let mut compared = 0;
    for ((package, name), decl) in &all {
        if decl.kind != "type" || !decl.signature.contains("interface {") {
            continue;
        }
        let Some(methods) = interface_methods(&all, package, &decl.signature, 0) else {
            continue;
        };
        if methods.is_empty() {
            continue;
        }
        let ty = sdk_methods::get(package, name)
            .unwrap_or_else(|| panic!("{package}.{name} has methods but is not in the table"));
        let table: BTreeSet<String> = ty.methods.iter().map(|m| m.to_string()).collect();
        assert_eq!(table, methods, "{package}.{name}");
        compared += 1;
    }
    // AttachFuture, AwakeableFuture, Client, DurablePromise, ResponseFuture, RunAsyncFuture,
    // SendClient, ServiceDefinition, SignalFuture, the five handler contexts; InvocationHandle,
    // Requester, SendRequester, SendResponse, SimpleSendResponse.
    assert!(compared >= 19, "compared only {compared} interfaces");
}

#[test]
fn methods_the_listing_names_are_in_the_table() {
    let all = listing();
    let mut by_type: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for ((package, name), decl) in &all {
        if !matches!(decl.kind.as_str(), "method" | "interface method") {
            continue;
        }
        let (ty, method) = name.split_once('.').expect("Type.Method");
        let t = sdk_methods::get(package, ty)
            .unwrap_or_else(|| panic!("{package}.{ty} has methods but is not in the table"));
        assert!(t.has(method), "{package}.{ty}.{method} is not in the table");
        if decl.kind == "method" {
            by_type
                .entry((package.clone(), ty.to_string()))
                .or_default()
                .insert(method.to_string());
        }
    }
    // Concrete types (server.Restate): the listing has every exported method.
    assert!(!by_type.is_empty());
    for ((package, ty), methods) in by_type {
        let t = sdk_methods::get(&package, &ty).expect("checked above");
        let table: BTreeSet<String> = t.methods.iter().map(|m| m.to_string()).collect();
        assert_eq!(table, methods, "{package}.{ty}");
    }
}

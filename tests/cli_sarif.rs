//! `check --format sarif` against the SARIF 2.1.0 object model (tests/data holds the schema of the
//! parts we emit), and the exit-code contract on a project with findings.

mod common;

use std::process::Command;

use serde_json::Value;

/// A small JSON-schema checker for the keywords the schema file uses.
fn validate(v: &Value, schema: &Value, root: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        let target = &root["definitions"][name];
        assert!(!target.is_null(), "unknown $ref {r}");
        return validate(v, target, root, path, errors);
    }
    if let Some(c) = schema.get("const")
        && v != c
    {
        errors.push(format!("{path}: expected {c}, got {v}"));
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errors.push(format!("{path}: {v} not in {e:?}"));
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => true,
        };
        if !ok {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_i64)
        && v.as_i64().is_some_and(|n| n < min)
    {
        errors.push(format!("{path}: {v} below minimum {min}"));
    }
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        for r in req.iter().filter_map(Value::as_str) {
            if v.get(r).is_none() {
                errors.push(format!("{path}: missing required `{r}`"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        v.as_object(),
    ) {
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                validate(x, sub, root, &format!("{path}.{k}"), errors);
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(x, items, root, &format!("{path}[{i}]"), errors);
        }
    }
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_restate-lsp"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn sarif_output_matches_the_schema_and_locations_are_one_based() {
    let (code, stdout) = run(&["check", "--format", "sarif", "examples/shop"]);
    assert_eq!(code, Some(1), "the example project has warnings");
    let log: Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    let schema: Value =
        serde_json::from_str(include_str!("data/sarif-2.1.0-subset.schema.json")).expect("schema");
    let mut errors = vec![];
    validate(&log, &schema, &schema, "$", &mut errors);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(
        rules.len(),
        restate_lsp::analysis::rules::catalog::RULES.len()
    );
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "RS1006"));
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap_or(0) >= 1);
    }
    // The validator itself rejects a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    let mut errors = vec![];
    validate(&broken, &schema, &schema, "$", &mut errors);
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn text_json_and_github_formats_agree_on_the_example() {
    let (code, text) = run(&["check", "examples/shop"]);
    assert_eq!(code, Some(1));
    let (_, json) = run(&["check", "--format", "json", "examples/shop"]);
    let arr: Vec<Value> = serde_json::from_str(&json).expect("json");
    assert_eq!(text.lines().count(), arr.len());
    for (line, f) in text.lines().zip(&arr) {
        let want = format!(
            "{}:{}:{}: {}",
            f["file"].as_str().unwrap_or(""),
            f["line"],
            f["column"],
            f["code"].as_str().unwrap_or("")
        );
        assert!(line.starts_with(&want), "{line} vs {want}");
    }
    let (_, gh) = run(&["check", "--format", "github", "examples/shop"]);
    assert_eq!(gh.lines().count(), arr.len());
    assert!(
        gh.lines()
            .all(|l| l.starts_with("::") && l.contains("title=RS")),
        "{gh}"
    );
}

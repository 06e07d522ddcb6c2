//! Quick fixes of the determinism rules: Go timers to durable ones (RS1002), package randomness
//! to the invocation's deterministic generator (RS1003), google/uuid v4 to `restate.UUID`
//! (RS1004), a clock read hoisted into a journaled step (RS1001), console output to the context's
//! logger (RS1007) and map iteration in key order (RS1008). Each is offered only for the shapes
//! where the rewrite keeps the code compiling and means the same thing.

use tree_sitter::Node;

use crate::analysis::effects::Effect;
use crate::analysis::findings::{Edit, Fix};
use crate::analysis::fixes::{add_import, add_imports, expr_depth, respace, with_tidy_imports};
use crate::analysis::go::{self, Callee, field, named_children, text};
use crate::analysis::rules::FileContext;
use crate::analysis::rules::facts::CallFact;
use crate::analysis::rules::fixkit::{self, error_return, sdk};

fn fix(cx: &FileContext<'_>, title: String, edits: Vec<Edit>, safe: bool) -> Fix {
    Fix {
        title,
        edits: with_tidy_imports(cx.sem, edits),
        safe,
        snippet: false,
    }
}

/// The call fact whose node spans exactly `start..end`.
fn call_at<'a, 't>(cx: &'a FileContext<'t>, start: usize, end: usize) -> Option<&'a CallFact<'t>> {
    let calls = &cx.facts.calls;
    let i = calls.partition_point(|c| c.parts.node.start_byte() < start);
    calls[i..]
        .iter()
        .take_while(|c| c.parts.node.start_byte() == start)
        .find(|c| c.parts.node.end_byte() == end)
}

/// (package path, function name) of `pkg.Name(..)`.
fn package_call<'s>(cx: &FileContext<'s>, call: &CallFact<'_>) -> Option<(&'s str, &'s str)> {
    let Callee::Selector {
        operand_ident: Some(alias),
        name,
        ..
    } = call.parts.callee(cx.src)
    else {
        return None;
    };
    Some((cx.model.import_path_for(alias)?, name))
}

/// The fixes for a direct effect found at `start..end` in handler code.
pub fn effect_fixes(cx: &FileContext<'_>, effect: Effect, start: usize, end: usize) -> Vec<Fix> {
    let Some(call) = call_at(cx, start, end) else {
        return vec![];
    };
    let Some((pkg, name)) = package_call(cx, call) else {
        return vec![];
    };
    let Some(nodes) = fixkit::path_to(cx, call.func, call.parts.node) else {
        return vec![];
    };
    let Some(ctx) = fixkit::ctx_on_path(cx, &nodes, call.func) else {
        return vec![];
    };
    let found = match effect {
        Effect::Sleep => durable_timer(cx, call, &nodes, name, &ctx),
        Effect::Random => deterministic_rand(cx, call, pkg, name, &ctx),
        Effect::RandomId => restate_uuid(cx, call, pkg, name, &ctx),
        Effect::WallClock => journaled_clock(cx, call, &nodes, name, &ctx),
        Effect::Logging => context_logger(cx, call, &nodes, pkg, name, &ctx),
        _ => None,
    };
    found.into_iter().collect()
}

// ---- RS1002 -------------------------------------------------------------------------------------

/// The `k`-th ancestor of the last node of `path`.
fn up<'t>(path: &[Node<'t>], k: usize) -> Option<Node<'t>> {
    path.len().checked_sub(k + 1).map(|i| path[i])
}

fn durable_timer(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    path: &[Node<'_>],
    name: &str,
    ctx: &str,
) -> Option<Fix> {
    // The duration becomes the second of two arguments: gofmt spaces it as at depth 2.
    let d = respace(call.parts.arg(0)?, cx.src, 2);
    let p = sdk(cx);
    let (stmt, replacement, title) = match name {
        "Sleep" => (
            up(path, 1)?,
            format!("{p}Sleep({ctx}, {d})"),
            format!("Use {p}Sleep({ctx}, ..) and check its error"),
        ),
        "After" => {
            // `<-time.After(d)` as a statement: wait for a durable timer instead.
            let recv = up(path, 1)?;
            if recv.kind() != "unary_expression"
                || field(recv, "operator").map(|o| o.kind()) != Some("<-")
            {
                return None;
            }
            (
                up(path, 2)?,
                format!("{p}After({ctx}, {d}).Done()"),
                format!("Use {p}After({ctx}, ..).Done() and check its error"),
            )
        }
        _ => return None,
    };
    let in_list = path
        .iter()
        .position(|n| *n == stmt)
        .is_some_and(|i| i > 0 && path[i - 1].kind() == "statement_list");
    if stmt.kind() != "expression_statement" || !in_list {
        return None;
    }
    let ret = error_return(cx, call.func, "err")?;
    let indent = go::line_indent(cx.src, stmt.start_byte());
    let text = format!("if err := {replacement}; err != nil {{\n{indent}\t{ret}\n{indent}}}");
    Some(fix(
        cx,
        title,
        vec![Edit::replace(stmt.start_byte(), stmt.end_byte(), text)],
        false,
    ))
}

// ---- RS1003 -------------------------------------------------------------------------------------

/// The method of `*math/rand/v2.Rand` that does what package function `name` of `path` does.
fn rand_method(path: &str, name: &str) -> Option<&'static str> {
    const V2: &[&str] = &[
        "Int",
        "IntN",
        "Int32",
        "Int32N",
        "Int64",
        "Int64N",
        "Uint",
        "UintN",
        "Uint32",
        "Uint32N",
        "Uint64",
        "Uint64N",
        "Float32",
        "Float64",
        "ExpFloat64",
        "NormFloat64",
        "Perm",
        "Shuffle",
    ];
    let v2 = match (path, name) {
        ("math/rand", "Intn") => "IntN",
        ("math/rand", "Int63") => "Int64",
        ("math/rand", "Int63n") => "Int64N",
        ("math/rand", "Int31") => "Int32",
        ("math/rand", "Int31n") => "Int32N",
        // v1 has these with the same signature; Seed, Read and the v2-only names do not map.
        (
            "math/rand",
            "Int" | "Uint32" | "Uint64" | "Float32" | "Float64" | "ExpFloat64" | "NormFloat64"
            | "Perm" | "Shuffle",
        ) => name,
        ("math/rand/v2", n) => n,
        _ => return None,
    };
    V2.iter().copied().find(|m| *m == v2)
}

fn deterministic_rand(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    path: &str,
    name: &str,
    ctx: &str,
) -> Option<Fix> {
    let method = rand_method(path, name)?;
    // On sdk-go 0.x, Rand(ctx) is a custom generator without most of math/rand/v2's methods.
    if call.parts.type_args.is_some()
        || !crate::analysis::migrate::advice::rand_has_method(cx.gomod, method)
    {
        return None;
    }
    let p = sdk(cx);
    let callee = call.parts.func;
    let new = format!("{p}Rand({ctx}).{method}");
    Some(fix(
        cx,
        format!("Use {new}"),
        vec![Edit::replace(callee.start_byte(), callee.end_byte(), new)],
        true,
    ))
}

// ---- RS1004 -------------------------------------------------------------------------------------

fn restate_uuid(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    path: &str,
    name: &str,
    ctx: &str,
) -> Option<Fix> {
    if path != "github.com/google/uuid" {
        return None;
    }
    let p = sdk(cx);
    let node = call.parts.node;
    let (range, new) = match name {
        "New" => (
            (node.start_byte(), node.end_byte()),
            format!("{p}UUID({ctx})"),
        ),
        "NewString" => (
            (node.start_byte(), node.end_byte()),
            format!("{p}UUID({ctx}).String()"),
        ),
        // `uuid.Must(uuid.NewRandom())`: the whole expression is a v4 UUID.
        "NewRandom" => {
            let args = cx
                .sem
                .parent(node)
                .filter(|a| a.kind() == "argument_list")?;
            let outer = cx.sem.parent(args)?;
            let parts = go::call_parts(outer)?;
            let Callee::Selector {
                operand_ident: Some(alias),
                name: "Must",
                ..
            } = parts.callee(cx.src)
            else {
                return None;
            };
            if cx.model.import_path_for(alias) != Some(path) || parts.args.len() != 1 {
                return None;
            }
            (
                (outer.start_byte(), outer.end_byte()),
                format!("{p}UUID({ctx})"),
            )
        }
        _ => return None,
    };
    Some(fix(
        cx,
        format!("Use {new}"),
        vec![Edit::replace(range.0, range.1, new)],
        true,
    ))
}

// ---- RS1001 -------------------------------------------------------------------------------------

/// Whether the node ending `path` is evaluated exactly once, before anything else of the statement
/// at `path[stmt]` that depends on it, so that computing it just above that statement is the same:
/// not in a loop's condition or post statement, not in an `else if` or a `case` (evaluated only
/// sometimes), not in a func literal.
pub fn evaluated_once_before(path: &[Node<'_>], stmt: usize) -> bool {
    let (Some(&call), Some(&stmt_node)) = (path.last(), path.get(stmt)) else {
        return false;
    };
    if stmt + 1 > path.len() - 1 {
        return false;
    }
    let between_ok = !path[stmt + 1..path.len() - 1].iter().any(|n| {
        matches!(
            n.kind(),
            "if_statement"
                | "block"
                | "expression_case"
                | "default_case"
                | "type_case"
                | "communication_case"
                | "func_literal"
        )
    });
    between_ok
        && match stmt_node.kind() {
            "go_statement" | "select_statement" | "labeled_statement" => false,
            // Only the range expression of a loop is evaluated once.
            "for_statement" => named_children(stmt_node)
                .into_iter()
                .find(|c| c.kind() == "range_clause")
                .and_then(|r| field(r, "right"))
                .is_some_and(|r| go::contains(r, call)),
            _ => true,
        }
}

fn journaled_clock(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    path: &[Node<'_>],
    name: &str,
    ctx: &str,
) -> Option<Fix> {
    let node = call.parts.node;
    let si = fixkit::statement_index(path)?;
    let stmt = path[si];
    if !evaluated_once_before(path, si) || !fixkit::starts_line(cx.src, stmt) {
        return None;
    }
    let Callee::Selector {
        operand_ident: Some(time),
        ..
    } = call.parts.callee(cx.src)
    else {
        return None;
    };
    // `t := time.Now()`: the statement itself becomes the journaled read.
    let whole = (stmt.kind() == "short_var_declaration"
        && name == "Now"
        && field(stmt, "right").is_some_and(|r| {
            named_children(r).len() == 1 && r.named_child(0).map(go::unparen) == Some(node)
        }))
    .then(|| fixkit::left_names(stmt))
    .filter(|l| l.len() == 1 && l[0].kind() == "identifier" && text(l[0], cx.src) != "_")
    .map(|l| text(l[0], cx.src).to_string());
    let var = match &whole {
        Some(v) => v.clone(),
        None => fixkit::fresh_name(cx, call.func, "now"),
    };
    let err = fixkit::err_name(cx, &path[..=si], &format!("{var}Err"));
    let use_text = match name {
        "Now" if call.parts.args.is_empty() => var.clone(),
        "Since" | "Until" => {
            let arg = call.parts.arg(0)?;
            let t = text(arg, cx.src);
            if name == "Since" {
                format!("{var}.Sub({t})")
            } else if fixkit::is_primary(arg) {
                format!("{t}.Sub({var})")
            } else {
                let inner = respace(arg, cx.src, expr_depth(cx.sem, node).saturating_sub(1));
                format!("({inner}).Sub({var})")
            }
        }
        _ => return None,
    };
    let ret = error_return(cx, call.func, &err)?;
    let p = sdk(cx);
    let hoisted = format!(
        "{var}, {err} := {p}Run({ctx}, func({ctx} {p}RunContext) ({time}.Time, error) {{\n\treturn {time}.Now(), nil\n}}, {p}WithName(\"now\"))\nif {err} != nil {{\n\t{ret}\n}}"
    );
    if whole.is_some() {
        let indent = go::line_indent(cx.src, stmt.start_byte());
        return Some(fix(
            cx,
            format!("Read the time in {p}Run (journaled)"),
            vec![Edit::replace(
                stmt.start_byte(),
                stmt.end_byte(),
                fixkit::indent_rest(&hoisted, indent),
            )],
            false,
        ));
    }
    let above = fixkit::insert_above(cx.src, stmt, &hoisted)?;
    Some(fix(
        cx,
        format!("Read the time once in {p}Run (journaled) before this statement"),
        vec![
            above,
            Edit::replace(node.start_byte(), node.end_byte(), use_text),
        ],
        false,
    ))
}

// ---- RS1007 -------------------------------------------------------------------------------------

/// The message of a print call: a string literal kept as it is (a trailing `\n` dropped), else the
/// arguments formatted with the fmt function that matches the print function.
fn log_message(cx: &FileContext<'_>, name: &str, args: &[Node<'_>]) -> Option<(String, bool)> {
    let fmt_name = fixkit::import_name(cx, "fmt").unwrap_or_else(|| "fmt".into());
    // The arguments move into a fmt call at statement level.
    let depth = 1 + usize::from(args.len() > 1);
    let texts: Vec<String> = args.iter().map(|a| respace(*a, cx.src, depth)).collect();
    let plain = |a: Node<'_>| {
        let t = text(a, cx.src);
        (a.kind() == "interpreted_string_literal").then(|| match t.strip_suffix("\\n\"") {
            Some(body) => format!("{body}\""),
            None => t.to_string(),
        })
    };
    let base = match name {
        "Fprint" => "Print",
        "Fprintf" => "Printf",
        "Fprintln" => "Println",
        n => n,
    };
    Some(match base {
        "Printf" => {
            let f = *args.first()?;
            if args.len() == 1 && !text(f, cx.src).contains('%') {
                (plain(f)?, false)
            } else {
                let mut texts = texts;
                if let Some(lit) = plain(f) {
                    texts[0] = lit;
                }
                (format!("{fmt_name}.Sprintf({})", texts.join(", ")), true)
            }
        }
        "Println" | "Print" => {
            if args.len() == 1
                && let Some(lit) = plain(args[0])
            {
                (lit, false)
            } else if base == "Println" {
                // Println puts a blank between every operand, Sprint only between operands that
                // are not strings: the blanks are written out, inside neighbouring literals.
                let mut parts: Vec<String> = vec![];
                for (i, (a, t)) in args.iter().zip(&texts).enumerate() {
                    let lit = a.kind() == "interpreted_string_literal";
                    if i > 0 {
                        let prev_lit = args[i - 1].kind() == "interpreted_string_literal";
                        match parts.last_mut() {
                            Some(p) if prev_lit => {
                                p.insert(p.len() - 1, ' ');
                            }
                            _ if lit => {
                                parts.push(format!("\" {}", &t[1..]));
                                continue;
                            }
                            _ => parts.push("\" \"".into()),
                        }
                    }
                    parts.push(t.clone());
                }
                (format!("{fmt_name}.Sprint({})", parts.join(", ")), true)
            } else {
                (format!("{fmt_name}.Sprint({})", texts.join(", ")), true)
            }
        }
        _ => return None,
    })
}

fn context_logger(
    cx: &FileContext<'_>,
    call: &CallFact<'_>,
    nodes: &[Node<'_>],
    path: &str,
    name: &str,
    ctx: &str,
) -> Option<Fix> {
    let node = call.parts.node;
    if path == "log/slog" {
        // The package functions are methods of *slog.Logger with the same parameters.
        let callee = call.parts.func;
        let new = format!("{ctx}.Log().{name}");
        return Some(fix(
            cx,
            format!("Log with {new}"),
            vec![Edit::replace(callee.start_byte(), callee.end_byte(), new)],
            false,
        ));
    }
    // Print functions return values nobody should depend on; only statements are rewritten.
    let stmt = up(nodes, 1)?;
    if stmt.kind() != "expression_statement" {
        return None;
    }
    let args: Vec<Node<'_>> = match (path, name) {
        ("fmt", "Print" | "Printf" | "Println") => call.parts.args.clone(),
        ("fmt", "Fprint" | "Fprintf" | "Fprintln") => call.parts.args[1..].to_vec(),
        ("log", "Print" | "Printf" | "Println") => call.parts.args.clone(),
        _ => return None, // log.Fatal* and log.Panic* also stop the handler
    };
    if args.is_empty()
        || call
            .parts
            .args
            .iter()
            .any(|a| a.kind() == "variadic_argument")
    {
        return None;
    }
    let (msg, uses_fmt) = log_message(cx, name, &args)?;
    let new = format!("{ctx}.Log().Info({msg})");
    let mut edits = vec![Edit::replace(node.start_byte(), node.end_byte(), new)];
    if uses_fmt && let Some(imp) = add_import(cx.src, cx.tree, cx.model, "fmt") {
        edits.push(imp);
    }
    Some(fix(cx, format!("Log with {ctx}.Log().Info"), edits, false))
}

// ---- RS1008 -------------------------------------------------------------------------------------

/// Whether a map key type is ordered (what `slices.Sorted` needs).
fn ordered(key: &str) -> bool {
    matches!(
        key.trim(),
        "string"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "byte"
            | "rune"
    )
}

/// The key type of `map[K]V`.
fn map_key(ty: &str) -> Option<&str> {
    let rest = ty.strip_prefix("map[")?;
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether an expression can be evaluated twice with the same result (a variable or field path).
fn is_plain_path(n: Node<'_>) -> bool {
    match n.kind() {
        "identifier" => true,
        "selector_expression" => field(n, "operand").is_some_and(is_plain_path),
        _ => false,
    }
}

/// `for k, v := range m` -> `for _, k := range slices.Sorted(maps.Keys(m)) { v := m[k]; .. }`.
pub fn sorted_keys(
    cx: &FileContext<'_>,
    for_stmt: Node<'_>,
    range: Node<'_>,
    map_type: Option<&str>,
    func: Option<u32>,
) -> Option<Fix> {
    // slices.Sorted and maps.Keys arrived in Go 1.23.
    let go = cx.gomod.and_then(|m| m.go_version.as_deref())?;
    let v = crate::analysis::gomod::Version::parse(go)?;
    if (v.0, v.1) < (1, 23) || !ordered(map_key(map_type?)?) {
        return None;
    }
    let m = field(range, "right")?;
    if !is_plain_path(m) {
        return None;
    }
    let m_text = text(m, cx.src);
    let left: Vec<Node<'_>> = field(range, "left").map(named_children).unwrap_or_default();
    let op = if text(range, cx.src).contains(":=") {
        ":="
    } else {
        "="
    };
    let (key, value) = match left.as_slice() {
        [k] => (text(*k, cx.src).to_string(), None),
        [k, v] => {
            let v = text(*v, cx.src);
            let k = text(*k, cx.src);
            let k = if k == "_" {
                fixkit::fresh_name(cx, func, "k")
            } else {
                k.to_string()
            };
            (k, (v != "_").then(|| v.to_string()))
        }
        _ => return None,
    };
    if key == "_" {
        return None;
    }
    let slices = fixkit::import_name(cx, "slices").unwrap_or_else(|| "slices".into());
    let maps = fixkit::import_name(cx, "maps").unwrap_or_else(|| "maps".into());
    let mut edits = vec![Edit::replace(
        range.start_byte(),
        range.end_byte(),
        format!("_, {key} {op} range {slices}.Sorted({maps}.Keys({m_text}))"),
    )];
    if let Some(v) = value {
        let body = field(for_stmt, "body")?;
        let open = body.start_byte() + 1;
        if !cx.src[open..].starts_with('\n') {
            return None;
        }
        let indent = go::line_indent(cx.src, for_stmt.start_byte());
        edits.push(Edit::insert(
            open + 1,
            format!("{indent}\t{v} {op} {m_text}[{key}]\n"),
        ));
    }
    edits.extend(add_imports(cx.src, cx.tree, cx.model, &["maps", "slices"]));
    Some(fix(
        cx,
        format!("Iterate {m_text} in sorted key order"),
        edits,
        false,
    ))
}

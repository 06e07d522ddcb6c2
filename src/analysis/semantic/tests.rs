use super::*;
use crate::analysis::go::{parse_str, walk};

/// The row of the declaration that the `nth` identifier spelled `needle` (at the start of a match
/// of `at`) resolves to, or None.
fn decl_row(src: &str, at: &str, nth: usize) -> Option<usize> {
    let tree = parse_str(src);
    let sem = Semantic::build(src, &tree);
    let pos = src.match_indices(at).nth(nth)?.0;
    let mut target = None;
    walk(tree.root_node(), |n| {
        if n.kind() == "identifier" && n.start_byte() == pos {
            target = Some(n);
        }
        true
    });
    let b = sem.binding(sem.binding_of(target?)?);
    Some(b.decl.start_position().row)
}

#[test]
fn closure_parameter_shadows_outer_ctx() {
    let src = "package p\nfunc h(ctx C) {\n\tRun(ctx, func(ctx R) { use(ctx) })\n}\n";
    assert_eq!(decl_row(src, "ctx)", 0), Some(2));
    let src2 = "package p\nfunc h(ctx C) {\n\tRun(ctx, func(rc R) { use(ctx) })\n}\n";
    assert_eq!(decl_row(src2, "ctx)", 0), Some(1));
}

#[test]
fn short_var_is_in_scope_after_its_statement() {
    let src = "package p\nfunc f() {\n\tx := 1\n\tif true {\n\t\tx := x\n\t\t_ = x\n\t}\n}\n";
    assert_eq!(decl_row(src, "x\n", 0), Some(2));
    assert_eq!(decl_row(src, "x\n", 1), Some(4));
}

#[test]
fn redeclaration_in_the_same_scope_is_the_same_variable() {
    let src = "package p\nfunc f() error {\n\ta, err := g()\n\tb, err := g()\n\t_, _ = a, b\n\treturn err\n}\n";
    assert_eq!(decl_row(src, "err\n", 0), Some(2));
    // In a nested block `:=` declares a new one.
    let src2 = "package p\nfunc f() error {\n\t_, err := g()\n\t{\n\t\t_, err := g()\n\t\t_ = err\n\t}\n\treturn err\n}\n";
    assert_eq!(decl_row(src2, "err\n", 0), Some(4));
    assert_eq!(decl_row(src2, "err\n", 1), Some(2));
}

#[test]
fn range_clauses_package_level_and_imports() {
    let src = "package p\nimport \"net/http\"\nvar g int\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\t_ = k + g\n\t}\n\thttp.Get(\"x\")\n}\n";
    assert_eq!(decl_row(src, "k +", 0), Some(4));
    assert_eq!(decl_row(src, "g\n", 0), Some(2));
    assert_eq!(decl_row(src, "m {", 0), Some(3));
    let tree = parse_str(src);
    let sem = Semantic::build(src, &tree);
    let mut paths = vec![];
    walk(tree.root_node(), |n| {
        if n.kind() == "identifier" && text(n, src) == "http" {
            paths.push(sem.import_path(n));
            // Package-level names are not local declarations.
            assert!(sem.resolve(n).is_none());
        }
        true
    });
    assert_eq!(paths, vec![Some("net/http")]);
}

#[test]
fn switch_select_if_and_for_clauses() {
    let src = "package p\nfunc f(q any, ch chan int) {\n\tswitch v := q.(type) {\n\tcase int:\n\t\t_ = v\n\t}\n\tselect {\n\tcase z := <-ch:\n\t\t_ = z\n\t}\n\tif y := 1; y > 0 {\n\t} else {\n\t\t_ = y\n\t}\n\tfor i := 0; i < 3; i++ {\n\t}\n}\n";
    assert_eq!(decl_row(src, "v\n", 0), Some(2));
    assert_eq!(decl_row(src, "z\n", 0), Some(7));
    assert_eq!(decl_row(src, "y > 0", 0), Some(10));
    assert_eq!(decl_row(src, "y\n", 0), Some(10));
    assert_eq!(decl_row(src, "i < 3", 0), Some(14));
    assert_eq!(decl_row(src, "i++", 0), Some(14));
}

#[test]
fn struct_literal_keys_are_field_names_map_keys_are_values() {
    let src = "package p\nfunc f(Name string, k string) {\n\t_ = T{Name: Name}\n\t_ = map[string]int{k: 1}\n}\n";
    // The key `Name` is a field; the value `Name` is the parameter.
    assert_eq!(decl_row(src, "Name: ", 0), None);
    assert_eq!(decl_row(src, "Name}", 0), Some(1));
    assert_eq!(decl_row(src, "k: 1", 0), Some(1));
}

#[test]
fn multi_value_declarations_record_the_result_index() {
    let src = "package p\nfunc f() {\n\ta, err := g()\n\tvar x, y = h()\n\t_, _, _, _ = a, err, x, y\n}\n";
    let tree = parse_str(src);
    let sem = Semantic::build(src, &tree);
    let mut seen = vec![];
    walk(tree.root_node(), |n| {
        if n.kind() == "identifier" && sem.is_declaration(n) {
            let b = sem.binding(sem.binding_of(n).unwrap_or(0));
            seen.push((b.name, b.result_index));
        }
        true
    });
    assert!(seen.contains(&("a", Some(0))), "{seen:?}");
    assert!(seen.contains(&("err", Some(1))), "{seen:?}");
    assert!(seen.contains(&("y", Some(1))), "{seen:?}");
}

#[test]
fn names_seen_from_a_position() {
    let src = "package p\nfunc h(ctx C) {\n\tx := 1\n\tRun(ctx, func(ctx R) {\n\t\tfoo()\n\t})\n\tbar()\n}\n";
    let tree = parse_str(src);
    let sem = Semantic::build(src, &tree);
    let mut calls = vec![];
    walk(tree.root_node(), |n| {
        if n.kind() == "call_expression" {
            calls.push(n);
        }
        true
    });
    let foo = calls[1];
    let bar = calls[2];
    let row = |d: Option<Decl<'_>>| d.map(|d| d.name.start_position().row);
    assert_eq!(row(sem.resolve_name(foo, "ctx")), Some(3));
    assert_eq!(row(sem.resolve_name(bar, "ctx")), Some(1));
    assert_eq!(row(sem.resolve_name(bar, "x")), Some(2));
    // Before its declaration `x` is not in scope.
    assert_eq!(row(sem.resolve_name(calls[0], "x")), Some(2));
    let first_stmt = sem.enclosing_statement(calls[0]);
    assert!(first_stmt.is_some());
}

#[test]
fn parents_agree_with_tree_sitter_and_ancestors_are_linear_on_siblings() {
    let src = "package p\nfunc f() {\n\tx := 1\n\tif x > 0 {\n\t\tg(x)\n\t}\n}\n";
    let tree = parse_str(src);
    let sem = Semantic::build(src, &tree);
    walk(tree.root_node(), |n| {
        assert_eq!(sem.parent(n), n.parent(), "{}", n.kind());
        true
    });
    // One function of many statements: every enclosing question stays cheap.
    let n = 20_000;
    let body: String = "\t_ = time.Now()\n".repeat(n);
    let big = format!("package p\nfunc f() {{\n{body}}}\n");
    let tree = parse_str(&big);
    let sem = Semantic::build(&big, &tree);
    let mut stmts = 0;
    let started = std::time::Instant::now();
    walk(tree.root_node(), |x| {
        if x.kind() == "call_expression" && sem.enclosing_statement(x).is_some() {
            stmts += 1;
        }
        true
    });
    assert_eq!(stmts, n);
    // Not a timing assertion on the machine: the quadratic search took minutes here, so even a
    // slow debug build finishing inside a minute shows the questions do not scan siblings.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn built_at_one_declaration_it_answers_like_the_whole_file() {
    let src = "package p\nimport \"net/http\"\nvar g = 1\nfunc a() { x := 1; _ = x }\nfunc h(ctx C) {\n\ty := g\n\tif y > 0 {\n\t\thttp.Get(\"u\")\n\t}\n}\n";
    let tree = parse_str(src);
    let whole = Semantic::build(src, &tree);
    let at = src.find("http.Get").unwrap_or(0);
    let one = Semantic::build_at(src, &tree, at);
    let mut checked = 0;
    walk(tree.root_node(), |n| {
        if n.start_byte() >= src.find("func h").unwrap_or(0) {
            assert_eq!(whole.parent(n), one.parent(n), "{}", n.kind());
            if n.kind() == "identifier" {
                let name = |s: &Semantic<'_>| s.binding_of(n).map(|b| s.binding(b).decl.id());
                assert_eq!(name(&whole), name(&one), "{}", text(n, src));
                checked += 1;
            }
        }
        true
    });
    assert!(checked >= 6, "{checked}");
}

#[test]
fn next_statements_and_mentions() {
    let src = "package p\nfunc f() {\n\tx := 1\n\t// note\n\ty := x\n\tg(y.z)\n}\n";
    let tree = parse_str(src);
    let sem = Semantic::build(src, &tree);
    let mut stmts = vec![];
    walk(tree.root_node(), |n| {
        if sem.parent(n).is_some_and(|p| p.kind() == "statement_list") {
            stmts.push(n);
        }
        true
    });
    assert_eq!(stmts.len(), 4);
    for w in stmts.windows(2) {
        assert_eq!(sem.next_named_sibling(w[0]), Some(w[1]));
        assert_eq!(w[0].next_named_sibling(), Some(w[1]));
    }
    assert_eq!(sem.next_named_sibling(stmts[3]), None);
    let after_x = stmts[0].end_byte();
    assert!(sem.mentions_identifier("x", after_x, src.len()));
    assert!(
        !sem.mentions_identifier("z", 0, src.len()),
        "z is a field name"
    );
    assert_eq!(sem.mentions("z", 0, src.len()).len(), 1);
    assert!(!sem.mentions_identifier("y", stmts[3].end_byte(), src.len()));
}

#[test]
fn a_function_body_shares_the_scope_of_its_parameters() {
    let src =
        "package p\nfunc f() (n int, err error) {\n\tn, err := g()\n\t_ = n\n\treturn n, err\n}\n";
    // `n, err := g()` declares nothing new: both are the named results.
    assert_eq!(decl_row(src, "err\n", 0), Some(1));
    assert_eq!(decl_row(src, "n\n", 0), Some(1));
}

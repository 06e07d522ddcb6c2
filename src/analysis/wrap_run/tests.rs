use std::path::PathBuf;

use super::*;
use crate::analysis::findings::apply_edits;
use crate::analysis::go::parse_str;
use crate::analysis::gomod;
use crate::analysis::model::extract;

const HEAD: &str = "package p\n\nimport (\n\t\"net/http\"\n\t\"os\"\n\t\"strconv\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\n";

/// Workspace with the given files (the first one is the edited file) under one go.mod.
fn outcome_in(files: &[(&str, &str)], selected: &str, around: bool) -> (String, Outcome) {
    let root = PathBuf::from("/ws");
    let mut ws = Workspace::new();
    ws.set_gomod(root.clone(), gomod::parse("module example.com/app\n"));
    for (rel, src) in files {
        let tree = parse_str(src);
        ws.upsert(
            root.join(rel),
            extract(src, &tree),
            src.lines().count() as u32,
        );
    }
    let (rel, src) = files[0];
    let path = root.join(rel);
    let tree = parse_str(src);
    let model = extract(src, &tree);
    let start = src.find(selected).expect("selection in source");
    let input = Input {
        path: &path,
        src,
        tree: &tree,
        model: &model,
        ws: &ws,
        start,
        end: start + selected.len(),
        around,
    };
    (src.to_string(), wrap(&input))
}

fn outcome(src: &str, selected: &str) -> Outcome {
    outcome_in(&[("main.go", src)], selected, false).1
}

/// The text after applying the first (or the RunAsync) fix.
fn applied(src: &str, selected: &str, title: &str) -> String {
    match outcome(src, selected) {
        Outcome::Wrapped(fixes) => {
            let fix = fixes
                .iter()
                .find(|f| f.title == title)
                .unwrap_or_else(|| panic!("no {title}: {fixes:?}"));
            apply_edits(src, &fix.edits).expect("edits apply")
        }
        other => panic!("expected a fix, got {other:?}"),
    }
}

fn refused(src: &str, selected: &str) -> String {
    match outcome(src, selected) {
        Outcome::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn handler(body: &str) -> String {
    format!(
        "{HEAD}type Svc struct{{}}\n\nfunc (Svc) H(ctx restate.Context, id string) (string, error) {{\n{body}}}\n"
    )
}

#[test]
fn single_call_with_error_returns_the_call() {
    let src = handler(
        "\tn, err := strconv.Atoi(id)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn strconv.Itoa(n), nil\n",
    );
    let out = applied(&src, "n, err := strconv.Atoi(id)", TITLE_RUN);
    assert!(
        out.contains("\tn, err := restate.Run(ctx, func(ctx restate.RunContext) (int, error) { return strconv.Atoi(id) }, restate.WithName(\"atoi\"))\n\tif err != nil {\n"),
        "{out}"
    );
}

#[test]
fn callee_in_another_package_gives_the_type_and_the_import() {
    let orders = "package orders\n\nimport \"example.com/app/model\"\n\nfunc Find(id string) (model.Order, error) {\n\treturn model.Order{}, nil\n}\n";
    let model_pkg = "package model\n\ntype Order struct{ ID string }\n";
    let main = "package main\n\nimport (\n\t\"example.com/app/orders\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\ntype Svc struct{}\n\nfunc (Svc) Get(ctx restate.Context, id string) (string, error) {\n\to, err := orders.Find(id)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn o.ID, nil\n}\n".to_string();
    let (src, out) = outcome_in(
        &[
            ("main.go", &main),
            ("orders/orders.go", orders),
            ("model/model.go", model_pkg),
        ],
        "o, err := orders.Find(id)",
        false,
    );
    let Outcome::Wrapped(fixes) = out else {
        panic!("{out:?}")
    };
    let text = apply_edits(&src, &fixes[0].edits).expect("apply");
    assert!(
        text.contains("import (\n\t\"example.com/app/model\"\n\t\"example.com/app/orders\"\n"),
        "{text}"
    );
    assert!(
        text.contains("o, err := restate.Run(ctx, func(ctx restate.RunContext) (model.Order, error) { return orders.Find(id) }, restate.WithName(\"find\"))"),
        "{text}"
    );
}

#[test]
fn methods_on_fields_declared_in_another_file_are_typed() {
    let types = "package p\n\nimport \"database/sql\"\n\ntype Svc struct {\n\trepo *Repo\n\tdb   *sql.DB\n}\n\ntype Repo struct{}\n\ntype User struct{ Name string }\n\nfunc (r *Repo) User(id string) (*User, error) {\n\treturn &User{}, nil\n}\n";
    let main = format!(
        "{HEAD}func (s *Svc) Get(ctx restate.Context, id string) (string, error) {{\n\tu, err := s.repo.User(id)\n\tif err != nil {{\n\t\treturn \"\", err\n\t}}\n\treturn u.Name, nil\n}}\n"
    );
    let (src, out) = outcome_in(
        &[("main.go", &main), ("types.go", types)],
        "u, err := s.repo.User(id)",
        false,
    );
    let Outcome::Wrapped(fixes) = out else {
        panic!("{out:?}")
    };
    let text = apply_edits(&src, &fixes[0].edits).expect("apply");
    assert!(
        text.contains("(*User, error) { return s.repo.User(id) }"),
        "{text}"
    );
    // A result that is a database handle cannot be journaled.
    let main2 = main
        .replace("s.repo.User(id)", "s.db.Exec(id)")
        .replace("u.Name", "\"\"");
    let main2 = main2.replace("\treturn \"\", nil\n", "\t_ = u\n\treturn \"\", nil\n");
    let (_, out) = outcome_in(
        &[("main.go", &main2), ("types.go", types)],
        "u, err := s.db.Exec(id)",
        false,
    );
    match out {
        Outcome::Refused(r) => assert!(r.contains("`sql.Result` cannot be journaled"), "{r}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals_name_the_reason() {
    let shadowed =
        handler("\tfunc(ctx string) {\n\t\t_ = os.Getenv(ctx)\n\t}(\"x\")\n\treturn \"\", nil\n");
    assert!(refused(&shadowed, "_ = os.Getenv(ctx)").contains("shadowed"));

    let unnamed = format!(
        "{HEAD}type Svc struct{{}}\n\nfunc (Svc) H(_ restate.Context) error {{\n\tos.Remove(\"x\")\n\treturn nil\n}}\n"
    );
    assert!(refused(&unnamed, "os.Remove(\"x\")").contains("no name"));

    let future = handler(
        "\tfut := restate.Service[string](ctx, \"A\", \"b\").RequestFuture(id)\n\tv, err := fut.Response()\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn v, nil\n",
    );
    assert!(
        refused(&future, "v, err := fut.Response()")
            .contains("`Response` on a Restate ResponseFuture"),
        "{}",
        refused(&future, "v, err := fut.Response()")
    );

    let two_errors = handler(
        "\ta, errA := strconv.Atoi(id)\n\tb, errB := strconv.Atoi(id)\n\tif errA != nil || errB != nil {\n\t\treturn \"\", errA\n\t}\n\treturn strconv.Itoa(a + b), nil\n",
    );
    let r = refused(
        &two_errors,
        "a, errA := strconv.Atoi(id)\n\tb, errB := strconv.Atoi(id)",
    );
    assert!(r.contains("2 errors (errA, errB)"), "{r}");

    let konst = handler(
        "\tconst limit = 3\n\tn := len(os.Getenv(id))\n\treturn strconv.Itoa(n * limit), nil\n",
    );
    assert!(refused(&konst, "const limit = 3\n\tn := len(os.Getenv(id))").contains("`limit`"));

    let goroutine = handler("\tgo os.Remove(id)\n\treturn \"\", nil\n");
    assert!(refused(&goroutine, "go os.Remove(id)").contains("starts a goroutine"));
    let in_goroutine = handler("\tgo func() {\n\t\tos.Remove(id)\n\t}()\n\treturn \"\", nil\n");
    assert!(refused(&in_goroutine, "os.Remove(id)").contains("runs in a goroutine"));

    let no_error = format!(
        "{HEAD}type Svc struct{{}}\n\nfunc (Svc) H(ctx restate.Context) string {{\n\tnow := time.Now()\n\treturn now.String()\n}}\n"
    );
    assert!(refused(&no_error, "now := time.Now()").contains("returns no error"));
}

#[test]
fn only_whole_statements_in_handler_code() {
    let src = handler(
        "\tn, err := strconv.Atoi(id)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn strconv.Itoa(n), nil\n",
    );
    // Part of a statement, or part of two.
    assert_eq!(outcome(&src, "strconv.Atoi(id)"), Outcome::NotApplicable);
    assert_eq!(outcome(&src, "Atoi(id)\n\tif err"), Outcome::NotApplicable);
    // Already inside a Run closure.
    let inside = handler(
        "\tv, err := restate.Run(ctx, func(ctx restate.RunContext) (string, error) {\n\t\tb, err := os.ReadFile(id)\n\t\treturn string(b), err\n\t}, restate.WithName(\"read\"))\n\treturn v, err\n",
    );
    assert_eq!(
        outcome(&inside, "b, err := os.ReadFile(id)"),
        Outcome::NotApplicable
    );
    // A leading comment (a child of the block, not of the statement list) may be selected too.
    let commented = handler(
        "\t// parse it\n\tn, err := strconv.Atoi(id)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn strconv.Itoa(n), nil\n",
    );
    let out = applied(
        &commented,
        "// parse it\n\tn, err := strconv.Atoi(id)",
        TITLE_RUN,
    );
    assert!(
        out.contains("\tn, err := restate.Run(ctx, func(ctx restate.RunContext) (int, error) {\n\t\t// parse it\n\t\tn, err := strconv.Atoi(id)\n\t\treturn n, err\n\t}, restate.WithName(\"atoi\"))\n"),
        "{out}"
    );
    // Whole lines selected with their indentation and newline are whole statements.
    assert!(matches!(
        outcome(&src, "\tn, err := strconv.Atoi(id)\n"),
        Outcome::Wrapped(_)
    ));
}

#[test]
fn loops_inside_the_selection_may_break_and_continue() {
    let src = handler(
        "\tcount := 0\n\tfor _, p := range []string{id} {\n\t\tif p == \"\" {\n\t\t\tcontinue\n\t\t}\n\t\tif _, err := os.Stat(p); err == nil {\n\t\t\tcount++\n\t\t\tbreak\n\t\t}\n\t}\n\treturn strconv.Itoa(count), nil\n",
    );
    let out = applied(
        &src,
        "count := 0\n\tfor _, p := range []string{id} {\n\t\tif p == \"\" {\n\t\t\tcontinue\n\t\t}\n\t\tif _, err := os.Stat(p); err == nil {\n\t\t\tcount++\n\t\t\tbreak\n\t\t}\n\t}",
        TITLE_RUN,
    );
    assert!(
        out.contains("\tcount, err := restate.Run(ctx, func(ctx restate.RunContext) (int, error) {\n\t\tcount := 0\n\t\tfor _, p := range []string{id} {\n\t\t\tif p == \"\" {\n\t\t\t\tcontinue\n\t\t\t}\n"),
        "{out}"
    );
    assert!(
        out.contains("\t\treturn count, nil\n\t}, restate.WithName(\"stat\"))\n"),
        "{out}"
    );
}

#[test]
fn dot_import_and_crlf_are_kept() {
    let src = "package p\r\n\r\nimport (\r\n\t\"time\"\r\n\r\n\t. \"github.com/restatedev/sdk-go\"\r\n)\r\n\r\ntype Svc struct{}\r\n\r\nfunc (Svc) H(ctx Context) (int64, error) {\r\n\tnow := time.Now()\r\n\treturn now.Unix(), nil\r\n}\r\n";
    let out = applied(src, "now := time.Now()", TITLE_RUN);
    assert!(
        out.contains("\tnow, err := Run(ctx, func(ctx RunContext) (time.Time, error) { return time.Now(), nil }, WithName(\"now\"))\r\n\tif err != nil {\r\n\t\treturn 0, err\r\n\t}\r\n"),
        "{out:?}"
    );
}

#[test]
fn around_a_finding_wraps_its_statement() {
    let src = handler(
        "\tid2 := strconv.Quote(id)\n\tresp, err := http.Get(id2)\n\tif err != nil {\n\t\treturn \"\", err\n\t}\n\treturn resp.Status, nil\n",
    );
    let (_, out) = outcome_in(&[("main.go", &src)], "http.Get(id2)", true);
    match out {
        Outcome::Refused(r) => assert!(r.contains("`*http.Response` cannot be journaled"), "{r}"),
        other => panic!("{other:?}"),
    }
    let (src2, out) = outcome_in(&[("main.go", &src)], "strconv.Quote(id)", true);
    let Outcome::Wrapped(fixes) = out else {
        panic!("{out:?}")
    };
    assert_eq!(fixes[0].title, TITLE_RUN);
    let text = apply_edits(&src2, &fixes[0].edits).expect("apply");
    // `err` is declared again below from http.Get (an `error`, not a TerminalError): the Run's
    // error gets its own name.
    assert!(text.contains("\tid2, runErr := restate.Run(ctx, func(ctx restate.RunContext) (string, error) { return strconv.Quote(id), nil }, restate.WithName(\"quote\"))\n\tif runErr != nil {\n\t\treturn \"\", runErr\n\t}\n"), "{text}");
}

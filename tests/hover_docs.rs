//! Every documented SDK identifier (restate, server and ingress packages, methods of futures,
//! clients and builders) hovers with its entry: the probe file uses each one the way user code does
//! and the hover must show the entry's signature.

use std::path::PathBuf;

use restate_lsp::analysis::docs::{self, Package};
use restate_lsp::analysis::go;
use restate_lsp::analysis::hover;
use restate_lsp::analysis::model;
use restate_lsp::analysis::workspace::Workspace;

/// The expression that yields a value of the documented type, for its methods.
fn receiver(pkg: Package, ty: &str) -> Option<&'static str> {
    Some(match (pkg, ty) {
        (Package::Restate, "Client") => "restate.Service[int](ctx, \"S\", \"H\")",
        (Package::Restate, "SendClient") => "restate.ServiceSend(ctx, \"S\", \"H\")",
        (Package::Restate, "ResponseFuture") => {
            "restate.Service[int](ctx, \"S\", \"H\").RequestFuture(1)"
        }
        (Package::Restate, "AfterFuture") => "restate.After(ctx, time.Second)",
        (Package::Restate, "RunAsyncFuture") => "restate.RunAsync(ctx, step)",
        (Package::Restate, "AwakeableFuture") => "restate.Awakeable[string](ctx)",
        (Package::Restate, "SignalFuture") => "restate.Signal[string](ctx, \"s\")",
        (Package::Restate, "DurablePromise") => "restate.Promise[string](ctx, \"p\")",
        (Package::Restate, "AttachFuture") => "restate.AttachInvocation[int](ctx, \"inv\")",
        (Package::Restate, "Invocation") => "restate.ServiceSend(ctx, \"S\", \"H\").Send(1)",
        (Package::Restate, "WaitIterator") => "restate.WaitIter(ctx)",
        (Package::Restate, "TerminalError") => "restate.TerminalErrorf(\"x\")",
        (Package::Restate, "ServiceDefinition") => "restate.Reflect(Svc{})",
        (Package::Restate, "NewService") => "restate.NewService(\"S\")",
        (Package::Restate, "StringMap") => "ctx.Request().Headers",
        (Package::Server, "Restate") => "server.NewRestate()",
        (Package::Ingress, "Requester") => "ingress.Service[int, int](client, \"S\", \"H\")",
        (Package::Ingress, "SendRequester") => "ingress.ServiceSend[int](client, \"S\", \"H\")",
        (Package::Ingress, "SimpleSendResponse") => {
            "ingress.ServiceSend[int](client, \"S\", \"H\").Send(bg, 1)"
        }
        (Package::Ingress, "InvocationHandle") => "ingress.InvocationById[int](client, \"inv\")",
        _ => return None,
    })
}

#[test]
fn every_sdk_identifier_hovers_with_its_signature() {
    let mut body = String::new();
    let mut probes: Vec<(usize, Package, String, String)> = vec![];
    let header = "package probe\n\nimport (\n\t\"context\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n\t\"github.com/restatedev/sdk-go/ingress\"\n\t\"github.com/restatedev/sdk-go/server\"\n)\n\ntype Svc struct{}\n\nfunc step(ctx restate.RunContext) (int, error) { return 1, nil }\n\nfunc probe(ctx restate.Context, client *ingress.Client, bg context.Context) {\n";
    let mut entries: Vec<(Package, &docs::Entry)> = docs::all().collect();
    entries.sort_by(|a, b| (a.0.name(), &a.1.name).cmp(&(b.0.name(), &b.1.name)));
    assert!(
        entries.len() >= 200,
        "expected every SDK identifier, found {}",
        entries.len()
    );
    let pkg_alias = |p: Package| match p {
        Package::Restate => "restate",
        Package::Server => "server",
        Package::Ingress => "ingress",
    };
    for (pkg, e) in &entries {
        let (line, target) = match e.name.split_once('.') {
            Some((ty, method)) => {
                let recv = receiver(*pkg, ty)
                    .unwrap_or_else(|| panic!("no probe for {}.{}", pkg.name(), e.name));
                (format!("\t_ = {recv}.{method}\n"), method.to_string())
            }
            None if e.kind == "type" => (
                format!("\tvar _ {}.{}\n", pkg_alias(*pkg), e.name),
                e.name.clone(),
            ),
            None => (
                format!("\t_ = {}.{}\n", pkg_alias(*pkg), e.name),
                e.name.clone(),
            ),
        };
        let offset = header.len() + body.len() + line.rfind(&target).unwrap_or(0);
        body.push_str(&line);
        probes.push((offset, *pkg, e.name.clone(), e.signature.clone()));
    }
    let src = format!("{header}{body}}}\n");
    let tree = go::parse_str(&src);
    let m = model::extract(&src, &tree);
    let mut ws = Workspace::new();
    let path = PathBuf::from("/probe/probe.go");
    ws.upsert(path.clone(), m.clone(), 1);
    let mut missing = vec![];
    for (offset, pkg, name, signature) in probes {
        let first_line = signature.lines().next().unwrap_or("").trim();
        match hover::hover(&src, &tree, &m, &ws, &path, offset + 1) {
            Some(h)
                if h.markdown.contains(first_line) && h.markdown.len() > first_line.len() + 40 => {}
            Some(h) => missing.push(format!(
                "{}.{name}: wrong hover {:?}",
                pkg.name(),
                h.markdown.lines().next()
            )),
            None => missing.push(format!("{}.{name}: no hover", pkg.name())),
        }
    }
    assert!(
        missing.is_empty(),
        "{} identifiers without a proper hover:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn hover_resolves_the_import_alias_and_dot_imports() {
    for (import, call) in [
        (
            "sdk \"github.com/restatedev/sdk-go\"",
            "sdk.Sleep(ctx, time.Second)",
        ),
        (
            ". \"github.com/restatedev/sdk-go\"",
            "Sleep(ctx, time.Second)",
        ),
    ] {
        let ctx_ty = if import.starts_with('.') {
            "Context"
        } else {
            "sdk.Context"
        };
        let src = format!(
            "package p\n\nimport (\n\t\"time\"\n\t{import}\n)\n\nfunc h(ctx {ctx_ty}) {{\n\t_ = {call}\n}}\n"
        );
        let tree = go::parse_str(&src);
        let m = model::extract(&src, &tree);
        let ws = Workspace::new();
        let at = src.find("Sleep(").expect("call") + 1;
        let h = hover::hover(&src, &tree, &m, &ws, &PathBuf::from("/p.go"), at).expect("hover");
        assert!(
            h.markdown.contains("func Sleep(ctx Context"),
            "{import}: {}",
            h.markdown
        );
    }
    // A package that only looks like the SDK gets nothing.
    let src =
        "package p\n\nimport restate \"example.com/fake\"\n\nfunc h() { _ = restate.Sleep }\n";
    let tree = go::parse_str(src);
    let m = model::extract(src, &tree);
    let at = src.find("Sleep").expect("x") + 1;
    assert!(
        hover::hover(
            src,
            &tree,
            &m,
            &Workspace::new(),
            &PathBuf::from("/p.go"),
            at
        )
        .is_none()
    );
}

#[test]
fn hover_on_a_handler_shows_kind_service_url_and_callers() {
    let handler = "package bank\n\nimport restate \"github.com/restatedev/sdk-go\"\n\ntype Bank struct{}\n\nfunc (Bank) Approve(ctx restate.ObjectContext, id string) (bool, error) { return true, nil }\n";
    let caller = "package bank\n\nimport restate \"github.com/restatedev/sdk-go\"\n\nfunc call(ctx restate.Context) {\n\t_, _ = restate.Object[bool](ctx, \"Bank\", \"k\", \"Approve\").Request(\"x\")\n}\n";
    let mut ws = Workspace::new();
    for (p, src) in [("/w/bank/bank.go", handler), ("/w/bank/call.go", caller)] {
        let tree = go::parse_str(src);
        ws.upsert(PathBuf::from(p), model::extract(src, &tree), 1);
    }
    let tree = go::parse_str(handler);
    let m = model::extract(handler, &tree);
    let at = handler.find("Approve").expect("name") + 1;
    let h = hover::hover(
        handler,
        &tree,
        &m,
        &ws,
        &PathBuf::from("/w/bank/bank.go"),
        at,
    )
    .expect("hover");
    for want in [
        "Bank/Approve",
        "virtual object · exclusive",
        "POST /Bank/{key}/Approve",
        "Callers in the workspace: 1",
        "Input `string`, output `bool`",
    ] {
        assert!(
            h.markdown.contains(want),
            "missing {want:?} in {}",
            h.markdown
        );
    }
    // And on the call string.
    let tree = go::parse_str(caller);
    let m = model::extract(caller, &tree);
    let at = caller.find("\"Approve\"").expect("lit") + 2;
    let h = hover::hover(
        caller,
        &tree,
        &m,
        &ws,
        &PathBuf::from("/w/bank/call.go"),
        at,
    )
    .expect("hover on call string");
    assert!(h.markdown.contains("Bank/Approve"), "{}", h.markdown);
}

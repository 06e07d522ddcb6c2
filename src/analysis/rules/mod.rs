//! The rule engine: each rule family lives in its own file and is a pure function over the file's
//! tree and model plus the workspace index. Families run isolated: a panic in one becomes an RS0002
//! finding and the others still report. Severity configuration and suppression comments are applied
//! here, after the families ran.

pub mod api;
pub mod catalog;
pub mod concurrency;
pub mod concurrency_fixes;
pub mod determinism;
pub mod determinism_fixes;
pub mod errors;
pub mod facts;
pub mod fixkit;
pub mod flowkit;
pub mod hints;
pub mod hints_fixes;
pub mod idempotency;
pub mod objects;
pub mod pages;
pub mod run;
pub mod run_fixes;
pub mod versions;
pub mod waits;
pub mod wiring;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use tree_sitter::Tree;

use crate::analysis::config::Config;
use crate::analysis::findings::Finding;
use crate::analysis::gomod::GoMod;
use crate::analysis::model::{CallTarget, FileModel, FuncKind, Region};
use crate::analysis::semantic::Semantic;
use crate::analysis::span::Locator;
use crate::analysis::suppress;
use crate::analysis::workspace::Workspace;
use facts::Facts;

/// What a caller provides to check one file.
pub struct FileInput<'a> {
    pub path: &'a Path,
    pub src: &'a str,
    pub tree: &'a Tree,
    pub model: &'a FileModel,
    pub ws: &'a Workspace,
    pub config: &'a Config,
    /// The go.mod that owns the file, if any.
    pub gomod: Option<&'a GoMod>,
}

/// Everything a rule may look at for one file: the input plus the facts of the shared walk.
pub struct FileContext<'a> {
    pub path: &'a Path,
    pub src: &'a str,
    pub tree: &'a Tree,
    pub model: &'a FileModel,
    pub ws: &'a Workspace,
    pub config: &'a Config,
    pub gomod: Option<&'a GoMod>,
    pub facts: &'a Facts<'a>,
    /// Parents, bindings and types of this file's tree.
    pub sem: &'a Semantic<'a>,
    /// Lines and columns of this file's bytes, for related information.
    pub loc: &'a Locator<'a>,
}

impl<'a> FileContext<'a> {
    /// The index in `self.model` of function `indexed` of this file as the workspace index numbers
    /// it. The two numberings agree when the model is the indexed one; while a reduced copy of the
    /// file is analysed (see `analysis::incremental`) functions are matched by where they start.
    pub fn local_function(&self, indexed: u32) -> Option<u32> {
        match self.ws.file(self.path) {
            Some(file) => same_function(&file.model, self.model, indexed),
            None => Some(indexed),
        }
    }

    /// The workspace index's number for function `local` of `self.model` (see `local_function`).
    pub fn indexed_function(&self, local: u32) -> Option<u32> {
        match self.ws.file(self.path) {
            Some(file) => same_function(self.model, &file.model, local),
            None => Some(local),
        }
    }

    /// What a call may reach in the workspace, when syntax shows it (see `model::CallTarget`).
    pub fn call_target(&self, parts: &crate::analysis::go::CallParts<'a>) -> Option<CallTarget> {
        use crate::analysis::go::Callee;
        Some(match parts.callee(self.src) {
            Callee::Ident(name) => {
                if crate::analysis::go::is_builtin_func(name)
                    || self.sem.resolve(parts.func).is_some()
                {
                    return None;
                }
                CallTarget::Func(name.into())
            }
            Callee::Selector {
                operand,
                operand_ident,
                name,
            } => {
                if operand_ident.is_some()
                    && let Some(path) = self.sem.import_path(operand)
                {
                    CallTarget::PkgFunc {
                        path: path.into(),
                        name: name.into(),
                    }
                } else {
                    CallTarget::Method {
                        type_name: self.sem.named_type_of(operand)?.into(),
                        name: name.into(),
                    }
                }
            }
            Callee::Other => return None,
        })
    }

    /// The workspace functions a call reaches, with their summaries.
    pub fn callees(
        &self,
        parts: &crate::analysis::go::CallParts<'a>,
    ) -> Vec<&'a crate::analysis::model::Function> {
        let Some(target) = self.call_target(parts) else {
            return vec![];
        };
        self.ws
            .resolve_call(self.path, &target)
            .iter()
            .filter_map(|r| self.ws.function(r).map(|(_, f)| f))
            .collect()
    }

    /// For a call of a Run wrapper (`RunAWS(ctx, fn)`): the position of the function it runs as
    /// a step.
    pub fn wrapper_param(&self, parts: &crate::analysis::go::CallParts<'a>) -> Option<usize> {
        self.callees(parts)
            .iter()
            .find_map(|f| f.summary.run_wrapper())
    }

    /// The registered handler whose function is `local` in `self.model`.
    pub fn handler_of(
        &self,
        local: u32,
    ) -> Option<(
        &'a Arc<crate::analysis::workspace::Service>,
        &'a crate::analysis::workspace::Handler,
    )> {
        self.ws.handler_of(self.path, self.indexed_function(local)?)
    }
}

/// The index in `to` of function `i` of `from`: the same index when both are one model, else the
/// function starting at the same byte (functions are numbered in source order).
fn same_function(from: &FileModel, to: &FileModel, i: u32) -> Option<u32> {
    if std::ptr::eq(from, to) {
        return Some(i);
    }
    let start = from.functions.get(i as usize)?.range.0;
    let fs = &to.functions;
    let j = fs.partition_point(|g| g.range.0 < start);
    (fs.get(j)?.range.0 == start).then_some(j as u32)
}

pub type Family = fn(&FileContext<'_>, &mut Vec<Finding>);

/// The rule families: (name reported by RS0002, whether it runs on `_test.go` files, rules).
/// Handler code in tests is mostly test doubles (recording channels, counters for assertions,
/// wall-clock timeouts), so the determinism, concurrency and design families skip test files;
/// API misuse is a bug wherever it is.
pub const FAMILIES: &[(&str, bool, Family)] = &[
    ("determinism", false, determinism::check),
    ("concurrency", false, concurrency::check),
    ("run", true, run::check),
    ("errors", true, errors::check),
    ("waits", false, waits::check),
    ("api", true, api::check),
    ("hints", false, hints::check),
    ("versions", true, versions::check),
    ("wiring", false, wiring::check),
    ("objects", false, objects::check),
    ("idempotency", false, idempotency::check),
];

/// Run every family on a file and return the findings that survive configuration and suppression.
pub fn check_file(input: &FileInput<'_>) -> Vec<Finding> {
    check_file_with(input, FAMILIES)
}

/// `check_file` with a given set of families (tests inject failing ones).
pub fn check_file_with(input: &FileInput<'_>, families: &[(&str, bool, Family)]) -> Vec<Finding> {
    if input.model.generated {
        return vec![];
    }
    let sem = Semantic::build(input.src, input.tree);
    // Func literals handed to a Run wrapper of the workspace are Run closures: a copy of the
    // model says so when there are any (rare; the model is not copied otherwise).
    let wrapped = run_wrapped(input);
    let patched;
    let model = if wrapped.is_empty() {
        input.model
    } else {
        patched = with_wrapped_closures(input.model, &wrapped);
        &patched
    };
    let input = &FileInput { model, ..*input };
    let facts = Facts::collect(&sem, input.model);
    let loc = Locator::new(input.src);
    let cx = &FileContext {
        sem: &sem,
        loc: &loc,
        path: input.path,
        src: input.src,
        tree: input.tree,
        model: input.model,
        ws: input.ws,
        config: input.config,
        gomod: input.gomod,
        facts: &facts,
    };
    let mut all = Vec::new();
    let test_file = crate::analysis::workspace::is_test_file(input.path);
    for (name, in_tests, family) in families {
        if test_file && !in_tests {
            continue;
        }
        // A newer version of the document exists: the caller drops what this run finds.
        if crate::analysis::cancel::requested() {
            break;
        }
        let mut out = Vec::new();
        match catch_unwind(AssertUnwindSafe(|| family(cx, &mut out))) {
            Ok(()) => all.extend(out),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                let end = cx.src.find('\n').unwrap_or(cx.src.len());
                all.push(Finding::new(
                    "RS0002",
                    0,
                    end,
                    format!(
                        "the {name} rules failed on this file ({what}); other rules still ran. Please report this with the file attached"
                    ),
                ));
            }
        }
    }
    finish(cx, all)
}

/// Func literals of the file handed to a Run wrapper at the position it runs as a step.
pub fn run_wrapped(input: &FileInput<'_>) -> Vec<u32> {
    input
        .model
        .functions
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let (target, arg) = f.passed_to.as_deref()?;
            let wraps = input
                .ws
                .resolve_call(input.path, target)
                .iter()
                .filter_map(|r| input.ws.function(r))
                .any(|(_, g)| g.summary.run_wrapper() == Some(*arg as usize));
            wraps.then_some(i as u32)
        })
        .collect()
}

/// A copy of `model` where the `wrapped` literals, and the literals nested in them, are Run
/// closures.
fn with_wrapped_closures(model: &FileModel, wrapped: &[u32]) -> FileModel {
    let mut m = model.clone();
    for i in 0..m.functions.len() {
        let inside = wrapped
            .iter()
            .any(|w| crate::analysis::rules::facts::within(&m, Some(i as u32), *w));
        if inside && m.functions[i].kind == FuncKind::Literal {
            if wrapped.contains(&(i as u32)) {
                m.functions[i].run_closure = true;
            }
            m.functions[i].region = Region::Run;
        }
    }
    m
}

/// Apply the configured severities (dropping rules turned off) and suppression comments.
pub fn finish(cx: &FileContext<'_>, findings: Vec<Finding>) -> Vec<Finding> {
    let mut configured: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| {
            let sev = cx.config.severity(f.code)?;
            if cx.config.has_override(f.code) || f.severity == catalog::default_severity(f.code) {
                f.severity = sev;
            }
            Some(f)
        })
        .collect();
    configured.sort_by(|a, b| (a.start, a.code).cmp(&(b.start, b.code)));
    configured.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.code == b.code);
    let directives = suppress::directives(cx.sem);
    let rs0001 = cx.config.severity("RS0001");
    let mut out = suppress::apply(cx.src, &directives, configured, rs0001.is_some());
    // A module that pins the 0.x API gets one notice on go.mod for RS9001 (analysis::migrate),
    // unless [rules] sets it; its sites came this far so directives naming them count as used.
    if crate::analysis::migrate::old_api(cx.gomod) && !cx.config.has_override("RS9001") {
        out.retain(|f| f.code != "RS9001");
    }
    for f in out.iter_mut().filter(|f| f.code == "RS0001") {
        if let Some(s) = rs0001 {
            f.severity = s;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    fn exploding(_: &FileContext<'_>, _: &mut Vec<Finding>) {
        panic!("index out of range in a test family");
    }

    #[test]
    fn a_panicking_family_becomes_rs0002_and_the_others_still_report() {
        let src = "package p\n\nimport (\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n\nfunc H(ctx restate.ObjectContext) { restate.Set(ctx, \"at\", time.Now()) }\n";
        let tree = parse_str(src);
        let model = extract(src, &tree);
        let mut ws = Workspace::new();
        ws.upsert("/p/h.go".into(), model.clone(), 9);
        let config = Config::default();
        let input = FileInput {
            path: Path::new("/p/h.go"),
            src,
            tree: &tree,
            model: &model,
            ws: &ws,
            config: &config,
            gomod: None,
        };
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let fs = check_file_with(
            &input,
            &[
                ("exploding", true, exploding),
                ("determinism", true, determinism::check),
            ],
        );
        std::panic::set_hook(previous);
        let codes: Vec<&str> = fs.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec!["RS0002", "RS1001"], "{fs:?}");
        assert!(
            fs[0].message.contains("exploding rules failed"),
            "{}",
            fs[0].message
        );
        assert!(fs[0].message.contains("index out of range"));
    }
}

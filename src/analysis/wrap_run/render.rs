//! Writing the wrapped code: the closure (its body one tab deeper than the statement it replaces),
//! how its results are bound after the call, the error check when the selection had no error of its
//! own, the struct for several results, and the imports its result types need. Output is in gofmt
//! shape: tabs, the enclosing indentation, struct fields aligned with spaces.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::analysis::findings::{Edit, Fix};
use crate::analysis::fixes;
use crate::analysis::go::{self, call_parts, field, named_children, text};
use crate::analysis::model::{Function, PkgRef};
use crate::analysis::rules::fixkit::zero_value_in;
use crate::analysis::semantic::Semantic;

use super::flow::{Output, Status};
use super::infer::{self, Cx};
use super::names::{camel, step_label, taken_names};
use super::{Input, Refusal, TITLE_RUN, TITLE_RUN_ASYNC, TITLE_RUN_VOID, Target};

enum Shape {
    Void,
    Single(usize),
    Struct(Vec<usize>),
}

pub struct Render<'a, 't> {
    input: &'a Input<'a>,
    sem: &'a Semantic<'t>,
    t: &'a Target<'t>,
    func: &'a Function,
    ctx: &'a str,
    outs: Vec<Output>,
    /// Rendered types of the outputs (`any` when unknown).
    types: Vec<String>,
    unknown: Vec<String>,
    imports: Vec<String>,
    prefix: String,
    indent: String,
    nl: &'static str,
    label: String,
    /// Names in use, computed when a new one is first needed.
    taken: std::cell::OnceCell<HashSet<String>>,
}

struct Slot {
    name: String,
    status: Status,
    ty: String,
}

/// How the Run's results are bound: statements before, the left side and operator, statements
/// after.
struct Binding {
    before: Vec<String>,
    lhs: String,
    op: &'static str,
    after: Vec<String>,
}

impl<'a, 't> Render<'a, 't> {
    pub fn new(
        input: &'a Input<'a>,
        cx: &Cx<'t>,
        t: &'a Target<'t>,
        func: u32,
        ctx: &'a str,
        outs: Vec<Output>,
    ) -> Self {
        let model = input.model;
        let mut imports = vec![];
        let mut unknown = vec![];
        let types = outs
            .iter()
            .map(|o| {
                let r =
                    o.ty.as_deref()
                        .and_then(|ty| infer::render(ty, model, &input.ws.deps, &mut imports));
                r.unwrap_or_else(|| {
                    if !o.is_error {
                        unknown.push(o.name.clone());
                    }
                    "any".to_string()
                })
            })
            .collect();
        let prefix = match &model.restate {
            Some(PkgRef::Named(a)) => format!("{a}."),
            _ => String::new(),
        };
        let src = input.src;
        let nl = if src.contains("\r\n") { "\r\n" } else { "\n" };
        let first = t.header.unwrap_or(t.stmts[0]);
        let indent = go::line_indent(src, first.start_byte()).to_string();
        let func_ref = &model.functions[func as usize];
        let label = step_label(cx, t, func_ref, &outs);
        Render {
            input,
            sem: cx.sem,
            t,
            func: func_ref,
            ctx,
            outs,
            types,
            unknown,
            imports,
            prefix,
            indent,
            nl,
            label,
            taken: std::cell::OnceCell::new(),
        }
    }

    fn shape(&self) -> Shape {
        let values: Vec<usize> = (0..self.outs.len())
            .filter(|i| !self.outs[*i].is_error)
            .collect();
        match values.len() {
            0 => Shape::Void,
            1 => Shape::Single(values[0]),
            _ => Shape::Struct(values),
        }
    }

    fn error_out(&self) -> Option<&Output> {
        self.outs.iter().find(|o| o.is_error)
    }

    fn fresh(&self, base: &str) -> String {
        let taken = self.taken();
        if !taken.contains(base) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base}{i}"))
            .find(|n| !taken.contains(n))
            .unwrap_or_else(|| base.to_string())
    }

    fn taken(&self) -> &HashSet<String> {
        self.taken
            .get_or_init(|| taken_names(self.input, self.sem, self.t))
    }

    fn struct_name(&self) -> String {
        self.fresh(&format!("{}Result", camel(&self.label)))
    }

    fn field_names(&self, idx: &[usize]) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for i in idx {
            let n = &self.outs[*i].name;
            let mut f: String = n
                .chars()
                .take(1)
                .flat_map(char::to_uppercase)
                .chain(n.chars().skip(1))
                .collect();
            if out.contains(&f) {
                f = (2..)
                    .map(|k| format!("{f}{k}"))
                    .find(|c| !out.contains(c))
                    .unwrap_or(f);
            }
            out.push(f);
        }
        out
    }

    /// The single call statement `a, err := f(x)` whose results are exactly the outputs: the
    /// closure can `return f(x)`.
    fn direct_call(&self) -> Option<(Node<'t>, bool)> {
        let src = self.input.src;
        let [stmt] = self.t.stmts.as_slice() else {
            return None;
        };
        if stmt.start_byte() != self.t.start || stmt.end_byte() != self.t.end {
            return None;
        }
        let op_ok = match stmt.kind() {
            "short_var_declaration" => true,
            "assignment_statement" => field(*stmt, "operator").is_some_and(|o| text(o, src) == "="),
            _ => false,
        };
        if !op_ok {
            return None;
        }
        let lefts: Vec<&str> = named_children(field(*stmt, "left")?)
            .into_iter()
            .map(|n| text(n, src))
            .collect();
        let rights = named_children(field(*stmt, "right")?);
        let [call] = rights.as_slice() else {
            return None;
        };
        let call = go::unparen(*call);
        call_parts(call)?;
        let mut expected: Vec<&str> = self
            .outs
            .iter()
            .filter(|o| !o.is_error)
            .map(|o| o.name.as_str())
            .collect();
        let err = self.error_out().map(|o| o.name.as_str());
        expected.extend(err);
        if lefts != expected || expected.len() > 2 {
            return None;
        }
        // `x := f()` with no error of its own: `return f(), nil`.
        let needs_nil = err.is_none() && !expected.is_empty();
        Some((call, needs_nil))
    }

    /// The selection re-indented one tab deeper, as lines starting with `body_indent`.
    fn body_lines(&self, body_indent: &str) -> String {
        let src = self.input.src;
        let (s, e) = (self.t.start, self.t.end);
        let mut raw: Vec<(usize, usize)> = vec![];
        for st in &self.t.stmts {
            go::walk(*st, |n| {
                if n.kind() == "raw_string_literal" {
                    raw.push((n.start_byte(), n.end_byte()));
                }
                true
            });
        }
        let mut out = String::new();
        let mut pos = s;
        let body = &src[s..e];
        for (i, line) in body.split('\n').enumerate() {
            let at = pos;
            pos += line.len() + 1;
            if i == 0 {
                out.push_str(body_indent);
                out.push_str(line);
                continue;
            }
            out.push('\n');
            let in_raw = raw.iter().any(|(a, b)| *a < at && at < *b);
            if !in_raw && !line.trim_end_matches('\r').is_empty() {
                out.push('\t');
            }
            out.push_str(line);
        }
        out
    }

    /// `func(ctx restate.RunContext) (T, error) { ... }` for the result type `ret_ty` (None: the
    /// RunVoid form) returning `ret` (the values before the error).
    fn closure(&self, ret_ty: Option<&str>, ret: Option<String>, close_indent: &str) -> String {
        let p = &self.prefix;
        let ctx = self.ctx;
        let sig = match ret_ty {
            Some(t) => format!("func({ctx} {p}RunContext) ({t}, error)"),
            None => format!("func({ctx} {p}RunContext) error"),
        };
        let src = self.input.src;
        if let Some((call, needs_nil)) = self.direct_call() {
            let call_text = text(call, src);
            if !call_text.contains('\n') {
                let nil = if needs_nil { ", nil" } else { "" };
                return format!("{sig} {{ return {call_text}{nil} }}");
            }
        }
        let nl = self.nl;
        let body_indent = format!("{close_indent}\t");
        let mut lines: Vec<String> = vec![];
        for o in self.outs.iter().filter(|o| o.copy_in) {
            lines.push(format!("{body_indent}{0} := {0}", o.name));
        }
        lines.push(self.body_lines(&body_indent).replace('\n', nl));
        let err = self.error_out().map(|o| o.name.as_str()).unwrap_or("nil");
        let ret_line = match ret {
            Some(v) => format!("{body_indent}return {v}, {err}"),
            None => format!("{body_indent}return {err}"),
        };
        lines.push(ret_line);
        format!("{sig} {{{nl}{}{nl}{close_indent}}}", lines.join(nl))
    }

    fn call(&self, async_: bool, ret_ty: Option<&str>, ret: Option<String>) -> String {
        let p = &self.prefix;
        let close_indent = &self.indent;
        let f = match (async_, ret_ty) {
            (true, _) => "RunAsync",
            (false, Some(_)) => "Run",
            (false, None) => "RunVoid",
        };
        format!(
            "{p}{f}({}, {}, {p}WithName({:?}))",
            self.ctx,
            self.closure(ret_ty, ret, close_indent),
            self.label
        )
    }

    /// The result type and the returned value of the closure for the shape.
    fn result(&self, shape: &Shape, struct_name: &str) -> (Option<String>, Option<String>) {
        match shape {
            Shape::Void => (None, None),
            Shape::Single(i) => (
                Some(self.types[*i].clone()),
                Some(self.outs[*i].name.clone()),
            ),
            Shape::Struct(idx) => {
                let fields = self.field_names(idx);
                let inits: Vec<String> = idx
                    .iter()
                    .zip(&fields)
                    .map(|(i, f)| format!("{f}: {}", self.outs[*i].name))
                    .collect();
                (
                    Some(struct_name.to_string()),
                    Some(format!("{struct_name}{{{}}}", inits.join(", "))),
                )
            }
        }
    }

    fn struct_decl(&self, idx: &[usize], name: &str) -> String {
        let fields = self.field_names(idx);
        let width = fields.iter().map(|f| f.chars().count()).max().unwrap_or(0);
        let mut s = format!("type {name} struct {{");
        for (f, i) in fields.iter().zip(idx) {
            let pad = " ".repeat(width - f.chars().count() + 1);
            s.push_str(&format!(
                "{}{}\t{f}{pad}{}",
                self.nl, self.indent, self.types[*i]
            ));
        }
        s.push_str(&format!("{}{}}}", self.nl, self.indent));
        s
    }

    fn todo_comment(&self) -> Option<String> {
        (!self.unknown.is_empty()).then(|| {
            format!(
                "// TODO: replace any with the type of {}: restate-lsp could not infer it, and on replay the journaled JSON would decode into a map",
                self.unknown.join(", ")
            )
        })
    }

    /// An error variable name the code after `at` does not use.
    fn fresh_err(&self, at: Node<'_>, rest: &[Node<'_>]) -> String {
        let src = self.input.src;
        let mentioned = |name: &str| {
            let mut hit = false;
            for r in rest {
                go::walk(*r, |n| {
                    if n.kind() == "identifier" && text(n, src) == name {
                        hit = true;
                    }
                    !hit
                });
            }
            hit
        };
        let ok = |name: &str| {
            !mentioned(name)
                && !self.outs.iter().any(|o| o.name == name)
                && (!self.taken().contains(name)
                    || self
                        .sem
                        .resolve_name(at, name)
                        .is_none_or(|d| !self.t.same_block(self.sem, &d)))
        };
        ["err", "runErr"]
            .into_iter()
            .map(str::to_string)
            .chain((2..).map(|i| format!("runErr{i}")))
            .find(|n| ok(n))
            .unwrap_or_else(|| "runErr".into())
    }

    /// `if err != nil { return <zero values>, err }`.
    fn error_check(&self, err: &str) -> Result<String, Refusal> {
        let results = &self.func.results;
        if results.last().map(String::as_str) != Some("error") {
            return Err(Refusal::Reason(
                "the enclosing function returns no error, so a failed Run step has nowhere to go; add an error result first".into(),
            ));
        }
        let mut vals: Vec<String> = results[..results.len() - 1]
            .iter()
            .map(|t| zero_value_in(self.input.model, self.input.ws, self.input.path, t))
            .collect();
        vals.push(err.to_string());
        let (nl, ind) = (self.nl, &self.indent);
        Ok(format!(
            "{err} != nil {{{nl}{ind}\treturn {}{nl}{ind}}}",
            vals.join(", ")
        ))
    }

    /// Bind the Run's (or the future's) results; `at` is where the binding statement goes and
    /// `rest` the code after it.
    fn bind(
        &self,
        shape: &Shape,
        value: Option<(String, String)>,
        at: Node<'_>,
        rest: &[Node<'_>],
    ) -> Result<Binding, Refusal> {
        let mut before = vec![];
        let mut after = vec![];
        let mut slots: Vec<Slot> = vec![];
        match shape {
            Shape::Void => {}
            Shape::Single(i) => slots.push(Slot {
                name: self.outs[*i].name.clone(),
                status: self.outs[*i].status,
                ty: self.types[*i].clone(),
            }),
            Shape::Struct(_) => {
                if let Some((name, ty)) = &value {
                    slots.push(Slot {
                        name: name.clone(),
                        status: Status::Declared,
                        ty: ty.clone(),
                    });
                }
            }
        }
        match self.error_out() {
            Some(e) => {
                let mut status = e.status;
                if status == Status::Declared && e.assigned_later {
                    // Keep it an `error`: later assignments may store other errors in it.
                    before.push(format!("var {} error", e.name));
                    status = Status::ExistingSame;
                }
                slots.push(Slot {
                    name: e.name.clone(),
                    status,
                    ty: "error".into(),
                });
            }
            None => {
                let name = self.fresh_err(at, rest);
                after.push(format!("if {}", self.error_check(&name)?));
                slots.push(Slot {
                    name,
                    status: Status::Declared,
                    ty: "error".into(),
                });
            }
        }
        let declared = slots.iter().any(|s| s.status == Status::Declared);
        let outer = slots.iter().any(|s| s.status == Status::ExistingOuter);
        let op = if !declared {
            "="
        } else if !outer {
            ":="
        } else {
            for s in slots.iter_mut().filter(|s| s.status == Status::Declared) {
                before.push(format!("var {} {}", s.name, s.ty));
                s.status = Status::ExistingSame;
            }
            "="
        };
        if let (Shape::Struct(idx), Some((res, _))) = (shape, &value) {
            after.extend(self.destructure(idx, res));
        }
        let lhs = slots
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Binding {
            before,
            lhs,
            op,
            after,
        })
    }

    fn destructure(&self, idx: &[usize], res: &str) -> Vec<String> {
        let fields = self.field_names(idx);
        let pairs: Vec<(&Output, &String)> =
            idx.iter().map(|i| &self.outs[*i]).zip(&fields).collect();
        let any_declared = pairs.iter().any(|(o, _)| o.status == Status::Declared);
        let (decl, assign): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(o, _)| {
            o.status == Status::Declared || (any_declared && o.status == Status::ExistingSame)
        });
        let mut out = vec![];
        for (group, op) in [(decl, ":="), (assign, "=")] {
            if group.is_empty() {
                continue;
            }
            let names: Vec<&str> = group.iter().map(|(o, _)| o.name.as_str()).collect();
            let vals: Vec<String> = group.iter().map(|(_, f)| format!("{res}.{f}")).collect();
            out.push(format!("{} {op} {}", names.join(", "), vals.join(", ")));
        }
        out
    }

    fn import_edits(&self) -> Vec<Edit> {
        let mut paths = self.imports.clone();
        paths.sort();
        paths.dedup();
        paths
            .iter()
            .filter_map(|p| fixes::add_import(self.input.src, self.input.tree, self.input.model, p))
            .collect()
    }

    fn join(&self, lines: &[String]) -> String {
        lines.join(&format!("{}{}", self.nl, self.indent))
    }

    /// Wrap in Run (RunVoid when nothing is handed on).
    pub fn run(&self) -> Result<Fix, Refusal> {
        let shape = self.shape();
        let sname = match shape {
            Shape::Struct(_) => self.struct_name(),
            _ => String::new(),
        };
        let (ret_ty, ret) = self.result(&shape, &sname);
        let call = self.call(false, ret_ty.as_deref(), ret);
        let header = self.t.header.is_some();
        let mut lines: Vec<String> = self.todo_comment().into_iter().collect();
        if let Shape::Struct(idx) = &shape {
            if header {
                return Err(Refusal::Reason(
                    "several values would come out of this `if` initializer; select whole statements instead".into(),
                ));
            }
            lines.push(self.struct_decl(idx, &sname));
        }
        if matches!(shape, Shape::Void) && self.error_out().is_none() {
            if header {
                return Err(Refusal::Reason(
                    "nothing in this `if` initializer would carry the Run step's error; select the whole statement instead".into(),
                ));
            }
            let check = self.error_check("err")?;
            lines.push(format!("if err := {call}; {check}"));
        } else {
            let res = match shape {
                Shape::Struct(_) => self.fresh("res"),
                _ => String::new(),
            };
            let first = self.t.stmts[0];
            let rest = self.t.rest();
            let b = self.bind(&shape, Some((res, sname.clone())), first, &rest)?;
            if header && (!b.before.is_empty() || !b.after.is_empty() || !lines.is_empty()) {
                return Err(Refusal::Reason(
                    "the Run step's error would need a check of its own here, which an `if` initializer cannot hold; select the whole statement instead".into(),
                ));
            }
            lines.extend(b.before);
            lines.push(format!("{} {} {call}", b.lhs, b.op));
            lines.extend(b.after);
        }
        let mut edits = vec![Edit::replace(self.t.start, self.t.end, self.join(&lines))];
        edits.extend(self.import_edits());
        Ok(Fix {
            title: if matches!(shape, Shape::Void) {
                TITLE_RUN_VOID
            } else {
                TITLE_RUN
            }
            .to_string(),
            edits,
            safe: false,
            snippet: false,
        })
    }

    /// Wrap in RunAsync and await the result right before the first statement that needs it.
    pub fn run_async(&self) -> Option<Fix> {
        let shape = self.shape();
        if matches!(shape, Shape::Void) || self.t.list.is_none() {
            return None;
        }
        if self
            .outs
            .iter()
            .any(|o| o.status == Status::ExistingOuter || o.copy_in)
        {
            return None;
        }
        let src = self.input.src;
        let rest = self.t.rest();
        let names: Vec<&str> = self.outs.iter().map(|o| o.name.as_str()).collect();
        let first_use = rest.iter().position(|r| {
            let mut hit = false;
            go::walk(*r, |n| {
                if n.kind() == "identifier" && names.contains(&text(n, src)) {
                    hit = true;
                }
                !hit
            });
            hit
        })?;
        let use_stmt = rest[first_use];
        let sname = match shape {
            Shape::Struct(_) => self.struct_name(),
            _ => String::new(),
        };
        let (ret_ty, ret) = self.result(&shape, &sname);
        let fut_base = match &shape {
            Shape::Single(i) => format!("{}Fut", self.outs[*i].name),
            _ => format!("{}Fut", camel(&self.label)),
        };
        let fut = self.fresh(&fut_base);
        let call = self.call(true, ret_ty.as_deref(), ret);
        let mut lines: Vec<String> = self.todo_comment().into_iter().collect();
        if let Shape::Struct(idx) = &shape {
            lines.push(self.struct_decl(idx, &sname));
        }
        lines.push(format!("{fut} := {call}"));
        let res = match shape {
            Shape::Struct(_) => self.fresh("res"),
            _ => String::new(),
        };
        let b = self
            .bind(&shape, Some((res, sname)), use_stmt, &rest[first_use..])
            .ok()?;
        let use_indent = go::line_indent(src, use_stmt.start_byte());
        let mut awaited: Vec<String> = b.before;
        awaited.push(format!("{} {} {fut}.Result()", b.lhs, b.op));
        awaited.extend(b.after);
        let insert: String = awaited
            .iter()
            .map(|l| {
                let l = l.replace(
                    &format!("{}{}", self.nl, self.indent),
                    &format!("{}{use_indent}", self.nl),
                );
                format!("{use_indent}{l}{}", self.nl)
            })
            .collect();
        let mut edits = vec![
            Edit::replace(self.t.start, self.t.end, self.join(&lines)),
            Edit::insert(go::line_start(src, use_stmt.start_byte()), insert),
        ];
        edits.extend(self.import_edits());
        Some(Fix {
            title: TITLE_RUN_ASYNC.to_string(),
            edits,
            safe: false,
            snippet: false,
        })
    }
}

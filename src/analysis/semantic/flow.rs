//! Where a value can go inside its function: a small def-use over the syntax tree, in Go's terms.
//! Starting from an expression, the value is followed through expressions built from it
//! (arithmetic, selectors, method calls, conversions, composite literals), through variables it is
//! assigned to (every use of the binding, wherever it is: flow-insensitive on purpose), into the
//! places it ends: an argument of a call, a function's result, a condition, a closure that captures
//! it, nothing, or somewhere this does not follow (a package variable, a channel, another
//! goroutine), which is `Escape`.
//!
//! What a call does with its arguments is Restate knowledge the caller supplies (`Policy`): whether
//! the value continues through the call's result, and whether a closure capturing it is a Run
//! closure (a journaled step, where following stops).

use rustc_hash::FxHashSet;
use tree_sitter::Node;

use crate::analysis::go::{self, field, named_children};
use crate::analysis::semantic::{BindingKind, Semantic};

/// Where a value ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink<'t> {
    /// Argument `index` of `call` (`index` counts the receiver of a method call as `None` in
    /// `Recv`). The flow continues through the call when the policy says so.
    Arg { call: Node<'t>, index: usize },
    /// The receiver of a method call (`v.M(...)`) the policy does not see through.
    Recv { call: Node<'t> },
    /// Returned by `func` (a declaration, method or literal).
    Return { func: Node<'t>, at: Node<'t> },
    /// The condition or tag of `stmt` (`if`, `for`, `switch`, a `case`).
    Condition { stmt: Node<'t>, at: Node<'t> },
    /// Used inside `closure`, which the policy marks as stopping (a Run closure).
    Capture { closure: Node<'t>, at: Node<'t> },
    /// Dropped: an expression statement, or assigned to `_`.
    Discarded { at: Node<'t> },
    /// Left what is followed: a package variable, a field of something not local, a channel,
    /// another goroutine, a deferred call, or more steps than the budget allows.
    Escape { at: Node<'t> },
}

/// Restate's answers to the questions the flow asks.
pub trait Policy<'t> {
    /// Whether the result of `call` carries (is derived from) argument `index` (`None`: the
    /// receiver of a method call).
    fn through(&self, call: Node<'t>, index: Option<usize>) -> bool;
    /// Whether following stops at a use inside this function literal (a Run closure: what happens
    /// inside is journaled as the step's outcome).
    fn stops_at(&self, closure: Node<'t>) -> bool;
}

/// The sinks an expression's value reaches, with the node that brought it there (the use of a
/// variable, or the expression itself), in the order found.
pub struct Flow<'t> {
    pub sinks: Vec<Sink<'t>>,
}

/// Work items: expressions whose value is the tracked one.
const BUDGET: usize = 4_096;

impl<'t> Semantic<'t> {
    /// Follow the value of `expr` (see the module comment).
    pub fn flows_of(&self, expr: Node<'t>, policy: &dyn Policy<'t>) -> Flow<'t> {
        let mut sinks = vec![];
        let mut work: Vec<Node<'t>> = vec![expr];
        let mut seen_nodes: FxHashSet<usize> = FxHashSet::default();
        let mut seen_bindings: FxHashSet<u32> = FxHashSet::default();
        let mut steps = 0usize;
        while let Some(e) = work.pop() {
            steps += 1;
            if steps > BUDGET {
                sinks.push(Sink::Escape { at: e });
                break;
            }
            if !seen_nodes.insert(e.id()) {
                continue;
            }
            self.step(e, policy, &mut work, &mut sinks, &mut seen_bindings);
        }
        Flow { sinks }
    }

    /// Where the value of `e` goes one level up.
    fn step(
        &self,
        e: Node<'t>,
        policy: &dyn Policy<'t>,
        work: &mut Vec<Node<'t>>,
        sinks: &mut Vec<Sink<'t>>,
        seen_bindings: &mut FxHashSet<u32>,
    ) {
        let Some(p) = self.parent(e) else {
            sinks.push(Sink::Escape { at: e });
            return;
        };
        match p.kind() {
            "parenthesized_expression"
            | "unary_expression"
            | "binary_expression"
            | "type_assertion_expression"
            | "slice_expression"
            | "type_conversion_expression" => work.push(p),
            "index_expression" => {
                // `m[v]` (a lookup by the value) or `v[i]`: both derive from it.
                work.push(p);
            }
            "selector_expression" => {
                // `v.f` (a field of the value) or `v.M` as a method's callee.
                if let Some(call) = self
                    .parent(p)
                    .filter(|c| c.kind() == "call_expression" && field(*c, "function") == Some(p))
                {
                    if policy.through(call, None) {
                        work.push(call);
                    } else {
                        sinks.push(Sink::Recv { call });
                    }
                } else {
                    work.push(p);
                }
            }
            "call_expression" => {
                // The value is the callee itself (a func value): where the call goes.
                work.push(p);
            }
            "argument_list" => {
                let Some(call) = self.parent(p) else {
                    sinks.push(Sink::Escape { at: e });
                    return;
                };
                let index = named_children(p).iter().position(|a| *a == e).unwrap_or(0);
                sinks.push(Sink::Arg { call, index });
                if policy.through(call, Some(index)) {
                    work.push(call);
                }
            }
            "literal_element" | "keyed_element" | "literal_value" | "composite_literal" => {
                // An element of a composite literal: the literal carries it.
                let mut up = p;
                while matches!(
                    up.kind(),
                    "literal_element" | "keyed_element" | "literal_value"
                ) {
                    match self.parent(up) {
                        Some(x) => up = x,
                        None => break,
                    }
                }
                if up.kind() == "composite_literal" {
                    work.push(up);
                } else if up.kind() == "literal_element" || up.kind() == "literal_value" {
                    sinks.push(Sink::Escape { at: e });
                } else {
                    work.push(up);
                }
            }
            "expression_list" => self.element_of_list(e, p, policy, work, sinks, seen_bindings),
            "var_spec" => {
                // `var x = v` (a single value): the variable.
                let names: Vec<Node<'t>> = {
                    let mut c = p.walk();
                    p.children_by_field_name("name", &mut c).collect()
                };
                for n in names {
                    self.follow_ident(n, e, policy, work, sinks, seen_bindings);
                }
            }
            "return_statement" => sinks.push(Sink::Return {
                func: self.enclosing_func(p).unwrap_or(p),
                at: e,
            }),
            "if_statement" | "for_statement" | "expression_switch_statement" => {
                if field(p, "condition") == Some(e) || field(p, "value") == Some(e) {
                    self.condition(p, e, policy, work, sinks, seen_bindings);
                } else {
                    sinks.push(Sink::Escape { at: e });
                }
            }
            "for_clause" => match self.parent(p) {
                Some(f) => self.condition(f, e, policy, work, sinks, seen_bindings),
                None => sinks.push(Sink::Escape { at: e }),
            },
            "expression_case" => {
                let stmt = self.parent(p).unwrap_or(p);
                self.condition(stmt, e, policy, work, sinks, seen_bindings);
            }
            "range_clause" => {
                // `for k, v := range x`: the loop variables derive from it.
                if let Some(left) = field(p, "left") {
                    for n in named_children(left) {
                        self.follow_ident(n, e, policy, work, sinks, seen_bindings);
                    }
                }
                sinks.push(Sink::Condition {
                    stmt: self.parent(p).unwrap_or(p),
                    at: e,
                });
            }
            "expression_statement" => sinks.push(Sink::Discarded { at: e }),
            "inc_statement" | "dec_statement" => {}
            _ => sinks.push(Sink::Escape { at: e }),
        }
    }

    /// The value decides `stmt`: a condition sink, and every local the branches assign now
    /// depends on it (`if v > 3 { x++ }`: `x` carries the outcome).
    fn condition(
        &self,
        stmt: Node<'t>,
        e: Node<'t>,
        policy: &dyn Policy<'t>,
        work: &mut Vec<Node<'t>>,
        sinks: &mut Vec<Sink<'t>>,
        seen_bindings: &mut FxHashSet<u32>,
    ) {
        sinks.push(Sink::Condition { stmt, at: e });
        let mut written: Vec<Node<'t>> = vec![];
        go::walk(stmt, |n| {
            if n.kind() == "func_literal" || Some(n) == field(stmt, "condition") {
                return false;
            }
            match n.kind() {
                "assignment_statement" | "short_var_declaration" => {
                    if let Some(l) = field(n, "left") {
                        written.extend(named_children(l));
                    }
                }
                "inc_statement" | "dec_statement" => {
                    written.extend(named_children(n).into_iter().take(1));
                }
                _ => {}
            }
            true
        });
        for w in written {
            let root = go::assigned_root(w);
            if root.kind() == "identifier" && go::text(root, self.src()) != "_" {
                self.follow_ident(root, e, policy, work, sinks, seen_bindings);
            }
        }
    }

    /// The value is an element of an expression list: the right side of an assignment or
    /// declaration, a `return`'s results, or the values of a `var` spec.
    fn element_of_list(
        &self,
        e: Node<'t>,
        list: Node<'t>,
        policy: &dyn Policy<'t>,
        work: &mut Vec<Node<'t>>,
        sinks: &mut Vec<Sink<'t>>,
        seen_bindings: &mut FxHashSet<u32>,
    ) {
        let Some(stmt) = self.parent(list) else {
            sinks.push(Sink::Escape { at: e });
            return;
        };
        match stmt.kind() {
            "short_var_declaration" | "assignment_statement" | "var_spec" => {
                let right = if stmt.kind() == "var_spec" {
                    field(stmt, "value")
                } else {
                    field(stmt, "right")
                };
                if right != Some(list) {
                    // `v = x`: the value is overwritten, not used.
                    return;
                }
                let lefts: Vec<Node<'t>> = if stmt.kind() == "var_spec" {
                    let mut c = stmt.walk();
                    stmt.children_by_field_name("name", &mut c).collect()
                } else {
                    field(stmt, "left").map(named_children).unwrap_or_default()
                };
                let rights = named_children(list);
                let targets: Vec<Node<'t>> = if lefts.len() == rights.len() {
                    rights
                        .iter()
                        .position(|r| *r == e)
                        .and_then(|i| lefts.get(i).copied())
                        .into_iter()
                        .collect()
                } else {
                    // `a, b := f(v)`: every result may carry it.
                    lefts
                };
                for t in targets {
                    self.assigned_to(t, e, policy, work, sinks, seen_bindings);
                }
            }
            "return_statement" => sinks.push(Sink::Return {
                func: self.enclosing_func(stmt).unwrap_or(stmt),
                at: e,
            }),
            _ => work.push(list),
        }
    }

    /// The value is assigned to `target`.
    fn assigned_to(
        &self,
        target: Node<'t>,
        e: Node<'t>,
        policy: &dyn Policy<'t>,
        work: &mut Vec<Node<'t>>,
        sinks: &mut Vec<Sink<'t>>,
        seen_bindings: &mut FxHashSet<u32>,
    ) {
        let target = go::unparen(target);
        if target.kind() == "identifier" {
            if go::text(target, self.src()) == "_" {
                sinks.push(Sink::Discarded { at: e });
            } else {
                self.follow_ident(target, e, policy, work, sinks, seen_bindings);
            }
            return;
        }
        // `x.f = v`, `x[k] = v`, `*p = v`: the variable holding it, when it is a local.
        let root = go::assigned_root(target);
        let root = if root.kind() == "unary_expression" {
            field(root, "operand").map(go::unparen).unwrap_or(root)
        } else {
            root
        };
        match self.binding_of(root) {
            Some(b) if matches!(self.binding(b).kind, BindingKind::Local(_)) => {
                self.follow_ident(root, e, policy, work, sinks, seen_bindings)
            }
            _ => sinks.push(Sink::Escape { at: target }),
        }
    }

    /// Follow every use of the variable `ident` names.
    fn follow_ident(
        &self,
        ident: Node<'t>,
        from: Node<'t>,
        policy: &dyn Policy<'t>,
        work: &mut Vec<Node<'t>>,
        sinks: &mut Vec<Sink<'t>>,
        seen_bindings: &mut FxHashSet<u32>,
    ) {
        let Some(b) = self.binding_of(ident) else {
            sinks.push(Sink::Escape { at: from });
            return;
        };
        let binding = self.binding(b);
        if !matches!(binding.kind, BindingKind::Local(_)) {
            sinks.push(Sink::Escape { at: ident });
            return;
        }
        if !seen_bindings.insert(b) {
            return;
        }
        let home = binding.func;
        for &u in self.uses(b) {
            if self.is_plain_write(u) {
                continue;
            }
            // A use inside a closure the binding's function does not own is a capture.
            if let Some(closure) = self.capturing_closure(u, home)
                && policy.stops_at(closure)
            {
                sinks.push(Sink::Capture { closure, at: u });
                continue;
            }
            work.push(u);
        }
    }

    /// `x = ...`, `x := ...` (reassigning it), `x++`: the identifier is written, not read.
    fn is_plain_write(&self, id: Node<'t>) -> bool {
        let Some(p) = self.parent(id) else {
            return false;
        };
        match p.kind() {
            "expression_list" => self.parent(p).is_some_and(|s| {
                matches!(s.kind(), "assignment_statement" | "short_var_declaration")
                    && field(s, "left") == Some(p)
                    && field(s, "operator").is_none_or(|o| go::text(o, self.src()) == "=")
            }),
            _ => false,
        }
    }

    /// The outermost function literal between `use` and the function `home` that declares the
    /// variable, when the use sits in a closure that stops the flow; otherwise the innermost one.
    fn capturing_closure(&self, use_: Node<'t>, home: Option<Node<'t>>) -> Option<Node<'t>> {
        let mut found = None;
        for a in self.ancestors(use_) {
            if Some(a) == home {
                break;
            }
            if a.kind() == "func_literal" {
                found = Some(a);
            }
            if go::is_func_like(a.kind()) && a.kind() != "func_literal" {
                break;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::{parse_str, text, walk};

    /// Calls named `Run` stop at their closures; `pure` calls carry their arguments.
    struct Test<'s> {
        src: &'s str,
        sem: &'s Semantic<'s>,
    }

    impl<'t> Policy<'t> for Test<'t> {
        fn through(&self, call: Node<'t>, index: Option<usize>) -> bool {
            let f = field(call, "function")
                .map(|f| text(f, self.src))
                .unwrap_or("");
            index.is_none() || f == "pure"
        }
        fn stops_at(&self, closure: Node<'t>) -> bool {
            self.sem
                .parent(closure)
                .and_then(|l| self.sem.parent(l))
                .and_then(|c| field(c, "function"))
                .is_some_and(|f| text(f, self.src) == "Run")
        }
    }

    /// The sinks of the call `src(...)`: kind and the text at the sink.
    fn sinks(src: &str) -> Vec<String> {
        let tree = parse_str(src);
        let sem = Semantic::build(src, &tree);
        let mut source = None;
        walk(tree.root_node(), |n| {
            if n.kind() == "call_expression"
                && field(n, "function").is_some_and(|f| text(f, src) == "source")
            {
                source = Some(n);
            }
            true
        });
        let Some(source) = source else { return vec![] };
        let policy = Test { src, sem: &sem };
        let mut out: Vec<String> = sem
            .flows_of(source, &policy)
            .sinks
            .iter()
            .map(|s| match s {
                Sink::Arg { call, index } => format!(
                    "arg {index} of {}",
                    field(*call, "function").map(|f| text(f, src)).unwrap_or("")
                ),
                Sink::Recv { call } => format!("recv of {}", text(*call, src)),
                Sink::Return { .. } => "return".into(),
                Sink::Condition { .. } => "condition".into(),
                Sink::Capture { .. } => "capture".into(),
                Sink::Discarded { .. } => "discarded".into(),
                Sink::Escape { at } => format!("escape at {}", text(*at, src)),
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn through_variables_literals_and_calls() {
        let src = "package p\nfunc h() T {\n\tnow := source()\n\tlater := now.Add(1)\n\tt := T{At: pure(later)}\n\tSet(\"k\", t)\n\treturn T{}\n}\n";
        assert_eq!(sinks(src), vec!["arg 0 of pure", "arg 1 of Set"]);
    }

    #[test]
    fn captures_conditions_results_and_escapes() {
        let src = "package p\nvar g int\nfunc h() (int, error) {\n\tid := source()\n\tRun(func() { use(id) })\n\tif id > 3 {\n\t}\n\tg = id\n\treturn id, nil\n}\n";
        assert_eq!(
            sinks(src),
            vec!["capture", "condition", "escape at g", "return"]
        );
    }

    #[test]
    fn reassignment_is_not_a_use_and_blank_discards() {
        let src = "package p\nfunc h() {\n\tx := source()\n\tx = 2\n\t_ = x\n}\n";
        assert_eq!(sinks(src), vec!["discarded"]);
        let src = "package p\nfunc h() {\n\tsource()\n}\n";
        assert_eq!(sinks(src), vec!["discarded"]);
    }

    #[test]
    fn fields_of_locals_carry_the_value() {
        let src = "package p\nfunc h() {\n\tvar o Order\n\to.At = source()\n\tSave(o)\n}\n";
        assert_eq!(sinks(src), vec!["arg 0 of Save"]);
    }
}

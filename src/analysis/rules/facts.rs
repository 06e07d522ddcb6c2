//! One walk over a file's tree that every rule family shares: the calls (normalised, with the
//! function they sit in and the SDK function they name) and the statements rules look at. Families
//! iterate these lists instead of walking the tree again.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::analysis::go::{self, CallParts, call_parts, field};
use crate::analysis::model::{FileModel, Function, Region, sdk_fn};
use crate::analysis::semantic::Semantic;

pub struct CallFact<'t> {
    pub parts: CallParts<'t>,
    /// Index of the innermost function in the model.
    pub func: Option<u32>,
    /// `Name` when this calls `<restate>.Name`.
    pub sdk: Option<&'t str>,
    /// `Name` when this calls `<ingress>.Name`.
    pub ingress: Option<&'t str>,
}

/// A statement-level node and the function it sits in.
#[derive(Clone, Copy)]
pub struct NodeFact<'t> {
    pub node: Node<'t>,
    pub func: Option<u32>,
}

#[derive(Default)]
pub struct Facts<'t> {
    pub calls: Vec<CallFact<'t>>,
    pub go_stmts: Vec<NodeFact<'t>>,
    pub selects: Vec<NodeFact<'t>>,
    pub sends: Vec<NodeFact<'t>>,
    /// `<-x` expressions.
    pub receives: Vec<NodeFact<'t>>,
    pub fors: Vec<NodeFact<'t>>,
    /// assignment, inc/dec statements.
    pub writes: Vec<NodeFact<'t>>,
    pub returns: Vec<NodeFact<'t>>,
    /// Function nodes by model index.
    pub func_nodes: HashMap<u32, Node<'t>>,
    /// `x.Headers` selectors (the pre-1.0 request headers map).
    pub headers: Vec<Node<'t>>,
}

impl<'t> Facts<'t> {
    /// The calls inside `node` (the lists are in pre-order, so sorted by start byte).
    pub fn calls_in(&self, node: Node<'_>) -> &[CallFact<'t>] {
        let (s, e) = (node.start_byte(), node.end_byte());
        let lo = self
            .calls
            .partition_point(|c| c.parts.node.start_byte() < s);
        let hi = self
            .calls
            .partition_point(|c| c.parts.node.start_byte() < e);
        &self.calls[lo..hi.max(lo)]
    }

    /// The return statements inside `node`.
    pub fn returns_in(&self, node: Node<'_>) -> &[NodeFact<'t>] {
        let (s, e) = (node.start_byte(), node.end_byte());
        let lo = self.returns.partition_point(|r| r.node.start_byte() < s);
        let hi = self.returns.partition_point(|r| r.node.start_byte() < e);
        &self.returns[lo..hi.max(lo)]
    }

    /// The assignment and inc/dec statements inside `node`.
    pub fn writes_in(&self, node: Node<'_>) -> &[NodeFact<'t>] {
        let (s, e) = (node.start_byte(), node.end_byte());
        let lo = self.writes.partition_point(|w| w.node.start_byte() < s);
        let hi = self.writes.partition_point(|w| w.node.start_byte() < e);
        &self.writes[lo..hi.max(lo)]
    }

    pub fn collect(sem: &Semantic<'t>, model: &FileModel) -> Facts<'t> {
        let src = sem.src();
        let by_start: HashMap<u32, u32> = model
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.range.0, i as u32))
            .collect();
        let mut facts = Facts::default();
        let mut stack: Vec<(u32, usize)> = vec![];
        let k = go::kinds();
        // The semantic walk listed the nodes in pre-order; a function's range tells which of the
        // following nodes it holds.
        for &n in sem.listed() {
            let id = n.kind_id();
            while let Some(&(_, end)) = stack.last() {
                if n.start_byte() >= end {
                    stack.pop();
                } else {
                    break;
                }
            }
            let func = stack.last().map(|(i, _)| *i);
            let fact = NodeFact { node: n, func };
            if id == k.function_declaration || id == k.method_declaration || id == k.func_literal {
                if let Some(&i) = by_start.get(&(n.start_byte() as u32)) {
                    stack.push((i, n.end_byte()));
                    facts.func_nodes.insert(i, n);
                }
            } else if id == k.call_expression || id == k.type_conversion_expression {
                if let Some(parts) = call_parts(n) {
                    let callee = parts.callee(src);
                    let sdk = sdk_fn(&model.restate, &callee);
                    let ingress = sdk_fn(&model.ingress, &callee);
                    facts.calls.push(CallFact {
                        parts,
                        func,
                        sdk,
                        ingress,
                    });
                }
            } else if id == k.go_statement {
                facts.go_stmts.push(fact);
            } else if id == k.select_statement {
                facts.selects.push(fact);
            } else if id == k.send_statement {
                facts.sends.push(fact);
            } else if id == k.unary_expression {
                if field(n, "operator").is_some_and(|o| o.kind() == "<-") {
                    facts.receives.push(fact);
                }
            } else if id == k.for_statement {
                facts.fors.push(fact);
            } else if id == k.assignment_statement || id == k.inc_statement || id == k.dec_statement
            {
                facts.writes.push(fact);
            } else if id == k.return_statement {
                facts.returns.push(fact);
            } else if id == k.selector_expression
                && field(n, "field").is_some_and(|f| &src[f.byte_range()] == "Headers")
            {
                facts.headers.push(n);
            }
        }
        facts
    }
}

/// An identifier naming a parameter whose type is a Restate handler context (by declaration, not
/// by spelling).
pub fn is_handler_ctx<'t>(cx: &crate::analysis::rules::FileContext<'t>, n: Node<'t>) -> bool {
    let n = go::unparen(n);
    if n.kind() != "identifier" {
        return false;
    }
    let Some(d) = cx.sem.resolve(n) else {
        return false;
    };
    if d.kind != crate::analysis::semantic::DeclKind::Param {
        return false;
    }
    d.func
        .and_then(|f| cx.model.function_at_start(f.start_byte()))
        .and_then(|i| cx.model.functions.get(i as usize))
        .and_then(|f| f.ctx.as_ref())
        .is_some_and(|c| c.decl as usize == d.id() && c.kind.is_handler())
}

/// Region helpers over the model.
pub fn region(model: &FileModel, func: Option<u32>) -> Region {
    func.and_then(|i| model.functions.get(i as usize))
        .map(|f| f.region)
        .unwrap_or(Region::Plain)
}

pub fn in_handler(model: &FileModel, func: Option<u32>) -> bool {
    matches!(region(model, func), Region::Handler { .. })
}

/// The handler function (the one with the Restate context) that a region belongs to.
pub fn handler_root(model: &FileModel, func: Option<u32>) -> Option<(u32, &Function)> {
    match region(model, func) {
        Region::Handler { root } => model.functions.get(root as usize).map(|f| (root, f)),
        _ => None,
    }
}

/// Whether function `inner` is `outer` or nested inside it.
pub fn within(model: &FileModel, inner: Option<u32>, outer: u32) -> bool {
    let mut cur = inner;
    while let Some(i) = cur {
        if i == outer {
            return true;
        }
        cur = model.functions.get(i as usize).and_then(|f| f.parent);
    }
    false
}

/// The function's body node.
pub fn body<'t>(facts: &Facts<'t>, func: u32) -> Option<Node<'t>> {
    facts.func_nodes.get(&func).and_then(|n| field(*n, "body"))
}

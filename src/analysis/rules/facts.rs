//! One walk over a file's tree that every rule family shares: the calls (normalised, with the
//! function they sit in and the SDK function they name) and the statements rules look at. Families
//! iterate these lists instead of walking the tree again.

use std::collections::HashMap;

use tree_sitter::{Node, Tree};

use crate::analysis::go::{self, CallParts, call_parts, field};
use crate::analysis::model::{FileModel, Function, Region, sdk_fn};

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
}

impl<'t> Facts<'t> {
    pub fn collect(src: &'t str, tree: &'t Tree, model: &FileModel) -> Facts<'t> {
        let by_start: HashMap<u32, u32> = model
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.range.0, i as u32))
            .collect();
        let mut facts = Facts::default();
        let mut stack: Vec<(u32, usize)> = vec![];
        go::walk(tree.root_node(), |n| {
            while let Some(&(_, end)) = stack.last() {
                if n.start_byte() >= end {
                    stack.pop();
                } else {
                    break;
                }
            }
            let func = stack.last().map(|(i, _)| *i);
            let fact = NodeFact { node: n, func };
            match n.kind() {
                "function_declaration" | "method_declaration" | "func_literal" => {
                    if let Some(&i) = by_start.get(&(n.start_byte() as u32)) {
                        stack.push((i, n.end_byte()));
                        facts.func_nodes.insert(i, n);
                    }
                }
                "call_expression" | "type_conversion_expression" => {
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
                }
                "go_statement" => facts.go_stmts.push(fact),
                "select_statement" => facts.selects.push(fact),
                "send_statement" => facts.sends.push(fact),
                "unary_expression" if field(n, "operator").is_some_and(|o| o.kind() == "<-") => {
                    facts.receives.push(fact);
                }
                "for_statement" => facts.fors.push(fact),
                "assignment_statement" | "inc_statement" | "dec_statement" => {
                    facts.writes.push(fact)
                }
                "return_statement" => facts.returns.push(fact),
                "import_declaration"
                | "comment"
                | "interpreted_string_literal"
                | "raw_string_literal" => {
                    return false;
                }
                _ => {}
            }
            true
        });
        facts
    }
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

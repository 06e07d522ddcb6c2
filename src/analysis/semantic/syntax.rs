//! Parent links for every node of a tree, recorded in one walk. tree-sitter nodes carry no parent
//! pointer: `Node::parent` descends from the root and picks, at each level, the child holding the
//! node by scanning the siblings, so an upward question costs depth times siblings. In a function of
//! thousands of statements asked once per call, that made the analysis quadratic. Here a parent is
//! one hash lookup, and every upward question costs the depth of the node it asks about.

use rustc_hash::FxHashMap;
use tree_sitter::Node;

use crate::analysis::go::is_func_like;

pub struct Parents<'t> {
    /// `Node::id()` (unique within a tree) -> parent node.
    parent: FxHashMap<usize, Node<'t>>,
    /// The byte range of the walked subtree.
    walked: (usize, usize),
}

impl<'t> Parents<'t> {
    pub fn new(top: Node<'t>) -> Self {
        // A Go file has roughly one named node per 10 bytes.
        let size = top.end_byte() - top.start_byte();
        Parents {
            parent: FxHashMap::with_capacity_and_hasher(size / 10 + 16, Default::default()),
            walked: (top.start_byte(), top.end_byte()),
        }
    }

    pub fn record(&mut self, child: Node<'t>, parent: Node<'t>) {
        self.parent.insert(child.id(), parent);
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The parent of `n`. Only named nodes are recorded (they are what rules ask about, and
    /// half the nodes are punctuation); for an anonymous node, or one outside the walked subtree
    /// (an import when only one declaration was walked), this falls back to tree-sitter's own
    /// search, so a caller holding such a node still gets an answer.
    pub fn parent(&self, n: Node<'t>) -> Option<Node<'t>> {
        match self.parent.get(&n.id()) {
            Some(p) => Some(*p),
            None => {
                let inside = self.walked.0 <= n.start_byte() && n.end_byte() <= self.walked.1;
                if !n.is_named() || !inside {
                    n.parent()
                } else {
                    None
                }
            }
        }
    }

    /// The ancestors of `n`, innermost first (`n` excluded).
    pub fn ancestors(&self, n: Node<'t>) -> Ancestors<'_, 't> {
        Ancestors {
            parents: self,
            cur: Some(n),
        }
    }

    /// The statement that contains `node` directly inside a `statement_list` (or the node itself);
    /// none when a function boundary or the file comes first.
    pub fn enclosing_statement(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut cur = node;
        for parent in self.ancestors(node) {
            if parent.kind() == "statement_list" {
                return Some(cur);
            }
            if is_func_like(parent.kind()) || parent.kind() == "source_file" {
                return None;
            }
            cur = parent;
        }
        None
    }

    /// The innermost function-like ancestor (declaration, method or literal).
    pub fn enclosing_func(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.ancestors(node).find(|n| is_func_like(n.kind()))
    }
}

pub struct Ancestors<'p, 't> {
    parents: &'p Parents<'t>,
    cur: Option<Node<'t>>,
}

impl<'t> Iterator for Ancestors<'_, 't> {
    type Item = Node<'t>;
    fn next(&mut self) -> Option<Node<'t>> {
        let p = self.parents.parent(self.cur?);
        self.cur = p;
        p
    }
}

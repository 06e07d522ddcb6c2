//! Node kinds the semantic walk tests on every node, as a table from the grammar's kind id to a
//! class. `Node::kind()` builds a `&str` from a C string (a length scan and a UTF-8 check) on every
//! call, which showed in profiles of the walk; a table lookup does not.

use tree_sitter::Node;

use crate::analysis::go;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Other,
    Identifier,
    FieldIdentifier,
    PackageIdentifier,
    StatementList,
    /// `type_case`, `default_case`.
    Case,
    TypeSwitch,
    /// `parameter_declaration`, `variadic_parameter_declaration`.
    Param,
    VarSpec,
    ConstSpec,
    ExpressionList,
    LiteralElement,
    FunctionDecl,
    /// `method_declaration`, `func_literal`.
    OtherFunc,
    ShortVarDecl,
    RangeClause,
    ReceiveStatement,
}

struct Table {
    class: Vec<Class>,
    opens_scope: Vec<bool>,
    listed: Vec<bool>,
}

/// Kinds the walk lists in source order for the model's extraction and the rules' facts, so
/// neither walks the tree again: functions, calls, selectors, writes, and the statements the rules
/// look at.
const LISTED: &[&str] = &[
    "function_declaration",
    "method_declaration",
    "func_literal",
    "call_expression",
    "type_conversion_expression",
    "selector_expression",
    "assignment_statement",
    "inc_statement",
    "dec_statement",
    "go_statement",
    "select_statement",
    "send_statement",
    "unary_expression",
    "for_statement",
    "return_statement",
    "statement_list",
];

fn table() -> &'static Table {
    static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let lang = go::language();
        let count = lang.node_kind_count();
        let mut class = vec![Class::Other; count];
        let mut opens_scope = vec![false; count];
        let mut listed = vec![false; count];
        for id in 0..count as u16 {
            if !lang.node_kind_is_named(id) {
                continue;
            }
            let Some(name) = lang.node_kind_for_id(id) else {
                continue;
            };
            class[id as usize] = match name {
                "identifier" => Class::Identifier,
                "field_identifier" => Class::FieldIdentifier,
                "package_identifier" => Class::PackageIdentifier,
                "statement_list" => Class::StatementList,
                "type_case" | "default_case" => Class::Case,
                "type_switch_statement" => Class::TypeSwitch,
                "parameter_declaration" | "variadic_parameter_declaration" => Class::Param,
                "var_spec" => Class::VarSpec,
                "const_spec" => Class::ConstSpec,
                "expression_list" => Class::ExpressionList,
                "literal_element" => Class::LiteralElement,
                "function_declaration" => Class::FunctionDecl,
                "method_declaration" | "func_literal" => Class::OtherFunc,
                "short_var_declaration" => Class::ShortVarDecl,
                "range_clause" => Class::RangeClause,
                "receive_statement" => Class::ReceiveStatement,
                _ => Class::Other,
            };
            opens_scope[id as usize] = super::scopes::opens_scope(name);
            listed[id as usize] = LISTED.contains(&name);
        }
        Table {
            class,
            opens_scope,
            listed,
        }
    })
}

pub fn class(n: Node<'_>) -> Class {
    table()
        .class
        .get(n.kind_id() as usize)
        .copied()
        .unwrap_or(Class::Other)
}

pub fn opens_scope(n: Node<'_>) -> bool {
    table()
        .opens_scope
        .get(n.kind_id() as usize)
        .copied()
        .unwrap_or(false)
}

pub fn is_listed(n: Node<'_>) -> bool {
    table()
        .listed
        .get(n.kind_id() as usize)
        .copied()
        .unwrap_or(false)
}

impl Class {
    pub fn is_func(self) -> bool {
        matches!(self, Class::FunctionDecl | Class::OtherFunc)
    }
}

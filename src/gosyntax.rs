//! tree-sitter-go, and the few questions rtool asks of a Go syntax tree:
//! positions as the Go toolchain counts them (1-based line, byte column),
//! node text, errors, imports.

use tree_sitter::{Node, Parser, Tree};

/// The tree-sitter-go node kinds rtool asks about, named once.
pub mod kind {
    pub const ARGUMENT_LIST: &str = "argument_list";
    pub const BLOCK: &str = "block";
    pub const CALL: &str = "call_expression";
    pub const COMMENT: &str = "comment";
    pub const COMPOSITE_LITERAL: &str = "composite_literal";
    pub const CONST_DECLARATION: &str = "const_declaration";
    pub const CONST_SPEC: &str = "const_spec";
    pub const DEFER: &str = "defer_statement";
    pub const DOT: &str = "dot";
    pub const BLANK: &str = "blank_identifier";
    pub const EXPRESSION_LIST: &str = "expression_list";
    pub const EXPRESSION_STATEMENT: &str = "expression_statement";
    pub const FIELD_DECLARATION: &str = "field_declaration";
    pub const FIELD_DECLARATION_LIST: &str = "field_declaration_list";
    pub const FUNCTION_DECLARATION: &str = "function_declaration";
    pub const FUNC_LITERAL: &str = "func_literal";
    pub const GENERIC_TYPE: &str = "generic_type";
    pub const GO: &str = "go_statement";
    pub const IDENTIFIER: &str = "identifier";
    pub const IMPORT_DECLARATION: &str = "import_declaration";
    pub const IMPORT_SPEC: &str = "import_spec";
    pub const IMPORT_SPEC_LIST: &str = "import_spec_list";
    pub const INDEX: &str = "index_expression";
    pub const KEYED_ELEMENT: &str = "keyed_element";
    pub const LABELED_STATEMENT: &str = "labeled_statement";
    pub const LITERAL_ELEMENT: &str = "literal_element";
    pub const METHOD_DECLARATION: &str = "method_declaration";
    pub const PACKAGE_CLAUSE: &str = "package_clause";
    pub const PARAMETER_LIST: &str = "parameter_list";
    pub const PARENTHESIZED: &str = "parenthesized_expression";
    pub const POINTER_TYPE: &str = "pointer_type";
    pub const QUALIFIED_TYPE: &str = "qualified_type";
    pub const RETURN_STATEMENT: &str = "return_statement";
    pub const SELECTOR: &str = "selector_expression";
    pub const SHORT_VAR_DECLARATION: &str = "short_var_declaration";
    pub const SOURCE_FILE: &str = "source_file";
    pub const STATEMENT_LIST: &str = "statement_list";
    pub const STRUCT_TYPE: &str = "struct_type";
    pub const TYPE_CONVERSION: &str = "type_conversion_expression";
    pub const TYPE_DECLARATION: &str = "type_declaration";
    pub const TYPE_IDENTIFIER: &str = "type_identifier";
    pub const TYPE_SPEC: &str = "type_spec";
    pub const UNARY: &str = "unary_expression";
    pub const VAR_DECLARATION: &str = "var_declaration";
    pub const VAR_SPEC: &str = "var_spec";
    pub const VAR_SPEC_LIST: &str = "var_spec_list";
    pub const VARIADIC_ARGUMENT: &str = "variadic_argument";
    pub const VARIADIC_PARAMETER: &str = "variadic_parameter_declaration";

    /// Operands and primary expressions other than calls: what can be an
    /// operand of any operator without parentheses.
    pub const PRIMARY: &[&str] = &[
        "identifier",
        "selector_expression",
        "index_expression",
        "slice_expression",
        "type_assertion_expression",
        "parenthesized_expression",
        "composite_literal",
        "func_literal",
        "type_conversion_expression",
        "int_literal",
        "float_literal",
        "imaginary_literal",
        "rune_literal",
        "interpreted_string_literal",
        "raw_string_literal",
        "true",
        "false",
        "nil",
        "iota",
    ];
}

pub fn parse(src: &[u8]) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
    parser.parse(src, None)
}

/// 1-based line and byte column of the node's start.
pub fn line_col(n: Node) -> (usize, usize) {
    let p = n.start_position();
    (p.row + 1, p.column + 1)
}

pub fn text<'s>(n: Node, src: &'s [u8]) -> &'s str {
    std::str::from_utf8(&src[n.start_byte()..n.end_byte()]).unwrap_or("")
}

/// The first ERROR or MISSING node under `n`, in source order.
pub fn first_error(n: Node) -> Option<Node> {
    if n.is_error() || n.is_missing() {
        return Some(n);
    }
    if !n.has_error() {
        return None;
    }
    let mut c = n.walk();
    let children: Vec<Node> = n.children(&mut c).collect();
    children.into_iter().find_map(first_error)
}

/// Every `import_spec` of a file.
pub fn import_specs(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut c = root.walk();
    for decl in root.named_children(&mut c).filter(|n| n.kind() == kind::IMPORT_DECLARATION) {
        let mut c2 = decl.walk();
        for child in decl.named_children(&mut c2) {
            match child.kind() {
                kind::IMPORT_SPEC => out.push(child),
                kind::IMPORT_SPEC_LIST => {
                    let mut c3 = child.walk();
                    out.extend(child.named_children(&mut c3).filter(|n| n.kind() == kind::IMPORT_SPEC));
                }
                _ => {}
            }
        }
    }
    out
}

/// The value of a Go string literal node (no escape processing beyond
/// what import paths need: they contain none).
pub fn string_value(n: Option<Node>, src: &[u8]) -> Option<String> {
    let t = text(n?, src);
    let inner = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).or_else(|| t.strip_prefix('`').and_then(|t| t.strip_suffix('`')))?;
    Some(inner.to_string())
}

/// The name an import is known by when the import does not name it: the
/// last path element, skipping a major-version element (`v2`) and a `go-`
/// prefix or `.go`/`-go` suffix, as Go's package naming conventions have it.
pub fn default_import_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let mut last = parts.next().unwrap_or(path);
    if last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit()) {
        last = parts.next().unwrap_or(last);
    }
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix(".go").or_else(|| last.strip_suffix("-go")).unwrap_or(last);
    let last = last.split('.').next().unwrap_or(last);
    last.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names() {
        assert_eq!(default_import_name("net/http"), "http");
        assert_eq!(default_import_name("github.com/x/y/v2"), "y");
        assert_eq!(default_import_name("github.com/mattn/go-sqlite3"), "sqlite3");
        assert_eq!(default_import_name("gopkg.in/yaml.v3"), "yaml");
    }

    #[test]
    fn errors_and_positions() {
        let src = b"package p\n\nfunc f() {\n\tx := \n}\n";
        let t = parse(src).unwrap();
        let e = first_error(t.root_node()).expect("a syntax error");
        assert_eq!(line_col(e).0, 4);
        assert!(first_error(parse(b"package p\nfunc f() {}\n").unwrap().root_node()).is_none());
    }
}

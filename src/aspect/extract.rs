//! Advice code taken from an aspect file: the declarations after a group,
//! checked against the shape their advice kind wants (`CodeShape`), with
//! the places that are filled in per join point found once (holes):
//! placeholders, and qualifiers naming the aspect file's imports. Also
//! types written in a directive (`//rtool:add-field NAME TYPE`).

use super::directive::is_directive;
use super::placeholder::{self, Placeholder};
use super::{Code, Hole, HoleKind, Import};
use crate::gosyntax::{self, kind};
use tree_sitter::Node;

/// An error about advice code, at a syntax node.
pub type NodeError<'t> = (Node<'t>, String);

/// What advice code is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeShape {
    /// `func _() { STATEMENTS }`: the statements.
    Statements,
    /// `func _() { EXPR }` using `RtoolExpr` exactly once: the expression.
    Wrapper,
    /// `func _() { _(ARGS) }`: the arguments.
    Arguments,
    /// Every declaration up to the next `//rtool:` comment.
    Declarations,
    /// `var _ = VALUE`: the value.
    VarValue,
}

/// The names advice code can refer to besides placeholders.
pub struct Scope<'a> {
    pub imports: &'a [Import],
    /// Names declared at the top level of the aspect file.
    pub declared: &'a [String],
}

impl CodeShape {
    /// Where the code is, for "needs advice code in … after it".
    pub fn place(self) -> &'static str {
        match self {
            CodeShape::Declarations => "the declarations",
            _ => "the declaration",
        }
    }

    /// Whether the code is every declaration up to the next directive, not
    /// just the first.
    pub fn takes_all(self) -> bool {
        self == CodeShape::Declarations
    }

    /// The advice code in the declarations `first` to `last` after a group
    /// (only `Declarations` reads past the first), checked against the shape.
    pub fn extract<'t>(self, first: Node<'t>, last: Node<'t>, src: &[u8], scope: &Scope) -> Result<Code, NodeError<'t>> {
        match self {
            CodeShape::Statements => code_for(func_body(first)?, src, scope),
            CodeShape::Wrapper => {
                let e = single_expression(first)?;
                let code = code_for(e, src, scope)?;
                let count = code.holes.iter().filter(|h| h.kind == HoleKind::Placeholder(Placeholder::Expr)).count();
                if count != 1 {
                    return Err((e, format!("wrap advice must use RtoolExpr exactly once (found {count})")));
                }
                Ok(code)
            }
            CodeShape::Arguments => {
                let e = single_expression(first)?;
                let args = call_arguments(e, src)?;
                let (a, z) = (args.first().copied().unwrap_or(e), args.last().copied().unwrap_or(e));
                code_range(a.start_byte(), z.end_byte(), a, e, src, scope)
            }
            CodeShape::Declarations => {
                // Comments right above the first declaration (//go:linkname,
                // doc comments) belong to it.
                let mut start = first;
                while let Some(c) = start.prev_sibling().filter(|c| {
                    c.kind() == kind::COMMENT && !is_directive(*c, src) && c.end_position().row + 1 >= start.start_position().row
                }) {
                    start = c;
                }
                code_range(start.start_byte(), last.end_byte(), start, root_of(start), src, scope)
            }
            CodeShape::VarValue => {
                let spec = (first.kind() == kind::VAR_DECLARATION).then(|| first.named_child(0)).flatten();
                let value = spec.filter(|s| s.kind() == kind::VAR_SPEC).and_then(|s| s.child_by_field_name("value"));
                match value {
                    Some(v) if v.named_child_count() == 1 => code_for(v, src, scope),
                    _ => Err((first, "assign advice is written as var _ = VALUE".into())),
                }
            }
        }
    }
}

/// The arguments of append-args code: a call of `_` with at least one.
/// Only `_` says what the code means; the arguments of any other call
/// would be appended while the call itself is silently dropped.
fn call_arguments<'t>(e: Node<'t>, src: &[u8]) -> Result<Vec<Node<'t>>, NodeError<'t>> {
    let shape = "append-args advice is a call whose arguments are appended, e.g. func _() { _(a, b) }";
    let call = (e.kind() == kind::CALL).then_some(e);
    let args = call.and_then(|c| c.child_by_field_name("arguments")).filter(|a| a.named_child_count() > 0);
    let (Some(call), Some(args)) = (call, args) else { return Err((e, shape.into())) };
    let callee = call.child_by_field_name("function");
    let blank = callee.is_some_and(|f| f.kind() == kind::IDENTIFIER && gosyntax::text(f, src) == "_");
    if !blank || call.child_by_field_name("type_arguments").is_some() {
        let written = callee.map_or("", |f| gosyntax::text(f, src));
        return Err((e, format!("append-args advice is written as func _() {{ _(ARGS) }}, not {written}(…)")));
    }
    let mut c = args.walk();
    Ok(args.named_children(&mut c).collect())
}

fn func_body(n: Node) -> Result<Node, NodeError> {
    let body = (n.kind() == kind::FUNCTION_DECLARATION).then(|| n.child_by_field_name("body")).flatten();
    let Some(body) = body else {
        return Err((n, "advice code is written as func _() { … }".into()));
    };
    match body.named_child(0).filter(|s| s.kind() == kind::STATEMENT_LIST) {
        Some(list) => Ok(list),
        None => Err((body, "advice body is empty".into())),
    }
}

/// The one expression of `func _() { EXPR }` or `func _() T { return EXPR }`.
fn single_expression(n: Node) -> Result<Node, NodeError> {
    let list = func_body(n)?;
    let shape = "advice is written as func _() { EXPR } with a single expression";
    if list.named_child_count() != 1 {
        return Err((list, shape.into()));
    }
    let stmt = list.named_child(0).ok_or((list, shape.to_string()))?;
    let expr = match stmt.kind() {
        kind::EXPRESSION_STATEMENT => stmt.named_child(0),
        kind::RETURN_STATEMENT => stmt.named_child(0).filter(|l| l.named_child_count() == 1).and_then(|l| l.named_child(0)),
        _ => None,
    };
    expr.ok_or((stmt, shape.into()))
}

fn root_of(mut n: Node) -> Node {
    while let Some(p) = n.parent() {
        n = p;
    }
    n
}

fn code_for<'t>(node: Node<'t>, src: &[u8], scope: &Scope) -> Result<Code, NodeError<'t>> {
    code_range(node.start_byte(), node.end_byte(), node, node, src, scope)
}

/// The code of bytes start..end (positioned at `first`), with holes found
/// in `within`'s subtree.
fn code_range<'t>(start: usize, end: usize, first: Node, within: Node<'t>, src: &[u8], scope: &Scope) -> Result<Code, NodeError<'t>> {
    let end = start + src[start..end].trim_ascii_end().len();
    let (line, col) = gosyntax::line_col(first);
    let mut holes = Vec::new();
    collect_holes(within, src, scope, start, end, &mut holes)?;
    holes.sort_by_key(|h| h.start);
    holes.dedup_by_key(|h| h.start);
    Ok(Code { text: String::from_utf8_lossy(&src[start..end]).into_owned(), holes, line, col })
}

/// Names declared at the top level of an aspect file: injected code may
/// use them, so they are never taken for misspelt placeholders.
pub fn declared_names(root: Node, src: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            kind::SOURCE_FILE | kind::VAR_DECLARATION | kind::CONST_DECLARATION | kind::TYPE_DECLARATION | kind::VAR_SPEC_LIST => {
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
            kind::FUNCTION_DECLARATION | kind::VAR_SPEC | kind::CONST_SPEC | kind::TYPE_SPEC => {
                let mut c = n.walk();
                out.extend(n.children_by_field_name("name", &mut c).map(|x| gosyntax::text(x, src).to_string()));
            }
            _ => {}
        }
    }
    out
}

/// The holes of bytes start..end under `node`. An `Rtool…` name that is no
/// placeholder and not declared by the aspect file is a misspelt one.
fn collect_holes<'t>(
    node: Node<'t>,
    src: &[u8],
    scope: &Scope,
    start: usize,
    end: usize,
    out: &mut Vec<Hole>,
) -> Result<(), NodeError<'t>> {
    if node.end_byte() <= start || node.start_byte() >= end {
        return Ok(());
    }
    let hole = |n: Node, kind| Hole { start: n.start_byte() - start, end: n.end_byte() - start, kind };
    let qualifier = |n: Option<Node>| {
        let t = n.map(|n| gosyntax::text(n, src))?;
        scope.imports.iter().any(|i| i.name == t).then(|| t.to_string())
    };
    match node.kind() {
        kind::IDENTIFIER | kind::TYPE_IDENTIFIER => {
            let t = gosyntax::text(node, src);
            if let Some(p) = Placeholder::parse(t) {
                out.push(hole(node, HoleKind::Placeholder(p)));
            } else if t.starts_with(placeholder::PREFIX) && !scope.declared.iter().any(|x| x == t) {
                return Err((node, format!("unknown placeholder {t} (known: {})", Placeholder::known())));
            }
            return Ok(());
        }
        kind::SELECTOR => {
            let op = node.child_by_field_name("operand").filter(|o| o.kind() == kind::IDENTIFIER);
            if let (Some(op), Some(q)) = (op, qualifier(op)) {
                out.push(hole(op, HoleKind::Qualifier(q)));
            }
        }
        kind::QUALIFIED_TYPE => {
            let pkg = node.child_by_field_name("package");
            if let (Some(pkg), Some(q)) = (pkg, qualifier(pkg)) {
                out.push(hole(pkg, HoleKind::Qualifier(q)));
            }
        }
        _ => {}
    }
    let mut c = node.walk();
    let children: Vec<Node<'t>> = node.children(&mut c).collect();
    for child in children {
        collect_holes(child, src, scope, start, end, out)?;
    }
    Ok(())
}

/// A type written in a directive (`//rtool:add-field f pkg.T`), at line:col
/// of the aspect file: checked to be one Go type (else the compile of every
/// package it is added to would fail), with its qualifiers as holes.
pub fn directive_type(text: &str, line: usize, col: usize, imports: &[Import]) -> Result<Code, String> {
    const HEAD: &str = "package p\n\ntype _ struct {\n\tF ";
    let wrapped = format!("{HEAD}{text}\n}}\n");
    let tree = gosyntax::parse(wrapped.as_bytes());
    let root = tree.as_ref().map(|t| t.root_node()).filter(|r| gosyntax::first_error(*r).is_none());
    // The struct has one field, whose type is the whole text: text such as
    // `int }; var x int; type _ struct {` parses too, as more than a type.
    let ty = root
        .and_then(|r| r.named_child(1))
        .and_then(|d| d.named_child(0))
        .and_then(|spec| spec.child_by_field_name("type"))
        .and_then(|st| st.named_child(0))
        .filter(|list| list.named_child_count() == 1)
        .and_then(|list| list.named_child(0))
        .and_then(|field| field.child_by_field_name("type"));
    match ty {
        Some(t) if t.start_byte() == HEAD.len() && t.end_byte() == HEAD.len() + text.len() => Ok(qualify_plain(text, line, col, imports)),
        _ => Err(format!("{text:?} is not a Go type")),
    }
}

/// Holes for the qualifiers of a type written as plain text.
fn qualify_plain(text: &str, line: usize, col: usize, imports: &[Import]) -> Code {
    let mut holes = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() || b[i] == b'_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &text[s..i];
            let qualifies = b.get(i) == Some(&b'.') && (s == 0 || b[s - 1] != b'.');
            if qualifies && imports.iter().any(|imp| imp.name == word) {
                holes.push(Hole { start: s, end: i, kind: HoleKind::Qualifier(word.to_string()) });
            }
        } else {
            i += 1;
        }
    }
    Code { text: text.to_string(), holes, line, col }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_types() {
        let imports = [Import { name: "tr".into(), path: "example.com/trace".into() }];
        let code = directive_type("map[string]*tr.Span", 3, 20, &imports).unwrap();
        assert_eq!((code.line, code.col, code.holes.len()), (3, 20, 1));
        assert_eq!(code.holes[0].kind, HoleKind::Qualifier("tr".into()));
        for good in ["int", "func(int) error", "struct{ a, b int }", "chan<- []byte"] {
            assert!(directive_type(good, 1, 1, &[]).is_ok(), "{good}");
        }
        for bad in ["map[", "1", "int }; var x int; type _ struct {", "", "a b"] {
            assert_eq!(directive_type(bad, 1, 1, &[]).unwrap_err(), format!("{bad:?} is not a Go type"));
        }
    }
}

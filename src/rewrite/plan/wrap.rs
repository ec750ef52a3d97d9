//! Wrap advice on calls and composite literals. The wrapped expression
//! stays one operand whatever surrounds it: a target that is not a
//! primary expression (`a + b`) is parenthesized before the innermost
//! layer sees it, every layer that is not primary itself (`RtoolExpr * 10`)
//! is parenthesized before the next layer or its context sees it (unless
//! that context takes any expression: an argument, a field value, the
//! right side of an assignment), and a wrapped call that stood as a
//! statement stays a valid statement (`_ = …` unless the outermost layer
//! is itself a call).

use super::*;
use std::cmp::Reverse;

pub(super) struct PendingWrap {
    start: usize,
    end: usize,
    /// (order, definition index): lower wraps inner.
    rank: (i32, usize),
    prefix: String,
    suffix: String,
    /// The layer's expression kind (`RtoolExpr * 10`: a binary expression).
    shape: Shape,
    /// Whether `RtoolExpr` stands where any expression may
    /// (`f(RtoolExpr)`), so that what it wraps needs no parentheses.
    free_operand: bool,
    /// Facts about the wrapped node.
    target: Shape,
    context: Context,
}

/// What kind of expression a piece of Go is, as far as wrapping cares.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A call: primary, and valid as a statement.
    Call,
    /// An operand or primary expression other than a call (a name, a
    /// selector, a literal, a parenthesized expression, …).
    Primary,
    /// Anything else (binary and unary expressions, …): parenthesized
    /// before it is used as an operand.
    Other,
}

/// Where the wrapped node stands.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// A place that takes any expression as it is.
    Free,
    /// An expression statement: the value must be used or be a call.
    Statement,
    /// An operand of something else.
    Operand,
}

impl Shape {
    pub(super) fn of(node: Node) -> Shape {
        match node.kind() {
            kind::CALL => Shape::Call,
            k if kind::PRIMARY.contains(&k) => Shape::Primary,
            _ => Shape::Other,
        }
    }

    /// The shape of wrap code (one expression), and whether its
    /// `RtoolExpr` stands where any expression may.
    fn of_code(text: &str) -> (Shape, bool) {
        let src = format!("package p\nvar _ = {text}\n");
        let Some(tree) = gosyntax::parse(src.as_bytes()) else { return (Shape::Other, false) };
        let (mut shape, mut free) = (Shape::Other, false);
        let mut stack = vec![tree.root_node()];
        while let Some(n) = stack.pop() {
            if n.kind() == kind::EXPRESSION_LIST && n.parent().is_some_and(|p| p.kind() == kind::VAR_SPEC) {
                shape = n.named_child(0).map_or(Shape::Other, Shape::of);
            }
            if n.kind() == kind::IDENTIFIER && text_of_node(n, &src) == "RtoolExpr" {
                free = Context::of(n) == Context::Free;
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
        (shape, free)
    }
}

fn text_of_node<'s>(n: Node, src: &'s str) -> &'s str {
    text(n, src.as_bytes())
}

impl Context {
    fn of(node: Node) -> Context {
        match node.parent().map(|p| p.kind()) {
            Some(kind::EXPRESSION_STATEMENT) => Context::Statement,
            Some(k)
                if [kind::ARGUMENT_LIST, kind::KEYED_ELEMENT, kind::LITERAL_ELEMENT, kind::EXPRESSION_LIST, kind::PARENTHESIZED]
                    .contains(&k) =>
            {
                Context::Free
            }
            _ => Context::Operand,
        }
    }
}

impl<'a> FileCx<'a> {
    /// Wraps `target` in each aspect's expression (see `emit_wraps`).
    pub(super) fn wrap<'t>(&mut self, target: Node<'t>, aspects: &[&Aspect], b: &Bindings) {
        // A field value's literal_element spans its expression exactly.
        let target = if target.kind() == kind::LITERAL_ELEMENT { target.named_child(0).unwrap_or(target) } else { target };
        for a in aspects {
            let Advice::Wrap(code) = &a.advice else { continue };
            let parts = instantiate(code, a, b, &mut self.aliases, self.pkg);
            let (shape, free_operand) = Shape::of_code(&code.text);
            let rank = (a.order, self.order.iter().position(|o| std::ptr::eq(*o, *a)).unwrap_or(0));
            self.wraps.push(PendingWrap {
                start: target.start_byte(),
                end: target.end_byte(),
                rank,
                prefix: parts[0].clone(),
                suffix: parts[1..].concat(),
                shape,
                free_operand,
                target: Shape::of(target),
                context: Context::of(target),
            });
        }
    }

    /// Turns the wraps into one insertion on each side of each wrapped
    /// node: on one node the lowest order is innermost; across nodes
    /// sharing an offset, the larger node opens first and closes last
    /// (`Order::Open`, `Order::Close`).
    pub(super) fn emit_wraps(&mut self) {
        let mut wraps = std::mem::take(&mut self.wraps);
        wraps.sort_by_key(|w| (w.start, w.end, w.rank));
        for layers in wraps.chunk_by(|a, b| (a.start, a.end) == (b.start, b.end)) {
            let first = &layers[0];
            let (mut open, mut close) = (String::new(), String::new());
            // Each layer's operand, then the whole, is parenthesized where
            // it is not primary and stands as an operand.
            let mut operand = first.target;
            for w in layers {
                if operand == Shape::Other && !w.free_operand {
                    open.insert(0, '(');
                    close.push(')');
                }
                open.insert_str(0, &w.prefix);
                close.push_str(&w.suffix);
                operand = w.shape;
            }
            if operand == Shape::Other && first.context == Context::Operand {
                open.insert(0, '(');
                close.push(')');
            }
            if first.context == Context::Statement && operand != Shape::Call {
                open.insert_str(0, "_ = ");
            }
            let span = first.end - first.start;
            self.edits.push(Edit::insert(first.start, Order::Open(Reverse(span)), vec![Piece::plain(open)]));
            self.edits.push(Edit::insert(first.end, Order::Close(span), vec![Piece::plain(close)]));
        }
    }

    pub(super) fn literal<'t>(&mut self, node: Node<'t>, wanted: &[&Aspect]) {
        let src = self.src();
        let Some(ty) = node.child_by_field_name("type") else { return };
        let ty = if ty.kind() == kind::GENERIC_TYPE { ty.child_by_field_name("type").unwrap_or(ty) } else { ty };
        let (path, name) = match ty.kind() {
            kind::TYPE_IDENTIFIER => (self.pkg.path.clone(), text(ty, src).to_string()),
            kind::QUALIFIED_TYPE => {
                let (Some(p), Some(n)) = (ty.child_by_field_name("package"), ty.child_by_field_name("name")) else { return };
                let q = text(p, src);
                let Some((_, path)) = self.imports.iter().find(|(name, _)| name == q) else { return };
                (path.clone(), text(n, src).to_string())
            }
            _ => return,
        };
        let outer =
            node.parent().filter(|p| p.kind() == kind::UNARY && p.child_by_field_name("operator").is_some_and(|o| text(o, src) == "&"));
        let mut fields = Vec::new();
        let mut values = Vec::new();
        if let Some(body) = node.child_by_field_name("body") {
            let mut c = body.walk();
            for el in body.named_children(&mut c).filter(|e| e.kind() == kind::KEYED_ELEMENT) {
                if let (Some(k), Some(v)) = (el.named_child(0), el.named_child(1)) {
                    fields.push(text(k, src).to_string());
                    values.push(v);
                }
            }
        }
        let info = NodeInfo::Literal { path, name, pointer: outer.is_some(), fields: fields.clone() };
        let matched = self.matching(wanted, NodeKind::Literal, &info);
        if matched.is_empty() || self.note_broken(node) {
            return;
        }
        let b = Bindings::default();
        for a in matched {
            let target = match literal_field(&a.join) {
                Some(f) => match fields.iter().position(|x| *x == f) {
                    Some(i) => values[i],
                    None => continue,
                },
                None => outer.unwrap_or(node),
            };
            self.wrap(target, &[a], &b);
        }
    }
}

/// The field a literal join point targets, if any.
pub(super) fn literal_field(e: &crate::aspect::joinpoint::Expr) -> Option<String> {
    use crate::aspect::joinpoint::Atom;
    e.atoms().into_iter().find_map(|a| if let Atom::Literal { field, .. } = a { field.clone() } else { None })
}

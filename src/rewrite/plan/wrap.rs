//! Wrap advice on calls and composite literals.

use super::*;

pub(super) struct PendingWrap {
    start: usize,
    end: usize,
    /// (order, definition index): lower wraps inner.
    rank: (i32, usize),
    prefix: String,
    suffix: String,
}

impl<'a> FileCx<'a> {
    /// Wraps `target` in each aspect's expression (see `emit_wraps`).
    pub(super) fn wrap<'t>(&mut self, target: Node<'t>, aspects: &[&Aspect], b: &Bindings) {
        for a in aspects {
            let Advice::Wrap(code) = &a.advice else { continue };
            let parts = instantiate(code, a, b, &mut self.aliases, self.pkg);
            let rank = (a.order, self.order.iter().position(|o| std::ptr::eq(*o, *a)).unwrap_or(0));
            self.wraps.push(PendingWrap {
                start: target.start_byte(),
                end: target.end_byte(),
                rank,
                prefix: parts[0].clone(),
                suffix: parts[1..].concat(),
            });
        }
    }

    /// Turns the wraps into insertions: on one node the lowest order is
    /// innermost; across nodes sharing an offset, the larger node opens
    /// first and closes last.
    pub(super) fn emit_wraps(&mut self) {
        let mut wraps = std::mem::take(&mut self.wraps);
        wraps.sort_by_key(|w| (w.start, w.end, w.rank));
        for group in wraps.chunk_by(|a, b| (a.start, a.end) == (b.start, b.end)) {
            for (r, w) in group.iter().enumerate() {
                let span = (w.end - w.start) as i64;
                let r = r as i64;
                self.edits.push(Edit::insert(w.start, -span * 1000 - r, vec![Piece::plain(w.prefix.clone())]));
                self.edits.push(Edit::insert(w.end, span * 1000 + r, vec![Piece::plain(w.suffix.clone())]));
            }
        }
    }

    pub(super) fn literal<'t>(&mut self, node: Node<'t>, wanted: &[&Aspect]) {
        let src = self.src();
        let Some(ty) = node.child_by_field_name("type") else { return };
        let ty = if ty.kind() == "generic_type" { ty.child_by_field_name("type").unwrap_or(ty) } else { ty };
        let (path, name) = match ty.kind() {
            "type_identifier" => (self.pkg.path.clone(), text(ty, src).to_string()),
            "qualified_type" => {
                let (Some(p), Some(n)) = (ty.child_by_field_name("package"), ty.child_by_field_name("name")) else { return };
                let q = text(p, src);
                let Some((_, path)) = self.imports.iter().find(|(name, _)| name == q) else { return };
                (path.clone(), text(n, src).to_string())
            }
            _ => return,
        };
        let outer = node
            .parent()
            .filter(|p| p.kind() == "unary_expression" && p.child_by_field_name("operator").is_some_and(|o| text(o, src) == "&"));
        let mut fields = Vec::new();
        let mut values = Vec::new();
        if let Some(body) = node.child_by_field_name("body") {
            let mut c = body.walk();
            for el in body.named_children(&mut c).filter(|e| e.kind() == "keyed_element") {
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

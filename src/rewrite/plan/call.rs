//! Call join points: replaced callees and appended arguments.

use super::*;

impl<'a> FileCx<'a> {
    /// A call (`f(x)`, `p.F(x)`, `p.F[T](x, y)`), or what tree-sitter-go
    /// reads as a conversion to a generic type (`p.F[T](x)`: the same
    /// syntax as an explicit instantiation called with one argument).
    pub(super) fn call<'t>(&mut self, node: Node<'t>, wanted: &[&Aspect]) {
        let src = self.src();
        let Some((qualifier, name_node, callee)) = callee_of(node) else { return };
        let name = text(name_node, src).to_string();
        let mut candidates: Vec<(String, String)> = Vec::new();
        match qualifier {
            Some(q) => {
                let q = text(q, src);
                for (import, path) in &self.imports {
                    if import == q {
                        candidates.push((path.clone(), name.clone()));
                    }
                }
            }
            None => {
                candidates.push((self.pkg.path.clone(), name.clone()));
                for p in &self.dot_paths {
                    candidates.push((p.clone(), name.clone()));
                }
            }
        }
        let mut matched: Vec<&Aspect> = Vec::new();
        for (path, name) in candidates {
            for a in self.matching(wanted, NodeKind::Call, &NodeInfo::Call { path, name }) {
                if !matched.iter().any(|m| std::ptr::eq(*m, a)) {
                    matched.push(a);
                }
            }
        }
        if matched.is_empty() || self.note_broken(node) {
            return;
        }
        let b = Bindings::default();
        if let Some(q) = matched.iter().find_map(|a| if let Advice::ReplaceFunction(q) = &a.advice { Some(q) } else { None }) {
            // The callee's own qualifier if it names the new package, else
            // the file's name for it, else an added import.
            let own = qualifier.map(|o| text(o, src).to_string());
            let qualifier = match self
                .imports
                .iter()
                .find(|(name, p)| *p == q.path && own.as_deref().is_none_or(|o| o == name))
                .or_else(|| self.imports.iter().find(|(_, p)| *p == q.path))
            {
                Some((name, _)) => Some(name.clone()),
                None if q.path == self.pkg.path || self.dot_paths.contains(&q.path) => None,
                None => Some(alias_for(&mut self.aliases, &q.path)),
            };
            if let Some(o) = &own
                && qualifier.as_deref() != Some(o.as_str())
            {
                self.replaced.push((o.clone(), text(callee, src).to_string()));
            }
            let new = qualifier.map_or_else(|| q.name.clone(), |x| format!("{x}.{}", q.name));
            // At the replace-function directive's place: a function that
            // does not exist is reported in the aspect file.
            let id = matched.iter().find(|a| matches!(&a.advice, Advice::ReplaceFunction(r) if r == q)).map_or("", |a| a.id.as_str());
            let piece = match matched.iter().find(|a| a.id == id) {
                Some(a) => Piece::inline(new, Pos { file: a.file.to_string_lossy().into_owned(), line: a.line, col: Some(1) }),
                None => Piece::plain(new),
            };
            self.edits.push(Edit::replace(callee.start_byte(), callee.end_byte(), vec![piece]).by(id));
        }
        let appended: Vec<Piece> = matched
            .iter()
            .filter_map(|a| match &a.advice {
                Advice::AppendArgs(code) => Some(Piece::plain(instantiate(code, a, &b, &mut self.aliases, self.pkg).concat())),
                _ => None,
            })
            .collect();
        if !appended.is_empty() {
            self.append_args(node, appended);
        }
        // `defer f(x)` and `go f(x)` must stay calls: wrapping would change
        // when the arguments are evaluated (and `defer (…)` is invalid).
        if !node.parent().is_some_and(|p| matches!(p.kind(), kind::DEFER | kind::GO)) {
            let wraps: Vec<&Aspect> = matched.iter().copied().filter(|a| matches!(a.advice, Advice::Wrap(_))).collect();
            self.wrap(node, &wraps, &b);
        }
    }

    pub(super) fn append_args<'t>(&mut self, call: Node<'t>, values: Vec<Piece>) {
        let src = self.src();
        if call.kind() == kind::TYPE_CONVERSION {
            // `p.F[T](x)`: one argument, no argument list node.
            let Some(x) = call.child_by_field_name("operand") else { return };
            let mut pieces = vec![Piece::plain(", ")];
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::plain(", "));
                }
                pieces.push(v);
            }
            self.edits.push(Edit::insert(x.end_byte(), Order::Plain, pieces));
            return;
        }
        let Some(args) = call.child_by_field_name("arguments") else { return };
        let n = args.named_child_count();
        let last = (n > 0).then(|| args.named_child((n - 1) as u32)).flatten();
        let join = |mut v: Vec<Piece>, lead: &str| {
            let mut out = vec![Piece::plain(lead)];
            for (i, p) in v.drain(..).enumerate() {
                if i > 0 {
                    out.push(Piece::plain(", "));
                }
                out.push(p);
            }
            out
        };
        match last {
            Some(l) if l.kind() == kind::VARIADIC_ARGUMENT => {
                // f(xs...) -> f(append(clip(xs), extra...)...): a copy, so the
                // caller's slice is never written.
                let Some(expr) = l.named_child(0) else { return };
                self.clip_helper = true;
                let helper = format!("__rtool_clip{}", self.index);
                self.edits.push(Edit::insert(expr.start_byte(), Order::Plain, vec![Piece::plain(format!("append({helper}("))]));
                let mut tail = join(values, "), ");
                tail.push(Piece::plain(")"));
                self.edits.push(Edit::insert(expr.end_byte(), Order::Plain, tail));
            }
            Some(l) => {
                let between = &src[l.end_byte()..args.end_byte() - 1];
                let trailing_comma = between.contains(&b',');
                self.edits.push(Edit::insert(l.end_byte(), Order::Plain, join(values, if trailing_comma { "" } else { ", " })));
                if trailing_comma {
                    // `f(a,\n)`: the new arguments go after the comma.
                    let e = self.edits.pop().unwrap_or_else(|| Edit::insert(0, Order::Plain, vec![]));
                    let comma = l.end_byte() + between.iter().position(|&c| c == b',').unwrap_or(0) + 1;
                    let mut pieces = e.pieces;
                    pieces.push(Piece::plain(","));
                    self.edits.push(Edit::insert(comma, Order::Plain, pieces));
                }
            }
            None => self.edits.push(Edit::insert(args.end_byte() - 1, Order::Plain, join(values, ""))),
        }
    }
}

/// The callee of a call: (the package qualifier, if any; the function's
/// name; the node naming it, without explicit type arguments, which a
/// replacement replaces).
fn callee_of(node: Node) -> Option<(Option<Node>, Node, Node)> {
    let callee = match node.kind() {
        kind::CALL => {
            let f = node.child_by_field_name("function")?;
            if f.kind() == kind::INDEX { f.child_by_field_name("operand")? } else { f }
        }
        kind::TYPE_CONVERSION => {
            let t = node.child_by_field_name("type").filter(|t| t.kind() == kind::GENERIC_TYPE)?;
            t.child_by_field_name("type")?
        }
        _ => return None,
    };
    match callee.kind() {
        kind::SELECTOR => {
            let op = callee.child_by_field_name("operand").filter(|o| o.kind() == kind::IDENTIFIER)?;
            Some((Some(op), callee.child_by_field_name("field")?, callee))
        }
        kind::QUALIFIED_TYPE => Some((Some(callee.child_by_field_name("package")?), callee.child_by_field_name("name")?, callee)),
        kind::IDENTIFIER | kind::TYPE_IDENTIFIER => Some((None, callee, callee)),
        _ => None,
    }
}

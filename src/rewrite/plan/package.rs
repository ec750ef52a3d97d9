//! Package-level advice (fields, injected declarations, assignments,
//! imports) and the imports new code needs.

use super::*;

impl<'a> FileCx<'a> {
    pub(super) fn add_fields<'t>(&mut self, st: Node<'t>, matched: &[&Aspect]) {
        let Some(list) = st.named_child(0).filter(|l| l.kind() == kind::FIELD_DECLARATION_LIST) else { return };
        let close = list.end_byte() - 1;
        // `struct{ A int }`: right after the last field, which needs a `;`.
        let blanks = self.src()[..close].iter().rev().take_while(|&&c| c == b' ' || c == b'\t').count();
        let before = self.src()[..close - blanks].last().copied();
        let at = if before == Some(b'\n') { close } else { close - blanks };
        // A field added twice, or one the struct has, is a conflict.
        let mut names: Vec<(String, Option<&str>)> = struct_field_names(list, self.src()).into_iter().map(|n| (n, None)).collect();
        let mut fields = Vec::new();
        for a in matched {
            if let Advice::AddField { name, ty } = &a.advice {
                if let Some((_, by)) = names.iter().find(|(n, _)| n == name) {
                    let (line, col) = gosyntax::line_col(st);
                    let msg = match by {
                        Some(other) => format!("aspects {other} and {} both add field {name}", a.id),
                        None => format!("aspect {} adds field {name}, which the struct has already", a.id),
                    };
                    self.error.get_or_insert(ErrorAt::new(&self.file.path, line, col, msg).into());
                    return;
                }
                names.push((name.clone(), Some(a.id.as_str())));
                let ty_text = instantiate(ty, a, &Bindings::default(), &mut self.aliases, self.pkg).concat();
                fields.push(format!("{name} {ty_text};"));
            }
        }
        let lead = if matches!(before, Some(b'\n' | b';' | b'{')) { "" } else { "; " };
        let tail = if at == close { " " } else { "" };
        let pieces = vec![Piece::plain(format!("{lead}{}{tail}", fields.join(" ")))];
        self.edits.push(Edit::insert(at, Order::Plain, pieces));
    }

    /// Package-level advice that lands in this file.
    pub(super) fn package_level<'t>(&mut self, root: Node<'t>, here: &[&Aspect]) {
        let src = self.src();
        for a in here {
            match &a.advice {
                Advice::Inject { code, new_file: false } => {
                    if code.text.contains("//go:linkname") && !self.blank.iter().any(|b| b == "unsafe") {
                        self.blank.push("unsafe".into());
                    }
                    self.linknames.extend(linkname_packages(&code.text));
                    let mut pieces = vec![Piece::plain("\n")];
                    pieces.push(Piece::code(
                        instantiate(code, a, &Bindings::default(), &mut self.aliases, self.pkg).concat(),
                        aspect_pos(a, code, 0),
                    ));
                    pieces.push(Piece::plain("\n"));
                    let defined = self.order.iter().position(|o| std::ptr::eq(*o, *a)).unwrap_or(0);
                    self.edits.push(Edit::insert(src.len(), Order::Injected(defined), pieces));
                }
                Advice::AddImport(path) if !self.blank.contains(path) => {
                    self.blank.push(path.clone());
                }
                Advice::Assign { var, value } => {
                    let Some(spec) = find_var_spec(root, src, var) else { continue };
                    if self.note_broken(spec) {
                        continue;
                    }
                    if let Some((_, first)) = self.assigned.iter().find(|(v, _)| v == var) {
                        let (line, col) = gosyntax::line_col(spec);
                        let msg = format!("aspects {first} and {} both assign {var}", a.id);
                        self.error.get_or_insert(ErrorAt::new(&self.file.path, line, col, msg).into());
                        return;
                    }
                    self.assigned.push((var.clone(), a.id.clone()));
                    let piece = Piece::plain(instantiate(value, a, &Bindings::default(), &mut self.aliases, self.pkg).concat());
                    match (spec.child_by_field_name("value"), spec.child_by_field_name("type")) {
                        (Some(v), _) => self.edits.push(Edit::replace(v.start_byte(), v.end_byte(), vec![piece]).by(&a.id)),
                        (None, Some(t)) => {
                            self.edits.push(Edit::insert(t.end_byte(), Order::Plain, vec![Piece::plain(" = "), piece]).by(&a.id))
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds the imports the new code needs, on the package clause's line,
    /// and the helpers it uses, at the end of the file.
    pub(super) fn finish_imports<'t>(&mut self, root: Node<'t>) {
        self.emit_wraps();
        // A replaced callee may have been its import's only use.
        let replaced = std::mem::take(&mut self.replaced);
        let mut kept: Vec<&str> = Vec::new();
        for (qualifier, callee) in &replaced {
            let gone = replaced.iter().filter(|(q, _)| q == qualifier).count();
            if qualifier_uses(root, self.src(), qualifier) > gone || kept.contains(&qualifier.as_str()) {
                continue;
            }
            kept.push(qualifier);
            self.edits.push(Edit::insert(self.src().len(), Order::KeepAlive, vec![Piece::plain(format!("\nvar _ = {callee}\n"))]));
        }
        if self.clip_helper {
            let h = format!("\nfunc __rtool_clip{}[S ~[]E, E any](s S) S {{ return s[:len(s):len(s)] }}\n", self.index);
            self.edits.push(Edit::insert(self.src().len(), Order::ClipHelper, vec![Piece::plain(h)]));
        }
        if self.aliases.is_empty() && self.blank.is_empty() {
            return;
        }
        let mut c = root.walk();
        let Some(clause) = root.named_children(&mut c).find(|n| n.kind() == kind::PACKAGE_CLAUSE) else { return };
        let mut specs: Vec<String> = self.aliases.iter().map(|(path, alias)| format!("{alias} {}", go_quote(path))).collect();
        specs.extend(self.blank.iter().map(|p| format!("_ {}", go_quote(p))));
        self.edits.push(Edit::insert(clause.end_byte(), Order::Plain, vec![Piece::plain(format!("; import ({})", specs.join("; ")))]));
    }
}

/// The packages of `//go:linkname local pkg/path.Name` targets in `code`.
pub(super) fn linkname_packages(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| l.trim().strip_prefix("//go:linkname "))
        .filter_map(|rest| rest.split_whitespace().nth(1))
        .filter_map(|target| target.rsplit_once('.').map(|(p, _)| p.to_string()))
        .collect()
}

/// How often `name` qualifies a selector or a type in the file.
pub(super) fn qualifier_uses(root: Node, src: &[u8], name: &str) -> usize {
    let mut n = 0;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let q = match node.kind() {
            kind::SELECTOR => node.child_by_field_name("operand"),
            kind::QUALIFIED_TYPE => node.child_by_field_name("package"),
            _ => None,
        };
        if q.is_some_and(|q| text(q, src) == name) {
            n += 1;
        }
        let mut c = node.walk();
        stack.extend(node.named_children(&mut c));
    }
    n
}

pub(super) fn find_var_spec<'t>(root: Node<'t>, src: &[u8], var: &str) -> Option<Node<'t>> {
    let mut c = root.walk();
    for decl in root.named_children(&mut c).filter(|n| n.kind() == kind::VAR_DECLARATION) {
        if directives_of(decl, src).iter().any(|(n, _)| n == "rtool:ignore") {
            continue;
        }
        for s in var_specs(decl) {
            let mut c4 = s.walk();
            let names: Vec<Node> = s.children_by_field_name("name", &mut c4).collect();
            if names.len() == 1 && text(names[0], src) == var {
                return Some(s);
            }
        }
    }
    None
}

/// The specs of a `var` declaration, grouped or not.
fn var_specs(decl: Node) -> Vec<Node> {
    let mut c = decl.walk();
    let mut specs = Vec::new();
    for ch in decl.named_children(&mut c) {
        match ch.kind() {
            kind::VAR_SPEC => specs.push(ch),
            kind::VAR_SPEC_LIST => {
                let mut c2 = ch.walk();
                specs.extend(ch.named_children(&mut c2).filter(|n| n.kind() == kind::VAR_SPEC));
            }
            _ => {}
        }
    }
    specs
}

/// The names of a struct's fields (embedded ones by their type's name).
fn struct_field_names(list: Node, src: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut c = list.walk();
    for decl in list.named_children(&mut c).filter(|d| d.kind() == kind::FIELD_DECLARATION) {
        let mut c2 = decl.walk();
        let names: Vec<String> = decl.children_by_field_name("name", &mut c2).map(|n| text(n, src).to_string()).collect();
        if names.is_empty() {
            // Embedded: `T`, `*T`, `p.T`, `T[X]`: the last name of the type.
            let ty = decl.child_by_field_name("type").map(|t| text(t, src)).unwrap_or("");
            let base = ty.split('[').next().unwrap_or(ty);
            out.push(base.rsplit(['.', '*']).next().unwrap_or(base).to_string());
        }
        out.extend(names);
    }
    out
}

/// Whether the file declares package-level variable `var` (ignored by
/// `//rtool:ignore` or not).
pub(super) fn declares_var(root: Node, src: &[u8], var: &str) -> bool {
    let mut c = root.walk();
    let decls: Vec<Node> = root.named_children(&mut c).filter(|n| n.kind() == kind::VAR_DECLARATION).collect();
    decls.into_iter().flat_map(var_specs).any(|s| {
        let mut c2 = s.walk();
        s.children_by_field_name("name", &mut c2).any(|x| text(x, src) == var)
    })
}

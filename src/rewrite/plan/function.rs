//! Prepend advice: the function's parts (receiver, parameters, results,
//! body), names for unnamed ones when advice needs them.

use super::*;

impl<'a> FileCx<'a> {
    pub(super) fn prepend<'t>(&mut self, f: &FuncParts<'t>, matched: &[&Aspect], directives: &[(String, String)]) {
        let Some(body) = f.body else { return };
        let codes: Vec<(&Aspect, &Code)> = matched
            .iter()
            .filter_map(|a| match &a.advice {
                Advice::Prepend(c) => Some((*a, c)),
                _ => None,
            })
            .collect();
        let uses = |p: &dyn Fn(&Placeholder) -> bool| {
            codes.iter().any(|(_, c)| c.holes.iter().any(|h| matches!(&h.kind, HoleKind::Placeholder(n) if p(n))))
        };
        let mut b = Bindings { func_name: f.display.clone(), ..Default::default() };
        let src = self.src();
        if uses(&|n| matches!(n, Placeholder::Param(_) | Placeholder::ParamValues | Placeholder::ParamNames)) {
            b.params = self.name_slots(&f.params, "_rtool_p", src);
        } else {
            b.params = f.params.iter().map(|s| s.name.clone().unwrap_or_default()).collect();
        }
        if uses(&|n| matches!(n, Placeholder::Result(_))) {
            b.results = self.name_slots(&f.results, "_rtool_r", src);
        }
        if uses(&|n| *n == Placeholder::Receiver)
            && let Some(r) = &f.receiver
        {
            b.receiver = self.name_slots(std::slice::from_ref(r), "_rtool_recv", src).pop();
        }
        let mut pieces = Vec::new();
        for (a, code) in codes {
            if let Some(msg) = missing_binding(code, f) {
                let (line, col) = gosyntax::line_col(f.node);
                self.error.get_or_insert(ErrorAt::new(&self.file.path, line, col, format_args!("aspect {}: {msg}", a.id)).into());
                return;
            }
            let names = a.join.directive_names();
            b.directive_args = match directives.iter().find(|(n, _)| names.contains(n)) {
                None => vec![],
                Some((name, args)) => match parse_directive_args(args, code) {
                    Ok(parsed) => parsed,
                    Err(msg) => {
                        let (line, col) = gosyntax::line_col(f.node);
                        let msg = format!("aspect {}: //{name} {args}: {msg}", a.id);
                        self.error.get_or_insert(ErrorAt::new(&self.file.path, line, col, msg).into());
                        return;
                    }
                },
            };
            if let Some(msg) = unknown_arg_params(code, &b) {
                let (line, col) = gosyntax::line_col(f.node);
                self.error.get_or_insert(ErrorAt::new(&self.file.path, line, col, format_args!("aspect {}: {msg}", a.id)).into());
                return;
            }
            // Advice that declares names gets a block of its own: its
            // names never meet the function's later statements, and one
            // that a placeholder means too is renamed.
            let key: *const Code = code;
            let declared = match self.declared.iter().find(|(k, _)| *k == key) {
                Some((_, names)) => names.clone(),
                None => {
                    let names = declared_names(&code.text);
                    self.declared.push((key, names.clone()));
                    names
                }
            };
            let bound: Vec<&String> = b.params.iter().chain(&b.results).chain(&b.receiver).collect();
            let clashes: Vec<&String> = declared.iter().filter(|d| bound.contains(d)).collect();
            let renamed = if clashes.is_empty() { None } else { Some(rename(code, &clashes)) };
            let code = renamed.as_ref().unwrap_or(code);
            let text = instantiate(code, a, &b, &mut self.aliases, self.pkg).concat();
            let (open, close) = if declared.is_empty() { ("", ";") } else { ("{", "};") };
            pieces.push(Piece::plain(open));
            pieces.push(Piece::code(text, aspect_pos(a, code, 0)));
            pieces.push(Piece::plain(close));
        }
        self.edits.push(Edit::insert(body.start_byte() + 1, Order::Plain, pieces));
    }

    /// Gives every slot a usable name (editing the signature where a name is
    /// missing or blank) and returns the names.
    pub(super) fn name_slots<'t>(&mut self, slots: &[Slot<'t>], prefix: &str, src: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        for (i, s) in slots.iter().enumerate() {
            if let Some(n) = &s.name {
                names.push(n.clone());
                continue;
            }
            let name = if slots.len() == 1 && prefix == "_rtool_recv" { prefix.to_string() } else { format!("{prefix}{i}") };
            let edit = match s.fix {
                Fix::Replace(n) => Edit::replace(n.start_byte(), n.end_byte(), vec![Piece::plain(name.clone())]),
                Fix::InsertBefore(n) => Edit::insert(n.start_byte(), Order::Plain, vec![Piece::plain(format!("{name} "))]),
                Fix::Parenthesize(n) => {
                    Edit::replace(n.start_byte(), n.end_byte(), vec![Piece::plain(format!("({name} {})", text(n, src)))])
                }
            };
            if !self.edits.iter().any(|e| e.start == edit.start && e.end == edit.end) {
                self.edits.push(edit);
            }
            names.push(name);
        }
        names
    }
}

/// How to give a parameter or result a name.
#[derive(Clone, Copy)]
pub(super) enum Fix<'t> {
    /// Replace the blank identifier.
    Replace(Node<'t>),
    /// Insert a name before the type.
    InsertBefore(Node<'t>),
    /// A lone result type: `T` becomes `(name T)`.
    Parenthesize(Node<'t>),
}

pub(super) struct Slot<'t> {
    pub(super) name: Option<String>,
    pub(super) ty: String,
    pub(super) fix: Fix<'t>,
}

pub(super) struct FuncParts<'t> {
    pub(super) node: Node<'t>,
    pub(super) literal: bool,
    pub(super) name: String,
    pub(super) display: String,
    pub(super) receiver: Option<Slot<'t>>,
    pub(super) receiver_info: Option<(bool, String)>,
    pub(super) params: Vec<Slot<'t>>,
    pub(super) results: Vec<Slot<'t>>,
    pub(super) body: Option<Node<'t>>,
}

impl<'t> FuncParts<'t> {
    pub(super) fn read(node: Node<'t>, src: &[u8], enclosing: Option<&str>) -> FuncParts<'t> {
        let name = node.child_by_field_name("name").map(|n| text(n, src).to_string()).unwrap_or_default();
        let mut receiver = None;
        let mut receiver_info = None;
        if let Some(r) = node.child_by_field_name("receiver").and_then(|l| l.named_child(0)) {
            let slots = slots_of(r, src);
            if let Some(ty) = r.child_by_field_name("type") {
                let (ptr, base) = match ty.kind() {
                    kind::POINTER_TYPE => (true, ty.named_child(0).unwrap_or(ty)),
                    _ => (false, ty),
                };
                let base = if base.kind() == kind::GENERIC_TYPE { base.child_by_field_name("type").unwrap_or(base) } else { base };
                receiver_info = Some((ptr, text(base, src).to_string()));
            }
            receiver = slots.into_iter().next();
        }
        let display = match (&receiver_info, node.kind()) {
            (Some((true, t)), _) => format!("(*{t}).{name}"),
            (Some((false, t)), _) => format!("{t}.{name}"),
            (None, kind::FUNC_LITERAL) => format!("{}.func", enclosing.unwrap_or("")),
            _ => name.clone(),
        };
        let mut params = Vec::new();
        if let Some(pl) = node.child_by_field_name("parameters") {
            let mut c = pl.walk();
            for p in pl.named_children(&mut c) {
                params.extend(slots_of(p, src));
            }
        }
        let mut results = Vec::new();
        if let Some(r) = node.child_by_field_name("result") {
            if r.kind() == kind::PARAMETER_LIST {
                let mut c = r.walk();
                for p in r.named_children(&mut c) {
                    results.extend(slots_of(p, src));
                }
            } else {
                results.push(Slot { name: None, ty: text(r, src).to_string(), fix: Fix::Parenthesize(r) });
            }
        }
        FuncParts {
            node,
            literal: node.kind() == kind::FUNC_LITERAL,
            name,
            display,
            receiver,
            receiver_info,
            params,
            results,
            body: node.child_by_field_name("body"),
        }
    }

    pub(super) fn info(&self, directives: Vec<(String, String)>) -> NodeInfo {
        NodeInfo::Function {
            literal: self.literal,
            name: self.name.clone(),
            receiver: self.receiver_info.clone(),
            params: self.params.iter().map(|s| s.ty.clone()).collect(),
            results: self.results.iter().map(|s| s.ty.clone()).collect(),
            directives,
        }
    }
}

pub(super) fn slots_of<'t>(decl: Node<'t>, src: &[u8]) -> Vec<Slot<'t>> {
    let Some(ty) = decl.child_by_field_name("type") else { return vec![] };
    let ty_text = if decl.kind() == kind::VARIADIC_PARAMETER { format!("...{}", text(ty, src)) } else { text(ty, src).to_string() };
    let mut c = decl.walk();
    let names: Vec<Node> = decl.children_by_field_name("name", &mut c).collect();
    if names.is_empty() {
        let at = if decl.kind() == kind::VARIADIC_PARAMETER { decl } else { ty };
        return vec![Slot { name: None, ty: ty_text, fix: Fix::InsertBefore(at) }];
    }
    names
        .into_iter()
        .map(|n| {
            let t = text(n, src);
            Slot { name: (t != "_").then(|| t.to_string()), ty: ty_text.clone(), fix: Fix::Replace(n) }
        })
        .collect()
}

/// Advice statements parsed as the body of a function: the tree, and the
/// offset of the advice text in the parsed source.
fn parse_statements(text: &str) -> Option<(tree_sitter::Tree, String, usize)> {
    let head = "package p\nfunc _() {\n";
    let src = format!("{head}{text}\n}}\n");
    Some((gosyntax::parse(src.as_bytes())?, src, head.len()))
}

/// The names advice statements declare at their top level (variables,
/// constants, types, labels).
pub(super) fn declared_names(text: &str) -> Vec<String> {
    let Some((tree, src, _)) = parse_statements(text) else { return vec![] };
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let mut c = n.walk();
        match n.kind() {
            kind::SOURCE_FILE | kind::FUNCTION_DECLARATION | kind::BLOCK | kind::STATEMENT_LIST => {
                stack.extend(n.named_children(&mut c));
            }
            kind::VAR_DECLARATION | kind::CONST_DECLARATION | kind::TYPE_DECLARATION | kind::VAR_SPEC_LIST => {
                stack.extend(n.named_children(&mut c));
            }
            kind::SHORT_VAR_DECLARATION => {
                if let Some(left) = n.child_by_field_name("left") {
                    out.extend(left.named_children(&mut c).map(|x| text_of(x, &src)));
                }
            }
            kind::VAR_SPEC | kind::CONST_SPEC | kind::TYPE_SPEC => {
                out.extend(n.children_by_field_name("name", &mut c).map(|x| text_of(x, &src)));
            }
            kind::LABELED_STATEMENT => out.extend(n.child_by_field_name("label").map(|x| text_of(x, &src))),
            _ => {}
        }
    }
    out.retain(|n| n != "_");
    out.sort();
    out.dedup();
    out
}

fn text_of(n: Node, src: &str) -> String {
    text(n, src.as_bytes()).to_string()
}

/// `code` with every use of the names in `clashes` renamed
/// (`start` → `_rtool_start`), holes moved along. Field names and struct
/// literal keys are not variables and keep their names.
fn rename(code: &Code, clashes: &[&String]) -> Code {
    let Some((tree, src, base)) = parse_statements(&code.text) else { return code.clone() };
    let mut at: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
        let is_key = n.parent().is_some_and(|p| {
            p.kind() == kind::LITERAL_ELEMENT && p.parent().is_some_and(|k| k.kind() == kind::KEYED_ELEMENT && k.named_child(0) == Some(p))
        });
        if n.kind() == kind::IDENTIFIER && !is_key && n.start_byte() >= base && clashes.iter().any(|c| **c == text_of(n, &src)) {
            at.push((n.start_byte() - base, n.end_byte() - base));
        }
    }
    at.sort();
    let mut out = code.clone();
    let mut text = String::new();
    let mut last = 0;
    for &(s, e) in &at {
        text.push_str(&code.text[last..s]);
        text.push_str("_rtool_");
        text.push_str(&code.text[s..e]);
        last = e;
    }
    text.push_str(&code.text[last..]);
    out.text = text;
    for h in &mut out.holes {
        let shift = at.iter().filter(|(s, _)| *s < h.start).count() * "_rtool_".len();
        h.start += shift;
        h.end += shift;
    }
    out
}

//! Reads aspect files: Go files whose `//rtool:` directive comments, each
//! group opened by `//rtool:aspect ID`, declare aspects. The declaration
//! right after a group is the advice code. Parsed with tree-sitter-go plus
//! the small directive parser below; every error is `file:line:col: …`.
//!
//! ```go
//! //rtool:aspect log-handlers
//! //rtool:where package(example.com/app/...) && function(name=Handle*)
//! //rtool:prepend
//! func _() { log.Println("enter", RtoolFuncName) }
//! ```

use super::joinpoint::{self, NodeKind, QualName};
use super::{Advice, Aspect, Code, Hole, HoleKind, Import, PLACEHOLDERS, is_placeholder};
use crate::error::{Error, Result};
use crate::gosyntax;
use std::path::Path;
use tree_sitter::Node;

/// The names advice code can refer to besides placeholders.
struct Scope<'a> {
    imports: &'a [Import],
    declared: &'a [String],
}

/// One directive argument: (key, value, column).
pub type Arg = (Option<String>, String, usize);
/// An error at a column of a directive.
type ColumnError = (usize, String);
/// A result about advice code, failing at a syntax node.
type CodeResult<'t> = std::result::Result<Code, (Node<'t>, String)>;

/// One `//rtool:NAME args` comment.
#[derive(Debug, Clone)]
struct Directive {
    name: String,
    args: Vec<Arg>,
    /// The text after the name, and its column.
    rest: String,
    rest_col: usize,
    line: usize,
    col: usize,
}

/// An aspect being assembled from its directives.
struct Pending {
    id: String,
    line: usize,
    col: usize,
    wheres: Vec<(joinpoint::Expr, usize, usize)>,
    advice: Option<(Directive, AdviceSpec)>,
}

#[derive(Debug, Clone)]
enum AdviceSpec {
    Prepend,
    Wrap,
    AppendArgs,
    Inject { new_file: bool },
    Assign(String),
    ReplaceFunction(QualName),
    AddField(String, String),
    AddImport(String),
}

impl AdviceSpec {
    fn needs_code(&self) -> bool {
        matches!(self, AdviceSpec::Prepend | AdviceSpec::Wrap | AdviceSpec::AppendArgs | AdviceSpec::Inject { .. } | AdviceSpec::Assign(_))
    }
}

pub fn parse_file(path: &Path, src: &[u8], builtin: bool) -> Result<Vec<Aspect>> {
    let at = |line: usize, col: usize, msg: String| Error::failed(format!("{}:{line}:{col}: {msg}", path.display()));
    if let Err(e) = std::str::from_utf8(src) {
        let before = &src[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = e.valid_up_to() - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        return Err(at(line, col, "aspect file is not valid UTF-8".into()));
    }
    let tree = gosyntax::parse(src).ok_or_else(|| at(1, 1, "cannot parse aspect file".into()))?;
    let root = tree.root_node();
    if let Some(bad) = gosyntax::first_error(root) {
        let (l, c) = gosyntax::line_col(bad);
        return Err(at(l, c, "syntax error in aspect file".into()));
    }
    let imports = read_imports(root, src, &at)?;
    let declared = declared_names(root, src);
    let scope = Scope { imports: &imports, declared: &declared };

    let mut aspects = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut cursor = root.walk();
    let children: Vec<Node> = root.named_children(&mut cursor).collect();
    let mut i = 0;
    while i < children.len() {
        let node = children[i];
        i += 1;
        match node.kind() {
            "package_clause" | "import_declaration" => continue,
            "comment" => {
                let text = gosyntax::text(node, src);
                let Some(d) = parse_directive(text, node) else { continue };
                let d = d.map_err(|(col, msg)| at(gosyntax::line_col(node).0, col, msg))?;
                if d.name == "aspect" {
                    if let Some(p) = pending.take() {
                        aspects.push(finish(p, None, &[], src, &scope, builtin, path, &at)?);
                    }
                    let id = d.rest.trim().to_string();
                    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                        return Err(at(d.line, d.rest_col, format!("aspect id {id:?}: use letters, digits, '-', '_' or '.'")));
                    }
                    pending = Some(Pending { id, line: d.line, col: d.col, wheres: vec![], advice: None });
                    continue;
                }
                let Some(p) = pending.as_mut() else {
                    return Err(at(d.line, d.col, format!("//rtool:{} outside an aspect (start one with //rtool:aspect ID)", d.name)));
                };
                let ctx = |msg: String| format!("aspect {}: {msg}", p.id);
                if d.name == "where" {
                    let e = joinpoint::parse(&d.rest).map_err(|e| at(d.line, d.rest_col + e.offset, ctx(e.msg)))?;
                    p.wheres.push((e, d.line, d.col));
                    continue;
                }
                let spec = advice_spec(&d).map_err(|(col, msg)| at(d.line, col, ctx(msg)))?;
                if let Some((prev, _)) = &p.advice {
                    return Err(at(
                        d.line,
                        d.col,
                        ctx(format!(
                            "second advice //rtool:{} (the first is //rtool:{} on line {}); write one aspect per advice",
                            d.name, prev.name, prev.line
                        )),
                    ));
                }
                p.advice = Some((d, spec));
            }
            _ => {
                // A declaration: the code of the pending aspect's advice.
                let Some(p) = pending.take() else {
                    let (l, c) = gosyntax::line_col(node);
                    return Err(at(l, c, "declaration outside an aspect (advice code follows an //rtool:aspect group)".into()));
                };
                let mut decls = vec![node];
                if matches!(&p.advice, Some((_, AdviceSpec::Inject { .. }))) {
                    // Inject takes every declaration up to the next directive.
                    while i < children.len() && !is_directive(children[i], src) {
                        decls.push(children[i]);
                        i += 1;
                    }
                }
                aspects.push(finish(p, Some(node), &decls, src, &scope, builtin, path, &at)?);
            }
        }
    }
    if let Some(p) = pending.take() {
        aspects.push(finish(p, None, &[], src, &scope, builtin, path, &at)?);
    }
    Ok(aspects)
}

fn is_directive(node: Node, src: &[u8]) -> bool {
    node.kind() == "comment" && gosyntax::text(node, src).starts_with("//rtool:")
}

#[allow(clippy::too_many_arguments)]
fn finish(
    p: Pending,
    decl: Option<Node>,
    decls: &[Node],
    src: &[u8],
    scope: &Scope,
    builtin: bool,
    path: &Path,
    at: &dyn Fn(usize, usize, String) -> Error,
) -> Result<Aspect> {
    let imports = scope.imports;
    let ctx = |msg: String| format!("aspect {}: {msg}", p.id);
    let join = match p.wheres.len() {
        0 => return Err(at(p.line, p.col, ctx("no //rtool:where join point".into()))),
        1 => p.wheres[0].0.clone(),
        _ => joinpoint::Expr::And(p.wheres.iter().map(|w| w.0.clone()).collect()),
    };
    let kind = join.node_kind().map_err(|m| at(p.wheres[0].1, p.wheres[0].2, ctx(m)))?;
    let Some((d, spec)) = p.advice else {
        return Err(at(
            p.line,
            p.col,
            ctx("no advice (//rtool:prepend, wrap, replace-function, append-args, inject, add-field, import or assign)".into()),
        ));
    };
    let order = match d.args.iter().find(|a| a.0.as_deref() == Some("order")) {
        Some((_, v, col)) => v.parse().map_err(|_| at(d.line, *col, ctx(format!("order={v}: not an integer"))))?,
        None => 0,
    };
    let code_of = |f: &dyn Fn(Node) -> CodeResult| -> Result<Code> {
        let Some(decl) = decl else {
            return Err(at(d.line, d.col, ctx(format!("//rtool:{} needs advice code in the declaration after it", d.name))));
        };
        f(decl).map_err(|(n, m)| {
            let (l, c) = gosyntax::line_col(n);
            at(l, c, ctx(m))
        })
    };
    let advice = match &spec {
        AdviceSpec::Prepend => Advice::Prepend(code_of(&|n| {
            let body = func_body(n)?;
            Ok(code_for(body, src, scope))
        })?),
        AdviceSpec::Wrap => {
            let code = code_of(&|n| single_expression(n, src).map(|e| code_for(e, src, scope)))?;
            let count = code.holes.iter().filter(|h| h.kind == HoleKind::Placeholder("RtoolExpr".into())).count();
            if count != 1 {
                return Err(at(code.line, code.col, ctx(format!("wrap advice must use RtoolExpr exactly once (found {count})"))));
            }
            Advice::Wrap(code)
        }
        AdviceSpec::AppendArgs => Advice::AppendArgs(code_of(&|n| {
            let e = single_expression(n, src)?;
            let args = (e.kind() == "call_expression").then(|| e.child_by_field_name("arguments")).flatten();
            let Some(args) = args.filter(|a| a.named_child_count() > 0) else {
                return Err((e, "append-args advice is a call whose arguments are appended, e.g. func _() { _(a, b) }".into()));
            };
            let (first, last) =
                (args.named_child(0).unwrap_or(args), args.named_child((args.named_child_count() - 1) as u32).unwrap_or(args));
            Ok(code_range(first.start_byte(), last.end_byte(), first, args, src, scope))
        })?),
        AdviceSpec::Assign(var) => Advice::Assign {
            var: var.clone(),
            value: code_of(&|n| {
                let spec = (n.kind() == "var_declaration").then(|| n.named_child(0)).flatten();
                let value = spec.filter(|s| s.kind() == "var_spec").and_then(|s| s.child_by_field_name("value"));
                match value {
                    Some(v) if v.named_child_count() == 1 => Ok(code_for(v, src, scope)),
                    _ => Err((n, "assign advice is written as var _ = VALUE".into())),
                }
            })?,
        },
        AdviceSpec::Inject { .. } if decls.is_empty() => {
            return Err(at(d.line, d.col, ctx("//rtool:inject needs advice code in the declarations after it".into())));
        }
        AdviceSpec::Inject { new_file } => {
            // Comments right above the first declaration (//go:linkname,
            // doc comments) belong to it.
            let mut first = decls[0];
            while let Some(c) = first
                .prev_sibling()
                .filter(|c| c.kind() == "comment" && !is_directive(*c, src) && c.end_position().row + 1 >= first.start_position().row)
            {
                first = c;
            }
            let last = decls[decls.len() - 1];
            Advice::Inject { code: code_range(first.start_byte(), last.end_byte(), first, root_of(first), src, scope), new_file: *new_file }
        }
        AdviceSpec::ReplaceFunction(q) => Advice::ReplaceFunction(q.clone()),
        AdviceSpec::AddField(name, ty) => {
            let col = d.rest_col + d.rest.find(ty.as_str()).unwrap_or(0);
            Advice::AddField { name: name.clone(), ty: qualify_plain(ty, d.line, col, imports) }
        }
        AdviceSpec::AddImport(path) => Advice::AddImport(path.clone()),
    };
    if !advice.applies_to().contains(&kind) {
        let kinds: Vec<String> = advice.applies_to().iter().map(|k| k.to_string()).collect();
        return Err(at(
            d.line,
            d.col,
            ctx(format!("{} advice applies to {} join points, but the join point selects {kind} nodes", advice.name(), kinds.join(" or "))),
        ));
    }
    if let (Some(code), true) = (advice_code(&advice), spec.needs_code()) {
        check_placeholders(code, &advice, kind).map_err(|(off, m)| {
            let (l, c) = code.position(off);
            at(l, c, ctx(m))
        })?;
    }
    Ok(Aspect { id: p.id, file: path.to_path_buf(), line: p.line, builtin, join, kind, advice, order, imports: imports.to_vec() })
}

fn root_of(mut n: Node) -> Node {
    while let Some(p) = n.parent() {
        n = p;
    }
    n
}

fn advice_code(a: &Advice) -> Option<&Code> {
    match a {
        Advice::Prepend(c) | Advice::Wrap(c) | Advice::AppendArgs(c) => Some(c),
        Advice::Inject { code, .. } => Some(code),
        Advice::Assign { value, .. } => Some(value),
        _ => None,
    }
}

/// Placeholders must exist and make sense for the advice and node kind.
fn check_placeholders(code: &Code, advice: &Advice, kind: NodeKind) -> std::result::Result<(), (usize, String)> {
    for h in &code.holes {
        let HoleKind::Placeholder(p) = &h.kind else { continue };
        if !is_placeholder(p) {
            return Err((h.start, format!("unknown placeholder {p} (known: {})", placeholder_list())));
        }
        let ok = match p.as_str() {
            "RtoolExpr" => matches!(advice, Advice::Wrap(_)),
            "RtoolPackage" => true,
            _ => kind == NodeKind::Function || (kind == NodeKind::Call && p.starts_with("RtoolArg_")),
        };
        if !ok {
            return Err((h.start, format!("{p} cannot be used in {} advice on {kind} join points", advice.name())));
        }
    }
    Ok(())
}

fn func_body(n: Node) -> std::result::Result<Node, (Node, String)> {
    let body = (n.kind() == "function_declaration").then(|| n.child_by_field_name("body")).flatten();
    let Some(body) = body else {
        return Err((n, "advice code is written as func _() { … }".into()));
    };
    match body.named_child(0).filter(|s| s.kind() == "statement_list") {
        Some(list) => Ok(list),
        None => Err((body, "advice body is empty".into())),
    }
}

/// The one expression of `func _() { EXPR }` or `func _() T { return EXPR }`.
fn single_expression<'t>(n: Node<'t>, _src: &[u8]) -> std::result::Result<Node<'t>, (Node<'t>, String)> {
    let list = func_body(n)?;
    let shape = "advice is written as func _() { EXPR } with a single expression";
    if list.named_child_count() != 1 {
        return Err((list, shape.into()));
    }
    let stmt = list.named_child(0).ok_or((list, shape.to_string()))?;
    let expr = match stmt.kind() {
        "expression_statement" => stmt.named_child(0),
        "return_statement" => stmt.named_child(0).filter(|l| l.named_child_count() == 1).and_then(|l| l.named_child(0)),
        _ => None,
    };
    expr.ok_or((stmt, shape.into()))
}

fn code_for(node: Node, src: &[u8], scope: &Scope) -> Code {
    code_range(node.start_byte(), node.end_byte(), node, node, src, scope)
}

/// The code of bytes start..end, with holes found in `scope`'s subtree.
fn code_range(start: usize, end: usize, first: Node, within: Node, src: &[u8], scope: &Scope) -> Code {
    let end = start + src[start..end].trim_ascii_end().len();
    let (line, col) = gosyntax::line_col(first);
    let mut holes = Vec::new();
    collect_holes(within, src, scope, start, end, &mut holes);
    holes.sort_by_key(|h| h.start);
    holes.dedup_by_key(|h| h.start);
    Code { text: String::from_utf8_lossy(&src[start..end]).into_owned(), holes, line, col }
}

/// Names declared at the top level of an aspect file: injected code may
/// use them, so they are never taken for misspelt placeholders.
fn declared_names(root: Node, src: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "source_file" | "var_declaration" | "const_declaration" | "type_declaration" | "var_spec_list" => {
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
            "function_declaration" | "var_spec" | "const_spec" | "type_spec" => {
                let mut c = n.walk();
                out.extend(n.children_by_field_name("name", &mut c).map(|x| gosyntax::text(x, src).to_string()));
            }
            _ => {}
        }
    }
    out
}

fn collect_holes(node: Node, src: &[u8], scope: &Scope, start: usize, end: usize, out: &mut Vec<Hole>) {
    if node.end_byte() <= start || node.start_byte() >= end {
        return;
    }
    let hole = |n: Node, kind| Hole { start: n.start_byte() - start, end: n.end_byte() - start, kind };
    match node.kind() {
        "identifier" | "type_identifier" => {
            let t = gosyntax::text(node, src);
            if is_placeholder(t) || (t.starts_with("Rtool") && !scope.declared.iter().any(|x| x == t)) {
                out.push(hole(node, HoleKind::Placeholder(t.to_string())));
            }
            return;
        }
        "selector_expression" => {
            if let Some(op) = node.child_by_field_name("operand").filter(|o| o.kind() == "identifier") {
                let t = gosyntax::text(op, src);
                if scope.imports.iter().any(|i| i.name == t) {
                    out.push(hole(op, HoleKind::Qualifier(t.to_string())));
                }
            }
        }
        "qualified_type" => {
            if let Some(pkg) = node.child_by_field_name("package") {
                let t = gosyntax::text(pkg, src);
                if scope.imports.iter().any(|i| i.name == t) {
                    out.push(hole(pkg, HoleKind::Qualifier(t.to_string())));
                }
            }
        }
        _ => {}
    }
    let mut c = node.walk();
    for child in node.children(&mut c) {
        collect_holes(child, src, scope, start, end, out);
    }
}

/// Holes for a type written in a directive (`//rtool:add-field f pkg.T`).
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

fn read_imports(root: Node, src: &[u8], at: &dyn Fn(usize, usize, String) -> Error) -> Result<Vec<Import>> {
    let mut out: Vec<Import> = Vec::new();
    for spec in gosyntax::import_specs(root) {
        let path = gosyntax::string_value(spec.child_by_field_name("path"), src).unwrap_or_default();
        let (l, c) = gosyntax::line_col(spec);
        let name = match spec.child_by_field_name("name") {
            Some(n) if n.kind() == "dot" => {
                return Err(at(l, c, format!("dot import of {path:?}: aspect files name the packages they use")));
            }
            Some(n) if n.kind() == "blank_identifier" => continue,
            Some(n) => gosyntax::text(n, src).to_string(),
            None => gosyntax::default_import_name(&path),
        };
        if let Some(prev) = out.iter().find(|i| i.name == name) {
            return Err(at(l, c, format!("import name {name} is used for {:?} already", prev.path)));
        }
        out.push(Import { name, path });
    }
    Ok(out)
}

/// Parses a `//rtool:NAME args` comment; None if the comment is not one.
fn parse_directive(text: &str, node: Node) -> Option<std::result::Result<Directive, (usize, String)>> {
    let body = text.strip_prefix("//rtool:")?;
    let (line, col) = gosyntax::line_col(node);
    let name_len = body.find(char::is_whitespace).unwrap_or(body.len());
    let name = body[..name_len].to_string();
    let rest = body[name_len..].trim_start();
    let rest_col = col + text.len() - rest.len();
    let rest = rest.trim_end().to_string();
    if name == "where" || name == "aspect" {
        // Their text is not arguments: the join point parser reads it.
        return Some(Ok(Directive { name, args: vec![], rest, rest_col, line, col }));
    }
    Some(split_args(&rest, rest_col).map(|args| Directive { name, args, rest, rest_col, line, col }))
}

/// Splits `key=value "quoted value" word` into arguments, with the column
/// of each (`col0` being the column of the text).
pub fn split_args(s: &str, col0: usize) -> std::result::Result<Vec<Arg>, ColumnError> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut key = None;
        let mut val = String::new();
        while i < b.len() && !b[i].is_ascii_whitespace() {
            match b[i] {
                b'=' if key.is_none() && !val.is_empty() => {
                    key = Some(std::mem::take(&mut val));
                    i += 1;
                }
                b'"' => {
                    i += 1;
                    loop {
                        match b.get(i) {
                            None => return Err((col0 + start, "unterminated string".into())),
                            Some(b'"') => break,
                            Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\\')) => {
                                val.push(b[i + 1] as char);
                                i += 2;
                            }
                            Some(_) => {
                                let ch = s[i..].chars().next().unwrap_or(' ');
                                val.push(ch);
                                i += ch.len_utf8();
                            }
                        }
                    }
                    i += 1;
                }
                _ => {
                    let ch = s[i..].chars().next().unwrap_or(' ');
                    val.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        out.push((key, val, col0 + start));
    }
    Ok(out)
}

fn advice_spec(d: &Directive) -> std::result::Result<AdviceSpec, (usize, String)> {
    let positional: Vec<&(Option<String>, String, usize)> = d.args.iter().filter(|a| a.0.is_none()).collect();
    let allow = |keys: &[&str], npos: usize| -> std::result::Result<(), (usize, String)> {
        for (k, _, col) in &d.args {
            if let Some(k) = k
                && !keys.contains(&k.as_str())
            {
                return Err((
                    *col,
                    format!(
                        "//rtool:{} has no option {k:?}{}",
                        d.name,
                        if keys.is_empty() { String::new() } else { format!(" (options: {})", keys.join(", ")) }
                    ),
                ));
            }
        }
        if positional.len() != npos {
            return Err((
                d.rest_col,
                format!("//rtool:{} takes {npos} argument{}, got {}", d.name, if npos == 1 { "" } else { "s" }, positional.len()),
            ));
        }
        Ok(())
    };
    Ok(match d.name.as_str() {
        "prepend" => allow(&["order"], 0).map(|_| AdviceSpec::Prepend)?,
        "wrap" => allow(&["order"], 0).map(|_| AdviceSpec::Wrap)?,
        "append-args" => allow(&["order"], 0).map(|_| AdviceSpec::AppendArgs)?,
        "inject" => {
            allow(&["file"], 0)?;
            let new_file = match d.args.iter().find(|a| a.0.as_deref() == Some("file")) {
                None => false,
                Some((_, v, _)) if v == "same" => false,
                Some((_, v, _)) if v == "new" => true,
                Some((_, v, col)) => return Err((*col, format!("file={v}: want same or new"))),
            };
            AdviceSpec::Inject { new_file }
        }
        "assign" => allow(&[], 1).map(|_| AdviceSpec::Assign(positional[0].1.clone()))?,
        "replace-function" => {
            allow(&["order"], 1)?;
            let (v, col) = (&positional[0].1, positional[0].2);
            match v.rsplit_once('.') {
                Some((p, n)) if !p.is_empty() && !n.is_empty() => AdviceSpec::ReplaceFunction(QualName { path: p.into(), name: n.into() }),
                _ => return Err((col, format!("{v:?} is not a qualified function like example.com/pkg.Func"))),
            }
        }
        "add-field" => allow(&[], 2).map(|_| AdviceSpec::AddField(positional[0].1.clone(), positional[1].1.clone()))?,
        "import" => allow(&[], 1).map(|_| AdviceSpec::AddImport(positional[0].1.clone()))?,
        "ignore" => return Err((d.col, "//rtool:ignore belongs in the code to instrument, not in an aspect file".into())),
        other => {
            return Err((
                d.col,
                format!(
                    "unknown directive //rtool:{other} (aspect, where, prepend, wrap, replace-function, append-args, inject, add-field, import, assign)"
                ),
            ));
        }
    })
}

/// For error messages: the placeholders advice code can use.
pub fn placeholder_list() -> String {
    PLACEHOLDERS.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aspect::codec;

    const GOOD: &str = r#"//go:build rtool

package aspects

import (
	"fmt"
	tr "example.com/trace"
)

//rtool:aspect enter
//rtool:where package(example.com/...) && function(name=Handle*)
//rtool:prepend order=-1
func _() {
	defer tr.End(tr.Start(RtoolFuncName, RtoolParam0))
}

//rtool:aspect wrap-get
//rtool:where call(net/http.Get)
//rtool:wrap
func _() { tr.Wrap(RtoolExpr) }

//rtool:aspect redirect
//rtool:where call(os.Exit)
//rtool:replace-function example.com/trace.Exit

//rtool:aspect more-args
//rtool:where call(example.com/db.Open)
//rtool:append-args
func _() { _(tr.Option(), 2) }

//rtool:aspect helpers
//rtool:where package(example.com/app)
//rtool:inject file=new
var counter int

// Count counts.
func Count() { counter++; fmt.Sprint(RtoolHelper) }

func RtoolHelper() {}

//rtool:aspect field
//rtool:where struct(example.com/app.Server)
//rtool:add-field span tr.Span

//rtool:aspect blank
//rtool:where main-module
//rtool:import example.com/trace/auto

//rtool:aspect level
//rtool:where package(example.com/app)
//rtool:assign logLevel
var _ = tr.Level(3)
"#;

    #[test]
    fn reads_every_advice_kind() {
        let aspects = parse_file(Path::new("/a/aspects.go"), GOOD.as_bytes(), false).unwrap();
        let kinds: Vec<&str> = aspects.iter().map(|a| a.advice.name()).collect();
        assert_eq!(kinds, ["prepend", "wrap", "replace-function", "append-args", "inject", "add-field", "import", "assign"]);
        let enter = &aspects[0];
        assert_eq!((enter.id.as_str(), enter.line, enter.order, enter.kind), ("enter", 10, -1, NodeKind::Function));
        let Advice::Prepend(code) = &enter.advice else { panic!() };
        assert_eq!(code.text, "defer tr.End(tr.Start(RtoolFuncName, RtoolParam0))");
        assert_eq!((code.line, code.col), (14, 2));
        let holes: Vec<&HoleKind> = code.holes.iter().map(|h| &h.kind).collect();
        assert_eq!(
            holes,
            [
                &HoleKind::Qualifier("tr".into()),
                &HoleKind::Qualifier("tr".into()),
                &HoleKind::Placeholder("RtoolFuncName".into()),
                &HoleKind::Placeholder("RtoolParam0".into())
            ]
        );
        let Advice::AppendArgs(args) = &aspects[3].advice else { panic!() };
        assert_eq!(args.text, "tr.Option(), 2");
        let Advice::Inject { code, new_file } = &aspects[4].advice else { panic!() };
        assert!(*new_file && code.text.starts_with("var counter int") && code.text.ends_with("func RtoolHelper() {}"));
        // A name the aspect file declares is not a (misspelt) placeholder.
        assert!(code.holes.iter().all(|h| h.kind != HoleKind::Placeholder("RtoolHelper".into())));
        let Advice::AddField { name, ty } = &aspects[5].advice else { panic!() };
        assert_eq!((name.as_str(), ty.holes.len()), ("span", 1));
        assert_eq!(aspects[0].imports[1], Import { name: "tr".into(), path: "example.com/trace".into() });
        // The memo form reads back identically.
        assert_eq!(codec::decode(&codec::encode(&aspects)).unwrap(), aspects);
    }

    fn err(src: &str) -> String {
        parse_file(Path::new("/a/x.go"), src.as_bytes(), false).unwrap_err().to_string()
    }

    #[test]
    fn errors_carry_positions() {
        let head = "package a\n\n";
        assert_eq!(
            err(&format!("{head}//rtool:where std\n")),
            "/a/x.go:3:1: //rtool:where outside an aspect (start one with //rtool:aspect ID)"
        );
        assert_eq!(
            err(&format!("{head}//rtool:aspect a\n//rtool:where function(nam=x)\n")),
            "/a/x.go:4:24: aspect a: function(…) has no key \"nam\" (name, receiver, params, results)"
        );
        assert!(
            err(&format!("{head}//rtool:aspect a\n//rtool:where call(a.F)\n//rtool:prepend\nfunc _() {{ f() }}\n"))
                .starts_with("/a/x.go:5:1: aspect a: prepend advice applies to function")
        );
        assert!(
            err(&format!("{head}//rtool:aspect a\n//rtool:where call(a.F)\n//rtool:wrap\nfunc _() {{ g() }}\n"))
                .starts_with("/a/x.go:6:12: aspect a: wrap advice must use RtoolExpr exactly once")
        );
        assert!(
            err(&format!("{head}//rtool:aspect a\n//rtool:prepend\nfunc _() {{ f() }}\n"))
                .starts_with("/a/x.go:3:1: aspect a: no //rtool:where")
        );
        assert!(
            err(&format!("{head}//rtool:aspect a\n//rtool:where function(name=f)\n//rtool:prepend\nfunc _() {{ RtoolFuncNam() }}\n"))
                .starts_with("/a/x.go:6:12: aspect a: unknown placeholder RtoolFuncNam")
        );
        assert!(err(&format!("{head}func f() {{\n")).starts_with("/a/x.go:"));
        assert!(err(&format!("{head}import . \"fmt\"\n")).starts_with("/a/x.go:3:8: dot import"));
        assert!(err(&format!("{head}//rtool:aspect a b\n")).contains("aspect id"));
        let bad = parse_file(Path::new("/a/x.go"), b"package a\n// \xff\n", false).unwrap_err().to_string();
        assert_eq!(bad, "/a/x.go:2:4: aspect file is not valid UTF-8");
        assert!(
            err(&format!("{head}//rtool:aspect a\n//rtool:where std\n//rtool:inject file=odd\nvar x int\n"))
                .starts_with("/a/x.go:5:16: aspect a: file=odd")
        );
    }
}

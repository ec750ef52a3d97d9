//! Join points: where an aspect applies, written as an expression in
//! `//rtool:where` directives and evaluated on plain facts about a package
//! and a syntax node (no type checker: names are resolved through imports).
//!
//! ```text
//! expr  := or
//! or    := and ( "||" and )*
//! and   := unary ( "&&" unary )*
//! unary := "!" unary | "(" expr ")" | atom
//! atom  := NAME [ "(" [ arg ( "," arg )* ] ")" ]
//! arg   := VALUE | KEY "=" VALUE        VALUE: bare word or "quoted"
//! ```

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Atom(Atom),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// `package(PATTERN)`: import path, `...` matching any text.
    Package(String),
    /// `package-name(NAME)`.
    PackageName(String),
    /// `main-module`: a package of the main module.
    MainModule,
    /// `std`: a standard-library package.
    Std,
    /// `test-main`: the generated main package of a test binary.
    TestMain,
    /// `function(name=PAT, receiver=T|*T|any|none, params=TEXT, results=TEXT)`.
    Function(FuncFilter),
    /// `directive(NAME)`: a function (declaration or literal) carrying `//NAME`.
    Directive(String),
    /// `call(PATH.Func)`: a call of a package-level function.
    Call(QualName),
    /// `struct(PATH.T)`: the definition of struct type T.
    Struct(QualName),
    /// `literal(PATH.T, field=F, match=any|value|pointer)`: a composite literal.
    Literal { ty: QualName, field: Option<String>, mode: LitMode },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FuncFilter {
    pub name: Option<String>,
    pub receiver: Option<String>,
    pub params: Option<String>,
    pub results: Option<String>,
}

/// `import/path.Name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualName {
    pub path: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LitMode {
    Any,
    Value,
    Pointer,
}

/// The kind of syntax node an aspect's join point selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// No node: the aspect applies to whole packages.
    Package,
    Function,
    Call,
    Struct,
    Literal,
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NodeKind::Package => "package",
            NodeKind::Function => "function",
            NodeKind::Call => "call",
            NodeKind::Struct => "struct",
            NodeKind::Literal => "literal",
        })
    }
}

/// Facts about the package being compiled.
#[derive(Debug, Clone, Default)]
pub struct PackageInfo {
    pub path: String,
    pub name: String,
    pub std: bool,
    pub main_module: bool,
    pub test_main: bool,
}

/// Facts about one candidate node, extracted from the syntax tree.
#[derive(Debug, Clone)]
pub enum NodeInfo {
    Function {
        /// A function literal (matched by `directive`, not `function`).
        literal: bool,
        /// Empty for function literals.
        name: String,
        /// (pointer, base type name without type parameters).
        receiver: Option<(bool, String)>,
        /// One entry per parameter (`a, b int` gives two), as written.
        params: Vec<String>,
        results: Vec<String>,
        /// Directive comments on the function: (name, raw argument text).
        directives: Vec<(String, String)>,
    },
    Call {
        /// The callee's package path (resolved through imports), and name.
        path: String,
        name: String,
    },
    Struct {
        name: String,
    },
    Literal {
        path: String,
        name: String,
        pointer: bool,
        fields: Vec<String>,
    },
}

/// Three-valued truth, for deciding on a package before looking at nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    No,
    Maybe,
    Yes,
}

impl Expr {
    /// The node kind selected, or an error naming the mix of kinds.
    pub fn node_kind(&self) -> Result<NodeKind, String> {
        let mut kinds = Vec::new();
        self.collect_kinds(&mut kinds);
        kinds.dedup();
        match kinds.as_slice() {
            [] => Ok(NodeKind::Package),
            [k] => Ok(*k),
            _ => Err(format!(
                "join point mixes {} nodes; an aspect selects one kind of node",
                kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" and ")
            )),
        }
    }

    fn collect_kinds(&self, out: &mut Vec<NodeKind>) {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.collect_kinds(out)),
            Expr::Not(e) => e.collect_kinds(out),
            Expr::Atom(a) => {
                let k = match a {
                    Atom::Function(_) | Atom::Directive(_) => NodeKind::Function,
                    Atom::Call(_) => NodeKind::Call,
                    Atom::Struct(_) => NodeKind::Struct,
                    Atom::Literal { .. } => NodeKind::Literal,
                    _ => return,
                };
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
    }

    /// Whether the aspect can apply in `pkg`, node atoms being unknown.
    pub fn eval_package(&self, pkg: &PackageInfo) -> Tri {
        match self {
            Expr::And(v) => v.iter().fold(Tri::Yes, |acc, e| match (acc, e.eval_package(pkg)) {
                (Tri::No, _) | (_, Tri::No) => Tri::No,
                (Tri::Yes, Tri::Yes) => Tri::Yes,
                _ => Tri::Maybe,
            }),
            Expr::Or(v) => v.iter().fold(Tri::No, |acc, e| match (acc, e.eval_package(pkg)) {
                (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
                (Tri::No, Tri::No) => Tri::No,
                _ => Tri::Maybe,
            }),
            Expr::Not(e) => match e.eval_package(pkg) {
                Tri::Yes => Tri::No,
                Tri::No => Tri::Yes,
                Tri::Maybe => Tri::Maybe,
            },
            Expr::Atom(a) => match a.eval_package(pkg) {
                Some(true) => Tri::Yes,
                Some(false) => Tri::No,
                None => Tri::Maybe,
            },
        }
    }

    pub fn eval(&self, pkg: &PackageInfo, node: &NodeInfo) -> bool {
        match self {
            Expr::And(v) => v.iter().all(|e| e.eval(pkg, node)),
            Expr::Or(v) => v.iter().any(|e| e.eval(pkg, node)),
            Expr::Not(e) => !e.eval(pkg, node),
            Expr::Atom(a) => a.eval_package(pkg).unwrap_or_else(|| a.eval_node(pkg, node)),
        }
    }

    /// Strings one of which a file must contain to hold a match, or None if
    /// any file may match. Sound, not tight: used only to skip parsing.
    pub fn needles(&self) -> Option<Vec<String>> {
        self.one_of_required(&Atom::needles)
    }

    /// Import paths the expression names (calls, literals) one of which a
    /// package must import (or be) to hold a match, or None.
    pub fn imported_paths(&self) -> Option<Vec<String>> {
        self.one_of_required(&|a| match a {
            Atom::Call(q) | Atom::Literal { ty: q, .. } => Some(vec![q.path.clone()]),
            _ => None,
        })
    }

    /// Given what each atom requires (one of some strings, or nothing), what
    /// the whole expression requires: `&&` the smallest requirement of its
    /// parts, `||` one of any part's, `!` nothing.
    fn one_of_required(&self, atom: &dyn Fn(&Atom) -> Option<Vec<String>>) -> Option<Vec<String>> {
        match self {
            Expr::And(v) => v.iter().filter_map(|e| e.one_of_required(atom)).min_by_key(Vec::len),
            Expr::Or(v) => v.iter().map(|e| e.one_of_required(atom)).collect::<Option<Vec<_>>>().map(|v| v.concat()),
            Expr::Not(_) => None,
            Expr::Atom(a) => atom(a),
        }
    }

    /// Every atom of the expression, in order.
    pub fn atoms(&self) -> Vec<&Atom> {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter().flat_map(Expr::atoms).collect(),
            Expr::Not(e) => e.atoms(),
            Expr::Atom(a) => vec![a],
        }
    }

    /// Whether the expression asks for the package name (which costs a
    /// file read to learn).
    pub fn uses_package_name(&self) -> bool {
        self.atoms().iter().any(|a| matches!(a, Atom::PackageName(_)))
    }

    /// The directive names this expression asks for (`directive(NAME)`).
    pub fn directive_names(&self) -> Vec<String> {
        self.atoms().into_iter().filter_map(|a| if let Atom::Directive(d) = a { Some(d.clone()) } else { None }).collect()
    }
}

impl Atom {
    /// Some(answer) for package atoms, None for node atoms.
    fn eval_package(&self, pkg: &PackageInfo) -> Option<bool> {
        Some(match self {
            Atom::Package(p) => path_matches(p, &pkg.path),
            Atom::PackageName(n) => *n == pkg.name,
            Atom::MainModule => pkg.main_module,
            Atom::Std => pkg.std,
            Atom::TestMain => pkg.test_main,
            // A struct definition lives in its own package.
            Atom::Struct(q) if q.path != pkg.path => false,
            _ => return None,
        })
    }

    fn eval_node(&self, pkg: &PackageInfo, node: &NodeInfo) -> bool {
        match (self, node) {
            (Atom::Function(f), NodeInfo::Function { literal, name, receiver, params, results, .. }) => {
                !literal
                    && f.name.as_ref().is_none_or(|p| glob(p, name))
                    && f.receiver.as_ref().is_none_or(|r| receiver_matches(r, receiver.as_ref()))
                    && f.params.as_ref().is_none_or(|p| types_match(p, params))
                    && f.results.as_ref().is_none_or(|r| types_match(r, results))
            }
            (Atom::Directive(d), NodeInfo::Function { directives, .. }) => directives.iter().any(|(n, _)| n == d),
            (Atom::Call(q), NodeInfo::Call { path, name }) => q.path == *path && q.name == *name,
            (Atom::Struct(q), NodeInfo::Struct { name }) => q.path == pkg.path && q.name == *name,
            (Atom::Literal { ty, field, mode }, NodeInfo::Literal { path, name, pointer, fields }) => {
                ty.path == *path
                    && ty.name == *name
                    && match mode {
                        LitMode::Any => true,
                        LitMode::Value => !pointer,
                        LitMode::Pointer => *pointer,
                    }
                    && field.as_ref().is_none_or(|f| fields.contains(f))
            }
            _ => false,
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        let literal_part = |p: &str| p.split('*').max_by_key(|s| s.len()).filter(|s| !s.is_empty()).map(str::to_string);
        match self {
            Atom::Function(f) => {
                let name = f.name.as_deref().and_then(literal_part);
                let receiver = f
                    .receiver
                    .as_deref()
                    .filter(|r| !matches!(*r, "any" | "none"))
                    .map(|r| r.trim_start_matches('*'))
                    .and_then(literal_part);
                match (name, receiver) {
                    // A plain function's declaration reads `func NAME` (gofmt
                    // spacing): far rarer than NAME alone (`send` in net/http).
                    (Some(n), None) if f.receiver.as_deref() == Some("none") && f.name.as_deref() == Some(n.as_str()) => {
                        Some(vec![format!("func {n}")])
                    }
                    // A method's file holds both names; the longer is likely the rarer.
                    (Some(n), Some(r)) => Some(vec![if r.len() > n.len() { r } else { n }]),
                    (n, r) => n.or(r).map(|x| vec![x]),
                }
            }
            Atom::Directive(d) => Some(vec![format!("//{d}")]),
            Atom::Call(q) | Atom::Struct(q) | Atom::Literal { ty: q, .. } => Some(vec![q.name.clone()]),
            _ => None,
        }
    }
}

/// Go-style import path patterns: `...` matches any text, and `p/...`
/// also matches `p` itself. Without `...`, the path must be equal.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/...")
        && path == prefix
    {
        return true;
    }
    wildcard(&pattern.split("...").collect::<Vec<_>>(), path)
}

/// Name patterns: `*` matches any text.
pub fn glob(pattern: &str, name: &str) -> bool {
    wildcard(&pattern.split('*').collect::<Vec<_>>(), name)
}

fn wildcard(parts: &[&str], text: &str) -> bool {
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return text.is_empty(),
    };
    let Some(mut text) = text.strip_prefix(first) else { return false };
    let Some((last, middle)) = rest.split_last() else { return text.is_empty() };
    for part in middle {
        match text.find(part) {
            Some(i) => text = &text[i + part.len()..],
            None => return false,
        }
    }
    text.len() >= last.len() && text.ends_with(last)
}

fn receiver_matches(want: &str, got: Option<&(bool, String)>) -> bool {
    match (want, got) {
        ("any", got) => got.is_some(),
        ("none", got) => got.is_none(),
        (_, None) => false,
        // Type parameters in the pattern are ignored, as in the receiver.
        (w, Some((ptr, name))) => match w.split('[').next().unwrap_or(w).strip_prefix('*') {
            Some(base) => *ptr && glob(base, name),
            None => !*ptr && glob(w.split('[').next().unwrap_or(w), name),
        },
    }
}

/// Compares a written type list ("int, []string") with the node's types,
/// ignoring spaces.
fn types_match(want: &str, got: &[String]) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let want: Vec<String> = if want.trim().is_empty() { vec![] } else { split_top_level(want).iter().map(|s| norm(s)).collect() };
    want.len() == got.len() && want.iter().zip(got).all(|(w, g)| *w == norm(g))
}

/// Splits at commas outside brackets and parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

// ---- parsing ----

/// A parse error at a byte offset of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub msg: String,
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut p = Parser { s: text, pos: 0, depth: 0 };
    let e = p.or()?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.err(format!("unexpected {:?}", &text[p.pos..])));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, msg: String) -> ParseError {
        ParseError { offset: self.pos, msg }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.s[self.pos..].chars().next().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.s[self.pos..].starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut v = vec![self.and()?];
        while self.eat("||") {
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Expr::Or(v) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut v = vec![self.unary()?];
        while self.eat("&&") {
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Expr::And(v) })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("join point nested more than {MAX_DEPTH} deep")));
        }
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return Err(self.err("missing )".into()));
            }
            return Ok(e);
        }
        self.atom()
    }

    fn word(&mut self) -> &str {
        self.skip_ws();
        let start = self.pos;
        let rest = &self.s[start..];
        let len = rest.find(|c: char| c.is_whitespace() || "(),=&|!\"".contains(c)).unwrap_or(rest.len());
        self.pos += len;
        &self.s[start..start + len]
    }

    fn value(&mut self) -> Result<String, ParseError> {
        self.skip_ws();
        if !self.s[self.pos..].starts_with('"') {
            let w = self.word().to_string();
            if w.is_empty() {
                return Err(self.err("expected a value".into()));
            }
            return Ok(w);
        }
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.s[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, c @ ('"' | '\\'))) => out.push(c),
                    _ => {
                        self.pos += i;
                        return Err(self.err("only \\\" and \\\\ escapes are allowed".into()));
                    }
                },
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.err("unterminated string".into()))
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let at = {
            self.skip_ws();
            self.pos
        };
        let name = self.word().to_string();
        if name.is_empty() {
            return Err(self.err("expected a join point such as function(name=Foo)".into()));
        }
        let mut args: Vec<(Option<String>, String, usize)> = Vec::new();
        if self.eat("(") && !self.eat(")") {
            loop {
                self.skip_ws();
                let arg_at = self.pos;
                let first = self.value()?;
                if self.eat("=") {
                    args.push((Some(first), self.value()?, arg_at));
                } else {
                    args.push((None, first, arg_at));
                }
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.err("expected , or )".into()));
                }
            }
        }
        let atom = build_atom(&name, &args).map_err(|(offset, msg)| ParseError { offset: offset.unwrap_or(at), msg })?;
        Ok(Expr::Atom(atom))
    }
}

type Args = [(Option<String>, String, usize)];

fn build_atom(name: &str, args: &Args) -> Result<Atom, (Option<usize>, String)> {
    let one = |what: &str| -> Result<String, (Option<usize>, String)> {
        match args {
            [(None, v, _)] => Ok(v.clone()),
            _ => Err((None, format!("{name}(…) takes one argument, {what}"))),
        }
    };
    let none = || -> Result<(), (Option<usize>, String)> {
        if args.is_empty() { Ok(()) } else { Err((Some(args[0].2), format!("{name} takes no arguments"))) }
    };
    let qual = |s: String| -> Result<QualName, (Option<usize>, String)> {
        match s.rsplit_once('.') {
            Some((path, name)) if !path.is_empty() && !name.is_empty() && !path.ends_with('/') => {
                Ok(QualName { path: path.to_string(), name: name.to_string() })
            }
            _ => Err((args.first().map(|a| a.2), format!("{s:?} is not a qualified name like net/http.Get"))),
        }
    };
    Ok(match name {
        "package" => Atom::Package(one("an import path pattern")?),
        "package-name" => Atom::PackageName(one("a package name")?),
        "main-module" => none().map(|_| Atom::MainModule)?,
        "std" => none().map(|_| Atom::Std)?,
        "test-main" => none().map(|_| Atom::TestMain)?,
        "directive" => Atom::Directive(one("a directive name such as rtool:span")?),
        "call" => Atom::Call(qual(one("a function such as net/http.Get")?)?),
        "struct" => Atom::Struct(qual(one("a type such as net/http.Server")?)?),
        "function" => {
            let mut f = FuncFilter::default();
            for (k, v, at) in args {
                let slot = match k.as_deref() {
                    Some("name") | None => &mut f.name,
                    Some("receiver") => &mut f.receiver,
                    Some("params") => &mut f.params,
                    Some("results") => &mut f.results,
                    Some(k) => return Err((Some(*at), format!("function(…) has no key {k:?} (name, receiver, params, results)"))),
                };
                *slot = Some(v.clone());
            }
            Atom::Function(f)
        }
        "literal" => {
            let (mut ty, mut field, mut mode) = (None, None, LitMode::Any);
            for (k, v, at) in args {
                match k.as_deref() {
                    None | Some("type") => ty = Some(qual(v.clone())?),
                    Some("field") => field = Some(v.clone()),
                    Some("match") => {
                        mode = match v.as_str() {
                            "any" => LitMode::Any,
                            "value" => LitMode::Value,
                            "pointer" => LitMode::Pointer,
                            _ => return Err((Some(*at), format!("match={v}: want any, value or pointer"))),
                        }
                    }
                    Some(k) => return Err((Some(*at), format!("literal(…) has no key {k:?} (type, field, match)"))),
                }
            }
            let ty = ty.ok_or((None, "literal(…) needs a type such as example.com/pkg.T".to_string()))?;
            Atom::Literal { ty, field, mode }
        }
        _ => {
            return Err((
                None,
                format!(
                    "unknown join point {name:?} (package, package-name, main-module, std, test-main, \
                     function, directive, call, struct, literal)"
                ),
            ));
        }
    })
}

// ---- printing: the canonical text, parsed back by `parse` ----

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, v: &[Expr], op: &str| -> fmt::Result {
            f.write_str("(")?;
            for (i, e) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{e}")?;
            }
            f.write_str(")")
        };
        match self {
            Expr::And(v) => join(f, v, "&&"),
            Expr::Or(v) => join(f, v, "||"),
            Expr::Not(e) => write!(f, "!{e}"),
            Expr::Atom(a) => write!(f, "{a}"),
        }
    }
}

fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Package(p) => write!(f, "package({})", q(p)),
            Atom::PackageName(n) => write!(f, "package-name({})", q(n)),
            Atom::MainModule => f.write_str("main-module"),
            Atom::Std => f.write_str("std"),
            Atom::TestMain => f.write_str("test-main"),
            Atom::Directive(d) => write!(f, "directive({})", q(d)),
            Atom::Call(n) => write!(f, "call({})", q(&format!("{}.{}", n.path, n.name))),
            Atom::Struct(n) => write!(f, "struct({})", q(&format!("{}.{}", n.path, n.name))),
            Atom::Function(ff) => {
                let mut parts = Vec::new();
                for (k, v) in [("name", &ff.name), ("receiver", &ff.receiver), ("params", &ff.params), ("results", &ff.results)] {
                    if let Some(v) = v {
                        parts.push(format!("{k}={}", q(v)));
                    }
                }
                write!(f, "function({})", parts.join(", "))
            }
            Atom::Literal { ty, field, mode } => {
                write!(f, "literal({}", q(&format!("{}.{}", ty.path, ty.name)))?;
                if let Some(fl) = field {
                    write!(f, ", field={}", q(fl))?;
                }
                match mode {
                    LitMode::Any => {}
                    LitMode::Value => f.write_str(", match=value")?,
                    LitMode::Pointer => f.write_str(", match=pointer")?,
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn func(name: &str, recv: Option<(bool, &str)>, params: &[&str], results: &[&str]) -> NodeInfo {
        NodeInfo::Function {
            literal: name.is_empty(),
            name: name.into(),
            receiver: recv.map(|(p, n)| (p, n.to_string())),
            params: params.iter().map(|s| s.to_string()).collect(),
            results: results.iter().map(|s| s.to_string()).collect(),
            directives: vec![],
        }
    }

    fn pkg(path: &str) -> PackageInfo {
        PackageInfo { path: path.into(), name: path.rsplit('/').next().unwrap().into(), ..Default::default() }
    }

    #[test]
    fn parses_and_prints_back() {
        for src in [
            r#"package("net/...") && function(name="Serve*", receiver="*Server")"#,
            r#"call("database/sql.Open") || !std"#,
            r#"literal("net/http.Client", field="Transport", match=pointer)"#,
            r#"function(params="int, []string", results="error")"#,
        ] {
            let e = parse(src).unwrap();
            assert_eq!(parse(&e.to_string()).unwrap(), e, "{src} -> {e}");
        }
        let e = parse("package(net/http) && (function(Get) || function(name=Post*))").unwrap();
        assert_eq!(e.node_kind(), Ok(NodeKind::Function));
    }

    #[test]
    fn errors_point_into_the_text() {
        let bad = |s: &str| parse(s).unwrap_err();
        assert_eq!(bad("function(nam=x)").offset, 9);
        assert!(bad("function(nam=x)").msg.contains("no key \"nam\""));
        assert!(bad("frobnicate").msg.contains("unknown join point"));
        assert_eq!(bad("package(x) &&").offset, 13);
        assert!(bad("(std").msg.contains("missing )"));
        assert!(bad(r#"package("x)"#).msg.contains("unterminated"));
        assert!(bad("call(Open)").msg.contains("qualified name"));
        assert!(bad("std(x)").msg.contains("no arguments"));
        assert!(parse("call(a.B) && struct(a.T)").unwrap().node_kind().unwrap_err().contains("mixes"));
        assert!(bad(&"(".repeat(10_000)).msg.contains("nested more than"));
        assert!(bad(&"!".repeat(10_000)).msg.contains("nested more than"));
        assert!(parse("std\u{a0}&& main-module").is_ok());
    }

    #[test]
    fn package_patterns() {
        assert!(path_matches("net/...", "net"));
        assert!(path_matches("net/...", "net/http/httptest"));
        assert!(!path_matches("net/...", "network"));
        assert!(path_matches("example.com/.../internal", "example.com/a/b/internal"));
        assert!(!path_matches("fmt", "fmt/x"));
        assert!(glob("Serve*", "ServeHTTP") && glob("*HTTP", "ServeHTTP") && glob("*", "x"));
        assert!(!glob("Serve*", "Handle"));
    }

    #[test]
    fn evaluates_functions() {
        let p = pkg("example.com/app");
        let e = parse(r#"function(name="Handle*", receiver="*Server", params="context.Context, int", results="error")"#).unwrap();
        assert!(e.eval(&p, &func("HandleX", Some((true, "Server")), &["context.Context", "int"], &["error"])));
        assert!(!e.eval(&p, &func("HandleX", Some((false, "Server")), &["context.Context", "int"], &["error"])));
        assert!(!e.eval(&p, &func("HandleX", Some((true, "Server")), &["context.Context"], &["error"])));
        let none = parse("function(receiver=none)").unwrap();
        assert!(none.eval(&p, &func("f", None, &[], &[])) && !none.eval(&p, &func("f", Some((false, "T")), &[], &[])));
        // Function literals have no name: a name filter never matches them.
        assert!(!parse("function(name=*)").unwrap().eval(&p, &func("", None, &[], &[])));
    }

    #[test]
    fn package_level_decisions_are_three_valued() {
        let e = parse(r#"package("net/...") && function(name=Get)"#).unwrap();
        assert_eq!(e.eval_package(&pkg("net/http")), Tri::Maybe);
        assert_eq!(e.eval_package(&pkg("fmt")), Tri::No);
        assert_eq!(parse("!std").unwrap().eval_package(&pkg("fmt")), Tri::Yes);
        let s = parse("struct(net/http.Server)").unwrap();
        assert_eq!(s.eval_package(&pkg("example.com/app")), Tri::No);
        assert_eq!(s.eval_package(&pkg("net/http")), Tri::Maybe);
    }

    #[test]
    fn needles_are_sound() {
        assert_eq!(parse("function(name=Serve*)").unwrap().needles(), Some(vec!["Serve".into()]));
        assert_eq!(parse("function(name=*)").unwrap().needles(), None);
        assert_eq!(parse("function(name=ServeHTTP, receiver=serverHandler)").unwrap().needles(), Some(vec!["serverHandler".into()]));
        assert_eq!(parse("function(name=QueryContext, receiver=*DB)").unwrap().needles(), Some(vec!["QueryContext".into()]));
        assert_eq!(parse("function(name=send, receiver=none)").unwrap().needles(), Some(vec!["func send".into()]));
        assert_eq!(parse("function(name=send*, receiver=none)").unwrap().needles(), Some(vec!["send".into()]));
        assert_eq!(parse("function(receiver=*Server)").unwrap().needles(), Some(vec!["Server".into()]));
        assert_eq!(parse("std && directive(rtool:span)").unwrap().needles(), Some(vec!["//rtool:span".into()]));
        assert_eq!(parse("call(a.F) || function(name=*)").unwrap().needles(), None);
        assert_eq!(parse("call(a.F) || call(b.G)").unwrap().needles(), Some(vec!["F".into(), "G".into()]));
        assert_eq!(parse("call(a.F) || call(b.G)").unwrap().imported_paths(), Some(vec!["a".into(), "b".into()]));
    }
}

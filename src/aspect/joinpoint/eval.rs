//! Deciding matches: an expression evaluated on the facts about a package
//! (three-valued, before any file is read) and about one syntax node; and
//! the patterns atoms use (import paths with `...`, names with `*`,
//! receivers, type lists).

use super::{Atom, Expr, LitMode, NodeInfo, PackageInfo, Tri};

impl Expr {
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
            Atom::ModuleVersion { min, below } => {
                pkg.module_version.as_deref().is_none_or(|v| crate::modversion::in_range(v, min.as_deref(), below.as_deref()))
            }
            // A struct definition lives in its own package.
            Atom::Struct(q) if q.path != pkg.path => false,
            Atom::Struct(_) | Atom::Function(_) | Atom::Directive(_) | Atom::Call(_) | Atom::Literal { .. } => return None,
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

#[cfg(test)]
mod tests {
    use super::super::parse;
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
}

//! Advice code instantiated at a join point: placeholders filled from the
//! bindings, import qualifiers replaced by rtool's aliases.

use super::*;
/// For the placeholders the planner's other parts ask about (`function`).
pub(super) use crate::aspect::Placeholder;

/// The parameter names listed (comma-separated) by directive argument `key`.
pub(super) fn arg_param_names<'b>(b: &'b Bindings, key: &str) -> Vec<&'b str> {
    let list = b.directive_args.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str());
    list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect()
}

/// An `RtoolArgParams_KEY` of `code` naming something that is not a
/// parameter, described.
pub(super) fn unknown_arg_params(code: &Code, b: &Bindings) -> Option<String> {
    for h in &code.holes {
        let HoleKind::Placeholder(Placeholder::ArgParams(key)) = &h.kind else { continue };
        if let Some(bad) = arg_param_names(b, key).into_iter().find(|n| *n == "_" || !b.params.iter().any(|q| q == n)) {
            return Some(format!("the directive's {key}= names {bad:?}, which is not a parameter of {}", b.func_name));
        }
    }
    None
}

/// A placeholder of `code` that `f` has nothing for, described.
pub(super) fn missing_binding(code: &Code, f: &FuncParts) -> Option<String> {
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    for h in &code.holes {
        let HoleKind::Placeholder(p) = &h.kind else { continue };
        match p {
            Placeholder::Param(i) if *i >= f.params.len() => {
                return Some(format!("{p}, but {} has {}", f.display, count(f.params.len(), "parameter")));
            }
            Placeholder::Result(i) if *i >= f.results.len() => {
                return Some(format!("{p}, but {} has {}", f.display, count(f.results.len(), "result")));
            }
            Placeholder::Receiver if f.receiver.is_none() => return Some(format!("{p}, but {} has no receiver", f.display)),
            _ => {}
        }
    }
    None
}

/// The alias rtool uses for an import it adds.
pub(super) fn alias_for(aliases: &mut BTreeMap<String, String>, path: &str) -> String {
    if let Some(a) = aliases.get(path) {
        return a.clone();
    }
    let base: String = gosyntax::default_import_name(path).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let mut alias = format!("__rtool_{base}");
    let mut n = 1;
    while aliases.values().any(|a| *a == alias) {
        n += 1;
        alias = format!("__rtool_{base}{n}");
    }
    aliases.insert(path.to_string(), alias.clone());
    alias
}

/// The code's text with its holes filled, split at each hole (so that a
/// wrap can find `RtoolExpr`): pieces[i] ends where hole i was.
pub(super) fn instantiate(code: &Code, a: &Aspect, b: &Bindings, aliases: &mut BTreeMap<String, String>, pkg: &PackageInfo) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut last = 0;
    for h in &code.holes {
        cur.push_str(&code.text[last..h.start]);
        last = h.end;
        match &h.kind {
            HoleKind::Qualifier(name) => match a.imports.iter().find(|i| i.name == *name) {
                Some(imp) if imp.path == pkg.path => {
                    // Advice naming the package it is injected into: drop
                    // the qualifier and its dot.
                    if code.text[h.end..].starts_with('.') {
                        last += 1;
                    }
                }
                Some(imp) => cur.push_str(&alias_for(aliases, &imp.path)),
                None => cur.push_str(name),
            },
            HoleKind::Placeholder(Placeholder::Expr) => {
                parts.push(std::mem::take(&mut cur));
            }
            HoleKind::Placeholder(p) => cur.push_str(&placeholder_value(p, b, pkg)),
        }
    }
    cur.push_str(&code.text[last..]);
    parts.push(cur);
    parts
}

pub(super) fn placeholder_value(p: &Placeholder, b: &Bindings, pkg: &PackageInfo) -> String {
    let listed = |names: Vec<String>, ty: &str| format!("[]{ty}{{{}}}", names.join(", "));
    match p {
        Placeholder::FuncName => go_quote(&b.func_name),
        Placeholder::Package => go_quote(&pkg.path),
        Placeholder::Receiver => b.receiver.clone().unwrap_or_else(|| "nil".into()),
        Placeholder::ParamValues => listed(b.params.iter().filter(|n| *n != "_" && !n.is_empty()).cloned().collect(), "any"),
        Placeholder::ParamNames => listed(b.params.iter().map(|n| go_quote(n)).collect(), "string"),
        Placeholder::Param(i) => b.params.get(*i).cloned().unwrap_or_else(|| "nil".into()),
        Placeholder::Result(i) => b.results.get(*i).cloned().unwrap_or_else(|| "nil".into()),
        Placeholder::ArgParams(k) => match arg_param_names(b, k) {
            named if named.is_empty() => "nil".into(),
            named => listed(named.iter().map(|n| format!("{}, {n}", go_quote(n))).collect(), "any"),
        },
        Placeholder::Arg(k) => go_quote(b.directive_args.iter().find(|(key, _)| key == k).map_or("", |(_, v)| v.as_str())),
        // `instantiate` splits the code there: the wrapped expression goes in.
        Placeholder::Expr => p.to_string(),
    }
}

/// Where code (from byte `off`) sits in its aspect file.
pub(super) fn aspect_pos(a: &Aspect, code: &Code, off: usize) -> Pos {
    let (line, col) = code.position(off);
    Pos { file: a.file.to_string_lossy().into_owned(), line, col: Some(col) }
}

/// A Go interpreted string literal for `s`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

//! Advice code instantiated at a join point: placeholders filled from the
//! bindings, import qualifiers replaced by rtool's aliases.

use super::*;

/// The parameter names listed (comma-separated) by directive argument `key`.
pub(super) fn arg_param_names<'b>(b: &'b Bindings, key: &str) -> Vec<&'b str> {
    let list = b.directive_args.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str());
    list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect()
}

/// An `RtoolArgParams_KEY` of `code` naming something that is not a
/// parameter, described.
pub(super) fn unknown_arg_params(code: &Code, b: &Bindings) -> Option<String> {
    for h in &code.holes {
        let HoleKind::Placeholder(p) = &h.kind else { continue };
        let Some(key) = p.strip_prefix("RtoolArgParams_") else { continue };
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
        let index = |prefix: &str| p.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok());
        if index("RtoolParam").is_some_and(|i| i >= f.params.len()) {
            return Some(format!("{p}, but {} has {}", f.display, count(f.params.len(), "parameter")));
        }
        if index("RtoolResult").is_some_and(|i| i >= f.results.len()) {
            return Some(format!("{p}, but {} has {}", f.display, count(f.results.len(), "result")));
        }
        if p == "RtoolReceiver" && f.receiver.is_none() {
            return Some(format!("{p}, but {} has no receiver", f.display));
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
            HoleKind::Placeholder(p) if p == "RtoolExpr" => {
                parts.push(std::mem::take(&mut cur));
            }
            HoleKind::Placeholder(p) => cur.push_str(&placeholder_value(p, b, pkg)),
        }
    }
    cur.push_str(&code.text[last..]);
    parts.push(cur);
    parts
}

pub(super) fn placeholder_value(p: &str, b: &Bindings, pkg: &PackageInfo) -> String {
    let index = |prefix: &str| p.strip_prefix(prefix).and_then(|n| n.parse::<usize>().ok());
    match p {
        "RtoolFuncName" => go_quote(&b.func_name),
        "RtoolPackage" => go_quote(&pkg.path),
        "RtoolReceiver" => b.receiver.clone().unwrap_or_else(|| "nil".into()),
        "RtoolParamValues" => {
            format!("[]any{{{}}}", b.params.iter().filter(|n| *n != "_" && !n.is_empty()).cloned().collect::<Vec<_>>().join(", "))
        }
        "RtoolParamNames" => format!("[]string{{{}}}", b.params.iter().map(|n| go_quote(n)).collect::<Vec<_>>().join(", ")),
        _ => {
            if let Some(i) = index("RtoolParam") {
                return b.params.get(i).cloned().unwrap_or_else(|| "nil".into());
            }
            if let Some(i) = index("RtoolResult") {
                return b.results.get(i).cloned().unwrap_or_else(|| "nil".into());
            }
            if let Some(k) = p.strip_prefix("RtoolArgParams_") {
                let named = arg_param_names(b, k);
                if named.is_empty() {
                    return "nil".into();
                }
                return format!("[]any{{{}}}", named.iter().map(|n| format!("{}, {n}", go_quote(n))).collect::<Vec<_>>().join(", "));
            }
            if let Some(k) = p.strip_prefix("RtoolArg_") {
                return go_quote(b.directive_args.iter().find(|(key, _)| key == k).map_or("", |(_, v)| v.as_str()));
            }
            p.to_string()
        }
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

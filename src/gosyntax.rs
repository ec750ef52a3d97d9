//! tree-sitter-go, and the few questions rtool asks of a Go syntax tree:
//! positions as the Go toolchain counts them (1-based line, byte column),
//! node text, errors, imports.

use tree_sitter::{Node, Parser, Tree};

pub fn parse(src: &[u8]) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
    parser.parse(src, None)
}

/// 1-based line and byte column of the node's start.
pub fn line_col(n: Node) -> (usize, usize) {
    let p = n.start_position();
    (p.row + 1, p.column + 1)
}

pub fn text<'s>(n: Node, src: &'s [u8]) -> &'s str {
    std::str::from_utf8(&src[n.start_byte()..n.end_byte()]).unwrap_or("")
}

/// The first ERROR or MISSING node under `n`, in source order.
pub fn first_error(n: Node) -> Option<Node> {
    if n.is_error() || n.is_missing() {
        return Some(n);
    }
    if !n.has_error() {
        return None;
    }
    let mut c = n.walk();
    let children: Vec<Node> = n.children(&mut c).collect();
    children.into_iter().find_map(first_error)
}

/// Every `import_spec` of a file.
pub fn import_specs(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut c = root.walk();
    for decl in root.named_children(&mut c).filter(|n| n.kind() == "import_declaration") {
        let mut c2 = decl.walk();
        for child in decl.named_children(&mut c2) {
            match child.kind() {
                "import_spec" => out.push(child),
                "import_spec_list" => {
                    let mut c3 = child.walk();
                    out.extend(child.named_children(&mut c3).filter(|n| n.kind() == "import_spec"));
                }
                _ => {}
            }
        }
    }
    out
}

/// The value of a Go string literal node (no escape processing beyond
/// what import paths need: they contain none).
pub fn string_value(n: Option<Node>, src: &[u8]) -> Option<String> {
    let t = text(n?, src);
    let inner = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).or_else(|| t.strip_prefix('`').and_then(|t| t.strip_suffix('`')))?;
    Some(inner.to_string())
}

/// The name an import is known by when the import does not name it: the
/// last path element, skipping a major-version element (`v2`) and a `go-`
/// prefix or `.go`/`-go` suffix, as Go's package naming conventions have it.
pub fn default_import_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let mut last = parts.next().unwrap_or(path);
    if last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit()) {
        last = parts.next().unwrap_or(last);
    }
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix(".go").or_else(|| last.strip_suffix("-go")).unwrap_or(last);
    let last = last.split('.').next().unwrap_or(last);
    last.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names() {
        assert_eq!(default_import_name("net/http"), "http");
        assert_eq!(default_import_name("github.com/x/y/v2"), "y");
        assert_eq!(default_import_name("github.com/mattn/go-sqlite3"), "sqlite3");
        assert_eq!(default_import_name("gopkg.in/yaml.v3"), "yaml");
    }

    #[test]
    fn errors_and_positions() {
        let src = b"package p\n\nfunc f() {\n\tx := \n}\n";
        let t = parse(src).unwrap();
        let e = first_error(t.root_node()).expect("a syntax error");
        assert_eq!(line_col(e).0, 4);
        assert!(first_error(parse(b"package p\nfunc f() {}\n").unwrap().root_node()).is_none());
    }
}

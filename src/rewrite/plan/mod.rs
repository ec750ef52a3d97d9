//! The planner: walks one file's syntax tree, matches join points and turns
//! advice into edits. No I/O; `rewrite_package` drives it per file.
//! `function` plans prepends (and names parameters), `call` replaced
//! callees and appended arguments, `wrap` wraps of calls and literals,
//! `package` package-level advice and imports, `code` fills advice code's
//! holes, `directive` reads `//name args` comments.

mod call;
mod code;
mod directive;
mod function;
mod package;
mod wrap;

use super::edit::{self, Edit, Mode, Order, Piece};
use super::lines::{Pos, PosMap};
use super::{ChangedFile, NewFile, Rewritten, Skipped, SourceFile};
use crate::aspect::joinpoint::{NodeInfo, NodeKind, PackageInfo};
use crate::aspect::{Advice, Aspect, Code, HoleKind};
use crate::error::{Error, ErrorAt, Result};
use crate::gosyntax::{self, kind, text};
pub use code::go_quote;
use code::*;
use directive::*;
use function::*;
use package::*;
use std::collections::BTreeMap;
use tree_sitter::Node;
use wrap::*;

pub fn rewrite_package(pkg: &PackageInfo, files: &[SourceFile], aspects: &[&Aspect], mode: Mode, strict: bool) -> Result<Rewritten> {
    let mut out = Rewritten::default();
    out.stats.seen = files.len();
    let (pkg_level, node_level): (Vec<&Aspect>, Vec<&Aspect>) = aspects.iter().partition(|a| a.kind == NodeKind::Package);
    let first = files.iter().position(|f| !generated(&f.path) && !file_ignored(&f.src));
    let mut all_imports = Vec::new();
    // Variables assign advice names that the package declares.
    let mut declared: Vec<String> = Vec::new();

    for (i, f) in files.iter().enumerate() {
        if generated(&f.path) || file_ignored(&f.src) {
            continue;
        }
        let wanted: Vec<&Aspect> = node_level.iter().copied().filter(|a| may_match(a, &f.src)).collect();
        let here: Vec<&Aspect> = pkg_level
            .iter()
            .copied()
            .filter(|a| match &a.advice {
                Advice::Inject { new_file: true, .. } => false,
                Advice::Assign { var, .. } => memchr::memmem::find(&f.src, var.as_bytes()).is_some(),
                _ => Some(i) == first,
            })
            .collect();
        if wanted.is_empty() && here.is_empty() {
            continue;
        }
        let Some(tree) = gosyntax::parse(&f.src) else { continue };
        out.stats.parsed += 1;
        let root = tree.root_node();
        let mut cx = FileCx::new(pkg, f, root, i, aspects);
        cx.visit(root, &wanted, None);
        cx.package_level(root, &here);
        if let Some(e) = cx.error.take() {
            return Err(e);
        }
        declared.extend(here.iter().filter_map(|a| match &a.advice {
            Advice::Assign { var, .. } if package::declares_var(root, &f.src, var) => Some(var.clone()),
            _ => None,
        }));
        if let Some((line, col)) = cx.broken {
            if strict {
                let msg = "cannot instrument: tree-sitter-go does not parse this code";
                return Err(ErrorAt::new(&f.path, line, col, msg).hint("RTOOL_STRICT=1").into());
            }
            out.skipped.push(Skipped { path: f.path.clone(), line, col });
            continue;
        }
        cx.finish_imports(root);
        if cx.edits.is_empty() {
            continue;
        }
        out.linknames.append(&mut cx.linknames);
        all_imports.extend(cx.aliases.keys().cloned());
        all_imports.extend(cx.blank.iter().cloned());
        let map = PosMap::new(&f.src, &f.path);
        out.changed.push(ChangedFile { index: i, text: edit::apply(&f.src, cx.edits, &map, &f.path, mode)? });
        out.stats.rewritten += 1;
    }

    check_assigned(pkg, &pkg_level, &declared, &out)?;
    add_new_files(pkg, files, first, &pkg_level, mode, &mut out, &mut all_imports);
    all_imports.sort();
    all_imports.dedup();
    out.linknames.sort();
    out.linknames.dedup();
    all_imports.retain(|p| *p != pkg.path);
    out.imports = all_imports;
    Ok(out)
}

/// Assign advice naming a variable the package does not declare is a
/// mistake in the aspect (unless a file that could declare it was left
/// unchanged for a parse error).
fn check_assigned(pkg: &PackageInfo, pkg_level: &[&Aspect], declared: &[String], out: &Rewritten) -> Result<()> {
    for a in pkg_level {
        if let Advice::Assign { var, .. } = &a.advice
            && !declared.contains(var)
            && out.skipped.is_empty()
        {
            let msg = format!("aspect {}: package {} declares no package-level variable {var} to assign", a.id, pkg.path);
            return Err(ErrorAt::new(a.file.display(), a.line, 1, msg).into());
        }
    }
    Ok(())
}

/// Declarations injected into new files, one file per aspect.
fn add_new_files(
    pkg: &PackageInfo,
    files: &[SourceFile],
    first: Option<usize>,
    pkg_level: &[&Aspect],
    mode: Mode,
    out: &mut Rewritten,
    all_imports: &mut Vec<String>,
) {
    for a in pkg_level.iter().filter(|a| matches!(a.advice, Advice::Inject { new_file: true, .. })) {
        let Advice::Inject { code, .. } = &a.advice else { continue };
        let name = first.map(|i| package_name(&files[i].src)).unwrap_or_else(|| pkg.name.clone());
        let mut aliases = BTreeMap::new();
        let body = instantiate(code, a, &Bindings::default(), &mut aliases, pkg);
        let mut text = format!("// Code generated by rtool from aspect {}. DO NOT EDIT.\n\npackage {name}\n", a.id);
        for (path, alias) in &aliases {
            text.push_str(&format!("\nimport {alias} {}\n", go_quote(path)));
        }
        if code.text.contains("//go:linkname") {
            text.push_str("\nimport _ \"unsafe\"\n");
        }
        text.push('\n');
        if mode == Mode::Compile {
            text.push_str(&aspect_pos(a, code, 0).line_directive());
        }
        text.push_str(&body.concat());
        text.push('\n');
        all_imports.extend(aliases.into_keys());
        out.linknames.extend(linkname_packages(&code.text));
        out.added.push(NewFile { name: format!("rtool_{}.go", a.id.replace(['-', '.'], "_")), text: text.into_bytes() });
    }
}

/// Files the go command generates for cgo: not the user's code.
fn generated(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.starts_with("_cgo_")
}

/// The file pre-filter: can `a` match anything in `src`?
fn may_match(a: &Aspect, src: &[u8]) -> bool {
    match a.join.needles() {
        None => true,
        Some(needles) => needles.iter().any(|n| memchr::memmem::find(src, n.as_bytes()).is_some()),
    }
}

/// `//rtool:ignore` on a line of its own before the package clause.
fn file_ignored(src: &[u8]) -> bool {
    for line in src.split(|&b| b == b'\n') {
        let l = line.trim_ascii();
        if l == b"//rtool:ignore" {
            return true;
        }
        if l.starts_with(b"package ") {
            return false;
        }
    }
    false
}

/// The package name from a file's package clause (a cheap scan).
pub fn package_name(src: &[u8]) -> String {
    let mut in_block = false;
    for line in String::from_utf8_lossy(src).lines() {
        let l = line.trim();
        if in_block {
            in_block = !l.contains("*/");
            continue;
        }
        if l.starts_with("/*") && !l.contains("*/") {
            in_block = true;
        } else if let Some(rest) = l.strip_prefix("package ") {
            return rest.split(|c: char| c.is_whitespace() || c == ';' || c == '/').next().unwrap_or("").to_string();
        }
    }
    "main".to_string()
}

/// What placeholders stand for at one join point.
#[derive(Default)]
struct Bindings {
    func_name: String,
    receiver: Option<String>,
    params: Vec<String>,
    results: Vec<String>,
    directive_args: Vec<(String, String)>,
}

struct FileCx<'a> {
    pkg: &'a PackageInfo,
    file: &'a SourceFile,
    index: usize,
    /// All aspects of the package, for their order of definition.
    order: &'a [&'a Aspect],
    imports: Vec<(String, String)>,
    dot_paths: Vec<String>,
    edits: Vec<Edit>,
    /// import path -> alias, for imports the new code needs.
    aliases: BTreeMap<String, String>,
    /// Paths to import for their side effects only.
    blank: Vec<String>,
    clip_helper: bool,
    /// Wraps, emitted together at the end so that all wraps of one node
    /// nest by order whatever found them (a call that is a literal's field).
    wraps: Vec<PendingWrap>,
    /// (qualifier, callee) of calls whose package qualifier was replaced
    /// away: if that was the import's last use, it is kept referenced.
    replaced: Vec<(String, String)>,
    broken: Option<(usize, usize)>,
    /// The first advice that cannot apply where it matched.
    error: Option<Error>,
    /// Packages injected `//go:linkname` directives refer to.
    linknames: Vec<String>,
    /// (variable, aspect id) of the assign advice applied in this file.
    assigned: Vec<(String, String)>,
    /// The names each prepend advice declares (by the advice code's
    /// address), parsed once per file rather than once per function.
    declared: Vec<(*const Code, Vec<String>)>,
}

impl<'a> FileCx<'a> {
    fn new(pkg: &'a PackageInfo, file: &'a SourceFile, root: Node<'_>, index: usize, order: &'a [&'a Aspect]) -> Self {
        let mut imports = Vec::new();
        let mut dot_paths = Vec::new();
        for spec in gosyntax::import_specs(root) {
            let Some(path) = gosyntax::string_value(spec.child_by_field_name("path"), &file.src) else { continue };
            match spec.child_by_field_name("name") {
                Some(n) if n.kind() == kind::DOT => dot_paths.push(path),
                Some(n) if n.kind() == kind::BLANK => {}
                Some(n) => imports.push((text(n, &file.src).to_string(), path)),
                None => imports.push((gosyntax::default_import_name(&path), path)),
            }
        }
        FileCx {
            pkg,
            file,
            index,
            order,
            imports,
            dot_paths,
            edits: vec![],
            aliases: BTreeMap::new(),
            blank: vec![],
            clip_helper: false,
            wraps: vec![],
            replaced: vec![],
            broken: None,
            error: None,
            linknames: vec![],
            assigned: vec![],
            declared: vec![],
        }
    }

    fn src(&self) -> &'a [u8] {
        &self.file.src
    }

    /// Aspects matching `info`, in application order.
    fn matching<'b>(&self, wanted: &[&'b Aspect], kind: NodeKind, info: &NodeInfo) -> Vec<&'b Aspect> {
        let mut m: Vec<&Aspect> = wanted.iter().copied().filter(|a| a.kind == kind && a.join.eval(self.pkg, info)).collect();
        m.sort_by_key(|a| (a.order, self.order.iter().position(|o| std::ptr::eq(*o, *a))));
        m
    }

    fn note_broken(&mut self, n: Node) -> bool {
        if n.has_error() {
            let bad = gosyntax::first_error(n).unwrap_or(n);
            self.broken.get_or_insert(gosyntax::line_col(bad));
            return true;
        }
        false
    }

    fn visit<'t>(&mut self, node: Node<'t>, wanted: &[&Aspect], enclosing: Option<&str>) {
        let src = self.src();
        let mut enclosing_name = enclosing.map(str::to_string);
        match node.kind() {
            kind::FUNCTION_DECLARATION | kind::METHOD_DECLARATION | kind::FUNC_LITERAL => {
                let directives = directives_of(node, src);
                if directives.iter().any(|(n, _)| n == "rtool:ignore") {
                    return;
                }
                let f = FuncParts::read(node, src, enclosing);
                enclosing_name = Some(f.display.clone());
                let info = f.info(directives.clone());
                let matched = self.matching(wanted, NodeKind::Function, &info);
                if !matched.is_empty() && !self.note_broken(node) {
                    self.prepend(&f, &matched, &directives);
                }
            }
            kind::TYPE_DECLARATION | kind::VAR_DECLARATION | kind::CONST_DECLARATION
                if directives_of(node, src).iter().any(|(n, _)| n == "rtool:ignore") =>
            {
                return;
            }
            kind::CALL | kind::TYPE_CONVERSION => self.call(node, wanted),
            kind::TYPE_SPEC => {
                if let (Some(name), Some(st)) = (node.child_by_field_name("name"), node.child_by_field_name("type"))
                    && st.kind() == kind::STRUCT_TYPE
                {
                    let info = NodeInfo::Struct { name: text(name, src).to_string() };
                    let matched = self.matching(wanted, NodeKind::Struct, &info);
                    if !matched.is_empty() && !self.note_broken(node) {
                        self.add_fields(st, &matched);
                    }
                }
            }
            kind::COMPOSITE_LITERAL => self.literal(node, wanted),
            _ => {}
        }
        let mut c = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut c).collect();
        for child in children {
            self.visit(child, wanted, enclosing_name.as_deref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aspect::parse::parse_file;
    use std::path::Path;

    fn rewrite(aspect: &str, src: &str) -> Result<Rewritten> {
        let aspects = parse_file(Path::new("/a/x.go"), aspect.as_bytes(), false).unwrap();
        let refs: Vec<&Aspect> = aspects.iter().collect();
        let pkg = PackageInfo { path: "example.com/p".into(), name: "p".into(), ..Default::default() };
        let files = [SourceFile { path: "/s/p.go".into(), src: src.as_bytes().to_vec() }];
        rewrite_package(&pkg, &files, &refs, Mode::Display, false)
    }

    #[test]
    fn directive_named_parameters() {
        let aspect = "package a\n\n//rtool:aspect show\n//rtool:where directive(rtool:mark)\n//rtool:prepend\nfunc _() { use(RtoolArgParams_params) }\n";
        let ok = rewrite(aspect, "package p\n\n//rtool:mark params=b,a\nfunc F(a int, b string) {}\n\n//rtool:mark\nfunc G(a int) {}\n")
            .unwrap();
        let out = String::from_utf8_lossy(&ok.changed[0].text).into_owned();
        assert!(out.contains("func F(a int, b string) {use([]any{\"b\", b, \"a\", a});}"), "{out}");
        assert!(out.contains("func G(a int) {use(nil);}"), "{out}");
        let err = rewrite(aspect, "package p\n\n//rtool:mark params=a,c\nfunc F(a int) {}\n").unwrap_err().to_string();
        assert_eq!(err, "/s/p.go:4:1: aspect show: the directive's params= names \"c\", which is not a parameter of F");
    }

    #[test]
    fn placeholders_the_function_cannot_bind_are_errors() {
        let aspect = "package a\n\n//rtool:aspect show\n//rtool:where function(name=F)\n//rtool:prepend\nfunc _() { println(RtoolParam1, RtoolResult0) }\n";
        let err = rewrite(aspect, "package p\n\nfunc F(a int) {}\n").unwrap_err().to_string();
        assert_eq!(err, "/s/p.go:3:1: aspect show: RtoolParam1, but F has 1 parameter");
        let err = rewrite(aspect, "package p\n\nfunc F(a, b int) {}\n").unwrap_err().to_string();
        assert_eq!(err, "/s/p.go:3:1: aspect show: RtoolResult0, but F has 0 results");
        let ok = rewrite(aspect, "package p\n\nfunc F(a, b int) (err error) { return }\n").unwrap();
        assert_eq!(String::from_utf8_lossy(&ok.changed[0].text), "package p\n\nfunc F(a, b int) (err error) {println(b, err); return }\n");
    }
}

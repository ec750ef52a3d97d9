//! Reads aspect files: Go files whose `//rtool:` directive comments, each
//! group opened by `//rtool:aspect ID`, declare aspects. The declaration
//! right after a group is the advice code. Parsed with tree-sitter-go;
//! directives are read by `directive`, advice kinds come from the table in
//! `advice`, their code is checked and taken by `extract`. Every error is
//! `file:line:col: …`, naming the aspect when there is one.
//!
//! ```go
//! //rtool:aspect log-handlers
//! //rtool:where package(example.com/app/...) && function(name=Handle*)
//! //rtool:prepend
//! func _() { log.Println("enter", RtoolFuncName) }
//! ```

use super::advice::{self, AdviceDef, Build, Input};
use super::directive::{ColumnError, Directive, is_directive};
use super::extract::{self, Scope};
use super::joinpoint::{self, Expr};
use super::{Aspect, HoleKind, Import};
use crate::error::{Error, ErrorAt, Result};
use crate::gosyntax::{self, kind};
use std::path::Path;
use tree_sitter::Node;

/// Directive arguments, as the rewrite reads them from `//name args`
/// comments in instrumented code too.
pub use super::directive::split_args;

/// An aspect being assembled from its directives.
struct Pending {
    id: String,
    line: usize,
    col: usize,
    wheres: Vec<(Expr, usize, usize)>,
    advice: Option<(Directive, &'static AdviceDef)>,
}

/// One aspect file being read.
struct AspectFile<'a> {
    path: &'a Path,
    src: &'a [u8],
    builtin: bool,
    scope: Scope<'a>,
}

/// An error at line:col of an aspect file.
fn error_at(path: &Path, line: usize, col: usize, msg: impl std::fmt::Display) -> Error {
    ErrorAt::new(path.display(), line, col, msg).into()
}

pub fn parse_file(path: &Path, src: &[u8], builtin: bool) -> Result<Vec<Aspect>> {
    let tree = syntax_tree(path, src)?;
    let root = tree.root_node();
    let imports = read_imports(root, src, path)?;
    let declared = extract::declared_names(root, src);
    let r = AspectFile { path, src, builtin, scope: Scope { imports: &imports, declared: &declared } };

    let mut aspects = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut c = root.walk();
    let children: Vec<Node> = root.named_children(&mut c).collect();
    let mut i = 0;
    while i < children.len() {
        let node = children[i];
        i += 1;
        match node.kind() {
            kind::PACKAGE_CLAUSE | kind::IMPORT_DECLARATION => continue,
            kind::COMMENT => {
                let Some(d) = Directive::read(node, src) else { continue };
                let d = d.map_err(|(col, msg)| r.at(gosyntax::line_col(node).0, col, msg))?;
                r.directive(d, &mut pending, &mut aspects)?;
            }
            _ => {
                // A declaration: the code of the pending aspect's advice.
                let Some(p) = pending.take() else {
                    let (l, c) = gosyntax::line_col(node);
                    return Err(r.at(l, c, "declaration outside an aspect (advice code follows an //rtool:aspect group)".into()));
                };
                let mut last = node;
                if let Some((_, AdviceDef { build: Build::Code(shape, _), .. })) = &p.advice
                    && shape.takes_all()
                {
                    while i < children.len() && !is_directive(children[i], src) {
                        last = children[i];
                        i += 1;
                    }
                }
                aspects.push(r.finish(p, Some((node, last)))?);
            }
        }
    }
    if let Some(p) = pending.take() {
        aspects.push(r.finish(p, None)?);
    }
    Ok(aspects)
}

/// The syntax tree of an aspect file that is valid UTF-8, parses, and has a
/// package clause.
fn syntax_tree(path: &Path, src: &[u8]) -> Result<tree_sitter::Tree> {
    let at = |line, col, msg: &str| error_at(path, line, col, msg);
    if let Err(e) = std::str::from_utf8(src) {
        let before = &src[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = e.valid_up_to() - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        return Err(at(line, col, "aspect file is not valid UTF-8"));
    }
    let tree = gosyntax::parse(src).ok_or_else(|| at(1, 1, "cannot parse aspect file"))?;
    if let Some(bad) = gosyntax::first_error(tree.root_node()) {
        let (l, c) = gosyntax::line_col(bad);
        return Err(at(l, c, "syntax error in aspect file"));
    }
    let has_package = {
        let root = tree.root_node();
        let mut c = root.walk();
        root.named_children(&mut c).any(|n| n.kind() == kind::PACKAGE_CLAUSE)
    };
    if !has_package {
        // Go's own rule; without it the file is likely not the one meant.
        return Err(at(
            1,
            1,
            if src.trim_ascii().is_empty() {
                "aspect file is empty (it needs a package clause, then //rtool:aspect groups)"
            } else {
                "aspect file has no package clause (package NAME comes first, as in any Go file)"
            },
        ));
    }
    Ok(tree)
}

/// The advice kind a directive declares, its arguments checked.
fn advice_def(d: &Directive) -> std::result::Result<&'static AdviceDef, ColumnError> {
    let Some(def) = advice::by_name(&d.name) else {
        if d.name == "ignore" {
            return Err((d.col, "//rtool:ignore belongs in the code to instrument, not in an aspect file".into()));
        }
        return Err((d.col, format!("unknown directive //rtool:{} (aspect, where, {})", d.name, advice::names(", "))));
    };
    d.check_args(def.args, def.options)?;
    Ok(def)
}

impl AspectFile<'_> {
    /// One `//rtool:` directive: it starts an aspect (finishing the
    /// pending one), or adds a join point or the advice to the pending one.
    fn directive(&self, d: Directive, pending: &mut Option<Pending>, aspects: &mut Vec<Aspect>) -> Result<()> {
        if d.name == "aspect" {
            if let Some(p) = pending.take() {
                aspects.push(self.finish(p, None)?);
            }
            let id = d.rest.trim().to_string();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                return Err(self.at(d.line, d.rest_col, format!("aspect id {id:?}: use letters, digits, '-', '_' or '.'")));
            }
            *pending = Some(Pending { id, line: d.line, col: d.col, wheres: vec![], advice: None });
            return Ok(());
        }
        let Some(p) = pending.as_mut() else {
            return Err(self.at(d.line, d.col, format!("//rtool:{} outside an aspect (start one with //rtool:aspect ID)", d.name)));
        };
        let ctx = |msg: String| format!("aspect {}: {msg}", p.id);
        if d.name == "where" {
            let e = joinpoint::parse(&d.rest).map_err(|e| self.at(d.line, d.rest_col + e.offset, ctx(e.msg)))?;
            p.wheres.push((e, d.line, d.col));
            return Ok(());
        }
        let def = advice_def(&d).map_err(|(col, msg)| self.at(d.line, col, ctx(msg)))?;
        if let Some((prev, _)) = &p.advice {
            let msg = format!(
                "second advice //rtool:{} (the first is //rtool:{} on line {}); write one aspect per advice",
                d.name, prev.name, prev.line
            );
            return Err(self.at(d.line, d.col, ctx(msg)));
        }
        p.advice = Some((d, def));
        Ok(())
    }

    fn at(&self, line: usize, col: usize, msg: String) -> Error {
        error_at(self.path, line, col, msg)
    }

    fn at_node(&self, n: Node, msg: String) -> Error {
        let (line, col) = gosyntax::line_col(n);
        self.at(line, col, msg)
    }

    /// The aspect `p`, with its code in the declarations `code` (first and
    /// last) after its group.
    fn finish(&self, p: Pending, code: Option<(Node, Node)>) -> Result<Aspect> {
        let ctx = |msg: String| format!("aspect {}: {msg}", p.id);
        let join = match p.wheres.len() {
            0 => return Err(self.at(p.line, p.col, ctx("no //rtool:where join point".into()))),
            1 => p.wheres[0].0.clone(),
            _ => Expr::And(p.wheres.iter().map(|w| w.0.clone()).collect()),
        };
        let kind = join.node_kind().map_err(|m| self.at(p.wheres[0].1, p.wheres[0].2, ctx(m)))?;
        let Some((d, def)) = p.advice else {
            return Err(self.at(p.line, p.col, ctx(format!("no advice (//rtool:{})", advice::names(" or ")))));
        };
        let order = match d.option("order") {
            Some((v, col)) => v.parse().map_err(|_| self.at(d.line, col, ctx(format!("order={v}: not an integer"))))?,
            None => 0,
        };
        let input = Input { directive: &d, imports: self.scope.imports };
        let built = match (&def.build, code) {
            (Build::Code(shape, build), Some((first, last))) => {
                let code = shape.extract(first, last, self.src, &self.scope).map_err(|(n, m)| self.at_node(n, ctx(m)))?;
                build(code, &input)
            }
            (Build::Code(shape, _), None) => {
                return Err(self.at(d.line, d.col, ctx(format!("//rtool:{} needs advice code in {} after it", d.name, shape.place()))));
            }
            (Build::Plain(build), None) => build(&input),
            // Else it would be dropped without a word.
            (Build::Plain(_), Some((first, _))) => {
                return Err(
                    self.at_node(first, ctx(format!("//rtool:{} takes no advice code, so this declaration belongs to no aspect", d.name)))
                );
            }
        };
        let advice = built.map_err(|(col, m)| self.at(d.line, col, ctx(m)))?;
        if !def.applies_to.contains(&kind) {
            let kinds: Vec<String> = def.applies_to.iter().map(|k| k.to_string()).collect();
            return Err(self.at(
                d.line,
                d.col,
                ctx(format!("{} advice applies to {} join points, but the join point selects {kind} nodes", def.name, kinds.join(" or "))),
            ));
        }
        for (code, h) in advice.code().into_iter().flat_map(|c| c.holes.iter().map(move |h| (c, h))) {
            if let HoleKind::Placeholder(ph) = &h.kind
                && !ph.allowed_in(def.kind, kind)
            {
                let (l, c) = code.position(h.start);
                return Err(self.at(l, c, ctx(format!("{ph} cannot be used in {} advice on {kind} join points", def.name))));
            }
        }
        Ok(Aspect {
            id: p.id,
            file: self.path.to_path_buf(),
            line: p.line,
            builtin: self.builtin,
            join,
            kind,
            advice,
            order,
            imports: self.scope.imports.to_vec(),
        })
    }
}

fn read_imports(root: Node, src: &[u8], path: &Path) -> Result<Vec<Import>> {
    let mut out: Vec<Import> = Vec::new();
    for spec in gosyntax::import_specs(root) {
        let ipath = gosyntax::string_value(spec.child_by_field_name("path"), src).unwrap_or_default();
        let (l, c) = gosyntax::line_col(spec);
        let at = |msg: String| error_at(path, l, c, msg);
        let name = match spec.child_by_field_name("name") {
            Some(n) if n.kind() == kind::DOT => {
                return Err(at(format!("dot import of {ipath:?}: aspect files name the packages they use")));
            }
            Some(n) if n.kind() == kind::BLANK => continue,
            Some(n) => gosyntax::text(n, src).to_string(),
            None => gosyntax::default_import_name(&ipath),
        };
        if let Some(prev) = out.iter().find(|i| i.name == name) {
            return Err(at(format!("import name {name} is used for {:?} already", prev.path)));
        }
        out.push(Import { name, path: ipath });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aspect::advice::ADVICE;
    use crate::aspect::{Advice, Placeholder, codec, joinpoint::NodeKind};

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
        // Every kind of the table has its sample here, so that the codec
        // round trip below covers it.
        for d in ADVICE {
            assert!(aspects.iter().any(|a| a.advice.kind() == d.kind), "no sample of {}", d.name);
        }
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
                &HoleKind::Placeholder(Placeholder::FuncName),
                &HoleKind::Placeholder(Placeholder::Param(0))
            ]
        );
        let Advice::AppendArgs(args) = &aspects[3].advice else { panic!() };
        assert_eq!(args.text, "tr.Option(), 2");
        let Advice::Inject { code, new_file } = &aspects[4].advice else { panic!() };
        assert!(*new_file && code.text.starts_with("var counter int") && code.text.ends_with("func RtoolHelper() {}"));
        // A name the aspect file declares is not a (misspelt) placeholder.
        assert!(code.holes.iter().all(|h| matches!(h.kind, HoleKind::Qualifier(_))));
        let Advice::AddField { name, ty } = &aspects[5].advice else { panic!() };
        assert_eq!((name.as_str(), ty.holes.len(), ty.col), ("span", 1, 24));
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
        assert_eq!(
            err(&format!("{head}//rtool:aspect a\n//rtool:where function(name=f)\n//rtool:prepend\nfunc _() {{ f(RtoolExpr) }}\n")),
            "/a/x.go:6:14: aspect a: RtoolExpr cannot be used in prepend advice on function join points"
        );
    }

    /// Mistakes that would otherwise surface in a later compile, or never.
    #[test]
    fn mistakes_are_reported_when_read() {
        for (src, want) in [
            ("", "/a/x.go:1:1: aspect file is empty (it needs a package clause, then //rtool:aspect groups)"),
            ("\n\t\n", "/a/x.go:1:1: aspect file is empty (it needs a package clause, then //rtool:aspect groups)"),
            (
                "//go:build rtool\n\n//rtool:aspect a\n//rtool:where std\n//rtool:import fmt\n",
                "/a/x.go:1:1: aspect file has no package clause (package NAME comes first, as in any Go file)",
            ),
        ] {
            assert_eq!(err(src), want, "{src:?}");
        }
        let head = "package a\n\n//rtool:aspect a\n";
        let cases = [
            (
                "//rtool:where call(a.F)\n//rtool:append-args\nfunc _() { println(1) }\n",
                "/a/x.go:6:12: aspect a: append-args advice is written as func _() { _(ARGS) }, not println(…)",
            ),
            (
                "//rtool:where call(a.F)\n//rtool:append-args\nfunc _() { _[int](1) }\n",
                "/a/x.go:6:12: aspect a: append-args advice is a call whose arguments are appended, e.g. func _() { _(a, b) }",
            ),
            (
                "//rtool:where call(a.F)\n//rtool:append-args\nfunc _() { _[int](1, 2) }\n",
                "/a/x.go:6:12: aspect a: append-args advice is written as func _() { _(ARGS) }, not _[int](…)",
            ),
            (
                "//rtool:where call(a.F)\n//rtool:replace-function b.G\nfunc helper() {}\n",
                "/a/x.go:6:1: aspect a: //rtool:replace-function takes no advice code, so this declaration belongs to no aspect",
            ),
            (
                "//rtool:where call(a.F)\n//rtool:replace-function example.com/b\n",
                "/a/x.go:5:26: aspect a: \"example.com/b\" is not a qualified function like example.com/pkg.Func",
            ),
            (
                "//rtool:where std\n//rtool:assign a.b\nvar _ = 1\n",
                "/a/x.go:5:16: aspect a: \"a.b\" is not a variable name (a Go identifier)",
            ),
            (
                "//rtool:where struct(a.T)\n//rtool:add-field 1x int\n",
                "/a/x.go:5:19: aspect a: \"1x\" is not a field name (a Go identifier)",
            ),
            ("//rtool:where struct(a.T)\n//rtool:add-field x map[\n", "/a/x.go:5:21: aspect a: \"map[\" is not a Go type"),
            ("//rtool:where std\n//rtool:import \"a b\"\n", "/a/x.go:5:16: aspect a: \"a b\" is not an import path"),
            (
                "//rtool:where function(name=f)\n//rtool:prepend order=1 order=2\nfunc _() { f() }\n",
                "/a/x.go:5:25: aspect a: //rtool:prepend sets order= twice",
            ),
            (
                "//rtool:where function(name=f)\n//rtool:prepend\nfunc _() { f(RtoolParam99999999999999999999999) }\n",
                "/a/x.go:6:14: aspect a: unknown placeholder RtoolParam99999999999999999999999 (known: RtoolExpr, RtoolFuncName, \
                 RtoolPackage, RtoolReceiver, RtoolParamValues, RtoolParamNames, RtoolParam<N>, RtoolResult<N>, RtoolArg_<key>, \
                 RtoolArgParams_<key>)",
            ),
        ];
        for (body, want) in cases {
            assert_eq!(err(&format!("{head}{body}")), want, "{body}");
        }
        // Still fine: `_` with arguments, and an add-field type with spaces.
        let ok = format!(
            "{head}//rtool:where call(a.F)\n//rtool:append-args\nfunc _() {{ _(1, \"x\") }}\n\n\
             //rtool:aspect b\n//rtool:where struct(a.T)\n//rtool:add-field m \"map[string]int\"\n"
        );
        assert_eq!(parse_file(Path::new("/a/x.go"), ok.as_bytes(), false).unwrap().len(), 2);
    }
}

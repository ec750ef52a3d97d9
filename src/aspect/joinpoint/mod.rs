//! Join points: where an aspect applies, written as an expression in
//! `//rtool:where` directives and evaluated on plain facts about a package
//! and a syntax node (no type checker: names are resolved through imports).
//! This module owns the types and what an expression asks of a file;
//! `atoms` is the table of atoms (`package(…)`, `function(…)`, …),
//! `syntax` reads and prints expressions, `eval` decides matches.
//!
//! ```text
//! expr  := or
//! or    := and ( "||" and )*
//! and   := unary ( "&&" unary )*
//! unary := "!" unary | "(" expr ")" | atom
//! atom  := NAME [ "(" [ arg ( "," arg )* ] ")" ]
//! arg   := VALUE | KEY "=" VALUE        VALUE: bare word or "quoted"
//! ```

pub mod atoms;
mod eval;
mod syntax;

pub use syntax::parse;

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
    /// `module-version(min=V, below=V)`: the package's module has a
    /// version in [min, below), or none rtool can tell (a local replace).
    ModuleVersion { min: Option<String>, below: Option<String> },
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

impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.path, self.name)
    }
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
    /// The version of the package's module (`modversion::of_package`),
    /// looked up only when an aspect asks.
    pub module_version: Option<String>,
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
        let mut kinds: Vec<NodeKind> = Vec::new();
        for k in self.atoms().into_iter().filter_map(|a| a.def().node) {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        match kinds.as_slice() {
            [] => Ok(NodeKind::Package),
            [k] => Ok(*k),
            _ => Err(format!(
                "join point mixes {} nodes; an aspect selects one kind of node",
                kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" and ")
            )),
        }
    }

    /// Strings one of which a file must contain to hold a match, or None if
    /// any file may match. Sound, not tight: used only to skip parsing.
    pub fn needles(&self) -> Option<Vec<String>> {
        self.one_of_required(&|a| (a.def().needles)(a))
    }

    /// Import paths the expression names (calls, literals) one of which a
    /// package must import (or be) to hold a match, or None.
    pub fn imported_paths(&self) -> Option<Vec<String>> {
        self.one_of_required(&|a| match a {
            Atom::Call(q) | Atom::Literal { ty: q, .. } => Some(vec![q.path.clone()]),
            // A struct is defined in its own package, which `eval_package`
            // checks; the others name no package to import.
            Atom::Struct(_)
            | Atom::Package(_)
            | Atom::PackageName(_)
            | Atom::MainModule
            | Atom::ModuleVersion { .. }
            | Atom::Std
            | Atom::TestMain
            | Atom::Function(_)
            | Atom::Directive(_) => None,
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

    /// Whether the expression asks for the module's version.
    pub fn uses_module_version(&self) -> bool {
        self.atoms().iter().any(|a| matches!(a, Atom::ModuleVersion { .. }))
    }

    /// The directive names this expression asks for (`directive(NAME)`).
    pub fn directive_names(&self) -> Vec<String> {
        self.atoms().into_iter().filter_map(|a| if let Atom::Directive(d) = a { Some(d.clone()) } else { None }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_kinds() {
        let e = parse("package(net/http) && (function(Get) || function(name=Post*))").unwrap();
        assert_eq!(e.node_kind(), Ok(NodeKind::Function));
        assert_eq!(parse("std && !main-module").unwrap().node_kind(), Ok(NodeKind::Package));
        assert_eq!(parse("directive(rtool:span) || function(name=F)").unwrap().node_kind(), Ok(NodeKind::Function));
        assert!(parse("call(a.B) && struct(a.T)").unwrap().node_kind().unwrap_err().contains("mixes"));
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
        assert_eq!(parse("literal(a.T) && std").unwrap().imported_paths(), Some(vec!["a".into()]));
        assert_eq!(parse("struct(a.T)").unwrap().imported_paths(), None);
    }
}

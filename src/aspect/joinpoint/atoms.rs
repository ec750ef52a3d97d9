//! The join-point atoms, one table entry each (`ATOMS`): the name, the
//! arguments it takes, the node kind it selects, how it is built from its
//! arguments and written back as canonical text, and the strings a file
//! must contain to hold a match (needles). The expression parser, the
//! printer, `Expr::node_kind` and the file pre-filter read the table;
//! adding an atom is an `Atom` variant, its entry here (the compiler then
//! asks for its arms in `Atom::def` and in `eval`), and its tests.

use super::{Atom, FuncFilter, LitMode, NodeKind, QualName};
use crate::aspect::is_identifier;
use std::fmt;

/// Everything rtool knows about one kind of atom.
pub struct AtomDef {
    pub name: &'static str,
    pub args: Schema,
    /// The kind of node it selects; None for package atoms, which decide on
    /// whole packages.
    pub node: Option<NodeKind>,
    /// Builds the atom from arguments checked against `args`.
    build: fn(&Args) -> Result<Atom, ArgError>,
    /// Its arguments as the canonical text writes them.
    show: fn(&Atom) -> Vec<Shown>,
    /// Strings one of which a file must contain to hold a match, or None if
    /// any file may.
    pub needles: fn(&Atom) -> Option<Vec<String>>,
}

/// The arguments an atom takes.
pub enum Schema {
    /// None, and no parentheses in the canonical text: `std`.
    None,
    /// One positional argument, described for messages.
    One(&'static str),
    /// `KEY=VALUE` arguments, each at most once; a positional one is for
    /// the first key.
    Keys(&'static [&'static str]),
}

/// One argument as written: (key, value, byte offset in the expression).
pub type RawArg = (Option<String>, String, usize);
/// An error at a byte offset of the expression.
pub type ArgError = (usize, String);

/// An atom's arguments, checked against its schema: (key, value, offset),
/// a positional one under the schema's first key (`""` for `One`).
pub struct Args<'a> {
    list: Vec<(&'static str, &'a str, usize)>,
    /// The offset of the atom's name.
    at: usize,
}

/// One argument as the canonical text writes it.
pub enum Shown {
    /// A positional argument, quoted.
    Value(String),
    /// `key="value"`.
    Key(&'static str, String),
    /// `key=word`, for a word from a fixed set.
    Word(&'static str, &'static str),
}

/// Every atom, in the order messages list them.
pub static ATOMS: &[&AtomDef] =
    &[&PACKAGE, &PACKAGE_NAME, &MAIN_MODULE, &STD, &TEST_MAIN, &MODULE_VERSION, &FUNCTION, &DIRECTIVE, &CALL, &STRUCT, &LITERAL];

static PACKAGE: AtomDef = AtomDef {
    name: "package",
    args: Schema::One("an import path pattern"),
    node: None,
    build: |a| Ok(Atom::Package(a.one().0.into())),
    show: |atom| match atom {
        Atom::Package(p) => vec![Shown::Value(p.clone())],
        _ => vec![],
    },
    needles: |_| None,
};

static PACKAGE_NAME: AtomDef = AtomDef {
    name: "package-name",
    args: Schema::One("a package name"),
    node: None,
    build: |a| a.identifier(a.one(), "a package name").map(Atom::PackageName),
    show: |atom| match atom {
        Atom::PackageName(n) => vec![Shown::Value(n.clone())],
        _ => vec![],
    },
    needles: |_| None,
};

static MAIN_MODULE: AtomDef =
    AtomDef { name: "main-module", args: Schema::None, node: None, build: |_| Ok(Atom::MainModule), show: |_| vec![], needles: |_| None };

static STD: AtomDef =
    AtomDef { name: "std", args: Schema::None, node: None, build: |_| Ok(Atom::Std), show: |_| vec![], needles: |_| None };

static TEST_MAIN: AtomDef =
    AtomDef { name: "test-main", args: Schema::None, node: None, build: |_| Ok(Atom::TestMain), show: |_| vec![], needles: |_| None };

static MODULE_VERSION: AtomDef = AtomDef {
    name: "module-version",
    args: Schema::Keys(&["min", "below"]),
    node: None,
    build: |a| {
        let version = |k| {
            a.get(k)
                .map(|(v, off)| {
                    if crate::modversion::valid(v) {
                        Ok(v.to_string())
                    } else {
                        Err((off, format!("{k}={v}: not a module version such as v1.2.3")))
                    }
                })
                .transpose()
        };
        Ok(Atom::ModuleVersion { min: version("min")?, below: version("below")? })
    },
    show: |atom| match atom {
        Atom::ModuleVersion { min, below } => {
            [("min", min), ("below", below)].into_iter().filter_map(|(k, v)| v.clone().map(|v| Shown::Key(k, v))).collect()
        }
        _ => vec![],
    },
    needles: |_| None,
};

static FUNCTION: AtomDef = AtomDef {
    name: "function",
    args: Schema::Keys(&["name", "receiver", "params", "results"]),
    node: Some(NodeKind::Function),
    build: |a| {
        let text = |k| a.get(k).map(|(v, _)| v.to_string());
        Ok(Atom::Function(FuncFilter { name: text("name"), receiver: text("receiver"), params: text("params"), results: text("results") }))
    },
    show: |atom| match atom {
        Atom::Function(f) => [("name", &f.name), ("receiver", &f.receiver), ("params", &f.params), ("results", &f.results)]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| Shown::Key(k, v)))
            .collect(),
        _ => vec![],
    },
    needles: |atom| match atom {
        Atom::Function(f) => function_needles(f),
        _ => None,
    },
};

static DIRECTIVE: AtomDef = AtomDef {
    name: "directive",
    args: Schema::One("a directive name such as rtool:span"),
    node: Some(NodeKind::Function),
    build: |a| match a.one() {
        // Directives are found as `//NAME` and read up to a space.
        (d, _) if !d.is_empty() && !d.starts_with('/') && !d.contains(char::is_whitespace) => Ok(Atom::Directive(d.into())),
        (d, off) => Err((off, format!("{d:?} is not a directive name such as rtool:span (the word after //)"))),
    },
    show: |atom| match atom {
        Atom::Directive(d) => vec![Shown::Value(d.clone())],
        _ => vec![],
    },
    needles: |atom| match atom {
        Atom::Directive(d) => Some(vec![format!("//{d}")]),
        _ => None,
    },
};

static CALL: AtomDef = AtomDef {
    name: "call",
    args: Schema::One("a function such as net/http.Get"),
    node: Some(NodeKind::Call),
    build: |a| a.qualified(a.one()).map(Atom::Call),
    show: |atom| match atom {
        Atom::Call(q) => vec![Shown::Value(q.to_string())],
        _ => vec![],
    },
    needles: |atom| match atom {
        Atom::Call(q) => Some(vec![q.name.clone()]),
        _ => None,
    },
};

static STRUCT: AtomDef = AtomDef {
    name: "struct",
    args: Schema::One("a type such as net/http.Server"),
    node: Some(NodeKind::Struct),
    build: |a| a.qualified(a.one()).map(Atom::Struct),
    show: |atom| match atom {
        Atom::Struct(q) => vec![Shown::Value(q.to_string())],
        _ => vec![],
    },
    needles: |atom| match atom {
        Atom::Struct(q) => Some(vec![q.name.clone()]),
        _ => None,
    },
};

static LITERAL: AtomDef = AtomDef {
    name: "literal",
    args: Schema::Keys(&["type", "field", "match"]),
    node: Some(NodeKind::Literal),
    build: |a| {
        let ty = a.get("type").ok_or((a.at, "literal(…) needs a type such as example.com/pkg.T".to_string()))?;
        let field = a.get("field").map(|f| a.identifier(f, "a field name")).transpose()?;
        let mode = match a.get("match") {
            None | Some(("any", _)) => LitMode::Any,
            Some(("value", _)) => LitMode::Value,
            Some(("pointer", _)) => LitMode::Pointer,
            Some((v, off)) => return Err((off, format!("match={v}: want any, value or pointer"))),
        };
        Ok(Atom::Literal { ty: a.qualified(ty)?, field, mode })
    },
    show: |atom| match atom {
        Atom::Literal { ty, field, mode } => {
            let mut out = vec![Shown::Value(ty.to_string())];
            out.extend(field.clone().map(|f| Shown::Key("field", f)));
            match mode {
                LitMode::Any => {}
                LitMode::Value => out.push(Shown::Word("match", "value")),
                LitMode::Pointer => out.push(Shown::Word("match", "pointer")),
            }
            out
        }
        _ => vec![],
    },
    needles: |atom| match atom {
        Atom::Literal { ty, .. } => Some(vec![ty.name.clone()]),
        _ => None,
    },
};

/// A function's file holds its name and its receiver type's name.
fn function_needles(f: &FuncFilter) -> Option<Vec<String>> {
    let literal_part = |p: &str| p.split('*').max_by_key(|s| s.len()).filter(|s| !s.is_empty()).map(str::to_string);
    let name = f.name.as_deref().and_then(literal_part);
    let receiver =
        f.receiver.as_deref().filter(|r| !matches!(*r, "any" | "none")).map(|r| r.trim_start_matches('*')).and_then(literal_part);
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

/// Builds atom `name` from its arguments; `at` is the offset of the name.
pub fn build(name: &str, raw: &[RawArg], at: usize) -> Result<Atom, ArgError> {
    let Some(def) = ATOMS.iter().find(|d| d.name == name) else {
        let names: Vec<&str> = ATOMS.iter().map(|d| d.name).collect();
        return Err((at, format!("unknown join point {name:?} ({})", names.join(", "))));
    };
    let args = def.args.check(name, raw, at)?;
    (def.build)(&args)
}

impl Schema {
    fn check<'a>(&self, name: &str, raw: &'a [RawArg], at: usize) -> Result<Args<'a>, ArgError> {
        let mut list = Vec::new();
        match self {
            Schema::None => {
                if let Some((_, _, off)) = raw.first() {
                    return Err((*off, format!("{name} takes no arguments")));
                }
            }
            Schema::One(what) => match raw {
                [(None, v, off)] => list.push(("", v.as_str(), *off)),
                _ => return Err((at, format!("{name}(…) takes one argument, {what}"))),
            },
            Schema::Keys(keys) => {
                for (k, v, off) in raw {
                    let key = match k {
                        None => keys.first().copied().unwrap_or(""),
                        Some(k) => match keys.iter().find(|x| **x == k.as_str()) {
                            Some(key) => *key,
                            None => return Err((*off, format!("{name}(…) has no key {k:?} ({})", keys.join(", ")))),
                        },
                    };
                    // A second value would replace the first without a word.
                    if list.iter().any(|(x, _, _)| *x == key) {
                        return Err((*off, format!("{name}(…) sets {key}= twice")));
                    }
                    list.push((key, v.as_str(), *off));
                }
            }
        }
        Ok(Args { list, at })
    }
}

impl<'a> Args<'a> {
    /// The one argument of a `Schema::One` atom.
    fn one(&self) -> (&'a str, usize) {
        self.list.first().map_or(("", self.at), |(_, v, off)| (*v, *off))
    }

    fn get(&self, key: &str) -> Option<(&'a str, usize)> {
        self.list.iter().find(|(k, _, _)| *k == key).map(|(_, v, off)| (*v, *off))
    }

    /// `path.Name`: a Go name in an import path. Anything else would never
    /// match.
    fn qualified(&self, (s, off): (&str, usize)) -> Result<QualName, ArgError> {
        match s.rsplit_once('.') {
            Some((path, name)) if !path.is_empty() && !path.ends_with('/') && is_identifier(name) => {
                Ok(QualName { path: path.to_string(), name: name.to_string() })
            }
            _ => Err((off, format!("{s:?} is not a qualified name like net/http.Get"))),
        }
    }

    /// A Go identifier; anything else would never match.
    fn identifier(&self, (s, off): (&str, usize), what: &str) -> Result<String, ArgError> {
        if is_identifier(s) { Ok(s.to_string()) } else { Err((off, format!("{s:?} is not {what} (a Go identifier)"))) }
    }
}

impl Atom {
    /// The atom's table entry.
    pub fn def(&self) -> &'static AtomDef {
        match self {
            Atom::Package(_) => &PACKAGE,
            Atom::PackageName(_) => &PACKAGE_NAME,
            Atom::MainModule => &MAIN_MODULE,
            Atom::Std => &STD,
            Atom::TestMain => &TEST_MAIN,
            Atom::ModuleVersion { .. } => &MODULE_VERSION,
            Atom::Function(_) => &FUNCTION,
            Atom::Directive(_) => &DIRECTIVE,
            Atom::Call(_) => &CALL,
            Atom::Struct(_) => &STRUCT,
            Atom::Literal { .. } => &LITERAL,
        }
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The canonical text, which `parse` reads back.
impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let def = self.def();
        f.write_str(def.name)?;
        if matches!(def.args, Schema::None) {
            return Ok(());
        }
        let shown: Vec<String> = (def.show)(self)
            .into_iter()
            .map(|s| match s {
                Shown::Value(v) => quote(&v),
                Shown::Key(k, v) => format!("{k}={}", quote(&v)),
                Shown::Word(k, w) => format!("{k}={w}"),
            })
            .collect();
        write!(f, "({})", shown.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// One sample per atom, in its canonical text.
    const SAMPLES: &[&str] = &[
        r#"package("net/...")"#,
        r#"package-name("main")"#,
        "main-module",
        "std",
        "test-main",
        r#"module-version(min="v1.64.0", below="v2.0.0")"#,
        r#"function(name="Serve*", receiver="*Server", params="context.Context, int", results="error")"#,
        r#"directive("rtool:span")"#,
        r#"call("database/sql.Open")"#,
        r#"struct("net/http.Server")"#,
        r#"literal("net/http.Client", field="Transport", match=pointer)"#,
    ];

    #[test]
    fn table_is_consistent() {
        for (i, d) in ATOMS.iter().enumerate() {
            assert!(ATOMS[..i].iter().all(|e| e.name != d.name), "{} repeats", d.name);
        }
        assert_eq!(SAMPLES.len(), ATOMS.len());
    }

    #[test]
    fn every_atom_parses_prints_and_round_trips() {
        for (d, text) in ATOMS.iter().zip(SAMPLES) {
            let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            let [a] = e.atoms()[..] else { panic!("{text}") };
            assert!(std::ptr::eq(a.def(), *d), "{text} is not a {}", d.name);
            assert_eq!(a.to_string(), *text);
            assert_eq!(e.node_kind().unwrap(), d.node.unwrap_or(NodeKind::Package), "{text}");
            assert_eq!(parse(&e.to_string()).unwrap(), e);
        }
        // Defaults are left out; positional and keyed forms are one atom.
        assert_eq!(parse("function()").unwrap().to_string(), "function()");
        assert_eq!(parse("literal(type=a.T, match=any)").unwrap().to_string(), r#"literal("a.T")"#);
        assert_eq!(parse("function(Get)").unwrap(), parse("function(name=Get)").unwrap());
    }

    #[test]
    fn arguments_are_checked() {
        let bad = |s: &str| parse(s).unwrap_err();
        let cases: &[(&str, usize, &str)] = &[
            (
                "frobnicate",
                0,
                "unknown join point \"frobnicate\" (package, package-name, main-module, std, test-main, module-version, function, directive, call, struct, literal)",
            ),
            ("std(x)", 4, "std takes no arguments"),
            ("module-version(min=1.2)", 15, "min=1.2: not a module version such as v1.2.3"),
            ("package()", 0, "package(…) takes one argument, an import path pattern"),
            ("call(a.F, b.G)", 0, "call(…) takes one argument, a function such as net/http.Get"),
            ("function(nam=x)", 9, "function(…) has no key \"nam\" (name, receiver, params, results)"),
            ("function(F, name=G)", 12, "function(…) sets name= twice"),
            ("literal(field=X)", 0, "literal(…) needs a type such as example.com/pkg.T"),
            ("literal(a.T, match=some)", 13, "match=some: want any, value or pointer"),
            // Would never match: not a name, or not a qualified one.
            ("call(Open)", 5, "\"Open\" is not a qualified name like net/http.Get"),
            ("call(example.com/pkg)", 5, "\"example.com/pkg\" is not a qualified name like net/http.Get"),
            ("struct(a/.T)", 7, "\"a/.T\" is not a qualified name like net/http.Get"),
            ("literal(a.T, field=a.b)", 13, "\"a.b\" is not a field name (a Go identifier)"),
            ("package-name(a/b)", 13, "\"a/b\" is not a package name (a Go identifier)"),
            ("directive(//rtool:span)", 10, "\"//rtool:span\" is not a directive name such as rtool:span (the word after //)"),
            ("directive(\"rtool:span x\")", 10, "\"rtool:span x\" is not a directive name such as rtool:span (the word after //)"),
        ];
        for (text, offset, msg) in cases {
            let e = bad(text);
            assert_eq!((e.offset, e.msg.as_str()), (*offset, *msg), "{text}");
        }
    }
}

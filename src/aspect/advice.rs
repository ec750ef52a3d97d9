//! The kinds of advice, one table entry each (`ADVICE`): the directive that
//! declares it, its arguments and options, the shape of its code, the node
//! kinds it applies to, whether it can bring packages into a compile, its
//! tag in the codec, and how it is built from the directive and read back
//! by the codec. Parsing, the codec and the messages listing advice kinds
//! read the table; adding a kind is an `Advice` variant (the compiler then
//! asks for its `kind` and `fields`), its entry here, and its tests.

use super::directive::{ColumnError, Directive};
use super::extract::{CodeShape, directive_type};
use super::joinpoint::{NodeKind, QualName};
use super::{Advice, Code, Import, is_identifier, is_import_path};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdviceKind {
    Prepend,
    Wrap,
    ReplaceFunction,
    AppendArgs,
    Inject,
    AddField,
    AddImport,
    Assign,
}

/// Everything rtool knows about one kind of advice.
pub struct AdviceDef {
    pub kind: AdviceKind,
    /// The directive `//rtool:NAME`; also the advice's name in messages and
    /// in `rtool aspects`.
    pub name: &'static str,
    /// How many positional arguments the directive takes.
    pub args: usize,
    /// The `KEY=VALUE` options it takes.
    pub options: &'static [&'static str],
    pub applies_to: &'static [NodeKind],
    /// Whether the advice itself can bring packages into a compile (a
    /// replacement's package, an import, `//go:linkname` targets of injected
    /// declarations), besides the aspect file's imports.
    pub adds_packages: bool,
    /// The kind in the codec's form.
    pub tag: u32,
    pub build: Build,
    /// Reads back what `Advice::fields` gave the codec.
    pub decode: fn(&mut dyn FieldReader) -> Option<Advice>,
}

/// How an advice is built from its directive (and code).
pub enum Build {
    /// Advice with code, in the declarations after the group, of this shape.
    Code(CodeShape, fn(Code, &Input) -> Result<Advice, ColumnError>),
    /// Advice given by the directive alone.
    Plain(fn(&Input) -> Result<Advice, ColumnError>),
}

/// What an advice is built from besides its code: the directive, its
/// arguments already checked against the kind's `args` and `options`.
pub struct Input<'a> {
    pub directive: &'a Directive,
    /// The aspect file's imports, for types written in the directive.
    pub imports: &'a [Import],
}

/// One piece of an advice's data, as the codec stores it.
pub enum Field<'a> {
    Code(&'a Code),
    Text(&'a str),
    Flag(bool),
}

/// The codec's side of `AdviceDef::decode`: fields in the order written.
pub trait FieldReader {
    fn code(&mut self) -> Option<Code>;
    fn text(&mut self) -> Option<String>;
    fn flag(&mut self) -> Option<bool>;
}

/// Every kind, in the order messages list them.
pub static ADVICE: &[&AdviceDef] = &[&PREPEND, &WRAP, &REPLACE_FUNCTION, &APPEND_ARGS, &INJECT, &ADD_FIELD, &ADD_IMPORT, &ASSIGN];

static PREPEND: AdviceDef = AdviceDef {
    kind: AdviceKind::Prepend,
    name: "prepend",
    args: 0,
    options: &["order"],
    applies_to: &[NodeKind::Function],
    adds_packages: false,
    tag: 0,
    build: Build::Code(CodeShape::Statements, |code, _| Ok(Advice::Prepend(code))),
    decode: |r| Some(Advice::Prepend(r.code()?)),
};

static WRAP: AdviceDef = AdviceDef {
    kind: AdviceKind::Wrap,
    name: "wrap",
    args: 0,
    options: &["order"],
    applies_to: &[NodeKind::Call, NodeKind::Literal],
    adds_packages: false,
    tag: 1,
    build: Build::Code(CodeShape::Wrapper, |code, _| Ok(Advice::Wrap(code))),
    decode: |r| Some(Advice::Wrap(r.code()?)),
};

static REPLACE_FUNCTION: AdviceDef = AdviceDef {
    kind: AdviceKind::ReplaceFunction,
    name: "replace-function",
    args: 1,
    // Orders which replacement wins when several match.
    options: &["order"],
    applies_to: &[NodeKind::Call],
    adds_packages: true,
    tag: 2,
    build: Build::Plain(|i| {
        let (v, col) = i.arg(0);
        match v.rsplit_once('.') {
            Some((path, name)) if is_import_path(path) && is_identifier(name) => {
                Ok(Advice::ReplaceFunction(QualName { path: path.into(), name: name.into() }))
            }
            _ => Err((col, format!("{v:?} is not a qualified function like example.com/pkg.Func"))),
        }
    }),
    decode: |r| Some(Advice::ReplaceFunction(QualName { path: r.text()?, name: r.text()? })),
};

static APPEND_ARGS: AdviceDef = AdviceDef {
    kind: AdviceKind::AppendArgs,
    name: "append-args",
    args: 0,
    options: &["order"],
    applies_to: &[NodeKind::Call],
    adds_packages: false,
    tag: 3,
    build: Build::Code(CodeShape::Arguments, |code, _| Ok(Advice::AppendArgs(code))),
    decode: |r| Some(Advice::AppendArgs(r.code()?)),
};

static INJECT: AdviceDef = AdviceDef {
    kind: AdviceKind::Inject,
    name: "inject",
    args: 0,
    options: &["file"],
    applies_to: &[NodeKind::Package],
    adds_packages: true,
    tag: 4,
    build: Build::Code(CodeShape::Declarations, |code, i| {
        let new_file = i.choice("file", &[("same", false), ("new", true)])?.unwrap_or(false);
        Ok(Advice::Inject { code, new_file })
    }),
    decode: |r| Some(Advice::Inject { code: r.code()?, new_file: r.flag()? }),
};

static ADD_FIELD: AdviceDef = AdviceDef {
    kind: AdviceKind::AddField,
    name: "add-field",
    args: 2,
    options: &[],
    applies_to: &[NodeKind::Struct],
    adds_packages: false,
    tag: 5,
    build: Build::Plain(|i| {
        let ((name, name_col), (ty, ty_col)) = (i.arg(0), i.arg(1));
        if !is_identifier(name) {
            return Err((name_col, format!("{name:?} is not a field name (a Go identifier)")));
        }
        let ty = directive_type(ty, i.directive.line, ty_col, i.imports).map_err(|m| (ty_col, m))?;
        Ok(Advice::AddField { name: name.into(), ty })
    }),
    decode: |r| Some(Advice::AddField { name: r.text()?, ty: r.code()? }),
};

static ADD_IMPORT: AdviceDef = AdviceDef {
    kind: AdviceKind::AddImport,
    name: "import",
    args: 1,
    options: &[],
    applies_to: &[NodeKind::Package],
    adds_packages: true,
    tag: 6,
    build: Build::Plain(|i| match i.arg(0) {
        (path, _) if is_import_path(path) => Ok(Advice::AddImport(path.into())),
        (path, col) => Err((col, format!("{path:?} is not an import path"))),
    }),
    decode: |r| Some(Advice::AddImport(r.text()?)),
};

static ASSIGN: AdviceDef = AdviceDef {
    kind: AdviceKind::Assign,
    name: "assign",
    args: 1,
    options: &[],
    applies_to: &[NodeKind::Package],
    adds_packages: false,
    tag: 7,
    build: Build::Code(CodeShape::VarValue, |value, i| match i.arg(0) {
        (var, _) if is_identifier(var) => Ok(Advice::Assign { var: var.into(), value }),
        (var, col) => Err((col, format!("{var:?} is not a variable name (a Go identifier)"))),
    }),
    decode: |r| Some(Advice::Assign { var: r.text()?, value: r.code()? }),
};

impl AdviceKind {
    pub fn def(self) -> &'static AdviceDef {
        match self {
            AdviceKind::Prepend => &PREPEND,
            AdviceKind::Wrap => &WRAP,
            AdviceKind::ReplaceFunction => &REPLACE_FUNCTION,
            AdviceKind::AppendArgs => &APPEND_ARGS,
            AdviceKind::Inject => &INJECT,
            AdviceKind::AddField => &ADD_FIELD,
            AdviceKind::AddImport => &ADD_IMPORT,
            AdviceKind::Assign => &ASSIGN,
        }
    }
}

/// The kind a directive name declares.
pub fn by_name(name: &str) -> Option<&'static AdviceDef> {
    ADVICE.iter().copied().find(|d| d.name == name)
}

/// The kind the codec tagged.
pub fn by_tag(tag: u32) -> Option<&'static AdviceDef> {
    ADVICE.iter().copied().find(|d| d.tag == tag)
}

/// The advice directives, for messages: `prepend, wrap, …` with `last`
/// before the final one (`", "` or `" or "`).
pub fn names(last: &str) -> String {
    listed(&ADVICE.iter().map(|d| d.name).collect::<Vec<_>>(), last)
}

/// `a, b{last}c`, for messages.
fn listed(items: &[&str], last: &str) -> String {
    match items.split_last() {
        Some((z, rest)) if !rest.is_empty() => format!("{}{last}{z}", rest.join(", ")),
        _ => items.concat(),
    }
}

impl Input<'_> {
    /// Positional argument `n` and its column (present: the arguments were
    /// counted before building).
    fn arg(&self, n: usize) -> (&str, usize) {
        self.directive.positional().get(n).copied().unwrap_or(("", self.directive.rest_col))
    }

    /// The value option `key` chooses among `choices`, if given.
    fn choice<T: Copy>(&self, key: &str, choices: &[(&str, T)]) -> Result<Option<T>, ColumnError> {
        let Some((v, col)) = self.directive.option(key) else { return Ok(None) };
        match choices.iter().find(|(name, _)| *name == v) {
            Some((_, t)) => Ok(Some(*t)),
            None => Err((col, format!("{key}={v}: want {}", listed(&choices.iter().map(|c| c.0).collect::<Vec<_>>(), " or ")))),
        }
    }
}

impl Advice {
    pub fn kind(&self) -> AdviceKind {
        match self {
            Advice::Prepend(_) => AdviceKind::Prepend,
            Advice::Wrap(_) => AdviceKind::Wrap,
            Advice::ReplaceFunction(_) => AdviceKind::ReplaceFunction,
            Advice::AppendArgs(_) => AdviceKind::AppendArgs,
            Advice::Inject { .. } => AdviceKind::Inject,
            Advice::AddField { .. } => AdviceKind::AddField,
            Advice::AddImport(_) => AdviceKind::AddImport,
            Advice::Assign { .. } => AdviceKind::Assign,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().def().name
    }

    /// The advice code (not a type written in the directive), if any.
    pub fn code(&self) -> Option<&Code> {
        match self {
            Advice::Prepend(c) | Advice::Wrap(c) | Advice::AppendArgs(c) => Some(c),
            Advice::Inject { code, .. } => Some(code),
            Advice::Assign { value, .. } => Some(value),
            Advice::ReplaceFunction(_) | Advice::AddField { .. } | Advice::AddImport(_) => None,
        }
    }

    /// The advice's data for the codec, in the order its kind's `decode`
    /// reads it back.
    pub fn fields(&self) -> Vec<Field<'_>> {
        match self {
            Advice::Prepend(c) | Advice::Wrap(c) | Advice::AppendArgs(c) => vec![Field::Code(c)],
            Advice::ReplaceFunction(q) => vec![Field::Text(&q.path), Field::Text(&q.name)],
            Advice::Inject { code, new_file } => vec![Field::Code(code), Field::Flag(*new_file)],
            Advice::AddField { name, ty } => vec![Field::Text(name), Field::Code(ty)],
            Advice::AddImport(p) => vec![Field::Text(p)],
            Advice::Assign { var, value } => vec![Field::Text(var), Field::Code(value)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, d) in ADVICE.iter().enumerate() {
            assert!(std::ptr::eq(d.kind.def(), *d), "{} is not its kind's entry", d.name);
            assert!(ADVICE[..i].iter().all(|e| e.kind != d.kind && e.name != d.name && e.tag != d.tag), "{} repeats", d.name);
            assert!(by_name(d.name).is_some_and(|e| std::ptr::eq(e, *d)));
            assert!(by_tag(d.tag).is_some_and(|e| std::ptr::eq(e, *d)));
            assert!(!d.applies_to.is_empty());
        }
        assert_eq!(names(" or "), "prepend, wrap, replace-function, append-args, inject, add-field, import or assign");
    }
}

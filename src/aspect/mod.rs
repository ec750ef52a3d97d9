//! Aspects: a join point (where) plus advice (what). This module owns the
//! model; `parse` reads aspect files, `joinpoint` the `//rtool:where`
//! expressions, `builtin` the aspects embedded in rtool, `codec` the compact
//! form the coordinator memoizes for the rest of a build.

pub mod builtin;
pub mod codec;
pub mod joinpoint;
pub mod parse;

use crate::config::Config;
use crate::ctx::ENV_DISABLE;
use crate::error::{Error, Result};
use joinpoint::{Expr, NodeKind, QualName};
use std::path::{Path, PathBuf};

/// Every aspect of a configuration, in application order: built-ins, then
/// the configuration's files in order, each file's aspects in source order.
/// Built-ins named in `RTOOL_DISABLE` (or all, with `all`) are left out.
pub fn load(config: &Config) -> Result<Vec<Aspect>> {
    let mut all = Vec::new();
    for (name, src) in builtin::FILES {
        all.extend(parse::parse_file(Path::new(name), src.as_bytes(), true)?);
    }
    for f in &config.aspect_files {
        all.extend(parse::parse_file(&f.path, &f.source, false)?);
    }
    // `builtin.sql` names builtin.sql and every builtin.sql-…
    let names = |d: &str, id: &str| id == d || id.strip_prefix(d).is_some_and(|rest| rest.starts_with('-'));
    for d in &config.disabled {
        if d != "all" && !all.iter().any(|a| names(d, &a.id)) {
            return Err(Error::usage(format!("{ENV_DISABLE}: no aspect {d:?} (rtool aspects lists them)")));
        }
    }
    let disabled_all = config.disabled.iter().any(|d| d == "all");
    all.retain(|a| !(config.disabled.iter().any(|d| names(d, &a.id)) || (disabled_all && a.builtin)));
    for (i, a) in all.iter().enumerate() {
        if let Some(prev) = all[..i].iter().find(|p| p.id == a.id) {
            return Err(Error::failed(format!(
                "{}:{}:1: aspect {} is defined twice (also at {}:{})",
                a.file.display(),
                a.line,
                a.id,
                prev.file.display(),
                prev.line
            )));
        }
    }
    Ok(all)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aspect {
    pub id: String,
    /// The aspect file and the line of its `//rtool:aspect` directive.
    pub file: PathBuf,
    pub line: usize,
    pub builtin: bool,
    pub join: Expr,
    pub kind: NodeKind,
    pub advice: Advice,
    /// Lower orders apply first (prepended first, wrapped innermost).
    pub order: i32,
    /// The aspect file's imports: the packages advice code may use.
    pub imports: Vec<Import>,
}

impl Aspect {
    /// Whether the advice can bring packages into a compile.
    pub fn adds_packages(&self) -> bool {
        !self.imports.is_empty() || matches!(self.advice, Advice::ReplaceFunction(_) | Advice::AddImport(_) | Advice::Inject { .. })
    }

    /// The import paths of the packages the advice can bring in: the aspect
    /// file's imports, a replacement's package, an added import.
    pub fn package_paths(&self) -> impl Iterator<Item = &str> {
        let own = match &self.advice {
            Advice::ReplaceFunction(q) => Some(q.path.as_str()),
            Advice::AddImport(p) => Some(p.as_str()),
            _ => None,
        };
        self.imports.iter().map(|i| i.path.as_str()).chain(own)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The name advice code uses for the package.
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advice {
    /// Statements at the start of a function body.
    Prepend(Code),
    /// An expression around the matched call or literal (`RtoolExpr`).
    Wrap(Code),
    /// Call another function instead.
    ReplaceFunction(QualName),
    /// Expressions appended to a call's arguments.
    AppendArgs(Code),
    /// Declarations added to the package, in its first file or a new one.
    Inject { code: Code, new_file: bool },
    /// A field appended to a struct type.
    AddField { name: String, ty: Code },
    /// `import _ "path"`.
    AddImport(String),
    /// The initial value of a package-level variable.
    Assign { var: String, value: Code },
}

impl Advice {
    pub fn name(&self) -> &'static str {
        match self {
            Advice::Prepend(_) => "prepend",
            Advice::Wrap(_) => "wrap",
            Advice::ReplaceFunction(_) => "replace-function",
            Advice::AppendArgs(_) => "append-args",
            Advice::Inject { .. } => "inject",
            Advice::AddField { .. } => "add-field",
            Advice::AddImport(_) => "import",
            Advice::Assign { .. } => "assign",
        }
    }

    /// The node kinds this advice can apply to.
    pub fn applies_to(&self) -> &'static [NodeKind] {
        match self {
            Advice::Prepend(_) => &[NodeKind::Function],
            Advice::Wrap(_) => &[NodeKind::Call, NodeKind::Literal],
            Advice::ReplaceFunction(_) | Advice::AppendArgs(_) => &[NodeKind::Call],
            Advice::AddField { .. } => &[NodeKind::Struct],
            Advice::Inject { .. } | Advice::AddImport(_) | Advice::Assign { .. } => &[NodeKind::Package],
        }
    }
}

/// Advice code: Go source taken from an aspect file, with the places that
/// are filled in per join point (holes), and where it came from so that
/// injected code keeps the aspect file's positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub text: String,
    /// Sorted, non-overlapping byte ranges of `text`.
    pub holes: Vec<Hole>,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hole {
    pub start: usize,
    pub end: usize,
    pub kind: HoleKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoleKind {
    /// `RtoolExpr`, `RtoolFuncName`, `RtoolParam0`, `RtoolArg_name`, …
    Placeholder(String),
    /// The name of one of the aspect file's imports, used as a qualifier:
    /// replaced by the alias rtool gives that import.
    Qualifier(String),
}

impl Code {
    /// The aspect-file line and column of byte `off` of the code.
    pub fn position(&self, off: usize) -> (usize, usize) {
        let before = &self.text[..off.min(self.text.len())];
        match before.rfind('\n') {
            Some(nl) => (self.line + before.matches('\n').count(), off - nl),
            None => (self.line, self.col + off),
        }
    }
}

/// The placeholders advice code may use.
pub const PLACEHOLDERS: &[&str] = &[
    "RtoolExpr",
    "RtoolFuncName",
    "RtoolPackage",
    "RtoolReceiver",
    "RtoolParamValues",
    "RtoolParamNames",
    "RtoolParam<N>",
    "RtoolResult<N>",
    "RtoolArg_<key>",
    "RtoolArgParams_<key>",
];

/// Whether `ident` is a placeholder name.
pub fn is_placeholder(ident: &str) -> bool {
    let numbered = |p: &str| ident.strip_prefix(p).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    matches!(ident, "RtoolExpr" | "RtoolFuncName" | "RtoolPackage" | "RtoolReceiver" | "RtoolParamValues" | "RtoolParamNames")
        || numbered("RtoolParam")
        || numbered("RtoolResult")
        || ident.strip_prefix("RtoolArg_").is_some_and(|k| !k.is_empty())
        || ident.strip_prefix("RtoolArgParams_").is_some_and(|k| !k.is_empty())
}

//! Aspects: a join point (where) plus advice (what). This module owns the
//! model; `parse` reads aspect files (with `directive` for `//rtool:`
//! comments and `extract` for advice code), `advice` is the table of advice
//! kinds, `placeholder` the names advice code uses, `joinpoint` the
//! `//rtool:where` expressions, `builtin` the aspects embedded in rtool,
//! `codec` the compact form the coordinator memoizes for the rest of a build.

pub mod advice;
pub mod builtin;
pub mod codec;
mod directive;
mod extract;
pub mod joinpoint;
pub mod parse;
pub mod placeholder;

use crate::config::Config;
use crate::ctx::ENV_DISABLE;
use crate::error::{Error, Result};
use joinpoint::{Expr, NodeKind, QualName};
pub use placeholder::Placeholder;
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
        !self.imports.is_empty() || self.advice.kind().def().adds_packages
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
    Placeholder(Placeholder),
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

/// Whether `s` is a Go identifier (letters, digits and `_`, not starting
/// with a digit; keywords are not told apart).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Whether `s` can be an import path, by the rules the compiler applies to
/// import declarations (non-empty, not absolute, no spaces, control or
/// punctuation characters it rejects).
pub fn is_import_path(s: &str) -> bool {
    const ILLEGAL: &str = "!\"#$%&'()*,:;<=>?[\\]^`{|}\u{FFFD}";
    !s.is_empty() && !s.starts_with('/') && !s.chars().any(|c| c.is_control() || c.is_whitespace() || ILLEGAL.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_import_paths() {
        for ok in ["x", "_", "Var2", "größe"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "2x", "a.b", "a-b", "a b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
        for ok in ["fmt", "net/http", "example.com/a-b/v2", "rtool.invalid/support", "gopkg.in/yaml.v3"] {
            assert!(is_import_path(ok), "{ok}");
        }
        for bad in ["", "/abs", "a b", "a\"b", "a:b", "a\\b", "x\ty"] {
            assert!(!is_import_path(bad), "{bad}");
        }
    }
}

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
    let ids: Vec<Id> = all.iter().map(|a| (a.id.as_str(), a.file.as_path(), a.line, a.builtin)).collect();
    check_ids(config, &ids)?;
    all.retain(|a| !disabled(config, &a.id, a.builtin));
    Ok(all)
}

/// The user's aspects only, checked as [`load`] checks them (the built-in
/// ones known by their `//rtool:aspect` lines, without parsing them: the
/// go command's `-V=full` probe needs no more, and parsing them all costs
/// milliseconds), disabled ones left out.
pub fn load_user(config: &Config) -> Result<Vec<Aspect>> {
    let mut user = Vec::new();
    for f in &config.aspect_files {
        user.extend(parse::parse_file(&f.path, &f.source, false)?);
    }
    let mut ids: Vec<Id> = Vec::new();
    for (name, src) in builtin::FILES {
        for (i, line) in src.lines().enumerate() {
            if let Some(id) = line.strip_prefix("//rtool:aspect ") {
                ids.push((id.trim(), Path::new(name), i + 1, true));
            }
        }
    }
    ids.extend(user.iter().map(|a| (a.id.as_str(), a.file.as_path(), a.line, false)));
    check_ids(config, &ids)?;
    user.retain(|a| !disabled(config, &a.id, false));
    Ok(user)
}

/// Whether `RTOOL_DISABLE` entry `d` names aspect `id`: `builtin.sql`
/// names builtin.sql and every builtin.sql-…
fn names(d: &str, id: &str) -> bool {
    id == d || id.strip_prefix(d).is_some_and(|rest| rest.starts_with('-'))
}

/// Whether the configuration switches aspect `id` off (`all`: every
/// built-in one).
fn disabled(config: &Config, id: &str, builtin: bool) -> bool {
    config.disabled.iter().any(|d| names(d, id) || (builtin && d == "all"))
}

/// An aspect's id, file, line and whether it is built in.
type Id<'a> = (&'a str, &'a Path, usize, bool);

/// Every `RTOOL_DISABLE` entry names an aspect, and no aspect left on is
/// declared twice. `ids` in load order.
fn check_ids(config: &Config, ids: &[Id]) -> Result<()> {
    for d in &config.disabled {
        if d != "all" && !ids.iter().any(|(id, ..)| names(d, id)) {
            return Err(Error::usage(format!("{ENV_DISABLE}: no aspect {d:?} (rtool aspects lists them)")));
        }
    }
    let on: Vec<&Id> = ids.iter().filter(|(id, _, _, builtin)| !disabled(config, id, *builtin)).collect();
    for (i, (id, file, line, _)) in on.iter().enumerate() {
        if let Some((_, pfile, pline, _)) = on[..i].iter().find(|p| p.0 == *id) {
            return Err(Error::failed(format!(
                "{}:{}:1: aspect {} is defined twice (also at {}:{})",
                file.display(),
                line,
                id,
                pfile.display(),
                pline
            )));
        }
    }
    Ok(())
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
    use crate::config::AspectFile;

    fn config(disabled: &[&str], files: &[&str]) -> Config {
        Config {
            aspect_files: files
                .iter()
                .enumerate()
                .map(|(i, src)| AspectFile { path: PathBuf::from(format!("a{i}.go")), source: src.as_bytes().to_vec() })
                .collect(),
            strict: false,
            disabled: disabled.iter().map(|d| d.to_string()).collect(),
            stderr_log: 0,
            module_path: None,
            vendored: None,
        }
    }

    /// load_user (the -V=full probe's) accepts and refuses what load
    /// (the compiles') does, and keeps the same user aspects.
    #[test]
    fn loading_only_the_users_aspects_checks_as_loading_all() {
        let user = "//go:build rtool\n\npackage aspects\n\n//rtool:aspect mine\n//rtool:where package(x)\n//rtool:inject\nvar x int\n";
        let clash = "//go:build rtool\n\npackage aspects\n\n//rtool:aspect builtin.redis-client\n//rtool:where package(x)\n//rtool:inject\nvar y int\n";
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[user]),
            (&["builtin.sql"], &[user]),
            (&["builtin.sq"], &[]),
            (&["nosuch"], &[user]),
            (&["mine"], &[user]),
            (&["all"], &[user]),
            (&[], &[user, user]),
            (&[], &[clash]),
            (&["builtin.redis"], &[clash]),
        ];
        for (disabled, files) in cases {
            let c = config(disabled, files);
            let all = load(&c).map(|a| a.into_iter().filter(|a| !a.builtin).collect::<Vec<_>>());
            assert_eq!(load_user(&c), all, "RTOOL_DISABLE={disabled:?}, {} files", files.len());
        }
    }

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

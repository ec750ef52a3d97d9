//! Rewriting a package's files for its aspects: find candidate files with
//! cheap string searches (memchr), parse only those with tree-sitter, match
//! join points, plan edits (data, no I/O), apply them once. Original tokens
//! keep their file:line:col (see `edit` and `lines`); injected code carries
//! the aspect file's positions.

pub mod edit;
#[cfg(test)]
mod golden;
pub mod lines;
mod plan;
pub mod runtime_gls;

use crate::aspect::Aspect;
use crate::aspect::joinpoint::{NodeKind, PackageInfo, Tri};
use crate::error::Result;
pub use edit::Mode;
pub use plan::{go_quote, package_name};

/// One Go file of the package being compiled.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the compiler is given it (absolute).
    pub path: String,
    pub src: Vec<u8>,
}

/// A file of the package with new contents.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Index into the package's files.
    pub index: usize,
    pub text: Vec<u8>,
}

/// A file added to the package.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Base name.
    pub name: String,
    pub text: Vec<u8>,
}

/// A file left unchanged because its matched code did not parse.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: String,
    pub line: usize,
    pub col: usize,
}

/// What rewriting a package produced.
#[derive(Debug, Default)]
pub struct Rewritten {
    pub changed: Vec<ChangedFile>,
    pub added: Vec<NewFile>,
    /// Import paths the changed code needs, sorted.
    pub imports: Vec<String>,
    /// Packages injected code reaches through `//go:linkname` only.
    pub linknames: Vec<String>,
    pub stats: Stats,
    /// Files left unchanged because their matched code did not parse
    /// (tree-sitter errors).
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub seen: usize,
    pub parsed: usize,
    pub rewritten: usize,
}

/// The aspects that may apply to `pkg`, given the package's imports: the
/// per-package pre-filter. Aspects about calls or literals of package X are
/// kept only where X is imported (or is the package itself).
pub fn aspects_for<'a>(aspects: &'a [Aspect], pkg: &PackageInfo, imports: &dyn Fn(&str) -> bool) -> Vec<&'a Aspect> {
    aspects
        .iter()
        .filter(|a| a.join.eval_package(pkg) != Tri::No)
        .filter(|a| match a.join.imported_paths() {
            Some(paths) => paths.iter().any(|p| *p == pkg.path || imports(p)),
            None => true,
        })
        .filter(|a| a.kind != NodeKind::Package || a.join.eval_package(pkg) == Tri::Yes)
        .collect()
}

/// Rewrites `files` of `pkg` for `aspects` (already filtered with
/// [`aspects_for`]). `strict`: fail where a file would be left unchanged.
pub fn rewrite_package(pkg: &PackageInfo, files: &[SourceFile], aspects: &[&Aspect], mode: Mode, strict: bool) -> Result<Rewritten> {
    plan::rewrite_package(pkg, files, aspects, mode, strict)
}

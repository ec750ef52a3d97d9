//! What rtool changes in one package's compile, as data: which aspects
//! apply (package facts, version gates, the packages it imports), the files
//! they rewrite or add, the runtime's goroutine-local-storage patch, the
//! packages the new code needs in the importcfg, and what the archive
//! records for the link. The compile tool carries it out
//! (`tools::compile`); `rtool diff` prints it (`preview`): one computation,
//! so that a preview shows what a build does.

use crate::aspect::joinpoint::{PackageInfo, Tri};
use crate::aspect::{Advice, Aspect};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{Error, ErrorAt, Result};
use crate::importcfg::ImportCfg;
use crate::linkdeps::LinkDeps;
use crate::rewrite::{self, Mode, NewFile, SourceFile, runtime_gls};
use crate::supportlib;
use std::path::Path;

/// The base name of the file a main package gets when injected code
/// reaches packages by linkname only.
pub const LINKDEPS_FILE: &str = "rtool_linkdeps.go";

/// One compile as rtool sees it.
pub struct Compile<'a> {
    /// The package; its module version is looked up here, where needed.
    pub pkg: PackageInfo,
    /// Its Go files, as the compiler is given them.
    pub files: &'a [String],
    /// Compiled as `-p main` (a command or a test main): it blank-imports
    /// what injected code reaches by linkname.
    pub is_main: bool,
    /// The compile's importcfg; called only where an aspect needs it.
    pub importcfg: &'a dyn Fn() -> Result<ImportCfg>,
    /// What the archives of an importcfg record for the link (their
    /// `link.deps`); called only where aspects inject packages.
    pub carried: &'a dyn Fn(&ImportCfg) -> Result<LinkDeps>,
}

/// What rtool does to one compile.
pub struct Changes<'a> {
    pub pkg: PackageInfo,
    pub applicable: Vec<&'a Aspect>,
    /// The original files, read where anything could change.
    pub sources: Vec<SourceFile>,
    /// Rewritten and added files, the runtime patch and the linkname
    /// import file of a main package included.
    pub result: rewrite::Rewritten,
    /// Packages added to the compile's importcfg, sorted.
    pub needed: Vec<String>,
    /// What the archive records for the link (its own needs and its
    /// imports').
    pub deps: LinkDeps,
    /// The importcfg as read (empty where no aspect needed it).
    pub cfg: ImportCfg,
}

impl Changes<'_> {
    /// Whether the compile runs as the go command planned it.
    pub fn is_none(&self) -> bool {
        self.result.changed.is_empty() && self.result.added.is_empty() && self.deps.is_empty()
    }
}

/// Decides what rtool changes in `c`, given the build's aspects.
pub fn of_compile<'a>(ctx: &Ctx, aspects: &'a [Aspect], c: Compile, mode: Mode, strict: bool) -> Result<Changes<'a>> {
    let mut pkg = c.pkg;
    // The version is looked up (vendored: a file read) only for packages a
    // version-gated aspect could apply to (an unknown version counts as in).
    if !pkg.std && aspects.iter().any(|a| a.join.uses_module_version() && a.join.eval_package(&pkg) != Tri::No) {
        pkg.module_version = crate::modversion::of_package(&pkg.path, c.files);
        note_versions_out_of_range(ctx, aspects, &pkg);
    }
    // The importcfg matters to aspects about calls and literals of other
    // packages, and to configurations that inject packages.
    let injects = aspects.iter().any(Aspect::adds_packages);
    let cfg = if injects || aspects.iter().any(|a| a.join.imported_paths().is_some()) { (c.importcfg)()? } else { ImportCfg::default() };
    // What imported packages' injected code needs at link time travels on.
    let mut deps = if injects { (c.carried)(&cfg)? } else { LinkDeps::default() };

    let applicable = rewrite::aspects_for(aspects, &pkg, &|p| cfg.provides(p));
    let runtime = pkg.std && pkg.path == "runtime" && aspects.iter().any(uses_support);
    let sources = if applicable.is_empty() && !runtime { Vec::new() } else { read_sources(c.files)? };
    let mut result = if applicable.is_empty() {
        rewrite::Rewritten::default()
    } else {
        let r = rewrite::rewrite_package(&pkg, &sources, &applicable, mode, strict)?;
        let s = r.stats;
        ctx.log
            .debug(|| format!("{} aspects apply; files seen {}, parsed {}, rewritten {}", applicable.len(), s.seen, s.parsed, s.rewritten));
        for s in &r.skipped {
            ctx.log
                .debug(|| ErrorAt::new(&s.path, s.line, s.col, "left unchanged: tree-sitter-go cannot parse the matched code").to_string());
        }
        r
    };
    if runtime {
        patch_runtime(&mut result, &sources)?;
    }
    // unsafe is built into the compiler: never in an importcfg.
    let missing: Vec<String> = result.imports.iter().filter(|p| *p != "unsafe" && !cfg.provides(p)).cloned().collect();
    deps.imports.extend(missing.iter().cloned());
    deps.linknames.extend(result.linknames.iter().filter(|p| !cfg.provides(p) && *p != "runtime").cloned());
    deps.normalize();
    // A main package links what injected code reaches only by linkname:
    // blank-import it so that it is linked and initialised.
    let blank: Vec<String> = if c.is_main { deps.linknames.iter().filter(|p| !cfg.provides(p)).cloned().collect() } else { vec![] };
    if !blank.is_empty() {
        let imports: String = blank.iter().map(|p| format!("import _ {}\n", rewrite::go_quote(p))).collect();
        let text =
            format!("// Code generated by rtool: packages injected code reaches by linkname. DO NOT EDIT.\n\npackage main\n\n{imports}");
        result.added.push(NewFile { name: LINKDEPS_FILE.into(), text: text.into_bytes() });
    }
    let mut needed = missing;
    needed.extend(blank);
    needed.sort();
    needed.dedup();
    Ok(Changes { pkg, applicable, sources, result, needed, deps, cfg })
}

fn read_sources(files: &[String]) -> Result<Vec<SourceFile>> {
    files
        .iter()
        .map(|f| std::fs::read(f).map(|src| SourceFile { path: f.clone(), src }).map_err(|e| Error::io("reading", Path::new(f), e)))
        .collect()
}

/// Whether an aspect's advice uses rtool's support library, which needs
/// goroutine-local storage in the runtime.
fn uses_support(a: &Aspect) -> bool {
    a.imports.iter().any(|i| supportlib::is_support(&i.path))
        || matches!(&a.advice, Advice::ReplaceFunction(q) if supportlib::is_support(&q.path))
        || matches!(&a.advice, Advice::AddImport(p) if supportlib::is_support(p))
}

/// Adds the goroutine-local-storage patch to the runtime's compile, on top
/// of what aspects changed.
fn patch_runtime(result: &mut rewrite::Rewritten, sources: &[SourceFile]) -> Result<()> {
    let current: Vec<&[u8]> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| result.changed.iter().find(|c| c.index == i).map_or(s.src.as_slice(), |c| c.text.as_slice()))
        .collect();
    let patched = runtime_gls::patch(sources, &current)?;
    for c in patched.changed {
        result.changed.retain(|d| d.index != c.index);
        result.changed.push(c);
    }
    result.added.push(patched.added);
    Ok(())
}

/// Whether package `path` (not a standard one) is in the main module, by
/// the configuration's module path (a test's external package included).
pub fn in_main_module(config: &Config, path: &str) -> bool {
    config
        .module_path
        .as_deref()
        .is_some_and(|m| path == m || path.starts_with(&format!("{m}/")) || path.strip_suffix("_test").is_some_and(|b| b == m))
}

/// The aspects whose advice brings in `paths`, for messages.
pub fn origins(aspects: &[&Aspect], paths: &[String]) -> String {
    let ids: Vec<&str> = aspects
        .iter()
        .filter(|a| {
            paths.iter().any(|p| {
                a.imports.iter().any(|i| i.path == *p)
                    || matches!(&a.advice, Advice::ReplaceFunction(q) if q.path == *p)
                    || matches!(&a.advice, Advice::AddImport(x) if x == p)
            })
        })
        .map(|a| a.id.as_str())
        .collect();
    if ids.is_empty() { "carried link-time needs".to_string() } else { format!("aspect {}", ids.join(", ")) }
}

/// A library version outside an aspect's range builds unchanged: says so
/// in the debug log, once per aspect that would apply but for the version.
fn note_versions_out_of_range(ctx: &Ctx, aspects: &[Aspect], pkg: &PackageInfo) {
    let Some(version) = &pkg.module_version else { return };
    let unknown = PackageInfo { module_version: None, ..pkg.clone() };
    for a in aspects.iter().filter(|a| a.join.uses_module_version()) {
        if a.join.eval_package(pkg) == Tri::No && a.join.eval_package(&unknown) != Tri::No {
            ctx.log
                .debug(|| format!("{}@{version} is outside the versions of aspect {} (where {}): left unchanged", pkg.path, a.id, a.join));
        }
    }
}

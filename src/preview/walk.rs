//! The compiles and links of a build, in the order a build runs them, each
//! decided by `changes::of_compile` as the compile tool decides it. The
//! build's packages come from `go list -deps` (dependencies first). Where a
//! compile needs packages its importcfg lacks, the build resolves them
//! before that compile runs, as `inject::resolve_archives` does:
//! support-library packages (after the standard packages the whole library
//! imports, by one nested build) and other packages by a nested build of
//! them and their dependencies; the nested compiles go through rtool too,
//! so they appear here in their turn. A link adds what the archives record
//! and the build lacks (`tools::link`). Each package is compiled once.

use super::show;
use crate::aspect::Aspect;
use crate::aspect::joinpoint::PackageInfo;
use crate::changes::{self, Compile};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::importcfg::{ImportCfg, PackageFile};
use crate::linkdeps::LinkDeps;
use crate::rewrite::Mode;
use crate::supportlib;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};

const SEP: char = '\u{1f}';
const LIST_SEP: char = '\u{1e}';

/// One package as `go list` describes it.
pub struct Listed {
    pub path: String,
    name: String,
    std: bool,
    /// Absolute paths of its Go files (cgo files as written).
    files: Vec<String>,
    /// Resolved import paths (as the importcfg's packagefile lines).
    imports: Vec<String>,
    /// Import paths as written that resolve elsewhere (importmap lines).
    mapped: Vec<String>,
}

pub struct Walk<'a> {
    ctx: &'a Ctx,
    config: &'a Config,
    aspects: &'a [Aspect],
    /// The build's package-affecting flags, for nested builds.
    flags: Vec<String>,
    /// The go command's exit status when the outer go list failed.
    pub exit: u8,
    /// Packages compiled so far (every one the build compiles, changed or not).
    compiled: HashSet<String>,
    /// What each compiled package's archive records for the link.
    deps: HashMap<String, LinkDeps>,
    /// Imports of every package listed, for the packages a link has.
    imports: HashMap<String, Vec<String>>,
    /// The sets of packages nested builds are resolving, outermost first.
    resolving: Vec<String>,
}

impl<'a> Walk<'a> {
    pub fn new(ctx: &'a Ctx, config: &'a Config, aspects: &'a [Aspect], flags: Vec<String>) -> Walk<'a> {
        Walk {
            ctx,
            config,
            aspects,
            flags,
            exit: 0,
            compiled: HashSet::new(),
            deps: HashMap::new(),
            imports: HashMap::new(),
            resolving: Vec::new(),
        }
    }

    /// The packages of `go build ARGS`, dependencies first; None (with
    /// `exit` set) when go list fails, its errors on stderr.
    pub fn list_outer(&mut self, args: &[String]) -> Result<Option<Vec<Listed>>> {
        let mut cmd = Command::new("go");
        cmd.args(["list", "-deps", "-f", &template()]).args(args).stderr(Stdio::inherit());
        let out = cmd.output().map_err(|e| Error::failed(format!("running go list: {e}")))?;
        if !out.status.success() {
            self.exit = crate::exec::mirror_exit(out.status);
            return Ok(None);
        }
        Ok(Some(parse(&out.stdout)))
    }

    /// Compiles `packages` in order, and links the commands among them.
    pub fn build(&mut self, packages: Vec<Listed>) -> Result<()> {
        let mains: Vec<String> = packages.iter().filter(|p| p.name == "main").map(|p| p.path.clone()).collect();
        self.compile_all(packages)?;
        for m in mains {
            self.link(&m)?;
        }
        Ok(())
    }

    /// A support package's files in full, as new files.
    pub fn support_in_full(&mut self, path: &str) -> Result<()> {
        let files = supportlib::files_of(path)?;
        crate::error::print(&show::support(path, files, true))
    }

    fn compile_all(&mut self, packages: Vec<Listed>) -> Result<()> {
        for p in &packages {
            self.imports.insert(p.path.clone(), p.imports.clone());
        }
        for p in packages {
            if self.compiled.insert(p.path.clone()) {
                self.compile(p)?;
            }
        }
        Ok(())
    }

    fn compile(&mut self, p: Listed) -> Result<()> {
        let pkg = PackageInfo {
            main_module: !p.std && changes::in_main_module(self.config, &p.path),
            path: p.path.clone(),
            name: p.name.clone(),
            std: p.std,
            test_main: false,
            module_version: None,
        };
        // The importcfg the go command writes: a packagefile line per
        // resolved import, an importmap line per remapped one.
        let cfg = ImportCfg {
            packagefiles: p.imports.iter().map(|i| PackageFile::new(i, "")).collect(),
            importmaps: p.mapped.iter().map(|m| (m.clone(), String::new())).collect(),
            other: Vec::new(),
        };
        let mut carried = LinkDeps::default();
        for i in &p.imports {
            if let Some(d) = self.deps.get(i) {
                carried.merge(d);
            }
        }
        let compile =
            Compile { pkg, files: &p.files, is_main: p.name == "main", importcfg: &|| Ok(cfg.clone()), carried: &|_| Ok(carried.clone()) };
        let ch = changes::of_compile(self.ctx, self.aspects, compile, Mode::Display, self.config.strict)?;
        self.deps.insert(p.path.clone(), ch.deps.clone());
        let dir = p.files.first().and_then(|f| Path::new(f).parent()).unwrap_or(Path::new(""));
        crate::error::print(&show::compile(&self.ctx.cwd, dir, &ch))?;
        if !ch.needed.is_empty() {
            let why = format!("{}: {}", p.path, changes::origins(&ch.applicable, &ch.needed));
            self.resolve(&ch.needed, &ch.cfg, &why)?;
        }
        Ok(())
    }

    /// What a link of command `main` adds: every package the archives
    /// record as needed that the build lacks, with what it imports.
    fn link(&mut self, main: &str) -> Result<()> {
        let mut has: BTreeSet<String> = BTreeSet::new();
        let mut todo = vec![main.to_string()];
        while let Some(p) = todo.pop() {
            if has.insert(p.clone()) {
                todo.extend(self.imports.get(&p).into_iter().flatten().cloned());
            }
        }
        let mut deps = LinkDeps::default();
        for p in &has {
            if let Some(d) = self.deps.get(p) {
                deps.merge(d);
            }
        }
        let missing: Vec<String> = deps.all().filter(|p| !has.contains(*p)).cloned().collect();
        if missing.is_empty() {
            return Ok(());
        }
        let cfg = ImportCfg { packagefiles: has.iter().map(|p| PackageFile::new(p, "")).collect(), ..ImportCfg::default() };
        let found = self.resolve(&missing, &cfg, &format!("linking {main}"))?;
        let mut added: Vec<String> = Vec::new();
        for p in found {
            if !has.contains(&p) && !added.contains(&p) {
                added.push(p);
            }
        }
        crate::error::print(&show::link(main, &added))
    }

    /// Resolves `paths` for a compile or link whose importcfg is `known`:
    /// they and everything they import, as `resolve_archives` finds them.
    fn resolve(&mut self, paths: &[String], known: &ImportCfg, why: &str) -> Result<Vec<String>> {
        let (support, other): (Vec<String>, Vec<String>) = paths.iter().cloned().partition(|p| supportlib::is_support(p));
        let mut found = Vec::new();
        for p in &support {
            found.extend(self.support(p, known).map_err(|e| e.context(why))?);
        }
        if !other.is_empty() {
            found.extend(self.nested(&other, why)?);
        }
        Ok(found)
    }

    /// A support package for this build, as `supportlib::archives` builds it:
    /// the standard packages of the whole library (a nested build, unless
    /// `known` has them all), its own support imports, then itself.
    fn support(&mut self, path: &str, known: &ImportCfg) -> Result<Vec<String>> {
        let files = supportlib::files_of(path)?;
        let std = supportlib::std_imports();
        let mut found = if std.iter().all(|p| known.provides(p)) { std } else { self.nested(&std, "compiling rtool's support library")? };
        for p in supportlib::own_imports(path)? {
            for dep in self.support(&p, known)? {
                if !found.contains(&dep) {
                    found.push(dep);
                }
            }
        }
        if self.compiled.insert(path.to_string()) {
            crate::error::print(&show::support(path, files, false))?;
        }
        found.insert(0, path.to_string());
        Ok(found)
    }

    /// A nested build of `paths` (`resolve::export_files`): every package
    /// of it, dependencies first; those not compiled yet are compiled now.
    fn nested(&mut self, paths: &[String], why: &str) -> Result<Vec<String>> {
        let (paths, set) = crate::resolve::resolution(paths, &self.resolving, why)?;
        let list_flags = ["-deps".to_string(), "-f".to_string(), template()];
        let out = crate::resolve::go_list(self.ctx, &list_flags, &self.flags, &paths)
            .output()
            .map_err(|e| Error::failed(format!("{why}: running go list: {e}")))?;
        if !out.status.success() {
            return Err(Error::failed(format!(
                "{why}: cannot resolve {}:\n{}",
                paths.join(", "),
                String::from_utf8_lossy(&out.stderr).trim_end()
            )));
        }
        let packages = parse(&out.stdout);
        let all: Vec<String> = packages.iter().map(|p| p.path.clone()).collect();
        self.resolving.push(set);
        let r = self.compile_all(packages);
        self.resolving.pop();
        r.map(|()| all)
    }
}

/// go list's template: one line per package, fields split by SEP, lists
/// by LIST_SEP.
fn template() -> String {
    let list = |f: &str| format!("{{{{join .{f} \"\\x1e\"}}}}");
    [
        "{{.ImportPath}}".to_string(),
        "{{.Name}}".to_string(),
        "{{.Dir}}".to_string(),
        "{{.Standard}}".to_string(),
        list("GoFiles"),
        list("CgoFiles"),
        list("Imports"),
        "{{range $k, $v := .ImportMap}}{{$k}}\x1e{{end}}".to_string(),
    ]
    .join(&SEP.to_string())
}

fn parse(out: &[u8]) -> Vec<Listed> {
    let split = |s: &str| -> Vec<String> { s.split(LIST_SEP).filter(|x| !x.is_empty()).map(str::to_string).collect() };
    let mut packages = Vec::new();
    for line in String::from_utf8_lossy(out).lines() {
        let f: Vec<&str> = line.split(SEP).collect();
        let [path, name, dir, standard, gofiles, cgofiles, imports, mapped] = f[..] else { continue };
        let files =
            split(gofiles).into_iter().chain(split(cgofiles)).map(|n| Path::new(dir).join(n).to_string_lossy().into_owned()).collect();
        packages.push(Listed {
            path: path.to_string(),
            name: name.to_string(),
            std: standard == "true",
            files,
            imports: split(imports),
            mapped: split(mapped),
        });
    }
    packages
}

//! compile: decides what a package's compile needs from rtool and prepares
//! it. Aspects that cannot apply to the package are dropped first (import
//! path, package facts, the packages it imports), then files no remaining
//! aspect can match (string search), and only the rest is parsed and
//! rewritten. Rewritten copies go to `$WORK/bNNN/rtool/`; the user's files
//! are never touched. Packages the new code imports that the compile does
//! not have are resolved (support library, nested go list) and added to a
//! copy of the importcfg; what the package needs at link time is recorded
//! in a `link.deps` member of its archive, together with what its imports
//! recorded. When the build's aspects use the support library, the compile
//! of package runtime also gets goroutine-local storage
//! (`rewrite::runtime_gls`).

use super::Action;
use crate::archive;
use crate::args::{self, ToolCall};
use crate::aspect::Aspect;
use crate::aspect::joinpoint::PackageInfo;
use crate::atomicfile::write_atomic;
use crate::build::Build;
use crate::changes::{self, Changes};
use crate::config::Config;
use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::importcfg::{self, ImportCfg};
use crate::inject;
use crate::linkdeps::{self, LinkDeps};
use crate::rewrite::{self, Mode};
use crate::supportlib::{self, Target};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What to do with one compile call.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Run the compiler unchanged, for the reason given.
    PassThrough(String),
    /// Run the compiler with these arguments; then, if given, append this
    /// `link.deps` member to the archive it writes.
    Run { args: Vec<OsString>, link_deps: Option<(PathBuf, LinkDeps)>, why: String },
}

impl Plan {
    pub fn why(&self) -> String {
        match self {
            Plan::PassThrough(why) => format!("pass through: {why}"),
            Plan::Run { why, link_deps, .. } => match link_deps {
                Some((_, d)) => format!("{why}; link.deps {:?}", d.all().collect::<Vec<_>>()),
                None => why.clone(),
            },
        }
    }
}

/// A compile that nested builds of the same build may run at the same time:
/// it runs once (coordinator job `key`), and the others copy its outputs.
pub struct Shared {
    pub coord: Coord,
    pub key: String,
    pub outputs: Vec<PathBuf>,
}

/// What this compile call needs: its plan, and whether the compile is
/// shared with nested builds.
pub fn transform(build: &Build, call: &ToolCall) -> Result<Action> {
    let args = call.text_args()?;
    let aspects = build.aspects()?;
    let plan = match changes_of(build, &args, aspects)? {
        Err(why) => Plan::PassThrough(why),
        Ok(ch) => prepare(build, call, &args, ch)?,
    };
    let shared = shared(build, &args, aspects);
    Ok(match (plan, shared) {
        (Plan::PassThrough(why), None) => Action::PassThrough(why),
        (Plan::Run { args, link_deps: None, why }, None) => Action::Exec { args, why },
        (plan, shared) => Action::Compile { plan, shared },
    })
}

/// Whether the compile is shared with nested builds of this build.
fn shared(build: &Build, args: &[String], aspects: &[Aspect]) -> Option<Shared> {
    let coord = build.coord.clone()?;
    if !may_be_nested(args, aspects) {
        return None;
    }
    // Same package, same action ID (`-buildid ID/ID`): the same compile.
    let out = args::flag_value(args, "o").map(PathBuf::from)?;
    let id = args::flag_value(args, "buildid").and_then(|b| b.split('/').next())?;
    let pkg = build.ctx.import_path.clone().unwrap_or_default();
    let mut outputs = vec![out];
    outputs.extend(args::flag_value(args, "asmhdr").map(PathBuf::from));
    Some(Shared { coord, key: format!("compile\0{pkg}\0{id}"), outputs })
}

/// Whether a nested go command of this build could compile this package
/// too, so that its compile is worth sharing (a coordinator job costs a
/// child process and a copy of the archive). Nested go commands resolve
/// what injected code imports: the support library's standard packages,
/// and what aspects import. Built-in aspects import only what their
/// targets already import (a unit test in `injected` holds them to it), so
/// outside the standard library only a user's aspect importing a
/// non-standard package can reach a package of the build. Sharing is an
/// optimization only: a package compiled twice gives the same archive.
fn may_be_nested(args: &[String], aspects: &[Aspect]) -> bool {
    if !aspects.iter().any(Aspect::adds_packages) {
        return false;
    }
    let std = args.iter().any(|a| a == "-std");
    std || aspects.iter().any(|a| !a.builtin && a.package_paths().any(|p| !supportlib::is_support(p) && !is_standard_path(p)))
}

/// The go command's rule: a standard package's first path element has no dot.
fn is_standard_path(path: &str) -> bool {
    !path.split('/').next().unwrap_or("").contains('.')
}

/// Runs a shared compile once: the first caller compiles and keeps copies
/// of the outputs; callers that come while or after it ran get the copies.
pub fn run_shared(ctx: &Ctx, call: &ToolCall, plan: Plan, shared: Shared) -> Result<u8> {
    let keep = shared.coord.files_of(&shared.key);
    let mut ran = None;
    let result = shared.coord.once(&shared.key, || {
        let status = execute(call, &plan)?;
        ran = Some(status);
        if !status.success() {
            return Ok(vec![1]);
        }
        std::fs::create_dir_all(&keep).map_err(|e| Error::io("creating", &keep, e))?;
        for (i, o) in shared.outputs.iter().enumerate() {
            if o.exists() {
                std::fs::copy(o, keep.join(i.to_string())).map_err(|e| Error::io("keeping", o, e))?;
            }
        }
        Ok(vec![0])
    })?;
    if let Some(status) = ran {
        ctx.log.debug(|| format!("ran the compiler ({})", ctx.log.cost()));
        return Ok(crate::exec::mirror_exit(status));
    }
    let pkg = ctx.import_path.clone().unwrap_or_default();
    if result != [0] {
        return Err(Error::failed(format!("{pkg}: its compile failed in another go command of this build (see its errors above)")));
    }
    for (i, o) in shared.outputs.iter().enumerate() {
        let kept = keep.join(i.to_string());
        if kept.exists() {
            std::fs::copy(&kept, o).map_err(|e| Error::io("copying", o, e))?;
        }
    }
    ctx.log.debug(|| format!("reused the compile of another go command of this build ({})", ctx.log.cost()));
    Ok(0)
}

/// Runs the compiler as planned and, if it succeeds, appends link.deps.
pub fn execute(call: &ToolCall, plan: &Plan) -> Result<std::process::ExitStatus> {
    let (args, link_deps) = match plan {
        Plan::PassThrough(_) => (&call.args, None),
        Plan::Run { args, link_deps, .. } => (args, link_deps.as_ref()),
    };
    let status = crate::exec::run(std::process::Command::new(&call.path).args(args))?;
    if let (true, Some((archive_path, deps))) = (status.success(), link_deps) {
        archive::append_member(archive_path, linkdeps::MEMBER, &deps.encode())?;
    }
    Ok(status)
}

/// What the build's aspects change in this compile (no file written,
/// no nested command run), or why the compile runs unchanged.
fn changes_of<'a>(build: &Build, args: &[String], aspects: &'a [Aspect]) -> Result<std::result::Result<Changes<'a>, String>> {
    let config = &build.record.config;
    let files = &args[files_at(args)..];
    if files.is_empty() {
        return Ok(Err("no Go files".into()));
    }
    if aspects.is_empty() {
        return Ok(Err("no aspects".into()));
    }
    let needs_name = aspects.iter().any(|a| a.join.uses_package_name());
    let pkg = package_info(build.ctx, args, files, config, needs_name);
    let is_main = pkg.test_main || args::flag_value(args, "p") == Some("main");
    let cfg_path = args::flag_value(args, "importcfg");
    let compile = changes::Compile {
        pkg,
        files,
        is_main,
        importcfg: &|| cfg_path.map_or_else(|| Ok(ImportCfg::default()), |p| ImportCfg::read(Path::new(p))),
        carried: &inject::carried_link_deps,
    };
    let ch = changes::of_compile(build.ctx, aspects, compile, Mode::Compile, config.strict)?;
    if ch.is_none() {
        return Ok(Err(if ch.applicable.is_empty() {
            format!("none of {} aspects applies", aspects.len())
        } else {
            "no join point matched".into()
        }));
    }
    Ok(Ok(ch))
}

/// Carries out `ch` for the compile: writes the rewritten and added files
/// next to its output, resolves the packages the new code imports into a
/// copy of its importcfg, and gives the compiler the new arguments.
fn prepare(build: &Build, call: &ToolCall, args: &[String], ch: Changes<'_>) -> Result<Plan> {
    let changes::Changes { pkg, applicable, result, needed, deps, cfg, .. } = ch;
    let out = args::flag_value(args, "o").map(PathBuf::from);
    let objdir = out.as_deref().and_then(Path::parent).ok_or_else(|| Error::failed("compile has no -o; cannot place rewritten files"))?;
    let dir = objdir.join("rtool");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
    let mut new_args: Vec<OsString> =
        if call.args.len() == args.len() { call.args.clone() } else { args.iter().map(OsString::from).collect() };
    let files = &args[files_at(args)..];
    let offset = new_args.len() - files.len();
    for c in &result.changed {
        let name = Path::new(&files[c.index]).file_name().map(|n| n.to_os_string()).unwrap_or_default();
        let path = dir.join(name);
        write_atomic(&path, &c.text)?;
        new_args[offset + c.index] = path.into_os_string();
    }
    for f in &result.added {
        let path = dir.join(&f.name);
        write_atomic(&path, &f.text)?;
        new_args.push(path.into_os_string());
    }
    if !needed.is_empty() {
        let why = format!("{}: {}", pkg.path, changes::origins(&applicable, &needed));
        let target = Target::new(Path::new(&call.path), args);
        let found = inject::resolve_archives(build, &target, &needed, &cfg, &why)?;
        let mut added = Vec::new();
        for p in &needed {
            let file = found.iter().find(|f| f.path == *p).ok_or_else(|| Error::failed(format!("{why}: cannot find package {p:?}")))?;
            added.push(file.clone());
        }
        let base = std::fs::read_to_string(args::flag_value(args, "importcfg").unwrap_or_default()).unwrap_or_default();
        let cfg_path = dir.join("importcfg");
        importcfg::write(&cfg_path, &base, &added)?;
        replace_flag(&mut new_args, "-importcfg", cfg_path.into_os_string());
    }
    trim_aspect_paths(&mut new_args, &applicable);
    let link_deps = (!deps.is_empty()).then(|| out.clone().map(|o| (o, deps))).flatten();
    Ok(Plan::Run {
        args: new_args,
        link_deps,
        why: format!("rewrote {} files, added {}, {} new imports", result.changed.len(), result.added.len(), needed.len()),
    })
}

/// Where a compile's Go files start in its arguments (they come last).
fn files_at(args: &[String]) -> usize {
    args.iter().rposition(|a| !a.ends_with(".go")).map_or(0, |i| i + 1)
}

fn replace_flag(args: &mut [OsString], flag: &str, value: OsString) {
    if let Some(i) = args.iter().position(|a| a == flag)
        && i + 1 < args.len()
    {
        args[i + 1] = value;
    } else if let Some(a) = args.iter_mut().find(|a| a.to_string_lossy().starts_with(&format!("{flag}="))) {
        let mut v = OsString::from(format!("{flag}="));
        v.push(value);
        *a = v;
    }
}

/// With `go build -trimpath`, the compile's `-trimpath` maps each source
/// directory to its import path. Injected code carries aspect file
/// positions: map their directories too, so no absolute path leaks into
/// the binary.
fn trim_aspect_paths(args: &mut [OsString], aspects: &[&Aspect]) {
    let Some(i) = args.iter().position(|a| a == "-trimpath") else { return };
    let Some(value) = args.get(i + 1).map(|v| v.to_string_lossy().into_owned()) else { return };
    if !value.contains(';') {
        return; // only $WORK/bNNN=>: not a -trimpath build
    }
    let mut dirs: Vec<&Path> = aspects.iter().filter(|a| !a.builtin).filter_map(|a| a.file.parent()).collect();
    dirs.sort();
    dirs.dedup();
    let mut v = value;
    for d in dirs {
        v.push_str(&format!(";{}=>rtool-aspects", d.display()));
    }
    args[i + 1] = v.into();
}

fn package_info(ctx: &Ctx, args: &[String], files: &[String], config: &Config, needs_name: bool) -> PackageInfo {
    let p = args::flag_value(args, "p").unwrap_or("");
    let full = ctx.import_path.as_deref().unwrap_or(p);
    let path = full.split(" [").next().unwrap_or(full).to_string();
    let std = args.iter().any(|a| a == "-std");
    let name = if p == "main" {
        "main".to_string()
    } else if !needs_name {
        String::new()
    } else {
        files
            .iter()
            .find(|f| !f.contains("/_cgo_"))
            .and_then(|f| std::fs::read(f).ok())
            .map(|s| rewrite::package_name(&s))
            .unwrap_or_default()
    };
    let main_module = !std && changes::in_main_module(config, &path);
    PackageInfo { test_main: p == "main" && path.ends_with(".test"), path, name, std, main_module, module_version: None }
}

#[cfg(test)]
mod tests {
    use super::may_be_nested;
    use crate::aspect::{builtin, parse::parse_file};
    use std::path::Path;

    fn args(std: bool) -> Vec<String> {
        let mut args = vec!["-p".to_string(), "example.com/p".to_string()];
        if std {
            args.push("-std".to_string());
        }
        args
    }

    /// With the built-ins, only standard packages can be in a nested build;
    /// a user's aspect importing a module's package can reach any package.
    #[test]
    fn only_compiles_a_nested_build_can_need_are_shared() {
        let builtins: Vec<_> = builtin::FILES.iter().flat_map(|(n, s)| parse_file(Path::new(n), s.as_bytes(), true).unwrap()).collect();
        assert!(may_be_nested(&args(true), &builtins));
        assert!(!may_be_nested(&args(false), &builtins));
        let user = |import: &str| {
            let src = format!(
                "package a\n\nimport \"{import}\"\n\n//rtool:aspect a\n//rtool:where function(name=F)\n//rtool:prepend\nfunc _() {{ lib.G() }}\n"
            );
            parse_file(Path::new("/a.go"), src.as_bytes(), false).unwrap()
        };
        assert!(may_be_nested(&args(false), &[builtins.clone(), user("example.com/lib")].concat()));
        assert!(!may_be_nested(&args(false), &[builtins.clone(), user("log")].concat()));
        assert!(!may_be_nested(&args(true), &[]));
    }
}

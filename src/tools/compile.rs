//! compile: decides what a package's compile needs from rtool and prepares
//! it. Aspects that cannot apply to the package are dropped first (import
//! path, package facts, the packages it imports), then files no remaining
//! aspect can match (string search), and only the rest is parsed and
//! rewritten. Rewritten copies go to `$WORK/bNNN/rtool/`; the user's files
//! are never touched.

use crate::args::{self, ToolCall};
use crate::aspect::{self, Aspect, codec};
use crate::aspect::joinpoint::PackageInfo;
use crate::config::Config;
use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::importcfg::ImportCfg;
use crate::rewrite::{self, Mode, SourceFile};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What to do with one compile call.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Run the compiler unchanged, for the reason given.
    PassThrough(String),
    /// Run the compiler with these arguments.
    Run { args: Vec<OsString>, why: String },
}

pub fn plan(ctx: &Ctx, call: &ToolCall) -> Result<Plan> {
    let args = call.text_args()?;
    let files_at = args.iter().rposition(|a| !a.ends_with(".go")).map_or(0, |i| i + 1);
    if files_at >= args.len() {
        return Ok(Plan::PassThrough("no Go files".into()));
    }
    let out = args::flag_value(&args, "o").map(PathBuf::from);
    let work = out.as_deref().and_then(args::work_dir);
    let coord = Coord::for_build(ctx, work.as_deref())?;
    let config = Config::for_build(ctx, coord.as_ref())?;
    let aspects = aspects_for_build(&config, coord.as_ref())?;
    if aspects.is_empty() {
        return Ok(Plan::PassThrough("no aspects".into()));
    }

    let files = &args[files_at..];
    let needs_name = aspects.iter().any(|a| a.join.uses_package_name());
    let pkg = package_info(ctx, &args, files, &config, needs_name);
    let cfg = match args::flag_value(&args, "importcfg") {
        Some(p) => ImportCfg::read(Path::new(p))?,
        None => ImportCfg::default(),
    };
    let applicable = rewrite::aspects_for(&aspects, &pkg, &|p| cfg.provides(p));
    if applicable.is_empty() {
        return Ok(Plan::PassThrough(format!("none of {} aspects applies", aspects.len())));
    }

    let sources = files
        .iter()
        .map(|f| std::fs::read(f).map(|src| SourceFile { path: f.clone(), src }).map_err(|e| Error::io("reading", Path::new(f), e)))
        .collect::<Result<Vec<_>>>()?;
    let result = rewrite::rewrite_package(&pkg, &sources, &applicable, Mode::Compile, config.strict)?;
    let s = result.stats;
    ctx.log.debug(|| format!("{} aspects apply; files seen {}, parsed {}, rewritten {}", applicable.len(), s.seen, s.parsed, s.rewritten));
    for (file, line, col) in &result.skipped {
        ctx.log.debug(|| format!("{file}:{line}:{col}: left unchanged: tree-sitter-go cannot parse the matched code"));
    }
    if result.changed.is_empty() && result.added.is_empty() {
        return Ok(Plan::PassThrough("no join point matched".into()));
    }
    for path in &result.imports {
        // unsafe is built into the compiler: never in an importcfg.
        if path != "unsafe" && !cfg.provides(path) {
            return Err(Error::failed(format!(
                "{}: advice imports {path:?}, which this package does not import; rtool cannot add packages to a compile yet",
                pkg.path
            )));
        }
    }

    let objdir = out.as_deref().and_then(Path::parent).ok_or_else(|| Error::failed("compile has no -o; cannot place rewritten files"))?;
    let dir = objdir.join("rtool");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
    let mut new_args: Vec<OsString> = if call.args.len() == args.len() { call.args.clone() } else { args.iter().map(OsString::from).collect() };
    let offset = new_args.len() - files.len();
    for (i, text) in &result.changed {
        let name = Path::new(&files[*i]).file_name().map(|n| n.to_os_string()).unwrap_or_default();
        let path = dir.join(name);
        crate::atomicfile::write_atomic(&path, text)?;
        new_args[offset + i] = path.into_os_string();
    }
    for (name, text) in &result.added {
        let path = dir.join(name);
        crate::atomicfile::write_atomic(&path, text)?;
        new_args.push(path.into_os_string());
    }
    trim_aspect_paths(&mut new_args, &applicable);
    Ok(Plan::Run { args: new_args, why: format!("rewrote {} files, added {}", result.changed.len(), result.added.len()) })
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

/// The build's aspects, parsed once per build and memoized.
pub fn aspects_for_build(config: &Config, coord: Option<&Coord>) -> Result<Vec<Aspect>> {
    let Some(coord) = coord else { return aspect::load(config) };
    let bytes = coord.once("aspects", || aspect::load(config).map(|a| codec::encode(&a)))?;
    codec::decode(&bytes).ok_or_else(|| Error::failed(format!("corrupt aspects memo in {}", coord.root().display())))
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
        files.iter().find(|f| !f.contains("/_cgo_")).and_then(|f| std::fs::read(f).ok()).map(|s| rewrite::package_name(&s)).unwrap_or_default()
    };
    let main_module = !std
        && config.module_path.as_deref().is_some_and(|m| path == m || path.starts_with(&format!("{m}/")) || path.strip_suffix("_test").is_some_and(|b| b == m));
    PackageInfo { test_main: p == "main" && path.ends_with(".test"), path, name, std, main_module }
}

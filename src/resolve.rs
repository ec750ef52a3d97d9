//! Packages a compile or link needs that the go command did not give it:
//! their archives come from one nested `go list -export -deps` per distinct
//! set of packages per build (the coordinator runs it once; concurrent
//! callers share the result). The nested command uses the outer build's
//! toolchain, working directory and package-affecting flags (from the build
//! record, read exactly by `outer_go.rs`), with rtool as its toolexec, so
//! every package it compiles goes through the same aspects and has the
//! same action ID, hence the same archive, as in the outer build, and
//! export data stays consistent (fingerprints match at link).

use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::importcfg::PackageFile;
use std::process::{Command, Stdio};

/// The sorted set of `paths` a nested build resolves, and its name; an
/// import cycle if an enclosing nested build (`resolving`) resolves it
/// already.
pub fn resolution(paths: &[String], resolving: &[String], why: &str) -> Result<(Vec<String>, String)> {
    let mut paths = paths.to_vec();
    paths.sort();
    paths.dedup();
    let set = paths.join(" ");
    if resolving.contains(&set) {
        return Err(Error::failed(format!(
            "{why}: import cycle: resolving {set} needs {set} again (injected code imports a package that imports the instrumented one)"
        )));
    }
    Ok((paths, set))
}

/// Archives of `paths` and everything they import (export files). `why`
/// says who needs them, for errors.
pub fn export_files(ctx: &Ctx, coord: &Coord, flags: &[String], paths: &[String], why: &str) -> Result<Vec<PackageFile>> {
    let (paths, set) = resolution(paths, &ctx.resolving, why)?;
    let key = format!("resolve\0{set}\0{}", flags.join(" "));
    let out = coord.once(&key, || run_go_list(ctx, coord, &paths, flags, why))?;
    Ok(String::from_utf8_lossy(&out).lines().filter_map(|l| l.split_once('=')).map(|(p, f)| PackageFile::new(p, f)).collect())
}

fn run_go_list(ctx: &Ctx, coord: &Coord, paths: &[String], flags: &[String], why: &str) -> Result<Vec<u8>> {
    let me = std::env::current_exe().map_err(|e| Error::failed(format!("cannot find rtool's own path: {e}")))?;
    let list_flags = ["-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}={{.Export}}{{end}}"].map(String::from);
    let mut cmd = go_list(ctx, &[list_flags.as_slice(), &[format!("-toolexec={}", me.display())]].concat(), flags, paths);
    for (k, v) in coord.nested_env(ctx.depth)? {
        cmd.env(k, v);
    }
    let mut resolving = ctx.resolving.clone();
    resolving.push(paths.join(" "));
    cmd.env(crate::ctx::ENV_RESOLVING, resolving.join("\n"));
    ctx.log.debug(|| format!("nested: {} {:?}", cmd.get_program().display(), cmd.get_args().collect::<Vec<_>>()));
    let out = cmd.output().map_err(|e| Error::failed(format!("{why}: running go list: {e}")))?;
    if !out.status.success() {
        return Err(Error::failed(format!(
            "{why}: cannot resolve {}:\n{}",
            paths.join(", "),
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    Ok(out.stdout)
}

/// `go list LIST_FLAGS… BUILD_FLAGS… -- PATHS…` with this build's
/// toolchain, from the go command's directory. The build flags are all
/// spelled out: `$GOFLAGS`'s pattern-less `-gcflags` would apply to other
/// packages here.
pub fn go_list(ctx: &Ctx, list_flags: &[String], build_flags: &[String], paths: &[impl AsRef<std::ffi::OsStr>]) -> Command {
    let mut cmd = Command::new(ctx.go_binary());
    cmd.arg("list")
        .args(list_flags)
        .args(build_flags)
        .arg("--")
        .args(paths)
        .current_dir(&ctx.cwd)
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOROOT") // empty for the linker under -trimpath: the go command finds its own
        .env_remove(crate::ctx::ENV_IMPORTPATH)
        .env_remove(crate::ctx::ENV_GO_COMMAND)
        .stdin(Stdio::null());
    cmd
}

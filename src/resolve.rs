//! Packages a compile or link needs that the go command did not give it:
//! their archives come from one nested `go list -export -deps` per distinct
//! set of packages per build (the coordinator runs it once; concurrent
//! callers share the result). The nested command uses the outer build's
//! toolchain, working directory and package-affecting flags, with rtool as
//! its toolexec, so every package it compiles goes through the same
//! aspects and export data stays consistent (fingerprints match at link).

use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Build flags that change what a package compiles to; the nested command
/// must see them as the outer one did. (GOFLAGS is inherited as is.)
const KEPT: &[&str] = &[
    "tags", "race", "msan", "asan", "cover", "covermode", "coverpkg", "trimpath", "gcflags", "asmflags", "mod", "modfile", "pgo",
    "buildmode", "installsuffix", "compiler", "overlay", "linkshared",
];

/// Build flags that take a value as the next argument.
const VALUED: &[&str] = &[
    "C", "p", "tags", "gcflags", "asmflags", "ldflags", "gccgoflags", "mod", "modfile", "overlay", "pgo", "pkgdir", "installsuffix",
    "buildmode", "compiler", "covermode", "coverpkg", "toolexec", "o", "exec", "run", "skip", "bench", "count", "timeout", "cpu",
    "parallel", "benchtime", "f", "json", "vet", "shuffle", "fuzz", "fuzztime", "fuzzminimizetime", "outputdir", "coverprofile",
];

/// The package-affecting flags of a go command line (`go build -race -tags
/// x ./...` gives `-race -tags=x`). Flags whose effect depends on the
/// packages named on the command line get those packages spelled out, since
/// the nested command names others: `-cover` covers the named packages
/// (`-coverpkg=` them), and `-gcflags`/`-asmflags` without a pattern apply
/// to them (`-gcflags=PATTERN=…`).
pub fn kept_flags(cmdline: &[String]) -> Vec<String> {
    let mut flags: Vec<(String, Option<String>)> = Vec::new();
    let mut it = cmdline.iter().skip(1).peekable();
    // `go -C dir build …`: the directory is already our working directory.
    if it.peek().is_some_and(|a| a.as_str() == "-C" || a.as_str() == "--C") {
        it.next();
        it.next();
    }
    it.next(); // the subcommand
    let mut patterns = Vec::new();
    while let Some(arg) = it.next() {
        if arg == "--" {
            break;
        }
        if !arg.starts_with('-') {
            // The packages; test flags may follow them.
            patterns.push(arg.clone());
            patterns.extend(it.by_ref().take_while(|a| !a.starts_with('-')).cloned());
            break;
        }
        let flag = arg.trim_start_matches('-');
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None if VALUED.contains(&flag) => (flag, it.next().cloned()),
            None => (flag, None),
        };
        if KEPT.contains(&name) {
            flags.push((name.to_string(), value));
        }
    }
    if patterns.is_empty() {
        patterns.push(".".to_string());
    }
    let mut out = Vec::new();
    for (name, value) in &flags {
        match (name.as_str(), value) {
            ("gcflags" | "asmflags", Some(v)) if v.is_empty() || v.starts_with('-') => {
                out.extend(patterns.iter().map(|p| format!("-{name}={p}={v}")));
            }
            (_, Some(v)) => out.push(format!("-{name}={v}")),
            (_, None) => out.push(format!("-{name}")),
        }
    }
    let covers = flags.iter().any(|(n, v)| n == "cover" && v.as_deref() != Some("false"));
    if covers && !flags.iter().any(|(n, _)| n == "coverpkg") {
        out.push(format!("-coverpkg={}", patterns.join(",")));
    }
    out
}

/// The go command line this rtool process runs under (our parent).
fn parent_cmdline() -> Vec<String> {
    let ppid = std::os::unix::process::parent_id();
    std::fs::read(format!("/proc/{ppid}/cmdline"))
        .map(|b| b.split(|&c| c == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect())
        .unwrap_or_default()
}

/// The package-affecting flags of the go command running this build.
pub fn outer_flags() -> Vec<String> {
    kept_flags(&parent_cmdline())
}

/// Archives of `paths` and everything they import: (import path, export
/// file). `why` says who needs them, for errors.
pub fn export_files(ctx: &Ctx, coord: &Coord, paths: &[String], why: &str) -> Result<Vec<(String, String)>> {
    let mut paths = paths.to_vec();
    paths.sort();
    paths.dedup();
    let flags = outer_flags();
    let set = paths.join(" ");
    if ctx.resolving.contains(&set) {
        return Err(Error::failed(format!(
            "{why}: import cycle: resolving {set} needs {set} again (injected code imports a package that imports the instrumented one)"
        )));
    }
    let key = format!("resolve\0{set}\0{}", flags.join(" "));
    let out = coord.once(&key, || run_go_list(ctx, coord, &paths, &flags, why))?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(p, f)| (p.to_string(), f.to_string()))
        .collect())
}

fn run_go_list(ctx: &Ctx, coord: &Coord, paths: &[String], flags: &[String], why: &str) -> Result<Vec<u8>> {
    let me = std::env::current_exe().map_err(|e| Error::failed(format!("cannot find rtool's own path: {e}")))?;
    let go = std::env::var_os("GOROOT").map(|r| PathBuf::from(r).join("bin/go")).filter(|g| g.is_file()).unwrap_or_else(|| PathBuf::from("go"));
    let mut cmd = Command::new(&go);
    cmd.args(["list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}={{.Export}}{{end}}"])
        .arg(format!("-toolexec={}", me.display()))
        .args(flags)
        .arg("--")
        .args(paths)
        .current_dir(&ctx.cwd)
        .env("GOTOOLCHAIN", "local")
        .env_remove(crate::ctx::ENV_IMPORTPATH)
        .stdin(Stdio::null());
    for (k, v) in coord.nested_env(ctx.depth)? {
        cmd.env(k, v);
    }
    let mut resolving = ctx.resolving.clone();
    resolving.push(paths.join(" "));
    cmd.env(crate::ctx::ENV_RESOLVING, resolving.join("\n"));
    ctx.log.debug(|| format!("nested: {} {:?}", go.display(), cmd.get_args().collect::<Vec<_>>()));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn keeps_package_affecting_flags() {
        assert_eq!(kept_flags(&v("go build -race -o out -tags a,b -v ./cmd/x")), v("-race -tags=a,b"));
        assert_eq!(kept_flags(&v("go -C dir test -count=1 -cover -coverpkg ./... ./pkg -run X")), v("-cover -coverpkg=./..."));
        assert_eq!(kept_flags(&v("go build --trimpath -gcflags=all=-N -mod vendor")), v("-trimpath -gcflags=all=-N -mod=vendor"));
        assert!(kept_flags(&v("go list -export -deps -f {{.Export}} fmt")).is_empty());
        // Flags that depend on the named packages name them.
        assert_eq!(kept_flags(&v("go test -cover ./a ./b -run X")), v("-cover -coverpkg=./a,./b"));
        assert_eq!(kept_flags(&v("go build -cover")), v("-cover -coverpkg=."));
        assert_eq!(kept_flags(&v("go build -gcflags=-N ./a ./b")), v("-gcflags=./a=-N -gcflags=./b=-N"));
    }
}

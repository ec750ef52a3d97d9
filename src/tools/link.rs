//! link: gives the linker every package injected code needs. The needs are
//! read from the `link.deps` members of every archive in the link's
//! importcfg (the main package's included, which may come straight from
//! the build cache); what the importcfg lacks is resolved, with everything
//! it imports, and the linker gets a completed copy.

use super::Action;
use crate::args::{self, ToolCall};
use crate::build::Build;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::importcfg::{self, ImportCfg, PackageFile};
use crate::inject;
use crate::supportlib::Target;
use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

const CGO: &str = "runtime/cgo";

/// The linker's new arguments, if it needs any.
pub fn transform(build: &Build, call: &ToolCall) -> Result<Action> {
    let args = call.text_args()?;
    let Some(cfg_path) = args::flag_value(&args, "importcfg").map(str::to_string) else {
        return Ok(Action::PassThrough("no importcfg".into()));
    };
    if !build.aspects()?.iter().any(crate::aspect::Aspect::adds_packages) {
        return Ok(Action::PassThrough("no link-time needs".into()));
    }
    let base = std::fs::read_to_string(&cfg_path).map_err(|e| Error::io("reading importcfg", Path::new(&cfg_path), e))?;
    let cfg = ImportCfg::parse(&base);
    let deps = inject::carried_link_deps(&cfg)?;
    let missing: Vec<String> = deps.all().filter(|p| !cfg.provides(p)).cloned().collect();
    if missing.is_empty() {
        return Ok(Action::PassThrough("no link-time needs".into()));
    }
    let why = format!("linking {}", build.ctx.import_path.clone().unwrap_or_default());
    let compile_tool = Path::new(&call.path).with_file_name("compile");
    let target = Target::new(&compile_tool, &args);
    let found = inject::resolve_archives(build, &target, &missing, &cfg, &why)?;
    // The linker needs what the missing packages import as well.
    let mut added: Vec<PackageFile> = Vec::new();
    for f in found {
        if !cfg.provides(&f.path) && !added.iter().any(|a| a.path == f.path) {
            added.push(f);
        }
    }
    if let Some(p) = missing.iter().find(|p| !added.iter().any(|a| a.path == **p)) {
        return Err(Error::failed(format!("{why}: cannot find package {p:?} that injected code needs")));
    }
    let new_cfg = format!("{cfg_path}.rtool");
    importcfg::write(Path::new(&new_cfg), &base, &added)?;
    build.ctx.log.debug(|| format!("link: added {} packages for {}", added.len(), missing.join(", ")));
    let mut new_args: Vec<OsString> =
        if call.args.len() == args.len() { call.args.clone() } else { args.iter().map(OsString::from).collect() };
    if let Some(i) = new_args.iter().position(|a| a == "-importcfg") {
        new_args[i + 1] = new_cfg.into();
        // A program that had no cgo of its own keeps its deadlock detection
        // (see runtime.rtgls_cgoadded in the runtime patch).
        if added.iter().any(|p| p.path == CGO) {
            new_args.splice(i + 2..i + 2, [OsString::from("-X"), OsString::from("runtime.rtgls_cgoadded=1")]);
        }
    }
    Ok(Action::Link { args: new_args })
}

/// Runs the linker with `args`, its output passed on. A fingerprint
/// mismatch means that an archive of this link was compiled against
/// another build of a package than the one linked; the linker names both
/// packages, rtool adds what that means.
pub fn run(ctx: &Ctx, call: &ToolCall, args: &[OsString]) -> Result<u8> {
    let out = std::process::Command::new(&call.path)
        .args(args)
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| Error::failed(format!("running {}: {e}", call.path.to_string_lossy())))?;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(&out.stderr);
    let text = String::from_utf8_lossy(&out.stderr);
    if !out.status.success()
        && let Some(why) = text.lines().find_map(explain_mismatch)
    {
        let main = ctx.import_path.clone().unwrap_or_default();
        let _ = writeln!(stderr, "rtool: linking {main}: {why}");
    }
    Ok(crate::exec::mirror_exit(out.status))
}

/// `… fingerprint mismatch: P has X, import from Q expecting Y`, explained.
fn explain_mismatch(line: &str) -> Option<String> {
    let rest = &line[line.find("fingerprint mismatch: ")? + "fingerprint mismatch: ".len()..];
    let (pkg, rest) = rest.split_once(" has ")?;
    let importer = rest.split_once("import from ")?.1.split(" expecting").next()?;
    Some(format!(
        "{importer} was compiled against another build of {pkg} than the one linked (the linker names the first importer it met, \
         which may be the stale one): two configurations of rtool or of the build's flags met in one build cache, which rtool's \
         cache key should prevent; please report the go command line. `go clean -cache` recovers."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatches_are_explained() {
        let line = "/usr/local/go/pkg/tool/linux_amd64/link: fingerprint mismatch: rtool.invalid/support has 90b0942dc66c3fdc, import from net/http expecting 831912fe051427aa";
        let why = explain_mismatch(line).unwrap();
        assert!(why.starts_with("net/http was compiled against another build of rtool.invalid/support"), "{why}");
        assert_eq!(explain_mismatch("link: cannot find package x"), None);
    }
}

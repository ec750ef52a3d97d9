//! `rtool diff` and `rtool aspects`: what rtool would do, shown without
//! building. `diff` asks `go list -deps` for the packages of a build and
//! runs the same planner the compile step runs, printing unified diffs of
//! the rewritten sources as people read them (no position directives).

use crate::aspect::{self, joinpoint::PackageInfo};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{self, Error, Result};
use crate::exec;
use crate::rewrite::{self, Mode, SourceFile};
use crate::unidiff;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

pub const DIFF_HELP: &str = "\
usage: rtool diff [build flags] [packages]

Prints, as a unified diff, what rtool would change in each package of the
build 'go build [build flags] [packages]' would make (the standard library
included), without building. Flags and packages are go list's.";

pub const ASPECTS_HELP: &str = "\
usage: rtool aspects

Lists the effective aspects (built-ins first, then aspect files in the order
they apply) with their join point, advice and the file:line they come from.";

const SEP: char = '\u{1f}';

pub fn diff(ctx: &Ctx, args: Vec<OsString>) -> Result<u8> {
    if args.first().is_some_and(|a| a == "-h" || a == "--help") {
        error::print(&format!("{DIFF_HELP}\n"))?;
        return Ok(0);
    }
    let config = Config::load(ctx)?;
    let aspects = aspect::load(&config)?;
    let template = [
        "{{.ImportPath}}",
        "{{.Name}}",
        "{{.Dir}}",
        "{{.Standard}}",
        "{{if .Module}}{{.Module.Main}}{{end}}",
        "{{join .GoFiles \" \"}}",
        "{{join .CgoFiles \" \"}}",
        "{{join .Imports \" \"}}",
        // The version whose files are compiled: a replacement's, if any.
        "{{with .Module}}{{with .Replace}}{{.Version}}{{else}}{{.Version}}{{end}}{{end}}",
    ]
    .join(&SEP.to_string());
    let out = Command::new("go")
        .args(["list", "-deps", "-f", &template])
        .args(&args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::failed(format!("running go list: {e}")))?;
    if !out.status.success() {
        return Ok(exec::mirror_exit(out.status));
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split(SEP).collect();
        let [path, name, dir, standard, main, gofiles, cgofiles, imports, version] = f[..] else { continue };
        let pkg = PackageInfo {
            path: path.to_string(),
            name: name.to_string(),
            std: standard == "true",
            main_module: main == "true",
            test_main: false,
            module_version: Some(version.to_string()).filter(|v| !v.is_empty()),
        };
        let imports: Vec<&str> = imports.split(' ').collect();
        let applicable = rewrite::aspects_for(&aspects, &pkg, &|p| imports.contains(&p));
        if applicable.is_empty() {
            continue;
        }
        let mut sources = Vec::new();
        for file in gofiles.split(' ').chain(cgofiles.split(' ')).filter(|f| !f.is_empty()) {
            let p = Path::new(dir).join(file);
            let src = std::fs::read(&p).map_err(|e| Error::io("reading", &p, e))?;
            sources.push(SourceFile { path: p.to_string_lossy().into_owned(), src });
        }
        let result = rewrite::rewrite_package(&pkg, &sources, &applicable, Mode::Display, config.strict)?;
        let show = |p: &str| Path::new(p).strip_prefix(&ctx.cwd).map_or_else(|_| p.to_string(), |r| r.to_string_lossy().into_owned());
        let mut text = String::new();
        for (i, new) in &result.changed {
            let name = show(&sources[*i].path);
            let old = String::from_utf8_lossy(&sources[*i].src);
            text.push_str(&unidiff::unified(&format!("a/{name}"), &format!("b/{name}"), &old, &String::from_utf8_lossy(new)));
        }
        for (file, new) in &result.added {
            let name = show(&Path::new(dir).join(file).to_string_lossy());
            text.push_str(&unidiff::unified("/dev/null", &format!("b/{name}"), "", &String::from_utf8_lossy(new)));
        }
        error::print(&text)?;
    }
    Ok(0)
}

pub fn aspects(ctx: &Ctx, args: Vec<OsString>) -> Result<u8> {
    match args.first().map(|a| a.to_string_lossy().into_owned()) {
        None => {}
        Some(a) if a == "-h" || a == "--help" => {
            error::print(&format!("{ASPECTS_HELP}\n"))?;
            return Ok(0);
        }
        Some(a) => return Err(Error::usage(format!("unexpected argument {a:?}"))),
    }
    let config = Config::load(ctx)?;
    let all = aspect::load(&config)?;
    let mut out = String::new();
    for a in &all {
        let from = Path::new(&a.file).strip_prefix(&ctx.cwd).unwrap_or(&a.file);
        let order = if a.order != 0 { format!(" order={}", a.order) } else { String::new() };
        out.push_str(&format!("{}\t{}:{}\n\twhere {}\n\t{}{order}\n", a.id, from.display(), a.line, a.join, a.advice.name()));
    }
    for d in &config.disabled {
        out.push_str(&format!("{d}\t(disabled by RTOOL_DISABLE)\n"));
    }
    error::print(&out)?;
    Ok(0)
}

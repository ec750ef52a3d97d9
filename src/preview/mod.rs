//! `rtool diff` and `rtool aspects`: what rtool would do, shown without
//! building. `diff` walks the compiles of a build as the build runs them
//! (`walk`) and prints what rtool changes in each (`show`).

mod show;
mod walk;

use crate::aspect;
use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{self, Error, Result};
use crate::goflags;
use crate::outer_go::GoCommand;
use crate::supportlib;
use std::ffi::OsString;
use std::path::Path;

pub const DIFF_HELP: &str = "\
usage: rtool diff [build flags] [packages]

Prints every change rtool would make to 'go build [build flags] [packages]',
without building, in the order the build makes them: for each compile rtool
changes (a '# package' line), the rewritten files as unified diffs, added
files (the runtime's goroutine-local storage among them) as new files, and
the imports injected code adds; the packages that brings in, as the nested
builds compile them; the support library's files by name; what each link
adds. 'rtool diff rtool.invalid/support' prints the support library's files
in full.";

pub const ASPECTS_HELP: &str = "\
usage: rtool aspects

Lists the effective aspects (built-ins first, then aspect files in the order
they apply) with their join point, advice and the file:line they come from.";

pub fn diff(ctx: &Ctx, args: Vec<OsString>) -> Result<u8> {
    if args.first().is_some_and(|a| a == "-h" || a == "--help") {
        error::print(&format!("{DIFF_HELP}\n"))?;
        return Ok(0);
    }
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    // Read as the go command reads `go build ARGS`: the nested builds get
    // the package-affecting flags as a real build's do.
    let argv: Vec<String> = ["go", "build"].iter().map(|s| s.to_string()).chain(args.iter().cloned()).collect();
    let inv = goflags::parse(&argv)?;
    if inv.dir.is_some() {
        return Err(Error::usage("-C: run rtool diff in that directory instead"));
    }
    let flags = GoCommand { key: String::new(), argv }.kept_flags()?;
    let config = Config::load(ctx)?;
    let aspects = aspect::load(&config)?;
    // Support packages named on the command line print in full; the go
    // command knows none of them.
    let (support, listed): (Vec<String>, Vec<String>) =
        args.iter().cloned().partition(|a| inv.packages.contains(a) && supportlib::is_support(a));
    let mut walk = walk::Walk::new(ctx, &config, &aspects, flags);
    if support.is_empty() || inv.packages.len() > support.len() {
        let Some(packages) = walk.list_outer(&listed)? else { return Ok(walk.exit) };
        walk.build(packages)?;
    }
    for p in &support {
        walk.support_in_full(p)?;
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

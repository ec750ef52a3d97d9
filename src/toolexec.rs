//! Toolexec mode, `rtool /path/to/TOOL ARGS…`: the dispatch table of one
//! call from the go command. Classify the tool, answer `-V=full` for the
//! tools rtool can change, otherwise run the real tool unchanged.
//!
//! For compile and link, it opens the call's `Build` once, asks the tool's
//! planner (tools/) for an `Action` and carries it out; a compile that records
//! link-time needs runs as a child so that rtool can append them to its
//! archive afterwards. Both tools are covered by the cache key, so a build
//! made by rtool never shares objects with a plain build.

use crate::args::ToolCall;
use crate::build::Build;
use crate::cachekey;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::exec;
use crate::tools::{Action, compile, link};

pub fn run(mut ctx: Ctx, call: ToolCall) -> Result<u8> {
    let label = match &ctx.import_path {
        Some(pkg) => format!("{} {pkg}", call.name),
        None => call.name.clone(),
    };
    ctx.log.set_label(label);
    if let Some(root) = call.goroot() {
        ctx.goroot = Some(root);
    }
    ctx.log.trace(|| format!("args {:?}", call.args));
    if !cachekey::alters(&call.name) {
        return Err(pass_through(&ctx, &call, "not changed by rtool"));
    }

    let build = Build::open(&ctx, &call)?;
    if call.is_version_query() {
        let code = cachekey::answer(&build, &call)?;
        ctx.log.debug(|| format!("answered -V=full ({})", ctx.log.cost()));
        return Ok(code);
    }
    let action = match call.name.as_str() {
        "compile" => compile::transform(&build, &call)?,
        _ => link::transform(&build, &call)?,
    };
    match action {
        Action::PassThrough(why) => Err(pass_through(&ctx, &call, &why)),
        Action::Exec { args, why } => {
            ctx.log.debug(|| format!("{why} ({} in rtool)", ctx.log.cost()));
            Err(exec::replace_process(&call.path, &args))
        }
        Action::Compile { plan, shared: Some(shared) } => {
            ctx.log.debug(|| format!("{} (shared with nested builds; {} in rtool)", plan.why(), ctx.log.cost()));
            compile::run_shared(&ctx, &call, plan, shared)
        }
        Action::Compile { plan, shared: None } => {
            ctx.log.debug(|| format!("{} ({} in rtool)", plan.why(), ctx.log.cost()));
            Ok(exec::mirror_exit(compile::execute(&call, &plan)?))
        }
        Action::Link { args } => {
            ctx.log.debug(|| format!("completed the importcfg ({} in rtool)", ctx.log.cost()));
            link::run(&ctx, &call, &args)
        }
    }
}

/// Replaces this process with the real tool, arguments untouched.
fn pass_through(ctx: &Ctx, call: &ToolCall, why: &str) -> Error {
    ctx.log.debug(|| format!("pass through: {why} ({} in rtool)", ctx.log.cost()));
    exec::replace_process(&call.path, &call.args)
}

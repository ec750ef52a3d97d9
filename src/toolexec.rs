//! Toolexec mode, `rtool /path/to/TOOL ARGS…`: the dispatch table of one
//! call from the go command. Classify the tool, answer `-V=full` for the
//! tools rtool can change, otherwise run the real tool unchanged.
//!
//! compile and link ask their planners (tools/); a compile that records
//! link-time needs runs as a child so that rtool can append them to its
//! archive afterwards. Both tools are covered by the cache key, so a build
//! made by rtool never shares objects with a plain build.

use crate::args::ToolCall;
use crate::cachekey;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::exec;
use crate::tools::{compile, link};

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

    if call.is_version_query() && cachekey::alters(&call.name) {
        let code = cachekey::answer(&ctx, &call)?;
        ctx.log.debug(|| format!("answered -V=full ({})", ctx.log.cost()));
        return Ok(code);
    }
    let why = match call.name.as_str() {
        "compile" => match compile::plan(&ctx, &call)? {
            (plan, Some(shared)) => {
                ctx.log.debug(|| format!("{} (shared with nested builds; {} in rtool)", plan.why(), ctx.log.cost()));
                return compile::run_shared(&ctx, &call, plan, shared);
            }
            (compile::Plan::PassThrough(why), None) => why,
            (compile::Plan::Run { args, link_deps: None, why }, None) => {
                ctx.log.debug(|| format!("{why} ({} in rtool)", ctx.log.cost()));
                return Err(exec::replace_process(&call.path, &args));
            }
            (plan @ compile::Plan::Run { .. }, None) => {
                ctx.log.debug(|| format!("{} ({} in rtool)", plan.why(), ctx.log.cost()));
                return Ok(exec::mirror_exit(compile::execute(&call, &plan)?));
            }
        },
        "link" => match link::plan(&ctx, &call)? {
            None => "no link-time needs".to_string(),
            Some(args) => {
                ctx.log.debug(|| format!("completed the importcfg ({} in rtool)", ctx.log.cost()));
                return link::run(&ctx, &call, &args);
            }
        },
        _ => "not changed by rtool".to_string(),
    };
    Err(pass_through(&ctx, &call, &why))
}

/// Replaces this process with the real tool, arguments untouched.
fn pass_through(ctx: &Ctx, call: &ToolCall, why: &str) -> crate::error::Error {
    ctx.log.debug(|| format!("pass through: {why} ({} in rtool)", ctx.log.cost()));
    exec::replace_process(&call.path, &call.args)
}

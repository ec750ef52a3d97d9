//! compile: decides what a package's compile needs from rtool. With no
//! aspect in the build's configuration, nothing: the real compiler runs
//! with its arguments untouched. (The aspect engine plugs in here: rewrite
//! the matching files, extend the importcfg, then run the compiler.)

use crate::args::{self, ToolCall};
use crate::config::Config;
use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::Result;
use std::path::Path;

/// What to do with one compile call.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Run the compiler unchanged, for the reason given.
    PassThrough(String),
}

pub fn plan(ctx: &Ctx, call: &ToolCall) -> Result<Plan> {
    let args = call.text_args()?;
    let work = args::flag_value(&args, "o").and_then(|o| args::work_dir(Path::new(o)));
    let coord = Coord::for_build(ctx, work.as_deref())?;
    let config = Config::for_build(ctx, coord.as_ref())?;
    if config.is_empty() {
        return Ok(Plan::PassThrough("no aspects".into()));
    }
    Ok(Plan::PassThrough(format!("{} aspect files, no rewriting engine yet", config.aspect_files.len())))
}

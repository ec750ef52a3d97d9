//! One module per tool whose calls rtool may change. Each planner turns a
//! call into an [`Action`]; `toolexec` carries it out.

pub mod compile;
pub mod link;

use std::ffi::OsString;

/// What to do with one tool call.
pub enum Action {
    /// Run the real tool unchanged in rtool's place, for the reason given.
    PassThrough(String),
    /// Run the tool with these arguments in rtool's place.
    Exec { args: Vec<OsString>, why: String },
    /// Run the compiler as a child (to append `link.deps` to its archive
    /// afterwards, or once for all nested builds sharing it).
    Compile { plan: compile::Plan, shared: Option<compile::Shared> },
    /// Run the linker as a child, to explain a fingerprint mismatch.
    Link { args: Vec<OsString> },
}

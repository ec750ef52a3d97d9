//! rtool: compile-time instrumentation for Go, as a `-toolexec` program.
//!
//! The go command runs `rtool /path/to/TOOL ARGS…` for every compiler,
//! assembler, linker and cgo step of a build. rtool answers the `-V=full`
//! probes of the tools whose output it can change with an identity that
//! covers its own build and configuration (so the build cache is correct
//! without `-a`). For each compile it applies the build's aspects (join
//! point + advice, written in Go aspect files): cheap string searches pick
//! the files that could match, tree-sitter parses only those, and rewritten
//! copies under `$WORK` keep every original position through `//line`
//! directives. Every other tool runs with its arguments, environment, stdio
//! and exit status untouched.
//!
//! Built-in aspects trace programs out of the box (net/http server and
//! client, database/sql, `//rtool:span`), calling the Go support library
//! rtool embeds and compiles for the build; for it, the compile of package
//! runtime gets goroutine-local storage. Spans go to any OpenTelemetry
//! collector by OTLP/HTTP.
//!
//! The many short-lived rtool processes of one build share work through the
//! job coordinator, files and locks under the build's `$WORK`.
//!
//! Commands: toolexec mode, `rtool go SUBCOMMAND …`, `rtool diff`,
//! `rtool aspects`, `rtool version`, `rtool help`. `main` parses the
//! command line and turns errors into a message on stderr and an exit code
//! (2 for usage errors, 1 otherwise).

mod archive;
mod args;
mod aspect;
mod atomicfile;
mod cachekey;
mod config;
mod coord;
mod ctx;
mod error;
mod exec;
mod gocmd;
mod golib;
mod gosyntax;
mod importcfg;
mod linkdeps;
mod log;
mod preview;
mod resolve;
mod rewrite;
mod toolexec;
mod unidiff;
mod tools;
mod usercache;

use args::ToolCall;
use ctx::Ctx;
use error::{Error, Result};
use std::ffi::OsString;
use std::process::ExitCode;

const HELP: &str = "\
rtool: compile-time instrumentation for Go builds.

usage:
  go build -toolexec rtool [build flags] [packages]   (rtool on PATH)
  rtool go SUBCOMMAND [ARGS…]     run the go command with rtool as -toolexec
  rtool diff [build flags] [pkgs] show what rtool would change, as a diff
  rtool aspects                   list the effective aspects
  rtool version                   print rtool's version and build
  rtool help                      print this help

Every command takes -h/--help. In toolexec mode (rtool /path/to/TOOL ARGS…,
as the go command runs it) rtool prints nothing on success.

environment:
  RTOOL_ASPECTS   extra aspect files, separated by ':'
  RTOOL_STRICT    1: fail instead of leaving a file unchanged
  RTOOL_DISABLE   aspects to switch off, by id, comma-separated (all: built-ins)
  RTOOL_LOG       debug or trace: log each tool call (tool, package,
                  decision, time) to stderr, or to RTOOL_LOG_FILE";

const VERSION_HELP: &str = "usage: rtool version\n\nPrints rtool's version and the hash of its build.";

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(argv) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("rtool: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn run(mut argv: Vec<OsString>) -> Result<u8> {
    if argv.is_empty() {
        return Err(Error::usage(
            "no command or tool given (as -toolexec, the go command passes the tool: go build -toolexec rtool)",
        ));
    }
    let first = argv.remove(0);
    let ctx = Ctx::from_env()?;
    match first.to_str() {
        Some("go") => gocmd::run(&ctx, argv),
        Some("version") => version(argv),
        Some("diff") => preview::diff(&ctx, argv),
        Some("aspects") => preview::aspects(&ctx, argv),
        Some("help" | "-h" | "--help") => {
            println!("{HELP}");
            Ok(0)
        }
        Some(flag) if flag.starts_with('-') => Err(Error::usage(format!("unknown flag {flag}"))),
        _ => toolexec::run(ctx, ToolCall::new(first, argv)),
    }
}

fn version(argv: Vec<OsString>) -> Result<u8> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(argv);
    let usage = |e: lexopt::Error| Error::usage(format!("rtool version: {e}"));
    if let Some(arg) = p.next().map_err(usage)? {
        return match arg {
            Short('h') | Long("help") => {
                println!("{VERSION_HELP}");
                Ok(0)
            }
            other => Err(usage(other.unexpected())),
        };
    }
    println!("rtool {} (build {})", cachekey::VERSION, &cachekey::BUILD_HASH[..12]);
    Ok(0)
}

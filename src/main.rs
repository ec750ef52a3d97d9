//! rtool: compile-time instrumentation for Go, as a `-toolexec` program.
//!
//! The go command runs `rtool /path/to/TOOL ARGS…` for every compiler,
//! assembler, linker and cgo step of a build. rtool answers the `-V=full`
//! probes of the tools whose output it can change with an identity that
//! covers its own build, its configuration and the packages advice injects
//! (so the build cache is correct without `-a`), fixed once per go command
//! in a build record that all its tools read. For each compile it applies the build's aspects (join
//! point + advice, written in Go aspect files): cheap string searches pick
//! the files that could match, tree-sitter parses only those, and rewritten
//! copies under `$WORK` keep every original position through `//line`
//! directives. Every other tool runs with its arguments, environment, stdio
//! and exit status untouched.
//!
//! Built-in aspects trace programs out of the box (net/http server and
//! client, database/sql, `//rtool:span`, and gRPC, go-redis, pgx, nats.go
//! and the chi, gin, echo and gorilla/mux routers, each kept to the
//! library versions it was tested with), calling the Go support library
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
//! (2 for usage errors, 1 otherwise; 0 and no message when the reader of
//! stdout went away).

mod archive;
mod args;
mod aspect;
mod atomicfile;
mod build;
mod cachekey;
mod changes;
mod config;
mod coord;
mod ctx;
mod error;
mod exec;
mod frame;
mod goflags;
mod gosyntax;
mod importcfg;
mod inject;
mod linkdeps;
mod log;
mod modversion;
mod outer_go;
mod pgo;
mod preview;
mod record;
mod resolve;
mod rewrite;
mod rtool_go;
mod supportlib;
mod toolexec;
mod tools;
mod unidiff;
mod usercache;

use args::ToolCall;
use ctx::Ctx;
use error::{Error, Result};
use std::ffi::OsString;
use std::io::Write;
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

environment, read by rtool at build time:
  RTOOL_ASPECTS     extra aspect files, separated by ':'
  RTOOL_STRICT      1 or true: fail instead of leaving a file unchanged
  RTOOL_DISABLE     aspect ids to switch off, comma-separated (all: built-ins)
  RTOOL_LOG         debug or trace: log each tool call (tool, package, decision)
  RTOOL_LOG_FILE    where RTOOL_LOG appends (default: stderr, which the go
                    command caches, so it is part of the cache key)
  RTOOL_CACHE_DIR   rtool's cache ($XDG_CACHE_HOME/rtool or ~/.cache/rtool)

internal, set by rtool for the go commands and tools it starts:
  RTOOL_COORD       the outermost build's job coordinator directory
  RTOOL_DEPTH       how many rtool-started go commands enclose a process
  RTOOL_RESOLVING   the package sets the enclosing go commands resolve
  RTOOL_GO_COMMAND  set by 'rtool go': the go command's arguments, for its tools

environment of the instrumented program, read at run time:
  RTOOL_TRACE                         stderr or a file: spans as JSON lines
  RTOOL_DB_QUERY_TEXT                 db.query.text (SQL, Redis): sanitized (default:
                                      literal values, Redis arguments become ?),
                                      raw, or off
  OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS
                                      M,… HTTP methods recorded as sent (others
                                      as _OTHER); default GET, HEAD, POST… QUERY
  OTEL_EXPORTER_OTLP_ENDPOINT         collector URL: export spans by OTLP/HTTP
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  the full URL for traces, instead
  OTEL_EXPORTER_OTLP_HEADERS          k=v,… headers sent with every export
  OTEL_EXPORTER_OTLP_PROTOCOL         http/protobuf (default) or http/json
  OTEL_EXPORTER_OTLP_COMPRESSION      gzip or none (default)
  OTEL_EXPORTER_OTLP_TIMEOUT          ms one batch may take, retries included
  OTEL_BSP_EXPORT_TIMEOUT             ms the program's end may wait for the
                                      last spans (default 5000)
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT   characters kept of an attribute value
                                      (unset: no limit, but query text 4096)
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT
                                      the same for spans; wins over the above
  OTEL_EXPORTER_OTLP_CERTIFICATE      PEM CA file to verify an https collector
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE
                                      PEM client certificate for mutual TLS
  OTEL_EXPORTER_OTLP_CLIENT_KEY       PEM key of that certificate
                                      (the exporter's variables each have a
                                      _TRACES_ form too, which wins)
  OTEL_SERVICE_NAME                   service.name of the exported spans
  OTEL_RESOURCE_ATTRIBUTES            k=v,… more attributes of the resource
  OTEL_TRACES_SAMPLER                 sampler (default parentbased_always_on)
  OTEL_TRACES_SAMPLER_ARG             the ratio of the traceidratio samplers
  OTEL_SDK_DISABLED                   true: no tracing at all, nothing printed
  OTEL_LOG_LEVEL                      rtool's tracing messages: none, error, warn,
                                      info (default), debug, verbose, all";

const VERSION_HELP: &str = "usage: rtool version\n\nPrints rtool's version and the hash of its build.";

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(argv) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if err != Error::OutputClosed {
                // Not eprintln!: it panics when stderr is a closed pipe.
                let _ = writeln!(std::io::stderr(), "{err}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// Runs one rtool command. Errors come back prefixed with who reports
/// them: `rtool SUBCOMMAND: …` for a subcommand, else `rtool: …`.
fn run(mut argv: Vec<OsString>) -> Result<u8> {
    if argv.is_empty() {
        return Err(Error::usage("no command or tool given (as -toolexec, the go command passes the tool: go build -toolexec rtool)")
            .context("rtool"));
    }
    let first = argv.remove(0);
    let ctx = Ctx::from_env().map_err(|e| e.context("rtool"))?;
    let (who, result) = match first.to_str() {
        Some("go") => ("rtool go", rtool_go::run(&ctx, argv)),
        Some("version") => ("rtool version", version(argv)),
        Some("diff") => ("rtool diff", preview::diff(&ctx, argv)),
        Some("aspects") => ("rtool aspects", preview::aspects(&ctx, argv)),
        Some("help") => ("rtool help", help(argv)),
        Some("-h" | "--help") => ("rtool", help(argv)),
        Some(flag) if flag.starts_with('-') => ("rtool", Err(Error::usage(format!("unknown flag {flag}")))),
        _ => ("rtool", toolexec::run(ctx, ToolCall::new(first, argv))),
    };
    result.map_err(|e| e.context(who))
}

fn help(argv: Vec<OsString>) -> Result<u8> {
    match argv.first() {
        Some(a) if a != "-h" && a != "--help" => Err(Error::usage(format!("unexpected argument {a:?}"))),
        _ => error::print(&format!("{HELP}\n")).map(|()| 0),
    }
}

fn version(argv: Vec<OsString>) -> Result<u8> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(argv);
    let usage = |e: lexopt::Error| Error::usage(e.to_string());
    if let Some(arg) = p.next().map_err(usage)? {
        return match arg {
            Short('h') | Long("help") => error::print(&format!("{VERSION_HELP}\n")).map(|()| 0),
            other => Err(usage(other.unexpected())),
        };
    }
    error::print(&format!("rtool {} (build {})\n", cachekey::VERSION, &cachekey::BUILD_HASH[..12]))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::HELP;
    use std::path::Path;

    /// Names in rtool's sources that are not its environment: the build
    /// script's stamp (read by `env!` at compile time) and a test switch.
    const NOT_READ_BY_RTOOL: &[&str] = &["RTOOL_BUILD_HASH", "RTOOL_UPDATE"];

    /// Every `RTOOL_*`/`OTEL_*` name in a string literal of src/**/*.rs or
    /// read by os.Getenv/LookupEnv in src/supportlib is listed in HELP.
    #[test]
    fn help_lists_every_environment_variable() {
        let mut names = Vec::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for path in files(&src) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let literals = match path.extension().and_then(|e| e.to_str()) {
                Some("rs") => string_literals(&text),
                Some("go") if path.starts_with(src.join("supportlib")) => getenv_names(&text),
                _ => continue,
            };
            for lit in literals {
                let env_name = |w: &&str| ["RTOOL_", "OTEL_"].iter().any(|p| w.len() > p.len() && w.starts_with(p));
                names.extend(words(lit).filter(env_name).filter(|w| !NOT_READ_BY_RTOOL.contains(w)).map(str::to_string));
            }
        }
        for known in ["RTOOL_STRICT", "RTOOL_COORD", "RTOOL_TRACE", "OTEL_TRACES_SAMPLER_ARG"] {
            assert!(names.iter().any(|n| n == known), "the scan misses {known}");
        }
        // Each has a line of its own, starting with its name.
        names.retain(|n| !HELP.lines().any(|l| l.split_whitespace().next() == Some(n)));
        names.sort();
        names.dedup();
        assert!(names.is_empty(), "not in rtool help: {names:?}");
    }

    fn words(s: &str) -> impl Iterator<Item = &str> {
        s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
    }

    fn files(dir: &Path) -> Vec<std::path::PathBuf> {
        let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
        entries.flat_map(|e| if e.path().is_dir() { files(&e.path()) } else { vec![e.path()] }).collect()
    }

    /// The names passed to os.Getenv/LookupEnv as literals in Go source.
    fn getenv_names(src: &str) -> Vec<&str> {
        ["Getenv(\"", "LookupEnv(\""]
            .iter()
            .flat_map(|call| src.match_indices(call).filter_map(|(i, _)| src[i + call.len()..].split('"').next()))
            .collect()
    }

    /// The contents of the string literals (plain, byte and raw) of Rust
    /// source, skipping comments and char literals such as '"'.
    fn string_literals(src: &str) -> Vec<&str> {
        let b = src.as_bytes();
        let find = |from: usize, pat: &[u8]| b[from..].windows(pat.len()).position(|w| w == pat).map_or(b.len(), |p| from + p);
        let (mut out, mut i) = (Vec::new(), 0);
        while i < b.len() {
            let at = &b[i..];
            if at.starts_with(b"//") {
                i = find(i, b"\n");
            } else if at.starts_with(b"/*") {
                i = find(i, b"*/") + 2;
            } else if at[0] == b'"' {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                out.push(&src[i + 1..j.min(b.len())]);
                i = j + 1;
            } else if at[0] == b'r' && at[1..].iter().find(|&&c| c != b'#') == Some(&b'"') {
                let hashes = at[1..].iter().take_while(|&&c| c == b'#').count();
                let close = [b"\"".as_slice(), &b"#".repeat(hashes)].concat();
                let end = find(i + 2 + hashes, &close);
                out.push(&src[i + 2 + hashes..end]);
                i = end + close.len();
            } else if at[0] == b'\'' {
                // '\x…' ends at the next quote after the escape; 'c' is
                // one char long; anything else is a lifetime.
                let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                i = if at.get(1) == Some(&b'\\') {
                    find(i + 3, b"'") + 1
                } else if at.get(1 + len) == Some(&b'\'') {
                    i + 2 + len
                } else {
                    i + 1
                };
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn string_literals_are_found() {
        let src = "let a = \"A\\\"x\"; // \"no\"\n/* \"no\" */ let c = '\"'; fn f<'a>() {} let e = '\\''; r#\"R\"x\"#; b\"B\"";
        assert_eq!(string_literals(src), ["A\\\"x", "R\"x", "B"]);
    }
}

//! rtool's one error type. Every fallible function returns `Result<T>`;
//! only `main` turns an error into a message on stderr and an exit code.
//! Also `print`, rtool's one way to write to stdout, since a reader that
//! went away is an error of its own kind.

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The command line was wrong: exit status 2, with a hint to `rtool help`.
    Usage(String),
    /// Anything else that stops rtool: exit status 1. The message carries
    /// its context (which file, package or job) and, for source positions,
    /// starts with `file:line:col: ` as the Go toolchain prints them.
    Failed(String),
    /// Whoever read stdout has gone (`rtool help | head -1`): nothing went
    /// wrong, so main exits 0 and says nothing.
    OutputClosed,
}

impl Error {
    pub fn usage(msg: impl Into<String>) -> Error {
        Error::Usage(msg.into())
    }

    pub fn failed(msg: impl Into<String>) -> Error {
        Error::Failed(msg.into())
    }

    /// An I/O error on `path`, saying what rtool was doing.
    pub fn io(doing: &str, path: &Path, err: io::Error) -> Error {
        Error::Failed(format!("{doing} {}: {err}", path.display()))
    }

    /// Prefix the message with more context ("compiling fmt: …").
    pub fn context(self, ctx: impl fmt::Display) -> Error {
        match self {
            Error::Usage(m) => Error::Usage(format!("{ctx}: {m}")),
            Error::Failed(m) => Error::Failed(format!("{ctx}: {m}")),
            Error::OutputClosed => Error::OutputClosed,
        }
    }

    /// The message alone, without the hint a usage error prints after it.
    pub fn message(&self) -> &str {
        match self {
            Error::Usage(m) | Error::Failed(m) => m,
            Error::OutputClosed => "stdout was closed",
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Failed(_) => 1,
            Error::OutputClosed => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}\nRun 'rtool help' for usage."),
            Error::Failed(m) => f.write_str(m),
            Error::OutputClosed => f.write_str("stdout was closed"),
        }
    }
}

/// An error at a position of a source file, printed as the Go toolchain
/// prints its own: `file:line:col: message`, and a hint in parentheses
/// after it. Lines are 1-based, columns 1-based bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAt {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub msg: String,
    pub hint: Option<String>,
}

impl ErrorAt {
    pub fn new(file: impl fmt::Display, line: usize, col: usize, msg: impl fmt::Display) -> ErrorAt {
        ErrorAt { file: file.to_string(), line, col, msg: msg.to_string(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> ErrorAt {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ErrorAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.msg)?;
        match &self.hint {
            Some(h) => write!(f, " ({h})"),
            None => Ok(()),
        }
    }
}

impl From<ErrorAt> for Error {
    fn from(e: ErrorAt) -> Error {
        Error::Failed(e.to_string())
    }
}

/// Writes rtool's own output (help, version, listings, diffs) to stdout.
/// Rust ignores SIGPIPE, so a closed pipe shows up here as `BrokenPipe`:
/// it becomes `Error::OutputClosed`, a quiet exit like other tools make.
pub fn print(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| match e.kind() {
        io::ErrorKind::BrokenPipe => Error::OutputClosed,
        _ => Error::failed(format!("writing to stdout: {e}")),
    })
}

//! rtool's one error type. Every fallible function returns `Result<T>`;
//! only `main` turns an error into a message on stderr and an exit code.

use std::fmt;
use std::io;
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
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Failed(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}\nRun 'rtool help' for usage."),
            Error::Failed(m) => f.write_str(m),
        }
    }
}

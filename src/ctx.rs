//! The context of one rtool process: the environment variables rtool reads,
//! the working directory and the logger, read once at start and passed
//! explicitly (no global state). Every `RTOOL_*` variable is named here.

use crate::error::{Error, Result};
use crate::log::{Level, Log};
use crate::usercache::UserCache;
use std::ffi::OsString;
use std::path::PathBuf;

/// Extra aspect files, separated like PATH.
pub const ENV_ASPECTS: &str = "RTOOL_ASPECTS";
/// Aspects to leave out, by id, separated by commas (`all`: every built-in).
pub const ENV_DISABLE: &str = "RTOOL_DISABLE";
/// `1` or `true` makes rtool fail where it would otherwise leave a file
/// unchanged; `0`, `false` or empty: off.
pub const ENV_STRICT: &str = "RTOOL_STRICT";
/// Diagnostics level (`debug`, `trace`) and destination.
pub const ENV_LOG: &str = "RTOOL_LOG";
pub const ENV_LOG_FILE: &str = "RTOOL_LOG_FILE";
/// The coordinator directory of the outermost build, handed to nested go
/// commands (they have a `$WORK` of their own).
pub const ENV_COORD: &str = "RTOOL_COORD";
/// How many rtool-started go commands enclose this process.
pub const ENV_DEPTH: &str = "RTOOL_DEPTH";
/// Overrides where rtool keeps values across builds.
pub const ENV_CACHE_DIR: &str = "RTOOL_CACHE_DIR";
/// The package sets the enclosing nested go commands are resolving, one
/// per line: a resolution that needs itself is an import cycle.
pub const ENV_RESOLVING: &str = "RTOOL_RESOLVING";
/// Set by `rtool go` for the tools of the go command it runs: that
/// command's pid and arguments (`outer_go.rs`), so they need no /proc.
pub const ENV_GO_COMMAND: &str = "RTOOL_GO_COMMAND";
/// Set by the go command for every tool run on behalf of a package.
pub const ENV_IMPORTPATH: &str = "TOOLEXEC_IMPORTPATH";

#[derive(Debug)]
pub struct Ctx {
    pub cwd: PathBuf,
    pub log: Log,
    pub import_path: Option<String>,
    pub coord_root: Option<PathBuf>,
    /// How many rtool-started go commands enclose this process.
    pub depth: u32,
    /// What those go commands are resolving (`ENV_RESOLVING`).
    pub resolving: Vec<String>,
    pub aspects: Option<OsString>,
    pub strict: bool,
    pub disabled: Vec<String>,
    /// rtool's directory in the user's cache, if there is a home for it.
    pub cache: Option<UserCache>,
    /// The `GO*` environment variables, sorted: everything the go command
    /// passes its tools about the target (GOOS, GOARCH, GOEXPERIMENT…).
    pub go_vars: Vec<(OsString, OsString)>,
    /// `RTOOL_GO_COMMAND`, as handed down by `rtool go`.
    pub go_command: Option<String>,
    /// The toolchain's root: the tool's own (`ToolCall::goroot`) in
    /// toolexec mode, else `$GOROOT` if set and not empty.
    pub goroot: Option<PathBuf>,
}

impl Ctx {
    /// The toolchain's go command: `bin/go` under [`Ctx::goroot`], else
    /// whichever `go` is on PATH.
    pub fn go_binary(&self) -> PathBuf {
        self.goroot.as_ref().map(|r| r.join("bin/go")).filter(|g| g.is_file()).unwrap_or_else(|| PathBuf::from("go"))
    }

    pub fn from_env() -> Result<Ctx> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let text = |k: &str| var(k).map(|v| v.to_string_lossy().into_owned());

        let level = match text(ENV_LOG) {
            None => Level::Off,
            Some(v) => Level::parse(&v).ok_or_else(|| Error::usage(format!("{ENV_LOG}={v}: unknown level (want debug or trace)")))?,
        };
        let mut go_vars: Vec<_> = std::env::vars_os().filter(|(k, _)| k.as_encoded_bytes().starts_with(b"GO")).collect();
        go_vars.sort();
        let depth = match text(ENV_DEPTH) {
            None => 0,
            Some(v) => v.parse().map_err(|_| Error::usage(format!("{ENV_DEPTH}={v}: not a number")))?,
        };
        let cwd = std::env::current_dir().map_err(|e| Error::failed(format!("cannot read the working directory: {e}")))?;
        Ok(Ctx {
            cwd,
            log: Log::new(level, var(ENV_LOG_FILE).map(PathBuf::from)),
            import_path: text(ENV_IMPORTPATH),
            coord_root: var(ENV_COORD).map(PathBuf::from),
            depth,
            resolving: text(ENV_RESOLVING).map(|v| v.lines().map(str::to_string).collect()).unwrap_or_default(),
            aspects: var(ENV_ASPECTS),
            strict: parse_strict(text(ENV_STRICT).as_deref())?,
            disabled: text(ENV_DISABLE)
                .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            cache: var(ENV_CACHE_DIR)
                .map(PathBuf::from)
                .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("rtool")))
                .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache/rtool")))
                .filter(|d| d.is_absolute())
                .map(UserCache::new),
            go_vars,
            go_command: text(ENV_GO_COMMAND),
            goroot: var("GOROOT").map(PathBuf::from),
        })
    }
}

/// `RTOOL_STRICT`'s value; anything but the few spellings is a mistake
/// worth stopping for (`false` once meant on).
fn parse_strict(v: Option<&str>) -> Result<bool> {
    match v {
        None | Some("0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(v) => Err(Error::usage(format!("{ENV_STRICT}={v}: want 1 or true (on), or 0, false or empty (off)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_values() {
        for (v, want) in [(None, false), (Some("0"), false), (Some("false"), false), (Some("1"), true), (Some("true"), true)] {
            assert_eq!(parse_strict(v), Ok(want), "{v:?}");
        }
        for v in ["yes", "on", "TRUE", "2"] {
            let err = parse_strict(Some(v)).unwrap_err();
            assert!(matches!(&err, Error::Usage(m) if m.starts_with(&format!("RTOOL_STRICT={v}: want 1 or true"))), "{err:?}");
        }
    }
}

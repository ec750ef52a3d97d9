//! `rtool go SUBCOMMAND [ARGS…]`: runs the go command with rtool's absolute
//! path as `-toolexec`, inserted right after the subcommands that build,
//! every other argument passed through and go's exit status returned.

use crate::ctx::{Ctx, ENV_ASPECTS, ENV_GO_COMMAND};
use crate::error::{Error, Result};
use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// Subcommands that take build flags, `-toolexec` among them.
const BUILDING: &[&str] = &["build", "install", "run", "test", "list", "vet", "generate", "get"];

const TOOLEXEC_IS_OURS: &str = "-toolexec is rtool's to set; drop it or run the go command directly";

pub const HELP: &str = "\
usage: rtool go [-C dir] SUBCOMMAND [ARGS…]

Runs the go command with -toolexec set to this rtool, for the subcommands
that build (build, install, run, test, list, vet, generate, get); any other
subcommand runs unchanged. Flags after SUBCOMMAND are go's own: 'rtool go
build -h' shows go's help. Relative paths in RTOOL_ASPECTS are made absolute
first, since the go command runs tools in other directories.";

pub fn run(ctx: &Ctx, args: Vec<OsString>) -> Result<u8> {
    let (sub_at, sub) = find_subcommand(&args)?;
    if matches!(sub.as_str(), "-h" | "--help") {
        crate::error::print(&format!("{HELP}\n"))?;
        return Ok(0);
    }
    let mut go_args: Vec<OsString> = args[..=sub_at].to_vec();
    if BUILDING.contains(&sub.as_str()) {
        if args[sub_at + 1..].iter().any(|a| is_toolexec_flag(a)) {
            return Err(Error::usage(TOOLEXEC_IS_OURS));
        }
        let me = std::env::current_exe().map_err(|e| Error::failed(format!("cannot find rtool's own path: {e}")))?;
        let mut flag = OsString::from("-toolexec=");
        flag.push(quote_for_go(&me)?);
        go_args.push(flag);
    }
    go_args.extend_from_slice(&args[sub_at + 1..]);

    let mut cmd = Command::new("go");
    cmd.args(&go_args);
    // The go command runs as this very process (exec): its tools learn its
    // arguments from here rather than from /proc.
    let argv: Vec<String> = std::iter::once("go".to_string()).chain(go_args.iter().map(|a| a.to_string_lossy().into_owned())).collect();
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    cmd.env(ENV_GO_COMMAND, crate::outer_go::encode_handoff(std::process::id(), nonce, &argv));
    if let Some(list) = &ctx.aspects {
        let abs = std::env::join_paths(std::env::split_paths(list).map(|p| ctx.cwd.join(p)))
            .map_err(|e| Error::usage(format!("{ENV_ASPECTS}: {e}")))?;
        cmd.env(ENV_ASPECTS, abs);
    }
    ctx.log.debug(|| format!("exec go {go_args:?}"));
    let err = cmd.exec();
    if err.kind() == std::io::ErrorKind::NotFound {
        return Err(Error::failed("the go command is not on PATH; install Go 1.22 or newer"));
    }
    Err(Error::failed(format!("running go: {err}")))
}

/// The position and name of the go subcommand, after an optional `-C dir`.
fn find_subcommand(args: &[OsString]) -> Result<(usize, String)> {
    let no_dir = || Error::usage("-C needs a directory (rtool go -C DIR SUBCOMMAND …)");
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let a = a.to_string_lossy();
        match a.as_ref() {
            "-C" | "--C" if args.get(i + 1).is_none_or(|d| d.is_empty()) => return Err(no_dir()),
            "-C" | "--C" => i += 2,
            "-C=" | "--C=" => return Err(no_dir()),
            _ if is_toolexec_flag(OsStr::new(a.as_ref())) => return Err(Error::usage(TOOLEXEC_IS_OURS)),
            _ if a.starts_with("-C=") || a.starts_with("--C=") => i += 1,
            _ => return Ok((i, a.into_owned())),
        }
    }
    Err(Error::usage("missing go subcommand (for example: rtool go build ./...)"))
}

fn is_toolexec_flag(arg: &OsStr) -> bool {
    let a = arg.to_string_lossy();
    let a = a.strip_prefix("--").or_else(|| a.strip_prefix('-')).unwrap_or("");
    a == "toolexec" || a.starts_with("toolexec=")
}

/// Quotes a path the way the go command splits `-toolexec` (`quoted.Split`:
/// whitespace separates, `'…'` and `"…"` quote, no escapes).
fn quote_for_go(path: &Path) -> Result<OsString> {
    let s = path.as_os_str();
    let text = s.to_string_lossy();
    if !text.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
        return Ok(s.to_owned());
    }
    for q in ['\'', '"'] {
        if !text.contains(q) {
            return Ok(format!("{q}{text}{q}").into());
        }
    }
    Err(Error::failed(format!("rtool's path {text:?} has both kinds of quotes; the go command cannot run it")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn subcommand_after_dash_c() {
        assert_eq!(find_subcommand(&os(&["build", "."])).unwrap(), (0, "build".into()));
        assert_eq!(find_subcommand(&os(&["-C", "dir", "test", "-run", "X"])).unwrap(), (2, "test".into()));
        assert_eq!(find_subcommand(&os(&["-C=dir", "run", "."])).unwrap(), (1, "run".into()));
        assert!(matches!(find_subcommand(&os(&["-C", "dir"])), Err(Error::Usage(m)) if m.starts_with("missing go subcommand")));
        assert!(matches!(find_subcommand(&os(&["-toolexec=x", "build"])), Err(Error::Usage(m)) if m == TOOLEXEC_IS_OURS));
        for args in [&["-C"][..], &["-C="], &["--C="], &["-C", ""], &["-C", "", "build"]] {
            assert!(matches!(find_subcommand(&os(args)), Err(Error::Usage(m)) if m.starts_with("-C needs a directory")), "{args:?}");
        }
    }

    #[test]
    fn toolexec_flags_are_recognised() {
        for a in ["-toolexec", "-toolexec=x", "--toolexec=x"] {
            assert!(is_toolexec_flag(OsStr::new(a)), "{a}");
        }
        assert!(!is_toolexec_flag(OsStr::new("-tags=toolexec")));
    }

    #[test]
    fn paths_are_quoted_for_the_go_command() {
        assert_eq!(quote_for_go(Path::new("/usr/bin/rtool")).unwrap(), "/usr/bin/rtool");
        assert_eq!(quote_for_go(Path::new("/my tools/rtool")).unwrap(), "'/my tools/rtool'");
        assert_eq!(quote_for_go(Path::new("/it's/rtool")).unwrap(), "\"/it's/rtool\"");
        assert!(quote_for_go(Path::new("/'\"/rtool")).is_err());
    }
}

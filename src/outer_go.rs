//! The go command this rtool process works for: which process it is (so
//! that all tools of one go command share one build record) and its
//! package-affecting build flags (so that a nested go command builds
//! injected packages exactly as the outer one builds its own).
//!
//! `rtool go` hands its go command's arguments down explicitly
//! (`RTOOL_GO_COMMAND`: the pid it execs the go command as, a nonce, the
//! argv); otherwise, on Linux, rtool finds the nearest ancestor process that
//! is `$GOROOT/bin/go` and reads `/proc/PID/cmdline`. Forking wrappers
//! (`-toolexec "time rtool"`) are walked past; when no such process can be
//! found rtool says so instead of guessing. The arguments are read with the
//! go command's own flag rules (`goflags`), `$GOFLAGS` first.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::goflags::{self, Flag};
use base64::Engine;

/// The go process running this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoCommand {
    /// Unique among live and recent processes: pid and start time (or the
    /// nonce `rtool go` chose).
    pub key: String,
    pub argv: Vec<String>,
}

/// How many processes up rtool looks for the go command (rtool's parent,
/// and wrappers between them).
const MAX_WALK: usize = 6;

impl GoCommand {
    /// The go command this process works for, or why it cannot be known.
    pub fn find(ctx: &Ctx) -> Result<GoCommand> {
        let ppid = std::os::unix::process::parent_id();
        if let Some(handed) = &ctx.go_command
            && let Some(cmd) = decode_handoff(handed, ppid)
        {
            return Ok(cmd);
        }
        let go = match &ctx.goroot {
            Some(root) => std::fs::canonicalize(root.join("bin/go"))
                .map_err(|e| Error::failed(format!("cannot find the go command of the toolchain in {}: {e}", root.display())))?,
            None => {
                return Err(Error::failed(
                    "no GOROOT: neither the tool's path nor $GOROOT names one, so this is not a tool run by the go command",
                ));
            }
        };
        let mut pid = ppid;
        for _ in 0..MAX_WALK {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| {
                Error::failed(format!(
                    "cannot read /proc/{pid}/stat ({e}); rtool reads the go command's flags from /proc on Linux, or from `rtool go`"
                ))
            })?;
            let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
            if exe.as_deref() == Some(go.as_path()) {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map_err(|e| Error::io("reading", std::path::Path::new(&format!("/proc/{pid}/cmdline")), e))?;
                let argv = cmdline.split(|&c| c == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect();
                let start = fields.get(19).copied().unwrap_or("0");
                return Ok(GoCommand { key: format!("{pid}-{start}"), argv });
            }
            match fields.get(1).and_then(|p| p.parse::<u32>().ok()) {
                Some(parent) if parent > 1 => pid = parent,
                _ => break,
            }
        }
        Err(Error::failed(format!(
            "no process above rtool (pid {}) is the go command {}; rtool runs as the go command's -toolexec program, directly or through wrappers that fork, or through `rtool go`",
            std::process::id(),
            go.display()
        )))
    }

    /// The package-affecting flags of this go command and `$GOFLAGS`,
    /// normalised (see [`kept_flags`]).
    pub fn kept_flags(&self) -> Result<Vec<String>> {
        let inv = goflags::parse(&self.argv)
            .map_err(|e| Error::failed(format!("reading the go command's flags ({}): {}", self.argv.join(" "), e.message())))?;
        let env = std::env::var("GOFLAGS").unwrap_or_default();
        let mut flags =
            goflags::parse_goflags(&env, &inv.sub).map_err(|e| Error::failed(format!("reading GOFLAGS={env:?}: {}", e.message())))?;
        flags.extend(inv.flags);
        Ok(kept_flags(&flags, &inv.packages))
    }

    /// The package arguments (packages, patterns or .go files), as
    /// written; none if the command line cannot be read.
    pub fn packages(&self) -> Vec<String> {
        goflags::parse(&self.argv).map(|inv| inv.packages).unwrap_or_default()
    }
}

/// The value of `RTOOL_GO_COMMAND` for a go command that will run as
/// process `pid` (rtool go execs it) with arguments `argv`.
pub fn encode_handoff(pid: u32, nonce: u128, argv: &[String]) -> String {
    let joined = argv.join("\0");
    format!("{pid}:{nonce:x}:{}", base64::engine::general_purpose::STANDARD.encode(joined))
}

/// The handed-down go command, if it is this process's parent.
fn decode_handoff(text: &str, ppid: u32) -> Option<GoCommand> {
    let mut parts = text.splitn(3, ':');
    let pid: u32 = parts.next()?.parse().ok()?;
    let nonce = parts.next()?;
    let argv = base64::engine::general_purpose::STANDARD.decode(parts.next()?).ok()?;
    if pid != ppid {
        return None; // handed to another go command (go generate, go run …)
    }
    let argv = String::from_utf8_lossy(&argv).split('\0').map(str::to_string).collect();
    Some(GoCommand { key: format!("{pid}-g{nonce}"), argv })
}

/// Build flags that change what a package compiles to; a nested go
/// command must see them as the outer one did.
const KEPT: &[&str] = &[
    "asan",
    "asmflags",
    "buildmode",
    "compiler",
    "cover",
    "covermode",
    "coverpkg",
    "gcflags",
    "installsuffix",
    "linkshared",
    "mod",
    "modfile",
    "msan",
    "overlay",
    "pgo",
    "race",
    "tags",
    "trimpath",
];

/// Boolean flags among them.
const BOOLS: &[&str] = &["asan", "cover", "linkshared", "msan", "race", "trimpath"];

/// Flags that accumulate (each occurrence counts, the last matching
/// pattern wins); the others keep their last value.
const REPEATED: &[&str] = &["asmflags", "gcflags"];

/// The package-affecting flags among `flags` (`$GOFLAGS`'s first), as one
/// canonical command line: booleans `-race` (or absent), the last value of
/// each other flag, sorted by name, then every `-gcflags` and `-asmflags`
/// in order. Flags whose effect depends on the packages named on the
/// command line get those packages spelled out, since a nested command
/// names others: `-cover` covers the named packages (`-coverpkg=` them),
/// and `-gcflags`/`-asmflags` without a pattern apply to them
/// (`-gcflags=PATTERN=…`). Reading the result again gives it unchanged.
pub fn kept_flags(flags: &[Flag], packages: &[String]) -> Vec<String> {
    let patterns: Vec<String> = if packages.is_empty() { vec![".".to_string()] } else { packages.to_vec() };
    let mut last: Vec<(String, Option<String>)> = Vec::new();
    let mut repeated = Vec::new();
    for f in flags.iter().filter(|f| KEPT.contains(&f.name.as_str())) {
        if REPEATED.contains(&f.name.as_str()) {
            let v = f.value.clone().unwrap_or_default();
            if v.is_empty() || v.starts_with('-') {
                repeated.extend(patterns.iter().map(|p| format!("-{}={p}={v}", f.name)));
            } else {
                repeated.push(format!("-{}={v}", f.name));
            }
            continue;
        }
        last.retain(|(n, _)| *n != f.name);
        last.push((f.name.clone(), f.value.clone()));
    }
    let cover_on = last.iter().any(|(n, v)| n == "cover" && v.as_deref().is_none_or(is_true));
    let covers = cover_on || last.iter().any(|(n, _)| n == "covermode" || n == "coverpkg");
    if covers && !last.iter().any(|(n, _)| n == "coverpkg") {
        last.push(("coverpkg".into(), Some(patterns.join(","))));
    }
    if covers && !cover_on {
        last.retain(|(n, _)| n != "cover");
        last.push(("cover".into(), None));
    }
    last.sort();
    let mut out = Vec::new();
    for (name, value) in last {
        if BOOLS.contains(&name.as_str()) {
            if value.as_deref().is_none_or(is_true) {
                out.push(format!("-{name}"));
            }
        } else {
            out.push(format!("-{name}={}", value.unwrap_or_default()));
        }
    }
    out.extend(repeated);
    out
}

/// strconv.ParseBool's true spellings (false ones, and errors, are false:
/// the go command has rejected a bad value before any tool runs).
fn is_true(v: &str) -> bool {
    matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(argv: &str) -> Vec<String> {
        let cmd = GoCommand { key: String::new(), argv: argv.split(' ').map(str::to_string).collect() };
        let inv = goflags::parse(&cmd.argv).unwrap();
        kept_flags(&inv.flags, &inv.packages)
    }

    fn v(s: &str) -> Vec<String> {
        s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn keeps_package_affecting_flags() {
        assert_eq!(go("go build -race -o out -tags a,b -v ./cmd/x"), v("-race -tags=a,b"));
        assert_eq!(go("go -C dir test -count=1 -cover -coverpkg ./... ./pkg -run X"), v("-cover -coverpkg=./..."));
        assert_eq!(go("go build --trimpath -gcflags=all=-N -mod vendor"), v("-mod=vendor -trimpath -gcflags=all=-N"));
        assert!(go("go list -export -deps -f {{.Export}} fmt").is_empty());
        assert_eq!(go("go test -json -race ./..."), v("-race"));
        assert_eq!(go("go test -cpuprofile F -race ."), v("-race"));
        assert_eq!(go("go test -race=false -tags x -tags y ."), v("-tags=y"));
        assert_eq!(go("go test ./a -run X -race -args -msan"), v("-race"));
        // Flags that depend on the named packages name them.
        assert_eq!(go("go test -cover ./a ./b -run X"), v("-cover -coverpkg=./a,./b"));
        assert_eq!(go("go build -cover"), v("-cover -coverpkg=."));
        assert_eq!(go("go test -covermode=atomic ./a"), v("-cover -covermode=atomic -coverpkg=./a"));
        assert_eq!(go("go build -gcflags=-N ./a ./b"), v("-gcflags=./a=-N -gcflags=./b=-N"));
    }

    #[test]
    fn reading_the_result_again_changes_nothing() {
        for line in ["go test -cover -race -gcflags=-N -tags=a ./a ./b", "go build -trimpath -asmflags=-D=X -mod=mod -coverpkg=./x ."] {
            let once = go(line);
            let again = go(&format!("go list {} -- p", once.join(" ")));
            assert_eq!(again, once, "{line}");
        }
    }

    #[test]
    fn handoff_names_its_go_command_only() {
        let argv = v("go build -race ./...");
        let text = encode_handoff(42, 0xabc, &argv);
        assert_eq!(decode_handoff(&text, 42), Some(GoCommand { key: "42-gabc".into(), argv: argv.clone() }));
        assert_eq!(decode_handoff(&text, 43), None);
        assert_eq!(decode_handoff("garbage", 42), None);
    }
}

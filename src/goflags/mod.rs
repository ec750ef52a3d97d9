//! The go command's own command line and `$GOFLAGS`, read exactly as the
//! go command (Go 1.27) reads them, for the subcommands that build: build,
//! install, run, list, vet, get, generate and test. rtool reads the flags
//! of the go command that runs it (`/proc/PPID/cmdline`, or the argv
//! `rtool go` hands down) and must never misread one: whatever go would
//! reject, or whatever rtool cannot read as go does, is an error here, not
//! a guess. The flag tables are in `table`; this file owns the syntax:
//!
//! - `-C dir` (`-C=dir`) only as the first argument, before or right after
//!   the subcommand (cmd/go's `handleChdirFlag`); anywhere else it errs.
//! - build, install, run, list, get, generate: Go's `flag` package.
//!   `-f`/`--f`, `-f=v`, `-f v` (not for bool flags: `-f false` is `-f`
//!   and the package `false`); flags end at `--` or the first non-flag.
//! - vet: cmd/go's `cmdflag.ParseOne`, the same but `---x` or `-=x` is a
//!   package; its analyzer flags are the default vet tool's.
//! - test: `testFlags` in cmd/go/internal/test/testflag.go, see
//!   [`parse_test`].
//!
//! Values of non-bool flags are not checked (go checks them before any
//! tool runs); bool values are, since a reader must interpret them.

mod table;

use crate::error::Error;
use table::{Kind, Set};

/// One flag as the go command saw it: the name without dashes (`test.v`
/// stays `test.v`), and the value, `None` for a bool flag written without
/// `=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
}

/// A go command line, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// `go -C dir …` or `go SUB -C dir …`.
    pub dir: Option<String>,
    pub sub: String,
    /// The flags go took as its own, in order; a repeated flag appears each
    /// time, for the reader to combine as go does.
    pub flags: Vec<Flag>,
    /// Packages, patterns or .go files, as written.
    pub packages: Vec<String>,
    /// What go hands on: go run's program arguments; go test's arguments
    /// for the test binary other than the flags in `flags` (unknown flags
    /// and the words after them, all after `-args`, `--` and what follows).
    pub args: Vec<String>,
}

/// Reads `argv` as in /proc/PID/cmdline: argv[0] is the go binary, then
/// `[-C dir] SUBCOMMAND ARGS…`. What the go command would reject is a
/// usage error.
pub fn parse(argv: &[String]) -> crate::error::Result<Invocation> {
    parse_argv(argv).map_err(Error::usage)
}

fn parse_argv(argv: &[String]) -> Result<Invocation, String> {
    let mut args: Vec<String> = argv.get(1..).unwrap_or_default().to_vec();
    // handleChdirFlag looks at one place only: right after the subcommand
    // if the first word is one, else the first word.
    let at = usize::from(args.first().is_some_and(|a| table::sets(a).is_some()));
    let dir = take_chdir(&mut args, at)?;
    // The go command's own flag set is empty: `--` ends it, a flag errs.
    let mut rest = args.as_slice();
    match rest.first().map(|a| std_syntax(a)).transpose()? {
        Some(Arg::Terminator) => rest = &rest[1..],
        Some(Arg::Flag(name, _)) => return Err(unknown(name)),
        _ => {}
    }
    let (sub, rest) = rest.split_first().ok_or("no subcommand")?;
    let cmd = Cmd::new(sub)?;
    let Parsed { flags, packages, args } = match sub.as_str() {
        "test" => parse_test(&cmd, rest)?,
        "vet" => parse_vet(rest)?,
        _ => {
            let (flags, rest) = parse_std(&cmd, rest)?;
            let (packages, args) = if sub == "run" { run_split(rest)? } else { (rest.to_vec(), Vec::new()) };
            Parsed { flags, packages, args }
        }
    };
    Ok(Invocation { dir, sub: sub.clone(), flags, packages, args })
}

/// A subcommand's arguments, read: [`Invocation`]'s fields of the same names.
#[derive(Default)]
struct Parsed {
    flags: Vec<Flag>,
    packages: Vec<String>,
    args: Vec<String>,
}

/// The flags in `$GOFLAGS` that apply to subcommand `sub`, as go reads
/// them (base/goflags.go): words split by `quoted.Split` (space-separated,
/// a word may be wrapped in '' or ""), each `-name` or `-name=value` (or
/// `--`); non-bool flags need `=value`. Flags `sub` does not know are
/// ignored, as go ignores them. (go also rejects a name that no go command
/// knows at all; such a GOFLAGS fails every go command, so no build that
/// runs rtool has one.) For vet, the analyzer flags are the default tool's.
pub fn parse_goflags(goflags: &str, sub: &str) -> crate::error::Result<Vec<Flag>> {
    read_goflags(goflags, sub).map_err(Error::usage)
}

fn read_goflags(goflags: &str, sub: &str) -> Result<Vec<Flag>, String> {
    let cmd = Cmd::new(sub)?;
    let words = quoted_split(goflags)?;
    // InitGOFLAGS checks every word before SetFromGOFLAGS reads any.
    if let Some(word) = words.iter().find(|w| {
        let bad = ["---", "-=", "--="].iter().any(|p| w.starts_with(p));
        !w.starts_with('-') || *w == "-" || *w == "--" || bad
    }) {
        return Err(format!("non-flag {word:?}"));
    }
    let mut flags = Vec::new();
    for word in &words {
        let (name, value) = split_value(word.strip_prefix("--").unwrap_or(&word[1..]));
        if let Some(kind) = cmd.kind(name) {
            flags.push(read(name, kind, value, None)?.0);
        }
    }
    Ok(flags)
}

/// A subcommand's flag set.
struct Cmd {
    sets: &'static [Set],
    /// go test also knows each `TEST_BINARY` flag as `test.NAME`.
    test: bool,
}

impl Cmd {
    fn new(sub: &str) -> Result<Cmd, String> {
        let sets = table::sets(sub).ok_or_else(|| format!("unknown or unsupported subcommand {sub:?}"))?;
        Ok(Cmd { sets, test: sub == "test" })
    }

    fn kind(&self, name: &str) -> Option<Kind> {
        let find = |set: Set, name: &str| set.iter().find(|(n, _)| *n == name).map(|&(_, k)| k);
        self.sets.iter().find_map(|&set| find(set, name)).or_else(|| {
            let short = name.strip_prefix("test.").filter(|_| self.test)?;
            find(table::TEST_BINARY, short)
        })
    }
}

/// One command-line word, by its syntax.
enum Arg<'a> {
    /// `--`.
    Terminator,
    /// A package, a value, a program argument.
    NonFlag,
    /// `-name` or `-name=value` (or `--`).
    Flag(&'a str, Option<&'a str>),
}

/// Go's `flag` package: a lone `-` is no flag; `---x` and `-=x` are errors.
fn std_syntax(word: &str) -> Result<Arg<'_>, String> {
    if word.len() < 2 || !word.starts_with('-') {
        return Ok(Arg::NonFlag);
    }
    if word == "--" {
        return Ok(Arg::Terminator);
    }
    let body = word.strip_prefix("--").unwrap_or(&word[1..]);
    if body.is_empty() || body.starts_with(['-', '=']) {
        return Err(format!("bad flag syntax: {word}"));
    }
    let (name, value) = split_value(body);
    if matches!(name, "h" | "help") {
        return Err(help(word));
    }
    Ok(Arg::Flag(name, value))
}

/// cmd/go's `cmdflag.ParseOne`: `---x` and `-=x` are non-flags, and
/// `-h`, `-help` and `-?` ask for help whatever the flag set.
fn cmdflag_syntax(word: &str) -> Result<Arg<'_>, String> {
    if word == "--" {
        return Ok(Arg::Terminator);
    }
    let arg = if word.starts_with("--") { &word[1..] } else { word };
    if matches!(arg, "-?" | "-h" | "-help") {
        return Err(help(word));
    }
    let b = arg.as_bytes();
    if b.len() < 2 || b[0] != b'-' || b[1] == b'-' || b[1] == b'=' {
        return Ok(Arg::NonFlag);
    }
    let (name, value) = split_value(&arg[1..]);
    Ok(Arg::Flag(name, value))
}

/// `name=value` at the first `=` (the name is never empty here).
fn split_value(body: &str) -> (&str, Option<&str>) {
    match body.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (body, None),
    }
}

/// A known flag: its value from `=value`, else for a non-bool flag the
/// next word `next`. Returns the flag and whether it took `next`.
fn read(name: &str, kind: Kind, value: Option<&str>, next: Option<&String>) -> Result<(Flag, bool), String> {
    // base.ChdirFlag: the flag set has -C only to reject it.
    if name == "C" {
        return Err("-C must be the first flag on the command line (before or right after the subcommand)".into());
    }
    let flag = |v: Option<&str>| Flag { name: name.to_string(), value: v.map(str::to_string) };
    match (kind, value) {
        (Kind::Bool, Some(v)) if parse_bool(v).is_none() => Err(format!("invalid boolean value {v:?} for -{name}")),
        (Kind::Bool | Kind::BoolOr, _) | (Kind::Value, Some(_)) => Ok((flag(value), false)),
        (Kind::Value, None) => match next {
            Some(v) => Ok((flag(Some(v)), true)),
            None => Err(format!("flag needs an argument: -{name}")),
        },
    }
}

/// strconv.ParseBool.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn unknown(name: &str) -> String {
    format!("flag provided but not defined: -{name}")
}

fn help(word: &str) -> String {
    format!("{word}: asks the go command for its usage; it builds nothing")
}

/// Removes `-C dir` or `-C=dir` at `args[at]` and returns dir.
fn take_chdir(args: &mut Vec<String>, at: usize) -> Result<Option<String>, String> {
    let Some(word) = args.get(at) else { return Ok(None) };
    if word == "-C" || word == "--C" {
        // go leaves a trailing -C to the flag parsers, which reject it.
        let dir = args.get(at + 1).cloned().ok_or("flag needs an argument: -C")?;
        args.drain(at..at + 2);
        return Ok(Some(dir));
    }
    match word.strip_prefix("-C=").or_else(|| word.strip_prefix("--C=")) {
        Some(dir) => {
            let dir = dir.to_string();
            args.remove(at);
            Ok(Some(dir))
        }
        None => Ok(None),
    }
}

/// Go's `flag.Parse`: flags up to `--` (dropped) or the first non-flag;
/// returns them and the rest.
fn parse_std<'a>(cmd: &Cmd, args: &'a [String]) -> Result<(Vec<Flag>, &'a [String]), String> {
    let mut flags = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let (name, value) = match std_syntax(word)? {
            Arg::NonFlag => break,
            Arg::Terminator => {
                i += 1;
                break;
            }
            Arg::Flag(name, value) => (name, value),
        };
        let kind = cmd.kind(name).ok_or_else(|| unknown(name))?;
        let (flag, took_next) = read(name, kind, value, args.get(i + 1))?;
        flags.push(flag);
        i += 1 + usize::from(took_next);
    }
    Ok((flags, &args[i..]))
}

/// go run (run.go): the leading `.go` files, else one package (a word not
/// starting with `-`), are what it builds; the rest is the program's.
fn run_split(rest: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    let files = rest.iter().take_while(|a| a.ends_with(".go")).count();
    let n = match files {
        0 if rest.first().is_some_and(|a| !a.starts_with('-')) => 1,
        0 => return Err("go run: no go files listed".into()),
        n => n,
    };
    Ok((rest[..n].to_vec(), rest[n..].to_vec()))
}

/// go vet (vet/vetflag.go `toolFlags`): cmdflag syntax up to `--` or the
/// first non-flag; everything after is packages. go asks the vet tool for
/// its flags: the default tool's are in the table, a `-vettool`'s are not
/// known, so a flag neither build nor vet's own then errs.
fn parse_vet(args: &[String]) -> Result<Parsed, String> {
    // parseToolFlag takes the first -vettool anywhere, even among packages.
    let at = args.iter().position(|a| {
        let a = if a.starts_with("--") { &a[1..] } else { a };
        a == "-vettool" || a.starts_with("-vettool=")
    });
    let tool = at.map(|at| &args[at]);
    if at.is_some_and(|at| at + 1 == args.len() && !args[at].contains('=')) {
        return Err("-vettool requires a filename".into());
    }
    let cmd = Cmd { sets: if tool.is_some() { table::VET_WITH_TOOL } else { Cmd::new("vet")?.sets }, test: false };
    let mut flags = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let (name, value) = match cmdflag_syntax(word)? {
            Arg::NonFlag => return Ok(Parsed { flags, packages: args[i..].to_vec(), args: Vec::new() }),
            Arg::Terminator => return Ok(Parsed { flags, packages: args[i + 1..].to_vec(), args: Vec::new() }),
            Arg::Flag(name, value) => (name, value),
        };
        let Some(kind) = cmd.kind(name) else {
            return Err(match tool {
                Some(t) => format!("flag -{name}: not go vet's, and only {t} knows whether it takes a value"),
                None => unknown(name),
            });
        };
        let (flag, took_next) = read(name, kind, value, args.get(i + 1))?;
        flags.push(flag);
        i += 1 + usize::from(took_next);
    }
    Ok(Parsed { flags, ..Parsed::default() })
}

/// go test (test/testflag.go `testFlags`): flags it knows count both before
/// and after the package list; the rest goes to the test binary:
///
/// - A flag go test does not know goes to the binary as written, and ends
///   the package list. It never takes the next word itself, but when
///   written without `=value`, a non-flag word right after it is taken as
///   its value (go cannot tell; golang.org/issue/40763) and reading goes
///   on: `go test -myflag ./a` tests `.` with `-myflag ./a`.
/// - Any other non-flag word after the package list ended, and all after
///   it, go to the binary, known flags too.
/// - `-args` passes all that follows; `--` passes itself and all after.
/// - An unknown flag with `-c` is an error.
///
/// `args` of the result are the binary's arguments.
fn parse_test(cmd: &Cmd, args: &[String]) -> Result<Parsed, String> {
    let (mut flags, mut packages, mut passed) = (Vec::new(), Vec::new(), Vec::new());
    // go's `packageNames != nil`: a package or an unknown flag was seen.
    let mut list_seen = false;
    let mut in_list = false;
    let mut after_bare_unknown = false;
    let mut first_unknown = None;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let was_after_bare_unknown = std::mem::take(&mut after_bare_unknown);
        let (name, value) = match cmdflag_syntax(word)? {
            Arg::Terminator => {
                passed.extend_from_slice(&args[i..]);
                break;
            }
            Arg::NonFlag if list_seen && !in_list => {
                if !was_after_bare_unknown {
                    passed.extend_from_slice(&args[i..]);
                    break;
                }
                passed.push(word.clone());
                i += 1;
                continue;
            }
            Arg::NonFlag => {
                (list_seen, in_list) = (true, true);
                packages.push(word.clone());
                i += 1;
                continue;
            }
            Arg::Flag(name, value) => (name, value),
        };
        in_list = false;
        let Some(kind) = cmd.kind(name) else {
            list_seen = true;
            if word == "-args" || word == "--args" {
                passed.extend_from_slice(&args[i + 1..]);
                break;
            }
            first_unknown.get_or_insert(word);
            passed.push(word.clone());
            after_bare_unknown = value.is_none();
            i += 1;
            continue;
        };
        let (flag, took_next) = read(name, kind, value, args.get(i + 1))?;
        flags.push(flag);
        i += 1 + usize::from(took_next);
    }
    // (go also sees a -c from GOFLAGS, which this reader is not given.)
    let c = flags.iter().rfind(|f| f.name == "c");
    let test_c = c.is_some_and(|f| f.value.as_deref().is_none_or(|v| parse_bool(v) == Some(true)));
    if let Some(word) = first_unknown.filter(|_| test_c) {
        return Err(format!("unknown flag {word} cannot be used with -c"));
    }
    Ok(Parsed { flags, packages, args: passed })
}

/// cmd/internal/quoted.Split: words separated by spaces, tabs and
/// newlines; a word starting with ' or " runs to the next such quote (no
/// escapes).
fn quoted_split(s: &str) -> Result<Vec<String>, String> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let mut words = Vec::new();
    let mut s = s.trim_start_matches(is_space);
    while let Some(c) = s.chars().next() {
        let (word, rest) = if c == '"' || c == '\'' {
            let body = &s[1..];
            let end = body.find(c).ok_or_else(|| format!("unterminated {c} string"))?;
            (&body[..end], &body[end + 1..])
        } else {
            s.split_at(s.find(is_space).unwrap_or(s.len()))
        };
        words.push(word.to_string());
        s = rest.trim_start_matches(is_space);
    }
    Ok(words)
}

#[cfg(test)]
mod tests;

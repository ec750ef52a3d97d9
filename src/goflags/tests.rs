//! Tests of the go command line reader, and of its tables against the go
//! command's help texts (testdata/gohelp, printed by the newest Go).

use super::*;

const BUILD_HELP: &str = include_str!("../../testdata/gohelp/build.txt");
const TESTFLAG_HELP: &str = include_str!("../../testdata/gohelp/testflag.txt");

/// Build flags in `table::BUILD` that `go help build` does not document.
const UNDOCUMENTED: &[&str] = &["debug-actiongraph", "debug-runtime-trace", "debug-trace"];

/// Flags in `table::TEST_OWN` that `go help testflag` does not list (`go
/// help test` does).
const TEST_HELP_ONLY: &[&str] = &["c", "exec", "o"];

/// The flags a help text lists, on lines `\t-name` or `\t-name value`,
/// and whether a value follows the name.
fn help_flags(text: &str) -> Vec<(&str, bool)> {
    let lines = text.lines().filter_map(|l| l.strip_prefix("\t-")).filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()));
    lines.map(|l| l.split_once(' ').map_or((l, false), |(name, _)| (name, true))).collect()
}

fn go(cmdline: &str) -> Result<Invocation, String> {
    parse(&cmdline.split(' ').map(str::to_string).collect::<Vec<_>>()).map_err(|e| e.message().to_string())
}

fn flag(name: &str, value: Option<&str>) -> Flag {
    Flag { name: name.into(), value: value.map(str::to_string) }
}

/// "race tags=a" as flags.
fn flags(s: &str) -> Vec<Flag> {
    s.split(' ').filter(|w| !w.is_empty()).map(|w| w.split_once('=').map_or(flag(w, None), |(n, v)| flag(n, Some(v)))).collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// `go CMDLINE` read as (flags, packages, args).
fn read_as(cmdline: &str, want_flags: &str, packages: &str, args: &str) {
    let inv = go(&format!("go {cmdline}")).unwrap_or_else(|e| panic!("go {cmdline}: {e}"));
    assert_eq!((inv.flags, inv.packages, inv.args), (flags(want_flags), words(packages), words(args)), "go {cmdline}");
}

fn fails(cmdline: &str, naming: &str) {
    match go(&format!("go {cmdline}")) {
        Ok(inv) => panic!("go {cmdline}: read as {inv:?}"),
        Err(e) => assert!(e.contains(naming), "go {cmdline}: {e}"),
    }
}

#[test]
fn tables_know_every_flag_of_the_help_texts() {
    let texts = [(BUILD_HELP, &["build", "install", "run", "list", "test"][..]), (TESTFLAG_HELP, &["test"])];
    for (text, subs) in texts {
        let listed = help_flags(text);
        assert!(listed.len() > 25, "{listed:?}");
        for sub in subs {
            let cmd = Cmd::new(sub).unwrap();
            for &(name, takes_value) in &listed {
                let kind = cmd.kind(name).unwrap_or_else(|| panic!("go {sub} -{name}: not in the table"));
                assert_eq!(kind == Kind::Value, takes_value, "go {sub} -{name}: {kind:?}");
            }
        }
    }
    // The bool flags whose values go on past booleans, by hand.
    let kind = |sub: &str, name: &str| Cmd::new(sub).unwrap().kind(name);
    assert_eq!(kind("build", "buildvcs"), Some(Kind::BoolOr));
    assert_eq!(kind("list", "json"), Some(Kind::BoolOr));
    assert_eq!(kind("get", "u"), Some(Kind::BoolOr));
    assert_eq!(kind("test", "v"), Some(Kind::BoolOr));
    assert_eq!(kind("test", "test.v"), Some(Kind::BoolOr));
    assert_eq!(kind("test", "json"), Some(Kind::Bool));
    assert_eq!(kind("test", "test.json"), None);
    assert_eq!(kind("test", "test.cover"), None);
    assert_eq!(kind("build", "test.v"), None);
}

#[test]
fn tables_know_nothing_the_help_texts_do_not() {
    let in_text = |text, name: &str| help_flags(text).iter().any(|&(n, _)| n == name);
    let build = [table::BUILD, table::V, table::JSON, table::MOD, table::COVER];
    for &(name, _) in build.iter().flat_map(|s| s.iter()) {
        assert_ne!(in_text(BUILD_HELP, name), UNDOCUMENTED.contains(&name), "-{name}");
    }
    for &(name, _) in table::TEST_OWN.iter().chain(table::TEST_BINARY) {
        assert_ne!(in_text(TESTFLAG_HELP, name), TEST_HELP_ONLY.contains(&name), "-{name}");
    }
}

#[test]
fn every_spelling() {
    for spelling in ["-tags a,b", "-tags=a,b", "--tags a,b", "--tags=a,b"] {
        read_as(&format!("build {spelling} ./x"), "tags=a,b", "./x", "");
    }
    for spelling in ["-race", "--race", "-race=true", "--race=1", "-race=T", "-race=false", "-race=FALSE", "-race=0"] {
        let inv = go(&format!("go build {spelling} ./x")).unwrap();
        assert_eq!((inv.flags[0].name.as_str(), inv.packages), ("race", words("./x")), "{spelling}");
    }
    read_as("build -race=false", "race=false", "", "");
    read_as("build -o= .", "o=", ".", "");
    read_as("build -race false", "race", "false", ""); // never -f false
    read_as("build -race -- -x", "race", "-x", "");
    read_as("build -race - -x", "race", "- -x", "");
    read_as("build . -race", "", ". -race", ""); // as go sees it
    read_as("install -ldflags -s .", "ldflags=-s", ".", ""); // -s is -ldflags' value
    fails("install -ldflags -s -w .", "-w");
    fails("build -race=maybe .", "-race");
    fails("build -tags", "-tags");
    fails("build ---x .", "---x");
    fails("build -=x .", "-=x");
    fails("build -h", "-h");
}

#[test]
fn chdir_only_first() {
    for cmdline in ["go -C dir build -tags a,b ./...", "go --C=dir build -tags a,b ./...", "go build -C dir -tags a,b ./..."] {
        let inv = go(cmdline).unwrap();
        assert_eq!(
            (inv.dir.as_deref(), inv.sub.as_str(), inv.flags, inv.packages),
            (Some("dir"), "build", flags("tags=a,b"), words("./..."))
        );
    }
    assert_eq!(go("go -C=d test -C=e").unwrap_err(), go("go build -race -C d").unwrap_err());
    fails("-C a build -C b .", "-C");
    fails("test -race -C d", "-C");
    fails("build -C", "-C");
    fails("-C", "-C");
    assert_eq!(go("go -- build .").unwrap().packages, words("."));
    fails("-x build", "-x");
    fails("frob .", "frob");
    fails("mod tidy", "mod");
    assert!(parse(&[]).is_err() && go("go").is_err());
}

#[test]
fn test_flags() {
    read_as("test -json -race ./...", "json race", "./...", "");
    read_as("test -cpuprofile F -race", "cpuprofile=F race", "", "");
    read_as("test -memprofile F -race", "memprofile=F race", "", "");
    read_as("test ./a -run X -race -args -race", "run=X race", "./a", "-race");
    read_as("test ./a ./b -x -count=1 ./c", "x count=1", "./a ./b", "./c");
    read_as("test -v=test2json -test.run=X -test.v ./a", "v=test2json test.run=X test.v", "./a", "");
    read_as("test -x ./a -- -race", "x", "./a", "-- -race");
    read_as("test ---x", "", "---x", "");
    // Unknown flags go to the binary and end the package list; a word
    // right after a bare one is taken as its value, and reading goes on.
    read_as("test -v -myflag ./a", "v", "", "-myflag ./a");
    read_as("test ./a -myflag x -race", "race", "./a", "-myflag x");
    read_as("test ./a -myflag=1 ./b -race", "", "./a", "-myflag=1 ./b -race");
    read_as("test ./a -count 1 extra -race", "count=1", "./a", "extra -race");
    read_as("test -test.json ./a", "", "", "-test.json ./a");
    fails("test -c -myflag", "-myflag");
    read_as("test -c=false -myflag", "c=false", "", "-myflag");
    fails("test -count", "-count");
    fails("test -help", "-help");
    fails("test --?", "-?");
}

#[test]
fn other_subcommands() {
    read_as("list -json Dir .", "json", "Dir .", ""); // Dir is a package
    read_as("list -json=Dir,Name -e -f {{.Dir}} -deps .", "json=Dir,Name e f={{.Dir}} deps", ".", "");
    read_as("run -race ./cmd/x -race arg", "race", "./cmd/x", "-race arg");
    read_as("run -exec wrap main.go util.go -v", "exec=wrap", "main.go util.go", "-v");
    fails("run -race", "no go files");
    read_as("get -u=patch -t example.com/m@v1", "u=patch t", "example.com/m@v1", "");
    fails("get -mod=mod .", "-mod");
    read_as("generate -run X -x ./...", "run=X x", "./...", "");
    fails("generate -json .", "-json");
    read_as("vet -printf=false -printf.funcs Logf -json ./... -x", "printf=false printf.funcs=Logf json", "./... -x", "");
    read_as("vet -vettool=/s -tags a ---x", "vettool=/s tags=a", "---x", "");
    fails("vet -vettool /s -strict ./...", "-strict");
    fails("vet -bogus ./...", "-bogus");
    fails("vet . -vettool", "-vettool");
    fails("build -exec x .", "-exec");
    fails("list -race -bogus=1 .", "-bogus");
}

#[test]
fn goflags() {
    let read = |s, sub| parse_goflags(s, sub).unwrap();
    let env = "-race  --tags=a,b\t-ldflags=-w -count=1 '-gcflags=all=-N -l' -mod=mod";
    let mut want = flags("race tags=a,b ldflags=-w");
    want.extend([flag("gcflags", Some("all=-N -l")), flag("mod", Some("mod"))]);
    assert_eq!(read(env, "build"), want);
    assert_eq!(read(env, "get").len(), 4); // no -count, no -mod
    assert_eq!(read(env, "test")[3], flag("count", Some("1")));
    assert_eq!(read("-json -v=test2json \"-test.v\"", "test"), flags("json v=test2json test.v"));
    assert_eq!(read("", "build"), Vec::new());
    for (bad, naming) in [
        ("-tags", "-tags"),
        ("-race=maybe", "-race"),
        ("-C=d", "-C"),
        ("-race x", "x"),
        ("---x", "---x"),
        ("'-race", "'"),
        ("-tags a", "\"a\""),
    ] {
        let e = parse_goflags(bad, "build").unwrap_err();
        assert!(e.message().contains(naming), "{bad}: {e}");
    }
    assert!(parse_goflags("-race", "frob").is_err());
}

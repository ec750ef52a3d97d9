//! The flag sets of the go command's building subcommands (Go 1.27), as
//! its `init` functions register them. Keep in sync with
//! cmd/go/internal/work/build.go (`AddBuildFlags`, `AddCoverFlags`),
//! base/flag.go, list/list.go, run/run.go, modget/get.go,
//! generate/generate.go, vet/vetflag.go and vet/vet.go,
//! test/testflag.go and test/flagdefs.go; goflags/tests.rs checks them
//! against `go help build` and `go help testflag` (testdata/gohelp).

/// How a flag reads its value (the flag package's rule: a `flag.Value`
/// whose `IsBoolFlag()` is true never takes the next argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `-f v` or `-f=v`.
    Value,
    /// `-f` or `-f=B`, B one of strconv.ParseBool's spellings.
    Bool,
    /// `-f` or `-f=ANY`: a bool flag whose own `Set` takes more than
    /// booleans (`-buildvcs=auto`, list's `-json=Dir,Name`, get's
    /// `-u=patch`, test's `-v=test2json`); go checks those values.
    BoolOr,
}

use Kind::{Bool, BoolOr, Value};

/// A flag set: (name, kind) pairs.
pub type Set = &'static [(&'static str, Kind)];

/// `AddBuildFlags` with no mask bit set, less `-v`, `-json` and `-mod`,
/// which some masks drop. `-C` is here because every building subcommand
/// defines it, but only as the first argument does go accept it.
pub const BUILD: Set = &[
    ("C", Value),
    ("a", Bool),
    ("asan", Bool),
    ("asmflags", Value),
    ("buildmode", Value),
    ("buildvcs", BoolOr),
    ("compiler", Value),
    ("gccgoflags", Value),
    ("gcflags", Value),
    ("installsuffix", Value),
    ("ldflags", Value),
    ("linkshared", Bool),
    ("modcacherw", Bool),
    ("modfile", Value),
    ("msan", Bool),
    ("n", Bool),
    ("overlay", Value),
    ("p", Value),
    ("pgo", Value),
    ("pkgdir", Value),
    ("race", Bool),
    ("tags", Value),
    ("toolexec", Value),
    ("trimpath", Bool),
    ("work", Bool),
    ("x", Bool),
    // Undocumented, unstable debugging flags.
    ("debug-actiongraph", Value),
    ("debug-runtime-trace", Value),
    ("debug-trace", Value),
];

/// Dropped by `OmitVFlag` (test has its own `-v`).
pub const V: Set = &[("v", Bool)];
/// Dropped by `OmitJSONFlag` and `OmitBuildOnlyFlags` (list, vet and test
/// have their own `-json`; generate has none).
pub const JSON: Set = &[("json", Bool)];
/// Dropped by `OmitModFlag` (get).
pub const MOD: Set = &[("mod", Value)];
/// `AddCoverFlags` (test adds `-coverprofile`, in `TEST_BINARY`).
pub const COVER: Set = &[("cover", Bool), ("covermode", Value), ("coverpkg", Value)];

pub const BUILD_OWN: Set = &[("o", Value)];
pub const RUN_OWN: Set = &[("exec", Value)];

pub const LIST_OWN: Set = &[
    ("compiled", Bool),
    ("deps", Bool),
    ("e", Bool),
    ("export", Bool),
    ("f", Value),
    ("find", Bool),
    // jsonFlag: `-json` alone or `-json=Field,…`; `-json Field` names a
    // package Field.
    ("json", BoolOr),
    ("m", Bool),
    ("retracted", Bool),
    ("reuse", Value),
    ("test", Bool),
    ("u", Bool),
    ("versions", Bool),
];

pub const GET_OWN: Set =
    &[("d", Bool), ("f", Bool), ("fix", Bool), ("insecure", Bool), ("m", Bool), ("t", Bool), ("tool", Bool), ("u", BoolOr)];

pub const GENERATE_OWN: Set = &[("run", Value), ("skip", Value)];

/// vet's own flags (`addFlags` and `-fix`).
pub const VET_OWN: Set = &[("c", Value), ("diff", Bool), ("fix", Bool), ("json", Bool), ("vettool", Value)];

/// The flags of the default vet tool (`go tool vet -flags`, Go 1.27.3) that
/// go vet adds: all but `-c`, which go reimplements, and those it defines
/// already (`-diff`, `-json`, `-tags`, `-v`). go asks the tool each time; a
/// `-vettool` has flags of its own, which a table cannot know.
pub const VET_ANALYZERS: Set = &[
    ("V", Bool),
    ("all", Bool),
    ("appends", Bool),
    ("asmdecl", Bool),
    ("assign", Bool),
    ("atomic", Bool),
    ("bool", Bool),
    ("bools", Bool),
    ("buildtag", Bool),
    ("buildtags", Bool),
    ("cgocall", Bool),
    ("composites", Bool),
    ("composites.whitelist", Bool),
    ("compositewhitelist", Bool),
    ("copylocks", Bool),
    ("defers", Bool),
    ("directive", Bool),
    ("errorsas", Bool),
    ("flags", Bool),
    ("framepointer", Bool),
    ("hostport", Bool),
    ("httpresponse", Bool),
    ("ifaceassert", Bool),
    ("loopclosure", Bool),
    ("lostcancel", Bool),
    ("methods", Bool),
    ("nilfunc", Bool),
    ("printf", Bool),
    ("printf.funcs", Value),
    ("printfuncs", Value),
    ("rangeloops", Bool),
    ("shift", Bool),
    ("sigchanyzer", Bool),
    ("slog", Bool),
    ("source", Bool),
    ("stdmethods", Bool),
    ("stdversion", Bool),
    ("stringintconv", Bool),
    ("structtag", Bool),
    ("testinggoroutine", Bool),
    ("testinggoroutine.subtest", Bool),
    ("tests", Bool),
    ("timeformat", Bool),
    ("unmarshal", Bool),
    ("unreachable", Bool),
    ("unsafeptr", Bool),
    ("unusedfuncs", Value),
    ("unusedresult", Bool),
    ("unusedresult.funcs", Value),
    ("unusedresult.stringmethods", Value),
    ("unusedstringmethods", Value),
    ("waitgroup", Bool),
];

/// go test's own flags that stay with the go command.
pub const TEST_OWN: Set = &[("c", Bool), ("exec", Value), ("json", Bool), ("o", Value), ("vet", Value)];

/// Flags go test knows and forwards to the test binary as `-test.NAME=V`
/// (`passFlagToTest`); each is also known as `-test.NAME`.
pub const TEST_BINARY: Set = &[
    ("artifacts", Bool),
    ("bench", Value),
    ("benchmem", Bool),
    ("benchtime", Value),
    ("blockprofile", Value),
    ("blockprofilerate", Value),
    ("count", Value),
    ("coverprofile", Value),
    ("cpu", Value),
    ("cpuprofile", Value),
    ("failfast", Bool),
    ("fullpath", Bool),
    ("fuzz", Value),
    ("fuzzminimizetime", Value),
    ("fuzztime", Value),
    ("list", Value),
    ("memprofile", Value),
    ("memprofilerate", Value),
    ("mutexprofile", Value),
    ("mutexprofilefraction", Value),
    ("outputdir", Value),
    ("parallel", Value),
    ("run", Value),
    ("short", Bool),
    ("shuffle", Value),
    ("skip", Value),
    ("timeout", Value),
    ("trace", Value),
    // testVFlag: `-v=test2json` too.
    ("v", BoolOr),
];

/// The flag sets of each subcommand rtool reads, as unions of the above.
pub fn sets(sub: &str) -> Option<&'static [Set]> {
    Some(match sub {
        "build" => &[BUILD, V, JSON, MOD, COVER, BUILD_OWN],
        "install" => &[BUILD, V, JSON, MOD, COVER],
        "run" => &[BUILD, V, JSON, MOD, COVER, RUN_OWN],
        "list" => &[BUILD, V, MOD, COVER, LIST_OWN],
        "get" => &[BUILD, V, JSON, GET_OWN],
        "generate" => &[BUILD, V, MOD, GENERATE_OWN],
        "vet" => &[BUILD, V, MOD, VET_OWN, VET_ANALYZERS],
        "test" => &[BUILD, MOD, COVER, TEST_OWN, TEST_BINARY],
        _ => return None,
    })
}

/// go vet's flags when a `-vettool` is given: the tool's own are unknown.
pub const VET_WITH_TOOL: &[Set] = &[BUILD, V, MOD, VET_OWN];

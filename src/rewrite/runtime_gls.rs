//! The goroutine-local-storage patch of package runtime. Five same-line
//! edits (six on Go 1.22) and one new file, so every runtime line keeps
//! its number:
//!
//! - `runtime2.go`: `; rtgls unsafe.Pointer` after the last field of
//!   `type g struct` (found, not named: it changed in Go 1.25);
//! - `proc.go`, func newproc1: `; rtgls_inherit(newg, callergp)` on the line
//!   `newg.labels = mp.curg.labels`, so only user goroutines inherit (the
//!   runtime's own rule for pprof labels);
//! - `proc.go`, func gdestroy: `; gp.rtgls = nil` on `gp.labels = nil`, so a
//!   dead goroutine's value can be collected;
//! - `panic.go`, func gopanic: `rtgls_panicking(); ` ahead of
//!   `preprintpanics(&p)`, reached once every deferred call has run and
//!   none recovered: the panic will kill the program, and Go code can still
//!   run (a panic that is recovered never gets there, so costs nothing);
//! - `rtool_gls.go`: the accessors, exported by push linknames (Go 1.23+
//!   refuses pulls of runtime symbols the runtime did not push), an
//!   exit-hook registration in the shape of the release (1.22
//!   `addExitHook`, 1.23+ `internal/runtime/exithook`), the fatal-panic
//!   hook's registration, and what keeps an instrumented program's behaviour its own: the panic
//!   in flight seen without recovering it (`rtgls_unwinding`), system
//!   goroutines for the exporter (`rtgls_go`), the final export with user
//!   goroutines unscheduled (`rtgls_exclusive`), `runtime.main` waiting
//!   for a fatal panic being exported, cgo's extra M counted as without
//!   cgo when only rtool's packages brought runtime/cgo (`rtgls_cgoadded`);
//! - `proc.go`, func checkdead: `(!iscgo || rtgls_cgoadded != "")` for
//!   `!iscgo`, so that a deadlock is still reported then;
//! - Go 1.22 only, `exithook.go`, func runExitHooks: `&& rtgls_exitcollide()`
//!   in `if exitHooks.runningExitHooks {`, so that a second goroutine's
//!   exit during the hooks waits (as from 1.23) instead of throwing.
//!
//! Anchors are found in the runtime's own source; any anchor missing or
//! found twice is an error naming it: an unknown runtime fails the build,
//! it is never miscompiled.
//!
//! `rtgls` points at a frame of the support library whose first word is its
//! owner (the address of the g that may write it; bit 0 set while the frame
//! holds nothing). Starting a goroutine zeroes that word and hands the
//! frame to the child (an empty frame stays with the parent): from then on
//! the frame is read-only for both, and whichever writes first copies it.
//! So a child never shares mutable state with its parent, and the clone
//! costs nothing at `go` statements.

use super::edit::{self, Edit, Order, Piece};
use super::{ChangedFile, NewFile, SourceFile};
use crate::error::{Error, ErrorAt, Result};
use std::path::Path;

/// The base name of the file the patch adds to package runtime.
pub const ADDED_FILE: &str = "rtool_gls.go";

/// The added file, with the imports and exit-hook call of the release
/// filled in (EXITHOOK_IMPORT, EXITHOOK_CALL).
const ACCESSORS: &str = include_str!("runtime_gls.go.tmpl");

/// The patched runtime: the three edited files (four in Go 1.22:
/// exithook.go), and the added file.
#[derive(Debug)]
pub struct Patched {
    pub changed: Vec<ChangedFile>,
    pub added: NewFile,
}

/// Patches package runtime, given all its Go files (`current[i]` is the
/// text of `files[i]` as it stands, possibly already rewritten by aspects).
pub fn patch(files: &[SourceFile], current: &[&[u8]]) -> Result<Patched> {
    let find = |base: &str| {
        files.iter().position(|f| Path::new(&f.path).file_name().is_some_and(|n| n == base)).ok_or_else(|| {
            unknown(&files.first().map_or(String::new(), |f| f.path.clone()), 1, &format!("no file {base} in package runtime"))
        })
    };
    let (r2, proc, panic) = (find("runtime2.go")?, find("proc.go")?, find("panic.go")?);
    let (r2_path, proc_path, panic_path) = (&files[r2].path, &files[proc].path, &files[panic].path);
    let (r2_src, proc_src, panic_src) = (current[r2], current[proc], current[panic]);

    if !contains(r2_src, b"\"unsafe\"") {
        return Err(unknown(r2_path, 1, "runtime2.go does not import unsafe"));
    }
    let field_at = last_field_end(r2_src).map_err(|(line, msg)| unknown(r2_path, line, &msg))?;
    let inherit_at =
        anchor_end(proc_src, "newg.labels = mp.curg.labels", "newproc1").map_err(|(line, msg)| unknown(proc_path, line, &msg))?;
    if !newproc1_has_callergp(proc_src) {
        return Err(unknown(proc_path, 1, "func newproc1 has no parameter `callergp *g`"));
    }
    let clear_at = anchor_end(proc_src, "gp.labels = nil", "gdestroy").map_err(|(line, msg)| unknown(proc_path, line, &msg))?;
    const EXTRA_M: &str = "if !iscgo && cgoHasExtraM && extraMLength.Load() > 0 {";
    let extra_m_at =
        anchor_end(proc_src, EXTRA_M, "checkdead").map_err(|(line, msg)| unknown(proc_path, line, &msg))? - EXTRA_M.len() + "if ".len();
    const PREPRINT: &str = "preprintpanics(&p)";
    let fatal_at = anchor_end(panic_src, PREPRINT, "gopanic").map_err(|(line, msg)| unknown(panic_path, line, &msg))? - PREPRINT.len();

    let mut changed = Vec::new();
    let (import, call) = if current.iter().any(|s| contains(s, b"\"internal/runtime/exithook\"")) {
        ("\"internal/runtime/exithook\"", "exithook.Add(exithook.Hook{F: f, RunOnFailure: true})")
    } else if current.iter().any(|s| contains(s, b"func addExitHook(f func(), runOnNonZeroExit bool)")) {
        // Go 1.22: a second goroutine's exit during the hooks waits (see
        // rtgls_exitcollide) instead of throwing.
        let hooks = find("exithook.go")?;
        let (path, src) = (&files[hooks].path, current[hooks]);
        const CHECK: &str = "if exitHooks.runningExitHooks {";
        let at = anchor_end(src, CHECK, "runExitHooks").map_err(|(line, msg)| unknown(path, line, &msg))? - " {".len();
        changed.push(ChangedFile { index: hooks, text: insert(src, path, &[(at, " && rtgls_exitcollide()")])? });
        ("", "addExitHook(f, true)")
    } else {
        return Err(unknown(proc_path, 1, "found neither internal/runtime/exithook nor addExitHook"));
    };
    let accessors = ACCESSORS.replace("EXITHOOK_IMPORT", import).replace("EXITHOOK_CALL", call);

    changed.splice(
        0..0,
        [
            ChangedFile { index: r2, text: insert(r2_src, r2_path, &[(field_at, "; rtgls unsafe.Pointer")])? },
            ChangedFile {
                index: proc,
                text: insert(
                    proc_src,
                    proc_path,
                    &[
                        (inherit_at, "; rtgls_inherit(newg, callergp)"),
                        (clear_at, "; gp.rtgls = nil"),
                        (extra_m_at, "("),
                        (extra_m_at + "!iscgo".len(), " || rtgls_cgoadded != \"\")"),
                    ],
                )?,
            },
            ChangedFile { index: panic, text: insert(panic_src, panic_path, &[(fatal_at, "rtgls_panicking(); ")])? },
        ],
    );
    Ok(Patched { changed, added: NewFile { name: ADDED_FILE.to_string(), text: accessors.into_bytes() } })
}

fn unknown(path: &str, line: usize, what: &str) -> Error {
    let msg = format!("rtool's goroutine-local storage does not know this runtime's shape: {what}");
    ErrorAt::new(path, line, 1, msg)
        .hint("the patch is needed by aspects that use rtool.invalid/support; RTOOL_DISABLE=all and no such aspect builds without it")
        .into()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn line_of(src: &[u8], off: usize) -> usize {
    memchr::memchr_iter(b'\n', &src[..off]).count() + 1
}

/// Inserts texts at offsets, all on existing lines (`edit::apply_in_line`).
fn insert(src: &[u8], path: &str, at: &[(usize, &str)]) -> Result<Vec<u8>> {
    let edits = at.iter().map(|(off, text)| Edit::insert(*off, Order::Plain, vec![Piece::plain(*text)])).collect();
    edit::apply_in_line(src, edits, path)
}

/// The lines of `src` as (start offset, text without the newline).
fn lines(src: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= src.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &src[start..]).map_or(src.len(), |i| start + i);
        let item = (start, &src[start..end]);
        start = end + 1;
        Some(item)
    })
}

/// Where the code of a line ends: before a trailing `//` comment and the
/// spaces ahead of it (no string literal on the lines this is used on has
/// `//` in it).
fn code_end(line: &[u8]) -> usize {
    let cut = memchr::memmem::find(line, b"//").unwrap_or(line.len());
    line[..cut].iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1)
}

const NO_LAST_FIELD: &str = "cannot find the last field of type g struct (expected `\\tname type` on the last line before `}`)";

/// The offset just after the type of the last field of `type g struct`.
fn last_field_end(src: &[u8]) -> std::result::Result<usize, (usize, String)> {
    let starts: Vec<usize> = lines(src).filter(|(_, l)| *l == b"type g struct {").map(|(o, _)| o).collect();
    let [start] = starts[..] else { return Err((1, format!("`type g struct {{` found {} times, expected once", starts.len()))) };
    let mut last = None;
    for (off, l) in lines(&src[start..]).skip(1) {
        let trimmed = l.trim_ascii();
        if l == b"}" {
            return match last {
                Some((o, l)) => Ok(start + o + code_end(l)),
                None => Err((line_of(src, start), NO_LAST_FIELD.into())),
            };
        }
        if trimmed.is_empty() || trimmed.starts_with(b"//") {
            continue;
        }
        if l.starts_with(b"}") || !l.starts_with(b"\t") {
            break;
        }
        // A field line: `\tname type`, nothing opening a nested block.
        let code = &l[..code_end(l)];
        let is_field = code.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()).count() >= 2
            && code[1..].first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && !code.ends_with(b"{")
            && !code.ends_with(b"(");
        last = is_field.then_some((off, l));
    }
    Err((line_of(src, start), NO_LAST_FIELD.into()))
}

/// The end of the statement `anchor` (a whole line but for indentation and
/// a trailing comment), which must occur exactly once, inside `func NAME(`.
fn anchor_end(src: &[u8], anchor: &str, func: &str) -> std::result::Result<usize, (usize, String)> {
    let hits: Vec<(usize, &[u8])> = lines(src).filter(|(_, l)| l[..code_end(l)].trim_ascii_start() == anchor.as_bytes()).collect();
    let [(off, line)] = hits[..] else { return Err((1, format!("`{anchor}` found {} times, expected once", hits.len()))) };
    let enclosing = lines(&src[..off]).filter(|(_, l)| l.starts_with(b"func ")).last().map(|(_, l)| l);
    let want = format!("func {func}(");
    if !enclosing.is_some_and(|l| l.starts_with(want.as_bytes())) {
        return Err((line_of(src, off), format!("`{anchor}` is not in func {func}")));
    }
    Ok(off + code_end(line))
}

fn newproc1_has_callergp(src: &[u8]) -> bool {
    lines(src).any(|(_, l)| l.starts_with(b"func newproc1(") && contains(l, b"callergp *g"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNTIME2: &str = "package runtime\n\nimport \"unsafe\"\n\ntype g struct {\n\tstack stack // offset known\n\tm *m\n\n\t// A comment.\n\tvalgrindStackID uintptr // trailing\n}\n\ntype m struct {\n\tg0 *g\n}\n";
    const PROC: &str = "package runtime\n\nimport \"internal/runtime/exithook\"\n\nimport (\n\t\"internal/runtime/atomic\"\n)\n\nfunc malg() *g {\n\tnewg := new(g)\n\treturn newg\n}\n\nfunc newproc1(fn *funcval, callergp *g, callerpc uintptr) *g {\n\tif true {\n\t\tnewg.labels = mp.curg.labels\n\t}\n\treturn newg\n}\n\nfunc gdestroy(gp *g) {\n\tgp.labels = nil\n\tgp.timer = nil\n}\n\nfunc checkdead() {\n\tvar run0 int32\n\tif !iscgo && cgoHasExtraM && extraMLength.Load() > 0 {\n\t\trun0 = 1\n\t}\n}\n";

    const PANIC: &str = "package runtime\n\nfunc preprintpanics(p *_panic) {\n}\n\nfunc gopanic(e any) {\n\tvar p _panic\n\t// ran out of deferred calls\n\tpreprintpanics(&p)\n\n\tfatalpanic(&p)   // should not return\n}\n";

    fn files(r2: &str, proc: &str) -> (Vec<SourceFile>, Vec<Vec<u8>>) {
        files3(r2, proc, PANIC)
    }

    fn files3(r2: &str, proc: &str, panic: &str) -> (Vec<SourceFile>, Vec<Vec<u8>>) {
        let f = vec![
            SourceFile { path: "/go/src/runtime/runtime2.go".into(), src: r2.as_bytes().to_vec() },
            SourceFile { path: "/go/src/runtime/proc.go".into(), src: proc.as_bytes().to_vec() },
            SourceFile { path: "/go/src/runtime/panic.go".into(), src: panic.as_bytes().to_vec() },
        ];
        let cur = f.iter().map(|f| f.src.clone()).collect();
        (f, cur)
    }

    fn run(r2: &str, proc: &str) -> Result<Patched> {
        run3(r2, proc, PANIC)
    }

    fn run3(r2: &str, proc: &str, panic: &str) -> Result<Patched> {
        let (f, cur) = files3(r2, proc, panic);
        let refs: Vec<&[u8]> = cur.iter().map(|c| c.as_slice()).collect();
        patch(&f, &refs)
    }

    #[test]
    fn edits_stay_on_their_lines() {
        let p = run(RUNTIME2, PROC).unwrap();
        let r2 = String::from_utf8(p.changed[0].text.clone()).unwrap();
        assert!(r2.starts_with("//line /go/src/runtime/runtime2.go:1:1\n"));
        assert!(r2.contains("\n\tvalgrindStackID uintptr; rtgls unsafe.Pointer // trailing\n}\n"), "{r2}");
        assert_eq!(r2.lines().count(), RUNTIME2.lines().count() + 1);
        let proc = String::from_utf8(p.changed[1].text.clone()).unwrap();
        assert!(proc.contains("\t\tnewg.labels = mp.curg.labels; rtgls_inherit(newg, callergp)\n"), "{proc}");
        assert!(proc.contains("\tgp.labels = nil; gp.rtgls = nil\n\tgp.timer = nil\n"), "{proc}");
        assert!(proc.contains("\n\tif (!iscgo || rtgls_cgoadded != \"\") && cgoHasExtraM && extraMLength.Load() > 0 {\n"), "{proc}");
        assert_eq!(proc.lines().count(), PROC.lines().count() + 1);
        let panic = String::from_utf8(p.changed[2].text.clone()).unwrap();
        assert!(panic.starts_with("//line /go/src/runtime/panic.go:1:1\n"));
        assert!(panic.contains("\n\t// ran out of deferred calls\n\trtgls_panicking(); preprintpanics(&p)\n\n\tfatalpanic"), "{panic}");
        assert_eq!(panic.lines().count(), PANIC.lines().count() + 1);
        let added = String::from_utf8(p.added.text).unwrap();
        assert!(added.contains("func rtgls_panicking() {") && added.contains("func rtgls_setpanichook(f func())"));
        assert!(added.contains("exithook.Add(exithook.Hook{F: f, RunOnFailure: true})"));
        assert!(added.contains("\t\"internal/runtime/exithook\"\n"));
    }

    #[test]
    fn go122_exit_hooks() {
        let proc = PROC.replace("import \"internal/runtime/exithook\"", "func addExitHook(f func(), runOnNonZeroExit bool) {}");
        const HOOKS: &str = "package runtime\n\nfunc runExitHooks(exitCode int) {\n\tif exitHooks.runningExitHooks {\n\t\tthrow(\"internal error: exit hook invoked exit\")\n\t}\n}\n";
        let (mut f, mut cur) = files(RUNTIME2, &proc);
        f.push(SourceFile { path: "/go/src/runtime/exithook.go".into(), src: HOOKS.as_bytes().to_vec() });
        cur.push(HOOKS.as_bytes().to_vec());
        let refs: Vec<&[u8]> = cur.iter().map(|c| c.as_slice()).collect();
        let p = patch(&f, &refs).unwrap();
        let added = String::from_utf8(p.added.text).unwrap();
        assert!(added.contains("\tf = rtgls_exithook\n\taddExitHook(f, true)\n"), "{added}");
        assert!(!added.contains("exithook\""));
        assert_eq!(p.changed[3].index, 3);
        let hooks = String::from_utf8(p.changed[3].text.clone()).unwrap();
        assert!(hooks.contains("\n\tif exitHooks.runningExitHooks && rtgls_exitcollide() {\n\t\tthrow("), "{hooks}");
        assert_eq!(hooks.lines().count(), HOOKS.lines().count() + 1);
        // Without exithook.go's check, the shape is unknown.
        cur[3] = HOOKS.replace("if exitHooks.runningExitHooks {", "if running {").into_bytes();
        let refs: Vec<&[u8]> = cur.iter().map(|c| c.as_slice()).collect();
        let e = patch(&f, &refs).unwrap_err().to_string();
        assert!(e.contains("exithook.go:1:1") && e.contains("found 0 times"), "{e}");
    }

    #[test]
    fn unknown_shapes_fail_with_the_place() {
        let cases = [
            (RUNTIME2.replace("type g struct {", "type g struct{"), PROC.to_string(), "runtime2.go:1:1", "`type g struct {` found 0 times"),
            (
                RUNTIME2.replace("\tvalgrindStackID uintptr // trailing\n", "\tx struct {\n\t\ty int\n\t}\n"),
                PROC.to_string(),
                "runtime2.go:5:1",
                "last field",
            ),
            (RUNTIME2.to_string(), PROC.replace("newg.labels = mp.curg.labels", "newg.labels = nil"), "proc.go:1:1", "found 0 times"),
            (RUNTIME2.to_string(), PROC.replace("\tgp.timer = nil", "\tgp.labels = nil"), "proc.go:1:1", "found 2 times"),
            (RUNTIME2.to_string(), PROC.replace("func gdestroy", "func gfput"), "proc.go:22:1", "not in func gdestroy"),
            (RUNTIME2.to_string(), PROC.replace("callergp *g", "parent *g"), "proc.go:1:1", "callergp"),
            (RUNTIME2.to_string(), PROC.replace("if !iscgo && cgoHasExtraM", "if !iscgo && hasExtraM"), "proc.go:1:1", "cgoHasExtraM"),
            (RUNTIME2.to_string(), PROC.replace("internal/runtime/exithook", "internal/x"), "proc.go:1:1", "exithook"),
            (RUNTIME2.replace("import \"unsafe\"", ""), PROC.to_string(), "runtime2.go:1:1", "unsafe"),
        ];
        for (r2, proc, at, what) in cases {
            let e = run(&r2, &proc).unwrap_err().to_string();
            assert!(e.contains(at) && e.contains(what) && e.contains("does not know this runtime's shape"), "{at} {what}: {e}");
        }
        let panics = [
            (PANIC.replace("\tpreprintpanics(&p)\n", "\tprintpanics(&p)\n"), "panic.go:1:1", "`preprintpanics(&p)` found 0 times"),
            (PANIC.replace("\n\tfatalpanic", "\n\tpreprintpanics(&p)\n\tfatalpanic"), "panic.go:1:1", "found 2 times"),
            (PANIC.replace("func gopanic(", "func gopanic2("), "panic.go:9:1", "not in func gopanic"),
        ];
        for (panic, at, what) in panics {
            let e = run3(RUNTIME2, PROC, &panic).unwrap_err().to_string();
            assert!(e.contains(at) && e.contains(what) && e.contains("does not know this runtime's shape"), "{at} {what}: {e}");
        }
        let (mut f, cur) = files(RUNTIME2, PROC);
        f[2].path = "/go/src/runtime/panic_other.go".into();
        let refs: Vec<&[u8]> = cur.iter().map(|c| c.as_slice()).collect();
        let e = patch(&f, &refs).unwrap_err().to_string();
        assert!(e.contains("no file panic.go in package runtime"), "{e}");
    }

    /// Other Go releases' runtimes, where a test run points at them:
    /// TEST_OTHER_GOROOTS=DIR:DIR… (each a GOROOT).
    #[test]
    fn other_releases_have_a_known_shape() {
        for root in std::env::var("TEST_OTHER_GOROOTS").unwrap_or_default().split(':').filter(|r| !r.is_empty()) {
            let p = patch_goroot(std::path::Path::new(root)).unwrap_or_else(|e| panic!("{root}: {e}"));
            assert!((3..=4).contains(&p.changed.len()), "{root}");
        }
    }

    fn patch_goroot(root: &std::path::Path) -> Result<Patched> {
        let dir = root.join("src/runtime");
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("reading", &dir, e))?;
        let files: Vec<SourceFile> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "go") && !p.to_string_lossy().ends_with("_test.go"))
            .map(|p| SourceFile { src: std::fs::read(&p).unwrap(), path: p.to_string_lossy().into_owned() })
            .collect();
        let cur: Vec<&[u8]> = files.iter().map(|f| f.src.as_slice()).collect();
        patch(&files, &cur)
    }

    #[test]
    fn the_installed_runtime_has_a_known_shape() {
        // The Go on PATH (skipped without one; scripts/test requires it).
        let Ok(out) = std::process::Command::new("go").args(["env", "GOROOT"]).output() else { return };
        let root = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if !root.join("src/runtime").is_dir() {
            return;
        }
        let p = patch_goroot(&root).unwrap();
        assert!((3..=4).contains(&p.changed.len()));
    }
}

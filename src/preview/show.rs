//! How `rtool diff` prints a build's changes: a `# ` line naming each
//! compile or link (text `patch` and `git apply` skip), unified diffs of
//! rewritten files against the originals, added files as diffs from
//! /dev/null. Files under the working directory are named relative to it,
//! others by their absolute path (`a/usr/local/go/src/…`).

use crate::changes::Changes;
use crate::rewrite::ChangedFile;
use crate::unidiff;
use std::path::Path;

/// A compile's changes; "" when rtool leaves its files and imports alone.
pub fn compile(cwd: &Path, dir: &Path, ch: &Changes) -> String {
    let mut text = String::new();
    let mut changed: Vec<&ChangedFile> = ch.result.changed.iter().collect();
    changed.sort_by_key(|c| c.index); // the files' order, not the edits'
    for c in changed {
        let src = &ch.sources[c.index];
        let old = String::from_utf8_lossy(&src.src);
        text.push_str(&unidiff::unified(&name(cwd, "a", &src.path), &name(cwd, "b", &src.path), &old, &String::from_utf8_lossy(&c.text)));
    }
    for f in &ch.result.added {
        let path = dir.join(&f.name).to_string_lossy().into_owned();
        text.push_str(&unidiff::unified("/dev/null", &name(cwd, "b", &path), "", &String::from_utf8_lossy(&f.text)));
    }
    if text.is_empty() && ch.needed.is_empty() {
        return text;
    }
    let mut head = format!("# {}\n", ch.pkg.path);
    if !ch.needed.is_empty() {
        head.push_str(&format!("# imports added: {}\n", ch.needed.join(" ")));
    }
    head + &text
}

/// A package of rtool's support library: its file names, or (`full`) its
/// files as new files.
pub fn support(path: &str, files: &[(&str, &str)], full: bool) -> String {
    let lines: usize = files.iter().map(|(_, s)| s.lines().count()).sum();
    let mut text = format!("# {path} (rtool's support library, {} files, {lines} lines)\n", files.len());
    if full {
        for (file, src) in files {
            text.push_str(&unidiff::unified("/dev/null", &format!("b/{path}/{file}"), "", src));
        }
    } else {
        let names: Vec<&str> = files.iter().map(|(f, _)| *f).collect();
        text.push_str(&format!("# files: {}\n", names.join(" ")));
    }
    text
}

/// The packages a link adds to what the build compiled for command `main`.
pub fn link(main: &str, added: &[String]) -> String {
    format!("# link {main}\n# packages added: {}\n", added.join(" "))
}

/// `a/lib/lib.go` for a file under `cwd`, `a/usr/local/go/src/…` for others.
fn name(cwd: &Path, side: &str, path: &str) -> String {
    match Path::new(path).strip_prefix(cwd) {
        Ok(rel) => format!("{side}/{}", rel.to_string_lossy()),
        Err(_) => format!("{side}/{}", path.trim_start_matches('/')),
    }
}

//! Edits as data: byte-range replacements of one source file, applied once.
//! Overlapping edits are a bug in the planner and reported as an error. In
//! compile mode every inserted piece of aspect code is preceded by a
//! `/*line*/` directive naming its place in the aspect file, and every edit
//! is followed by one restoring the original position of the next byte, so
//! that original tokens keep their file:line:col whatever was inserted.

use super::lines::{Pos, PosMap};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub pieces: Vec<Piece>,
    /// Among insertions at one offset, lower goes first.
    pub prio: i64,
}

#[derive(Debug, Clone)]
pub struct Piece {
    pub text: String,
    /// Where the text comes from (an aspect file), if anywhere. Such text
    /// starts on a line of its own in compile mode, after a `//line`
    /// comment: raw lines stay short (the compiler counts raw columns only
    /// up to 255), the text keeps its own line breaks and columns, and
    /// `//go:` directives in it stay at the start of a line. So the planner
    /// gives a position only where a line break is harmless (after `{`, at
    /// the end of the file).
    pub pos: Option<Pos>,
}

impl Piece {
    /// Aspect code from `pos` in its aspect file.
    pub fn code(text: impl Into<String>, pos: Pos) -> Piece {
        Piece { text: text.into(), pos: Some(pos) }
    }

    pub fn plain(text: impl Into<String>) -> Piece {
        Piece { text: text.into(), pos: None }
    }
}

impl Edit {
    pub fn insert(at: usize, prio: i64, pieces: Vec<Piece>) -> Edit {
        Edit { start: at, end: at, pieces, prio }
    }

    pub fn replace(start: usize, end: usize, pieces: Vec<Piece>) -> Edit {
        Edit { start, end, pieces, prio: 0 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// For the compiler: with position directives.
    Compile,
    /// For people (`rtool diff`): the edits alone.
    Display,
}

pub fn apply(src: &[u8], mut edits: Vec<Edit>, map: &PosMap, header_file: &str, mode: Mode) -> Result<Vec<u8>> {
    edits.sort_by_key(|e| (e.start, e.end > e.start, e.prio));
    for w in edits.windows(2) {
        if w[1].start < w[0].end {
            return Err(Error::failed(format!(
                "internal error: overlapping edits at bytes {}..{} and {}..{}",
                w[0].start, w[0].end, w[1].start, w[1].end
            )));
        }
    }
    let mut out = Vec::with_capacity(src.len() + edits.len() * 64);
    if mode == Mode::Compile {
        out.extend_from_slice(format!("//line {header_file}:1:1\n").as_bytes());
    }
    let mut last = 0;
    for e in &edits {
        push(&mut out, &src[last..e.start]);
        let mut switched = false;
        for p in &e.pieces {
            if let (Mode::Compile, Some(pos)) = (mode, &p.pos) {
                if !out.ends_with(b"\n") {
                    out.push(b'\n');
                }
                out.extend_from_slice(pos.line_directive().as_bytes());
                switched = true;
            }
            push(&mut out, p.text.as_bytes());
        }
        if mode == Mode::Compile && e.end < src.len() {
            // Without a switch of file, the short form keeps lines short.
            let pos = map.pos(e.end);
            let same_file = !switched && map.pos(e.start).file == pos.file;
            push(&mut out, if same_file { pos.short_directive() } else { pos.directive() }.as_bytes());
        }
        last = e.end;
    }
    push(&mut out, &src[last..]);
    Ok(out)
}

/// Appends `bytes`, keeping a `/` that ends the output and a `/` or `*`
/// that starts `bytes` from forming a comment (`84/` + `/*line…*/`).
fn push(out: &mut Vec<u8>, bytes: &[u8]) {
    if out.ends_with(b"/") && matches!(bytes.first(), Some(b'/' | b'*')) {
        out.push(b' ');
    }
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_order_and_restores_positions() {
        let src = b"package p\nfunc f() { g() }\n";
        let map = PosMap::new(src, "/s/p.go");
        let brace = 19;
        let aspect = Pos { file: "/a/x.go".into(), line: 7, col: Some(2) };
        let edits = vec![Edit::insert(brace + 1, 0, vec![Piece::code("h();", aspect)]), Edit::replace(21, 22, vec![Piece::plain("k")])];
        let out = String::from_utf8(apply(src, edits.clone(), &map, "/s/p.go", Mode::Compile).unwrap()).unwrap();
        assert_eq!(out, "//line /s/p.go:1:1\npackage p\nfunc f() {\n//line /a/x.go:7:2\nh();/*line /s/p.go:2:11*/ k/*line :2:13*/() }\n");
        let shown = String::from_utf8(apply(src, edits, &map, "/s/p.go", Mode::Display).unwrap()).unwrap();
        assert_eq!(shown, "package p\nfunc f() {h(); k() }\n");
    }

    #[test]
    fn never_glues_a_comment() {
        let src = b"x := 84/f(2)\n";
        let map = PosMap::new(src, "/s/p.go");
        let edits = vec![Edit::insert(8, 0, vec![Piece::plain("w(")]), Edit::insert(12, 0, vec![Piece::plain(")")])];
        let out = String::from_utf8(apply(src, edits, &map, "/s/p.go", Mode::Compile).unwrap()).unwrap();
        assert_eq!(out, "//line /s/p.go:1:1\nx := 84/w(/*line :1:9*/f(2))/*line :1:13*/\n");
        let edits = vec![Edit::insert(8, 0, vec![Piece::plain("*p / ")]), Edit::insert(8, 1, vec![Piece::plain("/")])];
        let out = String::from_utf8(apply(src, edits, &map, "/s/p.go", Mode::Display).unwrap()).unwrap();
        assert_eq!(out, "x := 84/ *p / /f(2)\n");
    }

    #[test]
    fn overlap_is_an_error() {
        let src = b"abcdef";
        let map = PosMap::new(src, "f");
        let edits = vec![Edit::replace(1, 4, vec![]), Edit::replace(3, 5, vec![])];
        assert!(apply(src, edits, &map, "f", Mode::Display).is_err());
        // Insertions at one offset are ordered by priority, before a replacement there.
        let edits = vec![
            Edit::replace(2, 3, vec![Piece::plain("C")]),
            Edit::insert(2, 1, vec![Piece::plain("2")]),
            Edit::insert(2, 0, vec![Piece::plain("1")]),
        ];
        assert_eq!(apply(src, edits, &map, "f", Mode::Display).unwrap(), b"ab12Cdef");
    }
}

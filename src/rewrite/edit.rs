//! Edits as data: byte-range replacements of one source file, applied once.
//! Two edits that overlap are a conflict between the aspects that made
//! them, reported at the user's position with both aspects named. In
//! compile mode every inserted piece of aspect code is preceded by a
//! `/*line*/` directive naming its place in the aspect file, and every edit
//! is followed by one restoring the original position of the next byte, so
//! that original tokens keep their file:line:col whatever was inserted.

use super::lines::{Pos, PosMap};
use crate::error::{ErrorAt, Result};
use std::cmp::Reverse;

#[derive(Debug, Clone)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub pieces: Vec<Piece>,
    /// Where an insertion goes among insertions at the same offset.
    pub order: Order,
    /// The aspect that asked for the edit, for conflicts.
    pub origin: Option<String>,
}

/// The order of insertions at one offset, lowest first (derived `Ord`:
/// variant, then fields). At one offset, all insertions come before a
/// replacement that starts there.
///
/// - A wrap opens before everything else that starts there, enclosing
///   nodes first (`Open`, larger spans first), and closes after everything
///   that ends there, inner nodes first (`Close`, smaller spans first): so
///   wraps of a call that is a literal's field nest inside the literal's.
///   All wrap layers of one node are one insertion on each side.
/// - Statements, arguments, names and imports (`Plain`) keep the order the
///   planner made them in.
/// - At the end of the file: declarations injected by aspects, in their
///   order of definition (`Injected`), then the helper that copies a
///   variadic argument (`ClipHelper`), then references that keep an import
///   used after a replaced callee was its only use (`KeepAlive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    Open(Reverse<usize>),
    Plain,
    Close(usize),
    Injected(usize),
    ClipHelper,
    KeepAlive,
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
    /// The text stays on the line it is inserted in, after an inline
    /// `/*line*/` directive: for a few tokens inside an expression, where a
    /// line break could end a statement (`return` + newline).
    pub inline: bool,
}

impl Piece {
    /// Aspect code from `pos` in its aspect file.
    pub fn code(text: impl Into<String>, pos: Pos) -> Piece {
        Piece { text: text.into(), pos: Some(pos), inline: false }
    }

    /// A few tokens from `pos` in an aspect file, on the current line.
    pub fn inline(text: impl Into<String>, pos: Pos) -> Piece {
        Piece { text: text.into(), pos: Some(pos), inline: true }
    }

    pub fn plain(text: impl Into<String>) -> Piece {
        Piece { text: text.into(), pos: None, inline: false }
    }
}

impl Edit {
    pub fn insert(at: usize, order: Order, pieces: Vec<Piece>) -> Edit {
        Edit { start: at, end: at, pieces, order, origin: None }
    }

    pub fn replace(start: usize, end: usize, pieces: Vec<Piece>) -> Edit {
        Edit { start, end, pieces, order: Order::Plain, origin: None }
    }

    /// The same edit, made for aspect `id`.
    pub fn by(mut self, id: &str) -> Edit {
        self.origin = Some(id.to_string());
        self
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
    edits.sort_by_key(|e| (e.start, e.end > e.start, e.order));
    for w in edits.windows(2) {
        // Two replacements of one range conflict as well as overlapping ones.
        let same_range = w[0].start == w[1].start && w[0].end == w[1].end && w[0].end > w[0].start;
        if w[1].start < w[0].end || same_range {
            let pos = map.pos(w[1].start);
            let who = |e: &Edit| e.origin.as_deref().map_or("rtool itself".to_string(), |id| format!("aspect {id}"));
            let (a, b) = (who(&w[0]), who(&w[1]));
            let whom = if a == b { format!("{a} twice") } else { format!("{a} and {b}") };
            let msg = format!("conflicting changes to this code by {whom}");
            return Err(ErrorAt::new(&pos.file, pos.line, pos.col.unwrap_or(1), msg).into());
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
                if p.inline {
                    push(&mut out, pos.directive().as_bytes());
                } else {
                    if !out.ends_with(b"\n") {
                        out.push(b'\n');
                    }
                    out.extend_from_slice(pos.line_directive().as_bytes());
                }
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

/// Applies insertions that add no line break (the runtime patch): no
/// position directives are needed, only a `//line` header naming the
/// original file where the text has none yet, so positions stay the file's
/// own.
pub fn apply_in_line(src: &[u8], edits: Vec<Edit>, path: &str) -> Result<Vec<u8>> {
    let body = apply(src, edits, &PosMap::new(src, path), path, Mode::Display)?;
    if src.starts_with(b"//line ") {
        return Ok(body);
    }
    let mut out = format!("//line {path}:1:1\n").into_bytes();
    out.extend_from_slice(&body);
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
        let edits =
            vec![Edit::insert(brace + 1, Order::Plain, vec![Piece::code("h();", aspect)]), Edit::replace(21, 22, vec![Piece::plain("k")])];
        let out = String::from_utf8(apply(src, edits.clone(), &map, "/s/p.go", Mode::Compile).unwrap()).unwrap();
        assert_eq!(out, "//line /s/p.go:1:1\npackage p\nfunc f() {\n//line /a/x.go:7:2\nh();/*line /s/p.go:2:11*/ k/*line :2:13*/() }\n");
        let shown = String::from_utf8(apply(src, edits, &map, "/s/p.go", Mode::Display).unwrap()).unwrap();
        assert_eq!(shown, "package p\nfunc f() {h(); k() }\n");
    }

    #[test]
    fn never_glues_a_comment() {
        let src = b"x := 84/f(2)\n";
        let map = PosMap::new(src, "/s/p.go");
        let edits = vec![Edit::insert(8, Order::Plain, vec![Piece::plain("w(")]), Edit::insert(12, Order::Plain, vec![Piece::plain(")")])];
        let out = String::from_utf8(apply(src, edits, &map, "/s/p.go", Mode::Compile).unwrap()).unwrap();
        assert_eq!(out, "//line /s/p.go:1:1\nx := 84/w(/*line :1:9*/f(2))/*line :1:13*/\n");
        let edits =
            vec![Edit::insert(8, Order::Plain, vec![Piece::plain("*p / ")]), Edit::insert(8, Order::Close(1), vec![Piece::plain("/")])];
        let out = String::from_utf8(apply(src, edits, &map, "/s/p.go", Mode::Display).unwrap()).unwrap();
        assert_eq!(out, "x := 84/ *p / /f(2)\n");
    }

    #[test]
    fn conflicts_name_both_aspects() {
        let src = b"abc\ndef";
        let map = PosMap::new(src, "f.go");
        let edits = vec![Edit::replace(1, 4, vec![]).by("x"), Edit::replace(3, 5, vec![]).by("y")];
        let err = apply(src, edits, &map, "f.go", Mode::Display).unwrap_err().to_string();
        assert_eq!(err, "f.go:1:4: conflicting changes to this code by aspect x and aspect y");
        let edits = vec![Edit::replace(4, 5, vec![]).by("x"), Edit::replace(4, 5, vec![]).by("x")];
        let err = apply(src, edits, &map, "f.go", Mode::Display).unwrap_err().to_string();
        assert_eq!(err, "f.go:2:1: conflicting changes to this code by aspect x twice");
        // Insertions at one offset follow their order, before a replacement there.
        let edits = vec![
            Edit::replace(2, 3, vec![Piece::plain("C")]),
            Edit::insert(2, Order::Close(1), vec![Piece::plain(")")]),
            Edit::insert(2, Order::Plain, vec![Piece::plain("1")]),
            Edit::insert(2, Order::Open(Reverse(4)), vec![Piece::plain("(")]),
            Edit::insert(2, Order::Open(Reverse(9)), vec![Piece::plain("[")]),
        ];
        assert_eq!(apply(src, edits, &map, "f.go", Mode::Display).unwrap(), b"ab[(1)C\ndef");
    }
}

//! Positions as the Go compiler will see them. Inputs may already carry
//! `//line` and `/*line*/` directives (cgo's `*.cgo1.go`, cover's
//! `*.cover.go`); after every edit rtool restores the position the compiler
//! would have given the next original byte, so this map answers "which
//! file:line:col is byte N" honouring those directives (syntax/parser.go:
//! `//line` at column 1 applies to the next line, `/*line*/` to the next
//! character, a missing column means columns are unknown).

use memchr::memmem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pos {
    pub file: String,
    pub line: usize,
    pub col: Option<usize>,
}

impl Pos {
    /// A `//line` comment line (for column 1): the next line has this position.
    pub fn line_directive(&self) -> String {
        match self.col {
            Some(c) => format!("//line {}:{}:{}\n", self.file, self.line, c),
            None => format!("//line {}:{}\n", self.file, self.line),
        }
    }

    /// The same without the file name, which then stays what it was: only
    /// with a column (syntax/parser.go keeps the previous file for
    /// `:line:col`).
    pub fn short_directive(&self) -> String {
        match self.col {
            Some(c) => format!("/*line :{}:{}*/", self.line, c),
            None => self.directive(),
        }
    }

    /// The directive that makes the next character have this position.
    pub fn directive(&self) -> String {
        match self.col {
            Some(c) => format!("/*line {}:{}:{}*/", self.file, self.line, c),
            None => format!("/*line {}:{}*/", self.file, self.line),
        }
    }
}

#[derive(Debug)]
struct Directive {
    /// Offset of the first byte the directive's position applies to.
    at: usize,
    pos: Pos,
}

pub struct PosMap {
    file: String,
    line_starts: Vec<usize>,
    directives: Vec<Directive>,
}

impl PosMap {
    pub fn new(src: &[u8], file: &str) -> PosMap {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', src).map(|i| i + 1));
        let mut directives = Vec::new();
        let mut current = file.to_string();
        let mut found: Vec<(usize, bool)> = memmem::find_iter(src, b"//line ").map(|i| (i, true)).collect();
        found.extend(memmem::find_iter(src, b"/*line ").map(|i| (i, false)));
        found.sort();
        for (i, line_comment) in found {
            let (text, at) = if line_comment {
                if i != 0 && src[i - 1] != b'\n' {
                    continue;
                }
                let end = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |e| i + e);
                (&src[i + 7..end], (end + 1).min(src.len()))
            } else {
                let Some(end) = memmem::find(&src[i..], b"*/").map(|e| i + e) else { continue };
                (&src[i + 7..end], end + 2)
            };
            let Some(pos) = parse_directive(&String::from_utf8_lossy(text), &current) else { continue };
            current = pos.file.clone();
            directives.push(Directive { at, pos });
        }
        PosMap { file: file.to_string(), line_starts, directives }
    }

    /// The compiler's position of byte `off`.
    pub fn pos(&self, off: usize) -> Pos {
        let line_of = |o: usize| self.line_starts.partition_point(|&s| s <= o) - 1;
        let (line, col) = (line_of(off), off - self.line_starts[line_of(off)] + 1);
        let idx = self.directives.partition_point(|d| d.at <= off);
        let Some(d) = idx.checked_sub(1).map(|i| &self.directives[i]) else {
            return Pos { file: self.file.clone(), line: line + 1, col: Some(col) };
        };
        let dline = line_of(d.at);
        if dline == line {
            Pos { file: d.pos.file.clone(), line: d.pos.line, col: d.pos.col.map(|c| c + off - d.at) }
        } else {
            Pos { file: d.pos.file.clone(), line: d.pos.line + line - dline, col: d.pos.col.map(|_| col) }
        }
    }
}

/// `file:line:col`, `file:line`, `:line:col` (current file kept).
fn parse_directive(text: &str, current: &str) -> Option<Pos> {
    let text = text.trim_end();
    let num = |s: &str| s.parse::<usize>().ok().filter(|&n| n > 0);
    let (head, last) = text.rsplit_once(':')?;
    let last = num(last)?;
    let (file, line, col) = match head.rsplit_once(':') {
        Some((file, mid)) if num(mid).is_some() => (file, num(mid)?, Some(last)),
        _ => (head, last, None),
    };
    let file = if file.is_empty() { current.to_string() } else { file.to_string() };
    Some(Pos { file, line, col })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_files_count_lines_and_bytes() {
        let src = b"package p\n\nfunc f() {}\n";
        let m = PosMap::new(src, "/src/p.go");
        assert_eq!(m.pos(0), Pos { file: "/src/p.go".into(), line: 1, col: Some(1) });
        assert_eq!(m.pos(16), Pos { file: "/src/p.go".into(), line: 3, col: Some(6) });
    }

    #[test]
    fn honours_existing_directives() {
        // The shape of cgo's output: a //line header and inline /*line*/.
        let src = b"//line /src/x.go:1:1\npackage x\nfunc f() { /*line :9:36*/g() }\n//line /src/y.go:20\nvar v = 1\n";
        let m = PosMap::new(src, "/work/b1/x.cgo1.go");
        assert_eq!(m.pos(21), Pos { file: "/src/x.go".into(), line: 1, col: Some(1) });
        let g = src.windows(3).position(|w| w == b"g()").unwrap();
        assert_eq!(m.pos(g), Pos { file: "/src/x.go".into(), line: 9, col: Some(36) });
        assert_eq!(m.pos(g + 4), Pos { file: "/src/x.go".into(), line: 9, col: Some(40) });
        let v = src.windows(3).position(|w| w == b"var").unwrap();
        assert_eq!(m.pos(v), Pos { file: "/src/y.go".into(), line: 20, col: None });
        assert_eq!(m.pos(v).directive(), "/*line /src/y.go:20*/");
    }
}

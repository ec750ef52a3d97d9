//! A compact binary form of a build's aspects, so that the coordinator can
//! memoize them: the first compile of a build parses the aspect files with
//! tree-sitter, later ones only decode. Join points are stored as their
//! canonical text and re-read by the hand-written expression parser;
//! advice as its kind's tag and fields (`advice::ADVICE`), placeholders as
//! their identifiers.

use super::advice::{self, Field, FieldReader};
use super::joinpoint::{self, NodeKind};
use super::{Aspect, Code, Hole, HoleKind, Import, Placeholder};
use std::path::PathBuf;

const VERSION: u32 = 2;

pub fn encode(aspects: &[Aspect]) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.u32(VERSION);
    w.u32(aspects.len() as u32);
    for a in aspects {
        w.str(&a.id);
        w.str(&a.file.to_string_lossy());
        w.u32(a.line as u32);
        w.u32(a.builtin as u32);
        w.str(&a.join.to_string());
        w.u32(a.order as u32);
        w.u32(a.imports.len() as u32);
        for i in &a.imports {
            w.str(&i.name);
            w.str(&i.path);
        }
        w.tag(a.advice.kind().def().tag);
        for f in a.advice.fields() {
            match f {
                Field::Code(c) => w.code(c),
                Field::Text(t) => w.str(t),
                Field::Flag(b) => w.u32(b as u32),
            };
        }
    }
    w.0
}

pub fn decode(bytes: &[u8]) -> Option<Vec<Aspect>> {
    let mut r = Reader(bytes);
    if r.u32()? != VERSION {
        return None;
    }
    let n = r.u32()?;
    let mut out = Vec::new();
    for _ in 0..n {
        let id = r.str()?;
        let file = PathBuf::from(r.str()?);
        let line = r.u32()? as usize;
        let builtin = r.u32()? != 0;
        let join = joinpoint::parse(&r.str()?).ok()?;
        let kind: NodeKind = join.node_kind().ok()?;
        let order = r.u32()? as i32;
        let mut imports = Vec::new();
        for _ in 0..r.u32()? {
            imports.push(Import { name: r.str()?, path: r.str()? });
        }
        let advice = (advice::by_tag(r.u32()?)?.decode)(&mut r)?;
        out.push(Aspect { id, file, line, builtin, join, kind, advice, order, imports });
    }
    r.0.is_empty().then_some(out)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn tag(&mut self, v: u32) -> &mut Self {
        self.u32(v)
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    fn code(&mut self, c: &Code) -> &mut Self {
        self.str(&c.text).u32(c.line as u32).u32(c.col as u32).u32(c.holes.len() as u32);
        for h in &c.holes {
            self.u32(h.start as u32).u32(h.end as u32);
            match &h.kind {
                HoleKind::Placeholder(p) => self.tag(0).str(&p.to_string()),
                HoleKind::Qualifier(q) => self.tag(1).str(q),
            };
        }
        self
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*head))
    }
    fn str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let s = self.0.get(..n)?;
        self.0 = &self.0[n..];
        String::from_utf8(s.to_vec()).ok()
    }
    fn read_code(&mut self) -> Option<Code> {
        let text = self.str()?;
        let (line, col) = (self.u32()? as usize, self.u32()? as usize);
        let mut holes = Vec::new();
        for _ in 0..self.u32()? {
            let (start, end) = (self.u32()? as usize, self.u32()? as usize);
            let kind = match self.u32()? {
                0 => HoleKind::Placeholder(Placeholder::parse(&self.str()?)?),
                1 => HoleKind::Qualifier(self.str()?),
                _ => return None,
            };
            holes.push(Hole { start, end, kind });
        }
        Some(Code { text, holes, line, col })
    }
}

impl FieldReader for Reader<'_> {
    fn code(&mut self) -> Option<Code> {
        self.read_code()
    }
    fn text(&mut self) -> Option<String> {
        self.str()
    }
    fn flag(&mut self) -> Option<bool> {
        Some(self.u32()? != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aspect::parse::parse_file;
    use std::path::Path;

    #[test]
    fn damaged_input_is_refused() {
        let src = "package a\n\n//rtool:aspect a\n//rtool:where function(name=F)\n//rtool:prepend\nfunc _() { f(RtoolParam1) }\n";
        let aspects = parse_file(Path::new("/a.go"), src.as_bytes(), false).unwrap();
        let bytes = encode(&aspects);
        assert_eq!(decode(&bytes).unwrap(), aspects);
        // Truncated, or with bytes left over.
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(decode(&[bytes.as_slice(), &[0]].concat()).is_none());
        // A placeholder that is none: the identifier is the code's last text.
        let mut bad = bytes.clone();
        let at = bad.windows(11).rposition(|w| w == b"RtoolParam1").unwrap();
        bad[at + 10] = b'X';
        assert!(decode(&bad).is_none());
        // An advice tag no kind has: the tag follows the (empty) imports.
        let mut w = Writer(Vec::new());
        w.u32(VERSION).u32(1).str("a").str("/a.go").u32(3).u32(0).str("std").u32(0).u32(0).u32(99);
        assert!(decode(&w.0).is_none());
    }
}

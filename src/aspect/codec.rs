//! A compact binary form of a build's aspects, so that the coordinator can
//! memoize them: the first compile of a build parses the aspect files with
//! tree-sitter, later ones only decode. Join points are stored as their
//! canonical text and re-read by the hand-written expression parser;
//! advice as its kind's tag and fields (`advice::ADVICE`), placeholders as
//! their identifiers.

use super::advice::{self, Field, FieldReader};
use super::joinpoint::{self, NodeKind};
use super::{Aspect, Code, Hole, HoleKind, Import, Placeholder};
use crate::frame::{Reader, Writer};
use std::path::PathBuf;

const VERSION: u32 = 3;

pub fn encode(aspects: &[Aspect]) -> Vec<u8> {
    let mut w = Writer::new();
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
        w.u32(a.advice.kind().def().tag);
        for f in a.advice.fields() {
            match f {
                Field::Code(c) => write_code(&mut w, c),
                Field::Text(t) => w.str(t),
                Field::Flag(b) => w.u32(b as u32),
            };
        }
    }
    w.finish()
}

pub fn decode(bytes: &[u8]) -> Option<Vec<Aspect>> {
    let mut r = Reader::new(bytes);
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
    r.is_empty().then_some(out)
}

/// Advice code: its text, position and holes (placeholders tagged 0,
/// qualifiers 1).
fn write_code<'w>(w: &'w mut Writer, c: &Code) -> &'w mut Writer {
    w.str(&c.text).u32(c.line as u32).u32(c.col as u32).u32(c.holes.len() as u32);
    for h in &c.holes {
        w.u32(h.start as u32).u32(h.end as u32);
        match &h.kind {
            HoleKind::Placeholder(p) => w.u32(0).str(&p.to_string()),
            HoleKind::Qualifier(q) => w.u32(1).str(q),
        };
    }
    w
}

fn read_code(r: &mut Reader) -> Option<Code> {
    let text = r.str()?;
    let (line, col) = (r.u32()? as usize, r.u32()? as usize);
    let mut holes = Vec::new();
    for _ in 0..r.u32()? {
        let (start, end) = (r.u32()? as usize, r.u32()? as usize);
        let kind = match r.u32()? {
            0 => HoleKind::Placeholder(Placeholder::parse(&r.str()?)?),
            1 => HoleKind::Qualifier(r.str()?),
            _ => return None,
        };
        holes.push(Hole { start, end, kind });
    }
    Some(Code { text, holes, line, col })
}

impl FieldReader for Reader<'_> {
    fn code(&mut self) -> Option<Code> {
        read_code(self)
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
        let mut w = Writer::new();
        w.u32(VERSION).u32(1).str("a").str("/a.go").u32(3).u32(0).str("std").u32(0).u32(0).u32(99);
        assert!(decode(&w.finish()).is_none());
    }
}

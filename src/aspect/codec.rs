//! A compact binary form of a build's aspects, so that the coordinator can
//! memoize them: the first compile of a build parses the aspect files with
//! tree-sitter, later ones only decode. Join points are stored as their
//! canonical text and re-read by the hand-written expression parser.

use super::joinpoint::{self, NodeKind, QualName};
use super::{Advice, Aspect, Code, Hole, HoleKind, Import};
use std::path::PathBuf;

const VERSION: u32 = 1;

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
        match &a.advice {
            Advice::Prepend(c) => w.tag(0).code(c),
            Advice::Wrap(c) => w.tag(1).code(c),
            Advice::ReplaceFunction(q) => w.tag(2).str(&q.path).str(&q.name),
            Advice::AppendArgs(c) => w.tag(3).code(c),
            Advice::Inject { code, new_file } => w.tag(4).code(code).u32(*new_file as u32),
            Advice::AddField { name, ty } => w.tag(5).str(name).code(ty),
            Advice::AddImport(p) => w.tag(6).str(p),
            Advice::Assign { var, value } => w.tag(7).str(var).code(value),
        };
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
        let advice = match r.u32()? {
            0 => Advice::Prepend(r.code()?),
            1 => Advice::Wrap(r.code()?),
            2 => Advice::ReplaceFunction(QualName { path: r.str()?, name: r.str()? }),
            3 => Advice::AppendArgs(r.code()?),
            4 => Advice::Inject { code: r.code()?, new_file: r.u32()? != 0 },
            5 => Advice::AddField { name: r.str()?, ty: r.code()? },
            6 => Advice::AddImport(r.str()?),
            7 => Advice::Assign { var: r.str()?, value: r.code()? },
            _ => return None,
        };
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
                HoleKind::Placeholder(p) => self.tag(0).str(p),
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
    fn code(&mut self) -> Option<Code> {
        let text = self.str()?;
        let (line, col) = (self.u32()? as usize, self.u32()? as usize);
        let mut holes = Vec::new();
        for _ in 0..self.u32()? {
            let (start, end) = (self.u32()? as usize, self.u32()? as usize);
            let kind = match self.u32()? {
                0 => HoleKind::Placeholder(self.str()?),
                1 => HoleKind::Qualifier(self.str()?),
                _ => return None,
            };
            holes.push(Hole { start, end, kind });
        }
        Some(Code { text, holes, line, col })
    }
}

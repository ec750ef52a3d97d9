//! The `link.deps` archive member: what a package's injected code needs at
//! link time, carried inside the package archive because a cached compile
//! never runs rtool again. Versioned text:
//!
//! ```text
//! rtool link.deps v1
//! import net/http
//! linkname rtool.dev/support
//! ```
//!
//! `import`: a package the injected code imports (the linker needs it in
//! its importcfg). `linkname`: a package only reached through
//! `//go:linkname` (not imported, to avoid import cycles from inside the
//! standard library): besides being in the importcfg it must be linked, so
//! main packages blank-import it. Lines are sorted and unique, so equal
//! needs give equal bytes (archive contents feed action IDs).

use crate::error::{Error, Result};

pub const MEMBER: &str = "link.deps";
const HEADER: &str = "rtool link.deps v1";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkDeps {
    pub imports: Vec<String>,
    pub linknames: Vec<String>,
}

impl LinkDeps {
    pub fn is_empty(&self) -> bool {
        self.imports.is_empty() && self.linknames.is_empty()
    }

    /// Adds `other`'s needs to these.
    pub fn merge(&mut self, other: &LinkDeps) {
        self.imports.extend(other.imports.iter().cloned());
        self.linknames.extend(other.linknames.iter().cloned());
        self.normalize();
    }

    pub fn normalize(&mut self) {
        self.imports.sort();
        self.imports.dedup();
        self.linknames.sort();
        self.linknames.dedup();
    }

    /// Every package needed at link time.
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.imports.iter().chain(&self.linknames)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!("{HEADER}\n");
        for p in &self.imports {
            out.push_str(&format!("import {p}\n"));
        }
        for p in &self.linknames {
            out.push_str(&format!("linkname {p}\n"));
        }
        out.into_bytes()
    }

    /// Reads a member; `archive` names the package for errors.
    pub fn decode(bytes: &[u8], archive: &str) -> Result<LinkDeps> {
        let text = String::from_utf8_lossy(bytes);
        let mut lines = text.lines();
        match lines.next() {
            Some(HEADER) => {}
            other => {
                return Err(Error::failed(format!(
                    "{archive}: link.deps member of an unknown version ({:?}); rebuild with this rtool (go clean -cache, or go build -a -toolexec rtool)",
                    other.unwrap_or("")
                )));
            }
        }
        let mut deps = LinkDeps::default();
        for l in lines {
            match l.split_once(' ') {
                Some(("import", p)) => deps.imports.push(p.to_string()),
                Some(("linkname", p)) => deps.linknames.push(p.to_string()),
                _ => return Err(Error::failed(format!("{archive}: corrupt link.deps line {l:?}"))),
            }
        }
        deps.normalize();
        Ok(deps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_versions() {
        let mut d = LinkDeps { imports: vec!["os".into(), "expvar".into(), "os".into()], linknames: vec!["rtool.dev/support".into()] };
        d.normalize();
        let bytes = d.encode();
        assert_eq!(String::from_utf8_lossy(&bytes), "rtool link.deps v1\nimport expvar\nimport os\nlinkname rtool.dev/support\n");
        assert_eq!(LinkDeps::decode(&bytes, "p").unwrap(), d);
        let e = LinkDeps::decode(b"rtool link.deps v9\n", "example.com/p").unwrap_err().to_string();
        assert!(e.starts_with("example.com/p: link.deps member of an unknown version"), "{e}");
        assert!(LinkDeps::decode(b"rtool link.deps v1\nfrob x\n", "p").is_err());
    }
}

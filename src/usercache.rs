//! rtool's directory in the user's cache (`RTOOL_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/rtool`, else `~/.cache/rtool`): small values that
//! outlive one build, stored by kind and key. A cache that cannot be read or
//! written only costs time, never correctness: callers recompute.

use crate::atomicfile::write_atomic;
use crate::error::{Error, Result};
use std::fs;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCache {
    dir: PathBuf,
}

impl UserCache {
    pub fn new(dir: PathBuf) -> UserCache {
        UserCache { dir }
    }

    /// Where the support library's compiled packages live.
    pub fn golib_dir(&self) -> PathBuf {
        self.dir.join("golib")
    }

    pub fn read(&self, kind: &str, key: &str) -> Option<Vec<u8>> {
        fs::read(self.dir.join(kind).join(key)).ok()
    }

    pub fn write(&self, kind: &str, key: &str, value: &[u8]) -> Result<()> {
        let dir = self.dir.join(kind);
        fs::create_dir_all(&dir).map_err(|e| Error::io("creating cache directory", &dir, e))?;
        write_atomic(&dir.join(key), value)
    }
}

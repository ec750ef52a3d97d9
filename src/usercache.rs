//! rtool's directory in the user's cache (`RTOOL_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/rtool`, else `~/.cache/rtool`): small values that
//! outlive one build, stored by kind and key. A cache that cannot be read or
//! written only costs time, never correctness: callers recompute. Values
//! are written atomically with a checksum and checked when read, so a
//! truncated or damaged entry reads as missing.

use crate::atomicfile::write_atomic;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
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

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Where the support library's compiled packages live.
    pub fn supportlib_dir(&self) -> PathBuf {
        self.dir.join("supportlib")
    }

    pub fn read(&self, kind: &str, key: &str) -> Option<Vec<u8>> {
        let bytes = fs::read(self.dir.join(kind).join(key)).ok()?;
        let (sum, value) = bytes.split_at_checked(32)?;
        (Sha256::digest(value).as_slice() == sum).then(|| value.to_vec())
    }

    pub fn write(&self, kind: &str, key: &str, value: &[u8]) -> Result<()> {
        let dir = self.dir.join(kind);
        fs::create_dir_all(&dir).map_err(|e| Error::io("creating cache directory", &dir, e))?;
        write_atomic(&dir.join(key), &[Sha256::digest(value).as_slice(), value].concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_entries_read_as_missing() {
        let dir = std::env::temp_dir().join(format!("rtool-usercache-{}", std::process::id()));
        let cache = UserCache::new(dir.clone());
        cache.write("toolid", "k", b"compile version go1.26.8").unwrap();
        assert_eq!(cache.read("toolid", "k").as_deref(), Some(b"compile version go1.26.8".as_slice()));
        let file = dir.join("toolid/k");
        let whole = fs::read(&file).unwrap();
        fs::write(&file, &whole[..whole.len() - 3]).unwrap();
        assert_eq!(cache.read("toolid", "k"), None, "truncated");
        let mut flipped = whole.clone();
        flipped[40] ^= 1;
        fs::write(&file, &flipped).unwrap();
        assert_eq!(cache.read("toolid", "k"), None, "damaged");
        fs::write(&file, b"short").unwrap();
        assert_eq!(cache.read("toolid", "k"), None);
        fs::remove_dir_all(&dir).unwrap();
    }
}

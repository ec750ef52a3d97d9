//! The compiler's and linker's `-importcfg` files: `packagefile path=file`,
//! `importmap old=new`, `packageshlib`, `modinfo`, `#` comments. Read
//! whole; written as a copy of the go command's file with `packagefile`
//! lines added, so every line rtool does not interpret stays as it was.

use crate::atomicfile::write_atomic;
use crate::error::{Error, Result};
use std::path::Path;

/// A package and the archive (or export data) the compiler or linker reads
/// for it: one `packagefile` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    pub path: String,
    pub file: String,
}

impl PackageFile {
    pub fn new(path: impl Into<String>, file: impl Into<String>) -> PackageFile {
        PackageFile { path: path.into(), file: file.into() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCfg {
    /// The `packagefile` lines, in file order.
    pub packagefiles: Vec<PackageFile>,
    /// (path as written in source, path it resolves to).
    pub importmaps: Vec<(String, String)>,
    /// Lines rtool does not interpret, kept verbatim.
    pub other: Vec<String>,
}

impl ImportCfg {
    pub fn parse(text: &str) -> ImportCfg {
        let mut cfg = ImportCfg::default();
        for line in text.lines() {
            let l = line.trim();
            if let Some(rest) = l.strip_prefix("packagefile ")
                && let Some((k, v)) = rest.split_once('=')
            {
                cfg.packagefiles.push(PackageFile::new(k, v));
            } else if let Some(rest) = l.strip_prefix("importmap ")
                && let Some((k, v)) = rest.split_once('=')
            {
                cfg.importmaps.push((k.to_string(), v.to_string()));
            } else if !l.is_empty() && !l.starts_with('#') {
                cfg.other.push(line.to_string());
            }
        }
        cfg
    }

    pub fn read(path: &Path) -> Result<ImportCfg> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading importcfg", path, e))?;
        Ok(ImportCfg::parse(&text))
    }

    /// The archive a `packagefile` line gives for `path`.
    pub fn file_of(&self, path: &str) -> Option<&str> {
        self.packagefiles.iter().find(|p| p.path == path).map(|p| p.file.as_str())
    }

    /// Whether source code may import `path` in this compile.
    pub fn provides(&self, path: &str) -> bool {
        self.importmaps.iter().any(|(k, _)| k == path) || self.packagefiles.iter().any(|p| p.path == path)
    }
}

/// Writes `to`: the importcfg text `base` (the go command's file, or empty)
/// with a `packagefile` line for each of `added`.
pub fn write(to: &Path, base: &str, added: &[PackageFile]) -> Result<()> {
    let mut text = base.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for p in added {
        text.push_str(&format!("packagefile {}={}\n", p.path, p.file));
    }
    write_atomic(to, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_verb() {
        let cfg = ImportCfg::parse(
            "# import config\nimportmap golang.org/x/net/dns/dnsmessage=vendor/golang.org/x/net/dns/dnsmessage\npackagefile fmt=/c/ab-d\npackagefile vendor/golang.org/x/net/dns/dnsmessage=/w/b2/_pkg_.a\nmodinfo \"x\"\n",
        );
        assert!(cfg.provides("fmt") && cfg.provides("golang.org/x/net/dns/dnsmessage") && !cfg.provides("os"));
        assert_eq!(cfg.packagefiles[0], PackageFile::new("fmt", "/c/ab-d"));
        assert_eq!(cfg.other, vec!["modinfo \"x\"".to_string()]);
    }

    #[test]
    fn written_lines_read_back() {
        let dir = std::env::temp_dir().join(format!("rtool-importcfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let to = dir.join("importcfg");
        write(&to, "# import config\nmodinfo \"x\"", &[PackageFile::new("fmt", "/c/f.a")]).unwrap();
        let cfg = ImportCfg::read(&to).unwrap();
        assert_eq!(cfg.packagefiles, vec![PackageFile::new("fmt", "/c/f.a")]);
        assert_eq!(cfg.other, vec!["modinfo \"x\"".to_string()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

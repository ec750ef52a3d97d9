//! The compiler's and linker's `-importcfg` files: `packagefile path=file`,
//! `importmap old=new`, `packageshlib`, `modinfo`, `#` comments.

use crate::error::{Error, Result};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCfg {
    /// (import path, archive file), in file order.
    pub packagefiles: Vec<(String, String)>,
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
                cfg.packagefiles.push((k.to_string(), v.to_string()));
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

    /// Whether source code may import `path` in this compile.
    /// The archive a `packagefile` line gives for `path`.
    pub fn file_of(&self, path: &str) -> Option<&str> {
        self.packagefiles.iter().find(|(k, _)| k == path).map(|(_, f)| f.as_str())
    }

    pub fn provides(&self, path: &str) -> bool {
        self.importmaps.iter().any(|(k, _)| k == path) || self.packagefiles.iter().any(|(k, _)| k == path)
    }
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
        assert_eq!(cfg.packagefiles[0], ("fmt".to_string(), "/c/ab-d".to_string()));
        assert_eq!(cfg.other, vec!["modinfo \"x\"".to_string()]);
    }
}

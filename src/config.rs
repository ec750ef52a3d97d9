//! The effective configuration of a build: which aspect files apply and the
//! settings that change rtool's output. Its fingerprint goes into the cache
//! key, logging to stderr included (the go command caches and replays what
//! a compile prints); logging to `RTOOL_LOG_FILE` stays out.
//!
//! Aspect files are Go files constrained with `//go:build rtool`, found in
//! the main module's root (the directory of the nearest go.mod above the go
//! command's working directory), plus those named in `RTOOL_ASPECTS`.

use crate::ctx::{Ctx, ENV_ASPECTS};
use crate::error::{Error, Result};
use crate::frame;
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AspectFile {
    pub path: PathBuf,
    pub source: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Sorted by path; explicit files after discovered ones.
    pub aspect_files: Vec<AspectFile>,
    pub strict: bool,
    /// Aspect ids switched off (`RTOOL_DISABLE`), sorted.
    pub disabled: Vec<String>,
    /// Logging to stderr (0 off, 1 debug, 2 trace): what a compile prints is
    /// cached with its output, so it is configuration (see `Log`).
    pub stderr_log: u8,
    /// The main module's path (go.mod's module line), if there is one. Not
    /// in the fingerprint: import paths are in every action ID already.
    pub module_path: Option<String>,
    /// The hash of the main module's vendor/modules.txt, if any: aspects
    /// can depend on a vendored module's version (`module-version`), which
    /// the go command's action IDs leave out (a vendored package is known
    /// by its directory and files, the same across versions).
    pub vendored: Option<String>,
}

impl Config {
    pub fn load(ctx: &Ctx) -> Result<Config> {
        let mut files = Vec::new();
        let root = module_root(&ctx.cwd);
        let module_path = root.as_deref().and_then(read_module_path);
        let vendored =
            root.as_deref().and_then(|r| fs::read(r.join("vendor/modules.txt")).ok()).map(|list| frame::hex(&Sha256::digest(&list)));
        if let Some(root) = root {
            for path in discover(&root)? {
                files.push(read_aspect(path)?);
            }
        }
        if let Some(list) = &ctx.aspects {
            for p in std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty()) {
                let path = ctx.cwd.join(p);
                if !files.iter().any(|f| f.path == path) {
                    files.push(read_aspect(path).map_err(|e| e.context(ENV_ASPECTS))?);
                }
            }
        }
        let mut disabled = ctx.disabled.clone();
        disabled.sort();
        disabled.dedup();
        let stderr_log = ctx.log.stderr_level() as u8;
        Ok(Config { aspect_files: files, strict: ctx.strict, disabled, stderr_log, module_path, vendored })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = frame::Writer::new();
        w.u8(self.strict as u8).u8(self.stderr_log);
        for text in [self.disabled.join(","), self.module_path.clone().unwrap_or_default(), self.vendored.clone().unwrap_or_default()] {
            w.str(&text);
        }
        for f in &self.aspect_files {
            w.bytes(f.path.as_os_str().as_bytes()).bytes(&f.source);
        }
        w.finish()
    }

    pub fn decode(bytes: &[u8]) -> Option<Config> {
        let mut r = frame::Reader::new(bytes);
        let (strict, stderr_log) = (r.u8()? != 0, r.u8()?);
        let disabled = r.str()?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
        let mut optional = || Some(String::from_utf8(r.bytes()?.to_vec()).ok().filter(|m| !m.is_empty()));
        let (module_path, vendored) = (optional()?, optional()?);
        let mut aspect_files = Vec::new();
        while !r.is_empty() {
            let path = PathBuf::from(OsString::from_vec(r.bytes()?.to_vec()));
            aspect_files.push(AspectFile { path, source: r.bytes()?.to_vec() });
        }
        Some(Config { aspect_files, strict, disabled, stderr_log, module_path, vendored })
    }

    /// A hash of everything in the configuration that can change rtool's
    /// output. The files' contents count, not where they live.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"rtool-config-v1\0");
        h.update([self.strict as u8, self.stderr_log]);
        for d in &self.disabled {
            frame::hash_field(&mut h, d.as_bytes());
        }
        for f in &self.aspect_files {
            let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            frame::hash_field(&mut h, name.as_bytes());
            frame::hash_field(&mut h, &f.source);
        }
        if let Some(v) = &self.vendored {
            h.update(b"vendored\0");
            h.update(v.as_bytes());
        }
        h.finalize().into()
    }
}

fn read_aspect(path: PathBuf) -> Result<AspectFile> {
    match fs::read(&path) {
        Ok(source) => Ok(AspectFile { path, source }),
        Err(e) => Err(Error::io("reading aspect file", &path, e)),
    }
}

/// The directory of the nearest go.mod at or above `dir`.
pub fn module_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.join("go.mod").is_file()).map(Path::to_path_buf)
}

/// The module path declared in `root`/go.mod.
fn read_module_path(root: &Path) -> Option<String> {
    let text = fs::read_to_string(root.join("go.mod")).ok()?;
    text.lines().find_map(|l| l.trim().strip_prefix("module ")).map(|m| m.trim().trim_matches('"').to_string())
}

/// The aspect files in `dir`, sorted.
fn discover(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "go") && has_rtool_constraint(&path)? {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// `rtool`, or `rtool && ignore` (either order): the `ignore` tag also keeps
/// the file out of `go mod tidy` and `go mod vendor`, which otherwise try
/// to resolve its imports.
pub fn is_aspect_constraint(expr: &[u8]) -> bool {
    let e: Vec<&[u8]> = expr.split(|&b| b == b'&').map(|t| t.trim_ascii()).filter(|t| !t.is_empty()).collect();
    matches!(e.as_slice(), [b"rtool"] | [b"rtool", b"ignore"] | [b"ignore", b"rtool"])
        && (e.len() == 1 || expr.windows(2).any(|w| w == b"&&"))
}

/// Whether the file's header (before `package`) has an aspect constraint.
fn has_rtool_constraint(path: &Path) -> Result<bool> {
    let mut head = Vec::with_capacity(4096);
    let file = fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    file.take(4096).read_to_end(&mut head).map_err(|e| Error::io("reading", path, e))?;
    for line in head.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.starts_with(b"package ") {
            break;
        }
        if let Some(expr) = line.strip_prefix(b"//go:build ") {
            return Ok(is_aspect_constraint(expr));
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Log;

    fn ctx(cwd: &Path) -> Ctx {
        Ctx {
            cwd: cwd.to_path_buf(),
            log: Log::off(),
            import_path: None,
            coord_root: None,
            depth: 0,
            resolving: vec![],
            aspects: None,
            strict: false,
            disabled: vec![],
            cache: None,
            go_vars: vec![],
            go_command: None,
            goroot: None,
        }
    }

    #[test]
    fn discovers_constrained_files_in_the_module_root() {
        let root = std::env::temp_dir().join(format!("rtool-config-{}", std::process::id()));
        let sub = root.join("cmd/app");
        fs::create_dir_all(&sub).unwrap();
        fs::write(root.join("go.mod"), "module example.com/m\n").unwrap();
        fs::write(root.join("main.go"), "package main\n").unwrap();
        fs::write(root.join("trace.go"), "// Tracing.\n\n//go:build rtool\n\npackage aspects\n").unwrap();
        fs::write(root.join("other.go"), "//go:build rtool && linux\n\npackage main\n").unwrap();
        fs::write(root.join("late.go"), "package main\n//go:build rtool\n").unwrap();
        fs::write(root.join("vendored.go"), "//go:build rtool && ignore\n\npackage aspects\n").unwrap();

        let cfg = Config::load(&ctx(&sub)).unwrap();
        let names: Vec<_> = cfg.aspect_files.iter().map(|f| f.path.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["trace.go", "vendored.go"]);

        // The fingerprint follows content and settings, not location.
        let before = cfg.fingerprint();
        let mut strict = ctx(&sub);
        strict.strict = true;
        assert_ne!(Config::load(&strict).unwrap().fingerprint(), before);
        fs::write(root.join("trace.go"), "//go:build rtool\n\npackage aspects // changed\n").unwrap();
        assert_ne!(Config::load(&ctx(&sub)).unwrap().fingerprint(), before);

        // Explicit files add to discovered ones; a missing one is an error.
        let mut explicit = ctx(&sub);
        explicit.aspects = Some("../../main.go".into());
        assert_eq!(Config::load(&explicit).unwrap().aspect_files.len(), 3);
        explicit.aspects = Some("nope.go".into());
        let err = Config::load(&explicit).unwrap_err().to_string();
        assert!(err.contains("nope.go") && err.contains("RTOOL_ASPECTS"), "{err}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn encodes_and_decodes() {
        let root = std::env::temp_dir().join(format!("rtool-config-codec-{}", std::process::id()));
        fs::create_dir_all(&root).unwrap();
        let aspect = root.join("a.go");
        fs::write(&aspect, "//go:build rtool\n\npackage a\n").unwrap();
        let mut c = ctx(&root);
        c.aspects = Some(aspect.clone().into());
        c.strict = true;
        let first = Config::load(&c).unwrap();
        assert_eq!(Config::decode(&first.encode()), Some(first.clone()));
        assert_eq!(Config::decode(&first.encode()[..5]), None);
        fs::remove_dir_all(&root).unwrap();
    }
}

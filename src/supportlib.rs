//! rtool's Go support library: Go packages embedded in the binary (sources
//! under src/supportlib/), imported by advice under the fixed prefix
//! `rtool.invalid/` (`.invalid` is reserved: no real module can have it).
//! They depend on the standard library only. rtool materializes a package
//! into a content-addressed directory of its user cache and compiles it
//! with the build's compiler and the code-generation flags of the compile
//! or link that needs it, against the build's own standard library
//! archives, once per build (coordinator) and once per distinct input
//! (user cache, checksummed: a damaged archive is rebuilt). Their sources
//! are in rtool's build hash, hence in the cache key.

use crate::atomicfile::write_atomic;
use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::frame;
use crate::importcfg::{self, PackageFile};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const PREFIX: &str = "rtool.invalid/";

/// (import path, [(file name, source)]).
const PACKAGES: &[(&str, &[(&str, &str)])] = &[
    (
        "rtool.invalid/support",
        &[
            ("support.go", include_str!("supportlib/support/support.go")),
            ("trace.go", include_str!("supportlib/support/trace.go")),
            ("sampler.go", include_str!("supportlib/support/sampler.go")),
            ("recorder.go", include_str!("supportlib/support/recorder.go")),
            ("otlp.go", include_str!("supportlib/support/otlp.go")),
            ("otlpenv.go", include_str!("supportlib/support/otlpenv.go")),
            ("jsonlines.go", include_str!("supportlib/support/jsonlines.go")),
            ("json.go", include_str!("supportlib/support/json.go")),
            ("proto.go", include_str!("supportlib/support/proto.go")),
            ("gls.go", include_str!("supportlib/support/gls.go")),
            ("integrations.go", include_str!("supportlib/support/integrations.go")),
            ("dbspan.go", include_str!("supportlib/support/dbspan.go")),
            ("sqltext.go", include_str!("supportlib/support/sqltext.go")),
            ("version.go", include_str!("supportlib/support/version.go")),
            ("foreign.go", include_str!("supportlib/support/foreign.go")),
            ("logs.go", include_str!("supportlib/support/logs.go")),
            ("shutdown.go", include_str!("supportlib/support/shutdown.go")),
            ("rpcspan.go", include_str!("supportlib/support/rpcspan.go")),
            ("httproute.go", include_str!("supportlib/support/httproute.go")),
            ("redis.go", include_str!("supportlib/support/redis.go")),
            ("messaging.go", include_str!("supportlib/support/messaging.go")),
            ("pgx.go", include_str!("supportlib/support/pgx.go")),
            ("limits.go", include_str!("supportlib/support/limits.go")),
            ("w3c.go", include_str!("supportlib/support/w3c.go")),
        ],
    ),
    (
        "rtool.invalid/support/otlp",
        &[
            ("otlp.go", include_str!("supportlib/support/otlp/otlp.go")),
            ("response.go", include_str!("supportlib/support/otlp/response.go")),
            ("tls.go", include_str!("supportlib/support/otlp/tls.go")),
        ],
    ),
];

pub fn is_support(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// The files of support package `path`: (base name, source).
pub fn files_of(path: &str) -> Result<&'static [(&'static str, &'static str)]> {
    PACKAGES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, f)| *f)
        .ok_or_else(|| Error::failed(format!("no package {path:?} in rtool's support library (it has {})", names())))
}

/// The support packages support package `path` imports.
pub fn own_imports(path: &str) -> Result<Vec<String>> {
    Ok(imports_of(files_of(path)?).into_iter().filter(|p| is_support(p)).collect())
}

/// The standard packages the whole support library imports, sorted: what
/// building any of it resolves.
pub fn std_imports() -> Vec<String> {
    let mut v: Vec<String> = PACKAGES.iter().flat_map(|(_, f)| imports_of(f)).filter(|p| !is_support(p) && p != "unsafe").collect();
    v.sort();
    v.dedup();
    v
}

/// The compile or link that needs the support library: its compiler, and
/// the code-generation flags in its own arguments that the support
/// library must share. Taken from the call's arguments, which the go
/// command hashes into that call's action ID, never from elsewhere: an
/// object cached under that ID always matches the support library built
/// for it.
pub struct Target<'a> {
    pub compile: &'a Path,
    pub codegen: Vec<&'static str>,
}

impl<'a> Target<'a> {
    pub fn new(compile: &'a Path, args: &[String]) -> Target<'a> {
        Target { compile, codegen: ["-race", "-msan", "-asan"].into_iter().filter(|f| args.iter().any(|a| a == f)).collect() }
    }
}

/// The archive of support package `path` for this build, and the export
/// files of everything it imports, itself first. `std` has the export
/// files of every standard package the support library imports
/// ([`std_imports`], resolved by the caller once for all of it).
pub fn archives(ctx: &Ctx, coord: &Coord, target: &Target, path: &str, std: &[PackageFile]) -> Result<Vec<PackageFile>> {
    let files = files_of(path)?;
    let imports: Vec<String> = imports_of(files).into_iter().filter(|p| p != "unsafe").collect();
    // Support packages import each other (built here) and the standard
    // library.
    let mut deps = std.to_vec();
    for p in &own_imports(path)? {
        for dep in archives(ctx, coord, target, p, std)? {
            if !deps.contains(&dep) {
                deps.push(dep);
            }
        }
    }

    // Content address: sources, toolchain, flags, the exact dependencies.
    let mut h = Sha256::new();
    for part in [path.as_bytes(), target.compile.as_os_str().as_encoded_bytes(), target.codegen.join(" ").as_bytes()] {
        frame::hash_field(&mut h, part);
    }
    for (name, src) in files {
        frame::hash_field(&mut h, name.as_bytes());
        frame::hash_field(&mut h, src.as_bytes());
    }
    // The direct imports by content (the build IDs in their archives), so
    // that the same dependencies found through a go list or an importcfg
    // give the same address.
    for p in &imports {
        let id = deps.iter().find(|d| d.path == *p).map_or_else(String::new, |d| archive_identity(&d.file));
        h.update(format!("{p}={id}\n").as_bytes());
    }
    for (k, v) in &ctx.go_vars {
        h.update(k.as_encoded_bytes());
        h.update(b"=");
        h.update(v.as_encoded_bytes());
        h.update(b"\n");
    }
    let key = frame::hex(&h.finalize()[..16]);
    let base = match &ctx.cache {
        Some(c) => c.supportlib_dir(),
        None => coord.root().join("supportlib"),
    };
    let dir = base.join(&key);
    let archive_text = dir.join("pkg.a").to_string_lossy().into_owned();
    coord.once(&format!("supportlib\0{key}"), || {
        let unit = Unit { path, files, deps: &deps, imports: &imports, dir: &dir, target };
        unit.ensure_built().map(|()| Vec::new())
    })?;
    let mut out = vec![PackageFile::new(path, archive_text)];
    out.extend(deps);
    Ok(out)
}

/// One support package to compile into its content-addressed directory.
struct Unit<'a> {
    path: &'a str,
    files: &'a [(&'a str, &'a str)],
    deps: &'a [PackageFile],
    imports: &'a [String],
    dir: &'a Path,
    target: &'a Target<'a>,
}

impl Unit<'_> {
    /// Compiles the package unless an intact archive is there. Builds that
    /// fill rtool's cache at once take turns on a lock in the directory; an
    /// archive whose checksum does not match (truncated, damaged) is built
    /// again, never used.
    fn ensure_built(&self) -> Result<()> {
        let archive = self.dir.join("pkg.a");
        if intact(&archive) {
            return Ok(());
        }
        std::fs::create_dir_all(self.dir).map_err(|e| Error::io("creating", self.dir, e))?;
        let lock_path = self.dir.join("lock");
        let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io("creating", &lock_path, e))?;
        lock.lock().map_err(|e| Error::io("locking", &lock_path, e))?;
        if intact(&archive) {
            return Ok(());
        }
        self.build(&archive)
    }

    fn build(&self, archive: &Path) -> Result<()> {
        let (path, dir) = (self.path, self.dir);
        let src_dir = dir.join("src");
        std::fs::create_dir_all(&src_dir).map_err(|e| Error::io("creating", &src_dir, e))?;
        let mut paths: Vec<PathBuf> = Vec::new();
        for (name, src) in self.files {
            let p = src_dir.join(name);
            write_atomic(&p, src.as_bytes())?;
            paths.push(p);
        }
        let cfg = dir.join("importcfg");
        let direct: Vec<PackageFile> = self.deps.iter().filter(|d| self.imports.contains(&d.path)).cloned().collect();
        importcfg::write(&cfg, "", &direct)?;
        let tmp = dir.join(format!("pkg.a.{}.tmp", std::process::id()));
        // No -complete: gls.go declares body-less functions (linknames).
        let out = Command::new(self.target.compile)
            .arg("-o")
            .arg(&tmp)
            .args(["-p", path, "-lang=go1.22", "-pack", "-trimpath"])
            .arg(format!("{}=>{path}", src_dir.display()))
            .arg("-importcfg")
            .arg(&cfg)
            .args(&self.target.codegen)
            .args(&paths)
            .output()
            .map_err(|e| Error::failed(format!("compiling {path}: {e}")))?;
        if !out.status.success() {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::failed(format!(
                "compiling {path} (rtool's support library):\n{}",
                String::from_utf8_lossy(&out.stderr).trim_end()
            )));
        }
        let bytes = std::fs::read(&tmp).map_err(|e| Error::io("reading", &tmp, e))?;
        std::fs::rename(&tmp, archive).map_err(|e| Error::io("placing", archive, e))?;
        write_atomic(&sum_path(archive), hex_sha256(&bytes).as_bytes())
    }
}

fn sum_path(archive: &Path) -> PathBuf {
    archive.with_extension("a.sha256")
}

/// Whether `archive` is there and matches the checksum written with it.
fn intact(archive: &Path) -> bool {
    match (std::fs::read(archive), std::fs::read_to_string(sum_path(archive))) {
        (Ok(bytes), Ok(sum)) => hex_sha256(&bytes) == sum.trim(),
        _ => false,
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    frame::hex(&Sha256::digest(bytes))
}

/// What identifies a compiled package's content: the build ID in its
/// archive's header (`build id "ACTION/CONTENT"`), else its path.
fn archive_identity(file: &str) -> String {
    let mut head = vec![0u8; 2048];
    let n = std::fs::File::open(file).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let head = &head[..n];
    memchr::memmem::find(head, b"build id \"")
        .map(|i| &head[i + 10..])
        .and_then(|rest| memchr::memchr(b'"', rest).map(|j| String::from_utf8_lossy(&rest[..j]).into_owned()))
        .unwrap_or_else(|| file.to_string())
}

/// The import paths of a package's files, sorted. The files are rtool's
/// own, gofmt-ed: their import declarations are read line by line (a
/// tree-sitter parse of the whole library would cost a link ~20 ms).
fn imports_of(files: &[(&str, &str)]) -> Vec<String> {
    let mut imports: Vec<String> = Vec::new();
    for (_, src) in files {
        let mut in_block = false;
        for line in src.lines() {
            let l = line.trim();
            let spec = if in_block {
                if l == ")" {
                    in_block = false;
                    continue;
                }
                l
            } else if l == "import (" {
                in_block = true;
                continue;
            } else if let Some(rest) = l.strip_prefix("import ") {
                rest
            } else {
                continue;
            };
            // `"path"` or `name "path"`, maybe with a comment.
            if let Some(path) = spec.split('"').nth(1) {
                imports.push(path.to_string());
            }
        }
    }
    imports.sort();
    imports.dedup();
    imports
}

fn names() -> String {
    PACKAGES.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_read_by_lines_are_the_parsed_ones() {
        for (path, files) in PACKAGES {
            let mut parsed: Vec<String> = Vec::new();
            for (_, src) in *files {
                let tree = crate::gosyntax::parse(src.as_bytes()).unwrap();
                for spec in crate::gosyntax::import_specs(tree.root_node()) {
                    parsed.extend(crate::gosyntax::string_value(spec.child_by_field_name("path"), src.as_bytes()));
                }
            }
            parsed.sort();
            parsed.dedup();
            assert_eq!(imports_of(files), parsed, "{path}");
            assert!(parsed.contains(&"unsafe".to_string()) || *path != "rtool.invalid/support");
        }
    }

    #[test]
    fn the_support_library_knows_rtools_version() {
        let src = include_str!("supportlib/support/version.go");
        assert!(
            src.contains(&format!("const Version = \"{}\"", env!("CARGO_PKG_VERSION"))),
            "src/supportlib/support/version.go is not Cargo.toml's version"
        );
    }
}

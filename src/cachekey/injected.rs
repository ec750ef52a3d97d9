//! What the cache key must cover of the packages advice injects from
//! outside rtool's support library. The go command hashes a compile's own
//! sources, flags and direct imports into its action ID, but it cannot see
//! that an instrumented package now depends on, say, `example.com/c/helper`
//! or `hash/crc32`: nothing in the package's sources imports them. So the
//! `-V=full` answer covers, once per go command:
//!
//! - the content of every injected package outside the standard library,
//!   and of everything it imports outside the standard library (file names
//!   and bytes, as `go list -deps` selects them with the build's flags);
//! - the build flags that change how an injected package compiles without
//!   changing the instrumented package's own action ID: `-tags`,
//!   `-gcflags`, `-asmflags` (patterns may name the injected package
//!   alone), `-cover`, `-covermode`, `-coverpkg`, and `-overlay` (the
//!   overlay file's bytes).
//!
//! Standard packages' sources are the toolchain's, already in the key
//! through the compiler's own version line. The support library's sources
//! are in rtool's build hash, and its compile flags come from the compile
//! that imports it. A configuration that injects nothing else pays nothing.

use crate::aspect::Aspect;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::frame;
use crate::supportlib;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Stdio;

/// Flags hashed into the key when advice injects packages from outside
/// the support library (by name, without the dash).
const KEYED_FLAGS: &[&str] = &["tags", "gcflags", "asmflags", "cover", "covermode", "coverpkg", "overlay"];

/// The packages `aspects` may inject from outside the support library,
/// sorted; `unsafe` and `C` are the compiler's own. Built-in aspects
/// import only the support library and packages their targets import
/// themselves (a test checks), which are in the targets' action IDs.
pub fn outside_paths(aspects: &[Aspect]) -> Vec<String> {
    let mut paths: Vec<String> = aspects
        .iter()
        .filter(|a| !a.builtin)
        .flat_map(Aspect::package_paths)
        .filter(|p| !supportlib::is_support(p) && *p != "unsafe" && *p != "C")
        .map(str::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The hash the key gets for injected packages `paths`, built with the
/// go command's package-affecting flags `flags` (see `outer_go::kept_flags`).
pub fn digest(ctx: &Ctx, flags: &[String], paths: &[String]) -> Result<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"rtool-injected-v1\0");
    for f in flags {
        let name = f.trim_start_matches('-').split('=').next().unwrap_or("");
        if KEYED_FLAGS.contains(&name) {
            frame::hash_field(&mut h, f.as_bytes());
        }
        if name == "overlay"
            && let Some(file) = f.split_once('=').map(|(_, v)| ctx.cwd.join(v))
        {
            frame::hash_field(&mut h, &std::fs::read(&file).map_err(|e| Error::io("reading the -overlay file", &file, e))?);
        }
    }
    let outside: Vec<&String> = paths.iter().filter(|p| !is_standard(ctx.goroot.as_deref(), p)).collect();
    if !outside.is_empty() {
        hash_sources(ctx, flags, &outside, &mut h)?;
    }
    Ok(h.finalize().into())
}

/// Whether `path` names a standard-library package: its first element has
/// no dot and `$GOROOT/src` has it (a main module may be named `myapp`).
fn is_standard(goroot: Option<&Path>, path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    !first.contains('.') && goroot.is_some_and(|r| r.join("src").join(path).is_dir())
}

/// One `go list -deps` over the packages, then every source file of each
/// package outside the standard library: names and bytes, not where they
/// live (two checkouts of one commit get one key).
fn hash_sources(ctx: &Ctx, flags: &[String], paths: &[&String], h: &mut Sha256) -> Result<()> {
    const FILES: &[&str] = &[
        "GoFiles",
        "CgoFiles",
        "CFiles",
        "CXXFiles",
        "MFiles",
        "HFiles",
        "FFiles",
        "SFiles",
        "SwigFiles",
        "SwigCXXFiles",
        "SysoFiles",
        "EmbedFiles",
    ];
    let mut template = String::from("{{if not .Standard}}{{.ImportPath}}{{\"\\t\"}}{{.Dir}}");
    for f in FILES {
        template.push_str(&format!("{{{{range .{f}}}}}{{{{\"\\t\"}}}}{{{{.}}}}{{{{end}}}}"));
    }
    template.push_str("{{if .Error}}{{\"\\tERROR \"}}{{.Error.Err}}{{end}}{{\"\\n\"}}{{end}}");
    let list_flags = ["-e".to_string(), "-deps".to_string(), "-f".to_string(), template];
    let out = crate::resolve::go_list(ctx, &list_flags, flags, paths)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::failed(format!("hashing injected packages: running go list: {e}")))?;
    let names = paths.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
    if !out.status.success() {
        return Err(Error::failed(format!(
            "hashing the packages advice injects ({names}) for the cache key: go list failed:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut fields = line.split('\t');
        let (Some(pkg), Some(dir)) = (fields.next(), fields.next()) else { continue };
        frame::hash_field(h, pkg.as_bytes());
        for name in fields {
            frame::hash_field(h, name.as_bytes());
            if name.starts_with("ERROR ") {
                continue; // resolving it will fail the compile that needs it
            }
            let file = Path::new(dir).join(name);
            match std::fs::read(&file) {
                Ok(bytes) => frame::hash_field(h, &bytes),
                Err(e) => return Err(Error::io("hashing injected package file", &file, e)),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aspect::joinpoint::Atom;
    use std::process::Command;

    /// Imports of third-party packages that built-in aspects instrument
    /// (go list cannot see them outside a module), those the aspects use:
    /// checked with go list in every version of the aspects' range that
    /// their tests build (grpc: v1.28.0 and v1.85.0; pgx: v5.5.3 and
    /// v5.12.0).
    const OUTSIDE_STD_IMPORTS: &[(&str, &[&str])] = &[
        (
            "google.golang.org/grpc",
            &["context", "errors", "io", "sync", "google.golang.org/grpc/metadata", "google.golang.org/grpc/status"],
        ),
        ("github.com/jackc/pgx/v5", &["context"]),
        ("github.com/jackc/pgx/v5/stdlib", &["context"]),
    ];

    /// Built-in aspects may leave their imports out of the key only if
    /// every package they can instrument imports those packages itself.
    #[test]
    fn builtin_imports_are_their_targets_own() {
        let config = crate::config::Config {
            aspect_files: vec![],
            strict: false,
            disabled: vec![],
            stderr_log: 0,
            module_path: None,
            vendored: None,
        };
        for a in crate::aspect::load(&config).unwrap().iter().filter(|a| a.builtin) {
            let needed: Vec<&str> = a.package_paths().filter(|p| !supportlib::is_support(p) && *p != "unsafe").collect();
            if needed.is_empty() {
                continue;
            }
            let targets: Vec<String> =
                a.join.atoms().into_iter().filter_map(|at| if let Atom::Package(p) = at { Some(p.clone()) } else { None }).collect();
            assert!(!targets.is_empty(), "{}: imports {needed:?} but may apply to any package", a.id);
            for t in targets {
                assert!(!t.contains("..."), "{}: targets a pattern", a.id);
                let imports = match OUTSIDE_STD_IMPORTS.iter().find(|(p, _)| *p == t) {
                    Some((_, list)) => list.join("\n"),
                    None => {
                        let out = Command::new("go").args(["list", "-f", "{{join .Imports \"\\n\"}}", &t]).output().unwrap();
                        if !out.status.success() && t.split('/').next().is_some_and(|e| e.contains('.')) {
                            // A module's package, not resolvable here (its
                            // script checks): it may get standard packages,
                            // which the toolchain's version keys and which
                            // cannot import it back.
                            for p in &needed {
                                assert!(!p.split('/').next().unwrap_or("").contains('.'), "{}: {t} gets {p}", a.id);
                            }
                            continue;
                        }
                        String::from_utf8_lossy(&out.stdout).into_owned()
                    }
                };
                for p in &needed {
                    assert!(imports.lines().any(|l| l == *p), "{}: {t} does not import {p}", a.id);
                }
            }
        }
    }
}

//! Build script: stamps the binary with a hash of everything that decides
//! rtool's output (its Rust sources, the Go sources it embeds, the manifest
//! and lock file). The hash becomes part of every `-V=full` answer, so a new
//! rtool build invalidates the objects an older one produced, while a rebuild
//! of identical sources keeps the Go build cache warm.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("src"), &mut files);
    for name in ["Cargo.toml", "Cargo.lock"] {
        let p = root.join(name);
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();

    let mut h = Sha256::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        let bytes = fs::read(f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        // Length-prefixed so that moving bytes between files changes the hash.
        h.update(rel.to_string_lossy().as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=RTOOL_BUILD_HASH={hex}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

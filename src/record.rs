//! The build record: what one go command's build is configured with — the
//! aspect configuration, the go command's package-affecting flags and
//! package arguments, and the hash of injected packages (`cachekey/injected.rs`).
//! It is made once, by the first rtool process of the go command (its
//! `-V=full` probe, which comes before any compile), and every later process of that go command reads
//! the same record: so the cache key the go command got and the compiles
//! it stores under that key agree, even when an aspect file is edited while
//! the build runs.
//!
//! Records of outer go commands live in rtool's state directory, one file
//! per go process (`outer_go::GoCommand::key`), written once (first writer
//! wins) and removed once their process is gone. Nested go commands that
//! rtool starts read the outer build's record from the coordinator.

use crate::aspect;
use crate::cachekey::injected;
use crate::config::Config;
use crate::coord::Coord;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::frame;
use crate::outer_go::GoCommand;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub config: Config,
    /// The go command's package-affecting flags (`outer_go::kept_flags`), or
    /// why they cannot be known; needed only when advice injects packages.
    pub flags: std::result::Result<Vec<String>, String>,
    /// The go command's package arguments (what `-pgo=auto` looks at).
    pub packages: Vec<String>,
    /// The hash of packages advice injects from outside the support
    /// library, if it injects any.
    pub injected: Option<[u8; 32]>,
}

impl Record {
    /// The record of the build this process belongs to.
    pub fn for_build(ctx: &Ctx, coord: Option<&Coord>) -> Result<Record> {
        let Some(coord) = coord else { return Record::for_go_command(ctx) };
        let bytes = coord.memo("record", || Ok(Record::for_go_command(ctx)?.encode()))?;
        Record::decode(&bytes).ok_or_else(|| Error::failed(format!("corrupt build record in {}", coord.root().display())))
    }

    /// What goes into the cache key: the configuration and the injected
    /// packages' hash.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"rtool-record-v1\0");
        h.update(self.config.fingerprint());
        if let Some(d) = &self.injected {
            h.update(b"injected\0");
            h.update(d);
        }
        h.finalize().into()
    }

    /// The flags, or an error saying why rtool cannot build injected
    /// packages the way this build does.
    pub fn flags(&self) -> Result<&[String]> {
        self.flags.as_deref().map_err(|why| Error::failed(format!("cannot build injected packages the way this go command builds: {why}")))
    }

    /// The flags a nested go command builds with: [`Record::flags`] with
    /// the profile-guided optimization spelled out (`pgo.rs`), found once
    /// per build and only when a nested build needs it (with `-pgo=auto`
    /// it takes a go list).
    pub fn nested_flags(&self, ctx: &Ctx, coord: &Coord) -> Result<Vec<String>> {
        let flags = self.flags()?;
        let key = format!("pgo\0{}\0{}", flags.join(" "), self.packages.join(" "));
        let out = coord.once(&key, || {
            let nested = crate::pgo::nested_flags(ctx, flags, &self.packages)
                .map_err(|why| Error::failed(format!("cannot build injected packages the way this go command builds: {why}")))?;
            Ok(nested.join("\n").into_bytes())
        })?;
        Ok(String::from_utf8_lossy(&out).split('\n').filter(|f| !f.is_empty()).map(str::to_string).collect())
    }

    /// The record of the go command running this process: read if one of
    /// its tools made it already, else made now.
    fn for_go_command(ctx: &Ctx) -> Result<Record> {
        let cmd = GoCommand::find(ctx);
        let (Ok(go), Some(dir)) = (&cmd, state_dir(ctx)) else { return Record::make(ctx, cmd.as_ref()) };
        let path = dir.join(&go.key);
        if let Some(r) = fs::read(&path).ok().and_then(|b| Record::decode(&b)) {
            return Ok(r);
        }
        ctx.log.debug(|| format!("making the build record of go command {}", go.key));
        let record = Record::make(ctx, Ok(go))?;
        // A state directory that cannot be written costs the sharing, not
        // the build: each tool then makes its own record.
        let stored = fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e)).and_then(|()| store_new(&path, &record.encode()));
        match stored {
            Ok(true) => {
                prune(&dir);
                return Ok(record);
            }
            Ok(false) => {}
            Err(e) => {
                ctx.log.debug(|| format!("build record not shared: {e}"));
                return Ok(record);
            }
        }
        // Another tool of the same go command stored one first: use it.
        fs::read(&path)
            .ok()
            .and_then(|b| Record::decode(&b))
            .ok_or_else(|| Error::failed(format!("corrupt build record {}", path.display())))
    }

    fn make(ctx: &Ctx, cmd: std::result::Result<&GoCommand, &Error>) -> Result<Record> {
        let config = Config::load(ctx)?;
        // Broken aspect files are reported here, before any compile, with
        // their positions (the built-in ones are known good: not parsed).
        let aspects = aspect::load_user(&config)?;
        let builtin_on = !config.disabled.iter().any(|d| d == "all");
        if !builtin_on && !aspects.iter().any(aspect::Aspect::adds_packages) {
            return Ok(Record { config, flags: Ok(vec![]), packages: vec![], injected: None });
        }
        let (flags, packages) = match cmd {
            Ok(go) => match go.kept_flags() {
                Ok(f) => (Ok(f), go.packages()),
                Err(e) => (Err(e.message().to_string()), vec![]),
            },
            Err(e) => (Err(e.message().to_string()), vec![]),
        };
        let outside = injected::outside_paths(&aspects);
        let injected = if outside.is_empty() {
            None
        } else {
            let flags = flags.as_deref().map_err(|why| {
                Error::failed(format!("cannot hash the packages advice injects ({}) for the cache key: {why}", outside.join(", ")))
            })?;
            Some(injected::digest(ctx, flags, &outside)?)
        };
        Ok(Record { config, flags, packages, injected })
    }

    /// Bytes with a checksum, so a damaged file is never trusted.
    fn encode(&self) -> Vec<u8> {
        let flags = match &self.flags {
            Ok(f) => format!("+{}", f.join("\n")),
            Err(why) => format!("!{why}"),
        };
        let mut w = frame::Writer::new();
        w.bytes(&self.config.encode()).str(&flags).str(&self.packages.join("\n"));
        if let Some(d) = &self.injected {
            w.raw(d);
        }
        let body = w.finish();
        let mut out = Sha256::digest(&body).to_vec();
        out.extend_from_slice(&body);
        out
    }

    fn decode(bytes: &[u8]) -> Option<Record> {
        let (sum, body) = bytes.split_at_checked(32)?;
        if Sha256::digest(body).as_slice() != sum {
            return None;
        }
        let mut r = frame::Reader::new(body);
        let config = Config::decode(r.bytes()?)?;
        let flags = r.str()?;
        let flags = match flags.split_at_checked(1)? {
            ("+", "") => Ok(vec![]),
            ("+", list) => Ok(list.split('\n').map(str::to_string).collect()),
            ("!", why) => Err(why.to_string()),
            _ => return None,
        };
        let packages = r.str()?.split('\n').filter(|p| !p.is_empty()).map(str::to_string).collect();
        let injected = match r.rest().len() {
            0 => None,
            32 => Some(r.rest().try_into().ok()?),
            _ => return None,
        };
        Some(Record { config, flags, packages, injected })
    }
}

/// Where records of outer go commands live: rtool's user cache, else a
/// per-user directory under the system's temporary directory.
fn state_dir(ctx: &Ctx) -> Option<PathBuf> {
    match &ctx.cache {
        Some(c) => Some(c.dir().join("builds")),
        None => {
            let uid = fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).ok()?;
            Some(std::env::temp_dir().join(format!("rtool-{uid}")).join("builds"))
        }
    }
}

/// Writes `path` unless it exists (true if this call wrote it): a
/// temporary file hard-linked into place, which fails if another process
/// got there first.
fn store_new(path: &Path, bytes: &[u8]) -> Result<bool> {
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    fs::write(&tmp, bytes).map_err(|e| Error::io("writing", &tmp, e))?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io("storing build record", path, e)),
    }
}

/// Removes records of go processes that have ended (`PID-…`, no
/// `/proc/PID`) and are more than a minute old; without /proc, those older
/// than a day.
fn prune(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let proc_fs = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let age = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok()).unwrap_or_default();
        let pid = name.split('-').next().unwrap_or("");
        let gone = if proc_fs { age.as_secs() > 60 && !Path::new("/proc").join(pid).exists() } else { age.as_secs() > 86_400 };
        if gone {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            aspect_files: vec![],
            strict: true,
            disabled: vec!["all".into()],
            stderr_log: 0,
            module_path: Some("example.com/m".into()),
            vendored: None,
        }
    }

    #[test]
    fn round_trip_and_damage() {
        for r in [
            Record { config: config(), flags: Ok(vec![]), packages: vec![], injected: None },
            Record {
                config: config(),
                flags: Ok(vec!["-race".into(), "-tags=a".into()]),
                packages: vec!["./cmd/x".into(), "main.go".into()],
                injected: Some([3; 32]),
            },
            Record { config: config(), flags: Err("no go command".into()), packages: vec![], injected: None },
        ] {
            let bytes = r.encode();
            assert_eq!(Record::decode(&bytes), Some(r.clone()));
            for cut in [0, 10, 40, bytes.len() - 1] {
                assert_eq!(Record::decode(&bytes[..cut]), None, "cut at {cut}");
            }
            let mut flipped = bytes.clone();
            *flipped.last_mut().unwrap() ^= 1;
            assert_eq!(Record::decode(&flipped), None);
        }
    }

    #[test]
    fn the_key_follows_the_configuration_and_the_injected_hash() {
        let a = Record { config: config(), flags: Ok(vec![]), packages: vec![], injected: None };
        let with_flags = Record { flags: Ok(vec!["-race".into()]), ..a.clone() };
        assert_eq!(a.fingerprint(), with_flags.fingerprint(), "flags reach the key through the injected hash only");
        let injected = Record { injected: Some([1; 32]), ..a.clone() };
        assert_ne!(a.fingerprint(), injected.fingerprint());
        assert_ne!(injected.fingerprint(), Record { injected: Some([2; 32]), ..a.clone() }.fingerprint());
    }

    #[test]
    fn the_first_record_stored_wins() {
        let dir = std::env::temp_dir().join(format!("rtool-record-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("123-456");
        assert!(store_new(&path, b"first").unwrap());
        assert!(!store_new(&path, b"second").unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"first");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        fs::remove_dir_all(&dir).unwrap();
    }
}

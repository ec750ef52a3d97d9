//! The build-cache key: rtool's answer to `TOOL -V=full`.
//!
//! The go command hashes each tool's `-V=full` line into every action ID,
//! asking once per tool per go process. rtool answers for the tools whose
//! output it can change with the real line plus
//! ` +rtool buildID=_/_/_/HASH`: a release toolchain uses the whole line, a
//! devel toolchain only HASH (the text after the last `/` of a last field
//! starting `buildID=`), so HASH covers the real line as well. HASH also
//! covers rtool's version and build and the build record's fingerprint
//! (the configuration, and what advice injects: `record.rs`,
//! `injected`), and nothing else: the same inputs give the same key, so the cache stays
//! warm, and a plain go build never shares an object with an rtool build.

use crate::args::ToolCall;
use crate::build::Build;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::exec;
use crate::frame;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};
pub mod injected;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Hash of rtool's sources, embedded Go sources included (src/build_hash.rs).
pub const BUILD_HASH: &str = env!("RTOOL_BUILD_HASH");

/// Tools whose output rtool can change. Others keep their own identity, so
/// their outputs stay shared with plain builds.
pub const ALTERED_TOOLS: &[&str] = &["compile", "link"];

pub fn alters(tool: &str) -> bool {
    ALTERED_TOOLS.contains(&tool)
}

/// Prints rtool's version of the real tool's `-V=full` line.
/// The first probe of a go command makes its build record (opening the
/// `Build` does, reporting broken aspect files with their positions); the
/// compiles read it.
pub fn answer(build: &Build, call: &ToolCall) -> Result<u8> {
    let ctx = build.ctx;
    let real = match real_line(ctx, call)? {
        Ok(line) => line,
        Err(code) => return Ok(code),
    };
    let line = tool_id(&real, &build.record.fingerprint());
    ctx.log.debug(|| format!("-V=full -> {line} ({} aspect files)", build.record.config.aspect_files.len()));
    writeln!(std::io::stdout().lock(), "{line}").map_err(|e| Error::failed(format!("writing -V=full answer: {e}")))?;
    Ok(0)
}

/// The real tool's `-V=full` line, or the exit code to leave with if the
/// tool failed (its output passed on). Kept in the user cache under the
/// tool binary's identity and the `GO*` environment (GOOS, GOARCH and
/// GOEXPERIMENT shape the line), because running the tool costs more than
/// everything else rtool does for the probe.
fn real_line(ctx: &Ctx, call: &ToolCall) -> Result<Result<String, u8>> {
    let key = line_cache_key(ctx, call);
    if let (Some(cache), Some(key)) = (&ctx.cache, &key)
        && let Some(line) = cache.read("toolid", key).and_then(|b| String::from_utf8(b).ok())
    {
        return Ok(Ok(line));
    }
    let out = Command::new(&call.path)
        .args(&call.args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::failed(format!("running {} -V=full: {e}", call.path.to_string_lossy())))?;
    if !out.status.success() {
        let _ = std::io::stdout().lock().write_all(&out.stdout);
        return Ok(Err(exec::mirror_exit(out.status)));
    }
    let line = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
    if let (Some(cache), Some(key)) = (&ctx.cache, &key)
        && let Err(e) = cache.write("toolid", key, line.as_bytes())
    {
        ctx.log.debug(|| format!("not caching the -V=full line: {e}"));
    }
    Ok(Ok(line))
}

/// Identifies a tool binary and the environment it reads, or None when the
/// binary cannot be stat'ed (then the tool runs every time).
fn line_cache_key(ctx: &Ctx, call: &ToolCall) -> Option<String> {
    let path = std::path::Path::new(&call.path);
    if !path.is_absolute() {
        return None;
    }
    let m = std::fs::metadata(path).ok()?;
    let mut h = Sha256::new();
    h.update(call.path.as_encoded_bytes());
    h.update(b"\0");
    for n in [m.dev(), m.ino(), m.len(), m.mtime() as u64, m.mtime_nsec() as u64, m.ctime() as u64, m.ctime_nsec() as u64] {
        h.update(n.to_le_bytes());
    }
    for (k, v) in &ctx.go_vars {
        frame::hash_field(&mut h, k.as_encoded_bytes());
        frame::hash_field(&mut h, v.as_encoded_bytes());
    }
    Some(frame::hex(&h.finalize()[..20]))
}

/// The tool ID line: the real `-V=full` line extended with rtool's hash.
pub fn tool_id(real_line: &str, record_fingerprint: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    for part in [b"rtool-tool-id-v1".as_slice(), VERSION.as_bytes(), BUILD_HASH.as_bytes(), real_line.as_bytes()] {
        frame::hash_field(&mut h, part);
    }
    h.update(record_fingerprint);
    let digest = h.finalize();
    let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..18]);
    format!("{real_line} +rtool buildID=_/_/_/{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What cmd/go's `toolID` (work/buildid.go) takes from a line.
    fn go_tool_id(name: &str, line: &str) -> Option<String> {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 || f[0] != name || f[1] != "version" {
            return None;
        }
        if f[2].contains("devel") {
            let last = f[f.len() - 1];
            return last.strip_prefix("buildID=").map(|id| id.rsplit('/').next().unwrap_or(id).to_string());
        }
        Some(line.trim().to_string())
    }

    #[test]
    fn accepted_by_release_and_devel_toolchains() {
        let fp = [7u8; 32];
        let release = tool_id("compile version go1.26.8", &fp);
        assert!(release.starts_with("compile version go1.26.8 +rtool buildID=_/_/_/"));
        assert_eq!(go_tool_id("compile", &release).as_deref(), Some(release.as_str()));

        let devel_line = "compile version devel go1.27-abc buildID=aaa/bbb/ccc/ddd";
        let devel = tool_id(devel_line, &fp);
        let id = go_tool_id("compile", &devel).expect("devel line parses");
        // On devel toolchains only HASH counts, so it must follow the real ID.
        let other = tool_id("compile version devel go1.27-abc buildID=aaa/bbb/ccc/eee", &fp);
        assert_ne!(go_tool_id("compile", &other).unwrap(), id);
        assert!(!id.contains('/') && id.len() == 24, "{id}");
    }

    #[test]
    fn hash_follows_the_real_line_and_the_config_only() {
        let a = tool_id("compile version go1.26.8", &[0; 32]);
        assert_eq!(a, tool_id("compile version go1.26.8", &[0; 32]));
        assert_ne!(a, tool_id("compile version go1.26.8", &[1; 32]));
        assert_ne!(a.rsplit('/').next(), tool_id("compile version go1.26.8 X:fieldtrack", &[0; 32]).rsplit('/').next());
    }
}

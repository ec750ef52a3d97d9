//! The build-cache key: rtool's answer to `TOOL -V=full`.
//!
//! The go command hashes each tool's `-V=full` line into every action ID
//! (toolchain facts §2), once per tool per go process. rtool answers for the
//! tools whose output it can change with the real line plus
//! ` +rtool buildID=_/_/_/HASH`: a release toolchain uses the whole line, a
//! devel toolchain only HASH (the text after the last `/` of a last field
//! starting `buildID=`), so HASH covers the real line as well. HASH also
//! covers rtool's version and build and the configuration's fingerprint,
//! and nothing else: the same inputs give the same key, so the cache stays
//! warm, and a plain go build never shares an object with an rtool build.

use crate::args::ToolCall;
use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::exec;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::process::{Command, Stdio};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Hash of rtool's sources, embedded Go sources included (src/build.rs).
pub const BUILD_HASH: &str = env!("RTOOL_BUILD_HASH");

/// Tools whose output rtool can change. Others keep their own identity, so
/// their outputs stay shared with plain builds.
pub const ALTERED_TOOLS: &[&str] = &["compile", "link"];

pub fn alters(tool: &str) -> bool {
    ALTERED_TOOLS.contains(&tool)
}

/// Runs the real `TOOL -V=full` and prints rtool's version of its line.
pub fn answer(ctx: &Ctx, call: &ToolCall) -> Result<u8> {
    let out = Command::new(&call.path)
        .args(&call.args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::failed(format!("running {} -V=full: {e}", call.path.to_string_lossy())))?;
    let mut stdout = std::io::stdout().lock();
    if !out.status.success() {
        let _ = stdout.write_all(&out.stdout);
        return Ok(exec::mirror_exit(out.status));
    }
    let real = String::from_utf8_lossy(&out.stdout);
    let config = Config::load(ctx)?;
    let line = tool_id(real.trim_end(), &config.fingerprint());
    ctx.log.debug(|| format!("-V=full -> {line} ({} aspect files)", config.aspect_files.len()));
    writeln!(stdout, "{line}").map_err(|e| Error::failed(format!("writing -V=full answer: {e}")))?;
    Ok(0)
}

/// The tool ID line: the real `-V=full` line extended with rtool's hash.
pub fn tool_id(real_line: &str, config_fingerprint: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    for part in [b"rtool-tool-id-v1".as_slice(), VERSION.as_bytes(), BUILD_HASH.as_bytes(), real_line.as_bytes()] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(config_fingerprint);
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
        assert_ne!(
            a.rsplit('/').next(),
            tool_id("compile version go1.26.8 X:fieldtrack", &[0; 32]).rsplit('/').next()
        );
    }
}

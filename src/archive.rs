//! The Unix `ar` archives the Go compiler writes (`-pack`): reading one
//! member and appending one, in the go tool's own format (`cmd/internal/
//! archive`): `!<arch>\n`, then per member a 60-byte header
//! `%-16s%-12d%-6d%-6d%-8o%-10d` + "`\n", the data, and a zero byte when
//! the size is odd. Names are at most 16 bytes, with no long-name table.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"!<arch>\n";
const HEADER: usize = 60;

/// The data of member `name` of the archive at `path`, if it has one.
pub fn read_member(path: &Path, name: &str) -> Result<Option<Vec<u8>>> {
    let err = |e: std::io::Error| Error::io("reading archive", path, e);
    let mut f = File::open(path).map_err(err)?;
    let mut magic = [0u8; 8];
    f.read_exact(&mut magic).map_err(err)?;
    if &magic != MAGIC {
        return Err(Error::failed(format!("{}: not an archive", path.display())));
    }
    let len = f.metadata().map_err(err)?.len();
    let mut pos = 8u64;
    let mut header = [0u8; HEADER];
    while pos + HEADER as u64 <= len {
        f.seek(SeekFrom::Start(pos)).map_err(err)?;
        f.read_exact(&mut header).map_err(err)?;
        let size = parse_size(&header).ok_or_else(|| Error::failed(format!("{}: corrupt archive header at {pos}", path.display())))?;
        let member = std::str::from_utf8(&header[..16]).unwrap_or("").trim_end();
        if member == name {
            let mut data = vec![0u8; size as usize];
            f.read_exact(&mut data).map_err(err)?;
            return Ok(Some(data));
        }
        pos += HEADER as u64 + size + (size & 1);
    }
    Ok(None)
}

fn parse_size(header: &[u8; HEADER]) -> Option<u64> {
    if &header[58..60] != b"`\n" {
        return None;
    }
    std::str::from_utf8(&header[48..58]).ok()?.trim().parse().ok()
}

/// Appends member `name` (at most 16 bytes) with `data` to the archive.
pub fn append_member(path: &Path, name: &str, data: &[u8]) -> Result<()> {
    debug_assert!(name.len() <= 16, "archive member names have at most 16 bytes");
    let err = |e: std::io::Error| Error::io("appending to archive", path, e);
    let mut f = OpenOptions::new().read(true).append(true).open(path).map_err(err)?;
    let mut magic = [0u8; 8];
    f.read_exact(&mut magic).map_err(err)?;
    if &magic != MAGIC {
        return Err(Error::failed(format!("{}: not an archive", path.display())));
    }
    let mut out = format!("{name:<16}{:<12}{:<6}{:<6}{:<8o}{:<10}`\n", 0, 0, 0, 0o644, data.len()).into_bytes();
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    f.write_all(&out).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_reads_back_like_go_tool_pack() {
        let dir = std::env::temp_dir().join(format!("rtool-ar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("x.a");
        // An archive with one odd-sized member, as compile -pack starts.
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(format!("{:<16}{:<12}{:<6}{:<6}{:<8o}{:<10}`\n", "__.PKGDEF", 0, 0, 0, 0o644, 3).as_bytes());
        bytes.extend_from_slice(b"abc\0");
        std::fs::write(&a, &bytes).unwrap();
        append_member(&a, "link.deps", b"example.com/extra\nexpvar\n").unwrap();
        let got = std::fs::read(&a).unwrap();
        // The header as `go tool pack r` writes it.
        assert_eq!(&got[72..132], b"link.deps       0           0     0     644     25        `\n".as_slice());
        assert_eq!(got.len(), 132 + 26);
        assert_eq!(read_member(&a, "link.deps").unwrap().unwrap(), b"example.com/extra\nexpvar\n");
        assert_eq!(read_member(&a, "__.PKGDEF").unwrap().unwrap(), b"abc");
        assert_eq!(read_member(&a, "nope").unwrap(), None);
        std::fs::write(&a, b"not an archive").unwrap();
        assert!(read_member(&a, "x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

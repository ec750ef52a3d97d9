//! Length-prefixed framing and hex: the one way rtool's binary forms (the
//! build record, the configuration, the aspects memo) write fields and read
//! them back, and the one way a hash takes a field, so that bytes cannot
//! move from one field to the next unnoticed. Integers are little-endian;
//! a field is its length as a u64, then its bytes.

use sha2::Digest;

/// Builds a binary form field by field.
#[derive(Default)]
pub struct Writer(Vec<u8>);

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A length-prefixed field.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(&(b.len() as u64).to_le_bytes());
        self.0.extend_from_slice(b);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Bytes with no length before them (a fixed-size tail).
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// Reads what a [`Writer`] wrote; every read is None on input too short.
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader(bytes)
    }

    pub fn u8(&mut self) -> Option<u8> {
        let (&v, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(v)
    }

    pub fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*head))
    }

    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let (len, tail) = self.0.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        let (part, rest) = tail.split_at_checked(len)?;
        self.0 = rest;
        Some(part)
    }

    pub fn str(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }

    /// What is left unread.
    pub fn rest(&self) -> &'a [u8] {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Feeds one length-prefixed field to a hash.
pub fn hash_field(h: &mut impl Digest, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_and_short_input_is_refused() {
        let mut w = Writer::new();
        w.u8(7).u32(70_000).str("héllo").bytes(b"").raw(b"xy");
        let bytes = w.finish();
        let mut r = Reader::new(&bytes);
        assert_eq!((r.u8(), r.u32(), r.str().as_deref(), r.bytes()), (Some(7), Some(70_000), Some("héllo"), Some(&b""[..])));
        assert_eq!(r.rest(), b"xy");
        // Cut inside the string: its length says more than there is.
        let short = &bytes[..1 + 4 + 8 + 3];
        let mut r = Reader::new(short);
        assert_eq!((r.u8(), r.u32(), r.str()), (Some(7), Some(70_000), None));
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }
}

//! Bounds-checked reading and writing of the compact binary layouts.
//!
//! Every decoder reads untrusted bytes from a code or a QR frame; this reader turns
//! every short or malformed read into a [`FormatError`] instead of a panic.

use thiserror::Error;

/// Why a binary layout could not be read. Internal detail behind `CodeError::Invalid`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormatError {
    /// The input ended before the field.
    #[error("the data ends too early (reading {0})")]
    Truncated(&'static str),
    /// A field holds a value the format does not allow.
    #[error("invalid value for {0}")]
    Invalid(&'static str),
    /// Bytes were left after the last field.
    #[error("unexpected bytes after the end")]
    TrailingBytes,
}

/// A cursor over untrusted bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Everything read so far (used to bind a header as associated data).
    pub fn consumed(&self) -> &'a [u8] {
        &self.data[..self.pos]
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FormatError> {
        if self.remaining() < n {
            return Err(FormatError::Truncated(what));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Takes everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = &self.data[self.pos..];
        self.pos = self.data.len();
        out
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, FormatError> {
        Ok(self.take(1, what)?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, FormatError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, FormatError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// Reads a big-endian u64.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, FormatError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// Reads bytes prefixed by a one-byte length.
    pub fn short_bytes(&mut self, what: &'static str) -> Result<&'a [u8], FormatError> {
        let len = self.u8(what)? as usize;
        self.take(len, what)
    }

    /// Reads a UTF-8 string prefixed by a one-byte length.
    pub fn short_str(&mut self, what: &'static str) -> Result<&'a str, FormatError> {
        std::str::from_utf8(self.short_bytes(what)?).map_err(|_| FormatError::Invalid(what))
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), FormatError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(FormatError::TrailingBytes)
        }
    }
}

/// Appends fields to a growing buffer, mirroring [`Reader`].
pub trait WriteExt {
    /// Appends bytes prefixed by a one-byte length; fails if longer than 255.
    fn put_short_bytes(&mut self, bytes: &[u8], what: &'static str) -> Result<(), FormatError>;
}

impl WriteExt for Vec<u8> {
    fn put_short_bytes(&mut self, bytes: &[u8], what: &'static str) -> Result<(), FormatError> {
        let len = u8::try_from(bytes.len()).map_err(|_| FormatError::Invalid(what))?;
        self.push(len);
        self.extend_from_slice(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_reads_are_errors_not_panics() {
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(r.u16("a"), Ok(0x0102));
        assert_eq!(r.u8("b"), Err(FormatError::Truncated("b")));
        let mut r = Reader::new(&[5, 1]);
        assert_eq!(r.short_bytes("s"), Err(FormatError::Truncated("s")));
    }
}

//! The bytes of the value encoding (see [`crate::codec`]): numbers,
//! lengths, case indexes, tags, strings, chars, flags and floats, read from
//! a [`Cursor`] and appended with the `write_` functions.
//!
//! This file needs nothing but `std` and Rust 2021: compwrap's generated
//! guests compile the same file, so both ends of a call read and write one
//! format.

use std::fmt;

/// Bytes that are not a valid encoding of the expected type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the input the problem is.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// Reads the parts of values from a byte slice.
#[derive(Clone)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, offset: 0 }
    }

    /// How many bytes are left.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.offset
    }

    /// The offset of the next byte.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// An error at the current offset.
    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.offset,
            message: message.into(),
        }
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.error(format!("{n} bytes left over after the last value"))),
        }
    }

    /// The next `n` bytes.
    #[inline]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.error(format!("{n} bytes expected, {} left", self.remaining())));
        }
        let bytes = &self.bytes[self.offset..self.offset + n];
        self.offset += n;
        Ok(bytes)
    }

    /// The next byte.
    #[inline]
    pub fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.bytes(1)?[0])
    }

    /// An unsigned LEB128 number of at most `bits` bits (`core:uN`).
    #[inline]
    pub fn uleb(&mut self, bits: u32) -> Result<u64, DecodeError> {
        // One byte, the common case. (Guests compile this file as Rust
        // 2021: no `let` chains.)
        match self.bytes.get(self.offset) {
            Some(&byte) if byte < 0x80 => {
                self.offset += 1;
                Ok(u64::from(byte))
            }
            _ => self.uleb_long(bits),
        }
    }

    fn uleb_long(&mut self, bits: u32) -> Result<u64, DecodeError> {
        let start = self.offset;
        let max_bytes = bits.div_ceil(7);
        let mut value = 0u64;
        for i in 0..max_bytes {
            let byte = self.byte()?;
            let shift = 7 * i;
            let payload = u64::from(byte & 0x7f);
            let last = byte & 0x80 == 0;
            if i + 1 == max_bytes {
                // The unused bits of the last possible byte must be zero.
                let used = bits - shift;
                if !last || (used < 7 && payload >> used != 0) {
                    self.offset = start;
                    return Err(self.error(format!("u{bits} out of range or too long")));
                }
            }
            value |= payload << shift;
            if last {
                return Ok(value);
            }
        }
        unreachable!("the last byte ends the number")
    }

    /// A signed LEB128 number of at most `bits` bits (`core:sN`).
    pub fn sleb(&mut self, bits: u32) -> Result<i64, DecodeError> {
        let start = self.offset;
        let max_bytes = bits.div_ceil(7);
        let mut value = 0i64;
        for i in 0..max_bytes {
            let byte = self.byte()?;
            let shift = 7 * i;
            let last = byte & 0x80 == 0;
            if i + 1 == max_bytes {
                // The unused bits of the last possible byte must extend the
                // sign bit.
                let used = bits - shift;
                let payload = (byte & 0x7f) as i8;
                let extended = ((payload << 1) >> 1) >> (used - 1).min(6);
                if !last || (used < 7 && extended != 0 && extended != -1) {
                    self.offset = start;
                    return Err(self.error(format!("s{bits} out of range or too long")));
                }
            }
            value |= i64::from(byte & 0x7f) << shift;
            if last {
                let end = shift + 7;
                if end < 64 && byte & 0x40 != 0 {
                    value |= -1i64 << end;
                }
                return Ok(value);
            }
        }
        unreachable!("the last byte ends the number")
    }

    /// A list's or string's length: a `u32` no larger than the bytes left
    /// (every element takes at least one byte).
    #[inline]
    pub fn length(&mut self) -> Result<usize, DecodeError> {
        let n = self.uleb(32)? as usize;
        if n > self.remaining() {
            return Err(self.error(format!(
                "a length of {n} exceeds the {} bytes left",
                self.remaining()
            )));
        }
        Ok(n)
    }

    /// A variant's or enum's case index, checked against `cases`.
    #[inline]
    pub fn case(&mut self, cases: u32) -> Result<u32, DecodeError> {
        let start = self.offset;
        let case = self.uleb(32)? as u32;
        if case >= cases {
            self.offset = start;
            return Err(self.error(format!("case {case} of a type with {cases} cases")));
        }
        Ok(case)
    }

    /// An option's or result's tag: `false` for `0x00`, `true` for `0x01`.
    #[inline]
    pub fn tag(&mut self) -> Result<bool, DecodeError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            other => {
                self.offset -= 1;
                Err(self.error(format!("tag {other:#04x}, expected 0x00 or 0x01")))
            }
        }
    }

    /// A string.
    #[inline]
    pub fn string(&mut self) -> Result<&'a str, DecodeError> {
        let n = self.length()?;
        let start = self.offset;
        let bytes = self.bytes(n)?;
        std::str::from_utf8(bytes).map_err(|e| DecodeError {
            offset: start + e.valid_up_to(),
            message: "a string that is not UTF-8".into(),
        })
    }

    /// A `char`: its UTF-8 bytes.
    pub fn char(&mut self) -> Result<char, DecodeError> {
        let first = *self
            .bytes
            .get(self.offset)
            .ok_or_else(|| self.error("a char expected, none left"))?;
        let n = match first {
            0x00..=0x7f => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return Err(self.error("a char that is not UTF-8")),
        };
        let start = self.offset;
        let bytes = self.bytes(n)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.chars().next().expect("n >= 1")),
            Err(_) => {
                self.offset = start;
                Err(self.error("a char that is not UTF-8"))
            }
        }
    }

    /// Flags of `labels` labels: ⌈labels/8⌉ bytes, as bits from the lowest.
    pub fn flags(&mut self, labels: u32) -> Result<u64, DecodeError> {
        let n = labels.div_ceil(8) as usize;
        let start = self.offset;
        let bytes = self.bytes(n)?;
        let mut bits = 0u64;
        for (i, byte) in bytes.iter().enumerate() {
            bits |= u64::from(*byte) << (8 * i);
        }
        if labels < 64 && bits >> labels != 0 {
            self.offset = start;
            return Err(self.error(format!("a flag beyond the {labels} labels is set")));
        }
        Ok(bits)
    }

    /// An `f32`; every NaN reads as the canonical NaN.
    pub fn f32(&mut self) -> Result<f32, DecodeError> {
        let bytes = self.bytes(4)?;
        let v = f32::from_le_bytes(bytes.try_into().expect("4 bytes"));
        Ok(if v.is_nan() { f32::NAN } else { v })
    }

    /// An `f64`; every NaN reads as the canonical NaN.
    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        let bytes = self.bytes(8)?;
        let v = f64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        Ok(if v.is_nan() { f64::NAN } else { v })
    }
}

/// Appends an unsigned LEB128 number.
#[inline]
pub fn write_uleb(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends a signed LEB128 number.
pub fn write_sleb(mut value: i64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends a list's or string's length.
///
/// # Panics
///
/// If `n` does not fit in a `u32`, which the component model does not
/// allow.
#[inline]
pub fn write_len(n: usize, out: &mut Vec<u8>) {
    let n = u32::try_from(n).expect("lists and strings have fewer than 2^32 elements");
    write_uleb(u64::from(n), out);
}

/// Appends a variant's or enum's case index.
#[inline]
pub fn write_case(case: u32, out: &mut Vec<u8>) {
    write_uleb(u64::from(case), out);
}

/// Appends a string.
#[inline]
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    write_len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

/// Appends flags of `labels` labels from their bits.
pub fn write_flags(bits: u64, labels: u32, out: &mut Vec<u8>) {
    let n = labels.div_ceil(8) as usize;
    out.extend_from_slice(&bits.to_le_bytes()[..n]);
}

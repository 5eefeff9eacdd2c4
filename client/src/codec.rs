//! The component model's value definition encoding (component-model
//! `Binary.md`, "Value Definitions"), the bytes values cross the runtime's
//! ABI in; it is also wRPC's wire encoding.
//!
//! | WIT | bytes |
//! | --- | --- |
//! | `bool` | `0x00` or `0x01` |
//! | `u8`, `s8` | one byte |
//! | `u16`…`u64` / `s16`…`s64` | unsigned / signed LEB128, at most ⌈N/7⌉ bytes |
//! | `f32`, `f64` | little-endian IEEE 754; every NaN as the canonical NaN |
//! | `char` | its UTF-8 bytes |
//! | `string` | LEB128 `u32` length, then UTF-8 |
//! | `list<T>` | LEB128 `u32` count, then the elements |
//! | record, tuple | the fields in order |
//! | variant, enum | LEB128 `u32` case index, then the case's payload |
//! | `option<T>`, `result<T, E>` | `0x00`/`0x01`, then the payload |
//! | flags | ⌈labels/8⌉ bytes, bit `i mod 8` of byte `i / 8` for label `i` |
//! | `own<R>`, `borrow<R>` | LEB128 `u32` handle into the instance's table |
//!
//! [`Encode`] and [`Decode`] are implemented for the Rust types WIT's
//! types map to (`String`, `Vec<T>`, `Option<T>`, `Result<T, E>`, tuples,
//! integers, floats, `char`, `bool`); typed host crates implement them for
//! records, variants, enums and flags with the helpers here.

use std::fmt;

/// A value that can be written in the value encoding.
pub trait Encode {
    /// Appends the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Appends the encoding of a list of values (count, then elements);
    /// `u8` overrides it to copy the bytes at once.
    #[doc(hidden)]
    fn encode_list(items: &[Self], out: &mut Vec<u8>)
    where
        Self: Sized,
    {
        write_len(items.len(), out);
        for item in items {
            item.encode(out);
        }
    }
}

/// A value that can be read from the value encoding.
pub trait Decode: Sized {
    /// Reads one value from `r`.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Reads a list of values (count, then elements); `u8` overrides it to
    /// copy the bytes at once.
    #[doc(hidden)]
    fn decode_list(r: &mut Reader<'_>) -> Result<Vec<Self>, DecodeError> {
        let n = r.length()?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(Self::decode(r)?);
        }
        Ok(items)
    }
}

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

/// Reads values from a byte slice.
#[derive(Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
    instance: Option<&'a crate::Instance>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            bytes,
            offset: 0,
            instance: None,
        }
    }

    /// A reader of a call's result: resource handles in it belong to
    /// `instance`.
    pub fn with_instance(bytes: &'a [u8], instance: &'a crate::Instance) -> Reader<'a> {
        Reader {
            bytes,
            offset: 0,
            instance: Some(instance),
        }
    }

    /// The instance resource handles belong to, when reading a result.
    pub fn instance(&self) -> Option<&'a crate::Instance> {
        self.instance
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.offset
    }

    /// The offset of the next byte.
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
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.error(format!("{n} bytes expected, {} left", self.remaining())));
        }
        let bytes = &self.bytes[self.offset..self.offset + n];
        self.offset += n;
        Ok(bytes)
    }

    /// The next byte.
    pub fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.bytes(1)?[0])
    }

    /// An unsigned LEB128 number of at most `bits` bits (`core:uN`).
    pub fn uleb(&mut self, bits: u32) -> Result<u64, DecodeError> {
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
pub fn write_len(n: usize, out: &mut Vec<u8>) {
    let n = u32::try_from(n).expect("lists and strings have fewer than 2^32 elements");
    write_uleb(u64::from(n), out);
}

/// Appends a variant's or enum's case index.
pub fn write_case(case: u32, out: &mut Vec<u8>) {
    write_uleb(u64::from(case), out);
}

/// Appends a string.
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    write_len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

/// Appends flags of `labels` labels from their bits.
pub fn write_flags(bits: u64, labels: u32, out: &mut Vec<u8>) {
    let n = labels.div_ceil(8) as usize;
    out.extend_from_slice(&bits.to_le_bytes()[..n]);
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Decode for bool {
    fn decode(r: &mut Reader<'_>) -> Result<bool, DecodeError> {
        r.tag()
    }
}

impl Encode for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }

    fn encode_list(items: &[u8], out: &mut Vec<u8>) {
        write_len(items.len(), out);
        out.extend_from_slice(items);
    }
}

impl Decode for u8 {
    fn decode(r: &mut Reader<'_>) -> Result<u8, DecodeError> {
        r.byte()
    }

    fn decode_list(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
        let n = r.length()?;
        Ok(r.bytes(n)?.to_vec())
    }
}

impl Encode for i8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}

impl Decode for i8 {
    fn decode(r: &mut Reader<'_>) -> Result<i8, DecodeError> {
        Ok(r.byte()? as i8)
    }
}

macro_rules! leb_ints {
    ($($t:ty => $bits:literal, $write:ident, $read:ident, $wide:ty;)*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                $write(<$wide>::from(*self), out);
            }
        }

        impl Decode for $t {
            fn decode(r: &mut Reader<'_>) -> Result<$t, DecodeError> {
                // `uleb`/`sleb` check the range.
                Ok(r.$read($bits)? as $t)
            }
        }
    )*};
}

leb_ints! {
    u16 => 16, write_uleb, uleb, u64;
    u32 => 32, write_uleb, uleb, u64;
    u64 => 64, write_uleb, uleb, u64;
    i16 => 16, write_sleb, sleb, i64;
    i32 => 32, write_sleb, sleb, i64;
    i64 => 64, write_sleb, sleb, i64;
}

impl Encode for f32 {
    fn encode(&self, out: &mut Vec<u8>) {
        let v = if self.is_nan() { f32::NAN } else { *self };
        out.extend_from_slice(&v.to_le_bytes());
    }
}

impl Decode for f32 {
    fn decode(r: &mut Reader<'_>) -> Result<f32, DecodeError> {
        r.f32()
    }
}

impl Encode for f64 {
    fn encode(&self, out: &mut Vec<u8>) {
        let v = if self.is_nan() { f64::NAN } else { *self };
        out.extend_from_slice(&v.to_le_bytes());
    }
}

impl Decode for f64 {
    fn decode(r: &mut Reader<'_>) -> Result<f64, DecodeError> {
        r.f64()
    }
}

impl Encode for char {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut buf = [0; 4];
        out.extend_from_slice(self.encode_utf8(&mut buf).as_bytes());
    }
}

impl Decode for char {
    fn decode(r: &mut Reader<'_>) -> Result<char, DecodeError> {
        r.char()
    }
}

impl Encode for str {
    fn encode(&self, out: &mut Vec<u8>) {
        write_str(self, out);
    }
}

impl Encode for String {
    fn encode(&self, out: &mut Vec<u8>) {
        write_str(self, out);
    }
}

impl Decode for String {
    fn decode(r: &mut Reader<'_>) -> Result<String, DecodeError> {
        r.string().map(str::to_owned)
    }
}

impl<T: Encode> Encode for [T] {
    fn encode(&self, out: &mut Vec<u8>) {
        T::encode_list(self, out);
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        T::encode_list(self, out);
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
        T::decode_list(r)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out);
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out);
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Box<T>, DecodeError> {
        T::decode(r).map(Box::new)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Option<T>, DecodeError> {
        Ok(match r.tag()? {
            false => None,
            true => Some(T::decode(r)?),
        })
    }
}

impl<T: Encode, E: Encode> Encode for Result<T, E> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Ok(v) => {
                out.push(0);
                v.encode(out);
            }
            Err(e) => {
                out.push(1);
                e.encode(out);
            }
        }
    }
}

impl<T: Decode, E: Decode> Decode for Result<T, E> {
    fn decode(r: &mut Reader<'_>) -> Result<Result<T, E>, DecodeError> {
        Ok(match r.tag()? {
            false => Ok(T::decode(r)?),
            true => Err(E::decode(r)?),
        })
    }
}

/// The unit type is the absent payload of `result<_, E>`, `result<T>` and
/// `result`: it takes no bytes.
impl Encode for () {
    fn encode(&self, _out: &mut Vec<u8>) {}
}

impl Decode for () {
    fn decode(_r: &mut Reader<'_>) -> Result<(), DecodeError> {
        Ok(())
    }
}

macro_rules! tuples {
    ($(($($name:ident),+))*) => {$(
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode(out);)+
            }
        }

        impl<$($name: Decode),+> Decode for ($($name,)+) {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(($($name::decode(r)?,)+))
            }
        }
    )*};
}

tuples! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
    (A, B, C, D, E, F, G, H, I)
    (A, B, C, D, E, F, G, H, I, J)
    (A, B, C, D, E, F, G, H, I, J, K)
    (A, B, C, D, E, F, G, H, I, J, K, L)
}

/// Encodes one value into a new buffer.
pub fn to_bytes<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// Decodes one value that must take all of `bytes`.
pub fn from_bytes<T: Decode>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut r = Reader::new(bytes);
    let value = T::decode(&mut r)?;
    r.finish()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_leb128_of_the_core_spec() {
        assert_eq!(to_bytes(&624485u32), [0xe5, 0x8e, 0x26]);
        assert_eq!(to_bytes(&-123456i32), [0xc0, 0xbb, 0x78]);
        assert_eq!(to_bytes(&u64::MAX).len(), 10);
        assert_eq!(to_bytes(&200u8), [200]);
        assert_eq!(to_bytes(&-1i8), [0xff]);
        for v in [0i64, 1, -1, 63, 64, -64, -65, i64::MIN, i64::MAX] {
            assert_eq!(from_bytes::<i64>(&to_bytes(&v)), Ok(v));
        }
        for v in [0i16, -1, i16::MIN, i16::MAX, 8191, -8192, 8192] {
            assert_eq!(from_bytes::<i16>(&to_bytes(&v)), Ok(v));
        }
        for v in [0u32, 127, 128, u32::MAX] {
            assert_eq!(from_bytes::<u32>(&to_bytes(&v)), Ok(v));
        }
    }

    #[test]
    fn out_of_range_and_overlong_numbers_are_refused() {
        // 2^32 as a u32: five bytes whose last has bits beyond 32.
        assert!(from_bytes::<u32>(&[0x80, 0x80, 0x80, 0x80, 0x10]).is_err());
        // Six bytes for a u32.
        assert!(from_bytes::<u32>(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).is_err());
        // 65536 as a u16.
        assert!(from_bytes::<u16>(&[0x80, 0x80, 0x04]).is_err());
        // -32769 as an s16 (the last byte's unused bits are not the sign).
        assert!(from_bytes::<i16>(&[0xff, 0xff, 0x7d]).is_err());
        // i32::MIN - 1.
        assert!(from_bytes::<i32>(&to_bytes(&(i64::from(i32::MIN) - 1))).is_err());
        assert_eq!(
            from_bytes::<i32>(&to_bytes(&i64::from(i32::MIN))),
            Ok(i32::MIN)
        );
        // A number cut short.
        assert!(from_bytes::<u64>(&[0x80]).is_err());
    }

    #[test]
    fn nan_is_canonical_both_ways() {
        let odd_nan = f32::from_bits(0x7fc0_0001);
        assert_eq!(to_bytes(&odd_nan), [0x00, 0x00, 0xc0, 0x7f]);
        assert_eq!(
            to_bytes(&f64::NAN),
            [0, 0, 0, 0, 0, 0, 0xf8, 0x7f],
            "the canonical f64 NaN of Binary.md"
        );
        let read: f32 = from_bytes(&0x7fc0_0001u32.to_le_bytes()).unwrap();
        assert_eq!(read.to_bits(), f32::NAN.to_bits());
    }

    #[test]
    fn strings_chars_lists_and_options_round_trip() {
        let value = (
            "grüße, 世界 🎉".to_string(),
            'é',
            vec![Some(1u32), None, Some(300)],
            Ok::<_, String>(vec![0u8, 1, 255]),
        );
        let bytes = to_bytes(&value);
        assert_eq!(from_bytes(&bytes), Ok(value));
    }

    #[test]
    fn malformed_input_is_an_error() {
        // Not UTF-8.
        assert!(from_bytes::<String>(&[2, 0xc3, 0x28]).is_err());
        // A length past the end.
        assert!(from_bytes::<String>(&[5, b'a']).is_err());
        assert!(from_bytes::<Vec<u32>>(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        // A bad option tag; a surrogate as a char; leftover bytes.
        assert!(from_bytes::<Option<u8>>(&[2, 0]).is_err());
        assert!(from_bytes::<char>(&[0xed, 0xa0, 0x80]).is_err());
        assert!(from_bytes::<bool>(&[1, 0]).is_err());
    }

    #[test]
    fn flags_are_bit_vectors() {
        let mut out = Vec::new();
        write_flags(0b1_0000_0001, 9, &mut out);
        assert_eq!(out, [0b0000_0001, 0b1]);
        assert_eq!(Reader::new(&out).flags(9), Ok(0b1_0000_0001));
        assert!(Reader::new(&[0, 0b10]).flags(9).is_err());
    }
}

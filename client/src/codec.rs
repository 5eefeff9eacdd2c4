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

use std::ops::{Deref, DerefMut};

mod wire;

pub use wire::{
    Cursor, DecodeError, write_case, write_flags, write_len, write_sleb, write_str, write_uleb,
};

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

/// Reads values from a byte slice: a [`Cursor`] (whose methods it has)
/// that knows the instance resource handles belong to.
#[derive(Clone)]
pub struct Reader<'a> {
    cursor: Cursor<'a>,
    instance: Option<&'a crate::Instance>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            cursor: Cursor::new(bytes),
            instance: None,
        }
    }

    /// A reader of a call's result: resource handles in it belong to
    /// `instance`.
    pub fn with_instance(bytes: &'a [u8], instance: &'a crate::Instance) -> Reader<'a> {
        Reader {
            cursor: Cursor::new(bytes),
            instance: Some(instance),
        }
    }

    /// The instance resource handles belong to, when reading a result.
    pub fn instance(&self) -> Option<&'a crate::Instance> {
        self.instance
    }
}

impl<'a> Deref for Reader<'a> {
    type Target = Cursor<'a>;

    fn deref(&self) -> &Cursor<'a> {
        &self.cursor
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.cursor
    }
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
    // Most arguments fit without growing the buffer.
    let mut out = Vec::with_capacity(64);
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

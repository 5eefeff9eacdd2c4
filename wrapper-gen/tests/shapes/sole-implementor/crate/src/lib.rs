//! A generic parameter bounded by a trait of the crate that exactly one
//! type of the crate implements (base64's `E: Engine`, implemented by
//! `GeneralPurpose`): the parameter is that type.

/// Turns bytes into text.
pub trait Codec {
    /// The text of `input`.
    fn encode(&self, input: &[u8]) -> String;
}

/// Hexadecimal digits.
pub struct Hex {
    upper: bool,
}

impl Hex {
    /// Upper- or lower-case digits.
    pub fn new(upper: bool) -> Hex {
        Hex { upper }
    }
}

impl Codec for Hex {
    fn encode(&self, input: &[u8]) -> String {
        input
            .iter()
            .map(|b| {
                if self.upper {
                    format!("{b:02X}")
                } else {
                    format!("{b:02x}")
                }
            })
            .collect()
    }
}

/// `input` encoded by `codec`.
pub fn encode_with<C: Codec>(codec: &C, input: &[u8]) -> String {
    codec.encode(input)
}

/// `input` encoded by `codec`, with a prefix.
pub fn encode_prefixed(codec: &impl Codec, prefix: &str, input: &[u8]) -> String {
    format!("{prefix}{}", codec.encode(input))
}

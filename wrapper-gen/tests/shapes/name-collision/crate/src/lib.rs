//! A free function and a trait method implemented for a foreign type share
//! a name: the crate's own function keeps it.

/// FNV-1a of `data`.
pub fn hash(data: &[u8]) -> u64 {
    data.iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Hashing for text.
pub trait TextHash {
    /// The hash of the text's bytes.
    fn hash(&self) -> u64;
}

impl TextHash for str {
    fn hash(&self) -> u64 {
        hash(self.as_bytes())
    }
}

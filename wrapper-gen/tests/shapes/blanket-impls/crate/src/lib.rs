//! The crate's trait implemented for every type that meets its bounds
//! (`impl<D: Checksum + Default> OneShot for D`, the RustCrypto `Digest`
//! pattern): its methods are exported on each of the crate's types it
//! applies to.

/// A running checksum.
pub trait Checksum {
    /// Feeds bytes.
    fn update(&mut self, data: &[u8]);
    /// The checksum so far.
    fn value(&self) -> u32;
}

/// One-call checksums, for every `Checksum` with a starting state.
pub trait OneShot: Sized {
    /// A fresh state.
    fn fresh() -> Self;
    /// The checksum of `data`.
    fn checksum(data: impl AsRef<[u8]>) -> u32;
    /// Feeds bytes and returns the state.
    fn chain(self, data: impl AsRef<[u8]>) -> Self;
}

impl<D: Checksum + Default> OneShot for D {
    fn fresh() -> Self {
        D::default()
    }

    fn checksum(data: impl AsRef<[u8]>) -> u32 {
        D::default().chain(data).value()
    }

    fn chain(mut self, data: impl AsRef<[u8]>) -> Self {
        self.update(data.as_ref());
        self
    }
}

/// Adler-32.
#[derive(Debug, Clone)]
pub struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Self {
        Adler32 { a: 1, b: 0 }
    }
}

impl Checksum for Adler32 {
    fn update(&mut self, data: &[u8]) {
        for byte in data {
            self.a = (self.a + u32::from(*byte)) % 65521;
            self.b = (self.b + self.a) % 65521;
        }
    }

    fn value(&self) -> u32 {
        (self.b << 16) | self.a
    }
}

/// The sum of the bytes.
#[derive(Debug, Clone, Default)]
pub struct ByteSum {
    sum: u32,
}

impl Checksum for ByteSum {
    fn update(&mut self, data: &[u8]) {
        self.sum = data.iter().fold(self.sum, |s, b| s.wrapping_add(u32::from(*b)));
    }

    fn value(&self) -> u32 {
        self.sum
    }
}

//! Generic type aliases: the crate-wide `Result<T>` (the most common error
//! pattern there is, here with a defaulted error type) and a tuple alias
//! are substituted where functions use them.

use std::fmt;

/// What can go wrong.
#[derive(Debug)]
pub struct Error {
    what: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad input: {}", self.what)
    }
}

impl std::error::Error for Error {}

/// The crate's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Two of a kind.
pub type Pair<T> = (T, T);

/// Parses a decimal number.
pub fn parse(text: &str) -> Result<u32> {
    text.trim().parse().map_err(|e| Error {
        what: format!("{e}"),
    })
}

/// Halves an even number; the error is a message.
pub fn half(n: u32) -> Result<u32, String> {
    if n % 2 == 0 {
        Ok(n / 2)
    } else {
        Err(format!("{n} is odd"))
    }
}

/// The pair the other way round.
pub fn swap(pair: Pair<u8>) -> Pair<u8> {
    (pair.1, pair.0)
}

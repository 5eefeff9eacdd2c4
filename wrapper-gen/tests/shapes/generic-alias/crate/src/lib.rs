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

/// Options for a file, with a borrowed comment and extra data (zip's
/// `FileOptions<'k, T>`).
#[derive(Clone, Debug, Default)]
pub struct FileOptions<'k, T> {
    comment: Option<&'k str>,
    level: u8,
    extra: T,
}

/// The options most use: no borrowed comment, no extra data (an alias at
/// `'static`, a type of its own).
pub type SimpleFileOptions = FileOptions<'static, ()>;

impl<'k, T: Default> FileOptions<'k, T> {
    /// Options at compression `level`.
    pub fn level(level: u8) -> Self {
        FileOptions {
            comment: None,
            level,
            extra: T::default(),
        }
    }

    /// The compression level.
    pub fn compression(&self) -> u8 {
        self.level
    }

    /// The options with a comment (borrowed for `'k`: `'static` on the
    /// alias, so the guest keeps the string).
    pub fn with_comment(mut self, comment: &'k str) -> Self {
        self.comment = Some(comment);
        self
    }

    /// Whether a comment is set.
    pub fn has_comment(&self) -> bool {
        self.comment.is_some()
    }
}

//! Iterator adaptors: an extension trait on `str` whose method returns an
//! iterator of `char` borrowing the text (as unicode-normalization's
//! `"…".nfc()` does), and functions returning iterators of other items.

use std::str::Chars;

/// Upper-case letters of a text, one at a time.
pub struct Shouted<'a> {
    chars: Chars<'a>,
}

impl Iterator for Shouted<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        self.chars.next().map(|c| c.to_ascii_uppercase())
    }
}

/// Shouting text.
pub trait Shout {
    /// The text in capitals.
    fn shout(&self) -> Shouted<'_>;
}

impl Shout for str {
    fn shout(&self) -> Shouted<'_> {
        Shouted {
            chars: self.chars(),
        }
    }
}

/// The even numbers below a bound.
pub struct Evens {
    next: u32,
    below: u32,
}

impl Iterator for Evens {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        (self.next < self.below).then(|| {
            self.next += 2;
            self.next - 2
        })
    }
}

/// The even numbers below `below`.
pub fn evens(below: u32) -> Evens {
    Evens { next: 0, below }
}

/// The words of a text.
pub fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split_whitespace()
}

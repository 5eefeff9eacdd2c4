//! Standard types with a WIT form of their own: ranges of numbers are
//! `tuple<T, T>` (start, end), `Option<()>` is a `bool`.

use std::ops::{Range, RangeInclusive};

/// Where `needle` is in `text`, as a byte range.
pub fn find(text: &str, needle: &str) -> Option<Range<usize>> {
    text.find(needle).map(|at| at..at + needle.len())
}

/// The numbers of `range`, summed (the end included).
pub fn sum(range: RangeInclusive<u32>) -> u32 {
    range.sum()
}

/// How many numbers `range` holds (the end excluded).
pub fn width(range: Range<i64>) -> u64 {
    (range.end - range.start).max(0) as u64
}

/// `Some(())` when `n` is even.
pub fn even(n: u32) -> Option<()> {
    (n % 2 == 0).then_some(())
}

/// `1` for `Some(())`, `0` for `None`.
pub fn count(present: Option<()>) -> u8 {
    u8::from(present.is_some())
}

//! Borrowed values inside options and tuples in parameters: the guest
//! owns the decoded values and lends them for the call.

/// The first or the second of a pair, when there is one.
pub fn pick(pair: Option<(&str, &str)>, first: bool) -> Option<String> {
    pair.map(|(a, b)| if first { a } else { b }.to_string())
}

/// A name and its value as `name=value`.
pub fn assignment(entry: (&str, u32)) -> String {
    format!("{}={}", entry.0, entry.1)
}

/// The words, joined by `separator` (a space without one).
pub fn join(words: &[&str], separator: Option<&str>) -> String {
    words.join(separator.unwrap_or(" "))
}

/// The bytes' sum, if there are any.
pub fn sum(bytes: Option<&[u8]>) -> Option<u64> {
    bytes.map(|b| b.iter().map(|x| u64::from(*x)).sum())
}

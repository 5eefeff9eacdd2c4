//! Values passed as `&mut` (`push_html(&mut String, …)`): the updated
//! value comes back, before the function's own result.

/// Appends a greeting to `out`.
pub fn push_greeting(out: &mut String, name: &str) {
    out.push_str("hello ");
    out.push_str(name);
}

/// Removes the even numbers; returns how many.
pub fn drain_evens(numbers: &mut Vec<u32>) -> usize {
    let before = numbers.len();
    numbers.retain(|n| n % 2 == 1);
    before - numbers.len()
}

/// Fills a buffer with `byte` (`&mut [u8]`: the caller's buffer, of the
/// caller's length, comes back); returns how many bytes changed.
pub fn fill_with(buf: &mut [u8], byte: u8) -> usize {
    let changed = buf.iter().filter(|b| **b != byte).count();
    buf.fill(byte);
    changed
}

//! Glue compwrap generates that does not compile: `fill`'s result converts
//! by moving out of an enum that implements `Drop`. The build leaves `fill`
//! out (category `glue-error`, rustc's message as the reason) and builds
//! the rest.

/// A slot that may hold a value.
pub enum Slot {
    /// Holds `value`.
    Full {
        /// The value.
        value: String,
    },
    /// Holds nothing.
    Empty,
}

impl Drop for Slot {
    fn drop(&mut self) {}
}

/// A slot holding `value`, or an empty one for an empty text.
pub fn fill(value: &str) -> Slot {
    if value.is_empty() {
        Slot::Empty
    } else {
        Slot::Full {
            value: value.to_string(),
        }
    }
}

/// The number of bytes of `value`.
pub fn size(value: &str) -> u32 {
    value.len() as u32
}

//! A type parameter only in the result (`Engine::eval::<T>`, rhai's
//! pattern) is the crate's type that holds any value of those bounds
//! (`Dynamic::from<T: Value>(value: T)`): the caller gets the value as is.

/// A value a sum can produce.
pub trait Value: Clone {
    /// The value for a number.
    fn from_number(n: i64) -> Self;
    /// What the value says.
    fn describe(&self) -> String;
}

impl Value for i64 {
    fn from_number(n: i64) -> Self {
        n
    }

    fn describe(&self) -> String {
        self.to_string()
    }
}

/// Any value.
#[derive(Debug, Clone)]
pub struct Dynamic {
    text: String,
}

impl Value for Dynamic {
    fn from_number(n: i64) -> Self {
        Dynamic {
            text: format!("number {n}"),
        }
    }

    fn describe(&self) -> String {
        self.text.clone()
    }
}

impl Dynamic {
    /// Holds any value.
    pub fn from<T: Value>(value: T) -> Self {
        Dynamic {
            text: value.describe(),
        }
    }

    /// What it holds.
    pub fn text(&self) -> String {
        self.text.clone()
    }
}

/// The sum of `numbers`, as the value the caller asks for.
pub fn sum<T: Value>(numbers: &[i64]) -> T {
    T::from_number(numbers.iter().sum())
}

//! Methods that take `self` of a type that cannot be copied (a resource
//! without `Clone`): each is a static function taking the handle (`own`),
//! whose value it consumes; the handle cannot be used after the call.

/// Collects words (not `Clone`).
#[derive(Default)]
pub struct Builder {
    words: Vec<String>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Adds a word.
    pub fn add(&mut self, word: &str) {
        self.words.push(word.to_string());
    }

    /// The builder with one more word (a consuming builder method).
    pub fn with(mut self, word: &str) -> Builder {
        self.add(word);
        self
    }

    /// The words, joined by spaces.
    pub fn build(self) -> Sentence {
        Sentence {
            text: self.words.join(" "),
        }
    }
}

/// A finished sentence (not `Clone`).
pub struct Sentence {
    text: String,
}

impl Sentence {
    /// Its text, borrowed.
    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// Its text, taken out.
    pub fn into_text(self) -> String {
        self.text
    }

    /// Its length, the sentence boxed (`self: Box<Self>`).
    pub fn boxed_len(self: Box<Self>) -> usize {
        self.text.len()
    }
}

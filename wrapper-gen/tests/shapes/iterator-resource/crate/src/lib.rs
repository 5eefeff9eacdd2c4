//! The pulldown-cmark pattern: an iterator that borrows its input and has
//! a defaulted type parameter (`Parser<'input, F = Default>`) is made by
//! the caller, so it is a resource over `'static`; a function taking
//! `I: Iterator<Item = Token<'a>>` takes that resource, the one crate type
//! yielding those items.

use std::marker::PhantomData;

/// How words are marked.
pub trait Marker {
    /// The marked word.
    fn mark(word: &str) -> String;
}

/// Words in brackets.
#[derive(Debug, Default)]
pub struct Brackets;

impl Marker for Brackets {
    fn mark(word: &str) -> String {
        format!("[{word}]")
    }
}

/// A piece of text.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    /// A word.
    Word(&'a str),
    /// Space between words.
    Space,
}

/// The tokens of a text.
pub struct Tokens<'a, M = Brackets> {
    rest: &'a str,
    space: bool,
    marker: PhantomData<M>,
}

impl<'a> Tokens<'a> {
    /// The tokens of `text`.
    pub fn new(text: &'a str) -> Self {
        Tokens {
            rest: text.trim(),
            space: false,
            marker: PhantomData,
        }
    }
}

impl<'a, M> Tokens<'a, M> {
    /// What is left to read.
    pub fn rest(&self) -> &'a str {
        self.rest
    }
}

impl<'a, M> Iterator for Tokens<'a, M> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        if self.space {
            self.space = false;
            self.rest = self.rest.trim_start();
            return Some(Token::Space);
        }
        let end = self.rest.find(' ').unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        self.space = !rest.is_empty();
        Some(Token::Word(word))
    }
}

/// Appends the tokens to `out`, words marked.
pub fn render<'a, I: Iterator<Item = Token<'a>>>(out: &mut String, tokens: I) {
    for token in tokens {
        match token {
            Token::Word(w) => out.push_str(&Brackets::mark(w)),
            Token::Space => out.push(' '),
        }
    }
}

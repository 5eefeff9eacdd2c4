//! Enums with lifetimes whose borrowed parts are the crate's own string
//! type (pulldown-cmark's `Event<'a>` of `CowStr<'a>`): variants over
//! `'static`, their strings copied out. The string type (built
//! `From<String>`, read through `Deref<Target = str>`) is a `string`, its
//! methods functions taking one; an enum holding a `&'a str` stays skipped.

use std::ops::Deref;

/// Borrowed or owned text.
#[derive(Clone, Debug, PartialEq)]
pub enum Text<'a> {
    /// Part of the input.
    Borrowed(&'a str),
    /// Made anew.
    Owned(String),
}

impl From<String> for Text<'_> {
    fn from(s: String) -> Self {
        Text::Owned(s)
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

impl Text<'_> {
    /// The text, owned (a method of a string type: a function taking the
    /// string).
    pub fn into_owned(self) -> String {
        self.to_string()
    }

    /// Its length in bytes.
    pub fn len_bytes(&self) -> usize {
        self.len()
    }
}

/// A token of the input.
#[derive(Clone, Debug, PartialEq)]
pub enum Token<'a> {
    /// A word.
    Word(Text<'a>),
    /// A whole number.
    Number(i64),
    /// Text in quotes.
    Quoted {
        /// The text inside.
        text: Text<'a>,
        /// The quote character.
        quote: char,
    },
}

/// Part of the input, only ever borrowed.
#[derive(Clone, Debug)]
pub enum Raw<'a> {
    /// The part.
    Slice(&'a str),
    /// No part.
    Nothing,
}

/// Splits text into tokens.
pub struct Lexer<'a> {
    rest: &'a str,
}

impl<'a> Lexer<'a> {
    /// Tokens of `text`.
    pub fn new(text: &'a str) -> Self {
        Lexer { rest: text }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;
    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(' ').unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        self.rest = tail;
        Some(if let Ok(n) = word.parse() {
            Token::Number(n)
        } else if word.len() > 1 && word.starts_with('\'') && word.ends_with('\'') {
            Token::Quoted {
                text: Text::Borrowed(&word[1..word.len() - 1]),
                quote: '\'',
            }
        } else {
            Token::Word(Text::Borrowed(word))
        })
    }
}

/// What a token is.
pub fn describe(token: &Token<'_>) -> String {
    match token {
        Token::Word(w) => format!("word {}", &**w),
        Token::Number(n) => format!("number {n}"),
        Token::Quoted { text, quote } => format!("quoted {quote}{}{quote}", &**text),
    }
}

/// The text in capitals.
pub fn shout(text: Text<'_>) -> Text<'static> {
    Text::Owned(text.to_uppercase())
}

/// The first word of `text`, borrowed.
pub fn first(text: &str) -> Raw<'_> {
    text.split(' ').next().map_or(Raw::Nothing, Raw::Slice)
}

/// A token and where it ends (a struct of public fields with a lifetime:
/// a record over `'static`).
#[derive(Clone, Debug)]
pub struct Spanned<'a> {
    /// The token.
    pub token: Token<'a>,
    /// Bytes from the start of the input to its end.
    pub end: usize,
}

/// The tokens of `text`, each with its end.
pub fn spans(text: &str) -> Vec<Spanned<'_>> {
    let mut lexer = Lexer::new(text);
    let mut out = Vec::new();
    while let Some(token) = lexer.next() {
        out.push(Spanned {
            token,
            end: text.len() - lexer.rest.len(),
        });
    }
    out
}

/// A word at a given end, borrowed (a struct holding `&'a str`: skipped).
pub struct At<'a> {
    /// The word.
    pub word: &'a str,
    /// Its end.
    pub end: usize,
}

/// A word found in a text (opaque and borrowing: copied out through its
/// accessors).
pub struct Found<'a> {
    text: &'a str,
    at: usize,
}

impl Found<'_> {
    /// The word.
    pub fn word(&self) -> &str {
        self.text
    }

    /// Where it starts.
    pub fn at(&self) -> usize {
        self.at
    }
}

/// A word that was found, or how far the search went (an enum of copied
/// records: it only leaves the component).
pub enum Search<'a> {
    /// Found.
    Hit(Found<'a>),
    /// Not found.
    Miss {
        /// Bytes searched.
        searched: usize,
    },
}

/// Looks for `word` in `text`.
pub fn find_word<'a>(text: &'a str, word: &str) -> Search<'a> {
    match text.find(word) {
        Some(at) => Search::Hit(Found {
            text: &text[at..at + word.len()],
            at,
        }),
        None => Search::Miss {
            searched: text.len(),
        },
    }
}

/// Whether a search hit (takes the results-only enum: skipped).
pub fn is_hit(search: &Search<'_>) -> bool {
    matches!(search, Search::Hit(_))
}

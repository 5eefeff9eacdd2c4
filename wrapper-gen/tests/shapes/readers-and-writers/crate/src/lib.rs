//! Generic parameters bound by `std::io` traits: a reader is made of bytes
//! (`Cursor<Vec<u8>>`), a writer is bytes (`Vec<u8>`; passed by value and
//! not returned, `&mut Vec<u8>`, whose bytes come back), a writer of text
//! (`fmt::Write`) is a `String` the same way, and a type generic over one
//! is exported as that instance, a resource.

use std::io::{BufRead, Read, Write};

/// The number of bytes `reader` yields.
pub fn total<R: Read>(mut reader: R) -> u64 {
    let mut all = Vec::new();
    reader.read_to_end(&mut all).unwrap_or(0) as u64
}

/// Writes `n` times `x` and returns the writer.
pub fn fill<W: Write>(mut writer: W, n: u32) -> W {
    for _ in 0..n {
        let _ = writer.write_all(b"x");
    }
    writer
}

/// Writes a greeting; the writer is not returned.
pub fn greet<W: Write>(mut writer: W, name: &str) -> std::io::Result<()> {
    write!(writer, "hi {name}")
}

/// Writes a farewell.
pub fn part(mut writer: impl Write, name: &str) -> std::io::Result<usize> {
    writer.write(format!("bye {name}").as_bytes())
}

/// Writes `n` stars after the text already there.
pub fn stars<W: std::fmt::Write>(out: &mut W, n: usize) -> std::fmt::Result {
    for _ in 0..n {
        out.write_char('*')?;
    }
    Ok(())
}

/// Writes a title, underlined.
pub fn title(mut out: impl std::fmt::Write, text: &str) -> std::fmt::Result {
    write!(out, "{text}\n{}", "=".repeat(text.len()))
}

/// Lines of a reader, one at a time.
pub struct Lines<R> {
    reader: R,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`.
    pub fn new(reader: R) -> Lines<R> {
        Lines { reader }
    }

    /// The next line, without its end.
    pub fn next_line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end().to_string()),
        }
    }

    /// The reader, with what was not read.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl Lines<std::fs::File> {
    /// Lines of a file: not the instance over bytes.
    pub fn open(path: &str) -> std::io::Result<Lines<std::fs::File>> {
        std::fs::File::open(path).map(|file| Lines {
            reader: std::io::BufReader::new(file).into_inner(),
        })
    }
}

/// How an [`Encoder`] writes (a parameter with a default, left at it).
pub trait Style {
    /// What goes between two items.
    fn separator(&self) -> &'static str;
}

/// Items separated by commas.
#[derive(Default)]
pub struct Plain;

impl Style for Plain {
    fn separator(&self) -> &'static str {
        ","
    }
}

/// Writes items to a writer in a style.
pub struct Encoder<W, S = Plain> {
    writer: W,
    style: S,
    first: bool,
}

impl<W: Write> Encoder<W> {
    /// An encoder in the plain style.
    pub fn new(writer: W) -> Self {
        Encoder {
            writer,
            style: Plain,
            first: true,
        }
    }
}

impl<W: Write, S: Style> Encoder<W, S> {
    /// Writes one item.
    pub fn item(&mut self, text: &str) -> std::io::Result<()> {
        if !self.first {
            self.writer.write_all(self.style.separator().as_bytes())?;
        }
        self.first = false;
        self.writer.write_all(text.as_bytes())
    }

    /// The writer, with what was written.
    pub fn into_inner(self) -> W {
        self.writer
    }
}

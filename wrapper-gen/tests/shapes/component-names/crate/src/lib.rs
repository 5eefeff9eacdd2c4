//! WIT that parses but that no component can have: a method named like its
//! resource (`[method]html.html` is the same component name as `html`),
//! `()` inside another type (`option<tuple<>>`) and a record without fields
//! (a struct-like variant `Default {}`); and Rust keywords as a method's
//! and a variant field's names.

/// A parsed document.
pub struct Html {
    text: String,
}

impl Html {
    /// Parses `text`.
    pub fn parse(text: &str) -> Html {
        Html {
            text: text.trim().to_string(),
        }
    }

    /// The document as HTML.
    pub fn html(&self) -> String {
        self.text.clone()
    }

    /// Whether the document holds `text` (a keyword as a name: the
    /// guest calls `Html::r#match`).
    pub fn r#match(&self, text: &str) -> bool {
        self.text.contains(text)
    }
}

/// Whether two documents hold the same text.
pub fn same(a: &Html, b: &Html) -> bool {
    a.text == b.text
}

/// `Some(())` when `text` is empty.
pub fn empty(text: &str) -> Option<()> {
    text.is_empty().then_some(())
}

/// One `()` per character.
pub fn units(text: &str) -> Vec<()> {
    text.chars().map(|_| ()).collect()
}

/// Fails on an empty text.
pub fn check(text: &str) -> Result<(), String> {
    if text.is_empty() {
        Err("empty".into())
    } else {
        Ok(())
    }
}

/// The number of characters.
pub fn length(text: &str) -> u32 {
    text.chars().count() as u32
}

/// A column: a struct-like variant with a keyword field, and one without
/// fields.
#[derive(Debug, Clone)]
pub enum Column {
    /// A typed column.
    Typed {
        /// Its type.
        r#type: String,
    },
    /// The default column.
    Default {},
}

/// The column's type.
pub fn column_type(column: Column) -> String {
    match column {
        Column::Typed { r#type } => r#type,
        Column::Default {} => "any".into(),
    }
}

/// A column of `ty`, or the default one.
pub fn make_column(ty: Option<String>) -> Column {
    match ty {
        Some(r#type) => Column::Typed { r#type },
        None => Column::Default {},
    }
}

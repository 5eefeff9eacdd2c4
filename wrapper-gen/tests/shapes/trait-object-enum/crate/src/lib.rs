//! A trait-object parameter (`parse_sql(dialect: &dyn Dialect, …)`, the
//! sqlparser pattern) whose trait the crate implements for public unit
//! structs: the trait is an `enum` choosing one of them.

/// How identifiers are written.
pub trait Dialect {
    /// The quote around identifiers.
    fn quote(&self) -> char;

    /// Whether keywords are upper case.
    fn upper_keywords(&self) -> bool {
        true
    }
}

/// ANSI SQL.
#[derive(Debug, Default)]
pub struct AnsiDialect;

/// MySQL.
#[derive(Debug, Default)]
pub struct MySqlDialect;

/// PostgreSQL (an empty braced struct counts as a unit struct).
#[derive(Debug, Default)]
pub struct PostgresDialect {}

impl Dialect for PostgresDialect {
    fn quote(&self) -> char {
        '"'
    }

    fn upper_keywords(&self) -> bool {
        false
    }
}

/// A dialect with a quote of the caller's choice: not a unit struct.
#[derive(Debug)]
pub struct CustomDialect {
    /// The quote.
    pub quote: char,
}

impl Dialect for AnsiDialect {
    fn quote(&self) -> char {
        '"'
    }
}

impl Dialect for MySqlDialect {
    fn quote(&self) -> char {
        '`'
    }

    fn upper_keywords(&self) -> bool {
        false
    }
}

impl Dialect for CustomDialect {
    fn quote(&self) -> char {
        self.quote
    }
}

/// `ident` quoted for `dialect`.
pub fn quote_ident(dialect: &dyn Dialect, ident: &str) -> String {
    let q = dialect.quote();
    format!("{q}{ident}{q}")
}

/// `SELECT` in the dialect's case.
pub fn select(dialect: &dyn Dialect) -> String {
    if dialect.upper_keywords() {
        "SELECT".into()
    } else {
        "select".into()
    }
}

//! An opaque collection of strings (`csv::StringRecord`): `&Row` iterates
//! `&str` and `Row` is `FromIterator`, so it travels as `list<string>`,
//! its methods as functions taking the list.

/// One row of fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    fields: Vec<String>,
}

impl Row {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(String::as_str)
    }

    /// Appends a field.
    pub fn push(&mut self, field: &str) {
        self.fields.push(field.to_string());
    }

    /// The fields.
    pub fn iter(&self) -> Fields<'_> {
        Fields {
            inner: self.fields.iter(),
        }
    }
}

/// The fields of a row.
pub struct Fields<'a> {
    inner: std::slice::Iter<'a, String>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.inner.next().map(String::as_str)
    }
}

impl<'a> IntoIterator for &'a Row {
    type Item = &'a str;
    type IntoIter = Fields<'a>;

    fn into_iter(self) -> Fields<'a> {
        self.iter()
    }
}

impl<T: AsRef<str>> FromIterator<T> for Row {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Row {
            fields: iter.into_iter().map(|f| f.as_ref().to_string()).collect(),
        }
    }
}

/// Splits a line at commas.
pub fn split(line: &str) -> Row {
    line.split(',').collect()
}

/// Joins a row's fields with commas.
pub fn join(row: &Row) -> String {
    row.iter().collect::<Vec<_>>().join(",")
}

//! A type with a lifetime that the caller makes (`Templates::new()`, the
//! `minijinja::Environment<'source>` pattern) is a resource over
//! `'static`: the strings it borrows (`&'s str`) are kept by the guest.
//! A type with a lifetime that only the crate hands out, or makes from
//! another of its values (`Entry::first_of(&Templates)`, `Entry<'s>`),
//! leaves as a record of its accessors.

/// Named templates, each with one `{}` slot.
#[derive(Debug, Default)]
pub struct Templates<'s> {
    entries: Vec<(&'s str, &'s str)>,
}

/// A template as stored.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'s> {
    name: &'s str,
    body: &'s str,
}

impl<'s> Entry<'s> {
    /// The first template of `templates`: made from a value of the crate
    /// it borrows, so not a constructor the caller can use.
    pub fn first_of(templates: &'s Templates<'s>) -> Option<Entry<'s>> {
        templates.first()
    }

    /// The template's name.
    pub fn name(&self) -> &'s str {
        self.name
    }

    /// The template's text.
    pub fn body(&self) -> &'s str {
        self.body
    }
}

impl<'s> Templates<'s> {
    /// No templates.
    pub fn new() -> Self {
        Templates::default()
    }

    /// Adds a template; the strings are borrowed, not copied.
    pub fn add(&mut self, name: &'s str, body: &'s str) {
        self.entries.push((name, body));
    }

    /// Adds a template given as UTF-8 bytes, if they are.
    pub fn add_utf8(&mut self, name: &'s str, body: &'s [u8]) -> bool {
        match std::str::from_utf8(body) {
            Ok(body) => {
                self.add(name, body);
                true
            }
            Err(_) => false,
        }
    }

    /// The template `name` with `value` in its slot.
    pub fn render(&self, name: &str, value: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, body)| body.replacen("{}", value, 1))
    }

    /// The first template added.
    pub fn first(&self) -> Option<Entry<'s>> {
        self.entries
            .first()
            .map(|&(name, body)| Entry { name, body })
    }
}

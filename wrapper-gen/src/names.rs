//! Rust identifiers → WIT identifiers.
//!
//! WIT identifiers are kebab-case words, each starting with a letter and all
//! lowercase; keywords need a `%` escape. Rust names are mapped
//! deterministically: a word that starts with a digit is glued to the word
//! before it (`u8_2` → `u82`... rather `foo_2` → `foo2`), a name whose first
//! word starts with a digit gets an `x` prefix, and collisions inside one
//! namespace get a `-vN` suffix (recorded by the caller).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock, PoisonError};

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

/// Whether `name`, a valid WIT identifier apart from keywords, needs a
/// `%` escape: wit-parser itself decides (an identifier that does not
/// parse bare but parses escaped is a keyword), so a keyword added by a
/// newer WIT never reaches a user as a parse error. Remembered per name.
fn is_wit_keyword(name: &str) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(&known) = seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
    {
        return known;
    }
    let parses = |ident: &str| {
        let source =
            format!("package compwrap:check;\ninterface check {{\n    {ident}: func();\n}}\n");
        wit_parser::UnresolvedPackageGroup::parse("check.wit", &source).is_ok()
    };
    let keyword = !parses(name) && parses(&format!("%{name}"));
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(name.to_owned(), keyword);
    keyword
}

/// Rust keywords (strict and reserved) that wit-bindgen suffixes with `_`.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The WIT identifier (without `%`) for a Rust identifier.
pub fn kebab(rust: &str) -> String {
    let raw = rust.trim_start_matches("r#").to_kebab_case();
    let mut out = String::new();
    for word in raw.split('-').filter(|w| !w.is_empty()) {
        let word = word.to_ascii_lowercase();
        let word: String = word.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if word.is_empty() {
            continue;
        }
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            if out.is_empty() {
                out.push('x');
            }
            out.push_str(&word);
        } else {
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&word);
        }
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// `name` as it must be written in WIT source (keywords `%`-escaped).
pub fn wit_ident(name: &str) -> String {
    if is_wit_keyword(name) {
        format!("%{name}")
    } else {
        name.to_string()
    }
}

/// The Rust identifier wit-bindgen generates for a WIT function, field or
/// parameter name.
pub fn rust_snake(wit: &str) -> String {
    let s = wit.to_snake_case();
    if RUST_KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// `name` usable as a Rust identifier in generated code (`r#type`).
pub fn rust_raw(name: &str) -> String {
    let bare = name.trim_start_matches("r#");
    if RUST_KEYWORDS.contains(&bare) && !matches!(bare, "self" | "super" | "crate") {
        format!("r#{bare}")
    } else {
        bare.to_string()
    }
}

/// The Rust type name wit-bindgen generates for a WIT type or case name.
pub fn rust_camel(wit: &str) -> String {
    wit.to_upper_camel_case()
}

/// Hands out unique names inside one WIT namespace.
#[derive(Default, Debug)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// Reserves `wanted` or, when taken, the first free `wanted-vN`.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{wanted}-v{n}");
            n += 1;
        }
        name
    }

    /// Whether `name` is already handed out.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_rust_names() {
        assert_eq!(kebab("VersionReq"), "version-req");
        assert_eq!(kebab("is_match"), "is-match");
        assert_eq!(kebab("HTTPServer"), "http-server");
        assert_eq!(kebab("foo_2"), "foo2");
        assert_eq!(kebab("_2d"), "x2d");
        assert_eq!(kebab("r#type"), "type");
        assert_eq!(wit_ident("type"), "%type");
        assert_eq!(rust_snake("type"), "type_");
        assert_eq!(rust_camel("version-req"), "VersionReq");
        assert_eq!(rust_raw("type"), "r#type");
        assert_eq!(rust_raw("r#match"), "r#match");
        assert_eq!(rust_raw("major"), "major");
    }

    #[test]
    fn every_identifier_becomes_valid_and_unique() {
        let samples = [
            "a",
            "A",
            "aB",
            "a_b",
            "a__b",
            "__x",
            "X1",
            "x_1",
            "x1y",
            "IPv4Addr",
            "é",
            "_",
            "9",
            "snake_Case_Mix",
            "ALLCAPS",
            "with_123_digits",
        ];
        let mut ns = Namespace::default();
        let mut seen = BTreeSet::new();
        for s in samples {
            let name = ns.claim(&kebab(s));
            assert!(seen.insert(name.clone()), "{name} not unique");
            for word in name.split('-') {
                assert!(
                    word.starts_with(|c: char| c.is_ascii_lowercase()),
                    "{s} -> {name}"
                );
                assert!(
                    word.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                );
            }
        }
    }

    /// Every keyword of wit-parser's lexer (0.254), as a Rust name: its
    /// kebab form is escaped and parses as a function, a record field and a
    /// type name.
    #[test]
    fn every_wit_keyword_is_escaped() {
        let keywords = "use type func u8 u16 u32 u64 s8 s16 s32 s64 f32 f64 char resource own \
                        borrow record flags variant enum bool string option result future \
                        stream error-context list map as from static interface tuple world \
                        import export package constructor include with async";
        for keyword in keywords.split_whitespace() {
            let rust = keyword.replace('-', "_");
            let name = Namespace::default().claim(&kebab(&rust));
            assert_eq!(wit_ident(&name), format!("%{name}"), "{rust}");
            let source = format!(
                "package a:b;\ninterface i {{\n    record {w} {{ {w}: u8 }}\n    type x-{name} = {w};\n}}\n\
                 interface j {{\n    use i.{{{w}}};\n    f: func({w}: {w});\n}}\n\
                 interface k {{\n    {w}: func({w}: u8);\n}}\n",
                w = wit_ident(&name)
            );
            if let Err(e) = wit_parser::UnresolvedPackageGroup::parse("t.wit", &source) {
                panic!("{rust}: {:?}\n{source}", e.1);
            }
        }
        assert_eq!(wit_ident("semver"), "semver");
    }

    /// Parses `name` as a WIT function name: the ground truth for validity.
    fn parses_as_wit(name: &str) -> bool {
        let source = format!(
            "package a:b;\ninterface i {{\n    {}: func();\n}}\n",
            wit_ident(name)
        );
        wit_parser::UnresolvedPackageGroup::parse("t.wit", &source).is_ok()
    }

    proptest::proptest! {
        /// Any Rust identifier (ASCII or not, raw or not, with digits and
        /// underscores anywhere) becomes a WIT identifier that parses, the
        /// same one every time, and unique within its namespace.
        #[test]
        fn any_rust_identifier_maps_to_a_valid_unique_wit_identifier(
            names in proptest::collection::vec("(r#)?[_a-zA-Zé中]([_a-zA-Z0-9é中]{0,12})", 1..40)
        ) {
            let mut ns = Namespace::default();
            let mut seen = BTreeSet::new();
            for rust in &names {
                let once = kebab(rust);
                proptest::prop_assert_eq!(&once, &kebab(rust), "not deterministic");
                let claimed = ns.claim(&once);
                proptest::prop_assert!(parses_as_wit(&claimed), "{} -> {} does not parse", rust, claimed);
                proptest::prop_assert!(seen.insert(claimed.clone()), "{} claimed twice", claimed);
            }
        }
    }
}

//! The guest's wit-bindgen bindings, written as a crate of their own
//! (`bindings/` in the guest crate) instead of expanded by
//! `wit_bindgen::generate!` inside the glue crate.
//!
//! wit-bindgen indents its output by brace depth, and the depth it tracks
//! drifts upwards over large worlds: for `aws-sdk-ec2`'s 811 operations the
//! expansion is 2.6 GB, 99 % of it leading spaces. As a macro expansion,
//! rustc holds all of it for the whole compilation (10.7 GB peak, 266 s);
//! as a source file without the indentation it is 30 MB (3.7 GB, 74 s).
//! In a crate of their own the bindings also leave the glue crate's rustc
//! with only the glue (4 GB).

use anyhow::{Context, Result};
use wit_bindgen_core::WorldGenerator;

/// The bindings' crate name for the guest of `package`
/// (`compwrap_guest_regex_bindings`): the module the bindings name
/// themselves by, and the glue's path to them.
pub fn crate_name(package: &str) -> String {
    format!("compwrap_guest_{}_bindings", package.replace('-', "_"))
}

/// The bindings of world `world` of the guest WIT `wit` (with
/// `compwrap:types` as `types_wit`), for the crate named
/// [`crate_name`]`(package)`: what `wit_bindgen::generate!` with
/// `generate_all` and `generate_unused_types` expands to, with an `export!`
/// macro the glue crate calls, without indentation.
pub fn render(wit: &str, types_wit: &str, world: &str, package: &str) -> Result<String> {
    let (mut resolve, world) = crate::encoded::parse(wit, types_wit, world)?;
    let opts = wit_bindgen_rust::Opts {
        generate_all: true,
        generate_unused_types: true,
        pub_export_macro: true,
        default_bindings_module: Some(crate_name(package)),
        ..Default::default()
    };
    let mut files = wit_bindgen_core::Files::default();
    {
        let mut generator = opts.build();
        generator
            .generate(&mut resolve, world, &mut files)
            .context("wit-bindgen failed to generate the guest's bindings")?;
    }
    let (_, source) = files
        .iter()
        .next()
        .context("wit-bindgen generated no bindings")?;
    let source = std::str::from_utf8(source).context("wit-bindgen generated invalid UTF-8")?;
    let mut out = crate::wit::header("//");
    out.push_str("#![allow(unused, clippy::all, non_camel_case_types)]\n");
    out.push_str(&strip_indentation(source));
    Ok(out)
}

/// `source` without the leading whitespace of its lines, except lines that
/// continue a string literal (whose spaces are part of the string).
fn strip_indentation(source: &str) -> String {
    let mut out = String::with_capacity(source.len() / 16);
    let mut lexer = Lexer::default();
    for line in source.split_inclusive('\n') {
        let line = if lexer.in_string() {
            line
        } else {
            line.trim_start_matches([' ', '\t'])
        };
        lexer.scan(line);
        out.push_str(line);
    }
    out
}

/// Just enough of Rust's lexical structure to know, line by line, whether
/// a string literal is open: strings, raw strings, char literals (and
/// lifetimes), line and block comments.
#[derive(Default)]
struct Lexer {
    state: State,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum State {
    #[default]
    Code,
    /// In `"…"`.
    Str,
    /// In `r#…"…"#…` with this many `#`.
    RawStr(usize),
    /// In `/* … */` nested this deep.
    Comment(usize),
}

impl Lexer {
    fn in_string(&self) -> bool {
        matches!(self.state, State::Str | State::RawStr(_))
    }

    fn scan(&mut self, line: &str) {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match self.state {
                State::Code => match b[i] {
                    b'/' if b.get(i + 1) == Some(&b'/') => return,
                    b'/' if b.get(i + 1) == Some(&b'*') => {
                        self.state = State::Comment(1);
                        i += 2;
                    }
                    b'"' => {
                        self.state = State::Str;
                        i += 1;
                    }
                    b'r' if raw_string_prefix(b, i) => {
                        let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                        if b.get(i + 1 + hashes) == Some(&b'"') {
                            self.state = State::RawStr(hashes);
                            i += 2 + hashes;
                        } else {
                            i += 1;
                        }
                    }
                    // A char literal (`'"'`, `'\''`) or a lifetime (`'a`).
                    b'\'' => {
                        i += match (b.get(i + 1), b.get(i + 2)) {
                            (Some(b'\\'), _) => {
                                3 + b[i + 3..].iter().take_while(|&&c| c != b'\'').count() + 1
                            }
                            (Some(_), Some(b'\'')) => 3,
                            _ => 1,
                        };
                    }
                    _ => i += 1,
                },
                State::Str => match b[i] {
                    b'\\' => i += 2,
                    b'"' => {
                        self.state = State::Code;
                        i += 1;
                    }
                    _ => i += 1,
                },
                State::RawStr(hashes) => {
                    let closes = b[i] == b'"'
                        && b.len() >= i + 1 + hashes
                        && b[i + 1..i + 1 + hashes].iter().all(|&c| c == b'#');
                    if closes {
                        self.state = State::Code;
                        i += 1 + hashes;
                    } else {
                        i += 1;
                    }
                }
                State::Comment(depth) => {
                    if b[i..].starts_with(b"*/") {
                        self.state = if depth == 1 {
                            State::Code
                        } else {
                            State::Comment(depth - 1)
                        };
                        i += 2;
                    } else if b[i..].starts_with(b"/*") {
                        self.state = State::Comment(depth + 1);
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
        }
    }
}

/// Whether the `r` at `b[i]` may start a raw string: it does not continue
/// an identifier (`for"` cannot follow, but `br"…"` is a raw byte string).
fn raw_string_prefix(b: &[u8], i: usize) -> bool {
    let ident = |j: usize| b[j].is_ascii_alphanumeric() || b[j] == b'_';
    match i {
        0 => true,
        1 => !ident(0) || b[0] == b'b',
        _ => !ident(i - 1) || (b[i - 1] == b'b' && !ident(i - 2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_goes_but_not_inside_strings() {
        let source = "mod a {\n        fn f() -> &'static str {\n            let b = br\"x\n  y\";\n            let c = '\"';\n            \"one\n    two\"\n        }\n    /* \"not a string\n    */\n        const R: &str = r#\"raw \"quoted\"\n   kept\"#;\n  // \"comment\n  }\n";
        assert_eq!(
            strip_indentation(source),
            "mod a {\nfn f() -> &'static str {\nlet b = br\"x\n  y\";\nlet c = '\"';\n\"one\n    two\"\n}\n/* \"not a string\n*/\nconst R: &str = r#\"raw \"quoted\"\n   kept\"#;\n// \"comment\n}\n"
        );
    }

    #[test]
    fn bindings_are_generated_for_a_world() -> Result<()> {
        let wit = "package compwrap:demo@1.0.0;\n\
                   interface api { greet: func(name: string) -> string; }\n\
                   world demo-component { export api; }\n";
        let bindings = render(wit, crate::wit::TYPES_WIT, "demo-component", "demo")?;
        assert!(bindings.starts_with("// Generated by compwrap"));
        assert!(bindings.contains("\npub trait Guest {"), "{bindings}");
        // The glue crate exports through the bindings crate's macro.
        assert!(bindings.contains("macro_rules! __export_demo_component_impl"));
        assert!(bindings.contains("compwrap_guest_demo_bindings"));
        assert!(!bindings.contains("\n    "), "indentation left");
        assert_eq!(
            bindings,
            render(wit, crate::wit::TYPES_WIT, "demo-component", "demo")?
        );
        Ok(())
    }
}

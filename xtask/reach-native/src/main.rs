#![allow(dead_code, unused_variables)] // a subset of the features leaves helpers unused

//! `reach-native <crate> [TEXT]`: the answer of a corpus crate's headline
//! call on `TEXT` (the input xtask/src/reach.rs gives the component too),
//! made natively, in WAVE (as `compwrap call` prints results).
//! `reach-native input <crate>` prints the headline's input when the
//! native crate makes it (an encoded image, an archive).

#[allow(unused_imports)]
use std::io::{Cursor, Write};

#[path = "../../src/wave.rs"]
mod wave;
use wave::{bytes, string};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["input", name] => input(name),
        [name] => answer(name, ""),
        [name, text] => answer(name, text),
        _ => None,
    };
    match out {
        Some(text) => println!("{text}"),
        None => {
            eprintln!("usage: reach-native [input] <crate> (unknown: {args:?})");
            std::process::exit(2);
        }
    }
}

/// The input bytes of headlines that need them, as a WAVE list.
fn input(name: &str) -> Option<String> {
    Some(bytes(&input_bytes(name)?))
}

fn input_bytes(name: &str) -> Option<Vec<u8>> {
    match name {
        #[cfg(feature = "image")]
        "image" => {
            let img = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 80, y as u8 * 120, 7]));
            let mut png = Vec::new();
            img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).ok()?;
            Some(png)
        }
        #[cfg(feature = "zip")]
        "zip" => {
            let mut archive = Vec::new();
            let mut writer = zip::ZipWriter::new(Cursor::new(&mut archive));
            let options = zip::write::SimpleFileOptions::default();
            writer.start_file("a.txt", options).ok()?;
            writer.write_all(b"alpha").ok()?;
            writer.start_file("b/c.txt", options).ok()?;
            writer.write_all(b"gamma").ok()?;
            writer.finish().ok()?;
            Some(archive)
        }
        _ => None,
    }
}

/// The headline's answer.
fn answer(name: &str, text: &str) -> Option<String> {
    Some(match name {
        #[cfg(feature = "pulldown-cmark")]
        "pulldown-cmark" => {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(text));
            string(&html)
        }
        #[cfg(feature = "chrono")]
        "chrono" => {
            let date = chrono::NaiveDate::parse_from_str(text, "%d %b %Y").ok()?;
            string(&date.succ_opt()?.to_string())
        }
        #[cfg(feature = "jiff")]
        "jiff" => {
            let ts: jiff::Timestamp = text.parse().ok()?;
            ts.as_second().to_string()
        }
        #[cfg(feature = "serde_json")]
        "serde_json" => {
            let value: serde_json::Value = serde_json::from_str(text).ok()?;
            format!("ok({})", string(&serde_json::to_string_pretty(&value).ok()?))
        }
        #[cfg(feature = "toml_edit")]
        "toml_edit" => {
            let doc: toml_edit::DocumentMut = text.parse().ok()?;
            string(&doc.to_string())
        }
        #[cfg(feature = "csv")]
        "csv" => {
            // Each record's result, its fields as a list.
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let rows: Vec<String> = reader
                .records()
                .map(|r| match r {
                    Ok(r) => format!("ok([{}])", r.iter().map(string).collect::<Vec<_>>().join(", ")),
                    Err(_) => "err(_)".into(),
                })
                .collect();
            format!("[{}]", rows.join(", "))
        }
        #[cfg(feature = "base64")]
        "base64" => {
            use base64::Engine as _;
            string(&base64::engine::general_purpose::STANDARD.encode(text))
        }
        #[cfg(feature = "sha2")]
        "sha2" => {
            use sha2::Digest as _;
            bytes(&sha2::Sha256::digest(text))
        }
        #[cfg(feature = "hex")]
        "hex" => string(&hex::encode(text)),
        #[cfg(feature = "minijinja")]
        "minijinja" => {
            let env = minijinja::Environment::new();
            let rendered = env.render_str(text, minijinja::context! {}).ok()?;
            format!("ok({})", string(&rendered))
        }
        #[cfg(feature = "rhai")]
        "rhai" => {
            let engine = rhai::Engine::new();
            let value: rhai::Dynamic = engine.eval(text).ok()?;
            string(&value.to_string())
        }
        #[cfg(feature = "scraper")]
        "scraper" => {
            let html = scraper::Html::parse_document(text);
            let selector = scraper::Selector::parse("p.a").ok()?;
            let texts: Vec<String> = html
                .select(&selector)
                .map(|e| string(&e.inner_html()))
                .collect();
            format!("[{}]", texts.join(", "))
        }
        #[cfg(feature = "image")]
        "image" => {
            let img = image::load_from_memory(&input_bytes("image")?).ok()?;
            format!("({}, {})", img.width(), img.height())
        }
        #[cfg(feature = "zip")]
        "zip" => {
            let archive = zip::ZipArchive::new(Cursor::new(input_bytes("zip")?)).ok()?;
            let names: Vec<String> = archive
                .file_names()
                .map(|n| n.map(|n| format!("ok({})", string(&n))))
                .collect::<Result<_, _>>()
                .ok()?;
            format!("[{}]", names.join(", "))
        }
        #[cfg(feature = "rust_decimal")]
        "rust_decimal" => {
            let d: rust_decimal::Decimal = text.parse().ok()?;
            string(&d.round_dp(2).to_string())
        }
        #[cfg(feature = "sqlparser")]
        "sqlparser" => {
            let dialect = sqlparser::dialect::MySqlDialect {};
            let statements = sqlparser::parser::Parser::parse_sql(&dialect, text).ok()?;
            string(&statements.first()?.to_string())
        }
        #[cfg(feature = "boa_engine")]
        "boa_engine" => {
            let mut context = boa_engine::Context::default();
            let value = context
                .eval(boa_engine::Source::from_bytes(text))
                .ok()?;
            let shown = value.to_string(&mut context).ok()?.to_std_string_escaped();
            format!("ok({})", string(&shown))
        }
        _ => return None,
    })
}

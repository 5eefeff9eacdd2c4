//! The generated `unicode-segmentation` component against the native crate.
//! Its API is an extension trait implemented for `str`: each method becomes
//! a function taking the string first, its iterators collected into lists.

use anyhow::{Result, bail, ensure};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{UNICODE_SEGMENTATION, ValExt, call1, generated, string, strings};
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

const TEXTS: &[&str] = &[
    "",
    "hello, world",
    "The quick (\"brown\") fox can't jump 32.3 feet, right?",
    "a\u{310}e\u{301}o\u{308}\u{332}",
    "👨‍👩‍👧‍👦 family, 🇩🇪 flag, 👍🏽 thumbs",
    "नमस्ते दुनिया",
    "日本語のテキスト。二つ目の文！",
    "Mr. Smith went to Washington. He arrived at 3 p.m. Then he left!",
    "\r\n\t tabs\r\nand\nlines",
    "ﷺ ᄀ각 \u{1F1E6}\u{1F1E8}\u{1F1E6}",
];

fn instance() -> Result<Instance> {
    let (_, loaded) = generated(UNICODE_SEGMENTATION)?;
    loaded.instantiate()
}

fn indexed(v: &Val) -> Result<Vec<(usize, String)>> {
    let Val::List(items) = v else {
        bail!("expected a list, got {v:?}");
    };
    items
        .iter()
        .map(|item| match item {
            Val::Tuple(pair) => match pair.as_slice() {
                [Val::U64(i), Val::String(s)] => Ok((*i as usize, s.clone())),
                other => bail!("expected (u64, string), got {other:?}"),
            },
            other => bail!("expected a tuple, got {other:?}"),
        })
        .collect()
}

#[test]
fn graphemes_match_native() -> Result<()> {
    let mut instance = instance()?;
    for text in TEXTS {
        for extended in [true, false] {
            let native: Vec<&str> = text.graphemes(extended).collect();
            let got = call1(
                &mut instance,
                "graphemes",
                &[string(text), Val::Bool(extended)],
            )?;
            ensure!(
                strings(&got)? == native,
                "graphemes({text:?}, {extended}): {got:?}"
            );
            let native: Vec<(usize, String)> = text
                .grapheme_indices(extended)
                .map(|(i, s)| (i, s.to_owned()))
                .collect();
            let got = call1(
                &mut instance,
                "grapheme-indices",
                &[string(text), Val::Bool(extended)],
            )?;
            ensure!(
                indexed(&got)? == native,
                "grapheme-indices({text:?}): {got:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn words_and_sentences_match_native() -> Result<()> {
    let mut instance = instance()?;
    for text in TEXTS {
        let arg = [string(text)];
        let native: Vec<&str> = text.unicode_words().collect();
        ensure!(
            strings(&call1(&mut instance, "unicode-words", &arg)?)? == native,
            "words {text:?}"
        );
        let native: Vec<&str> = text.split_word_bounds().collect();
        ensure!(
            strings(&call1(&mut instance, "split-word-bounds", &arg)?)? == native,
            "word bounds {text:?}"
        );
        let native: Vec<(usize, String)> = text
            .split_word_bound_indices()
            .map(|(i, s)| (i, s.to_owned()))
            .collect();
        ensure!(
            indexed(&call1(&mut instance, "split-word-bound-indices", &arg)?)? == native,
            "word bound indices {text:?}"
        );
        let native: Vec<&str> = text.unicode_sentences().collect();
        ensure!(
            strings(&call1(&mut instance, "unicode-sentences", &arg)?)? == native,
            "sentences {text:?}"
        );
    }
    Ok(())
}

/// `GraphemeCursor` is a resource: a constructor, `&mut self` methods that
/// keep state between calls, and results with the crate's error.
#[test]
fn grapheme_cursor_walks_like_native() -> Result<()> {
    let mut instance = instance()?;
    let text = "👨‍👩‍👧 a\u{301}b🇩🇪";
    let mut native = GraphemeCursor::new(0, text.len(), true);
    let cursor = call1(
        &mut instance,
        "[constructor]grapheme-cursor",
        &[Val::U64(0), Val::U64(text.len() as u64), Val::Bool(true)],
    )?;
    let Val::Resource(cursor) = cursor else {
        bail!("the constructor returned {cursor:?}");
    };
    loop {
        let expected = native.next_boundary(text, 0).map_err(|e| format!("{e:?}"));
        let got = call1(
            &mut instance,
            "[method]grapheme-cursor.next-boundary",
            &[Val::Resource(cursor), string(text), Val::U64(0)],
        )?
        .ok()?;
        let got = got.option()?.map(|v| v.u64()).transpose()?;
        ensure!(
            Ok(got.map(|n| n as usize)) == expected,
            "next-boundary: {got:?} vs {expected:?}"
        );
        let at = call1(
            &mut instance,
            "[method]grapheme-cursor.cur-cursor",
            &[Val::Resource(cursor)],
        )?;
        ensure!(at.u64()? as usize == native.cur_cursor(), "cur-cursor");
        if got.is_none() {
            break;
        }
    }
    instance.drop_resource(cursor)?;
    Ok(())
}

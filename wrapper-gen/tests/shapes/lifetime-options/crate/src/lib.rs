//! Option structs with a lifetime (comrak's `Options<'c>`): owned data
//! plus callbacks, `Default`. They cross as records of the owned fields;
//! the callbacks stay at their default.

/// Rewrites a link.
pub trait Rewriter {
    /// The new link.
    fn rewrite(&self, url: &str) -> String;
}

/// How text is rendered.
#[derive(Default)]
pub struct RenderOptions<'c> {
    /// Wrap lines at this width (0: no wrapping).
    pub width: usize,
    /// Put before each line.
    pub prefix: String,
    /// Rewrites each word, when set.
    pub word_hook: Option<&'c dyn Fn(&str) -> String>,
}

/// Everything `render` takes.
#[derive(Default)]
pub struct Options<'c> {
    /// Upper-case the text.
    pub shout: bool,
    /// Rendering.
    pub render: RenderOptions<'c>,
    /// Rewrites links, when set.
    pub rewriter: Option<&'c dyn Rewriter>,
}

/// Renders `text` with `options`.
pub fn render(text: &str, options: &Options) -> String {
    let mut words: Vec<String> = text
        .split_whitespace()
        .map(|w| match options.render.word_hook {
            Some(hook) => hook(w),
            None => w.to_string(),
        })
        .map(|w| match options.rewriter {
            Some(r) if w.starts_with("http") => r.rewrite(&w),
            _ => w,
        })
        .collect();
    if options.shout {
        words = words.into_iter().map(|w| w.to_uppercase()).collect();
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for w in words {
        if options.render.width > 0
            && !line.is_empty()
            && line.len() + 1 + w.len() > options.render.width
        {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&w);
    }
    lines.push(line);
    lines
        .iter()
        .map(|l| format!("{}{l}", options.render.prefix))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The options a preset names.
pub fn preset(name: &str) -> Options<'static> {
    let mut options = Options::default();
    if name == "loud" {
        options.shout = true;
        options.render.prefix = "> ".into();
    }
    options
}

/// The options a header line of `text` sets (`width=N`); they live as long
/// as the text.
pub fn options_of(text: &str) -> Options<'_> {
    let mut options = Options::default();
    if let Some(width) = text.lines().next().and_then(|l| l.strip_prefix("width=")) {
        options.render.width = width.trim().parse().unwrap_or(0);
    }
    options
}

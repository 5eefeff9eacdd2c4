//! `cargo xtask bench-reach`: how far `compwrap generate` reaches on real
//! published crates, with default settings. For each corpus crate: does
//! generate succeed, how many public functions are mapped, build time and
//! component size, and does its headline call (one per crate, below) give
//! the same answer as the native crate (`xtask/reach-native`, built here)?

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::{cargo, run, target_dir, wave};

/// One crate of the corpus and its headline call.
struct Headline {
    /// `name@version`, the version `reach-native` pins too.
    spec: &'static str,
    /// The input the component and the native crate both get: text, or
    /// bytes `reach-native input <crate>` makes.
    input: Input,
    /// The calls, each `compwrap call`; the last one's result is the
    /// answer. In calls and arguments, `$text` is the input as a WAVE
    /// string, `$bytes` as a `list<u8>`, `$prev` the previous call's
    /// result (without an outer `ok(…)`), `$moto` moto's address.
    steps: &'static [Step],
    /// What the answer is compared with.
    expect: Expect,
}

enum Input {
    Text(&'static str),
    Native,
}

enum Expect {
    /// `reach-native <crate> <text>`'s output.
    Native,
    /// `reach-native <crate> <text>`'s output: a list of the values of
    /// this string field of the answer's records.
    Field(&'static str),
    /// The answer contains the input's bytes, or its text (a storage round
    /// trip).
    InputBack,
}

struct Step {
    call: &'static str,
    self_call: Option<&'static str>,
    args: &'static [&'static str],
}

const fn step(
    call: &'static str,
    self_call: Option<&'static str>,
    args: &'static [&'static str],
) -> Step {
    Step {
        call,
        self_call,
        args,
    }
}

/// A Smithy client on moto (`$moto`), as `--self`.
/// The call that makes an AWS SDK client for moto (`$moto`), as a literal
/// for `concat!`.
macro_rules! aws_client {
    () => {
        "client.new({region: some(\"us-east-1\"), endpoint-url: some(\"http://$moto\"), \
     credentials: some({access-key-id: \"test\", secret-access-key: \"test\", session-token: none}), \
     max-attempts: some(1), connect-timeout-ms: none, operation-timeout-ms: none})"
    };
}

const AWS_CLIENT: &str = aws_client!();

const CORPUS: &[Headline] = &[
    Headline {
        spec: "pulldown-cmark@0.13.6",
        input: Input::Text("# Hello\n\nSome *emphasis* and `code`.\n"),
        // `push_html(&mut String, Parser::new(text))`.
        steps: &[step("push-html", None, &["\"\"", "parser.new($text)"])],
        expect: Expect::Native,
    },
    Headline {
        spec: "chrono@0.4.45",
        input: Input::Text("29 Feb 2024"),
        steps: &[
            step(
                "naive-date-parse-from-str",
                None,
                &["$text", "\"%d %b %Y\""],
            ),
            step("naive-date-succ", None, &["$prev"]),
        ],
        expect: Expect::Native,
    },
    Headline {
        spec: "jiff@1.0.3",
        input: Input::Text("2024-07-11T01:14:00-04:00"),
        steps: &[
            step("timestamp-parse", None, &["$text"]),
            step("timestamp-as-second", None, &["$prev"]),
        ],
        expect: Expect::Native,
    },
    Headline {
        spec: "serde_json@1.0.154",
        input: Input::Text("{\"a\": [1, 2.5, null], \"b\": {\"c\": \"x\"}}"),
        // Parsed, then printed by `to_string_pretty<T: Serialize>` taking
        // any value as JSON text.
        steps: &[
            step("from-str-value", None, &["$text"]),
            step("to-string-pretty", None, &["$prev"]),
        ],
        expect: Expect::Native,
    },
    Headline {
        spec: "toml_edit@0.25.20",
        input: Input::Text("[package]\nname = \"demo\"\nversion = \"0.1.0\" # keep\n"),
        // Parsed and printed again, comments and layout kept.
        steps: &[step(
            "document-mut.to-string",
            Some("document-mut.parse($text)"),
            &[],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "csv@1.4.0",
        input: Input::Text("city,pop\nOslo,709000\nBergen,291000\n"),
        // `Reader::from_reader(text.as_bytes()).records()`.
        steps: &[step(
            "reader.records",
            Some("reader.from-reader($bytes)"),
            &[],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "base64@0.23.1",
        input: Input::Text("hello"),
        steps: &[step(
            "general-purpose.encode",
            Some("engine-general-purpose#standard()"),
            &["$bytes"],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "sha2@0.11.3",
        input: Input::Text("abc"),
        steps: &[step("sha256.digest", None, &["$bytes"])],
        expect: Expect::Native,
    },
    Headline {
        spec: "hex@0.4.3",
        input: Input::Text("hello"),
        steps: &[step("encode", None, &["$bytes"])],
        expect: Expect::Native,
    },
    Headline {
        spec: "minijinja@3.1.0",
        input: Input::Text("{% for x in range(3) %}{{ x * 2 }},{% endfor %}"),
        steps: &[step(
            "environment.render-str",
            Some("environment.new()"),
            // `context! {}`: an empty map.
            &["$text", "value.from-pairs([])"],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "rhai@1.27.0",
        input: Input::Text("let x = 40; x + 2"),
        // `eval::<Dynamic>`, printed.
        steps: &[step(
            "dynamic.to-string",
            Some("engine.eval(engine.new(), $text)"),
            &[],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "scraper@0.29.0",
        input: Input::Text("<ul><p class=a>one</p><p>two</p><p class=a>three</p></ul>"),
        // `html.select(&Selector::parse("p.a"))`, each element's inner HTML.
        steps: &[step(
            "html.select",
            Some("html.parse-document($text)"),
            &["selector.parse(\"p.a\")"],
        )],
        expect: Expect::Field("inner-html"),
    },
    Headline {
        spec: "image@0.25.10",
        input: Input::Native,
        // `load_from_memory(png)` and its dimensions.
        steps: &[step(
            "dynamic-image.dimensions",
            Some("load-from-memory($bytes)"),
            &[],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "zip@9.9.0",
        input: Input::Native,
        steps: &[step(
            "zip-archive.file-names",
            Some("zip-archive.create($bytes)"),
            &[],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "rust_decimal@1.43.0",
        input: Input::Text("3.14159"),
        steps: &[step("decimal-round-dp", None, &["$text", "2"])],
        expect: Expect::Native,
    },
    Headline {
        spec: "aws-sdk-s3@1.157.0",
        input: Input::Text("object body"),
        steps: &[
            step(
                "client.create-bucket",
                Some(AWS_CLIENT),
                &["{bucket: some(\"reach\")}"],
            ),
            step(
                "client.put-object",
                Some(AWS_CLIENT),
                &["{bucket: some(\"reach\"), key: some(\"k\"), body: $bytes}"],
            ),
            // The object's body is a `byte-stream`, read whole.
            step(
                "byte-stream.collect",
                Some(concat!(
                    "client.get-object(",
                    aws_client!(),
                    ", {bucket: some(\"reach\"), key: some(\"k\")})"
                )),
                &[],
            ),
        ],
        expect: Expect::InputBack,
    },
    Headline {
        spec: "aws-sdk-dynamodb@1.136.0",
        input: Input::Text("item value"),
        steps: &[
            step(
                "client.create-table",
                Some(AWS_CLIENT),
                &["{table-name: some(\"reach\"), \
                   attribute-definitions: some([{attribute-name: \"id\", attribute-type: s}]), \
                   key-schema: some([{attribute-name: \"id\", key-type: hash}]), \
                   billing-mode: some(pay-per-request)}"],
            ),
            // `AttributeValue` contains itself: JSON text, `{"S": "1"}`.
            step(
                "client.put-item",
                Some(AWS_CLIENT),
                &["{table-name: some(\"reach\"), \
                   item: some([(\"id\", \"{\\\"S\\\": \\\"1\\\"}\"), \
                   (\"v\", \"{\\\"S\\\": \\\"item value\\\"}\")])}"],
            ),
            step(
                "client.get-item",
                Some(AWS_CLIENT),
                &[
                    "{table-name: some(\"reach\"), key: some([(\"id\", \"{\\\"S\\\": \\\"1\\\"}\")])}",
                ],
            ),
        ],
        expect: Expect::InputBack,
    },
    Headline {
        spec: "sqlparser@0.64.0",
        input: Input::Text("select a, count(*) from `t` where b = 1 group by a"),
        // `Parser::parse_sql(&MySqlDialect {}, text)`: `&dyn Dialect` is an
        // enum of the crate's dialects; the first statement printed.
        steps: &[step(
            "statement.to-string",
            Some("parser.parse-sql(my-sql-dialect, $text)"),
            &[],
        )],
        expect: Expect::Native,
    },
    Headline {
        spec: "boa_engine@0.22.0",
        input: Input::Text("[1, 2, 3].map(x => x * 2).join('-')"),
        steps: &[step("context.eval", Some("context.default()"), &["$text"])],
        expect: Expect::Native,
    },
];

/// The crates `cargo xtask test` runs (small, quick to build).
pub const FAST: &[&str] = &["hex", "base64", "rust_decimal", "serde_json"];

/// One crate's outcome.
struct Outcome {
    spec: &'static str,
    generated: std::result::Result<serde_json::Value, String>,
    seconds: f64,
    headline: std::result::Result<(), String>,
}

/// Runs the corpus (or the crates named in `only`) with `exe` in `store`;
/// prints a table and the totals. With `require`, fails unless every
/// crate generated and answered its headline correctly.
pub fn bench_reach(exe: &Path, store: &Path, only: &[String], require: bool) -> Result<()> {
    let chosen: Vec<&Headline> = CORPUS
        .iter()
        .filter(|h| only.is_empty() || only.iter().any(|o| o == name(h.spec)))
        .collect();
    if chosen.is_empty() {
        bail!("no corpus crate is named {only:?}");
    }
    let native = build_native(&chosen)?;
    let moto = if chosen.iter().any(|h| h.spec.starts_with("aws-sdk-")) {
        Some(crate::aws::Moto::start()?)
    } else {
        None
    };
    let moto_address = moto.as_ref().map(|m| m.address.as_str()).unwrap_or("");
    let mut outcomes = Vec::new();
    for headline in chosen {
        eprintln!("xtask: bench-reach: {}", headline.spec);
        let started = Instant::now();
        let generated = generate(exe, store, headline.spec);
        let seconds = started.elapsed().as_secs_f64();
        let answer = match &generated {
            Ok(_) => check_headline(exe, store, &native, headline, moto_address),
            Err(_) => Err("not generated".into()),
        };
        outcomes.push(Outcome {
            spec: headline.spec,
            generated,
            seconds,
            headline: answer,
        });
    }
    drop(moto);
    print_table(&outcomes);
    if require {
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.generated.is_err() || o.headline.is_err())
            .map(|o| o.spec)
            .collect();
        if !failed.is_empty() {
            bail!(
                "bench-reach: {} did not generate or answer correctly",
                failed.join(", ")
            );
        }
    }
    Ok(())
}

fn name(spec: &str) -> &str {
    spec.split('@').next().unwrap_or(spec)
}

/// Builds `reach-native` with the features of the chosen crates.
fn build_native(chosen: &[&Headline]) -> Result<PathBuf> {
    let manifest = crate::workspace_root().join("xtask/reach-native/Cargo.toml");
    let features: Vec<&str> = chosen
        .iter()
        .map(|h| name(h.spec))
        .filter(|n| !n.starts_with("aws-sdk-"))
        .collect();
    let target = target_dir().join("reach-native");
    let mut cmd = cargo();
    cmd.args(["build", "--release", "--quiet", "--no-default-features"])
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    run(&mut cmd)?;
    Ok(target.join("release/reach-native"))
}

/// `compwrap generate SPEC --json`, as a user types it (no flags).
fn generate(
    exe: &Path,
    store: &Path,
    spec: &str,
) -> std::result::Result<serde_json::Value, String> {
    let out = Command::new(exe)
        .args(["generate", spec, "--yes", "--json"])
        .env("COMPWRAP_HOME", store)
        .output()
        .map_err(|e| format!("running {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(first_line(&String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("generate --json: {e}"))
}

/// Makes the headline's calls and compares the answer.
fn check_headline(
    exe: &Path,
    store: &Path,
    native: &Path,
    headline: &Headline,
    moto: &str,
) -> std::result::Result<(), String> {
    let crate_name = name(headline.spec);
    let (text, bytes) = match headline.input {
        Input::Text(text) => (wave::string(text), wave::bytes(text.as_bytes())),
        Input::Native => {
            let bytes = stdout(Command::new(native).args(["input", crate_name]))?;
            (String::new(), bytes)
        }
    };
    let fill = |s: &str, prev: &str| {
        s.replace("$text", &text)
            .replace("$bytes", &bytes)
            .replace("$prev", prev)
            .replace("$moto", moto)
    };
    let mut prev = String::new();
    for (i, step) in headline.steps.iter().enumerate() {
        let mut cmd = Command::new(exe);
        cmd.args(["call", headline.spec, step.call])
            .env("COMPWRAP_HOME", store);
        if let Some(self_call) = step.self_call {
            cmd.arg("--self").arg(fill(self_call, &prev));
        }
        if !moto.is_empty() && crate_name.starts_with("aws-sdk-") {
            cmd.args(["--allow-http", moto]);
        }
        cmd.arg("--");
        for arg in step.args {
            cmd.arg(fill(arg, &prev));
        }
        let answer = stdout(&mut cmd).map_err(|e| format!("{}: {e}", step.call))?;
        if answer.starts_with("err(") {
            return Err(format!("{}: {}", step.call, shorten(&answer)));
        }
        // The last answer whole; earlier ones feed the next call.
        prev = if i + 1 == headline.steps.len() {
            answer
        } else {
            unwrap_ok(&answer).to_string()
        };
    }
    let native_answer = || {
        let mut cmd = Command::new(native);
        cmd.arg(crate_name);
        if let Input::Text(text) = headline.input {
            cmd.arg(text);
        }
        stdout(&mut cmd)
    };
    match headline.expect {
        Expect::Native | Expect::Field(_) => {
            if let Expect::Field(field) = headline.expect {
                prev = format!("[{}]", field_values(&prev, field).join(", "));
            }
            let expected = native_answer()?;
            if prev == expected {
                Ok(())
            } else {
                Err(format!(
                    "answered {}, native {}",
                    shorten(&prev),
                    shorten(&expected)
                ))
            }
        }
        Expect::InputBack => {
            let raw = match headline.input {
                Input::Text(text) => text,
                Input::Native => "",
            };
            if prev.contains(&bytes) || (!raw.is_empty() && prev.contains(raw)) {
                Ok(())
            } else {
                Err(format!(
                    "the answer does not hold the input: {}",
                    shorten(&prev)
                ))
            }
        }
    }
}

/// The WAVE string literals after each `field: ` in `answer`.
fn field_values(answer: &str, field: &str) -> Vec<String> {
    let marker = format!("{field}: \"");
    let mut out = Vec::new();
    let mut rest = answer;
    while let Some(at) = rest.find(&marker) {
        let literal = &rest[at + marker.len() - 1..];
        let mut end = 1;
        let mut escaped = false;
        for (i, c) in literal.char_indices().skip(1) {
            if c == '"' && !escaped {
                end = i + 1;
                break;
            }
            escaped = c == '\\' && !escaped;
        }
        out.push(literal[..end].to_string());
        rest = &literal[end..];
    }
    out
}

/// `ok(x)` → `x`.
fn unwrap_ok(answer: &str) -> &str {
    answer
        .strip_prefix("ok(")
        .and_then(|a| a.strip_suffix(')'))
        .unwrap_or(answer)
}

/// A command's trimmed stdout, or the first line of its stderr.
fn stdout(cmd: &mut Command) -> std::result::Result<String, String> {
    let out = cmd.output().map_err(|e| format!("running {cmd:?}: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `error: calling … failed` then the cause: the cause says more.
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let cause = lines
            .iter()
            .find(|l| l.trim_start().starts_with("0: "))
            .or(lines.first())
            .map(|l| l.trim().trim_start_matches("0: ").to_string())
            .unwrap_or_default();
        return Err(cause);
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("error"))
        .or(text.lines().next())
        .unwrap_or("")
        .to_string()
}

fn shorten(text: &str) -> String {
    let text = text.replace('\n', " ");
    if text.chars().count() <= 90 {
        return text;
    }
    let cut: String = text.chars().take(87).collect();
    format!("{cut}…")
}

fn print_table(outcomes: &[Outcome]) {
    println!(
        "{:<26} {:>9} {:>12} {:>6} {:>9} {:>8} {:>9} {:>9}  headline",
        "crate", "generate", "mapped", "%", "reached %", "build s", "wall s", "size KiB"
    );
    let (mut percents, mut reached) = (Vec::new(), Vec::new());
    let mut categories: std::collections::BTreeMap<String, u64> = Default::default();
    let (mut generated, mut answered) = (0, 0);
    for o in outcomes {
        match &o.generated {
            Ok(g) => {
                generated += 1;
                let c = &g["report"]["coverage"];
                let (mapped, covered, total) = (
                    c["functions_mapped"].as_u64().unwrap_or(0),
                    c["functions_covered"].as_u64().unwrap_or(0),
                    c["functions"].as_u64().unwrap_or(0),
                );
                let share = |n: u64| {
                    if total == 0 {
                        100.0
                    } else {
                        100.0 * n as f64 / total as f64
                    }
                };
                let percent = share(mapped);
                percents.push(percent);
                reached.push(share(mapped + covered));
                for pair in g["report"]["skip_categories"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    if let (Some(name), Some(n)) = (pair[0].as_str(), pair[1].as_u64()) {
                        *categories.entry(name.to_string()).or_default() += n;
                    }
                }
                let reused = g["reused"].as_bool() == Some(true);
                println!(
                    "{:<26} {:>9} {:>12} {:>6.1} {:>9.1} {:>8} {:>9.1} {:>9.0}  {}",
                    o.spec,
                    if reused { "reused" } else { "ok" },
                    format!("{mapped}/{total}"),
                    percent,
                    share(mapped + covered),
                    if reused {
                        "-".to_string()
                    } else {
                        format!("{:.1}", g["build_seconds"].as_f64().unwrap_or(0.0))
                    },
                    o.seconds,
                    g["size"].as_f64().unwrap_or(0.0) / 1024.0,
                    verdict(&o.headline),
                );
                if let Some(why) = g["features_changed"].as_str() {
                    println!("{:<26} {}", "", shorten(why));
                }
            }
            Err(e) => println!(
                "{:<26} {:>9} {:>12} {:>6} {:>9} {:>8} {:>9.1} {:>9}  {}",
                o.spec,
                "FAILED",
                "-",
                "-",
                "-",
                "-",
                o.seconds,
                "-",
                shorten(e)
            ),
        }
        answered += usize::from(o.headline.is_ok());
    }
    let median = |v: Vec<f64>| if v.is_empty() { 0.0 } else { crate::median(v) };
    println!(
        "generate: {generated}/{n}  headline correct: {answered}/{n}  median function coverage: \
         {:.1}% mapped, {:.1}% reached (mapped or covered by other exports)",
        median(percents),
        median(reached),
        n = outcomes.len()
    );
    let mut categories: Vec<(String, u64)> = categories.into_iter().collect();
    categories.sort_by_key(|c| std::cmp::Reverse(c.1));
    let listed: Vec<String> = categories.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!("skipped items by category: {}", listed.join(", "));
}

fn verdict(headline: &std::result::Result<(), String>) -> String {
    match headline {
        Ok(()) => "yes".into(),
        Err(why) => format!("no: {}", shorten(why)),
    }
}

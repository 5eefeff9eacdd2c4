//! `cargo xtask`: sets up what the tests need and runs them.
//!
//! - `cargo xtask test`: installs the `wasm32-wasip2` target, Debian's
//!   `docker-registry` and moto (pip, in a venv) when missing, runs every test of the workspace, then generates the semver component
//!   and runs the examples against it.
//! - `cargo xtask bench`: `generate` vs a plain `cargo build` of the same
//!   emitted guest crate, and a repeated (cached) `generate`.
//! - `cargo xtask corpus`: coverage, generate time, component size and the
//!   peak memory of deriving the API, for each crate of the test corpus.
//! - `cargo xtask bench-host-build`: clean debug builds of an application
//!   on compwrap-host without Cranelift and of one on compwrap-client.
//! - `cargo xtask bench-registry`: a registry as a build cache (pull vs
//!   build), and a version bump reaching an application on a second store.
//! - `cargo xtask ec2`: every operation of `aws-sdk-ec2` generated into a
//!   component, `examples/ec2-host` built on its typed host crate and run
//!   against moto.
//! - `cargo xtask s3`: objects of 1 MiB and 100 MiB through `aws-sdk-s3`'s
//!   component against moto, read back in chunks.
//! - `cargo xtask bench-build`: a native application on `aws-sdk-ec2` vs
//!   the same application through compwrap (build, bump, size, loads).
//! - `cargo xtask bench-reach`: `compwrap generate` as typed on a corpus of
//!   real crates, and each one's headline call against the native crate.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod aws;
mod reach;
mod registry_bench;
mod wave;

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install what tests need, then run all tests and examples.
    Test {
        /// Extra arguments for `cargo test` (e.g. a test name filter).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Install what tests need (the wasm32-wasip2 target, Debian's
    /// docker-registry, a C toolchain for wasm32, moto in a venv) and
    /// nothing else.
    Setup,
    /// Coverage, generate time, size and derive peak memory per corpus crate.
    Corpus,
    /// Clean builds of an application on compwrap-host (no Cranelift) and
    /// of one on compwrap-client (the shared runtime).
    BenchHostBuild,
    /// A registry as a build cache: pull on a hit vs build on a miss, and
    /// new version published -> application running on a second store.
    BenchRegistry,
    /// The full aws-sdk-ec2 flow: generate every operation, build
    /// examples/ec2-host and run it against moto.
    Ec2,
    /// aws-sdk-s3's streaming bodies: an application on its typed host crate
    /// puts objects of 1 MiB and 100 MiB into moto and reads them back in
    /// chunks (`byte-stream.next`), byte for byte, with its memory figures.
    /// `cargo xtask test` runs the same on aws-sdk-mediastoredata.
    S3,
    /// examples/ec2-host's `describe-instances` against moto through the
    /// shared runtime and with `embedded`, with Cranelift's and Winch's
    /// code, and the whole component's first and warm loads.
    BenchEc2Calls {
        /// Calls timed per run.
        #[arg(long, default_value_t = 100)]
        calls: usize,
        /// Runs of each variant, alternating.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// A native application on aws-sdk-ec2 against the same application
    /// through compwrap: clean build, version bump, target size, loads.
    BenchBuild,
    /// `compwrap generate aws-sdk-ec2` (every operation, then --only the
    /// example's) from an empty store, next to the native application's
    /// release build: wall time and peak memory.
    BenchGenerate {
        /// The store to generate into (default: a new one under the target
        /// directory, removed afterwards); `COMPWRAP_HOME=DIR cargo xtask
        /// ec2` then reuses the whole component.
        #[arg(long)]
        store: Option<PathBuf>,
    },
    /// Reach on real crates: for each corpus crate, `compwrap generate`
    /// as typed (success, functions mapped, build time, size) and whether
    /// its headline call answers as the native crate does.
    BenchReach {
        /// Only these corpus crates (names, comma-separated).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Generate into an empty store (removed afterwards) instead of
        /// the kept one under the target directory.
        #[arg(long)]
        fresh: bool,
    },
    /// Measure `generate` against a plain cargo build of the same guest crate.
    Bench {
        /// The crate to measure.
        #[arg(default_value = "regex@1.13.2")]
        spec: String,
        /// How many times to time each side.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Test { args } => test(&args),
        Cmd::Setup => setup(),
        Cmd::Bench { spec, runs } => bench(&spec, runs),
        Cmd::Corpus => corpus(),
        Cmd::BenchHostBuild => bench_host_build(),
        Cmd::BenchRegistry => registry_bench::bench_registry(),
        Cmd::Ec2 => aws::ec2(),
        Cmd::S3 => s3(),
        Cmd::BenchBuild => aws::bench_build(),
        Cmd::BenchEc2Calls { calls, runs } => aws::bench_ec2_calls(calls, runs),
        Cmd::BenchGenerate { store } => aws::bench_generate(store.as_deref()),
        Cmd::BenchReach { only, fresh } => bench_reach(&only, fresh),
    }
}

/// The workspace this xtask runs in. `cargo run` sets `CARGO_MANIFEST_DIR`
/// at run time; the compile-time value can name another checkout when the
/// target directory is shared between checkouts.
fn workspace_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .parent()
        .expect("xtask is in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("failed to start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}

/// The target directory cargo uses here.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn setup() -> Result<()> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .context("failed to run rustc")?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot.join("lib/rustlib/wasm32-wasip2/lib").is_dir() {
        run(Command::new("rustup").args(["target", "add", "wasm32-wasip2"]))?;
    }
    // The OCI registry the registry tests start on loopback (CNCF
    // distribution 2.8, Debian's package).
    if !on_path("docker-registry") {
        apt_install(&["docker-registry"])?;
    }
    // A C toolchain for wasm32 (clang, wasm-ld, WASI libc), which compwrap
    // uses for crates that compile C.
    if !on_path("clang") || !Path::new("/usr/include/wasm32-wasi/stdlib.h").is_file() {
        apt_install(&["clang", "lld", "wasi-libc", "libclang-rt-dev-wasm32"])?;
    }
    moto_server()?;
    Ok(())
}

/// moto's server (the AWS API mock the AWS SDK tests call), installed with
/// pip into a venv under the target directory when missing.
fn moto_server() -> Result<PathBuf> {
    let venv = target_dir().join("moto-venv");
    let server = venv.join("bin/moto_server");
    if !server.is_file() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "moto[server]"]))?;
    }
    Ok(server)
}

/// Waits until something listens on `address` (a server `what` just
/// started), for at most `limit`.
fn wait_for_listener(address: &str, what: &str, limit: Duration) -> Result<()> {
    let started = Instant::now();
    while std::net::TcpStream::connect(address).is_err() {
        if started.elapsed() > limit {
            bail!("{what} did not start on {address}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Installs Debian packages (as root, or through sudo).
fn apt_install(packages: &[&str]) -> Result<()> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    let install = || run(apt(&["install", "-y", "-q"]).args(packages));
    // A fresh machine may have no package lists yet.
    install().or_else(|_| {
        run(&mut apt(&["update", "-q"]))?;
        install()
    })
}

fn test(args: &[String]) -> Result<()> {
    setup()?;
    // One store for all tests, kept between runs so guest builds are reused.
    let home = target_dir().join("compwrap-test-home");
    std::fs::create_dir_all(&home)?;
    // Build every target first, with the feature set `cargo test
    // --workspace` uses, so the example binaries come out of the same build
    // (a `cargo run -p` would resolve features anew and rebuild wasmtime).
    run(cargo().args(["build", "--workspace", "--all-targets"]))?;
    install_runtime(&home)?;
    let counts = run_tests(
        cargo()
            .args(["test", "--workspace", "--no-fail-fast"])
            .args(args)
            .env("COMPWRAP_TEST_HOME", &home)
            .env("COMPWRAP_MOTO_SERVER", moto_server()?),
    )?;
    if args.is_empty() {
        run_examples(&home)?;
        // A fast subset of the reach corpus, each crate's headline call
        // against the native crate's answer.
        let fast: Vec<String> = reach::FAST.iter().map(|s| s.to_string()).collect();
        reach::bench_reach(&bin("compwrap"), &home, &fast, true)?;
    }
    println!("tests: {} passed, {} failed", counts.passed, counts.failed);
    Ok(())
}

/// `cargo xtask s3`: the streaming test that `cargo xtask test` runs on
/// aws-sdk-mediastoredata, on aws-sdk-s3 (its component is generated once
/// into the test store).
fn s3() -> Result<()> {
    setup()?;
    let home = target_dir().join("compwrap-test-home");
    std::fs::create_dir_all(&home)?;
    run(cargo().args(["build", "-p", "compwrap"]))?;
    install_runtime(&home)?;
    run(cargo()
        .args(["test", "-p", "compwrap-tests", "--test", "aws_streams"])
        .args(["--", "--ignored", "--nocapture"])
        .env("COMPWRAP_TEST_HOME", &home)
        .env("COMPWRAP_MOTO_SERVER", moto_server()?))
}

/// `cargo xtask bench-reach`: the release compwrap on the corpus.
fn bench_reach(only: &[String], fresh: bool) -> Result<()> {
    setup()?;
    run(cargo().args(["build", "--release", "-p", "compwrap"]))?;
    let exe = target_dir().join("release/compwrap");
    let store = if fresh {
        tempdir_in(&target_dir(), "reach-fresh")?
    } else {
        target_dir().join("reach-home")
    };
    let result = reach::bench_reach(&exe, &store, only, false);
    if fresh {
        let _ = std::fs::remove_dir_all(&store);
    }
    result
}

/// `compwrap runtime install` into the test store, as a user runs it: the
/// release runtime library the typed host crates' applications load. It
/// shares this target directory, so it is built once per machine.
fn install_runtime(home: &Path) -> Result<()> {
    let started = Instant::now();
    run(Command::new(bin("compwrap"))
        .args(["runtime", "install", "--quiet"])
        .env("COMPWRAP_HOME", home))?;
    eprintln!(
        "xtask: runtime installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
}

/// Runs `cargo test`, echoing its output and adding up its result lines.
fn run_tests(cmd: &mut Command) -> Result<Counts> {
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("failed to start {cmd:?}"))?;
    let mut counts = Counts::default();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            let number = |word: &str| {
                rest.split(';')
                    .find_map(|part| {
                        part.trim()
                            .strip_suffix(word)?
                            .trim()
                            .rsplit(' ')
                            .next()?
                            .parse::<u64>()
                            .ok()
                    })
                    .unwrap_or(0)
            };
            counts.passed += number("passed");
            counts.failed += number("failed");
        }
    }
    let status = child.wait()?;
    if !status.success() {
        println!(
            "tests: {} passed, {} failed",
            counts.passed,
            counts.failed.max(1)
        );
        bail!("{cmd:?} failed ({status})");
    }
    Ok(counts)
}

/// A binary of the workspace's debug build.
fn bin(name: &str) -> PathBuf {
    target_dir()
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The examples run against components generated the way a user would,
/// with the binaries of the build the tests used.
fn run_examples(home: &Path) -> Result<()> {
    run(Command::new(bin("compwrap"))
        .args(["generate", "semver@1.0.28", "--yes"])
        .env("COMPWRAP_HOME", home))?;
    run_semver_host(home)?;
    run_precompiled_host(home)
}

/// The normal dependencies of a package, one per line without prefixes
/// (`cargo tree -e normal --prefix none` with `args` naming the package).
fn dependency_tree(args: &[&str]) -> Result<String> {
    let tree = cargo()
        .args(["tree", "-e", "normal", "--prefix", "none"])
        .args(args)
        .output()
        .context("failed to run cargo tree")?;
    Ok(String::from_utf8_lossy(&tree.stdout).into_owned())
}

/// `examples/semver-host` on its typed host crate: written by `compwrap
/// host-crate`, built with no wasmtime in its dependency tree, run on the
/// shared runtime library of the test store; then built and run with the
/// runtime linked in (`embedded`).
fn run_semver_host(home: &Path) -> Result<()> {
    let example = workspace_root().join("examples/semver-host");
    run(Command::new(bin("compwrap"))
        .args(["host-crate", "semver@1.0.28", "--out"])
        .arg(example.join("semver-component"))
        .env("COMPWRAP_HOME", home))?;
    let manifest = example.join("Cargo.toml");
    run(cargo().arg("build").arg("--manifest-path").arg(&manifest))?;
    let tree = dependency_tree(&["--manifest-path", &manifest.to_string_lossy()])?;
    for heavy in ["wasmtime", "compwrap-host", "compwrap-runtime", "tokio"] {
        if tree.lines().any(|l| l.starts_with(&format!("{heavy} "))) {
            bail!("examples/semver-host depends on {heavy}:\n{tree}");
        }
    }
    let expect = "-> major 1 minor 2 patch 3 pre \"beta.1\" build \"build.5\"";
    let check = |what: &str| -> Result<()> {
        let out = Command::new(target_dir().join("debug/semver-host"))
            .env("COMPWRAP_HOME", home)
            .output()
            .context("failed to run semver-host")?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.contains(expect) || !stdout.contains(what) {
            bail!(
                "semver-host ({what}) failed: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        print!("{stdout}");
        Ok(())
    };
    check("the shared runtime library")?;
    run(cargo()
        .args(["build", "--features", "embedded", "--manifest-path"])
        .arg(&manifest))?;
    check("the runtime linked in")
}

/// The Cranelift-free host: built on its own so its features are not
/// unified with the workspace's, checked to contain no compiler, and run on
/// native code from `compwrap precompile`; broken native code must be an
/// error, not a crash.
fn run_precompiled_host(home: &Path) -> Result<()> {
    run(cargo().args(["build", "-p", "precompiled-host"]))?;
    let tree = dependency_tree(&["-p", "precompiled-host"])?;
    if tree.contains("cranelift-codegen") {
        bail!("precompiled-host depends on cranelift-codegen:\n{tree}");
    }
    let precompiled = Command::new(bin("compwrap"))
        .args(["precompile", "semver@1.0.28", "--json"])
        .env("COMPWRAP_HOME", home)
        .output()
        .context("failed to run compwrap precompile")?;
    if !precompiled.status.success() {
        bail!(
            "compwrap precompile failed: {}",
            String::from_utf8_lossy(&precompiled.stderr)
        );
    }
    let native: serde_json::Value = serde_json::from_slice(&precompiled.stdout)?;
    let native = PathBuf::from(native["native"].as_str().context("no native path")?);
    let host = || {
        Command::new(bin("precompiled-host"))
            .args(["1.2.3-beta.1"])
            .env("COMPWRAP_HOME", home)
            .env("RUST_BACKTRACE", "0")
            .output()
    };
    let ok = host()?;
    let stdout = String::from_utf8_lossy(&ok.stdout);
    if !ok.status.success() || !stdout.contains("1.2.3-beta.1 -> ok({major: 1") {
        bail!(
            "precompiled-host failed: {stdout}{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
    print!("{stdout}");
    // Native code that is not this engine's: a clear error.
    let good = std::fs::read(&native)?;
    std::fs::write(&native, &good[..good.len() / 2])?;
    let broken = host();
    std::fs::write(&native, &good)?;
    let broken = broken?;
    let stderr = String::from_utf8_lossy(&broken.stderr);
    if broken.status.success() || !stderr.contains("is not usable") {
        bail!("truncated native code was not refused clearly: {stderr}");
    }
    eprintln!(
        "xtask: truncated native code is refused: {}",
        stderr.lines().next().unwrap_or("")
    );
    Ok(())
}

fn bench(spec: &str, runs: usize) -> Result<()> {
    setup()?;
    run(cargo().args(["build", "--release", "-p", "compwrap"]))?;
    let exe = target_dir().join("release/compwrap");
    let home = tempdir_in(&target_dir(), "bench-home")?;
    let result = bench_in(&exe, &home, spec, runs.max(1));
    let _ = std::fs::remove_dir_all(&home);
    result
}

/// Times `generate` (guest rebuilt) and a plain `cargo build` of the same
/// guest crate alternately, `runs` times each, and a cache-hit `generate`.
fn bench_in(exe: &Path, home: &Path, spec: &str, runs: usize) -> Result<()> {
    let generate = |force: bool| -> Result<f64> {
        let mut cmd = Command::new(exe);
        cmd.args(["generate", spec, "--yes"])
            .env("COMPWRAP_HOME", home);
        if force {
            cmd.arg("--force");
        }
        let t = Instant::now();
        run(&mut cmd)?;
        Ok(t.elapsed().as_secs_f64())
    };
    // The first run also builds the guest's dependencies into the store.
    let cold = generate(true)?;
    let guest = std::fs::read_dir(home.join("build/guests"))?
        .next()
        .context("no guest crate")??
        .path();
    let plain = || -> Result<f64> {
        // Rewrite the glue and its bindings so cargo rebuilds the guest's
        // two crates (and only them), as `generate` does; run in the guest
        // directory so its .cargo/config.toml (the rustflags generate
        // uses) applies.
        for lib in [guest.join("src/lib.rs"), guest.join("bindings/src/lib.rs")] {
            std::fs::write(&lib, std::fs::read(&lib)?)?;
        }
        let t = Instant::now();
        run(
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .args(["build", "--release", "--target", "wasm32-wasip2"])
                .current_dir(&guest)
                .env("CARGO_TARGET_DIR", home.join("build/target")),
        )?;
        Ok(t.elapsed().as_secs_f64())
    };
    let (mut gen_times, mut plain_times) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        gen_times.push(generate(true)?);
        plain_times.push(plain()?);
    }
    let cached: Vec<f64> = (0..runs).map(|_| generate(false)).collect::<Result<_>>()?;
    let (g, p, c) = (median(gen_times), median(plain_times), median(cached));
    println!("bench {spec} (median of {runs}, measured alternately in one run):");
    println!("  first generate (cold dependency builds): {cold:.2} s");
    println!("  generate (guest rebuilt):                {g:.2} s");
    println!("  plain cargo build of the same crate:      {p:.2} s");
    println!("  ratio generate / plain build:            {:.2}x", g / p);
    println!("  repeated generate (cache hit):           {c:.3} s");
    Ok(())
}

/// The crates the end-to-end tests generate and compare with the native
/// crates (`tests/src/lib.rs`).
const CORPUS: &[&str] = &[
    "semver@1.0.28",
    "regex@1.13.2",
    "url@2.5.8",
    "uuid@1.29.3",
    "unicode-segmentation@1.13.3",
    "toml@1.2.2",
    "humantime@2.4.0",
    "ipnet@2.12.2",
];

/// For each corpus crate, in a fresh store: the first generate (its
/// dependencies built cold), a forced second one (guest rebuilt), the
/// component size and coverage; and, in another fresh store, the wall time
/// and peak memory (largest process of the tree, GNU time's `%M`) of
/// `generate --dry-run`, which is the rustdoc and mapping step alone.
fn corpus() -> Result<()> {
    setup()?;
    run(cargo().args(["build", "--release", "-p", "compwrap"]))?;
    let exe = target_dir().join("release/compwrap");
    println!(
        "{:<30} {:>9} {:>6} {:>9} {:>9} {:>11} {:>9} {:>10}",
        "crate", "mapped", "%", "cold s", "warm s", "size", "derive s", "derive MB"
    );
    let mut percents = Vec::new();
    for spec in CORPUS {
        let home = tempdir_in(&target_dir(), "corpus-home")?;
        let generate = |force: bool| -> Result<(f64, serde_json::Value)> {
            let mut cmd = Command::new(&exe);
            cmd.args(["generate", spec, "--yes", "--json"])
                .env("COMPWRAP_HOME", &home)
                .stderr(Stdio::inherit());
            if force {
                cmd.arg("--force");
            }
            let t = Instant::now();
            let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
            let seconds = t.elapsed().as_secs_f64();
            if !out.status.success() {
                bail!("{cmd:?} failed ({})", out.status);
            }
            Ok((seconds, serde_json::from_slice(&out.stdout)?))
        };
        let generated = generate(false).and_then(|(cold, _)| Ok((cold, generate(true)?)));
        let _ = std::fs::remove_dir_all(&home);
        let (cold, (warm, g)) = generated?;

        let home = tempdir_in(&target_dir(), "corpus-derive")?;
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(&exe)
            .args(["generate", spec, "--dry-run", "--yes"])
            .env("COMPWRAP_HOME", &home)
            .output()
            .context("running /usr/bin/time (GNU time)")?;
        let derive = t.elapsed().as_secs_f64();
        let _ = std::fs::remove_dir_all(&home);
        let peak_kb: f64 = String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .context("GNU time printed no peak memory")?;

        let c = &g["report"]["coverage"];
        let (mapped, total) = (c["functions_mapped"].as_f64(), c["functions"].as_f64());
        let (mapped, total) = (mapped.unwrap_or(0.0), total.unwrap_or(0.0));
        let percent = if total == 0.0 {
            100.0
        } else {
            100.0 * mapped / total
        };
        percents.push(percent);
        println!(
            "{:<30} {:>9} {:>6.1} {:>9.1} {:>9.1} {:>11} {:>9.1} {:>10.0}",
            spec,
            format!("{mapped}/{total}"),
            percent,
            cold,
            warm,
            g["size"].as_u64().unwrap_or(0),
            derive,
            peak_kb / 1024.0
        );
    }
    println!(
        "average coverage: {:.1}% over {} crates",
        percents.iter().sum::<f64>() / percents.len() as f64,
        percents.len()
    );
    Ok(())
}

/// A clean debug build of `examples/precompiled-host` (compwrap-host
/// without Cranelift: wasmtime in the application) and of
/// `examples/semver-host` (a typed host crate on compwrap-client: the
/// shared runtime), each in an empty target directory, one after the other
/// in this run; their wall times, ratio and target directory sizes.
fn bench_host_build() -> Result<()> {
    let semver_host = workspace_root().join("examples/semver-host");
    if !semver_host.join("semver-component/Cargo.toml").is_file() {
        bail!(
            "examples/semver-host has no host crate yet: run `compwrap host-crate semver@1.0.28 \
             --out examples/semver-host/semver-component` (or `cargo xtask test`) first"
        );
    }
    let mut results = Vec::new();
    let builds: [(&str, &str, Vec<String>); 2] = [
        (
            "precompiled-host",
            "compwrap-host, no Cranelift",
            [
                "build",
                "-p",
                "precompiled-host",
                "--features",
                "compwrap-host/http",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "semver-host",
            "compwrap-client",
            vec![
                "build".into(),
                "--manifest-path".into(),
                semver_host.join("Cargo.toml").display().to_string(),
            ],
        ),
    ];
    for (package, what, args) in builds {
        let dir = tempdir_in(&target_dir(), "host-build")?;
        let t = Instant::now();
        let built = run(cargo().args(&args).env("CARGO_TARGET_DIR", &dir));
        let seconds = t.elapsed().as_secs_f64();
        let bytes = dir_size(&dir);
        // A whole target directory: never leave it behind.
        let _ = std::fs::remove_dir_all(&dir);
        built?;
        results.push((package, what, seconds, bytes));
    }
    println!("clean debug build of a host application (same run, one after the other):");
    for (package, what, seconds, bytes) in &results {
        println!(
            "  {package:<18} {what:<28} {seconds:>7.1} s  target/ {:>7.0} MiB",
            *bytes as f64 / (1024.0 * 1024.0)
        );
    }
    println!(
        "  ratio compwrap-client / compwrap-host: {:.3}x time, {:.3}x target size",
        results[1].2 / results[0].2,
        results[1].3 as f64 / results[0].3 as f64
    );
    Ok(())
}

/// Bytes in the files under `dir`, each file once: cargo hard-links a
/// binary from `deps/` into its profile directory, and `du` counts it once
/// too.
fn dir_size(dir: &Path) -> u64 {
    fn walk(dir: &Path, seen: &mut std::collections::HashSet<(u64, u64)>) -> u64 {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path(), seen),
                Ok(m) if seen.insert((m.dev(), m.ino())) => m.len(),
                _ => 0,
            })
            .sum()
    }
    walk(dir, &mut std::collections::HashSet::new())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn tempdir_in(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&path)?;
    Ok(path)
}

//! `cargo xtask`: sets up what the tests need and runs them.
//!
//! - `cargo xtask test`: installs the `wasm32-wasip2` target when missing,
//!   runs every test of the workspace, then generates the semver component
//!   and runs the examples against it.
//! - `cargo xtask bench`: `generate` vs a plain `cargo build` of the same
//!   emitted guest crate, and a repeated (cached) `generate`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

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
    /// Install what tests need (the wasm32-wasip2 target) and nothing else.
    Setup,
    /// Measure `generate` against a plain cargo build of the same guest crate.
    Bench {
        /// The crate to measure.
        #[arg(default_value = "regex@1.13.2")]
        spec: String,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Test { args } => test(&args),
        Cmd::Setup => setup(),
        Cmd::Bench { spec } => bench(&spec),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
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
    Ok(())
}

fn test(args: &[String]) -> Result<()> {
    setup()?;
    // One store for all tests, kept between runs so guest builds are reused.
    let home = target_dir().join("compwrap-test-home");
    std::fs::create_dir_all(&home)?;
    run(cargo()
        .args(["test", "--workspace"])
        .args(args)
        .env("COMPWRAP_TEST_HOME", &home))?;
    if !args.is_empty() {
        return Ok(());
    }
    // The examples run against components generated the way a user would,
    // with the `compwrap` binary the tests just built (`cargo run -p
    // compwrap` would resolve features anew and rebuild dependencies).
    let exe = target_dir()
        .join("debug")
        .join(format!("compwrap{}", std::env::consts::EXE_SUFFIX));
    run(Command::new(exe)
        .args(["generate", "semver@1.0.28", "--yes"])
        .env("COMPWRAP_HOME", &home))?;
    run(cargo()
        .args(["run", "-p", "semver-host"])
        .env("COMPWRAP_HOME", &home))?;
    Ok(())
}

fn bench(spec: &str) -> Result<()> {
    setup()?;
    run(cargo().args(["build", "--release", "-p", "compwrap"]))?;
    let exe = target_dir().join("release/compwrap");
    let home = tempdir_in(&target_dir(), "bench-home")?;
    // Warm the shared dependency builds so both sides compile the same work.
    let generate = |force: bool| -> Result<f64> {
        let mut cmd = Command::new(&exe);
        cmd.args(["generate", spec, "--yes"])
            .env("COMPWRAP_HOME", &home);
        if force {
            cmd.arg("--force");
        }
        let t = Instant::now();
        run(&mut cmd)?;
        Ok(t.elapsed().as_secs_f64())
    };
    let cold = generate(true)?;
    let guest = std::fs::read_dir(home.join("build/guests"))?
        .next()
        .context("no guest crate")??
        .path();
    // Touch the guest so cargo rebuilds only it, on both sides.
    let touch = || -> Result<()> {
        let lib = guest.join("src/lib.rs");
        let text = std::fs::read(&lib)?;
        std::fs::write(&lib, text)?;
        Ok(())
    };
    touch()?;
    let full = generate(true)?;
    touch()?;
    let t = Instant::now();
    // Run in the guest directory so its .cargo/config.toml (the same
    // rustflags generate uses) applies.
    run(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--release", "--target", "wasm32-wasip2"])
            .current_dir(&guest)
            .env("CARGO_TARGET_DIR", home.join("build/target")),
    )?;
    let plain = t.elapsed().as_secs_f64();
    let cached = generate(false)?;
    println!("bench {spec}:");
    println!("  first generate (cold dependency builds): {cold:.2} s");
    println!("  generate (guest rebuilt):                {full:.2} s");
    println!("  plain cargo build of the same crate:      {plain:.2} s");
    println!(
        "  ratio generate / plain build:            {:.2}x",
        full / plain
    );
    println!("  repeated generate (cache hit):           {cached:.3} s");
    Ok(())
}

fn tempdir_in(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&path)?;
    Ok(path)
}

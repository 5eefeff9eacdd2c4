//! Subcommands and the shared error / progress presentation.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

mod call;
mod generate;
mod host_crate;
mod inspect;
mod ls;
mod precompile;
mod publish;
mod pull;
mod runtime;
mod wit;

const AFTER_HELP: &str = "\
Examples:
  compwrap generate semver                 build (or reuse) a component for the newest semver
  compwrap generate regex@1.11 --json      same, with a JSON summary on stdout
  compwrap ls                              list stored components
  compwrap wit semver@1.0.28               print a component's WIT
  compwrap call semver@1.0.28 version-parse '\"1.2.3-beta.1\"'
  compwrap call regex 'regex#regex.is-match' --self 'regex.create(\"a+b\")' '\"xaab\"'
  compwrap precompile semver@1.0.28        native code for hosts built without Cranelift
  compwrap publish semver@1.0.28 oci://ghcr.io/acme/semver:1.0.28
  compwrap pull oci://ghcr.io/acme/semver:1.0.28
  compwrap host-crate semver@1.0.28 --out crates/semver-component   typed calls for an application
  compwrap runtime install                 build the shared runtime applications load, once

Store: $COMPWRAP_HOME, else ~/.cache/compwrap.

Exit codes:
  0  success
  1  any other error
  2  invalid command-line usage
  3  crate, version or component not found
  4  the crate does not build for wasm32-wasip2
  5  nothing in the crate's API could be mapped
  6  input is not a valid WebAssembly component
  7  a call into the component failed (trap, bad arguments, unknown function)
  8  an OCI registry operation failed (unreachable, credentials refused,
     not a Wasm component, digest or size mismatch)";

/// Compile a heavy Rust crate once into a portable WebAssembly component
/// behind a WIT interface derived from its public API, store it, and call it.
#[derive(Parser)]
#[command(name = "compwrap", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Generate(Box<generate::Opts>),
    Inspect(inspect::Opts),
    Wit(wit::Opts),
    Ls(ls::Opts),
    Call(call::Opts),
    Precompile(precompile::Opts),
    Publish(publish::Opts),
    Pull(pull::Opts),
    HostCrate(host_crate::Opts),
    Runtime(runtime::Opts),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Generate(o) => o.run(),
            Command::Inspect(o) => o.run(),
            Command::Wit(o) => o.run(),
            Command::Ls(o) => o.run(),
            Command::Call(o) => o.run(),
            Command::Precompile(o) => o.run(),
            Command::Publish(o) => o.run(),
            Command::HostCrate(o) => o.run(),
            Command::Pull(o) => o.run(),
            Command::Runtime(o) => o.run(),
        }
    }
}

/// Logs to stderr, filtered by `COMPWRAP_LOG` (e.g. `COMPWRAP_LOG=debug`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COMPWRAP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Error exit code used for failed calls.
pub const CALL_FAILED: u8 = 7;

/// Prints `error: …` with the cause chain and a hint; returns the exit code.
pub fn report_error(e: &anyhow::Error) -> ExitCode {
    if e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    }) {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {e}");
    let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        eprintln!("\nCaused by:");
        for (i, c) in causes.iter().enumerate() {
            eprintln!("  {i}: {}", c.replace('\n', "\n     "));
        }
    }
    let code = e
        .chain()
        .find_map(|c| c.downcast_ref::<compwrap::Error>())
        .map(|c| c.exit_code() as u8)
        .or_else(|| e.downcast_ref::<call::CallFailed>().map(|_| CALL_FAILED))
        .or_else(|| registry_failure(e))
        .unwrap_or(1);
    if let Some(hint) = hint(e) {
        eprintln!("\nhint: {hint}");
    }
    ExitCode::from(code)
}

/// Error exit code used for failed registry operations.
pub const REGISTRY_FAILED: u8 = 8;

/// The exit code of a failed registry operation: 3 when the reference
/// names nothing, else 8.
fn registry_failure(e: &anyhow::Error) -> Option<u8> {
    use compwrap_host::oci::{OciError, oci_client::errors::OciDistributionError};
    e.chain().find_map(|c| {
        if let Some(oci) = c.downcast_ref::<OciError>() {
            Some(match oci {
                OciError::NotFound(_) => 3,
                _ => REGISTRY_FAILED,
            })
        } else {
            c.downcast_ref::<OciDistributionError>()
                .map(|_| REGISTRY_FAILED)
        }
    })
}

fn hint(e: &anyhow::Error) -> Option<&'static str> {
    match e
        .chain()
        .find_map(|c| c.downcast_ref::<compwrap::Error>())?
    {
        compwrap::Error::UnknownCrate(_) => {
            Some("crate names are as on crates.io, e.g. `compwrap generate semver`")
        }
        compwrap::Error::UnknownVersion { .. } => {
            Some("omit the version to take the newest, or try a looser requirement like `name@1`")
        }
        compwrap::Error::BuildFailed { detail, .. } if needs_c_compiler(detail) => Some(
            "a dependency compiles C: install a C toolchain for WebAssembly (Debian: `apt install clang lld wasi-libc libclang-rt-dev-wasm32`; or a wasi-sdk with `WASI_SYSROOT` set) and compwrap uses it, or turn the feature that needs it off with `--no-default-features --features …`",
        ),
        compwrap::Error::BuildFailed { .. } => Some(
            "crates that need OS threads, sockets through tokio, or C libraries usually cannot target wasm32-wasip2; try other `--features`",
        ),
        compwrap::Error::NothingMapped { .. } => {
            Some("run with `--json` to see why each item was skipped")
        }
        compwrap::Error::NotAComponent { .. } => {
            Some("compwrap loads components built for wasm32-wasip2 (e.g. by `compwrap generate`)")
        }
        compwrap::Error::NotFound(_) => {
            Some("`compwrap ls` lists stored components; a path to a .wasm file works too")
        }
        compwrap::Error::UnknownPath { .. } => Some(
            "`--only` takes Rust paths as the crate exposes them (or, for an AWS SDK crate, operation names); `compwrap generate <crate> --dry-run --json` lists every public item",
        ),
        compwrap::Error::NoLibrary(_) => None,
    }
}

/// Whether a build failed for want of a C compiler for the target (cc-rs's
/// messages).
fn needs_c_compiler(detail: &str) -> bool {
    detail.contains("failed to find tool") || detail.contains("ToolNotFound")
}

/// A spinner on stderr showing the current step; hidden when stderr is not
/// a terminal or `quiet` is set.
pub struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    /// Starts a spinner.
    pub fn new(quiet: bool) -> Spinner {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner:.green} [{elapsed:>3}] {msg}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner { bar }
    }

    /// Clears the spinner.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl compwrap::generate::Progress for Spinner {
    fn step(&self, message: &str) {
        if self.bar.is_hidden() {
            tracing::info!("{message}");
        }
        self.bar.set_message(message.to_string());
    }

    fn detail(&self, message: &str) {
        let step = self.bar.message();
        let base = step.split(" — ").next().unwrap_or_default().to_string();
        self.bar.set_message(format!("{base} — {message}"));
    }
}

/// The `--store` option every subcommand shares.
#[derive(clap::Args)]
pub struct StoreArgs {
    /// Store directory (default: $COMPWRAP_HOME, else ~/.cache/compwrap).
    #[arg(
        long = "store",
        value_name = "DIR",
        env = "COMPWRAP_HOME",
        hide_env_values = true
    )]
    dir: Option<std::path::PathBuf>,
}

impl StoreArgs {
    /// Opens the chosen store.
    pub fn open(&self) -> anyhow::Result<compwrap::Store> {
        match &self.dir {
            Some(d) => compwrap::Store::open(d),
            None => compwrap::Store::open_default(),
        }
    }
}

/// How to reach and authenticate to an OCI registry.
#[derive(clap::Args)]
pub struct RegistryArgs {
    /// User name for the registry (with --password-stdin).
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    username: Option<String>,
    /// Read the password or token from the first line of stdin.
    #[arg(long, requires = "username")]
    password_stdin: bool,
    /// Use plain HTTP instead of HTTPS (registries on loopback always are).
    #[arg(long)]
    insecure: bool,
}

impl RegistryArgs {
    /// The options these flags give; reads the password from stdin.
    pub fn options(&self) -> anyhow::Result<compwrap_host::oci::RegistryOptions> {
        use anyhow::Context as _;
        let credentials = match &self.username {
            Some(username) => {
                let mut password = String::new();
                std::io::stdin()
                    .read_line(&mut password)
                    .context("failed to read the password from stdin")?;
                let password = password.trim_end_matches(['\r', '\n']).to_string();
                anyhow::ensure!(
                    !password.is_empty(),
                    "--password-stdin read an empty password"
                );
                Some(compwrap_host::oci::Credentials::Basic {
                    username: username.clone(),
                    password,
                })
            }
            None => None,
        };
        Ok(compwrap_host::oci::RegistryOptions {
            credentials,
            insecure: self.insecure,
        })
    }
}

/// A runtime with compwrap-host's defaults that caches native code in
/// `store`, as hosts using that store do.
/// [`compwrap::component::read_input`] for a command's COMPONENT argument;
/// says on stderr which stored version a version requirement
/// (`strsim@0.11`) resolved to.
pub fn read_component(store: &compwrap::Store, spec: &str) -> anyhow::Result<(Vec<u8>, String)> {
    let (bytes, label) = compwrap::component::read_input(store, spec)?;
    let requirement = spec
        .split_once('@')
        .is_some_and(|(_, v)| !v.starts_with("sha256:") && semver::Version::parse(v).is_err());
    if requirement && !std::path::Path::new(spec).is_file() {
        eprintln!("{:>12} `{spec}` to {label}", "Resolved");
    }
    Ok((bytes, label))
}

/// A runtime builder with native code cached in `store`, to add
/// capabilities to.
pub fn runtime_builder(store: &compwrap::Store) -> compwrap_host::RuntimeBuilder {
    compwrap_host::Runtime::builder().native_cache_dir(Some(store.native_dir()))
}

/// Human-readable byte size.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}

//! `compwrap generate`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use compwrap::generate::{Generated, Options};
use compwrap::resolve::Features;

use super::{Spinner, StoreArgs, human_size};

/// Build (or reuse) the component for a crate from crates.io (or a local
/// directory).
///
/// Resolves the crate through cargo, derives a WIT interface from its public
/// API (as compiled for wasm32-wasip2), builds a guest crate around it, and
/// stores the component. A second run with the same inputs reuses it.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  compwrap generate semver\n  compwrap generate --path ./my-crate\n  compwrap generate regex@1.11 --no-default-features --features std,unicode\n  compwrap generate semver --json > semver.json\n  compwrap generate url --dry-run        # the WIT and report, without building\n  compwrap generate regex --only regex::Regex::new,regex::Regex::is_match\n  compwrap generate aws-sdk-ec2 --only run-instances,describe-instances   # AWS SDKs: default features off\n  compwrap generate regex --cache oci://ghcr.io/acme/compwrap-cache --push   # build once per team"
)]
pub struct Opts {
    /// The crate, optionally with a version requirement: `semver`, `semver@1.0.28`.
    #[arg(value_name = "CRATE[@VERSION]", required_unless_present = "path")]
    spec: Option<String>,
    /// Generate the crate in this directory (its `Cargo.toml`) instead of
    /// one from crates.io, like `cargo install --path`.
    #[arg(long, value_name = "DIR", conflicts_with = "spec")]
    path: Option<PathBuf>,
    /// Features of the crate to enable (comma-separated).
    #[arg(long, short = 'F', value_delimiter = ',')]
    features: Vec<String>,
    /// Do not enable the crate's default features. Without this flag and
    /// `--features`, an AWS SDK crate (`aws-sdk-*`) is built without its
    /// default features, which do not build for wasm32-wasip2 (its HTTPS
    /// client and tokio runtime; the component uses wasi:http), and
    /// generate says so.
    #[arg(long)]
    no_default_features: bool,
    /// Generate only these items (Rust paths, comma-separated: a type with
    /// its methods, a function, or a module) and the types they need; for
    /// an AWS SDK crate, operation names (`describe-instances`). The
    /// component is stored by digest; `name@version` keeps naming the whole
    /// crate's component.
    #[arg(long, value_delimiter = ',', value_name = "PATH,…")]
    only: Vec<String>,
    /// Print the summary (with the full mapping report) as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Install a missing wasm32-wasip2 target without asking.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Rebuild even when the store already has this component.
    #[arg(long)]
    force: bool,
    /// Also copy the component and `compwrap-report.json` into this directory
    /// (with `--dry-run`: `world.wit` and the report).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Derive the WIT interface and the mapping report, build nothing.
    #[arg(long)]
    dry_run: bool,
    /// Use an OCI registry repository as a shared build cache: pull the
    /// component when the registry has this generate key, instead of
    /// building it.
    #[arg(long, value_name = "oci://REGISTRY/REPOSITORY")]
    cache: Option<compwrap_host::oci::OciReference>,
    /// On a cache miss, publish the component built here to the cache.
    #[arg(long, requires = "cache")]
    push: bool,
    #[command(flatten)]
    registry: super::RegistryArgs,
    /// Also write a typed host crate for the component to this directory
    /// (see `compwrap host-crate`).
    #[arg(long, value_name = "DIR")]
    host_crate: Option<PathBuf>,
    #[command(flatten)]
    crate_opts: super::host_crate::CrateArgs,
    #[command(flatten)]
    store: StoreArgs,
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let mut features = self.features.clone();
        features.sort();
        features.dedup();
        let spec = match (&self.spec, &self.path) {
            (_, Some(dir)) => compwrap::resolve::CrateSpec::local(dir)?,
            (Some(spec), None) => spec.parse()?,
            (None, None) => unreachable!("clap requires one"),
        };
        let (features, features_changed) = Features::for_wasm(
            &spec.name,
            Features {
                features,
                no_default: self.no_default_features,
            },
        );
        if let Some(why) = &features_changed {
            eprintln!("{:>12} {why}", "Features");
        }
        let options = Options {
            spec,
            features,
            only: self.only.clone(),
            assume_yes: self.yes,
            force: self.force,
            cache: match &self.cache {
                Some(repository) => Some(compwrap::registry::Cache {
                    repository: repository.clone(),
                    options: self.registry.options()?,
                    push: self.push,
                }),
                None => None,
            },
        };
        let spinner = Spinner::new(self.json);
        if self.dry_run {
            return self.dry_run(&store, &options, &spinner);
        }
        let result = compwrap::generate::generate(&store, &options, &spinner);
        spinner.finish();
        let generated = match result {
            Ok(g) => g,
            Err(e) => {
                print_nothing_mapped(&e, self.json)?;
                return Err(e);
            }
        };
        if let Some(why) = generated.features_changed.as_ref().filter(|_| !self.json) {
            eprintln!("{:>12} {why}", "Features");
        }
        if let Some(dir) = &self.out {
            copy_out(&generated, dir)?;
        }
        let host_crate = match &self.host_crate {
            Some(dir) => {
                let bytes = store.read_blob(&generated.digest)?;
                Some(compwrap::host_crate::write(
                    &bytes,
                    &self.crate_opts.options(dir.clone()),
                )?)
            }
            None => None,
        };
        if self.json {
            let mut out = serde_json::to_value(&generated)?;
            if let Some(why) = &features_changed {
                out["features_changed"] = why.as_str().into();
            }
            if let Some(written) = &host_crate {
                out["host_crate"] = serde_json::to_value(written)?;
            }
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            print_summary(&generated);
            if let Some(written) = &host_crate {
                super::host_crate::print_written(written, &generated.name);
            }
        }
        Ok(())
    }
}

impl Opts {
    fn dry_run(
        &self,
        store: &compwrap_host::store::Store,
        options: &Options,
        spinner: &Spinner,
    ) -> Result<()> {
        let result = compwrap::generate::derive_only(store, options, spinner);
        spinner.finish();
        let (wit, report) = match result {
            Ok(derived) => derived,
            Err(e) => {
                print_nothing_mapped(&e, self.json)?;
                return Err(e);
            }
        };
        if let Some(dir) = &self.out {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create {}", dir.display()))?;
            compwrap_host::store::atomic_write(&dir.join("world.wit"), wit.as_bytes())?;
            compwrap_host::store::atomic_write(
                &dir.join(compwrap::report::FILE_NAME),
                &serde_json::to_vec_pretty(&report)?,
            )?;
        }
        if self.json {
            let out = serde_json::json!({ "wit": wit, "report": report });
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            println!(
                "{:>12} {} {} (dry run: nothing built or stored)",
                "Derived", report.name, report.version
            );
            print_coverage(&report);
            print_reasons(&report);
            if let Some(dir) = &self.out {
                println!("{:>12} {}", "written to", dir.display());
            }
        }
        Ok(())
    }
}

/// When nothing maps, the report says why: print it before the error.
fn print_nothing_mapped(e: &anyhow::Error, json: bool) -> Result<()> {
    if let Some(compwrap::Error::NothingMapped { report, .. }) = e.downcast_ref::<compwrap::Error>()
    {
        if json {
            println!("{}", serde_json::to_string_pretty(report)?);
        } else {
            print_reasons(report);
        }
    }
    Ok(())
}

fn copy_out(g: &Generated, dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let bytes =
        std::fs::read(&g.path).with_context(|| format!("failed to read {}", g.path.display()))?;
    compwrap_host::store::atomic_write(
        &dir.join(format!("{}-{}.wasm", g.name, g.version)),
        &bytes,
    )?;
    compwrap_host::store::atomic_write(
        &dir.join(compwrap::report::FILE_NAME),
        &serde_json::to_vec_pretty(&g.report)?,
    )?;
    Ok(())
}

fn print_summary(g: &Generated) {
    let verb = if g.reused { "Reused" } else { "Generated" };
    println!("{verb:>12} {} {} ({})", g.name, g.version, g.digest);
    println!("{:>12} {}", "size", human_size(g.size));
    print_coverage(&g.report);
    print_reasons(&g.report);
    if let Some(reference) = &g.pulled_from {
        println!("{:>12} none: pulled from {reference}", "build");
    } else if g.reused {
        println!("{:>12} none: the store has this generate key", "build");
    } else {
        println!("{:>12} {:.1} s", "build", g.build_seconds);
    }
    println!("{:>12} {}", "stored at", g.path.display());
    if let Some(reference) = &g.pushed_to {
        println!("{:>12} {reference}", "published");
    }
}

fn print_coverage(report: &compwrap::report::Report) {
    let c = &report.coverage;
    println!(
        "{:>12} {} of {} functions and methods ({:.0}%), {} of {} types",
        "mapped",
        c.functions_mapped,
        c.functions,
        c.percent(),
        c.types_mapped,
        c.types
    );
    if c.functions_covered > 0 {
        println!(
            "{:>12} {} more covered by other exports: {:.0}% reached",
            "",
            c.functions_covered,
            c.reached_percent()
        );
    }
}

/// The top skip categories, each with its most frequent detailed reason.
fn print_reasons(report: &compwrap::report::Report) {
    use compwrap::report::Category;
    for (i, (category, count)) in report.skip_categories.iter().take(5).enumerate() {
        let label = if i == 0 { "skipped" } else { "" };
        let example = report
            .skip_reasons
            .iter()
            .find(|(reason, _)| Category::of(reason) == *category)
            .map(|(reason, _)| format!(" (e.g. {reason})"))
            .unwrap_or_default();
        let name = serde_json::to_value(category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!("{label:>12} {count:>3} × {name}{example}");
    }
}

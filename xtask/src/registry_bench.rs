//! `cargo xtask bench-registry`: a registry as a build cache, measured.
//!
//! On a Debian `docker-registry` on loopback, with the release `compwrap`:
//! `generate --cache … --push` on a miss (fresh store: builds) against
//! `generate --cache …` on a hit (another fresh store: pulls), for semver
//! and regex; then, on a second store with an application already built
//! against semver 1.0.27 through a typed host crate, the time from "1.0.28
//! is published" to "the application runs on 1.0.28": pull, host crate,
//! cargo build, run.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cargo, run, setup, target_dir, tempdir_in, workspace_root};

pub fn bench_registry() -> Result<()> {
    setup()?;
    let exe = crate::aws::release_compwrap()?;
    let work = tempdir_in(&target_dir(), "bench-registry")?;
    let result = bench_in(&exe, &work);
    // Stores, a registry and an application's target directory: never
    // leave them behind.
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// A docker-registry on a free loopback port, stopped on drop.
pub(crate) struct Registry {
    child: Child,
    pub(crate) address: String,
}

impl Registry {
    pub(crate) fn start(dir: &Path) -> Result<Registry> {
        std::fs::create_dir_all(dir)?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let address = format!("127.0.0.1:{port}");
        let config = dir.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: {address}\n  secret: compwrap-bench\n",
                dir.join("data").display()
            ),
        )?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("failed to start docker-registry (`cargo xtask setup` installs it)")?;
        let registry = Registry { child, address };
        crate::wait_for_listener(
            &registry.address,
            "docker-registry",
            Duration::from_secs(20),
        )?;
        Ok(registry)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `exe args` with `home` as its store; returns the seconds it took.
fn timed(exe: &Path, home: &Path, args: &[&str]) -> Result<f64> {
    let started = Instant::now();
    run(Command::new(exe).args(args).env("COMPWRAP_HOME", home))?;
    Ok(started.elapsed().as_secs_f64())
}

fn bench_in(exe: &Path, work: &Path) -> Result<()> {
    let registry = Registry::start(&work.join("registry"))?;
    let cache = format!("oci://{}/bench/cache", registry.address);
    let mut lines = Vec::new();
    for spec in ["semver@1.0.28", "regex@1.13.2"] {
        let miss = timed(
            exe,
            &work.join(format!("miss-{spec}")),
            &["generate", spec, "--yes", "--cache", &cache, "--push"],
        )?;
        let hit = timed(
            exe,
            &work.join(format!("hit-{spec}")),
            &["generate", spec, "--yes", "--cache", &cache],
        )?;
        lines.push(format!(
            "  {spec:<16} miss (build + push) {miss:>6.1} s   hit (pull) {hit:>5.2} s   {:>5.0}x",
            miss / hit
        ));
    }

    // The second store's application, built against semver 1.0.27.
    let publisher = work.join("publisher");
    let consumer = work.join("consumer");
    let app = work.join("app");
    let app_target = work.join("app-target");
    let publish = |version: &str| -> Result<String> {
        let spec = format!("semver@{version}");
        let reference = format!("oci://{}/bench/semver:{version}", registry.address);
        timed(exe, &publisher, &["generate", &spec, "--yes"])?;
        timed(exe, &publisher, &["publish", &spec, &reference])?;
        Ok(reference)
    };
    // Once per machine: the shared runtime, in the consumer's store.
    let library = crate::aws::installed_runtime(exe)?;
    timed(
        exe,
        &consumer,
        &[
            "runtime",
            "install",
            "--library",
            library.to_str().context("path")?,
        ],
    )?;
    let update = |version: &str, reference: &str| -> Result<[f64; 4]> {
        let spec = format!("semver@{version}");
        let crate_dir = work.join("semver-component");
        let pull = timed(exe, &consumer, &["pull", reference])?;
        let host_crate = timed(
            exe,
            &consumer,
            &[
                "host-crate",
                &spec,
                "--out",
                crate_dir.to_str().context("path")?,
                "--oci",
                reference,
                "--compwrap",
                workspace_root().to_str().context("path")?,
            ],
        )?;
        write_app(&app, &crate_dir)?;
        let started = Instant::now();
        run(cargo()
            .current_dir(&app)
            .args(["build", "--quiet"])
            .env("CARGO_TARGET_DIR", &app_target))?;
        let build = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let out = Command::new(app_target.join("debug/semver-app"))
            .env("COMPWRAP_HOME", &consumer)
            .output()?;
        let run_app = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.contains(&spec) {
            bail!(
                "the application failed: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok([pull, host_crate, build, run_app])
    };
    let old = publish("1.0.27")?;
    let [_, _, cold_build, _] = update("1.0.27", &old)?;
    let new = publish("1.0.28")?;
    let [pull, host_crate, build, run_app] = update("1.0.28", &new)?;
    let total = pull + host_crate + build + run_app;

    println!("registry as a build cache (release compwrap, fresh stores, same run):");
    for line in &lines {
        println!("{line}");
    }
    println!("new version published -> application rebuilt and running on a second store:");
    println!(
        "  pull {pull:.2} s + host-crate {host_crate:.2} s + cargo build {build:.1} s + first run {run_app:.2} s = {total:.1} s"
    );
    println!("  (the first build of the application, compwrap-client included: {cold_build:.1} s)");
    Ok(())
}

/// An application that prints the semver version its component reports.
fn write_app(dir: &Path, host_crate: &Path) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"semver-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\n\
             semver-component = {{ path = {:?} }}\n\n[workspace]\n",
            host_crate.display().to_string()
        ),
    )?;
    std::fs::write(
        dir.join("src/main.rs"),
        "use semver_component::compwrap_client::{Error, GuestResult};\n\n\
         fn main() -> Result<(), Error> {\n\
         \x20   let semver = semver_component::load()?;\n\
         \x20   let v = semver.version_parse(\"1.2.3\").guest()?;\n\
         \x20   println!(\"semver@{} parses {}.{}.{}\", semver_component::VERSION, v.major, v.minor, v.patch);\n\
         \x20   Ok(())\n}\n",
    )?;
    let lock = workspace_root().join("Cargo.lock");
    if !dir.join("Cargo.lock").exists() {
        std::fs::copy(lock, dir.join("Cargo.lock"))?;
    }
    Ok(())
}

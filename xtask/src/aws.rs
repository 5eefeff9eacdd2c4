//! `cargo xtask ec2`: the whole `aws-sdk-ec2` flow — generate every
//! operation into a component, write a typed host crate binding the
//! operations the example calls, precompile it, install the shared runtime,
//! build `examples/ec2-host` (no `aws-*` crate, no wasmtime) and run it
//! against moto on loopback — with its figures.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::{cargo, dir_size, moto_server, run, setup, target_dir, workspace_root};

/// The operations `examples/ec2-host` calls: its host crate binds only
/// these (the component has all of them).
pub const EXAMPLE_OPERATIONS: &str = "describe-regions,describe-images,run-instances,create-tags,describe-instances,terminate-instances";

/// The `aws-sdk-ec2` release `cargo xtask ec2` and `bench-build` use.
pub const EC2: &str = "aws-sdk-ec2@1.274.0";

/// moto's server on a free loopback port, stopped on drop.
pub struct Moto {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Moto {
    pub fn start() -> Result<Moto> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(moto_server()?)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("failed to start moto_server")?;
        let moto = Moto {
            child,
            address: format!("127.0.0.1:{port}"),
        };
        crate::wait_for_listener(&moto.address, "moto_server", Duration::from_secs(30))?;
        Ok(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release `compwrap` (Cranelift optimised: it compiles the EC2
/// component's native code), and the shared runtime library installed into
/// the default store with it (`compwrap runtime install`, which reuses the
/// wasmtime that building compwrap built).
pub fn release_compwrap() -> Result<PathBuf> {
    run(cargo().args(["build", "--release", "-p", "compwrap"]))?;
    let exe = target_dir().join("release/compwrap");
    run(Command::new(&exe).args(["runtime", "install", "--quiet"]))?;
    Ok(exe)
}

/// The runtime library `compwrap runtime install` put in the default store.
pub fn installed_runtime(exe: &Path) -> Result<PathBuf> {
    let out = Command::new(exe)
        .args(["runtime", "ls", "--json"])
        .output()?;
    let list: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let path = list[0]["path"]
        .as_str()
        .context("no runtime library installed")?;
    Ok(PathBuf::from(path))
}

/// Runs `cmd` under GNU time; returns its output, wall seconds and peak
/// resident memory in MiB (the largest process of its tree).
pub fn measured(cmd: &mut Command) -> Result<(std::process::Output, f64, f64)> {
    let peak = target_dir().join(format!("peak-{}", std::process::id()));
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M", "-o"])
        .arg(&peak)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    eprintln!("xtask: running {cmd:?}");
    let started = Instant::now();
    let out = timed
        .stderr(Stdio::inherit())
        .output()
        .context("failed to run /usr/bin/time (GNU time)")?;
    let seconds = started.elapsed().as_secs_f64();
    let kb: f64 = std::fs::read_to_string(&peak)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .context("GNU time wrote no peak memory")?;
    let _ = std::fs::remove_file(&peak);
    if !out.status.success() {
        bail!("{cmd:?} failed ({})", out.status);
    }
    Ok((out, seconds, kb / 1024.0))
}

/// Generates `spec` (all operations, or with `only` just those) into the
/// default store; returns the generate JSON, wall seconds and peak MiB.
pub fn generate_ec2(
    exe: &Path,
    spec: &str,
    only: Option<&str>,
) -> Result<(serde_json::Value, f64, f64)> {
    generate_ec2_into(exe, None, spec, only)
}

/// [`generate_ec2`] into `store` (`None`: the default store).
fn generate_ec2_into(
    exe: &Path,
    store: Option<&Path>,
    spec: &str,
    only: Option<&str>,
) -> Result<(serde_json::Value, f64, f64)> {
    // As a user types it: generate turns the SDK's default features off.
    let mut args = vec!["generate", spec, "--yes", "--json"];
    if let Some(only) = only {
        args.extend(["--only", only]);
    }
    let mut cmd = Command::new(exe);
    cmd.args(args);
    if let Some(store) = store {
        cmd.env("COMPWRAP_HOME", store);
    }
    let (out, seconds, peak) = measured(&mut cmd)?;
    let generated: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("generate printed no JSON")?;
    Ok((generated, seconds, peak))
}

/// Native code for the component `spec` from scratch (the first load of a
/// host without Cranelift's cache), then again from the cache; seconds.
pub fn precompile(exe: &Path, spec: &str) -> Result<(f64, f64, u64)> {
    let precompile = || -> Result<(serde_json::Value, f64)> {
        let started = Instant::now();
        let out = Command::new(exe)
            .args(["precompile", spec, "--json"])
            .stderr(Stdio::inherit())
            .output()?;
        let seconds = started.elapsed().as_secs_f64();
        ensure!(out.status.success(), "compwrap precompile {spec} failed");
        Ok((serde_json::from_slice(&out.stdout)?, seconds))
    };
    let (first, _) = precompile()?;
    let native = PathBuf::from(first["native"].as_str().context("no native path")?);
    std::fs::remove_file(&native)?;
    let (compiled, cold) = precompile()?;
    ensure!(compiled["already_cached"] == false, "{compiled}");
    let (cached, warm) = precompile()?;
    ensure!(cached["already_cached"] == true, "{cached}");
    Ok((cold, warm, compiled["size"].as_u64().unwrap_or(0)))
}

/// Builds `examples/ec2-host` (its own workspace) into `target` with the
/// workspace's lock file; returns the seconds.
pub fn build_example(target: &Path) -> Result<f64> {
    let example = workspace_root().join("examples/ec2-host");
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        example.join("Cargo.lock"),
    )?;
    let started = Instant::now();
    run(cargo()
        .args(["build", "--manifest-path"])
        .arg(example.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target))?;
    Ok(started.elapsed().as_secs_f64())
}

pub fn ec2() -> Result<()> {
    setup()?;
    let exe = release_compwrap()?;
    let example = workspace_root().join("examples/ec2-host");
    let (generated, generate_s, generate_mib) = generate_ec2(&exe, EC2, None)?;
    let component = example.join("component");
    run(Command::new(&exe)
        .args(["host-crate", EC2, "--bind", EXAMPLE_OPERATIONS, "--out"])
        .arg(&component))?;
    let (cold, warm, native) = precompile(&exe, EC2)?;

    let target = target_dir().join("ec2-host");
    let build_s = build_example(&target)?;
    let manifest = example.join("Cargo.toml");
    let tree = crate::dependency_tree(&["--manifest-path", &manifest.to_string_lossy()])?;
    if let Some(line) = tree.lines().find(|l| {
        l.starts_with("aws-") && !l.starts_with("aws-sdk-ec2-component")
            || l.starts_with("wasmtime ")
            || l.starts_with("compwrap-host ")
    }) {
        bail!("examples/ec2-host depends on {line}");
    }

    let moto = Moto::start()?;
    let out = Command::new(target.join("debug/ec2-host"))
        .arg(format!("http://{}", moto.address))
        .output()
        .context("failed to run ec2-host")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        bail!("ec2-host failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    for expected in [
        "regions: ",
        "ran i-",
        "tagged i-",
        "(compwrap-example) state running",
        "terminated i-",
        "unknown instance: InvalidInstanceID.NotFound (HTTP 400)",
    ] {
        ensure!(
            stdout.contains(expected),
            "ec2-host printed no `{expected}`"
        );
    }

    let coverage = &generated["report"]["coverage"];
    println!("\n{EC2} through compwrap:");
    println!(
        "  generate: {generate_s:.0} s wall{}, peak {generate_mib:.0} MiB; component {:.1} MiB; \
         {} functions in the WIT of {} in the crate",
        if generated["reused"] == true {
            " (reused from the store)"
        } else {
            ""
        },
        generated["size"].as_f64().unwrap_or(0.0) / (1024.0 * 1024.0),
        coverage["functions_mapped"],
        coverage["functions"],
    );
    println!(
        "  native code: first load (compile) {cold:.1} s, warm load {warm:.2} s \
         (compwrap precompile, process included); {:.1} MiB",
        native as f64 / (1024.0 * 1024.0)
    );
    println!(
        "  examples/ec2-host: built in {build_s:.0} s (target/ {:.0} MiB), ran against moto",
        dir_size(&target) as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// `cargo xtask bench-ec2-calls`: `examples/ec2-host`'s `ec2-calls`, built
/// in release with the shared runtime and with `embedded`, times the whole
/// component's load and `describe-instances` calls against one moto, with
/// Cranelift's and Winch's code, runs alternating.
pub fn bench_ec2_calls(calls: usize, runs: usize) -> Result<()> {
    setup()?;
    let exe = release_compwrap()?;
    let example = workspace_root().join("examples/ec2-host");
    generate_ec2(&exe, EC2, None)?;
    run(Command::new(&exe)
        .args(["host-crate", EC2, "--bind", EXAMPLE_OPERATIONS, "--out"])
        .arg(example.join("component")))?;
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        example.join("Cargo.lock"),
    )?;
    let variants = [("shared", None), ("embedded", Some("embedded"))];
    let mut binaries = Vec::new();
    for (label, feature) in variants {
        let target = target_dir().join(format!("ec2-calls-{label}"));
        let mut build = cargo();
        build
            .args([
                "build",
                "--release",
                "--bin",
                "ec2-calls",
                "--manifest-path",
            ])
            .arg(example.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target);
        if let Some(feature) = feature {
            build.args(["--features", feature]);
        }
        run(&mut build)?;
        binaries.push((label, target.join("release/ec2-calls")));
    }
    let moto = Moto::start()?;
    let endpoint = format!("http://{}", moto.address);
    let time = |binary: &Path, compiler: &str, cache: Option<&Path>| -> Result<serde_json::Value> {
        let mut cmd = Command::new(binary);
        cmd.args([
            &endpoint,
            "--calls",
            &calls.to_string(),
            "--compiler",
            compiler,
        ]);
        if let Some(cache) = cache {
            cmd.arg("--native-cache").arg(cache);
        }
        let out = cmd.stderr(Stdio::inherit()).output()?;
        ensure!(out.status.success(), "{cmd:?} failed");
        Ok(serde_json::from_slice(&out.stdout)?)
    };

    // First loads: each compiler from an empty cache, through the shared
    // runtime (the same library code either way).
    let scratch = crate::tempdir_in(&target_dir(), "ec2-calls-cache")?;
    let mut first = Vec::new();
    for compiler in ["cranelift", "winch"] {
        let cache = scratch.join(compiler);
        let cold = time(&binaries[0].1, compiler, Some(&cache))?;
        let warm = time(&binaries[0].1, compiler, Some(&cache))?;
        first.push((
            compiler,
            cold["load_ms"].as_f64(),
            warm["load_ms"].as_f64(),
            dir_size(&cache),
        ));
    }
    let _ = std::fs::remove_dir_all(&scratch);

    // Calls, each variant and compiler in turn, `runs` times.
    let mut medians: std::collections::BTreeMap<(&str, &str), Vec<f64>> = Default::default();
    let mut order: Vec<_> = binaries
        .iter()
        .flat_map(|(label, binary)| ["cranelift", "winch"].map(|c| (*label, binary, c)))
        .collect();
    for _ in 0..runs {
        // Each round in the reverse order of the one before.
        order.reverse();
        for &(label, binary, compiler) in &order {
            let timed = time(binary, compiler, None)?;
            medians
                .entry((label, compiler))
                .or_default()
                .push(timed["median_ms"].as_f64().context("no median")?);
        }
    }
    let median_of = |v: &Vec<f64>| {
        let mut v = v.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "
{EC2}, whole component, against moto (release builds, {runs} runs of {calls} calls):"
    );
    for (compiler, cold, warm, size) in &first {
        println!(
            "  {compiler:<9} first load {:.1} s, warm load {:.2} s, native code {:.0} MiB",
            cold.unwrap_or(0.0) / 1000.0,
            warm.unwrap_or(0.0) / 1000.0,
            *size as f64 / (1024.0 * 1024.0)
        );
    }
    println!("  describe-instances, median of per-run medians:");
    for ((label, compiler), values) in &medians {
        println!("    {label:<8} {compiler:<9} {:.2} ms", median_of(values));
    }
    let m = |label, compiler| median_of(&medians[&(label, compiler)]);
    for compiler in ["cranelift", "winch"] {
        println!(
            "  shared / embedded ({compiler}): {:.3}",
            m("shared", compiler) / m("embedded", compiler)
        );
    }
    println!(
        "  winch / cranelift (shared): {:.3}",
        m("shared", "winch") / m("shared", "cranelift")
    );
    Ok(())
}

/// The release the application starts from in `bench-build`; it is then
/// bumped to [`EC2`].
pub const EC2_BEFORE: &str = "aws-sdk-ec2@1.273.0";

/// The second SDK crate `bench-build` adds to both applications.
pub const STS: &str = "aws-sdk-sts@1.124.0";

/// `cargo xtask bench-build`: a native application on `aws-config` +
/// `aws-sdk-ec2` against the same application through compwrap
/// (`examples/ec2-host`), side by side in one run: clean debug build,
/// rebuild after a version bump, `target/` size with one and with two SDK
/// crates, and the EC2 component's generate, size and loads.
pub fn bench_build() -> Result<()> {
    setup()?;
    let exe = release_compwrap()?;
    let work = crate::tempdir_in(&target_dir(), "bench-build")?;
    let result = bench_build_in(&exe, &work);
    // Target directories of several GB: never leave them behind.
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Runs cargo with `args` in `dir` with its own `target` and the same
/// profile settings on both sides; returns wall seconds and peak MiB.
fn cargo_build(dir: &Path, target: &Path, args: &[&str]) -> Result<(f64, f64)> {
    let (_, seconds, peak) = measured(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("RUSTFLAGS"),
    )?;
    Ok((seconds, peak))
}

/// How a compwrap application gets the EC2 component.
struct Flavour {
    /// How the table names it.
    label: &'static str,
    /// The registry repository it is published to.
    repository: &'static str,
    /// `host-crate --bind`, for the whole component.
    bind: Option<&'static str>,
}

/// The whole component (every operation; the host crate binds the six the
/// example calls), and a component of only those six operations
/// (`generate --only`), as a team would publish for one application.
const FLAVOURS: [Flavour; 2] = [
    Flavour {
        label: "whole",
        repository: "aws-sdk-ec2",
        bind: Some(EXAMPLE_OPERATIONS),
    },
    Flavour {
        label: "app",
        repository: "aws-sdk-ec2-app",
        bind: None,
    },
];

/// What taking a release from the registry cost, in seconds.
#[derive(Default)]
struct Fetched {
    pull: f64,
    host_crate: f64,
    precompile: f64,
}

/// One compwrap application (a copy of `examples/ec2-host`) with its own
/// store, which starts empty, and target directory.
struct App<'a> {
    exe: &'a Path,
    dir: PathBuf,
    target: PathBuf,
    store: PathBuf,
}

impl App<'_> {
    fn new<'a>(exe: &'a Path, work: &Path, label: &str) -> Result<App<'a>> {
        let app = App {
            exe,
            dir: work.join(format!("app-{label}")),
            target: work.join(format!("app-{label}-target")),
            store: work.join(format!("app-{label}-store")),
        };
        std::fs::create_dir_all(app.dir.join("src"))?;
        let example = workspace_root().join("examples/ec2-host");
        std::fs::copy(example.join("src/main.rs"), app.dir.join("src/main.rs"))?;
        std::fs::copy(example.join("Cargo.toml"), app.dir.join("Cargo.toml"))?;
        std::fs::copy(
            workspace_root().join("Cargo.lock"),
            app.dir.join("Cargo.lock"),
        )?;
        // Once per machine, not part of any build: the shared runtime.
        let library = installed_runtime(exe)?;
        app.compwrap(&[
            "runtime",
            "install",
            "--library",
            &library.to_string_lossy(),
        ])?;
        Ok(app)
    }

    fn compwrap(&self, args: &[&str]) -> Result<(std::process::Output, f64)> {
        let started = Instant::now();
        let out = Command::new(self.exe)
            .args(args)
            .env("COMPWRAP_HOME", &self.store)
            .current_dir(&self.dir)
            .stderr(Stdio::inherit())
            .output()?;
        ensure!(out.status.success(), "compwrap {args:?} failed");
        Ok((out, started.elapsed().as_secs_f64()))
    }

    /// Pulls `reference`, writes its host crate into `out` and makes its
    /// native code: what a bump takes before cargo runs.
    fn fetch(&self, reference: &str, out: &str, bind: Option<&str>) -> Result<Fetched> {
        let (pulled, pull) = self.compwrap(&["pull", reference, "--json"])?;
        let pulled: serde_json::Value = serde_json::from_slice(&pulled.stdout)?;
        let digest = pulled["digest"]
            .as_str()
            .context("pull printed no digest")?;
        let mut args = vec!["host-crate", digest, "--out", out, "--oci", reference];
        if let Some(bind) = bind {
            args.extend(["--bind", bind]);
        }
        let (_, host_crate) = self.compwrap(&args)?;
        let (_, precompile) = self.compwrap(&["precompile", digest])?;
        Ok(Fetched {
            pull,
            host_crate,
            precompile,
        })
    }

    fn build(&self) -> Result<(f64, f64)> {
        cargo_build(&self.dir, &self.target, &["build"])
    }

    /// The build with the runtime linked in (the host crate's `embedded`).
    fn build_embedded(&self) -> Result<(f64, f64)> {
        cargo_build(
            &self.dir,
            &self.target,
            &["build", "--features", "embedded"],
        )
    }

    fn run(&self, endpoint: &str) -> Result<String> {
        run_app(&self.target, &self.store, endpoint)
    }
}

fn bench_build_in(exe: &Path, work: &Path) -> Result<()> {
    let moto = Moto::start()?;
    let endpoint = format!("http://{}", moto.address);

    // The components, as a teammate or CI published them: both EC2
    // releases whole and for the application, and STS, in the default
    // store, then in a registry.
    let registry = crate::registry_bench::Registry::start(&work.join("registry"))?;
    let reference = |repository: &str, spec: &str| {
        let version = spec.rsplit('@').next().unwrap_or_default();
        format!("oci://{}/bench/{repository}:{version}", registry.address)
    };
    let (new_ec2, generate_s, generate_mib) = generate_ec2(exe, EC2, None)?;
    generate_ec2(exe, EC2_BEFORE, None)?;
    run(Command::new(exe).args(["generate", STS, "--yes"]))?;
    let mut new_app = None;
    for spec in [EC2, EC2_BEFORE] {
        run(Command::new(exe).args(["publish", spec, &reference("aws-sdk-ec2", spec)]))?;
        let (only, seconds, peak) = generate_ec2(exe, spec, Some(EXAMPLE_OPERATIONS))?;
        let digest = only["digest"].as_str().context("no digest")?;
        run(Command::new(exe).args(["publish", digest, &reference("aws-sdk-ec2-app", spec)]))?;
        new_app.get_or_insert((only, seconds, peak));
    }
    let (new_app, app_generate_s, app_generate_mib) = new_app.context("no app component")?;
    run(Command::new(exe).args(["publish", STS, &reference("aws-sdk-sts", STS)]))?;
    let (cold, warm, native) = precompile(exe, EC2)?;

    // The native application.
    let native_dir = work.join("native");
    write_native_app(&native_dir, EC2_BEFORE, false)?;
    let native_target = work.join("native-target");
    let (native_clean, native_peak) = cargo_build(&native_dir, &native_target, &["build"])?;
    let native_size = dir_size(&native_target);
    check_native_app(&native_target, &endpoint)?;
    // The native release build: what `generate`'s peak memory is held to.
    let release_target = work.join("native-release-target");
    let (native_release, native_release_peak) =
        cargo_build(&native_dir, &release_target, &["build", "--release"])?;
    std::fs::remove_dir_all(&release_target)?;

    // The least an application embedding wasmtime with WASI and wasi:http
    // builds: what `target/` cannot go under on the compwrap side.
    let floor_dir = work.join("floor");
    write_floor_app(&floor_dir)?;
    let floor_target = work.join("floor-target");
    let (floor_clean, _) = cargo_build(&floor_dir, &floor_target, &["build"])?;
    let floor_size = dir_size(&floor_target);
    std::fs::remove_dir_all(&floor_target)?;

    // The application through compwrap, on stores that have nothing yet.
    let apps = FLAVOURS
        .iter()
        .map(|f| App::new(exe, work, f.label))
        .collect::<Result<Vec<_>>>()?;
    let mut clean = Vec::new();
    for (flavour, app) in FLAVOURS.iter().zip(&apps) {
        app.fetch(
            &reference(flavour.repository, EC2_BEFORE),
            "component",
            flavour.bind,
        )?;
        let (seconds, peak) = app.build()?;
        clean.push((seconds, peak, dir_size(&app.target)));
        app.run(&endpoint)?;
    }
    // The whole-component application with the runtime linked in
    // (`embedded`): one binary, but wasmtime compiled with it.
    let embedded = App::new(exe, work, "embedded")?;
    embedded.fetch(
        &reference("aws-sdk-ec2", EC2_BEFORE),
        "component",
        Some(EXAMPLE_OPERATIONS),
    )?;
    let (embedded_clean, _) = embedded.build_embedded()?;
    let embedded_size = dir_size(&embedded.target);
    embedded.run(&endpoint)?;
    std::fs::remove_dir_all(&embedded.target)?;

    // The bump to the new release.
    write_native_app(&native_dir, EC2, false)?;
    let (native_bump, _) = cargo_build(&native_dir, &native_target, &["build"])?;
    check_native_app(&native_target, &endpoint)?;
    let mut bumps = Vec::new();
    for (flavour, app) in FLAVOURS.iter().zip(&apps) {
        let fetched = app.fetch(
            &reference(flavour.repository, EC2),
            "component",
            flavour.bind,
        )?;
        let (build, _) = app.build()?;
        let load = app.run(&endpoint)?;
        bumps.push((fetched, build, load));
    }

    // A second SDK crate on both sides (the whole-component application),
    // built clean: the bumped target directories still hold the release
    // before the bump.
    std::fs::remove_dir_all(&native_target)?;
    write_native_app(&native_dir, EC2, true)?;
    let (native_clean2, _) = cargo_build(&native_dir, &native_target, &["build"])?;
    let native_size2 = dir_size(&native_target);
    std::fs::remove_dir_all(&native_target)?;
    let app = &apps[0];
    app.fetch(
        &reference("aws-sdk-sts", STS),
        "sts-component",
        Some("get-caller-identity,assume-role"),
    )?;
    let manifest = std::fs::read_to_string(app.dir.join("Cargo.toml"))?;
    let ec2_dependency = "aws-sdk-ec2-component = { path = \"component\" }\n";
    ensure!(manifest.contains(ec2_dependency), "{manifest}");
    std::fs::write(
        app.dir.join("Cargo.toml"),
        manifest.replace(
            ec2_dependency,
            &format!("{ec2_dependency}aws-sdk-sts-component = {{ path = \"sts-component\" }}\n"),
        ),
    )?;
    std::fs::remove_dir_all(&app.target)?;
    let (app_clean2, _) = app.build()?;
    let app_size2 = dir_size(&app.target);
    let component_size = new_ec2["size"].as_u64().unwrap_or(0);

    println!("\naws-sdk-ec2: a native application vs the same application through compwrap");
    // Cargo's own profile variables reach every build of the run alike.
    let profile = match std::env::var("CARGO_PROFILE_DEV_DEBUG") {
        Ok(debug) => format!("cargo's debug profile with debug = {debug:?}"),
        Err(_) => "cargo's default debug profile".to_string(),
    };
    println!(
        "(same machine, same run, {profile} and CARGO_INCREMENTAL=0 on every side;\n \
         whole = the component of every operation, its host crate binding the six the application calls;\n \
         app = a component of those six operations, `generate --only`;\n \
         both load the component `compwrap pull` put in their store)\n"
    );
    let [
        (whole_clean, whole_peak, whole_size),
        (app_clean, app_peak, app_size),
    ] = clean[..]
    else {
        bail!("two flavours");
    };
    println!(
        "  clean build      native {native_clean:>6.1} s   whole {whole_clean:>6.1} s ({:.2}x)   app {app_clean:>6.1} s ({:.2}x)   peak memory {native_peak:.0} / {whole_peak:.0} / {app_peak:.0} MiB",
        whole_clean / native_clean,
        app_clean / native_clean,
    );
    println!(
        "  embedded         whole {embedded_clean:>6.1} s ({:.2}x), target/ {:.0} MiB ({:.2}): the runtime linked into the application (the host crate's `embedded` feature)",
        embedded_clean / native_clean,
        mib(embedded_size),
        embedded_size as f64 / native_size as f64,
    );
    // The bump as the goal counts it (pull + host crate + cargo build), and
    // with the native code the first run then needs (precompiled here).
    let bump = |i: usize| {
        let (fetched, build, _): &(Fetched, f64, String) = &bumps[i];
        fetched.pull + fetched.host_crate + build
    };
    let with_native = |i: usize| bump(i) + bumps[i].0.precompile;
    println!(
        "  bump {} -> {}  native {native_bump:>6.1} s   whole {:>6.2} s ({:.0}x faster)   app {:>6.2} s ({:.0}x faster)   (pull + host crate + cargo build)",
        EC2_BEFORE.rsplit('@').next().unwrap_or(""),
        EC2.rsplit('@').next().unwrap_or(""),
        bump(0),
        native_bump / bump(0),
        bump(1),
        native_bump / bump(1),
    );
    println!(
        "    with the new release's native code: whole {:>6.1} s ({:.0}x)   app {:>6.2} s ({:.0}x)",
        with_native(0),
        native_bump / with_native(0),
        with_native(1),
        native_bump / with_native(1),
    );
    for (flavour, (fetched, build, load)) in FLAVOURS.iter().zip(&bumps) {
        println!(
            "    {:<5} pull {:.2} s + host crate {:.2} s + precompile {:.2} s + cargo build {:.2} s; then {load}",
            flavour.label, fetched.pull, fetched.host_crate, fetched.precompile, build
        );
    }
    println!(
        "  target/, ec2       native {:>6.0} MiB   whole {:>6.0} MiB ({:.2})   app {:>6.0} MiB ({:.2})",
        mib(native_size),
        mib(whole_size),
        whole_size as f64 / native_size as f64,
        mib(app_size),
        app_size as f64 / native_size as f64,
    );
    println!(
        "  target/, floor     {:>6.0} MiB ({:.2}; clean build {floor_clean:.1} s, {:.2}x): wasmtime + WASI p2 + wasi:http alone, no compwrap code",
        mib(floor_size),
        floor_size as f64 / native_size as f64,
        floor_clean / native_clean,
    );
    println!(
        "  target/, ec2 + sts native {:>6.0} MiB   whole {:>6.0} MiB ({:.2}); clean build native {native_clean2:.1} s, whole {app_clean2:.1} s ({:.2}x)",
        mib(native_size2),
        mib(app_size2),
        app_size2 as f64 / native_size2 as f64,
        app_clean2 / native_clean2,
    );
    println!(
        "  whole component {:.1} MiB, native code {:.1} MiB; first load (compile) {cold:.1} s, warm load {warm:.2} s (compwrap precompile)",
        mib(component_size),
        mib(native)
    );
    let generated = |json: &serde_json::Value, seconds: f64, peak: f64| {
        if json["reused"] == true {
            "reused from the store (run with an empty COMPWRAP_HOME to measure it)".to_string()
        } else {
            format!(
                "{seconds:.0} s wall, peak {peak:.0} MiB ({:.2} of the native release build's)",
                peak / native_release_peak
            )
        }
    };
    println!(
        "  generate {EC2}: {}",
        generated(&new_ec2, generate_s, generate_mib)
    );
    println!(
        "  generate {EC2} --only the six: {}; component {:.1} MiB",
        generated(&new_app, app_generate_s, app_generate_mib),
        mib(new_app["size"].as_u64().unwrap_or(0))
    );
    println!(
        "  native release build: {native_release:.0} s, peak {native_release_peak:.0} MiB (debug: {native_peak:.0} MiB)"
    );
    Ok(())
}

/// `cargo xtask bench-generate`: the native application's release build
/// (what `generate`'s peak memory is held to), then `compwrap generate`
/// of every operation of aws-sdk-ec2 and of the example's operations
/// (`--only`), both into a store that starts empty (so each compiles the
/// SDK crate itself), side by side in one run. Peaks are the largest
/// process's (GNU time).
pub fn bench_generate(store: Option<&Path>) -> Result<()> {
    let exe = release_compwrap()?;
    let work = crate::tempdir_in(&target_dir(), "bench-generate")?;
    let result = bench_generate_in(&exe, &work, store);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn bench_generate_in(exe: &Path, work: &Path, store: Option<&Path>) -> Result<()> {
    let store = match store {
        Some(dir) => {
            if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
                bail!(
                    "{} is not empty: bench-generate needs an empty store",
                    dir.display()
                );
            }
            dir.to_path_buf()
        }
        None => work.join("store"),
    };
    let native_dir = work.join("native");
    write_native_app(&native_dir, EC2, false)?;
    let release_target = work.join("native-release-target");
    let (native_s, native_peak) =
        cargo_build(&native_dir, &release_target, &["build", "--release"])?;
    std::fs::remove_dir_all(&release_target)?;
    let (whole, whole_s, whole_peak) = generate_ec2_into(exe, Some(&store), EC2, None)?;
    let (only, only_s, only_peak) =
        generate_ec2_into(exe, Some(&store), EC2, Some(EXAMPLE_OPERATIONS))?;
    println!("\ngenerate {EC2} (empty store), next to the native application's release build:");
    println!("  native release build: {native_s:.0} s, peak {native_peak:.0} MiB");
    for (label, json, seconds, peak) in [
        ("every operation", &whole, whole_s, whole_peak),
        ("--only the example's", &only, only_s, only_peak),
    ] {
        println!(
            "  generate, {label}: {seconds:.0} s, peak {peak:.0} MiB ({:.2} of the native release build's); component {:.1} MiB",
            peak / native_peak,
            mib(json["size"].as_u64().unwrap_or(0))
        );
    }
    Ok(())
}

/// The native counterpart of `examples/ec2-host`: the same calls through
/// `aws-config` + `aws-sdk-ec2` (and `aws-sdk-sts` with `sts`).
fn write_native_app(dir: &Path, ec2: &str, sts: bool) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    let ec2_version = ec2.rsplit('@').next().unwrap_or_default();
    let sts_dep = if sts {
        format!(
            "aws-sdk-sts = \"={}\"\n",
            STS.rsplit('@').next().unwrap_or_default()
        )
    } else {
        String::new()
    };
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"native-ec2\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\naws-config = {{ version = \"1\", features = [\"behavior-version-latest\"] }}\n\
             aws-sdk-ec2 = \"={ec2_version}\"\n{sts_dep}\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\n\
             [workspace]\n"
        ),
    )?;
    std::fs::write(dir.join("src/main.rs"), NATIVE_APP)?;
    Ok(())
}

/// The floor of every compwrap application: a wasmtime host (no
/// Cranelift) with the WASI p2 and wasi:http linkers compwrap-host
/// provides, loading precompiled native code, with the workspace's
/// wasmtime release and lock file.
fn write_floor_app(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"wasmtime-floor\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n\
         wasmtime = { version = \"48\", default-features = false, features = [\"runtime\", \"component-model\", \"std\"] }\n\
         wasmtime-wasi = { version = \"48\", default-features = false, features = [\"p2\"] }\n\
         wasmtime-wasi-http = { version = \"48\", default-features = false, features = [\"p2\", \"default-send-request\"] }\n\n\
         [workspace]\n",
    )?;
    std::fs::write(dir.join("src/main.rs"), FLOOR_APP)?;
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

const FLOOR_APP: &str = r#"use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: wasmtime_wasi_http::default_hooks(),
        }
    }
}

fn main() -> wasmtime::Result<()> {
    let engine = Engine::new(&Config::new())?;
    let mut linker: Linker<State> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
    let path = std::env::args().nth(1).expect("a precompiled component");
    // SAFETY: the file is native code `compwrap precompile` made.
    let component = unsafe { Component::deserialize_file(&engine, &path)? };
    let state = State { wasi: WasiCtx::builder().build(), http: WasiHttpCtx::new(), table: ResourceTable::new() };
    let mut store = Store::new(&engine, state);
    linker.instantiate(&mut store, &component)?;
    Ok(())
}
"#;

const NATIVE_APP: &str = r#"use aws_sdk_ec2::types::{Filter, InstanceType, Tag};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args().nth(1).expect("the endpoint");
    let config = aws_config::from_env()
        .region("us-east-1")
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "bench"))
        .load()
        .await;
    let client = aws_sdk_ec2::Client::new(&config);
    let regions = client.describe_regions().send().await?;
    println!("regions: {}", regions.regions().len());
    let images = client.describe_images().owners("amazon").max_results(5).send().await?;
    let image = images.images().iter().find_map(|i| i.image_id()).expect("an image").to_string();
    let run = client.run_instances().image_id(&image).instance_type(InstanceType::T3Micro).min_count(1).max_count(1).send().await?;
    let instance = run.instances().iter().find_map(|i| i.instance_id()).expect("an instance").to_string();
    client.create_tags().resources(&instance)
        .tags(Tag::builder().key("owner").value("compwrap").build())
        .send().await?;
    let listed = client.describe_instances()
        .filters(Filter::builder().name("tag:owner").values("compwrap").build())
        .send().await?;
    let found: usize = listed.reservations().iter().map(|r| r.instances().len()).sum();
    println!("listed {found}");
    client.terminate_instances().instance_ids(&instance).send().await?;
    println!("terminated {instance}");
    Ok(())
}
"#;

fn check_native_app(target: &Path, endpoint: &str) -> Result<()> {
    let out = Command::new(target.join("debug/native-ec2"))
        .arg(endpoint)
        .output()
        .context("failed to run the native application")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success() && stdout.contains("terminated i-"),
        "the native application failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// Runs the compwrap application on `store`; returns its load line.
fn run_app(target: &Path, store: &Path, endpoint: &str) -> Result<String> {
    let out = Command::new(target.join("debug/ec2-host"))
        .arg(endpoint)
        .env("COMPWRAP_HOME", store)
        .output()
        .context("failed to run ec2-host")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success() && stdout.contains("terminated i-"),
        "ec2-host failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("loaded "))
        .unwrap_or("")
        .to_string())
}

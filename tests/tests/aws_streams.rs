//! Streaming bodies of the AWS SDKs: a `ByteStream` in an operation's
//! input is built from `list<u8>`; in an output it leaves as a
//! `byte-stream` resource, read in the chunks the response arrives in
//! (`next`) or whole (`collect`). An application on the typed host crate
//! puts objects into moto and reads them back in chunks, comparing every
//! byte as it arrives, and prints its memory figures.
//!
//! `aws-sdk-mediastoredata` (five operations, an object store) runs here;
//! `aws-sdk-s3`, a five-minute build, runs with `cargo xtask s3`
//! (`--ignored`), the same application.

use std::path::Path;

use anyhow::{Result, ensure};
use compwrap_tests::Moto;
use compwrap_tests::aws::{
    AWS_SDK_MEDIASTOREDATA, AWS_SDK_S3, build_host_app, call, load_sdk, make_client,
    run_host_app_with, sdk_component, write_host_crate,
};

#[test]
fn an_output_body_is_a_byte_stream_read_in_chunks_or_whole() -> Result<()> {
    let (_, generated) = sdk_component(AWS_SDK_MEDIASTOREDATA)?;
    for line in [
        "resource byte-stream {",
        "next: func() -> result<option<list<u8>>, compwrap-error>;",
        "collect: func() -> result<list<u8>, compwrap-error>;",
        "body: byte-stream,",
        // Inputs take the bytes.
        "body: list<u8>,",
    ] {
        ensure!(generated.wit.contains(line), "the WIT lacks `{line}`");
    }

    let moto = Moto::start()?;
    let mut data = load_sdk(AWS_SDK_MEDIASTOREDATA, &moto.address)?;
    let client = make_client(&mut data, &moto.endpoint)?;
    let put = call(
        &mut data,
        "[method]client.put-object",
        &[&client, r#"{body: [104, 105, 33], path: some("greeting")}"#],
    )?;
    ensure!(put.starts_with("ok({"), "{put}");
    let get = r#"{path: some("greeting")}"#;
    let output = call(&mut data, "[method]client.get-object", &[&client, get])?;
    let body = first_handle(&output)?;
    let next = call(&mut data, "[method]byte-stream.next", &[&body])?;
    ensure!(next == "ok(some([104, 105, 33]))", "{next}");
    let end = call(&mut data, "[method]byte-stream.next", &[&body])?;
    ensure!(end == "ok(none)", "{end}");

    let output = call(&mut data, "[method]client.get-object", &[&client, get])?;
    let body = first_handle(&output)?;
    let whole = call(&mut data, "[method]byte-stream.collect", &[&body])?;
    ensure!(whole == "ok([104, 105, 33])", "{whole}");
    // Collected: the resource is empty after.
    let again = call(&mut data, "[method]byte-stream.collect", &[&body])?;
    ensure!(again == "ok([])", "{again}");
    Ok(())
}

/// The `#N` of the resource a WAVE result holds.
fn first_handle(wave: &str) -> Result<String> {
    let at = wave
        .find(" #")
        .ok_or_else(|| anyhow::anyhow!("no handle in {wave}"))?;
    Ok(wave[at + 1..]
        .chars()
        .take_while(|c| *c == '#' || c.is_ascii_digit())
        .collect())
}

#[test]
fn objects_of_1_and_100_mib_come_back_byte_for_byte_mediastoredata() -> Result<()> {
    round_trip(
        AWS_SDK_MEDIASTOREDATA,
        "",
        "PutObjectInput { body, path: Some(key.clone()), ..Default::default() }",
        "GetObjectInput { path: Some(key.clone()), ..Default::default() }",
    )
}

#[test]
#[ignore = "aws-sdk-s3 is a five-minute build: `cargo xtask s3`"]
fn objects_of_1_and_100_mib_come_back_byte_for_byte_s3() -> Result<()> {
    round_trip(
        AWS_SDK_S3,
        r#"client
        .create_bucket(&CreateBucketInput { bucket: Some("objects".into()), ..Default::default() })?
        .map_err(|e| compwrap_client::Error::guest(e.error.detail))?;"#,
        r#"PutObjectInput { body, bucket: Some("objects".into()), key: Some(key.clone()), ..Default::default() }"#,
        r#"GetObjectInput { bucket: Some("objects".into()), key: Some(key.clone()), ..Default::default() }"#,
    )
}

/// Builds the streaming application for the SDK `spec` (with `setup` run
/// once, and the `put` / `get` inputs of an object `key` holding `body`)
/// and runs it for 1 MiB and 100 MiB against moto.
fn round_trip(spec: &str, setup: &str, put: &str, get: &str) -> Result<()> {
    let moto = Moto::start()?;
    let (store, generated) = sdk_component(spec)?;
    let package = format!("{}-component", spec.split('@').next().unwrap_or(spec));
    let mut bind = vec![
        "put-object",
        "get-object",
        "byte-stream.next",
        "byte-stream.collect",
    ];
    if !setup.is_empty() {
        bind.push("create-bucket");
    }
    let work = tempfile::tempdir()?;
    let (crate_dir, _) = write_host_crate(work.path(), &store, &generated, &package, &bind)?;
    let krate = package.replace('-', "_");
    let inputs = if setup.is_empty() {
        ""
    } else {
        "CreateBucketInput, "
    };
    let main_rs = STREAM_APP
        .replace(
            "{uses}",
            &format!("use {krate}::client::{{{inputs}GetObjectInput, PutObjectInput}};"),
        )
        .replace("{krate}", &krate)
        .replace("{setup}", setup)
        .replace("{put}", put)
        .replace("{get}", get);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("host-crate-app");
    let exe = build_host_app(work.path(), &target, &package, &crate_dir, &main_rs)?;
    let stdout = run_host_app_with(&exe, &[&moto.address, "1", "100"], &store)?;
    // The figures, for whoever runs it.
    print!("{spec}:\n{stdout}");
    for mib in [1, 100] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{mib} MiB: ")))
            .ok_or_else(|| anyhow::anyhow!("no line for {mib} MiB in:\n{stdout}"))?;
        let bytes = mib << 20;
        ensure!(
            line.contains(&format!("read back {bytes} bytes, the same")),
            "{line}"
        );
        // In chunks, never whole: the body of 100 MiB arrives in many, and
        // reading it adds far less than the object to the process.
        let chunks: u64 = field(line, "the same, in ")?;
        let grew: u64 = field(line, "MiB, peak +")?;
        if mib == 100 {
            ensure!(chunks > 100, "{line}");
            ensure!(grew < 50, "reading grew the process by {grew} MiB: {line}");
        }
    }
    ensure!(stdout.contains("1 MiB whole: the same"), "{stdout}");
    Ok(())
}

/// The number after the last `after` in `line`.
fn field(line: &str, after: &str) -> Result<u64> {
    let at = line
        .rfind(after)
        .ok_or_else(|| anyhow::anyhow!("no `{after}` in {line}"))?;
    let digits: String = line[at + after.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Ok(digits.parse()?)
}

/// The application: `sdk-app ADDRESS MIB…` puts an object of each size,
/// reads it back in chunks (and an object of 1 MiB whole) and prints what
/// it measured.
const STREAM_APP: &str = r#"{uses}

/// The object's byte at `i`: a letter, not in a repeating short pattern
/// (moto's MediaStore keeps bodies as text).
fn pattern(i: usize) -> u8 {
    b'a' + ((i.wrapping_mul(2_654_435_761) >> 13) % 26) as u8
}

/// This process's resident memory now and its peak since the last
/// `reset_peak`, in MiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    (kib("VmRSS:") >> 10, kib("VmHWM:") >> 10)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn guest(detail: String) -> compwrap_client::Error {
    compwrap_client::Error::guest(detail)
}

fn main() -> Result<(), compwrap_client::Error> {
    let mut args = std::env::args().skip(1);
    let address = args.next().expect("moto's address");
    let runtime = {krate}::runtime_builder().allow_http(&address).build()?;
    let sdk = {krate}::load_with(&runtime)?;
    let client = sdk.client(&config(format!("http://{address}")))?;
    {setup}
    for mib in args.map(|a| a.parse::<usize>().expect("MiB")) {
        let size = mib << 20;
        let key = format!("object-{mib}");
        let body: Vec<u8> = (0..size).map(pattern).collect();
        reset_peak();
        let (before, _) = memory();
        let started = std::time::Instant::now();
        client.put_object(&{put})?.map_err(|e| guest(e.error.detail))?;
        let put_s = started.elapsed().as_secs_f64();
        let (_, put_peak) = memory();

        reset_peak();
        let (before_get, _) = memory();
        let started = std::time::Instant::now();
        let output = client.get_object(&{get})?.map_err(|e| guest(e.error.detail))?;
        let (mut offset, mut chunks, mut largest) = (0usize, 0u64, 0usize);
        while let Some(chunk) = output.body.next()?.map_err(|e| guest(e.message))? {
            if let Some(i) = (0..chunk.len()).find(|&i| chunk[i] != pattern(offset + i)) {
                return Err(guest(format!("byte {} differs", offset + i)));
            }
            offset += chunk.len();
            chunks += 1;
            largest = largest.max(chunk.len());
        }
        let get_s = started.elapsed().as_secs_f64();
        let (_, get_peak) = memory();
        println!(
            "{mib} MiB: put in {put_s:.2} s (process {before} MiB, peak +{put_up} MiB while putting); \
             read back {offset} bytes, the same, in {chunks} chunks of at most {} KiB in {get_s:.2} s \
             (process {before_get} MiB, peak +{get_up} MiB while reading)",
            largest >> 10,
            put_up = put_peak.saturating_sub(before),
            get_up = get_peak.saturating_sub(before_get),
        );
        if mib <= 1 {
            let output = client.get_object(&{get})?.map_err(|e| guest(e.error.detail))?;
            let whole = output.body.collect()?.map_err(|e| guest(e.message))?;
            let same = whole.len() == size && whole.iter().enumerate().all(|(i, b)| *b == pattern(i));
            println!("{mib} MiB whole: {}", if same { "the same" } else { "different" });
        }
    }
    Ok(())
}
"#;

//! Times the component's first load and `describe-instances` calls
//! against an EC2 endpoint, for `cargo xtask bench-ec2-calls` (which runs it
//! built with and without `embedded`, with each compiler, side by side).
//!
//! ```text
//! ec2-calls http://127.0.0.1:5000 [--calls N] [--compiler auto|cranelift|winch] [--native-cache DIR]
//! ```
//!
//! Prints one JSON object: the load time, and the median and mean of the
//! calls, in milliseconds.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use aws_sdk_ec2_component::client::{
    DescribeImagesInput, DescribeInstancesInput, RunInstancesInput, TerminateInstancesInput,
};
use aws_sdk_ec2_component::compwrap_client::Compiler;
use aws_sdk_ec2_component::types::InstanceType;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .context("usage: ec2-calls ENDPOINT [--calls N] [--compiler C] [--native-cache DIR]")?;
    let (mut calls, mut compiler, mut native_cache) = (50usize, Compiler::Auto, None);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--calls" => calls = value.parse()?,
            "--compiler" => compiler = value.parse().map_err(anyhow::Error::msg)?,
            "--native-cache" => native_cache = Some(std::path::PathBuf::from(value)),
            other => bail!("unknown option `{other}`"),
        }
    }
    let mut builder = aws_sdk_ec2_component::runtime_builder()
        .allow_http(ec2_host::endpoint_host(&endpoint))
        .compiler(compiler);
    if let Some(dir) = &native_cache {
        builder = builder.native_cache_dir(Some(dir));
    }
    let runtime = builder.build()?;
    let started = Instant::now();
    let ec2 = aws_sdk_ec2_component::load_with(&runtime)?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let client = ec2.client(&ec2_host::sdk_config(&endpoint))?;
    // One instance, so that the listing has something to describe.
    let image = client
        .describe_images(&DescribeImagesInput {
            owners: Some(vec!["amazon".into()]),
            max_results: Some(1),
            ..Default::default()
        })?
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?
        .images
        .unwrap_or_default()
        .into_iter()
        .find_map(|i| i.image_id)
        .context("no image")?;
    let instance = client
        .run_instances(&RunInstancesInput {
            image_id: Some(image),
            instance_type: Some(InstanceType::T3Micro),
            min_count: Some(1),
            max_count: Some(1),
            ..Default::default()
        })?
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?
        .instances
        .unwrap_or_default()
        .into_iter()
        .find_map(|i| i.instance_id)
        .context("no instance")?;
    // Only this run's instance: every run describes the same amount.
    let input = DescribeInstancesInput {
        instance_ids: Some(vec![instance.clone()]),
        ..Default::default()
    };

    let mut times = Vec::with_capacity(calls);
    for i in 0..calls + 3 {
        let started = Instant::now();
        let listed = client
            .describe_instances(&input)?
            .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        if listed.reservations.unwrap_or_default().is_empty() {
            bail!("describe-instances listed nothing");
        }
        // The first calls warm up connections and caches.
        if i >= 3 {
            times.push(elapsed);
        }
    }
    client
        .terminate_instances(&TerminateInstancesInput {
            instance_ids: Some(vec![instance]),
            ..Default::default()
        })?
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "{{\"load_ms\": {load_ms:.1}, \"calls\": {calls}, \"median_ms\": {median:.3}, \"mean_ms\": {mean:.3}}}"
    );
    Ok(())
}

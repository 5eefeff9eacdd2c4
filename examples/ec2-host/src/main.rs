//! Runs an instance, tags it, lists instances with a tag filter,
//! terminates it and lists regions, against the EC2 endpoint given as the
//! first argument (moto on loopback in `cargo xtask ec2`), through the
//! prebuilt `aws-sdk-ec2` component and the shared compwrap runtime: it
//! compiles neither an `aws-*` crate nor wasmtime.

use anyhow::{Context, Result, bail};
use aws_sdk_ec2_component::VERSION;
use aws_sdk_ec2_component::client::{
    CreateTagsInput, DescribeImagesInput, DescribeInstancesInput, DescribeRegionsInput,
    RunInstancesInput, TerminateInstancesInput,
};
use aws_sdk_ec2_component::compwrap_types::SdkError;
use aws_sdk_ec2_component::types::{Filter, InstanceStateName, InstanceType, Tag};

fn main() -> Result<()> {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:5000".to_string());
    // The component may reach the endpoint and nothing else.
    let runtime = aws_sdk_ec2_component::runtime_builder()
        .allow_http(ec2_host::endpoint_host(&endpoint))
        .build()?;
    let started = std::time::Instant::now();
    let ec2 = aws_sdk_ec2_component::load_with(&runtime)?;
    println!(
        "loaded aws-sdk-ec2 {VERSION} in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let client = ec2.client(&ec2_host::sdk_config(&endpoint))?;

    let regions = client
        .describe_regions(&DescribeRegionsInput::default())?
        .map_err(sdk)?;
    let names: Vec<String> = regions
        .regions
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.region_name)
        .collect();
    println!(
        "regions: {} ({}, …)",
        names.len(),
        names[..names.len().min(3)].join(", ")
    );

    let images = client
        .describe_images(&DescribeImagesInput {
            owners: Some(vec!["amazon".into()]),
            max_results: Some(5),
            ..Default::default()
        })?
        .map_err(sdk)?;
    let image = images
        .images
        .unwrap_or_default()
        .into_iter()
        .find_map(|i| i.image_id)
        .context("the endpoint has no Amazon images")?;

    let run = client
        .run_instances(&RunInstancesInput {
            image_id: Some(image.clone()),
            instance_type: Some(InstanceType::T3Micro),
            min_count: Some(1),
            max_count: Some(1),
            ..Default::default()
        })?
        .map_err(sdk)?;
    let instance = run
        .instances
        .unwrap_or_default()
        .into_iter()
        .find_map(|i| i.instance_id)
        .context("RunInstances returned no instance")?;
    println!("ran {instance} from {image}");

    client
        .create_tags(&CreateTagsInput {
            resources: Some(vec![instance.clone()]),
            tags: Some(vec![
                Tag {
                    key: Some("Name".into()),
                    value: Some("compwrap-example".into()),
                },
                Tag {
                    key: Some("owner".into()),
                    value: Some("compwrap".into()),
                },
            ]),
            ..Default::default()
        })?
        .map_err(sdk)?;
    println!("tagged {instance} owner=compwrap");

    let listed = client
        .describe_instances(&DescribeInstancesInput {
            filters: Some(vec![Filter {
                name: Some("tag:owner".into()),
                values: Some(vec!["compwrap".into()]),
            }]),
            ..Default::default()
        })?
        .map_err(sdk)?;
    let mut found = 0;
    for reservation in listed.reservations.unwrap_or_default() {
        for i in reservation.instances.unwrap_or_default() {
            found += 1;
            let state = i.state.and_then(|s| s.name).map(state_name);
            let name = i
                .tags
                .unwrap_or_default()
                .into_iter()
                .find(|t| t.key.as_deref() == Some("Name"))
                .and_then(|t| t.value);
            println!(
                "listed {} ({}) state {}",
                i.instance_id.unwrap_or_default(),
                name.unwrap_or_default(),
                state.unwrap_or_default()
            );
        }
    }
    if found == 0 {
        bail!("the tag filter found no instance");
    }

    let terminated = client
        .terminate_instances(&TerminateInstancesInput {
            instance_ids: Some(vec![instance.clone()]),
            ..Default::default()
        })?
        .map_err(sdk)?;
    for change in terminated.terminating_instances.unwrap_or_default() {
        println!(
            "terminated {}: {} -> {}",
            change.instance_id.unwrap_or_default(),
            change
                .previous_state
                .and_then(|s| s.name)
                .map(state_name)
                .unwrap_or_default(),
            change
                .current_state
                .and_then(|s| s.name)
                .map(state_name)
                .unwrap_or_default()
        );
    }

    // A service error is data: the service's code, message and status.
    match client.terminate_instances(&TerminateInstancesInput {
        instance_ids: Some(vec!["i-00000000000000000".into()]),
        ..Default::default()
    })? {
        Ok(_) => bail!("terminating an unknown instance succeeded"),
        Err(e) => println!(
            "unknown instance: {} (HTTP {}): {}",
            e.code.unwrap_or_default(),
            e.http_status.unwrap_or_default(),
            e.message.unwrap_or_default()
        ),
    }
    Ok(())
}

/// A failed operation as an error with the service's code and message.
fn sdk(e: SdkError) -> anyhow::Error {
    anyhow::anyhow!(
        "{} ({})",
        e.message.unwrap_or(e.detail),
        e.code.unwrap_or_default()
    )
}

fn state_name(state: InstanceStateName) -> String {
    match state {
        InstanceStateName::Pending => "pending".into(),
        InstanceStateName::Running => "running".into(),
        InstanceStateName::ShuttingDown => "shutting-down".into(),
        InstanceStateName::Stopped => "stopped".into(),
        InstanceStateName::Stopping => "stopping".into(),
        InstanceStateName::Terminated => "terminated".into(),
        // A state this SDK release does not know, as the service sent it.
        InstanceStateName::Unknown(other) => other,
    }
}

//! `#[non_exhaustive]` structs without `Default` are built through their
//! builders (`T::builder().set_x(..).build()`, the smithy-rs pattern), on
//! the shapes of a real AWS SDK crate: a value goes into an input builder
//! and comes back out unchanged.

use anyhow::{Result, bail, ensure};
use compwrap::resolve::Features;
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{AWS_SDK_STS, call1, generated_with_features};

fn string(s: &str) -> Val {
    Val::String(s.into())
}

fn sts() -> Result<Instance> {
    let features = Features {
        features: vec![],
        no_default: true,
    };
    let (_, generated, loaded) = generated_with_features(AWS_SDK_STS, features)?;
    for shape in [
        "aws_sdk_sts::types::Tag",
        "aws_sdk_sts::types::PolicyDescriptorType",
    ] {
        let item = generated.report.items.iter().find(|i| i.path == shape);
        ensure!(
            item.is_some_and(|i| i.wit.as_deref().is_some_and(|w| w.ends_with("(record)"))),
            "{shape} is not a record: {item:?}"
        );
    }
    loaded.instantiate()
}

fn handle(v: Val) -> Result<Val> {
    match v {
        Val::Resource(_) => Ok(v),
        other => bail!("expected a resource handle, got {other:?}"),
    }
}

#[test]
fn input_shapes_are_built_through_their_builders() -> Result<()> {
    let mut sts = sts()?;
    let empty = handle(call1(
        &mut sts,
        "[static]assume-role-input-builder.default",
        &[],
    )?)?;

    // `Tag` has required members: `build()` returns a `Result`.
    let tags = Val::List(
        [("team", "compwrap"), ("stage", "test ✓")]
            .iter()
            .map(|(k, v)| Val::Record(vec![("key".into(), string(k)), ("value".into(), string(v))]))
            .collect(),
    );
    let with_tags = handle(call1(
        &mut sts,
        "[method]assume-role-input-builder.set-tags",
        &[empty, Val::Option(Some(Box::new(tags.clone())))],
    )?)?;
    let got = call1(
        &mut sts,
        "[method]assume-role-input-builder.get-tags",
        std::slice::from_ref(&with_tags),
    )?;
    assert_eq!(got, Val::Option(Some(Box::new(tags))));

    // `PolicyDescriptorType` has only optional members: `build()` returns
    // the shape itself.
    let arn = "arn:aws:iam::123456789012:policy/compwrap";
    let policies = Val::List(vec![
        Val::Record(vec![(
            "arn".into(),
            Val::Option(Some(Box::new(string(arn)))),
        )]),
        Val::Record(vec![("arn".into(), Val::Option(None))]),
    ]);
    let with_policies = handle(call1(
        &mut sts,
        "[method]assume-role-input-builder.set-policy-arns",
        &[with_tags, Val::Option(Some(Box::new(policies.clone())))],
    )?)?;
    let got = call1(
        &mut sts,
        "[method]assume-role-input-builder.get-policy-arns",
        &[with_policies],
    )?;
    assert_eq!(got, Val::Option(Some(Box::new(policies))));
    Ok(())
}

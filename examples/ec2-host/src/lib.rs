//! What the example's programs share: the endpoint they are pointed at.

use aws_sdk_ec2_component::compwrap_types::{SdkConfig, SdkCredentials};

/// The `host[:port]` of `endpoint` (`http://127.0.0.1:5000` →
/// `127.0.0.1:5000`): the only place the component may send requests to.
pub fn endpoint_host(endpoint: &str) -> &str {
    endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest)
        .trim_end_matches('/')
}

/// The client configuration for `endpoint` with moto's test credentials,
/// in `us-east-1`, without retries.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.to_owned()),
        credentials: Some(SdkCredentials {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            session_token: None,
        }),
        max_attempts: Some(1),
        ..Default::default()
    }
}

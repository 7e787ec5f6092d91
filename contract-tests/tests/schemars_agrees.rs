//! The generated types implement `JsonSchema` and `Deserialize` through the small runtime
//! helpers instead of derives: the schema schemars produces must accept exactly what serde
//! decodes — required keys, closed objects, `$ref`s to other types, unions, string enums.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use generated::types::{
    ConnectSession, ConnectSessionEnvelope, ConnectSessionReconnectInput, Connection, StdError,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Every instance must get the same verdict from serde and from the type's JSON Schema;
/// returns how many each accepted.
fn agree<T: schemars::JsonSchema + DeserializeOwned>(instances: &[Value]) -> usize {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut accepted = 0;
    for instance in instances {
        let by_serde = serde_json::from_value::<T>(instance.clone()).is_ok();
        let by_schema = validator.is_valid(instance);
        assert_eq!(
            by_serde, by_schema,
            "{instance} — serde {by_serde}, schema {by_schema}\n{schema:#}"
        );
        accepted += usize::from(by_serde);
    }
    accepted
}

#[test]
fn connect_session_schema_matches_decoding() {
    let ok = json!({"token": "nango_connect_session_x", "expires_at": "2026-01-01T00:00:00Z"});
    let accepted = agree::<ConnectSession>(&[
        ok.clone(),
        json!({"token": "t", "connect_link": "https://connect.nango.dev?session_token=t", "expires_at": "2026-01-01T00:00:00Z"}),
        json!({"expires_at": "2026-01-01T00:00:00Z"}),
        json!({"token": 7, "expires_at": "2026-01-01T00:00:00Z"}),
        json!(["t", "2026-01-01T00:00:00Z"]),
        json!("t"),
    ]);
    assert_eq!(accepted, 2);
    let accepted =
        agree::<ConnectSessionEnvelope>(&[json!({"data": ok}), json!({"data": {}}), json!({})]);
    assert_eq!(accepted, 1);
}

#[test]
fn closed_inputs_reject_unknown_keys_in_both() {
    let accepted = agree::<ConnectSessionReconnectInput>(&[
        json!({"connection_id": "c", "integration_id": "github"}),
        json!({"connection_id": "c", "integration_id": "github", "tags": {"a": "b"}}),
        json!({"connection_id": "c", "integration_id": "github", "surprise": 1}),
        json!({"connection_id": "c"}),
        json!({"connection_id": "c", "integration_id": "github", "end_user": {"id": "u1"}}),
        json!({"connection_id": "c", "integration_id": "github", "end_user": {"id": 1}}),
    ]);
    assert_eq!(accepted, 3);
}

#[test]
fn errors_and_connections_agree() {
    let accepted = agree::<StdError>(&[
        json!({"error": {"code": "invalid_body", "message": "x"}}),
        json!({"error": {"code": "invalid_body"}}),
        json!({"error": {"message": "x"}}),
        json!({}),
    ]);
    assert!(accepted >= 2, "{accepted}");
    let schema = serde_json::to_value(schemars::schema_for!(Connection)).unwrap();
    assert!(
        schema
            .get("$defs")
            .is_some_and(|d| d.as_object().is_some_and(|d| !d.is_empty())),
        "referenced types become $defs: {schema:#}"
    );
}

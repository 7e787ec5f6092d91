//! The validator catches drift, and points at the exact place: instance path, failing
//! keyword, and where that keyword is written (spec or overlay).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use contract_tests::{ContractValidator, Kind, Report};
use std::path::Path;

fn validator() -> ContractValidator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |rel: &str| codegen::Input::read(&root.join(rel), rel).unwrap();
    let loaded = codegen::check(
        read("spec/nango.yaml"),
        vec![read("spec/nango.overlay.yaml")],
    );
    ContractValidator::new(loaded).unwrap()
}

const JSON: Option<&str> = Some("application/json");
const RECONNECT: &str = "/connect/sessions/reconnect";

fn kinds(r: &Report) -> Vec<Kind> {
    r.violations.iter().map(|v| v.kind).collect()
}

#[test]
fn valid_bodies_pass() {
    let v = validator();
    let ok = br#"{"data":{"token":"nango_connect_session_abc","connect_link":"https://connect.nango.dev/?session_token=abc","expires_at":"2026-01-01T00:30:00.000Z"}}"#;
    let r = v.check_response(
        "POST",
        RECONNECT,
        201,
        Some("application/json; charset=utf-8"),
        ok,
    );
    assert!(r.is_valid(), "{r:?}");
    assert_eq!(
        r.operation.as_deref(),
        Some("POST /connect/sessions/reconnect")
    );
    let err = br#"{"error":{"code":"invalid_body","message":"x","errors":[{"code":"c","message":"m","path":["a"]}]}}"#;
    assert!(
        v.check_response("post", RECONNECT, 400, JSON, err)
            .is_valid()
    );
    let conn = br#"{"id":1,"connection_id":"c","provider_config_key":"github","provider":"github","errors":[],"end_user":null,"tags":{},"metadata":{},"connection_config":{},"created_at":"2026-08-21T19:13:31.449+00:00","updated_at":"2026-08-21T19:13:31.449+00:00","last_fetched_at":null,"credentials":{}}"#;
    assert!(
        v.check_response(
            "GET",
            "/connections/c?provider_config_key=github",
            200,
            JSON,
            conn
        )
        .is_valid()
    );
}

#[test]
fn missing_token_is_caught_at_the_required_keyword() {
    let v = validator();
    let r = v.check_response(
        "POST",
        RECONNECT,
        201,
        JSON,
        br#"{"data":{"expires_at":"2026-01-01T00:30:00.000Z"}}"#,
    );
    assert_eq!(kinds(&r), [Kind::Schema]);
    let x = &r.violations[0];
    assert_eq!(x.instance_path, "/data");
    assert_eq!(x.keyword, "#/components/schemas/ConnectSession/required");
    assert_eq!(x.location.as_deref(), Some("spec/nango.yaml:69:7"));
    assert!(x.message.contains("token"), "{x}");
}

#[test]
fn non_date_expires_at_is_caught_by_format() {
    let v = validator();
    let r = v.check_response(
        "POST",
        RECONNECT,
        201,
        JSON,
        br#"{"data":{"token":"t","expires_at":"tomorrow"}}"#,
    );
    assert_eq!(kinds(&r), [Kind::Schema]);
    assert_eq!(r.violations[0].instance_path, "/data/expires_at");
    assert_eq!(
        r.violations[0].keyword,
        "#/components/schemas/ConnectSession/properties/expires_at/format"
    );
}

#[test]
fn extra_property_inside_std_error_is_caught() {
    let v = validator();
    let r = v.check_response(
        "POST",
        RECONNECT,
        401,
        JSON,
        br#"{"error":{"code":"missing_auth_header","message":"m","payload":{}}}"#,
    );
    assert_eq!(kinds(&r), [Kind::Schema]);
    assert_eq!(r.violations[0].instance_path, "/error");
    assert_eq!(
        r.violations[0].keyword,
        "#/components/schemas/StdError/properties/error/additionalProperties"
    );
    assert!(
        r.violations[0]
            .location
            .as_deref()
            .unwrap()
            .starts_with("spec/nango.yaml:")
    );
}

#[test]
fn content_type_status_and_syntax_drift_are_caught() {
    let v = validator();
    let r = v.check_response("POST", RECONNECT, 201, Some("text/plain"), b"ok");
    assert_eq!(kinds(&r), [Kind::UnexpectedContentType]);
    let r = v.check_response(
        "POST",
        RECONNECT,
        500,
        JSON,
        br#"{"error":{"code":"server_error"}}"#,
    );
    assert_eq!(kinds(&r), [Kind::UndocumentedStatus]);
    assert!(
        r.violations[0].message.contains("201, 400, 401, 403, 415"),
        "{}",
        r.violations[0]
    );
    let r = v.check_response("POST", RECONNECT, 201, JSON, b"{not json");
    assert_eq!(kinds(&r), [Kind::NotJson]);
    let r = v.check_response("POST", RECONNECT, 201, None, b"{}");
    assert_eq!(kinds(&r), [Kind::MissingContentType]);
    let r = v.check_response("PATCH", RECONNECT, 200, JSON, b"{}");
    assert_eq!(kinds(&r), [Kind::UnknownOperation]);
}

#[test]
fn real_server_deviations_are_reported_with_overlay_locations() {
    let v = validator();
    // Nango's real GET connection sends `metadata: null` and `webhook_url_override` (nango-api.md §6).
    let body = br#"{"id":1,"connection_id":"c","provider_config_key":"github","provider":"github","errors":[],"end_user":null,"tags":{},"metadata":null,"connection_config":{},"created_at":"2026-08-21T19:13:31.449+00:00","updated_at":"2026-08-21T19:13:31.449+00:00","last_fetched_at":null,"credentials":{},"webhook_url_override":null}"#;
    let r = v.check_response("GET", "/connections/c", 200, JSON, body);
    assert_eq!(kinds(&r), [Kind::Schema]);
    assert_eq!(r.violations[0].instance_path, "/metadata");
    // The Connection schema comes from the overlay, so that is where the keyword is.
    assert!(
        r.violations[0]
            .location
            .as_deref()
            .unwrap()
            .starts_with("spec/nango.overlay.yaml:"),
        "{}",
        r.violations[0]
    );
}

#[test]
fn requests_are_checked_too() {
    let v = validator();
    let auth = [("Authorization".to_owned(), "Bearer k".to_owned())];
    let r = v.check_request(
        "POST",
        RECONNECT,
        &auth,
        JSON,
        br#"{"connection_id":"c","integration_id":"github"}"#,
    );
    assert!(r.is_valid(), "{r:?}");
    // The same request without credentials satisfies none of the security alternatives.
    let r = v.check_request(
        "POST",
        RECONNECT,
        &[],
        JSON,
        br#"{"connection_id":"c","integration_id":"github"}"#,
    );
    assert_eq!(kinds(&r), [Kind::Security], "{r:?}");
    assert!(r.violations[0].message.contains("`bearerAuth`"), "{r:?}");
    let r = v.check_request(
        "POST",
        RECONNECT,
        &auth,
        JSON,
        br#"{"integration_id":"bad key!","foo":1}"#,
    );
    let paths: Vec<&str> = r
        .violations
        .iter()
        .map(|v| v.instance_path.as_str())
        .collect();
    assert!(paths.contains(&""), "{r:?}"); // required connection_id + unknown key
    assert!(paths.contains(&"/integration_id"), "{r:?}"); // pattern
    let r = v.check_request(
        "GET",
        "/connections/c?force_refresh=maybe",
        &auth,
        None,
        b"",
    );
    assert_eq!(kinds(&r), [Kind::Parameter, Kind::Parameter], "{r:?}");
    assert!(
        r.violations
            .iter()
            .any(|v| v.message.contains("provider_config_key"))
    );
    assert!(
        r.violations
            .iter()
            .any(|v| v.instance_path == "query:force_refresh")
    );
    let r = v.check_request("POST", RECONNECT, &auth, None, b"");
    assert_eq!(kinds(&r), [Kind::MissingBody]);
    let r = v.check_request(
        "GET",
        "/connections/c?provider_config_key=github&debug=1",
        &auth,
        None,
        b"",
    );
    assert_eq!(kinds(&r), [Kind::Parameter], "{r:?}");
    assert!(
        r.violations[0]
            .message
            .contains("Unrecognized key: \"debug\""),
        "{r:?}"
    );
}

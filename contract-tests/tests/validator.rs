//! The validator catches drift, and points at the exact place: instance path, failing
//! keyword, and where that keyword is written (spec or overlay).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use contract_tests::{ContractValidator, Kind, Report};
use std::path::Path;

mod common;

fn validator() -> ContractValidator {
    common::nango_validator()
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
        503,
        JSON,
        br#"{"error":{"code":"server_error"}}"#,
    );
    assert_eq!(kinds(&r), [Kind::UndocumentedStatus]);
    assert!(
        r.violations[0]
            .message
            .contains("201, 400, 401, 403, 415, 500"),
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
    assert_eq!(kinds(&r), [Kind::UndeclaredParameter], "{r:?}");
    assert!(
        r.violations[0]
            .message
            .contains("Unrecognized key: \"debug\""),
        "{r:?}"
    );
}

fn users(strict: bool) -> ContractValidator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/users.yaml");
    let loaded = codegen::check(codegen::Input::read(&path, "users.yaml").unwrap(), vec![]);
    if strict {
        ContractValidator::strict(loaded).unwrap()
    } else {
        ContractValidator::new(loaded).unwrap()
    }
}

/// OpenAPI's rule: a required `readOnly` property is required in responses only, a required
/// `writeOnly` one in requests only. Strict reading (JSON Schema as written) stays available.
#[test]
fn read_only_and_write_only_properties_are_required_one_way() {
    let v = users(false);
    let key = [("X-API-Key".to_owned(), "k".to_owned())];
    let create =
        |v: &ContractValidator, body: &[u8]| v.check_request("POST", "/users", &key, JSON, body);
    assert!(create(&v, br#"{"name":"a","password":"p4ssw0rd!"}"#).is_valid());
    let r = create(&v, br#"{"name":"a"}"#);
    assert_eq!(kinds(&r), [Kind::Schema], "{r:?}");
    assert!(r.violations[0].message.contains("password"), "{r:?}");
    let me =
        |v: &ContractValidator, body: &[u8]| v.check_response("GET", "/users/me", 200, JSON, body);
    assert!(me(&v, br#"{"id":"u1","name":"a"}"#).is_valid());
    let r = me(&v, br#"{"name":"a"}"#);
    assert_eq!(kinds(&r), [Kind::Schema], "{r:?}");
    assert!(r.violations[0].message.contains("\"id\""), "{r:?}");
    let strict = users(true);
    assert!(!create(&strict, br#"{"name":"a","password":"p4ssw0rd!"}"#).is_valid());
    assert!(!me(&strict, br#"{"id":"u1","name":"a"}"#).is_valid());
}

/// Security alternatives: any one of them, each set whole; `{}` makes credentials optional;
/// keys travel in headers and cookies.
#[test]
fn security_alternatives_are_checked_as_sets() {
    let v = users(false);
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let body = br#"{"name":"a","password":"p4ssw0rd!"}"#;
    let patch =
        |headers: &[(String, String)]| v.check_request("PATCH", "/users/u7", headers, JSON, body);
    // {apiKey, session}: both needed.
    assert_eq!(kinds(&patch(&h(&[("X-API-Key", "k")]))), [Kind::Security]);
    assert!(
        patch(&h(&[
            ("X-API-Key", "k"),
            ("Cookie", "theme=dark; session=s1")
        ]))
        .is_valid()
    );
    // The path parameter's pattern still holds.
    let r = v.check_request(
        "PATCH",
        "/users/7",
        &h(&[("X-API-Key", "k"), ("Cookie", "session=s1")]),
        JSON,
        body,
    );
    assert_eq!(kinds(&r), [Kind::Parameter], "{r:?}");
    assert_eq!(r.violations[0].instance_path, "path:id");
    // bearer or basic or nothing at all.
    assert!(
        v.check_request("GET", "/users/me", &[], None, b"")
            .is_valid()
    );
    assert!(
        v.check_request(
            "GET",
            "/users/me",
            &h(&[("Authorization", "Basic dTpw")]),
            None,
            b""
        )
        .is_valid()
    );
    // The document-level default applies where the operation says nothing: bearer or apiKey.
    let create = br#"{"name":"a","password":"p4ssw0rd!"}"#;
    assert_eq!(
        kinds(&v.check_request("POST", "/users", &[], JSON, create)),
        [Kind::Security]
    );
    assert!(
        v.check_request(
            "POST",
            "/users",
            &h(&[("Authorization", "Bearer t")]),
            JSON,
            create
        )
        .is_valid()
    );
}

/// A page of items whose response is large enough to be read streamed.
fn pages() -> ContractValidator {
    let spec = r##"
openapi: 3.1.0
info: {title: pages, version: "1"}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [items, total]
                additionalProperties: false
                properties:
                  total: {type: integer}
                  items: {$ref: "#/components/schemas/Items"}
                  groups:
                    type: array
                    items: {type: array, items: {type: integer, minimum: 0}}
                  tagged:
                    allOf: [{type: array, items: {type: string}}]
components:
  schemas:
    Items:
      type: array
      minItems: 1
      maxItems: 50000
      items: {$ref: "#/components/schemas/Item"}
    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, minimum: 1}
        name: {type: string, maxLength: 20}
"##;
    let loaded = codegen::check(codegen::Input::new("pages.yaml", spec), vec![]);
    ContractValidator::new(loaded).unwrap()
}

/// The (instance path, keyword) of each violation, sorted.
fn located(r: &Report) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = r
        .violations
        .iter()
        .map(|v| (v.instance_path.clone(), v.keyword.clone()))
        .collect();
    out.sort();
    out
}

/// What raw `jsonschema` reports for the whole value: (instance path, keyword pointer).
fn every_error(
    v: &ContractValidator,
    schema: &str,
    body: &serde_json::Value,
) -> Vec<(String, String)> {
    use openapi_runtime::check::schemas::{Direction, Reading, Schemas};
    let schemas = Schemas::new(v.schema_document(), Reading::Directional).unwrap();
    let validator = schemas.compile(Direction::Response, schema).unwrap();
    let mut out: Vec<(String, String)> = validator
        .iter_errors(body)
        .map(|e| {
            let keyword = openapi_runtime::check::schemas::keyword_pointer(&e).unwrap();
            (e.instance_path().to_string(), keyword)
        })
        .collect();
    out.sort();
    out
}

/// A body over the streaming threshold is judged exactly as raw `jsonschema` judges the
/// whole value:
/// errors inside streamed arrays, their counts, and everything outside them.
#[test]
fn a_large_body_read_streamed_is_judged_as_read_whole() {
    let v = pages();
    let schema = "#/paths/~1items/get/responses/200/content/application~1json/schema";
    let item = |i: usize| serde_json::json!({"id": i + 1, "name": format!("item {i}")});
    let mut items: Vec<serde_json::Value> = (0..45_000).map(item).collect();
    items[7] = serde_json::json!({"id": 0, "name": "x"});
    items[9_000] = serde_json::json!({"name": "a name longer than twenty characters"});
    items[44_999] = serde_json::json!("not an object");
    let bodies = [
        serde_json::json!({"total": 1, "items": items.clone()}),
        serde_json::json!({"total": "1", "items": items.clone(), "extra": true,
            "groups": [[1, -1], [2]], "tagged": [1]}),
        serde_json::json!({"items": items.iter().cycle().take(50_001).collect::<Vec<_>>()}),
        serde_json::json!({"total": 0, "items": [], "pad": "x".repeat(2_000_000)}),
    ];
    for body in bodies {
        let text = serde_json::to_vec(&body).unwrap();
        assert!(text.len() > contract_tests::validator::STREAM_ABOVE);
        let streamed = v.check_response("get", "/items", 200, JSON, &text);
        assert!(!streamed.violations.is_empty());
        assert_eq!(located(&streamed), every_error(&v, schema, &body));
    }
    // The arrays above were streamed: those reached through properties and $ref, not the
    // one under allOf.
    let body =
        serde_json::json!({"total": 1, "items": [item(0)], "groups": [[1]], "tagged": ["a"]});
    let doc = v.schema_document();
    let read = contract_tests::large_body::read(
        &serde_json::to_vec(&body).unwrap(),
        &doc,
        schema,
        &mut |_: &str, _: &serde_json::Value, _: &[String]| Vec::new(),
    )
    .unwrap();
    let paths: Vec<&[String]> = read.streamed.iter().map(|(p, _)| p.as_slice()).collect();
    assert_eq!(paths, [["items".to_owned()], ["groups".to_owned()]]);
    assert_eq!(read.shell["tagged"], serde_json::json!(["a"]));
    let valid: Vec<serde_json::Value> = (0..45_000).map(item).collect();
    let text = serde_json::to_vec(&serde_json::json!({"total": 1, "items": valid})).unwrap();
    assert!(
        v.check_response("get", "/items", 200, JSON, &text)
            .is_valid()
    );
    let mut broken = text.clone();
    broken.truncate(text.len() - 2);
    assert_eq!(
        kinds(&v.check_response("get", "/items", 200, JSON, &broken)),
        vec![Kind::NotJson]
    );
}

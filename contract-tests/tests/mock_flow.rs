//! The embedded mock over real HTTP on loopback, driven by the generated client: the seed
//! guide's re-authorization flow end to end, Nango's exact error codes, and concurrency.
//! Every exchange is also checked against the spec by the contract validator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // helpers outside #[test] fns

use contract_tests::ContractValidator;
use contract_tests::mock::{self, server::Mock, state};
use generated::client::{Client, ReqwestClient};
use generated::operations::{
    CreateReconnectSessionResponse, GetConnectionParams, GetConnectionResponse,
};
use generated::types::ConnectSessionReconnectInput;

mod common;

fn validator() -> ContractValidator {
    common::nango_validator()
}

async fn running() -> mock::Running {
    mock::start(
        Mock::new(state::State::seeded(state::DEV_SECRET_KEY), None),
        "127.0.0.1:0",
    )
    .await
    .unwrap()
}

fn client(base: &str, key: &str) -> ReqwestClient {
    ReqwestClient::builder(base)
        .bearer_token(key)
        .build()
        .unwrap()
}

fn get_params(id: &str) -> GetConnectionParams {
    GetConnectionParams::new(id, "github")
        .with_force_refresh(false)
        .with_refresh_token(false)
        .with_refresh_github_app_jwt_token(false)
}

fn reconnect(id: &str) -> ConnectSessionReconnectInput {
    ConnectSessionReconnectInput::new(id, "github")
}

/// A raw exchange, checked against the spec on the way.
async fn raw(
    v: &ContractValidator,
    base: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let http = reqwest::Client::new();
    let mut req = http.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{path}"),
    );
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp.bytes().await.unwrap();
    if !path.starts_with("/_mock") {
        let report = v.check_response(method, path, status, ct.as_deref(), &bytes);
        assert!(
            report.is_valid(),
            "{method} {path} → {status} breaks the spec: {report:?}"
        );
    }
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn seed_guide_reconnect_flow_end_to_end() {
    let m = running().await;
    let v = validator();
    let nango = client(&m.base_url, state::DEV_SECRET_KEY);

    // 1. The connection is valid: normal settings.
    let GetConnectionResponse::Ok(before) = nango
        .get_connection(&get_params("conn-session-1"))
        .await
        .unwrap()
        .into_inner()
    else {
        panic!()
    };
    assert_eq!(before.metadata["team"], "core");
    assert_eq!(before.tags["env"], "prod");

    // 2. The provider revokes the credentials.
    let (status, _) = raw(
        &v,
        &m.base_url,
        "POST",
        "/_mock/connections/conn-session-1/expire?provider_config_key=github",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);

    // 3. GET connection answers 4xx: the UI shows the reconnect button.
    let broken = nango
        .get_connection(&get_params("conn-session-1"))
        .await
        .unwrap();
    assert!((400..500).contains(&broken.status()), "{broken:?}");
    assert!(matches!(
        *broken,
        GetConnectionResponse::FailedDependency(_)
    ));

    // 4. The backend creates a reconnect session and hands the token to the frontend.
    let CreateReconnectSessionResponse::Created(session) = nango
        .create_reconnect_session(&reconnect("conn-session-1"))
        .await
        .unwrap()
        .into_inner()
    else {
        panic!()
    };
    let token = session.data.token.clone();
    assert!(token.starts_with("nango_connect_session_") && token.len() == 22 + 64);
    assert!(
        session
            .data
            .connect_link
            .as_deref()
            .unwrap()
            .ends_with(&format!("/?session_token={token}"))
    );

    // 5. The end user completes the Connect UI; the connection is restored, data intact.
    let (status, restored) = raw(
        &v,
        &m.base_url,
        "POST",
        "/_mock/connect/complete",
        None,
        Some(&format!(r#"{{"token":"{token}"}}"#)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(restored["connection_id"], "conn-session-1");
    let GetConnectionResponse::Ok(after) = nango
        .get_connection(&get_params("conn-session-1"))
        .await
        .unwrap()
        .into_inner()
    else {
        panic!()
    };
    assert_eq!(
        (after.id, &after.connection_id, &after.metadata, &after.tags),
        (
            before.id,
            &before.connection_id,
            &before.metadata,
            &before.tags
        )
    );
    assert_eq!(after.created_at, before.created_at);
    assert_ne!(
        after.credentials, before.credentials,
        "credentials are refreshed"
    );

    // A session token works once.
    let (status, body) = raw(
        &v,
        &m.base_url,
        "POST",
        "/_mock/connect/complete",
        None,
        Some(&format!(r#"{{"token":"{token}"}}"#)),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unknown_connect_session_token"))
    );
}

#[tokio::test]
async fn the_contract_suite_passes_against_the_mock_with_nango_codes() {
    let m = running().await;
    let v = validator();
    let target = seeded_target(&m.base_url);
    let rows = contract_tests::suite::run(&v, &target).await;
    let table = contract_tests::report::table(&rows);
    let totals = contract_tests::report::totals(&rows);
    assert_eq!((totals.failed, totals.skipped), (0, 0), "{table}");
    assert_eq!(totals.passed, 30, "{table}");
    // Messages Nango documents, beyond the codes the suite checks.
    let (_, unknown) = raw(
        &v,
        &m.base_url,
        "POST",
        "/connect/sessions/reconnect",
        key_of(),
        Some(r#"{"connection_id":"conn-session-1","integration_id":"slack"}"#),
    )
    .await;
    assert_eq!(
        unknown["error"]["message"],
        "ConnectionID or IntegrationId does not exists"
    );
    let (_, forbidden) = raw(
        &v,
        &m.base_url,
        "POST",
        "/connect/sessions/reconnect",
        Some(state::READ_ONLY_KEY),
        Some(r#"{"connection_id":"conn-session-1","integration_id":"github"}"#),
    )
    .await;
    assert_eq!(
        forbidden["error"]["message"],
        "Insufficient scope. Required: environment:connect_sessions:write"
    );
}

#[tokio::test]
async fn the_suite_fails_when_the_server_drifts() {
    // A target that answers with a different key set: wrong keys make every success scenario
    // fail its expectation, proving the suite can fail.
    let m = running().await;
    let v = validator();
    let target = contract_tests::suite::Target {
        base_url: m.base_url.clone(),
        secret_key: "11111111-1111-4111-8111-111111111111".into(),
        read_only_key: None,
        integration: "github".into(),
        session_connection: Some("conn-session-1".into()),
        legacy_connection: None,
        destructive: false,
    };
    let rows = contract_tests::suite::run(&v, &target).await;
    let totals = contract_tests::report::totals(&rows);
    assert!(
        totals.failed >= 10,
        "{}",
        contract_tests::report::table(&rows)
    );
    assert!(totals.skipped >= 3);
}

/// The suite's target for a mock with the seeded environment.
fn seeded_target(base_url: &str) -> contract_tests::suite::Target {
    contract_tests::suite::Target {
        base_url: base_url.to_owned(),
        secret_key: state::DEV_SECRET_KEY.into(),
        read_only_key: Some(state::READ_ONLY_KEY.into()),
        integration: "github".into(),
        session_connection: Some("conn-session-1".into()),
        legacy_connection: Some("conn-legacy-1".into()),
        destructive: true,
    }
}

fn key_of() -> Option<&'static str> {
    Some(state::DEV_SECRET_KEY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_reconnects_all_succeed_with_distinct_tokens() {
    let m = running().await;
    let nango = client(&m.base_url, state::DEV_SECRET_KEY);
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let nango = nango.clone();
            tokio::spawn(async move {
                nango
                    .create_reconnect_session(&reconnect("conn-session-1"))
                    .await
            })
        })
        .collect();
    let mut tokens = std::collections::BTreeSet::new();
    for t in tasks {
        match t.await.unwrap().unwrap().into_inner() {
            CreateReconnectSessionResponse::Created(s) => {
                tokens.insert(s.data.token);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(tokens.len(), 1000);
}

#[tokio::test]
async fn faithful_mode_is_caught_as_drift() {
    let m = mock::start_with(
        Mock::new(state::State::seeded(state::DEV_SECRET_KEY), None),
        "127.0.0.1:0",
        true,
    )
    .await
    .unwrap();
    let v = validator();
    let target = seeded_target(&m.base_url);
    let rows = contract_tests::suite::run(&v, &target).await;
    let failed: Vec<(&str, String)> = rows
        .iter()
        .filter(|r| r.verdict == contract_tests::report::Verdict::Fail)
        .map(|r| (r.scenario.as_str(), r.violations[0].to_string()))
        .collect();
    let payload = failed
        .iter()
        .filter(|(_, v)| v.contains("'payload' was unexpected"))
        .count();
    assert_eq!(payload, 7, "{failed:#?}");
    assert!(
        failed.iter().any(
            |(s, v)| *s == "delete: 404 unknown connection" && v.contains("unknown_connection")
        ),
        "{failed:#?}"
    );
    assert_eq!(failed.len(), 8, "{failed:#?}");
}

/// (name, method, body, content type, expected status, expected `error.code`)
type Hostile = (
    &'static str,
    reqwest::Method,
    Vec<u8>,
    &'static str,
    u16,
    &'static str,
);

#[tokio::test]
async fn hostile_inputs_get_documented_4xx_never_5xx() {
    let m = running().await;
    let http = reqwest::Client::new();
    let url = format!("{}/connect/sessions/reconnect", m.base_url);
    let auth = format!("Bearer {}", state::DEV_SECRET_KEY);
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let big = format!(
        r#"{{"connection_id":"{}","integration_id":"github"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let cases: Vec<Hostile> = vec![
        (
            "oversize body",
            reqwest::Method::POST,
            big.into_bytes(),
            "application/json",
            413,
            "payload_too_large",
        ),
        (
            "invalid UTF-8",
            reqwest::Method::POST,
            vec![b'{', 0xff, 0xfe, b'}'],
            "application/json",
            400,
            "invalid_json",
        ),
        (
            "deeply nested JSON",
            reqwest::Method::POST,
            deep.into_bytes(),
            "application/json",
            400,
            "invalid_json",
        ),
        (
            "JSON primitive",
            reqwest::Method::POST,
            b"42".to_vec(),
            "application/json",
            400,
            "invalid_body",
        ),
        (
            "empty body",
            reqwest::Method::POST,
            Vec::new(),
            "application/json",
            400,
            "invalid_body",
        ),
        (
            "wrong method",
            reqwest::Method::PUT,
            b"{}".to_vec(),
            "application/json",
            405,
            "method_not_allowed",
        ),
        (
            "form body",
            reqwest::Method::POST,
            b"a=1".to_vec(),
            "application/x-www-form-urlencoded",
            415,
            "invalid_content_type",
        ),
    ];
    for (name, method, body, ct, status, code) in cases {
        let resp = http
            .request(method, &url)
            .header("authorization", &auth)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let got = resp.status().as_u16();
        let allow = resp
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        let v: serde_json::Value = resp.json().await.unwrap_or_default();
        assert_eq!(
            (got, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{name}: {v}"
        );
        if status == 405 {
            assert_eq!(allow.as_deref(), Some("POST"), "{name}");
        }
    }
}

/// The mock over the state database at `file`, once the previous one (dropped just
/// before, its connections closing) has let go of it.
async fn reopen(file: &std::path::Path, key: &str) -> Mock {
    for _ in 0..100 {
        match Mock::open(file, key) {
            Ok(m) => return m,
            Err(e) if e.contains("in use") => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("{} stayed locked", file.display());
}

#[tokio::test]
async fn state_survives_a_restart_and_bad_files_are_refused() {
    let dir = std::env::temp_dir().join(format!("mock-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.db");
    let first = mock::start(reopen(&file, state::DEV_SECRET_KEY).await, "127.0.0.1:0")
        .await
        .unwrap();
    let nango = client(&first.base_url, state::DEV_SECRET_KEY);
    let CreateReconnectSessionResponse::Created(session) = nango
        .create_reconnect_session(&reconnect("conn-session-1"))
        .await
        .unwrap()
        .into_inner()
    else {
        panic!()
    };
    // While it runs, a second mock on the same file is refused.
    let e = Mock::open(&file, state::DEV_SECRET_KEY).unwrap_err();
    assert!(e.contains("in use by another mock"), "{e}");
    drop(nango);
    drop(first);
    let restored = reopen(&file, state::DEV_SECRET_KEY).await;
    assert!(restored.lock().sessions.contains_key(&session.data.token));
    let second = mock::start(restored, "127.0.0.1:0").await.unwrap();
    let http = reqwest::Client::new();
    let done = http
        .post(format!("{}/_mock/connect/complete", second.base_url))
        .json(&serde_json::json!({"token": session.data.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        200,
        "a session from before the restart still completes"
    );
    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, b"{ not a state").unwrap();
    assert!(Mock::open(&garbage, state::DEV_SECRET_KEY).is_err());
    assert_eq!(std::fs::read(&garbage).unwrap(), b"{ not a state");
    drop(http);
    drop(second);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A connect session (create kind) completed for `connection_id`, over plain HTTP.
async fn connect(base: &str, key: &str, connection_id: &str) -> serde_json::Value {
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{base}/connect/sessions"))
        .bearer_auth(key)
        .json(&serde_json::json!({"allowed_integrations": ["github"], "tags": {"k": "v"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["data"]["token"].as_str().unwrap().to_owned();
    http.post(format!("{base}/_mock/connect/complete"))
        .json(&serde_json::json!({"token": token, "connection_id": connection_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_second_connect_for_the_same_pair_reauthorizes_and_keeps_the_data() {
    let mock = running().await;
    let first = connect(&mock.base_url, state::DEV_SECRET_KEY, "acme").await;
    let second = connect(&mock.base_url, state::DEV_SECRET_KEY, "acme").await;
    assert_eq!(first["id"], second["id"], "one connection, not two");
    assert_eq!(second["tags"], serde_json::json!({"k": "v"}));
    assert_ne!(
        first["credentials"]["access_token"],
        second["credentials"]["access_token"]
    );
    let count = |s: &state::State| {
        s.connections
            .iter()
            .filter(|c| c.connection_id == "acme")
            .count()
    };
    assert_eq!(count(&mock.mock.lock()), 1);
    // One DELETE removes it; a second finds nothing.
    let http = reqwest::Client::new();
    let delete = |expected: u16| {
        let http = http.clone();
        let url = format!(
            "{}/connections/acme?provider_config_key=github",
            mock.base_url
        );
        async move {
            let r = http
                .delete(url)
                .bearer_auth(state::DEV_SECRET_KEY)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), expected);
        }
    };
    delete(200).await;
    delete(404).await;
}

#[tokio::test]
async fn a_failed_save_is_a_500_and_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("mock-unwritable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let served = reopen(&dir.join("state.db"), state::DEV_SECRET_KEY).await;
    // Every write fails from now on.
    served
        .store
        .as_ref()
        .unwrap()
        .set_read_only(true)
        .await
        .unwrap();
    let mock = mock::start(served, "127.0.0.1:0").await.unwrap();
    let http = reqwest::Client::new();
    let r = http
        .delete(format!(
            "{}/connections/conn-session-1?provider_config_key=github",
            mock.base_url
        ))
        .bearer_auth(state::DEV_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "server_error");
    assert!(
        !body.to_string().contains(dir.to_str().unwrap()),
        "no file paths in answers: {body}"
    );
    let nango = client(&mock.base_url, state::DEV_SECRET_KEY);
    assert!(matches!(
        nango
            .get_connection(&get_params("conn-session-1"))
            .await
            .unwrap()
            .into_inner(),
        GetConnectionResponse::Ok(_)
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_restart_with_a_new_key_rotates_it() {
    let dir = std::env::temp_dir().join(format!("mock-rotate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.db");
    let old_key = state::DEV_SECRET_KEY;
    let new_key = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    let first = mock::start(reopen(&file, old_key).await, "127.0.0.1:0")
        .await
        .unwrap();
    connect(&first.base_url, old_key, "kept").await;
    drop(first);
    let second = mock::start(reopen(&file, new_key).await, "127.0.0.1:0")
        .await
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !bytes
            .windows(old_key.len())
            .any(|w| w == old_key.as_bytes()),
        "no key in the state file"
    );
    let status = |key: &'static str| {
        let url = format!(
            "{}/connections/kept?provider_config_key=github",
            second.base_url
        );
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        status(new_key).await,
        200,
        "the data survived, under the new key"
    );
    assert_eq!(status(old_key).await, 401, "the old key no longer works");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Duplicate JSON keys: the last one wins, as in Nango's server (`JSON.parse`), so the
/// mock answers what Nango would. Decided and kept so: rejecting them would refuse bodies
/// Nango accepts.
#[tokio::test]
async fn duplicate_json_keys_are_read_last_one_wins_as_nango_does() {
    let mock = running().await;
    let http = reqwest::Client::new();
    let send = |body: &'static str| {
        let http = http.clone();
        let url = format!("{}/connect/sessions/reconnect", mock.base_url);
        async move {
            http.post(url)
                .bearer_auth(state::DEV_SECRET_KEY)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        send(
            r#"{"connection_id":"nope","connection_id":"conn-session-1","integration_id":"github"}"#
        )
        .await,
        201
    );
    assert_eq!(
        send(
            r#"{"connection_id":"conn-session-1","connection_id":"nope","integration_id":"github"}"#
        )
        .await,
        400
    );
}

#[tokio::test]
async fn control_endpoints_answer_oversized_bodies_in_json() {
    let mock = running().await;
    let r = reqwest::Client::new()
        .post(format!("{}/_mock/connect/complete", mock.base_url))
        .header("content-type", "application/json")
        .body(vec![b' '; 100_000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
}

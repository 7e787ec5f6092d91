//! The contract suite: scenarios for every operation of the effective spec (the success
//! path, each documented 400, each 401, 403, 404, and the router's 415), run against a base
//! URL. Every response goes through the validator; a scenario also fails when the status or
//! `error.code` differs from what Nango documents.

use crate::report::{Excerpt, Row, Shown, Verdict};
use crate::validator::{ContractValidator, Kind, Violation};

/// Where to run and with which data.
#[derive(Clone, Debug)]
pub struct Target {
    /// Base URL, e.g. `http://127.0.0.1:3003`.
    pub base_url: String,
    /// A secret key with every scope.
    pub secret_key: String,
    /// A key with only `environment:connections:read`, when the target has one.
    pub read_only_key: Option<String>,
    /// The integration of the seeded connections (`github` on the mock).
    pub integration: String,
    /// A connection created through a connect session.
    pub session_connection: Option<String>,
    /// A connection created without one (reconnect must refuse it).
    pub legacy_connection: Option<String>,
    /// Whether destructive scenarios (deleting a connection) may run: only on the mock.
    pub destructive: bool,
}

/// Which key a scenario sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Valid,
    ReadOnly,
    Missing,
    Raw(&'static str),
}

/// Data a scenario needs from the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    Nothing,
    SessionConnection,
    LegacyConnection,
    ReadOnlyKey,
    Destructive,
}

struct Scenario {
    /// A request sent first (e.g. a mock control endpoint), whose answer is not judged.
    setup: Option<String>,
    name: &'static str,
    method: &'static str,
    path: String,
    key: Key,
    content_type: Option<&'static str>,
    body: Option<String>,
    status: u16,
    code: Option<&'static str>,
    needs: Needs,
}

fn scenarios(t: &Target) -> Vec<Scenario> {
    let session = t.session_connection.clone().unwrap_or_default();
    let legacy = t.legacy_connection.clone().unwrap_or_default();
    let i = &t.integration;
    let reconnect = |c: &str| format!(r#"{{"connection_id":"{c}","integration_id":"{i}"}}"#);
    let json = Some("application/json");
    let s = |name, method, path: String, key, body: Option<String>, status, code, needs| Scenario {
        setup: None,
        name,
        method,
        path,
        key,
        content_type: if body.is_some() { json } else { None },
        body,
        status,
        code,
        needs,
    };
    use Key::*;
    use Needs::*;
    let rc = "/connect/sessions/reconnect".to_owned();
    let cs = "/connect/sessions".to_owned();
    let get = |c: &str, q: &str| format!("/connections/{c}?provider_config_key={q}");
    vec![
        s(
            "reconnect: 201 session",
            "POST",
            rc.clone(),
            Valid,
            Some(reconnect(&session)),
            201,
            None,
            SessionConnection,
        ),
        s(
            "reconnect: 400 missing fields",
            "POST",
            rc.clone(),
            Valid,
            Some("{}".into()),
            400,
            Some("invalid_body"),
            Nothing,
        ),
        s(
            "reconnect: 400 wrong types",
            "POST",
            rc.clone(),
            Valid,
            Some(r#"{"connection_id":1,"integration_id":true}"#.into()),
            400,
            Some("invalid_body"),
            Nothing,
        ),
        s(
            "reconnect: 400 unknown key",
            "POST",
            rc.clone(),
            Valid,
            Some(format!(
                r#"{{"connection_id":"{session}","integration_id":"{i}","foo":1}}"#
            )),
            400,
            Some("invalid_body"),
            Nothing,
        ),
        s(
            "reconnect: 400 unknown connection",
            "POST",
            rc.clone(),
            Valid,
            Some(reconnect("contract-no-such-connection")),
            400,
            Some("invalid_body"),
            Nothing,
        ),
        s(
            "reconnect: 400 legacy connection",
            "POST",
            rc.clone(),
            Valid,
            Some(reconnect(&legacy)),
            400,
            Some("invalid_body"),
            LegacyConnection,
        ),
        s(
            "reconnect: 400 malformed JSON",
            "POST",
            rc.clone(),
            Valid,
            Some(r#"{"connection_id":"#.into()),
            400,
            Some("invalid_json"),
            Nothing,
        ),
        s(
            "reconnect: 400 query parameter",
            "POST",
            format!("{rc}?debug=1"),
            Valid,
            Some(reconnect(&session)),
            400,
            Some("invalid_query_params"),
            Nothing,
        ),
        s(
            "reconnect: 401 no header",
            "POST",
            rc.clone(),
            Missing,
            Some(reconnect(&session)),
            401,
            Some("missing_auth_header"),
            Nothing,
        ),
        s(
            "reconnect: 401 malformed",
            "POST",
            rc.clone(),
            Raw(""),
            Some(reconnect(&session)),
            401,
            Some("malformed_auth_header"),
            Nothing,
        ),
        s(
            "reconnect: 401 not a UUID v4",
            "POST",
            rc.clone(),
            Raw("secret"),
            Some(reconnect(&session)),
            401,
            Some("invalid_secret_key_format"),
            Nothing,
        ),
        s(
            "reconnect: 401 wrong key",
            "POST",
            rc.clone(),
            Raw("00000000-0000-4000-8000-000000000000"),
            Some(reconnect(&session)),
            401,
            Some("unknown_account"),
            Nothing,
        ),
        s(
            "reconnect: 403 read-only key",
            "POST",
            rc.clone(),
            ReadOnly,
            Some(reconnect(&session)),
            403,
            Some("forbidden"),
            ReadOnlyKey,
        ),
        Scenario {
            content_type: Some("text/plain"),
            ..s(
                "reconnect: 415 text body",
                "POST",
                rc.clone(),
                Valid,
                Some(reconnect(&session)),
                415,
                Some("invalid_content_type"),
                Nothing,
            )
        },
        s(
            "create: 201 with tags",
            "POST",
            cs.clone(),
            Valid,
            Some(format!(
                r#"{{"tags":{{"env":"test"}},"allowed_integrations":["{i}"]}}"#
            )),
            201,
            None,
            Nothing,
        ),
        s(
            "create: 201 with end_user",
            "POST",
            cs.clone(),
            Valid,
            Some(r#"{"end_user":{"id":"u1","email":"u1@example.com"}}"#.into()),
            201,
            None,
            Nothing,
        ),
        s(
            "create: 400 neither end_user nor tags",
            "POST",
            cs.clone(),
            Valid,
            Some("{}".into()),
            400,
            Some("invalid_body"),
            Nothing,
        ),
        s(
            "create: 400 unknown integration",
            "POST",
            cs.clone(),
            Valid,
            Some(r#"{"tags":{},"allowed_integrations":["contract-no-such-integration"]}"#.into()),
            400,
            Some("invalid_body"),
            Nothing,
        ),
        s(
            "create: 401 no header",
            "POST",
            cs.clone(),
            Missing,
            Some(r#"{"tags":{}}"#.into()),
            401,
            Some("missing_auth_header"),
            Nothing,
        ),
        s(
            "create: 403 read-only key",
            "POST",
            cs,
            ReadOnly,
            Some(r#"{"tags":{}}"#.into()),
            403,
            Some("forbidden"),
            ReadOnlyKey,
        ),
        s(
            "get: 200 connection",
            "GET",
            format!(
                "{}&force_refresh=false&refresh_token=false&refresh_github_app_jwt_token=false",
                get(&session, i)
            ),
            Valid,
            None,
            200,
            None,
            SessionConnection,
        ),
        s(
            "get: 400 unknown integration",
            "GET",
            get(&session, "contract-no-such-integration"),
            Valid,
            None,
            400,
            Some("unknown_provider_config"),
            SessionConnection,
        ),
        s(
            "get: 400 missing provider_config_key",
            "GET",
            format!("/connections/{session}"),
            Valid,
            None,
            400,
            Some("invalid_query_params"),
            SessionConnection,
        ),
        s(
            "get: 400 bad boolean",
            "GET",
            format!("{}&force_refresh=maybe", get(&session, i)),
            Valid,
            None,
            400,
            Some("invalid_query_params"),
            SessionConnection,
        ),
        s(
            "get: 401 no header",
            "GET",
            get(&session, i),
            Missing,
            None,
            401,
            Some("missing_auth_header"),
            Nothing,
        ),
        s(
            "get: 404 unknown connection",
            "GET",
            get("contract-no-such-connection", i),
            Valid,
            None,
            404,
            Some("not_found"),
            Nothing,
        ),
        s(
            "delete: 401 no header",
            "DELETE",
            get("contract-no-such-connection", i),
            Missing,
            None,
            401,
            Some("missing_auth_header"),
            Nothing,
        ),
        s(
            "delete: 404 unknown connection",
            "DELETE",
            get("contract-no-such-connection", i),
            Valid,
            None,
            404,
            Some("not_found"),
            Nothing,
        ),
        Scenario {
            setup: Some(format!(
                "/_mock/connections/{session}/expire?provider_config_key={i}"
            )),
            ..s(
                "get: 424 expired credentials",
                "GET",
                get(&session, i),
                Valid,
                None,
                424,
                Some("invalid_credentials"),
                Destructive,
            )
        },
        s(
            "delete: 200 legacy connection",
            "DELETE",
            get(&legacy, i),
            Valid,
            None,
            200,
            None,
            Destructive,
        ),
    ]
}

fn skip_reason(t: &Target, needs: Needs) -> Option<String> {
    match needs {
        Needs::Nothing => None,
        Needs::SessionConnection if t.session_connection.is_none() => {
            Some("needs a connection created with a connect session (--connection-id / NANGO_CONNECTION_ID)".into())
        }
        Needs::LegacyConnection if t.legacy_connection.is_none() => {
            Some("needs a connection created without a connect session (--legacy-connection-id / NANGO_LEGACY_CONNECTION_ID)".into())
        }
        Needs::ReadOnlyKey if t.read_only_key.is_none() => Some("needs a key without connect_sessions:write (NANGO_READ_ONLY_KEY)".into()),
        Needs::Destructive if !t.destructive || t.legacy_connection.is_none() => Some("deletes a connection: embedded mock only".into()),
        _ => None,
    }
}

fn expectation(message: String) -> Violation {
    Violation {
        kind: Kind::Expectation,
        message,
        instance_path: String::new(),
        keyword: String::new(),
        location: None,
    }
}

/// Runs every scenario against the target, in order; one row each.
pub async fn run(validator: &ContractValidator, target: &Target) -> Vec<Row> {
    let http = reqwest::Client::new();
    let mut rows = Vec::new();
    for sc in scenarios(target) {
        let operation_path = sc.path.split('?').next().unwrap_or("").to_owned();
        if let Some(reason) = skip_reason(target, sc.needs) {
            rows.push(Row::skipped(
                format!("{} {operation_path}", sc.method),
                sc.status,
                sc.name.into(),
                reason,
            ));
            continue;
        }
        if let Some(setup) = &sc.setup {
            let _ = http
                .post(format!("{}{setup}", target.base_url.trim_end_matches('/')))
                .send()
                .await;
        }
        let url = format!("{}{}", target.base_url.trim_end_matches('/'), sc.path);
        let mut req = http.request(
            reqwest::Method::from_bytes(sc.method.as_bytes()).unwrap_or(reqwest::Method::GET),
            &url,
        );
        let key = match sc.key {
            Key::Valid => Some(target.secret_key.as_str()),
            Key::ReadOnly => target.read_only_key.as_deref(),
            Key::Raw(k) => Some(k),
            Key::Missing => None,
        };
        let mut sent = Vec::new();
        if let Some(k) = key {
            sent.push(("authorization".to_owned(), format!("Bearer {k}")));
        }
        if let Some(ct) = sc.content_type {
            sent.push(("content-type".to_owned(), ct.to_owned()));
        }
        for (name, value) in &sent {
            req = req.header(name, value);
        }
        if let Some(b) = &sc.body {
            req = req.body(b.clone());
        }
        let curl = crate::curl::command(
            sc.method,
            &url,
            &sent,
            sc.body.as_deref().map(str::as_bytes).unwrap_or_default(),
            &crate::redact::Redact::new(vec!["authorization".into()], Vec::new()),
        );
        let (status, ct, body) = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let ct = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (
                    status,
                    ct,
                    resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
                )
            }
            Err(e) => {
                rows.push(Row::checked(
                    format!("{} {operation_path}", sc.method),
                    0,
                    sc.name.into(),
                    vec![expectation(format!("request failed: {e}"))],
                ));
                continue;
            }
        };
        let report = validator.check_response(sc.method, &sc.path, status, ct.as_deref(), &body);
        let mut violations = report.violations;
        if status != sc.status {
            violations.insert(
                0,
                expectation(format!("expected status {}, got {status}", sc.status)),
            );
        }
        if let Some(code) = sc.code {
            let got = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
            if got.as_deref() != Some(code) {
                violations.insert(
                    0,
                    expectation(format!("expected error.code `{code}`, got {got:?}")),
                );
            }
        }
        let operation = report.operation.map_or_else(
            || format!("{} {operation_path}", sc.method),
            |o| o.to_string(),
        );
        let mut row = Row::checked(operation, status, sc.name.into(), violations);
        if row.verdict == Verdict::Fail {
            row.exchange = Some(Shown {
                curl,
                response: Excerpt::of(status, ct.as_deref(), &body),
            });
        }
        rows.push(row);
    }
    rows
}

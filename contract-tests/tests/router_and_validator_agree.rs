//! The generated router and the contract validator read one description of each operation
//! and run the same checks, so for any request they must give the same verdict: the router
//! calls the operation exactly when the validator finds the request valid. Requests are
//! generated (valid and invalid: credentials, content types, bodies, path, query) and sent
//! over loopback to the generated Nango router, whose operations all answer 403 (a status
//! the router's own rejections never use), and checked by the validator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

use contract_tests::ContractValidator;
use generated::operations::{
    CreateConnectSessionResponse, CreateReconnectSessionResponse, DeleteConnectionParams,
    DeleteConnectionResponse, GetConnectionParams, GetConnectionResponse,
};
use generated::server::{Credentials, Rejection, Server};
use generated::types::{ConnectSessionInput, ConnectSessionReconnectInput, StdError};
use proptest::prelude::*;

/// Accepts every credential; every operation answers 403, so 403 means "the router let it through".
#[derive(Clone)]
struct Reached;

fn reached() -> StdError {
    serde_json::from_value(serde_json::json!({"error": {"code": "reached"}})).unwrap()
}

impl Server for Reached {
    type Principal = ();

    async fn authenticate(&self, _credentials: Credentials) -> Result<(), Rejection> {
        Ok(())
    }

    async fn create_reconnect_session(
        &self,
        _: (),
        _: ConnectSessionReconnectInput,
    ) -> CreateReconnectSessionResponse {
        CreateReconnectSessionResponse::Forbidden(reached())
    }

    async fn create_connect_session(
        &self,
        _: (),
        _: ConnectSessionInput,
    ) -> CreateConnectSessionResponse {
        CreateConnectSessionResponse::Forbidden(reached())
    }

    async fn get_connection(&self, _: (), _: GetConnectionParams) -> GetConnectionResponse {
        GetConnectionResponse::Forbidden(reached())
    }

    async fn delete_connection(
        &self,
        _: (),
        _: DeleteConnectionParams,
    ) -> DeleteConnectionResponse {
        DeleteConnectionResponse::Forbidden(reached())
    }
}

#[derive(Clone, Debug)]
struct Case {
    method: &'static str,
    path: String,
    auth: Option<&'static str>,
    content_type: Option<&'static str>,
    body: Option<&'static str>,
}

fn case() -> impl Strategy<Value = Case> {
    let target = prop_oneof![
        Just(("POST", "/connect/sessions/reconnect".to_owned())),
        Just(("POST", "/connect/sessions".to_owned())),
        (
            prop_oneof![Just("GET"), Just("DELETE")],
            prop_oneof![Just("c1"), Just("a%20b"), Just("%E2%9C%93"), Just("x.y")],
            prop_oneof![
                Just(""),
                Just("?provider_config_key=github"),
                Just("?provider_config_key=bad%20key!"),
                Just("?provider_config_key=github&force_refresh=true"),
                Just("?provider_config_key=github&force_refresh=maybe"),
                Just("?provider_config_key=github&debug=1"),
                Just("?force_refresh=false"),
            ],
        )
            .prop_map(|(m, id, q)| (m, format!("/connections/{id}{q}"))),
        Just(("PUT", "/connections/c1".to_owned())),
        Just(("GET", "/nowhere".to_owned())),
    ];
    (
        target,
        prop_oneof![
            Just(None),
            Just(Some("Bearer k")),
            Just(Some("Bearer")),
            Just(Some("Basic eHl6"))
        ],
        prop_oneof![
            Just(None),
            Just(Some("application/json")),
            Just(Some("application/json; charset=utf-8")),
            Just(Some("text/plain"))
        ],
        prop_oneof![
            Just(None),
            Just(Some("")),
            Just(Some(r#"{"connection_id":"c","integration_id":"github"}"#)),
            Just(Some(r#"{"connection_id":"c","integration_id":"bad key!"}"#)),
            Just(Some(
                r#"{"connection_id":1,"integration_id":"github","foo":1}"#
            )),
            Just(Some(r#"{"tags":{"env":"test"}}"#)),
            Just(Some(
                r#"{"end_user":{"id":"u1"},"allowed_integrations":["github"]}"#
            )),
            Just(Some("{}")),
            Just(Some("{not json")),
            Just(Some("[1,2]")),
        ],
    )
        .prop_map(|((method, path), auth, content_type, body)| Case {
            method,
            path,
            auth,
            content_type,
            body,
        })
}

mod common;

fn validator() -> ContractValidator {
    common::nango_validator()
}

#[test]
fn the_router_accepts_exactly_what_the_validator_accepts() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base = runtime.block_on(async {
        let app = generated::server::router(Reached).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    });
    let http = reqwest::Client::new();
    let v = validator();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(300);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let seen = [
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ];
    runner
        .run(&case(), |c| {
            let status = runtime.block_on(async {
                let mut r = http.request(
                    reqwest::Method::from_bytes(c.method.as_bytes()).unwrap(),
                    format!("{base}{}", c.path),
                );
                if let Some(a) = c.auth {
                    r = r.header("authorization", a);
                }
                if let Some(ct) = c.content_type {
                    r = r.header("content-type", ct);
                }
                if let Some(b) = c.body {
                    r = r.body(b);
                }
                r.send().await.unwrap().status().as_u16()
            });
            let mut headers = Vec::new();
            if let Some(a) = c.auth {
                headers.push(("Authorization".to_owned(), a.to_owned()));
            }
            let report = v.check_request(
                c.method,
                &c.path,
                &headers,
                c.content_type,
                c.body.unwrap_or("").as_bytes(),
            );
            let router_accepted = status == 403;
            seen[usize::from(router_accepted)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            prop_assert_eq!(
                router_accepted,
                report.is_valid(),
                "router answered {} but the validator says {:?}",
                status,
                report.violations
            );
            Ok(())
        })
        .unwrap();
    // Both verdicts must actually occur, or the test proves nothing.
    let seen = seen.map(std::sync::atomic::AtomicUsize::into_inner);
    assert!(seen[0] > 0 && seen[1] > 0, "rejected/accepted: {seen:?}");
}

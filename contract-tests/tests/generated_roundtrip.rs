//! The generated client and server talk over real HTTP on loopback: typed inputs arrive
//! validated, every documented status decodes into its variant, and the router answers
//! the documented errors itself.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use axum::response::IntoResponse;
use generated::client::{Client, ReqwestClient};
use generated::operations::{
    CreateReconnectSessionResponse, DeleteConnectionParams, DeleteConnectionResponse,
    GetConnectionParams, GetConnectionResponse,
};
use generated::server::{Credentials, Rejection, Server};
use generated::types::{
    ConnectSession, ConnectSessionEnvelope, ConnectSessionReconnectInput, StdError, StdErrorError,
};
use std::sync::{Arc, Mutex};

const KEY: &str = "6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b";

/// A tiny server: one connection, records what it received. Rejections are problem+json
/// (the generated default) unless `std_errors`, which renders them in Nango's `StdError`
/// shape as the spec documents.
#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<String>>>,
    std_errors: bool,
}

fn std_error(code: &str) -> StdError {
    StdError::default().with_error(StdErrorError::new(code))
}

impl Server for Fake {
    type Principal = String;

    fn reject(&self, rejection: Rejection) -> axum::response::Response {
        if !self.std_errors {
            return generated::runtime::server::problem(rejection);
        }
        let body = contract_tests::mock::server::std_error(&rejection);
        (
            axum::http::StatusCode::from_u16(rejection.status).unwrap(),
            axum::Json(body),
        )
            .into_response()
    }

    async fn authenticate(&self, credentials: Credentials) -> Result<String, Rejection> {
        match credentials.bearer() {
            Some(KEY) => Ok("env-dev".into()),
            _ => Err(Rejection::new(
                401,
                "unknown_account",
                "Authentication failed.",
            )),
        }
    }

    async fn create_reconnect_session(
        &self,
        principal: String,
        body: ConnectSessionReconnectInput,
    ) -> CreateReconnectSessionResponse {
        self.seen.lock().unwrap().push(format!(
            "reconnect {principal} {} {}",
            body.connection_id, body.integration_id
        ));
        if body.connection_id != "conn-1" {
            return CreateReconnectSessionResponse::BadRequest(std_error("invalid_body"));
        }
        CreateReconnectSessionResponse::Created(ConnectSessionEnvelope::new(ConnectSession::new(
            format!("nango_connect_session_{}", "a".repeat(64)),
            "2026-11-22T00:30:00.000Z".parse().unwrap(),
        )))
    }

    async fn create_connect_session(
        &self,
        _principal: String,
        _body: generated::types::ConnectSessionInput,
    ) -> generated::operations::CreateConnectSessionResponse {
        generated::operations::CreateConnectSessionResponse::Forbidden(std_error("forbidden"))
    }

    async fn get_connection(
        &self,
        _principal: String,
        params: GetConnectionParams,
    ) -> GetConnectionResponse {
        self.seen.lock().unwrap().push(format!(
            "get {} {} {:?}",
            params.connection_id, params.provider_config_key, params.force_refresh
        ));
        GetConnectionResponse::NotFound(std_error("not_found"))
    }

    async fn delete_connection(
        &self,
        _principal: String,
        _params: DeleteConnectionParams,
    ) -> DeleteConnectionResponse {
        DeleteConnectionResponse::Ok(generated::types::DeleteConnectionResult {
            success: true,
            additional_properties: Default::default(),
        })
    }
}

async fn start(fake: Fake) -> String {
    let app = generated::server::router(fake).expect("router builds from the embedded spec");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn input(connection_id: &str) -> ConnectSessionReconnectInput {
    ConnectSessionReconnectInput::new(connection_id, "github")
}

#[tokio::test]
async fn client_and_server_agree_on_every_documented_status() {
    let fake = Fake {
        std_errors: true,
        ..Fake::default()
    };
    let base = start(fake.clone()).await;
    let client = ReqwestClient::builder(&base)
        .bearer_token(KEY)
        .build()
        .unwrap();

    let created = client
        .create_reconnect_session(&input("conn-1"))
        .await
        .unwrap();
    let CreateReconnectSessionResponse::Created(envelope) = &*created else {
        panic!("{created:?}")
    };
    assert!(envelope.data.token.starts_with("nango_connect_session_"));
    assert_eq!(created.status(), 201);
    // The headers the answer came with are kept beside the typed body.
    assert!(created.headers().contains_key("content-type"));
    let token = created.into_result().unwrap().data.token;
    assert!(token.starts_with("nango_connect_session_"));

    let bad = client
        .create_reconnect_session(&input("nope"))
        .await
        .unwrap();
    assert!(
        matches!(*bad, CreateReconnectSessionResponse::BadRequest(ref e) if e.error.as_ref().unwrap().code == "invalid_body")
    );
    // A documented error status is an `Err` that is a std::error::Error with status and message.
    let error = bad.into_result().unwrap_err();
    assert_eq!(error.status(), 400);
    assert!(
        error
            .to_string()
            .starts_with("the API answered 400 Bad Request"),
        "{error}"
    );
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
    assert!(!boxed.to_string().is_empty());

    let unauthenticated = ReqwestClient::builder(&base)
        .bearer_token("wrong")
        .build()
        .unwrap();
    let denied = unauthenticated
        .create_reconnect_session(&input("conn-1"))
        .await
        .unwrap();
    assert!(
        matches!(*denied, CreateReconnectSessionResponse::Unauthorized(ref e) if e.error.as_ref().unwrap().code == "unknown_account")
    );

    // Path segments are percent-encoded by the client and decoded by the server.
    let params = GetConnectionParams::new("a b/c", "github").with_force_refresh(true);
    let missing = client.get_connection(&params).await.unwrap();
    assert!(matches!(*missing, GetConnectionResponse::NotFound(_)));
    let deleted = client
        .delete_connection(&DeleteConnectionParams::new("conn-1", "github"))
        .await
        .unwrap();
    assert!(matches!(deleted.into_inner(), DeleteConnectionResponse::Ok(ref r) if r.success));
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "reconnect env-dev conn-1 github",
            "reconnect env-dev nope github",
            "get a b/c github Some(true)"
        ]
    );
    // As a user writes it: `?` on the transport error and on the documented error status.
    async fn reconnect_token(
        client: &ReqwestClient,
        connection: &str,
    ) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
        let input = ConnectSessionReconnectInput::new(connection, "github");
        let session = client
            .create_reconnect_session(&input)
            .await?
            .into_result()?;
        Ok(session.data.token)
    }
    assert!(
        reconnect_token(&client, "conn-1")
            .await
            .unwrap()
            .starts_with("nango_connect_session_")
    );
    let refused = reconnect_token(&client, "nope").await.unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("the API answered 400 Bad Request"),
        "{refused}"
    );
}

async fn raw(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (u16, serde_json::Value, reqwest::header::HeaderMap) {
    let http = reqwest::Client::new();
    let mut req = http.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{path}"),
    );
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        headers,
    )
}

#[tokio::test]
async fn router_answers_the_documented_errors_itself() {
    let base = start(Fake::default()).await;
    let auth = format!("Bearer {KEY}");
    let json = ("content-type", "application/json");
    let path = "/connect/sessions/reconnect";
    let body = |s: &str| Some(s.as_bytes().to_vec());

    // Rejections are RFC 9457 problem+json unless the server renders them itself.
    let (status, v, headers) = raw(
        &base,
        "POST",
        path,
        &[json, ("authorization", &auth)],
        body("{not json"),
    )
    .await;
    assert_eq!((status, v["code"].as_str()), (400, Some("invalid_json")));
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(
        (
            v["type"].as_str(),
            v["title"].as_str(),
            v["status"].as_u64()
        ),
        (Some("about:blank"), Some("Bad Request"), Some(400))
    );
    assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "{v}");

    let (status, v, _) = raw(
        &base,
        "POST",
        path,
        &[("content-type", "text/plain"), ("authorization", &auth)],
        body("{}"),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (415, Some("invalid_content_type"))
    );

    let (status, v, _) = raw(
        &base,
        "POST",
        path,
        &[json],
        body(r#"{"connection_id":"conn-1","integration_id":"github"}"#),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("missing_credentials"))
    );

    // Unknown key and a wrong type: both reported, each with a path.
    let (status, v, _) = raw(
        &base,
        "POST",
        path,
        &[json, ("authorization", &auth)],
        body(r#"{"connection_id":1,"integration_id":"github","foo":1}"#),
    )
    .await;
    assert_eq!((status, v["code"].as_str()), (400, Some("invalid_body")));
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["pointer"] == "/connection_id" && e["code"] == "type" && e["in"] == "body"),
        "{v}"
    );
    assert!(
        errors.iter().any(|e| e["code"] == "additionalProperties"),
        "{v}"
    );

    let (status, v, _) = raw(
        &base,
        "POST",
        path,
        &[json, ("authorization", &auth)],
        body(r#"{"integration_id":"github"}"#),
    )
    .await;
    assert_eq!((status, v["code"].as_str()), (400, Some("invalid_body")));
    assert_eq!(v["errors"][0]["code"], "required");
    assert!(
        v["errors"][0]["keyword"]
            .as_str()
            .is_some_and(|k| k.ends_with("/required")),
        "{v}"
    );

    let big = format!(
        r#"{{"connection_id":"{}","integration_id":"github"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, v, _) = raw(
        &base,
        "POST",
        path,
        &[json, ("authorization", &auth)],
        Some(big.into_bytes()),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (413, Some("payload_too_large"))
    );

    let (status, v, headers) = raw(&base, "PUT", path, &[("authorization", &auth)], None).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    assert_eq!(headers.get("allow").unwrap(), "POST");

    let (status, v, _) = raw(
        &base,
        "POST",
        &format!("{path}?x=1"),
        &[json, ("authorization", &auth)],
        body("{}"),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_query_params"))
    );
    assert_eq!(v["errors"][0]["code"], "unrecognized_keys");

    let (status, v, _) = raw(
        &base,
        "GET",
        "/connections/c1?provider_config_key=github&force_refresh=maybe",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_query_params"))
    );
    assert_eq!(v["errors"][0]["pointer"], "/force_refresh");
    assert_eq!(v["errors"][0]["in"], "query");

    let (status, v, _) = raw(
        &base,
        "GET",
        "/connections/c1",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_query_params"))
    );

    let (status, v, _) = raw(&base, "GET", "/nowhere", &[], None).await;
    assert_eq!((status, v["code"].as_str()), (404, Some("not_found")));

    // A server that renders rejections in its API's own shape gets them all, 404 included.
    let nango = start(Fake {
        std_errors: true,
        ..Fake::default()
    })
    .await;
    let (status, v, _) = raw(&nango, "POST", path, &[json], body("{}")).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (401, Some("missing_auth_header"))
    );
    let (status, v, _) = raw(&nango, "GET", "/nowhere", &[], None).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

/// Every public edge returns an error that `?` turns into `Box<dyn Error + Send + Sync>`
/// (what `anyhow::Result` needs): router construction, the validator, code generation, the
/// client and response decoding.
#[tokio::test]
async fn public_edges_return_standard_errors()
-> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let _router = generated::server::router(Fake::default())?;
    let loaded = codegen::check(
        codegen::Input::new("spec.yaml", include_str!("../../spec/nango.yaml")),
        vec![],
    );
    let doc = loaded.document.clone().ok_or("the spec loads")?;
    let _validator = contract_tests::ContractValidator::new(loaded)?;
    let generation = codegen::generate(
        &doc,
        &codegen::emit::Options {
            crate_name: "edges".into(),
            runtime: codegen::emit::Runtime::Registry,
            derives: Vec::new(),
            tag_features: Default::default(),
        },
    );
    let files = generation.files?;
    assert!(files.iter().any(|f| f.path == "src/types.rs"));
    let client = ReqwestClient::builder("http://127.0.0.1:9").build()?;
    let unreachable = client.create_reconnect_session(&input("conn-1")).await;
    let error: Box<dyn std::error::Error + Send + Sync> = unreachable
        .err()
        .ok_or("no server listens on port 9")?
        .into();
    assert!(error.to_string().contains("transport"), "{error}");
    let decoded = CreateReconnectSessionResponse::decode(299, b"{}");
    let error: Box<dyn std::error::Error + Send + Sync> =
        decoded.err().ok_or("299 is undocumented")?.into();
    assert!(
        error.to_string().contains("undocumented status 299"),
        "{error}"
    );
    Ok(())
}

/// The open client: the user's own `reqwest::Client`, a header sent with every request
/// (an operation's own header parameter of the same name would win), the answer's
/// headers beside its typed body, and a base URL checked when the client is built (its
/// path prefix kept).
#[tokio::test]
async fn the_client_takes_your_reqwest_client_default_headers_and_shows_response_headers() {
    /// Each request's path and `x-tenant` header.
    type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/v2/connections/{id}",
        axum::routing::get(move |request: axum::extract::Request| {
            let log = log.clone();
            async move {
                let tenant = request
                    .headers()
                    .get("x-tenant")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                log.lock()
                    .unwrap()
                    .push((request.uri().path().to_owned(), tenant));
                (
                    axum::http::StatusCode::NOT_FOUND,
                    [
                        ("content-type", "application/json"),
                        ("x-ratelimit-remaining", "41"),
                    ],
                    r#"{"error":{"code":"not_found","message":"Failed to find connection"}}"#,
                )
                    .into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v2/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = ReqwestClient::builder(&base)
        .http_client(reqwest::Client::new())
        .default_header("x-tenant", "acme")
        .bearer_token(KEY)
        .build()
        .unwrap();
    let answer = client
        .get_connection(&GetConnectionParams::new("c-1", "github"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert_eq!(answer.headers()["x-ratelimit-remaining"], "41");
    let error = answer.into_result().unwrap_err();
    assert_eq!(
        error.to_string(),
        "the API answered 404 Not Found: Failed to find connection"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [("/v2/connections/c-1".to_owned(), Some("acme".to_owned()))]
    );
    assert!(ReqwestClient::builder("localhost:3003").build().is_err());
    server.abort();
}

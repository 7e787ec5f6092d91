//! The request pipeline end to end, as a generated crate uses it: operation descriptions as
//! statics, a router built with `Routes`, requests sent with the runtime's own client over
//! loopback. Covers what the crate promises on its own: readOnly/writeOnly read per
//! direction, security alternatives, problem+json rejections with their locations, 404 and
//! 405 through the host's renderer.

#![cfg(all(feature = "server", feature = "client"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

mod common;

use openapi_runtime::client::{Credential, Request, ReqwestClient, Secret};
use openapi_runtime::operation::{
    Body, BodyKind, KeyLocation, Location, Media, Operation, Param, Scalar, Scheme, SchemeKind,
    Shape, Style,
};
use openapi_runtime::server::{Credentials, RouterOptions, Routes};
use serde_json::json;
use std::borrow::Cow;
use std::sync::Arc;

static SCHEMES: [Scheme; 3] = [
    Scheme::new("bearer", SchemeKind::Bearer),
    Scheme::new(
        "apiKey",
        SchemeKind::ApiKey {
            name: Cow::Borrowed("X-API-Key"),
            location: KeyLocation::Header,
        },
    ),
    Scheme::new(
        "session",
        SchemeKind::ApiKey {
            name: Cow::Borrowed("session"),
            location: KeyLocation::Cookie,
        },
    ),
];

static CREATE_USER: Operation = Operation {
    method: Cow::Borrowed("POST"),
    path: Cow::Borrowed("/users"),
    params: Cow::Borrowed(&[]),
    body: Some(Body {
        required: true,
        media: Cow::Borrowed(&[Media::new(
            "application/json",
            BodyKind::Json,
            "#/components/schemas/User",
        )]),
    }),
    schemes: Cow::Borrowed(&SCHEMES),
    security: Cow::Borrowed(&[Cow::Borrowed(&[0]), Cow::Borrowed(&[1, 2])]),
};

static GET_USER: Operation = Operation {
    method: Cow::Borrowed("GET"),
    path: Cow::Borrowed("/users/{id}"),
    params: Cow::Borrowed(&[
        Param::new(
            "id",
            Location::Path,
            true,
            Style::Simple,
            false,
            Shape::Scalar(Scalar::String),
            "#/components/schemas/Id",
        ),
        Param::new(
            "fields",
            Location::Query,
            false,
            Style::Form,
            false,
            Shape::Array(Scalar::String),
            "",
        ),
    ]),
    body: None,
    schemes: Cow::Borrowed(&SCHEMES),
    security: Cow::Borrowed(&[Cow::Borrowed(&[0]), Cow::Borrowed(&[])]),
};

static CHARGE: Operation = Operation {
    method: Cow::Borrowed("POST"),
    path: Cow::Borrowed("/charges"),
    params: Cow::Borrowed(&[]),
    body: Some(Body {
        required: true,
        media: Cow::Borrowed(&[Media::form(
            "application/x-www-form-urlencoded",
            "#/components/schemas/Charge",
            &[
                (Cow::Borrowed("amount"), Shape::Scalar(Scalar::Integer)),
                (Cow::Borrowed("capture"), Shape::Scalar(Scalar::Boolean)),
                (Cow::Borrowed("expand"), Shape::Array(Scalar::String)),
                (
                    Cow::Borrowed("card"),
                    Shape::Object(Cow::Borrowed(&[(
                        Cow::Borrowed("exp_year"),
                        Scalar::Integer,
                    )])),
                ),
            ],
        )]),
    }),
    schemes: Cow::Borrowed(&SCHEMES),
    security: Cow::Borrowed(&[]),
};

const SPEC: &str = r##"{"components": {"schemas": {
    "Id": {"type": "string", "pattern": "^u[0-9]+$", "readOnly": true},
    "User": {"type": "object", "required": ["id", "name", "password"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"},
        "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": true}}},
    "Charge": {"type": "object", "required": ["amount"], "additionalProperties": false, "properties": {
        "amount": {"type": "integer", "minimum": 1},
        "capture": {"type": "boolean"},
        "expand": {"type": "array", "items": {"type": "string"}},
        "card": {"type": "object", "properties": {"exp_year": {"type": "integer"}, "name": {"type": "string"}}},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}"##;

type App = common::App<()>;

async fn create(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    openapi_runtime::server::serve(
        &*app,
        0,
        &CREATE_USER,
        request,
        |c: Credentials| async move { Ok(c.schemes().collect::<Vec<_>>().join("+")) },
        |mut p| async move {
            let who = p.principal()?;
            let body: serde_json::Value = p.body()?;
            let echo = json!({"who": who, "body": body});
            Ok((
                201,
                Some(("application/json", echo.to_string().into_bytes())),
            ))
        },
    )
    .await
}

async fn get(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    openapi_runtime::server::serve(
        &*app,
        1,
        &GET_USER,
        request,
        |_c: Credentials| async move { Ok("someone".to_owned()) },
        |mut p| async move {
            let who = p.optional_principal();
            let params: serde_json::Value = p.params()?;
            let echo = json!({"who": who, "params": params});
            Ok((
                200,
                Some(("application/json", echo.to_string().into_bytes())),
            ))
        },
    )
    .await
}

async fn charge(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    openapi_runtime::server::serve(
        &*app,
        2,
        &CHARGE,
        request,
        |_c: Credentials| async move { Ok(()) },
        |p| async move {
            let body: serde_json::Value = p.body()?;
            Ok((
                201,
                Some(("application/json", body.to_string().into_bytes())),
            ))
        },
    )
    .await
}

async fn start() -> String {
    let mut routes = Routes::<App>::new(SPEC, 3, RouterOptions::default()).unwrap();
    routes.add(2, &CHARGE, axum::routing::post(charge)).unwrap();
    routes
        .add(0, &CREATE_USER, axum::routing::post(create))
        .unwrap();
    routes.add(1, &GET_USER, axum::routing::get(get)).unwrap();
    let app = routes.finish(|core| App { core, state: () });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn call(client: &ReqwestClient, request: Request) -> (u16, serde_json::Value) {
    let raw = client.execute(request).await.unwrap();
    let (status, body) = (raw.status, raw.body);
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

#[tokio::test]
async fn requests_are_checked_per_direction_and_security_alternative() {
    let base = start().await;
    let anonymous = ReqwestClient::builder(&base).build().unwrap();
    let with_key = ReqwestClient::builder(&base)
        .api_key("k")
        .credential("session", Credential::ApiKey(Secret::new("s")))
        .build()
        .unwrap();
    let bearer = ReqwestClient::builder(&base)
        .bearer_token("t")
        .build()
        .unwrap();
    let user = json!({"name": "a", "password": "secret"});

    // No credentials for a required alternative: 401 naming what would do.
    let (status, v) = call(
        &anonymous,
        Request::new(&CREATE_USER)
            .json("application/json", &user)
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("missing_credentials"))
    );
    assert!(v["detail"].as_str().unwrap().contains("`apiKey`"), "{v}");

    // The {apiKey, session} set, sent whole by the client; the readOnly `id` is not required.
    let (status, v) = call(
        &with_key,
        Request::new(&CREATE_USER)
            .json("application/json", &user)
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["who"].as_str()),
        (201, Some("apiKey+session")),
        "{v}"
    );

    // The writeOnly `password` is required in requests.
    let (status, v) = call(
        &bearer,
        Request::new(&CREATE_USER)
            .json("application/json", &json!({"name": "a"}))
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("invalid_body")),
        "{v}"
    );
    assert_eq!(
        v["errors"][0]["keyword"],
        "#/components/schemas/User/required"
    );

    // Optional security: answered without credentials, with the principal when presented.
    let params = json!({"id": "u7", "fields": ["name", "id"]});
    let (status, v) = call(
        &anonymous,
        Request::with_params(&GET_USER, &params).unwrap(),
    )
    .await;
    assert_eq!(
        (status, &v["who"], &v["params"]),
        (200, &json!(null), &params),
        "{v}"
    );
    let (status, v) = call(&bearer, Request::with_params(&GET_USER, &params).unwrap()).await;
    assert_eq!((status, v["who"].as_str()), (200, Some("someone")));

    // A path parameter against its schema.
    let (status, v) = call(
        &anonymous,
        Request::with_params(&GET_USER, &json!({"id": "7"})).unwrap(),
    )
    .await;
    assert_eq!(
        (
            status,
            v["errors"][0]["in"].as_str(),
            v["errors"][0]["pointer"].as_str()
        ),
        (400, Some("path"), Some("/id")),
        "{v}"
    );

    // 405 and 404 go through the host's renderer.
    let http = reqwest::Client::new();
    let r = http.delete(format!("{base}/users")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = http.get(format!("{base}/nowhere")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

/// A form body written by the client (nested values as bracketed keys) is read back by the
/// router as its schema's types, and checked against the schema.
#[tokio::test]
async fn form_bodies_round_trip_with_their_types() {
    let base = start().await;
    let client = ReqwestClient::builder(&base).build().unwrap();
    let charge = json!({
        "amount": 2000,
        "capture": false,
        "expand": ["customer", "invoice"],
        "card": {"exp_year": 2030, "name": "A B+C"},
        "metadata": {"order": "6735"}
    });
    let (status, v) = call(&client, Request::new(&CHARGE).form(&charge).unwrap()).await;
    assert_eq!((status, &v), (201, &charge));
    let (status, v) = call(
        &client,
        Request::new(&CHARGE).form(&json!({"amount": 0})).unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["errors"][0]["code"].as_str()),
        (400, Some("minimum")),
        "{v}"
    );
}

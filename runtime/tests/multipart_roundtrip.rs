//! A `multipart/form-data` body goes from the runtime's client to its router and is decoded
//! into a typed struct: text fields typed by the schema (`"3"` for an integer is `3`),
//! repeated fields as lists, JSON parts parsed, file parts with their bytes, file name and
//! content type. The schema is enforced on the way (a missing file is 400).

#![cfg(all(feature = "server", feature = "client"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

mod common;

use openapi_runtime::FilePart;
use openapi_runtime::client::{Request, ReqwestClient};
use openapi_runtime::multipart::Parts;
use openapi_runtime::operation::{Body, BodyKind, Media, Operation};
use openapi_runtime::server::{RouterOptions, Routes};
use serde_json::json;
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

/// The body an upload operation declares.
#[derive(Debug, Clone, PartialEq, openapi_runtime::Record)]
struct Upload {
    #[record(wire = "title", required)]
    title: String,
    #[record(wire = "count")]
    count: Option<i64>,
    #[record(wire = "tags")]
    tags: Option<Vec<String>>,
    #[record(wire = "meta")]
    meta: Option<serde_json::Map<String, serde_json::Value>>,
    #[record(wire = "file", required)]
    file: FilePart,
}

const SPEC: &str = r##"{"components": {"schemas": {"Upload": {
    "type": "object", "required": ["title", "file"],
    "properties": {
        "title": {"type": "string", "maxLength": 20},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "meta": {"type": "object"},
        "file": {"type": "string", "format": "binary"}
    }}}}}"##;

static MEDIA: [Media; 1] = [Media::new(
    "multipart/form-data",
    BodyKind::Bytes,
    "#/components/schemas/Upload",
)];

static OP: Operation = Operation {
    method: Cow::Borrowed("POST"),
    path: Cow::Borrowed("/upload"),
    params: Cow::Borrowed(&[]),
    body: Some(Body {
        required: true,
        media: Cow::Borrowed(&MEDIA),
    }),
    schemes: Cow::Borrowed(&[]),
    security: Cow::Borrowed(&[]),
};

/// What the handler decoded.
type App = common::App<Arc<Mutex<Option<Upload>>>>;

async fn handle(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let seen = app.state.clone();
    openapi_runtime::server::serve(
        &*app,
        0,
        &OP,
        request,
        |_| async { Ok(()) },
        |p| async move {
            let upload: Upload = p.multipart_body()?;
            if let Ok(mut slot) = seen.lock() {
                *slot = Some(upload);
            }
            Ok((204, None))
        },
    )
    .await
}

/// Sends `parts` to a router of the upload operation; the status and what it decoded.
async fn send(parts: Parts) -> (u16, String, Option<Upload>) {
    let mut routes = Routes::<App>::new(SPEC, 1, RouterOptions::default()).unwrap();
    routes.add(0, &OP, axum::routing::post(handle)).unwrap();
    let seen: Arc<Mutex<Option<Upload>>> = Arc::default();
    let app_seen = seen.clone();
    let router = routes.finish(move |core| App {
        core,
        state: app_seen,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let client = ReqwestClient::builder(&base).build().unwrap();
    let raw = client
        .execute(Request::new(&OP).multipart(parts))
        .await
        .unwrap();
    server.abort();
    let decoded = seen.lock().unwrap().take();
    (
        raw.status,
        String::from_utf8_lossy(&raw.body).into_owned(),
        decoded,
    )
}

#[tokio::test]
async fn a_typed_multipart_body_survives_client_to_router() {
    let file = FilePart::new(vec![0u8, 1, 2, 255, 254])
        .with_file_name("photo.png")
        .with_content_type("image/png");
    let mut parts = Parts::new();
    parts.value("title", "holiday").unwrap();
    parts.value("count", &3).unwrap();
    parts.value("tags", "a").unwrap();
    parts.value("tags", "b").unwrap();
    parts.value("meta", &json!({"k": [1, 2]})).unwrap();
    parts.file("file", &file);
    let (status, body, seen) = send(parts).await;
    assert_eq!(status, 204, "{body}");
    let seen = seen.unwrap();
    assert_eq!(
        seen,
        Upload {
            title: "holiday".into(),
            count: Some(3),
            tags: Some(vec!["a".into(), "b".into()]),
            meta: json!({"k": [1, 2]}).as_object().cloned(),
            file,
        }
    );
}

#[tokio::test]
async fn the_schema_is_enforced_on_multipart_bodies() {
    let mut no_file = Parts::new();
    no_file.value("title", "x").unwrap();
    let (status, body, seen) = send(no_file).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("file"), "{body}");
    assert!(seen.is_none());
    let mut long = Parts::new();
    long.value("title", &"x".repeat(30)).unwrap();
    long.file("file", &FilePart::new(b"x".to_vec()));
    let (status, body, _) = send(long).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("maxLength") || body.contains("longer"),
        "{body}"
    );
}

//! Parameters survive the trip from the runtime's client to its router for every location,
//! style and explode OpenAPI defines: generated parameter sets (scalars, arrays, objects;
//! strings with `.`, `,`, `;`, `=`, `+`, `%`, `/`, spaces and non-ASCII where the style can
//! carry them) are serialized by `Request::with_params`, sent over loopback, read back by the
//! router's checks and decoded; what the handler sees must equal what was sent.

#![cfg(all(feature = "server", feature = "client"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

mod common;

use openapi_runtime::client::{Request, ReqwestClient};
use openapi_runtime::operation::{Location, Operation, Param, Scalar, Shape, Style};
use openapi_runtime::server::{RouterOptions, Routes};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

/// One generated parameter: its description and the value sent.
#[derive(Clone, Debug)]
struct Case {
    location: Location,
    style: Style,
    explode: bool,
    shape: Shape,
    value: Value,
}

/// Characters a value may hold in a given position: everything the style can carry.
fn text(forbidden: &'static str, ascii_only: bool) -> impl Strategy<Value = String> {
    let pool: Vec<char> = "aZ09._-~ +=;,/%?&|:'\"!*é✓"
        .chars()
        .filter(|c| !forbidden.contains(*c) && (!ascii_only || c.is_ascii()))
        .collect();
    prop::collection::vec(prop::sample::select(pool), 1..6).prop_map(|cs| cs.into_iter().collect())
}

fn scalar_value(scalar: Scalar, forbidden: &'static str, ascii_only: bool) -> BoxedStrategy<Value> {
    match scalar {
        Scalar::String => text(forbidden, ascii_only).prop_map(Value::from).boxed(),
        Scalar::Integer => any::<i32>().prop_map(Value::from).boxed(),
        Scalar::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        Scalar::Number => (-400i32..400)
            .prop_map(|n| json!(f64::from(n) / 4.0))
            .boxed(),
    }
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        Just(Scalar::String),
        Just(Scalar::Integer),
        Just(Scalar::Boolean),
        Just(Scalar::Number)
    ]
}

/// A parameter of `location`, with a style that location allows and a value its style can
/// carry (OpenAPI styles cannot carry their own separators inside items).
fn case(location: Location) -> impl Strategy<Value = Case> {
    let styles: Vec<(Style, bool)> = match location {
        Location::Path => vec![
            (Style::Simple, false),
            (Style::Simple, true),
            (Style::Label, false),
            (Style::Label, true),
            (Style::Matrix, false),
            (Style::Matrix, true),
        ],
        Location::Query => vec![
            (Style::Form, true),
            (Style::Form, false),
            (Style::SpaceDelimited, false),
            (Style::PipeDelimited, false),
            (Style::DeepObject, true),
        ],
        Location::Header => vec![(Style::Simple, false), (Style::Simple, true)],
        Location::Cookie => vec![(Style::Form, true), (Style::Form, false)],
    };
    (prop::sample::select(styles), 0..3usize, scalar()).prop_flat_map(
        move |((style, explode), kind, item)| {
            let headerish = matches!(location, Location::Header | Location::Cookie);
            // Separators a style uses between items; headers also cannot carry non-ASCII.
            let in_items: &'static str = match (location, style, explode) {
                (Location::Path, ..) => "",
                (_, Style::SpaceDelimited, _) => " ,",
                (_, Style::PipeDelimited, _) => "|,",
                (Location::Query, Style::Form, true) => "",
                _ => ",",
            };
            let scalar_forbidden: &'static str = if headerish { " " } else { "" };
            let shape_kind = match (style, kind) {
                (Style::DeepObject, _) => 2,
                (Style::SpaceDelimited | Style::PipeDelimited, _) => 1,
                (_, k) => k,
            };
            let value: BoxedStrategy<(Shape, Value)> = match shape_kind {
                0 => scalar_value(item, scalar_forbidden, headerish)
                    .prop_map(move |v| (Shape::Scalar(item), v))
                    .boxed(),
                1 => prop::collection::vec(
                    scalar_value(item, if headerish { ", " } else { in_items }, headerish),
                    1..4,
                )
                .prop_map(move |vs| (Shape::Array(item), Value::Array(vs)))
                .boxed(),
                _ => prop::collection::vec(
                    scalar_value(item, if headerish { ",= " } else { ",=" }, headerish),
                    1..4,
                )
                .prop_map(move |vs| {
                    let fields: Vec<(Cow<'static, str>, Scalar)> = (0..vs.len())
                        .map(|i| (Cow::Owned(format!("k{i}x")), item))
                        .collect();
                    let map: Map<String, Value> = vs
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (format!("k{i}x"), v))
                        .collect();
                    (Shape::Object(Cow::Owned(fields)), Value::Object(map))
                })
                .boxed(),
            };
            value.prop_map(move |(shape, value)| Case {
                location,
                style,
                explode,
                shape,
                value,
            })
        },
    )
}

fn cases() -> impl Strategy<Value = Vec<Case>> {
    (
        prop::collection::vec(case(Location::Path), 1..3),
        prop::collection::vec(case(Location::Query), 0..4),
        prop::collection::vec(case(Location::Header), 0..3),
        prop::collection::vec(case(Location::Cookie), 0..3),
    )
        .prop_map(|(p, q, h, c)| {
            // One exploded form object at most: it takes every query key nobody else claims.
            let mut form_object = false;
            let q: Vec<Case> = q
                .into_iter()
                .filter(|x| {
                    let takes_all =
                        x.style == Style::Form && x.explode && matches!(x.shape, Shape::Object(_));
                    !(takes_all && std::mem::replace(&mut form_object, true))
                })
                .collect();
            p.into_iter().chain(q).chain(h).chain(c).collect()
        })
}

/// Names: path `p0`…, query `q0`…, headers `x-h0`…, cookies `c0`….
fn name(location: Location, i: usize) -> String {
    match location {
        Location::Path => format!("p{i}"),
        Location::Query => format!("q{i}"),
        Location::Header => format!("x-h{i}"),
        Location::Cookie => format!("c{i}"),
    }
}

fn operation(cases: &[Case]) -> (Operation, Map<String, Value>) {
    let mut params = Vec::new();
    let mut values = Map::new();
    let mut path = String::from("/t");
    for (i, c) in cases.iter().enumerate() {
        let n = name(c.location, i);
        if c.location == Location::Path {
            path.push_str(&format!("/{{{n}}}"));
        }
        params.push(Param {
            name: Cow::Owned(n.clone()),
            location: c.location,
            required: c.location == Location::Path,
            style: c.style,
            explode: c.explode,
            shape: c.shape.clone(),
            schema: Cow::Borrowed(""),
        });
        values.insert(n, c.value.clone());
    }
    let op = Operation {
        method: Cow::Borrowed("GET"),
        path: Cow::Owned(path),
        params: Cow::Owned(params),
        body: None,
        schemes: Cow::Borrowed(&[]),
        security: Cow::Borrowed(&[]),
    };
    (op, values)
}

/// The operation served and what its handler decoded.
type App = common::App<(Arc<Operation>, Arc<Mutex<Option<Value>>>)>;

async fn handle(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let (op, seen) = app.state.clone();
    openapi_runtime::server::serve(
        &*app,
        0,
        &op,
        request,
        |_| async { Ok(()) },
        |p| async move {
            let params: Value = p.params()?;
            if let Ok(mut slot) = seen.lock() {
                *slot = Some(params);
            }
            Ok((204, None))
        },
    )
    .await
}

/// Serves `op` on loopback, sends `sent` with the runtime's client; the status, the body
/// (a problem when refused) and what the handler decoded.
async fn round_trip(op: Arc<Operation>, sent: &Map<String, Value>) -> (u16, String, Option<Value>) {
    let mut routes = Routes::<App>::new("{}", 1, RouterOptions::default()).unwrap();
    routes.add(0, &op, axum::routing::get(handle)).unwrap();
    let seen: Arc<Mutex<Option<Value>>> = Arc::default();
    let app_seen = seen.clone();
    let app_op = op.clone();
    let router = routes.finish(move |core| App {
        core,
        state: (app_op, app_seen),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    let client = ReqwestClient::builder(&base).build().unwrap();
    let request = Request::with_params(&op, &Value::Object(sent.clone())).unwrap();
    let raw = client.execute(request).await.unwrap();
    let (status, body) = (raw.status, raw.body);
    let _ = stop.send(());
    let _ = server.await;
    let decoded = seen.lock().unwrap().take();
    (status, String::from_utf8_lossy(&body).into_owned(), decoded)
}

#[test]
fn every_style_survives_client_to_router() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let count = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(200);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: count,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&cases(), |set| {
            let (op, sent) = operation(&set);
            // A value that serializes to a dot-segment (`.`, label-style `""`) cannot travel:
            // URL resolution removes it. The client must say so instead of sending.
            if let Err(e) = Request::with_params(&op, &Value::Object(sent.clone())) {
                prop_assert!(e.to_string().contains("dot-segment"), "{}", e);
                return Ok(());
            }
            let (status, body, decoded) = runtime.block_on(round_trip(Arc::new(op), &sent));
            prop_assert_eq!(status, 204, "refused: {}", body);
            prop_assert_eq!(decoded, Some(Value::Object(sent)));
            Ok(())
        })
        .unwrap();
}

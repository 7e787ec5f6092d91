//! The mock of any spec, over real HTTP on loopback: requests checked as generated routers
//! check them, rejections in the spec's own error shape, `Prefer` and `Accept`, documented
//! headers, `--credential`, `--stateful`, and every answer valid for the spec (checked by
//! the contract validator).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

use contract_tests::ContractValidator;
use contract_tests::spec_mock::{Options, Running, SpecMock};
use serde_json::{Value, json};
use std::path::Path;

const SHOP: &str = "tests/fixtures/shop.yaml";
const TOKEN: &str = "Bearer t0ken";

fn load(path: &str) -> codegen::load::Loaded {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    codegen::check(codegen::Input::read(&file, path).unwrap(), vec![])
}

async fn start(path: &str, options: Options) -> Running {
    let mock = SpecMock::build(&load(path), options).unwrap();
    mock.start("127.0.0.1:0").await.unwrap()
}

/// One exchange, and the validator's verdict on the response.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> Answer {
    let client = reqwest::Client::new();
    let mut request = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{path}"),
    );
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some((ct, b)) = body {
        request = request.header("content-type", ct).body(b.to_owned());
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// Asserts the response is what the spec documents for this request.
fn conforms(validator: &ContractValidator, method: &str, path: &str, a: &Answer) {
    let ct = a.headers.get("content-type").and_then(|v| v.to_str().ok());
    let report = validator.check_response(method, path, a.status, ct, &a.body);
    assert!(
        report.is_valid(),
        "{method} {path} → {}: {:?}\n{}",
        a.status,
        report
            .violations
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&a.body)
    );
}

#[tokio::test]
async fn answers_are_documented_and_rejections_use_the_spec_error_shape() {
    let mock = start(SHOP, Options::default()).await;
    let v = ContractValidator::new(load(SHOP)).unwrap();
    let base = &mock.base_url;
    assert_eq!(mock.summary.served, 7);
    let auth = [("authorization", TOKEN)];

    let list = send(
        base,
        "GET",
        "/products?limit=5&tags=red,blue&filter[min_price]=2",
        &auth,
        None,
    )
    .await;
    assert_eq!(list.status, 200);
    conforms(&v, "GET", "/products", &list);
    let left: i64 = list.headers["x-rate-limit"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((0..=1000).contains(&left));

    // No credentials: the documented 401, its nested message naming what is accepted.
    let anonymous = send(base, "GET", "/products", &[], None).await;
    assert_eq!(anonymous.status, 401);
    conforms(&v, "GET", "/products", &anonymous);
    assert_eq!(anonymous.json()["error"]["code"], "missing_credentials");
    assert!(
        anonymous.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bearer")
    );

    // An API key works as the other alternative.
    let keyed = send(base, "GET", "/products", &[("x-api-key", "k")], None).await;
    assert_eq!(keyed.status, 200);

    // Parameters of every style are checked.
    let bad = send(base, "GET", "/products?limit=500", &auth, None).await;
    assert_eq!(bad.status, 400);
    conforms(&v, "GET", "/products?limit=500", &bad);
    assert_eq!(bad.json()["error"]["code"], "invalid_query_params");
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/limit"),
        "{}",
        bad.json()
    );
    let bad_tag = send(base, "GET", "/products?tags=red,green", &auth, None).await;
    assert_eq!(bad_tag.status, 400);
    // GET /products/{id} documents no 400: RFC 9457 problem+json.
    let bad_path = send(base, "GET", "/products/0", &auth, None).await;
    assert_eq!(bad_path.status, 400);
    assert_eq!(bad_path.headers["content-type"], "application/problem+json");
    assert_eq!(bad_path.json()["code"], "invalid_uri_params");
    assert_eq!(bad_path.json()["errors"][0]["in"], "path");

    // Bodies: syntax, schema, content type (undocumented 415: problem+json).
    let created = send(
        base,
        "POST",
        "/products",
        &auth,
        Some(("application/json", r#"{"name":"Lamp","price":3}"#)),
    )
    .await;
    assert_eq!(created.status, 201);
    conforms(&v, "POST", "/products", &created);
    let broken = send(
        base,
        "POST",
        "/products",
        &auth,
        Some(("application/json", "{")),
    )
    .await;
    assert_eq!(
        (broken.status, broken.json()["error"]["code"].clone()),
        (400, json!("invalid_json"))
    );
    let invalid = send(
        base,
        "POST",
        "/products",
        &auth,
        Some(("application/json", r#"{"name":"","price":-1}"#)),
    )
    .await;
    assert_eq!(
        (invalid.status, invalid.json()["error"]["code"].clone()),
        (400, json!("invalid_body"))
    );
    let wrong_type = send(base, "POST", "/products", &auth, Some(("text/plain", "x"))).await;
    assert_eq!(wrong_type.status, 415);
    assert_eq!(
        wrong_type.headers["content-type"],
        "application/problem+json"
    );
    assert_eq!(wrong_type.json()["code"], "invalid_content_type");

    // Unknown routes and methods.
    assert_eq!(send(base, "GET", "/nowhere", &auth, None).await.status, 404);
    let put = send(base, "PUT", "/products", &auth, None).await;
    assert_eq!(put.status, 405);
    assert_eq!(put.headers["allow"], "GET, POST");

    // Operations without security, text bodies.
    let health = send(base, "GET", "/health", &[], None).await;
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok"[..]));
}

#[tokio::test]
async fn prefer_and_accept_choose_status_example_and_media_type() {
    let mock = start(SHOP, Options::default()).await;
    let v = ContractValidator::new(load(SHOP)).unwrap();
    let base = &mock.base_url;
    let auth = ("authorization", TOKEN);

    let first = send(base, "GET", "/products/3", &[auth], None).await;
    assert_eq!(
        first.json()["name"],
        "Widget",
        "the first valid example answers by default"
    );
    let gadget = send(
        base,
        "GET",
        "/products/3",
        &[auth, ("prefer", "example=gadget")],
        None,
    )
    .await;
    assert_eq!(gadget.json()["name"], "Gadget");
    assert_eq!(gadget.headers["preference-applied"], "example=gadget");
    let missing = send(
        base,
        "GET",
        "/products/3",
        &[auth, ("prefer", "code=404")],
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    conforms(&v, "GET", "/products/3", &missing);
    // A code the operation does not document is ignored (RFC 7240).
    let ignored = send(
        base,
        "GET",
        "/products/3",
        &[auth, ("prefer", "code=418")],
        None,
    )
    .await;
    assert_eq!(ignored.status, 200);
    assert!(ignored.headers.get("preference-applied").is_none());

    let a = send(
        base,
        "GET",
        "/products/3",
        &[auth, ("prefer", "dynamic=true")],
        None,
    )
    .await;
    let b = send(
        base,
        "GET",
        "/products/3",
        &[auth, ("prefer", "dynamic=true")],
        None,
    )
    .await;
    conforms(&v, "GET", "/products/3", &a);
    conforms(&v, "GET", "/products/3", &b);
    assert_ne!(a.body, b.body, "dynamic answers are made per request");

    let csv = send(
        base,
        "GET",
        "/reports/2024-01-31.csv",
        &[auth, ("accept", "text/csv")],
        None,
    )
    .await;
    assert_eq!(csv.headers["content-type"], "text/csv");
    assert_eq!(csv.body, b"product,units\nwidget,3\n");
    let json_report = send(
        base,
        "GET",
        "/reports/2024-01-31.csv",
        &[auth, ("accept", "application/json")],
        None,
    )
    .await;
    assert_eq!(json_report.headers["content-type"], "application/json");
    conforms(&v, "GET", "/reports/2024-01-31.csv", &json_report);
    let refused = send(
        base,
        "GET",
        "/reports/2024-01-31.csv",
        &[auth, ("accept", "image/png")],
        None,
    )
    .await;
    assert_eq!(refused.status, 406);
    let bad_day = send(base, "GET", "/reports/yesterday.csv", &[auth], None).await;
    assert_eq!(
        bad_day.status, 400,
        "a date-formatted path parameter is checked"
    );
}

#[tokio::test]
async fn credentials_given_make_other_values_fail_with_the_documented_status() {
    let options = Options {
        credentials: vec!["bearer=s3cret".into(), "apiKey=k3y".into()],
        ..Options::default()
    };
    let mock = start(SHOP, options).await;
    let v = ContractValidator::new(load(SHOP)).unwrap();
    let base = &mock.base_url;
    let right = send(
        base,
        "GET",
        "/products",
        &[("authorization", "Bearer s3cret")],
        None,
    )
    .await;
    assert_eq!(right.status, 200);
    let wrong = send(
        base,
        "GET",
        "/products",
        &[("authorization", "Bearer nope")],
        None,
    )
    .await;
    assert_eq!(wrong.status, 401);
    conforms(&v, "GET", "/products", &wrong);
    assert_eq!(wrong.json()["error"]["code"], "invalid_credentials");
    assert_eq!(
        send(base, "GET", "/products", &[("x-api-key", "k3y")], None)
            .await
            .status,
        200
    );
    assert_eq!(
        send(base, "GET", "/products", &[("x-api-key", "other")], None)
            .await
            .status,
        401
    );
    // DELETE documents 403 and no 401: a wrong credential is its 403.
    let forbidden = send(
        base,
        "DELETE",
        "/products/1",
        &[("authorization", "Bearer nope")],
        None,
    )
    .await;
    assert_eq!(forbidden.status, 403);
    conforms(&v, "DELETE", "/products/1", &forbidden);

    let unknown = SpecMock::build(
        &load(SHOP),
        Options {
            credentials: vec!["oauth=x".into()],
            ..Options::default()
        },
    );
    assert!(
        unknown
            .err()
            .is_some_and(|e| e.to_string().contains("bearer, apiKey"))
    );
}

#[tokio::test]
async fn stateful_mock_stores_what_is_created_until_it_is_deleted() {
    let mock = start(
        SHOP,
        Options {
            stateful: true,
            ..Options::default()
        },
    )
    .await;
    let v = ContractValidator::new(load(SHOP)).unwrap();
    let base = &mock.base_url;
    let auth = [("authorization", TOKEN)];
    let empty = send(base, "GET", "/products", &auth, None).await;
    assert_eq!(empty.json()["data"], json!([]));
    conforms(&v, "GET", "/products", &empty);

    let created = send(
        base,
        "POST",
        "/products",
        &auth,
        Some((
            "application/json",
            r#"{"name":"Lamp","price":3,"tags":["red"]}"#,
        )),
    )
    .await;
    assert_eq!(created.status, 201);
    conforms(&v, "POST", "/products", &created);
    let product = created.json();
    assert_eq!(
        (product["name"].clone(), product["price"].clone()),
        (json!("Lamp"), json!(3))
    );
    let id = product["id"].as_i64().unwrap();
    let second = send(
        base,
        "POST",
        "/products",
        &auth,
        Some(("application/json", r#"{"name":"Desk","price":80}"#)),
    )
    .await;
    assert_ne!(second.json()["id"].as_i64().unwrap(), id);

    let read = send(base, "GET", &format!("/products/{id}"), &auth, None).await;
    assert_eq!(read.json(), product);
    let patched = send(
        base,
        "PATCH",
        &format!("/products/{id}"),
        &auth,
        Some(("application/merge-patch+json", r#"{"price":4}"#)),
    )
    .await;
    assert_eq!(patched.status, 200);
    assert_eq!(
        (
            patched.json()["price"].clone(),
            patched.json()["name"].clone()
        ),
        (json!(4), json!("Lamp"))
    );
    let listed = send(base, "GET", "/products", &auth, None).await;
    let names: Vec<Value> = listed.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Lamp"), json!("Desk")]);
    conforms(&v, "GET", "/products", &listed);

    assert_eq!(
        send(base, "DELETE", &format!("/products/{id}"), &auth, None)
            .await
            .status,
        204
    );
    let gone = send(base, "GET", &format!("/products/{id}"), &auth, None).await;
    assert_eq!(gone.status, 404);
    conforms(&v, "GET", &format!("/products/{id}"), &gone);
    assert_eq!(
        send(base, "DELETE", &format!("/products/{id}"), &auth, None)
            .await
            .status,
        404
    );
    assert_eq!(
        send(
            base,
            "PATCH",
            "/products/999",
            &auth,
            Some(("application/merge-patch+json", "{}"))
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_answers() {
    let one = start(
        SHOP,
        Options {
            seed: 7,
            ..Options::default()
        },
    )
    .await;
    let two = start(
        SHOP,
        Options {
            seed: 7,
            ..Options::default()
        },
    )
    .await;
    let other = start(
        SHOP,
        Options {
            seed: 8,
            ..Options::default()
        },
    )
    .await;
    let auth = [("authorization", TOKEN)];
    let a = send(&one.base_url, "GET", "/products", &auth, None).await;
    let b = send(&two.base_url, "GET", "/products", &auth, None).await;
    let c = send(&other.base_url, "GET", "/products", &auth, None).await;
    assert_eq!(a.body, b.body);
    assert_ne!(a.body, c.body);
    assert_eq!(
        a.body,
        send(&one.base_url, "GET", "/products", &auth, None)
            .await
            .body
    );
}

//! `cargo bench -p contract-tests --bench check`: a ConnectSession envelope validated through
//! `check_response` (operation lookup, status, media type, JSON parse, schema) against the raw
//! compiled `jsonschema` validator on the same bytes (parse + validate), in the same process.
//! Goal (issue 4): ratio ≤ 1.2.

use contract_tests::ContractValidator;
use std::path::Path;
use std::time::Instant;

const BODY: &[u8] = br#"{"data":{"token":"nango_connect_session_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","connect_link":"https://connect.nango.dev/?session_token=x","expires_at":"2026-11-22T00:30:00.000Z"}}"#;

fn per_op(iterations: u32, mut f: impl FnMut() -> bool) -> f64 {
    let mut ok = true;
    for _ in 0..iterations / 10 {
        ok &= f(); // warm up
    }
    let t = Instant::now();
    for _ in 0..iterations {
        ok &= f();
    }
    assert!(ok, "the body must be valid in both paths");
    t.elapsed().as_nanos() as f64 / f64::from(iterations)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |rel: &str| codegen::Input::read(&root.join(rel), rel).map_err(|d| d.message);
    let (Ok(spec), Ok(overlay)) = (read("spec/nango.yaml"), read("spec/nango.overlay.yaml")) else {
        eprintln!("spec files not readable");
        return;
    };
    let loaded = codegen::check(spec, vec![overlay]);
    let Some(doc) = loaded.document.as_ref() else {
        return;
    };
    let json = codegen::load::normalize::to_json_schema_2020(doc);
    let Ok(registry) = jsonschema::Registry::new()
        .add("urn:bench", json)
        .and_then(|r| r.prepare())
    else {
        return;
    };
    let schema = serde_json::json!({"$ref": "urn:bench#/paths/~1connect~1sessions~1reconnect/post/responses/201/content/application~1json/schema"});
    let Ok(raw) = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema)
    else {
        return;
    };
    let Ok(validator) = ContractValidator::new(loaded) else {
        return;
    };
    let n = 200_000;
    let raw_ns = per_op(n, || {
        serde_json::from_slice::<serde_json::Value>(BODY).is_ok_and(|v| raw.is_valid(&v))
    });
    let check_ns = per_op(n, || {
        validator
            .check_response(
                "POST",
                "/connect/sessions/reconnect",
                201,
                Some("application/json"),
                BODY,
            )
            .is_valid()
    });
    println!("raw jsonschema (parse + validate): {raw_ns:>8.0} ns/op");
    println!("check_response:                    {check_ns:>8.0} ns/op");
    println!("ratio: {:.2} (goal ≤ 1.2)", check_ns / raw_ns);
}

//! `cargo bench -p contract-tests --bench check`: a ConnectSession envelope validated through
//! `check_response` (operation lookup, status, media type, JSON parse, schema) against the raw
//! compiled `jsonschema` validator on the same bytes (parse + validate), in the same process
//! (alternating rounds, medians).
//! Goal (issue 4): ratio ≤ 1.2.
//!
//! Then recorded traffic: a 10,000-entry HAR of Nango exchanges checked by `har::check`
//! (requests and responses), entries/s and peak RSS, next to `ref_validate.py`'s jsonschema
//! engine on the same file (responses only; `benches/har_ref.py` drives it, with the Python of
//! REF_VALIDATE_PYTHON, else `python3`).

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

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures.get(figures.len() / 2).copied().unwrap_or(f64::NAN)
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
    // Rounds alternate between the two paths and each figure is the median of its rounds, so
    // a burst of noise on a shared machine skews neither.
    let n = 40_000;
    let (mut raws, mut checks) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        raws.push(per_op(n, || {
            serde_json::from_slice::<serde_json::Value>(BODY).is_ok_and(|v| raw.is_valid(&v))
        }));
        checks.push(per_op(n, || {
            validator
                .check_response(
                    "POST",
                    "/connect/sessions/reconnect",
                    201,
                    Some("application/json"),
                    BODY,
                )
                .is_valid()
        }));
    }
    let (raw_ns, check_ns) = (median(raws), median(checks));
    println!("raw jsonschema (parse + validate): {raw_ns:>8.0} ns/op");
    println!("check_response:                    {check_ns:>8.0} ns/op");
    println!("ratio: {:.2} (goal ≤ 1.2)", check_ns / raw_ns);
    har_throughput(&root, &validator);
}

/// One HAR entry: a reconnect request and its answer.
fn entry(request: &str, status: u16, response: &str) -> serde_json::Value {
    let json = serde_json::json!({"name": "Content-Type", "value": "application/json"});
    serde_json::json!({
        "request": {
            "method": "POST",
            "url": "https://api.nango.dev/connect/sessions/reconnect",
            "headers": [json, {"name": "Authorization", "value": "Bearer 6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b"}],
            "postData": {"mimeType": "application/json", "text": request},
        },
        "response": {"status": status, "headers": [json], "content": {"mimeType": "application/json", "text": response}},
    })
}

/// Peak resident memory of this process, in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn har_throughput(root: &Path, validator: &ContractValidator) {
    const ENTRIES: usize = 10_000;
    let body = std::str::from_utf8(BODY).unwrap_or_default();
    let valid = r#"{"connection_id":"conn-1","integration_id":"github"}"#;
    let kinds = [
        entry(valid, 201, body),
        entry(valid, 201, r#"{"data":{"token":"t"}}"#),
        entry(
            "{}",
            400,
            r#"{"error":{"code":"invalid_body","errors":[{"code":"invalid_type","message":"Invalid input","path":["connection_id"]}]}}"#,
        ),
        entry(
            valid,
            401,
            r#"{"error":{"code":"unknown_connect_session_token"}}"#,
        ),
    ];
    let entries: Vec<&serde_json::Value> = kinds.iter().cycle().take(ENTRIES).collect();
    let har = serde_json::json!({"log": {"version": "1.2", "entries": entries}}).to_string();
    let dir = std::env::temp_dir().join(format!("har-bench-{}", std::process::id()));
    let Some(document) = validator.loaded().document.as_ref() else {
        return;
    };
    let Ok(bundle) = codegen::bundle::render(document, codegen::bundle::Format::Json) else {
        return;
    };
    let (spec_file, har_file) = (dir.join("effective.json"), dir.join("traffic.har"));
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&spec_file, bundle))
        .and_then(|()| std::fs::write(&har_file, &har));
    if let Err(e) = written {
        eprintln!("cannot write {}: {e}", dir.display());
        return;
    }
    let t = Instant::now();
    let rows = contract_tests::har::check(validator, &har, Default::default()).unwrap_or_default();
    let ours = rows.len() as f64 / t.elapsed().as_secs_f64();
    let failed = contract_tests::report::totals(&rows).failed;
    println!(
        "\nHAR of {ENTRIES} entries: {ours:>9.0} entries/s, peak RSS {:.0} MiB ({failed} failed)",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let python = std::env::var_os("REF_VALIDATE_PYTHON")
        .unwrap_or_else(|| std::ffi::OsString::from("python3"));
    let out = std::process::Command::new(python)
        .arg(root.join("contract-tests/benches/har_ref.py"))
        .arg(root.join("../shared/tools/ref_validate.py"))
        .args([&spec_file, &har_file])
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let figures = out
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
    let Some(figures) = figures else {
        println!("ref_validate.py: not run (needs python3 with jsonschema and pyyaml)");
        return;
    };
    let theirs = figures["entries_per_s"].as_f64().unwrap_or(f64::NAN);
    println!(
        "ref_validate.py:  {theirs:>9.0} entries/s, peak RSS {:.0} MiB ({} invalid responses)",
        figures["max_rss_kib"].as_f64().unwrap_or(f64::NAN) / 1024.0,
        figures["invalid"]
    );
    println!("throughput ratio: {:.0}× ref_validate.py", ours / theirs);
}

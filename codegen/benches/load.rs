//! `cargo bench -p codegen --bench load`: load (and load + lint) of the largest real specs,
//! against a baseline measured in the same process — plain `serde_json` / `serde_yaml`
//! parsing of the same bytes, which keeps no spans. Prints medians and ratios.
//! Goal (issue 2): github-api.json loads in under 1 s in release.
//!
//! Then hostile inputs, made here, each against the same baseline: a 25 MB single-line
//! spec with 2,000 errors (load + lint + human rendering, goal ≤ 5 s) and a 100,000-long
//! `$ref` chain (load + lint, goal ≤ 2 s).

use codegen::Input;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs");
    println!(
        "{:<24} {:>8} {:>12} {:>10} {:>8} {:>12} {:>8}",
        "spec", "MB", "baseline ms", "load ms", "ratio", "load+lint ms", "ratio"
    );
    for file in [
        "corpus/github-api.json",
        "corpus/stripe.yaml",
        "corpus/openai.yaml",
        "nango/spec.yaml",
    ] {
        let path = specs.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipping {file}: {} not readable", path.display());
            continue;
        };
        let json = file.ends_with(".json");
        let baseline = median(|| {
            let v: Result<serde_json::Value, String> = if json {
                serde_json::from_str(&text).map_err(|e| e.to_string())
            } else {
                serde_yaml::from_str(&text).map_err(|e| e.to_string())
            };
            std::hint::black_box(v.is_ok());
        });
        let load = median(|| {
            let l = codegen::load(Input::new(file, text.clone()), vec![]);
            std::hint::black_box(l.document.is_some());
        });
        let check = median(|| {
            let l = codegen::check(Input::new(file, text.clone()), vec![]);
            std::hint::black_box(l.diagnostics.len());
        });
        println!(
            "{:<24} {:>8.1} {:>12.1} {:>10.1} {:>7.2}x {:>12.1} {:>7.2}x",
            file.rsplit('/').next().unwrap_or(file),
            text.len() as f64 / 1e6,
            ms(baseline),
            ms(load),
            ms(load) / ms(baseline),
            ms(check),
            ms(check) / ms(baseline)
        );
    }
    hostile();
}

/// A one-line JSON spec: `pad` schemas of non-ASCII padding, and `errors` properties whose
/// schema is a string (one error each).
fn one_line_with_errors(pad: usize, errors: usize) -> String {
    let mut schemas = serde_json::Map::new();
    for i in 0..pad {
        schemas.insert(
            format!("x{i}"),
            serde_json::json!({"type": "string", "description": "é".repeat(1000)}),
        );
    }
    let props: serde_json::Map<String, serde_json::Value> = (0..errors)
        .map(|i| {
            (
                format!("p{i}"),
                serde_json::Value::String(format!("not-a-schema-{i}")),
            )
        })
        .collect();
    schemas.insert(
        "Bad".into(),
        serde_json::json!({"type": "object", "properties": props}),
    );
    serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": schemas}})
    .to_string()
}

/// A spec whose one response schema is the head of an `n`-long `$ref` chain.
fn ref_chain(n: usize) -> String {
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(
            format!("S{i}"),
            serde_json::json!({"$ref": format!("#/components/schemas/S{}", i + 1)}),
        );
    }
    schemas.insert(format!("S{n}"), serde_json::json!({"type": "string"}));
    serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content":
            {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}}}}},
        "components": {"schemas": schemas}})
    .to_string()
}

fn hostile() {
    println!(
        "\n{:<34} {:>6} {:>12} {:>14} {:>8} {:>7}",
        "hostile input", "MB", "baseline ms", "lint+render ms", "ratio", "goal s"
    );
    for (name, text, goal) in [
        (
            "one line, 2,000 errors",
            one_line_with_errors(12_000, 2_000),
            5.0,
        ),
        ("100,000-long $ref chain", ref_chain(100_000), 2.0),
    ] {
        let baseline = median(|| {
            let v: Result<serde_json::Value, _> = serde_json::from_str(&text);
            std::hint::black_box(v.is_ok());
        });
        let mut errors = 0;
        let full = median(|| {
            let l = codegen::check(Input::new("hostile.json", text.clone()), vec![]);
            let rendered = codegen::diag::render_human(&l.diagnostics, &l.sources, false);
            errors = l.diagnostics.iter().filter(|d| d.is_error()).count();
            std::hint::black_box(rendered.len());
        });
        println!(
            "{:<34} {:>6.1} {:>12.1} {:>14.1} {:>7.2}x {:>7.1}  ({errors} errors)",
            name,
            text.len() as f64 / 1e6,
            ms(baseline),
            ms(full),
            ms(full) / ms(baseline),
            goal
        );
    }
}

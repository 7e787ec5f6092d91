//! `cargo bench -p codegen --bench load`: load (and load + lint) of the largest real specs,
//! against a baseline measured in the same process — plain `serde_json` / `serde_yaml`
//! parsing of the same bytes, which keeps no spans. Prints medians and ratios.
//! Goal (issue 2): github-api.json loads in under 1 s in release.

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
}

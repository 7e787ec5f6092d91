//! `cargo bench -p codegen --bench codegen [-- FILTER]`: the stages of code generation on
//! the full Nango spec and the largest corpus specs, then the whole pipeline as the tool
//! runs it (`load` + [`codegen::generate`], which overlaps lint, model and the embedded
//! spec), each printed with its ratio to the load of the same spec measured in this
//! process. Goals (issues 3 and 7, release): full Nango ≤ 0.1 s, github-api ≤ 3 s, every
//! other spec ≤ 1 s. Stage columns are measured one by one and add up to more than the
//! pipeline.

use codegen::Input;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The allocator `cargo xtask` uses, so the figures match the tool's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times[runs / 2], last.unwrap_or_else(|| unreachable!()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs");
    // `cargo bench --bench codegen -- stripe` runs only the specs whose path contains "stripe".
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    println!(
        "{:<16} {:>9} {:>10} {:>9} {:>9} {:>12} {:>7} {:>8}",
        "spec", "load ms", "+lint ms", "model ms", "emit ms", "pipeline ms", "÷load", "goal ms"
    );
    for (file, runs) in [
        ("nango/spec.yaml", 11),
        ("corpus/stripe.yaml", 3),
        ("corpus/openai.yaml", 3),
        ("corpus/github-api.json", 3),
    ] {
        if !filter.is_empty() && !filter.iter().any(|f| file.contains(f.as_str())) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(specs.join(file)) else {
            eprintln!("skipping {file}: not readable");
            continue;
        };
        let (load, _) = median(runs, || {
            codegen::load(Input::new(file, text.clone()), vec![])
        });
        let (check, loaded) = median(runs, || {
            codegen::check(Input::new(file, text.clone()), vec![])
        });
        let Some(doc) = loaded.document else { continue };
        let (model_time, (model, _)) = median(runs, || codegen::model::build(&doc));
        let json = codegen::emit::spec_json(&doc);
        let options = codegen::emit::Options {
            crate_name: "bench".into(),
            runtime: codegen::emit::Runtime::Registry,
            derives: Vec::new(),
            tag_features: Default::default(),
        };
        let (emit_time, files) = median(runs, || codegen::emit::generate(&model, &json, &options));
        let lines: usize = files
            .map(|f| f.iter().map(|f| f.contents.lines().count()).sum())
            .unwrap_or(0);
        let (pipeline, _) = median(runs, || {
            let loaded = codegen::load(Input::new(file, text.clone()), vec![]);
            loaded
                .document
                .as_ref()
                .map(|doc| codegen::generate(doc, &options).files.map(|f| f.len()))
        });
        let goal = match file {
            "nango/spec.yaml" => 100.0,
            "corpus/github-api.json" => 3000.0,
            _ => 1000.0,
        };
        println!(
            "{:<16} {:>9.1} {:>10.1} {:>9.1} {:>9.1} {:>12.1} {:>6.1}x {:>8.0}{}  ({lines} lines)",
            file.rsplit('/').next().unwrap_or(file),
            ms(load),
            ms(check),
            ms(model_time),
            ms(emit_time),
            ms(pipeline),
            ms(pipeline) / ms(load),
            goal,
            if ms(pipeline) <= goal {
                " met"
            } else {
                " MISSED"
            },
        );
    }
}

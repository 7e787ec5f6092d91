//! `cargo xtask bench soak`: reconnect load on the Nango mock (as `cargo xtask mock` runs
//! it: this very binary) for `--seconds`, with the mock's resident memory sampled every
//! second. Prints RSS at start, after warm-up (a third of the run), at the peak and at the
//! end, and end ÷ warm-up: the goal is flat within 10%. Loopback only.

use super::Args;
use super::mock::{ensure_wrk, free_port, load_reconnects, start_nango_mock};
use super::spec_mock::rss_mib;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs the benchmark.
pub fn bench(args: &Args) -> Result<(), String> {
    ensure_wrk()?;
    let binary = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let (mock, key) = start_nango_mock(&binary, port, &[])?;
    let pid = mock.0.id();
    let start = rss_mib(pid, "VmRSS:").ok_or("cannot read the mock's memory (/proc)")?;
    let samples: Arc<Mutex<Vec<(f64, f64)>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (samples, done) = (samples.clone(), done.clone());
        std::thread::spawn(move || {
            let began = Instant::now();
            while !done.load(Ordering::Relaxed) {
                if let (Some(rss), Ok(mut s)) = (rss_mib(pid, "VmRSS:"), samples.lock()) {
                    s.push((began.elapsed().as_secs_f64(), rss));
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    eprintln!(
        "reconnect load for {}s with {} connections…",
        args.seconds, args.connections
    );
    let load = load_reconnects(&format!("http://127.0.0.1:{port}"), &key, args);
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let load = load?;
    let end = rss_mib(pid, "VmRSS:").unwrap_or(f64::NAN);
    let peak = rss_mib(pid, "VmHWM:").unwrap_or(f64::NAN);
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    let warm_at = f64::from(args.seconds) / 3.0;
    let warm = samples
        .iter()
        .find(|(t, _)| *t >= warm_at)
        .map_or(f64::NAN, |(_, r)| *r);
    println!(
        "{:.0} reconnects/s for {}s ({} sessions made); statuses: {}",
        load.rps,
        args.seconds,
        (load.rps * f64::from(args.seconds)) as u64,
        load.statuses.trim_start_matches("statuses:").trim()
    );
    println!(
        "mock RSS: start {start:.1} MiB, after warm-up ({warm_at:.0}s) {warm:.1} MiB, peak {peak:.1} MiB, end {end:.1} MiB"
    );
    println!(
        "end ÷ after warm-up: {:.3} (goal ≤ 1.10: flat within 10%)",
        end / warm
    );
    drop(mock);
    Ok(())
}

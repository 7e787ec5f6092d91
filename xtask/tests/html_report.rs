//! `--html` for every contract run (recorded traffic, generated cases, the Nango suite, the
//! proxy), opened in a real browser: headless Chromium loads each page with no console
//! message and no script error, and the counts the page shows (the totals it prints and the
//! lines its script counts per verdict) equal the JSON report's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use common::{free_port, scratch, spawn_xtask, xtask};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Chromium (`$CHROMIUM`, else `chromium` on the PATH); CI must have it (see `.ci/run`).
fn chromium() -> Option<PathBuf> {
    let candidate = std::env::var_os("CHROMIUM").map_or_else(|| "chromium".into(), PathBuf::from);
    let works = Command::new(&candidate)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        return Some(candidate);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install chromium (see .ci/run)"
    );
    eprintln!("note: chromium is not installed; the page's counts are not checked in a browser");
    None
}

/// The page's DOM after its script ran, as Chromium renders it; fails on any console
/// message or script error. `None` (after the static checks) without a browser outside CI.
fn render(page: &Path) -> Option<String> {
    let html = std::fs::read_to_string(page).unwrap();
    for fetch in [
        "<link",
        " src=",
        "url(",
        "@import",
        "fetch(",
        "XMLHttpRequest",
        "http-equiv",
    ] {
        assert!(!html.contains(fetch), "the page fetches ({fetch})");
    }
    let browser = chromium()?;
    let profile = page.with_extension("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{log}");
    assert!(!dom.contains("data-error="), "a script error: {dom}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not run: {dom}"
    );
    Some(dom)
}

/// The number right after `marker` (`…data-total="exchanges.failed">3<…`).
fn number_after(dom: &str, marker: &str) -> u64 {
    let at = dom
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &dom[at + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("{marker} is followed by {:?}", &rest[..20.min(rest.len())]))
}

/// What the script counted for a section's verdict.
fn shown(dom: &str, section: &str, verdict: &str) -> u64 {
    number_after(
        dom,
        &format!("data-section=\"{section}\" data-lines=\"{verdict}\">"),
    )
}

fn total(dom: &str, key: &str) -> u64 {
    number_after(dom, &format!("data-total=\"{key}\">"))
}

/// The exchanges section shows the JSON report's totals, and has as many lines per verdict.
fn exchanges_agree(dom: &str, totals: &serde_json::Value) {
    for key in [
        "passed",
        "failed",
        "skipped",
        "violations",
        "request_problems",
    ] {
        assert_eq!(
            total(dom, &format!("exchanges.{key}")),
            totals[key].as_u64().unwrap(),
            "{key}"
        );
    }
    for (verdict, key) in [("pass", "passed"), ("fail", "failed"), ("skip", "skipped")] {
        assert_eq!(
            shown(dom, "exchanges", verdict),
            totals[key].as_u64().unwrap(),
            "{key}"
        );
    }
}

/// The generated section's lines (operations × checks) and findings match the JSON report.
fn generated_agree(dom: &str, generated: &serde_json::Value) {
    let totals = &generated["totals"];
    for (verdict, key) in [("pass", "passed"), ("fail", "failed"), ("skip", "skipped")] {
        assert_eq!(
            shown(dom, "generated", verdict),
            totals[key].as_u64().unwrap(),
            "{key}"
        );
    }
    assert_eq!(
        total(dom, "generated.findings"),
        generated["findings"].as_array().unwrap().len() as u64
    );
    assert_eq!(
        total(dom, "generated.cases"),
        generated["cases"].as_u64().unwrap()
    );
}

fn json_of(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_har_run_renders_what_its_json_report_counts() {
    let dir = scratch("har");
    let har = dir.join("t.har");
    let entry = common::reconnect_entry;
    let valid = r#"{"connection_id":"c","integration_id":"github"}"#;
    let doc = serde_json::json!({"log": {"version": "1.2", "entries": [
        entry(valid, 201, r#"{"data":{"token":"t","expires_at":"2026-01-01T00:00:00Z"}}"#),
        entry(valid, 201, r#"{"data":{"token":"t"}}"#),
        entry("{}", 201, r#"{"data":{"token":"t","expires_at":"2026-01-01T00:00:00Z"}}"#),
        entry("{}", 400, r#"{"error":{"code":"invalid_body"}}"#),
    ]}});
    std::fs::write(&har, doc.to_string()).unwrap();
    let (json, html) = (dir.join("r.json"), dir.join("r.html"));
    let out = xtask(&[
        "contract",
        "--har",
        har.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&json);
    assert_eq!(report["totals"]["failed"], 2, "{report}");
    let Some(dom) = render(&html) else { return };
    exchanges_agree(&dom, &report["totals"]);
    // A finding shows its request (credential hidden), the answer and the broken keyword.
    assert!(dom.contains("negative_data_accepted"), "{dom}");
    assert!(dom.contains("Bearer [REDACTED]") && !dom.contains("6f1c2b0e"));
    assert!(
        dom.contains("spec/nango.yaml:"),
        "a keyword's file:line:col: {dom}"
    );
    assert!(dom.contains("rejected as documented (400)"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_nango_suite_and_its_generated_cases_render_what_the_json_report_counts() {
    let dir = scratch("suite");
    let (json, html) = (dir.join("r.json"), dir.join("r.html"));
    let out = xtask(&[
        "contract",
        "--max-examples",
        "2",
        "--json",
        json.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json_of(&json);
    assert_eq!(report["totals"]["passed"], 30);
    let Some(dom) = render(&html) else { return };
    exchanges_agree(&dom, &report["totals"]);
    generated_agree(&dom, &report["generated"]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A GET through the proxy: the status.
fn get(port: u16, path: &str, authorization: Option<&str>) -> u16 {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| ("Authorization", a))
        .into_iter()
        .collect();
    common::request(port, "GET", path, &headers, "").0
}

#[test]
fn generated_cases_and_the_proxy_render_what_their_json_reports_count() {
    let dir = scratch("generated");
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract-tests/tests/fixtures/shop.yaml");
    let spec = spec.to_str().unwrap();
    let mock_port = free_port();
    let _mock = spawn_xtask(
        &[
            "mock",
            "--spec",
            spec,
            "--port",
            &mock_port.to_string(),
            "--stateful",
            "--credential",
            "bearer=s3cret",
            "--fault",
            "use-after-free",
        ],
        mock_port,
    );
    let upstream = format!("http://127.0.0.1:{mock_port}");
    let (json, html) = (dir.join("g.json"), dir.join("g.html"));
    let out = xtask(&[
        "contract",
        "--spec",
        spec,
        "--base-url",
        &upstream,
        "-H",
        "Authorization: Bearer s3cret",
        "--max-examples",
        "2",
        "--json",
        json.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&json);
    if let Some(dom) = render(&html) {
        generated_agree(&dom, &report);
        assert!(dom.contains("use_after_free"));
    }

    // The proxy writes its page at exit (SIGTERM).
    let proxy_port = free_port();
    let (pjson, phtml) = (dir.join("p.json"), dir.join("p.html"));
    let mut proxy = spawn_xtask(
        &[
            "proxy",
            "--spec",
            spec,
            "--upstream",
            &upstream,
            "--port",
            &proxy_port.to_string(),
            "--json",
            pjson.to_str().unwrap(),
            "--html",
            phtml.to_str().unwrap(),
        ],
        proxy_port,
    );
    assert_eq!(get(proxy_port, "/products/1", Some("Bearer s3cret")), 200);
    assert_eq!(get(proxy_port, "/products/1", None), 401);
    get(proxy_port, "/nowhere", None);
    let killed = Command::new("kill")
        .args(["-TERM", &proxy.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = proxy.0.wait();
    let report = json_of(&pjson);
    assert_eq!(report["totals"]["passed"], 2, "{report}");
    assert_eq!(report["totals"]["failed"], 1, "{report}");
    if let Some(dom) = render(&phtml) {
        exchanges_agree(&dom, &report["totals"]);
        assert!(dom.contains("unknown_operation"));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

//! The commands as a user runs them: exit codes, locations, formats, and a bundle that an
//! independent validator (openapi-spec-validator) accepts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use common::{NANGO_KEY, free_port, request, scratch, spawn_server, stdout, xtask};
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn lint_without_overlay_lists_the_five_placeholders_and_fails() {
    let out = xtask(&["lint", "--no-overlay"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for loc in ["62:15", "63:19", "64:23", "65:39", "66:20"] {
        assert!(
            text.contains(&format!("--> spec/nango.yaml:{loc}")),
            "{loc} missing in:\n{text}"
        );
    }
    assert!(text.contains(
        "#/components/schemas/ConnectSessionReconnectInput/properties/integrations_config_defaults"
    ));
    assert!(
        text.trim_end()
            .ends_with("spec/nango.yaml: 5 errors, 0 warnings"),
        "{text}"
    );
}

#[test]
fn lint_with_the_overlay_passes() {
    let out = xtask(&["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out).trim(),
        "spec/nango.yaml + spec/nango.overlay.yaml: 0 errors, 0 warnings"
    );
}

#[test]
fn lint_json_format_is_machine_readable() {
    let out = xtask(&["lint", "--no-overlay", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"], 5);
    assert_eq!(v["diagnostics"][0]["file"], "spec/nango.yaml");
    assert_eq!(v["diagnostics"][0]["line"], 62);
    assert_eq!(v["diagnostics"][0]["column"], 15);
    assert_eq!(v["diagnostics"][0]["code"], "schema-not-object");
}

#[test]
fn unreadable_spec_and_bad_output_extension_are_reported() {
    let out = xtask(&["lint", "--spec", "no/such/spec.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/spec.yaml"));
    let out = xtask(&["bundle", "--out", "x.txt"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["lint", "--help"],
        &["bundle", "--help"],
        &["codegen", "--help"],
        &["contract", "--help"],
        &["contract", "check", "--help"],
        &["mock", "--help"],
        &["proxy", "--help"],
        &["corpus", "--help"],
        &["bench", "--help"],
    ] {
        let out = xtask(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn bundle_refuses_a_spec_with_errors() {
    let dir = scratch("refuse");
    let target = dir.join("nango.yaml");
    let out = xtask(&["bundle", "--no-overlay", "--out", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!target.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// The validator CI installs (see `.ci/run`); outside CI the check is skipped with a note.
fn spec_validator() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("OPENAPI_SPEC_VALIDATOR") {
        return Some(PathBuf::from(p));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must set OPENAPI_SPEC_VALIDATOR (see .ci/run)"
    );
    eprintln!("note: OPENAPI_SPEC_VALIDATOR is not set; skipping the openapi-spec-validator check");
    None
}

fn reload(path: &Path) -> serde_json::Value {
    let input = codegen::Input::read(path, path.display().to_string()).unwrap();
    let loaded = codegen::check(input, vec![]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.document.unwrap().root.to_json()
}

#[test]
fn bundles_are_valid_openapi_and_equal_in_both_formats() {
    let dir = scratch("bundle");
    let (yaml, json) = (dir.join("nango.yaml"), dir.join("nango.json"));
    for target in [&yaml, &json] {
        let out = xtask(&["bundle", "--out", target.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let from_yaml = reload(&yaml);
    assert_eq!(from_yaml, reload(&json));
    assert_eq!(
        from_yaml["paths"]["/connect/sessions/reconnect"]["post"]["operationId"],
        "createReconnectSession"
    );
    let ops: Vec<&str> = ["/connect/sessions", "/connections/{connectionId}"]
        .iter()
        .flat_map(|p| {
            from_yaml["paths"][p]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
        })
        .collect();
    assert_eq!(ops, ["post", "parameters", "get", "delete"]);
    if let Some(validator) = spec_validator() {
        let out = Command::new(validator)
            .arg(&yaml)
            .arg(&json)
            .output()
            .expect("validator runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "openapi-spec-validator rejected the bundle:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(text.matches(": OK").count(), 2, "{text}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn codegen_check_passes_on_the_repo_and_names_stale_files() {
    let out = xtask(&["codegen", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = scratch("codegen");
    let crate_dir = dir.join("nango_api");
    let target = crate_dir.to_str().unwrap();
    assert_eq!(xtask(&["codegen", "--out", target]).status.code(), Some(0));
    assert!(
        std::fs::read_to_string(crate_dir.join("Cargo.toml"))
            .unwrap()
            .contains("name = \"nango_api\"")
    );
    assert_eq!(
        xtask(&["codegen", "--out", target, "--check"])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(crate_dir.join("src/types.rs"), "// edited by hand\n").unwrap();
    std::fs::remove_file(crate_dir.join("src/client.rs")).unwrap();
    let out = xtask(&["codegen", "--out", target, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("src/types.rs (differs)"), "{stderr}");
    assert!(stderr.contains("src/client.rs (missing)"), "{stderr}");
    assert!(stderr.contains("run `cargo xtask codegen`"), "{stderr}");
    // Regenerating over its own earlier output is fine.
    assert_eq!(xtask(&["codegen", "--out", target]).status.code(), Some(0));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn codegen_out_never_overwrites_a_crate_it_did_not_write() {
    let dir = scratch("codegen-safe");
    let app = dir.join("my_app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    let manifest = "[package]\nname = \"my_app\"\nversion = \"0.1.0\"\n";
    std::fs::write(app.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(app.join("src/main.rs"), "fn main() {}\n").unwrap();
    let target = app.to_str().unwrap();
    let out = xtask(&["codegen", "--out", target]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to write into"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(app.join("Cargo.toml")).unwrap(),
        manifest
    );
    assert!(!app.join("src/lib.rs").exists(), "nothing written");
    // --name sets the package name, whatever the folder is called.
    let named = dir.join("out-dir");
    let out = xtask(&[
        "codegen",
        "--out",
        named.to_str().unwrap(),
        "--name",
        "nango_client",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = std::fs::read_to_string(named.join("Cargo.toml")).unwrap();
    assert!(toml.contains("name = \"nango_client\""), "{toml}");
    let bad = xtask(&[
        "codegen",
        "--out",
        named.to_str().unwrap(),
        "--name",
        "9 bad",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("api_9_bad"));
    // Cargo allows hyphens; the crate is then `nango_api` in Rust code.
    let hyphen = dir.join("hyphen");
    let out = xtask(&[
        "codegen",
        "--out",
        hyphen.to_str().unwrap(),
        "--name",
        "nango-api",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn contract_check_prints_a_verdict_and_located_violations() {
    let dir = scratch("check");
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"{"data":{"token":"t","expires_at":"2026-01-01T00:00:00Z"}}"#,
    )
    .unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"data":{"expires_at":"soon"}}"#).unwrap();
    let args = |file: &Path| {
        xtask(&[
            "contract",
            "check",
            "--method",
            "POST",
            "--path",
            "/connect/sessions/reconnect",
            "--status",
            "201",
            file.to_str().unwrap(),
        ])
    };
    let out = args(&good);
    assert_eq!((out.status.code(), stdout(&out).trim()), (Some(0), "VALID"));
    let out = args(&bad);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "INVALID");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        text.contains("#/components/schemas/ConnectSession/required @ spec/nango.yaml:69:7"),
        "{text}"
    );
    assert!(text.contains("at /data/expires_at"), "{text}");
    let out = xtask(&[
        "contract",
        "check",
        "--method",
        "POST",
        "--path",
        "/x",
        "--status",
        "201",
        "missing-file.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn contract_har_validates_recorded_traffic_and_writes_reports() {
    let dir = scratch("har");
    let har = dir.join("staging.har");
    let entry = common::reconnect_entry;
    let valid = r#"{"connection_id":"c","integration_id":"github"}"#;
    let doc = serde_json::json!({"log": {"version": "1.2", "entries": [
        entry(valid, 201, r#"{"data":{"token":"t","expires_at":"2026-01-01T00:00:00Z"}}"#),
        entry(valid, 401, r#"{"error":{"code":"missing_auth_header","payload":{}}}"#),
        // A client's mistake, rejected by Nango exactly as documented: not the server's fault.
        entry("{}", 400, r#"{"error":{"code":"invalid_body","errors":[{"code":"invalid_type","message":"Invalid input: expected string, received undefined","path":["connection_id"]}]}}"#),
    ]}});
    std::fs::write(&har, doc.to_string()).unwrap();
    let (junit, json) = (dir.join("junit.xml"), dir.join("report.json"));
    let out = xtask(&[
        "contract",
        "--har",
        har.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("POST /connect/sessions/reconnect     201  har #0    pass"),
        "{text}"
    );
    assert!(
        text.contains("FAIL     schema: at /error Additional properties are not allowed"),
        "{text}"
    );
    assert!(
        text.contains(
            "har #2    pass     request invalid: schema: \"connection_id\" is a required property"
        ),
        "{text}"
    );
    assert!(text.contains("; rejected as documented (400)"), "{text}");
    assert!(
        text.trim_end().ends_with(
            "2 passed, 1 failed, 0 skipped\n1 contract violation(s); 2 client request problem(s)"
        ),
        "{text}"
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("failures=\"1\"")
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["totals"]["passed"], 2);
    assert_eq!(report["totals"]["request_problems"], 2);
    // --strict-requests: the client's mistake fails the run too.
    let out = xtask(&[
        "contract",
        "--har",
        har.to_str().unwrap(),
        "--strict-requests",
    ]);
    assert!(
        stdout(&out).contains("1 passed, 2 failed, 0 skipped"),
        "{}",
        stdout(&out)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn contract_suite_runs_against_the_embedded_mock_by_default() {
    let dir = scratch("suite");
    let junit = dir.join("junit.xml");
    let out = xtask(&["contract", "--junit", junit.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("against the embedded mock"), "{text}");
    // The generated cases of the effective spec ran too, and found nothing.
    assert!(
        text.contains("4 operations (0 skipped),") && text.contains(" 0 findings in "),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("30 passed, 0 failed, 0 skipped"),
        "{text}"
    );
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("tests=\"30\" failures=\"0\"")
    );
    let out = xtask(&["contract", "--faithful"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("8 failed"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn corpus_generates_every_spec_of_a_directory_and_reports_a_table() {
    let dir = scratch("corpus");
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/corpus");
    for f in ["oai-petstore.yaml", "oai-webhook-example.yaml"] {
        std::fs::copy(specs.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("broken.yaml"), "openapi: [\n").unwrap();
    let json = dir.join("corpus.json");
    let out = xtask(&[
        "corpus",
        dir.to_str().unwrap(),
        "--no-check",
        "--json",
        json.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("oai-petstore.yaml"), "{text}");
    assert!(text.contains("error: broken.yaml:"), "{text}");
    assert!(text.contains("\ngeneration goal"), "{text}");
    assert!(
        text.trim_end().ends_with("generated 2/3 (not checked)"),
        "{text}"
    );
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let petstore = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["spec"] == "oai-petstore.yaml")
        .unwrap();
    assert_eq!(
        (
            petstore["operations"].as_u64(),
            petstore["version"].as_str()
        ),
        (Some(3), Some("3.0.0"))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn codegen_refuses_derives_it_cannot_check() {
    let out = xtask(&["codegen", "--derive", "Copy", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("supported are Eq, Hash, PartialOrd and Ord"),
        "{err}"
    );
}

/// A spec with a lint error in an annotation and one operation whose schema is a `$ref` to
/// nothing: checking goes on for the rest, and the broken operation is skipped with why.
const FLAWED: &str = r#"openapi: 3.1.0
info: {title: Flawed, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200':
          description: Pets.
          content:
            application/json:
              schema:
                type: array
                examples: {first: [{name: a}]}
                items:
                  type: object
                  required: [name]
                  properties: {name: {type: string}}
  /broken:
    get:
      responses:
        '200':
          description: Broken.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
"#;

#[test]
fn contract_check_and_har_go_on_past_lint_errors_and_skip_what_they_break() {
    let dir = scratch("flawed");
    let spec = dir.join("flawed.yaml");
    std::fs::write(&spec, FLAWED).unwrap();
    let lint = xtask(&["lint", "--spec", spec.to_str().unwrap()]);
    assert_eq!(
        lint.status.code(),
        Some(1),
        "the spec does have lint errors"
    );
    let body = dir.join("pets.json");
    std::fs::write(&body, r#"[{"name": "a"}]"#).unwrap();
    let check = |path: &str| {
        xtask(&[
            "contract",
            "check",
            "--spec",
            spec.to_str().unwrap(),
            "--method",
            "GET",
            "--path",
            path,
            "--status",
            "200",
            body.to_str().unwrap(),
        ])
    };
    let out = check("/pets");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        (out.status.code(), stdout(&out).trim()),
        (Some(0), "VALID"),
        "{stderr}"
    );
    assert!(stderr.contains("checking goes on"), "{stderr}");
    let out = check("/broken");
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).starts_with("NOT CHECKED"), "{}", stdout(&out));

    let entry = |path: &str, body: &str| {
        serde_json::json!({
            "request": {"method": "GET", "url": format!("http://h{path}"), "headers": []},
            "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}],
                         "content": {"mimeType": "application/json", "text": body}}
        })
    };
    let har = dir.join("t.har");
    let doc = serde_json::json!({"log": {"version": "1.2", "entries": [
        entry("/pets", r#"[{"name": "a"}]"#),
        entry("/broken", "{}"),
        entry("/pets", r#"[{}]"#),
    ]}});
    std::fs::write(&har, doc.to_string()).unwrap();
    let out = xtask(&[
        "contract",
        "--spec",
        spec.to_str().unwrap(),
        "--har",
        har.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.trim_end().ends_with(
            "1 passed, 1 failed, 1 skipped\n1 contract violation(s); 0 client request problem(s)"
        ),
        "{text}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A mock of `spec` started as a user starts it (`cargo xtask mock --spec …`), killed on drop.
fn serve(spec: &Path, extra: &[&str]) -> common::Served {
    let port = free_port();
    let mut command = mock_command(spec, port);
    command.args(extra);
    spawn_server(command, port)
}

/// `xtask mock --spec SPEC --port PORT`.
fn mock_command(spec: &Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args([
        "mock",
        "--spec",
        spec.to_str().unwrap(),
        "--port",
        &port.to_string(),
    ]);
    command
}

#[test]
fn contract_with_a_spec_tests_a_running_server_and_reports_findings() {
    let dir = scratch("generated");
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract-tests/tests/fixtures/shop.yaml");
    let faulty = serve(
        &spec,
        &[
            "--stateful",
            "--credential",
            "bearer=s3cret",
            "--fault",
            "use-after-free",
        ],
    );
    let (json, junit) = (dir.join("report.json"), dir.join("report.xml"));
    let out = xtask(&[
        "contract",
        "--spec",
        spec.to_str().unwrap(),
        "--base-url",
        &format!("http://127.0.0.1:{}", faulty.1),
        "-H",
        "Authorization: Bearer s3cret",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("use_after_free"), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(report["cases"].as_u64().unwrap() > 100, "{report}");
    let uaf = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "use_after_free")
        .unwrap();
    assert_eq!(uaf["operation"], "GET /products/{productId}");
    assert_eq!(uaf["status"], 200);
    assert!(
        uaf["curl"].as_str().unwrap().starts_with("curl -X POST"),
        "{uaf}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("classname=\"GET /products/{productId}\" name=\"use_after_free\"><failure"),
        "{xml}"
    );

    // Only the checks asked for; the same server, checked for 5xx only, is clean.
    let out = xtask(&[
        "contract",
        "--spec",
        spec.to_str().unwrap(),
        "--base-url",
        &format!("http://127.0.0.1:{}", faulty.1),
        "-H",
        "Authorization: Bearer s3cret",
        "--checks",
        "not_a_server_error",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Usage errors are exit 2 and say what to do.
    let out = xtask(&["contract", "--spec", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base-url"));
    let out = xtask(&[
        "contract",
        "--spec",
        spec.to_str().unwrap(),
        "--base-url",
        "http://127.0.0.1:1",
        "--checks",
        "no_such_check",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown check `no_such_check`"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The Nango mock as a user starts it, with `--state FILE`; killed (SIGKILL) on drop.
fn serve_nango(state: &Path) -> common::Served {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(["mock", "--port", &port.to_string(), "--state"])
        .arg(state)
        .env("NANGO_SECRET_KEY", NANGO_KEY);
    spawn_server(command, port)
}

/// A JSON request to the Nango mock with its key: status and body.
fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let auth = format!("Bearer {NANGO_KEY}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    common::request(port, method, path, &headers, body)
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = scratch("kill9");
    let state = dir.join("state.db");
    let mut tokens = Vec::new();
    for cycle in 0..3 {
        let mut mock = serve_nango(&state);
        for _ in 0..20 {
            let (status, body) = http(
                mock.1,
                "POST",
                "/connect/sessions/reconnect",
                r#"{"connection_id":"conn-session-1","integration_id":"github"}"#,
            );
            assert_eq!(status, 201, "cycle {cycle}: {body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            tokens.push(v["data"]["token"].as_str().unwrap().to_owned());
        }
        // No shutdown: SIGKILL right after the last acknowledgement.
        mock.0.kill().unwrap();
        mock.0.wait().unwrap();
    }
    let mock = serve_nango(&state);
    for token in &tokens {
        let (status, body) = http(
            mock.1,
            "POST",
            "/_mock/connect/complete",
            &format!(r#"{{"token":"{token}"}}"#),
        );
        assert_eq!(status, 200, "an acknowledged session was lost: {body}");
    }
    // A second mock on the same state refuses to start.
    let second = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["mock", "--port", "0", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("in use by another mock"));
    drop(mock);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A mock started with its output kept in `dir` (stdout.txt, stderr.txt), and `env` set.
fn serve_logged(spec: &Path, dir: &Path, env: &[(&str, &str)]) -> common::Served {
    let port = free_port();
    let mut command = mock_command(spec, port);
    command
        .envs(env.iter().copied())
        .stdout(std::fs::File::create(dir.join("stdout.txt")).unwrap())
        .stderr(std::fs::File::create(dir.join("stderr.txt")).unwrap());
    common::spawn_listening(command, port)
}

/// Waits until `file` contains `text` (the background lint prints after the mock listens).
fn wait_for_text(file: &Path, text: &str) -> String {
    for _ in 0..400 {
        let now = std::fs::read_to_string(file).unwrap_or_default();
        if now.contains(text) {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} never said {text:?}", file.display());
}

#[test]
fn a_spec_mock_is_served_by_a_fresh_image_and_falls_back_to_this_one() {
    let dir = scratch("fresh-image");
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract-tests/tests/fixtures/shop.yaml");
    let mock = serve_logged(&spec, &dir, &[]);
    let (status, body) = request(
        mock.1,
        "GET",
        "/products",
        &[("Authorization", "Bearer t")],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let out = wait_for_text(&dir.join("stdout.txt"), "lint: ");
    assert!(out.contains("listening on"), "{out}");
    assert!(out.contains("(served anyway;"), "{out}");
    let err = std::fs::read_to_string(dir.join("stderr.txt")).unwrap();
    assert!(!err.contains("serving in this process"), "{err}");
    // The handed-over file is removed once read.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("xtask-prepared-{}-", mock.0.id())))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    drop(mock);

    // A handed-over file that is not one this command writes is neither read nor removed:
    // the spec is loaded here instead, and served the same.
    let decoy = dir.join("decoy.json");
    std::fs::write(&decoy, "keep me").unwrap();
    let mock = serve_logged(&spec, &dir, &[("XTASK_PREPARED", decoy.to_str().unwrap())]);
    let (status, body) = request(
        mock.1,
        "GET",
        "/products",
        &[("Authorization", "Bearer t")],
        "",
    );
    assert_eq!(status, 200, "{body}");
    wait_for_text(&dir.join("stdout.txt"), "lint: ");
    let err = std::fs::read_to_string(dir.join("stderr.txt")).unwrap();
    assert!(
        err.contains("is not a file this command writes; loading the spec here"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&decoy).unwrap(), "keep me");
    drop(mock);
    std::fs::remove_dir_all(dir).unwrap();
}

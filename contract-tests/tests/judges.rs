//! Third-party judges: tools nobody on this team wrote, run against the embedded mock.
//!
//! schemathesis (pinned 4.32.5, `--checks all`, fixed seed) must report no failure and no
//! missing-auth warning on the real mock, and must fail on a deliberately broken one.
//! CI sets SCHEMATHESIS (see .ci/run); elsewhere these tests are skipped with a note.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // helpers outside #[test] fns

use contract_tests::mock::{self, Sabotage, server::Mock, state};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tool(var: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must set {var} (see .ci/run)"
    );
    eprintln!("note: {var} is not set; skipping this third-party judge");
    None
}

/// The bundled effective spec, written where the judges can read it.
fn bundle(dir: &Path) -> PathBuf {
    let root = workspace();
    let read = |rel: &str| codegen::Input::read(&root.join(rel), rel).unwrap();
    let loaded = codegen::check(
        read("spec/nango.yaml"),
        vec![read("spec/nango.overlay.yaml")],
    );
    let path = dir.join("nango.yaml");
    std::fs::write(
        &path,
        codegen::bundle::render(
            loaded.document.as_ref().unwrap(),
            codegen::bundle::Format::Yaml,
        )
        .unwrap(),
    )
    .unwrap();
    path
}

/// The seeded mock on a free loopback port, deliberately broken when asked.
async fn start_mock(sabotage: Option<Sabotage>) -> mock::Running {
    let mock = Mock::new(state::State::seeded(state::DEV_SECRET_KEY), None);
    match sabotage {
        Some(s) => mock::start_sabotaged(mock, "127.0.0.1:0", s).await,
        None => mock::start(mock, "127.0.0.1:0").await,
    }
    .unwrap()
}

struct Outcome {
    exit: Option<i32>,
    report: serde_json::Value,
    text: String,
}

/// Runs schemathesis against a mock (sabotaged or not), reports kept under target/judges/.
fn schemathesis(st: &Path, sabotage: Option<Sabotage>, name: &str) -> Outcome {
    let keep = workspace().join("target/judges").join(name);
    let _ = std::fs::remove_dir_all(&keep);
    std::fs::create_dir_all(&keep).unwrap();
    let spec = bundle(&keep);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let running = runtime.block_on(start_mock(sabotage));
    // schemathesis and hypothesis keep caches in the working directory: keep them in `keep`.
    let out = Command::new(st)
        .current_dir(&keep)
        .env("NANGO_SECRET_KEY", state::DEV_SECRET_KEY)
        .arg("--config-file")
        .arg(workspace().join("contract-tests/judges/schemathesis.toml"))
        .arg("run")
        .arg(&spec)
        .args([
            "--url",
            &running.base_url,
            "--checks",
            "all",
            "-n",
            "30",
            "--seed",
            "1",
            "--no-color",
        ])
        .args(["--report", "junit,json", "--report-dir"])
        .arg(&keep)
        .output()
        .expect("schemathesis runs");
    drop(running);
    let json_report = std::fs::read_dir(&keep)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("json") && n.ends_with(".json"))
        })
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .unwrap_or_default();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Outcome {
        exit: out.status.code(),
        report: json_report,
        text,
    }
}

fn failure_codes(report: &serde_json::Value) -> Vec<String> {
    report["failures"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn schemathesis_finds_no_failure_in_the_mock() {
    let Some(st) = tool("SCHEMATHESIS") else {
        return;
    };
    let run = schemathesis(&st, None, "schemathesis");
    assert_eq!(run.exit, Some(0), "{}", run.text);
    assert!(failure_codes(&run.report).is_empty(), "{}", run.text);
    let generated = run.report["test_cases"]["generated"].as_u64().unwrap_or(0);
    assert!(
        generated >= 500,
        "too few cases ({generated}):\n{}",
        run.text
    );
    // A run where most requests answered 401 measured the auth layer, not the API.
    let missing_auth = &run.report["warnings"]["missing_auth"];
    assert_eq!(missing_auth, &serde_json::json!([]), "{}", run.text);
}

#[test]
fn schemathesis_fails_on_a_mock_that_ignores_auth() {
    let Some(st) = tool("SCHEMATHESIS") else {
        return;
    };
    let run = schemathesis(&st, Some(Sabotage::IgnoreAuth), "schemathesis-ignore-auth");
    assert_eq!(run.exit, Some(1), "{}", run.text);
    assert!(
        failure_codes(&run.report).iter().any(|c| c == "ST401"),
        "{:?}\n{}",
        failure_codes(&run.report),
        run.text
    );
}

#[test]
fn schemathesis_fails_on_a_mock_that_drops_the_token() {
    let Some(st) = tool("SCHEMATHESIS") else {
        return;
    };
    let run = schemathesis(&st, Some(Sabotage::DropToken), "schemathesis-drop-token");
    assert_eq!(run.exit, Some(1), "{}", run.text);
    assert!(
        failure_codes(&run.report).iter().any(|c| c == "ST108"),
        "{:?}\n{}",
        failure_codes(&run.report),
        run.text
    );
}

/// Runs the Node SDK guide test against a mock; returns (exit code, output).
fn node_sdk(sdk_modules: &Path, sabotage: Option<Sabotage>) -> (Option<i32>, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let running = runtime.block_on(start_mock(sabotage));
    let out = Command::new("node")
        .arg("--test")
        .arg(workspace().join("contract-tests/judges/node-sdk/guide.test.cjs"))
        .env("NODE_PATH", sdk_modules)
        .env("NANGO_HOST", &running.base_url)
        .env("NANGO_SECRET_KEY", state::DEV_SECRET_KEY)
        .output()
        .expect("node runs");
    drop(running);
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_official_node_sdk_drives_the_guide_against_the_mock() {
    let Some(modules) = tool("NANGO_NODE_SDK") else {
        return;
    };
    let (code, text) = node_sdk(&modules, None);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("# pass 5"), "{text}");
}

#[test]
fn the_node_sdk_test_fails_on_a_mock_that_drops_the_token() {
    let Some(modules) = tool("NANGO_NODE_SDK") else {
        return;
    };
    let (code, text) = node_sdk(&modules, Some(Sabotage::DropToken));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("# fail"), "{text}");
}

/// A Prism process, stopped when dropped.
struct Prism(std::process::Child, u16);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `prism mock SPEC` or `prism proxy SPEC UPSTREAM --errors` on a free loopback port.
fn prism(bin: &Path, spec: &Path, upstream: Option<&str>) -> Prism {
    let port = free_port();
    let mut cmd = Command::new(bin);
    match upstream {
        None => cmd.arg("mock"),
        Some(_) => cmd.arg("proxy"),
    };
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(spec);
    if let Some(up) = upstream {
        cmd.args([up, "--errors"]);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("prism starts");
    for _ in 0..240 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Prism(child, port);
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("prism exited: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("prism did not listen on {port}");
}

/// A call's answer as its success body, or what went wrong (transport, undocumented
/// answer, or a documented error status).
fn answer<R: generated::client::Answer + std::fmt::Debug>(
    result: Result<generated::client::Answered<R>, generated::client::Error>,
) -> Result<R::Success, String> {
    result
        .map_err(|e| e.to_string())?
        .into_result()
        .map_err(|e| e.to_string())
}

/// Calls every operation with valid inputs through the generated client; each must decode
/// into its success variant. Returns what went wrong, per operation.
async fn call_every_operation(base: &str) -> Vec<String> {
    use generated::client::{Client, ReqwestClient};
    use generated::operations::*;
    let c = ReqwestClient::builder(base)
        .bearer_token(state::DEV_SECRET_KEY)
        .build()
        .unwrap();
    let mut problems = Vec::new();
    let reconnect = generated::types::ConnectSessionReconnectInput::new("conn-session-1", "github");
    if let Err(e) = answer(c.create_reconnect_session(&reconnect).await) {
        problems.push(format!("createReconnectSession: {e}"));
    }
    let create = generated::types::ConnectSessionInput::default()
        .with_tags(BTreeMap::from([("env".to_owned(), "test".to_owned())]));
    if let Err(e) = answer(c.create_connect_session(&create).await) {
        problems.push(format!("createConnectSession: {e}"));
    }
    let get = GetConnectionParams::new("conn-session-1", "github")
        .with_force_refresh(false)
        .with_refresh_token(false)
        .with_refresh_github_app_jwt_token(false);
    if let Err(e) = answer(c.get_connection(&get).await) {
        problems.push(format!("getConnection: {e}"));
    }
    let delete = DeleteConnectionParams::new("conn-legacy-1", "github");
    if let Err(e) = answer(c.delete_connection(&delete).await) {
        problems.push(format!("deleteConnection: {e}"));
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_decodes_every_operation_from_a_prism_mock() {
    let Some(bin) = tool("PRISM") else { return };
    let dir = workspace().join("target/judges/prism-mock");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = bundle(&dir);
    let p = prism(&bin, &spec, None);
    let problems = call_every_operation(&format!("http://127.0.0.1:{}", p.1)).await;
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prism_validating_proxy_finds_no_violation_in_the_mock_and_catches_a_broken_one() {
    let Some(bin) = tool("PRISM") else { return };
    let dir = workspace().join("target/judges/prism-proxy");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = bundle(&dir);
    for sabotage in [None, Some(Sabotage::DropToken)] {
        let running = start_mock(sabotage).await;
        let p = prism(&bin, &spec, Some(&running.base_url));
        let problems = call_every_operation(&format!("http://127.0.0.1:{}", p.1)).await;
        match sabotage {
            None => assert!(problems.is_empty(), "through the proxy: {problems:#?}"),
            Some(_) => {
                // Prism answers a response that breaks the spec with 500 (undocumented here).
                assert!(
                    problems
                        .iter()
                        .any(|p| p.starts_with("createReconnectSession") && p.contains("500")),
                    "{problems:#?}"
                );
            }
        }
    }
}

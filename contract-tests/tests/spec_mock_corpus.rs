//! The mock of each real spec, end to end: for every operation a request is made from the
//! description (values from the schemas, serialized per style, credentials placed), checked
//! by the contract validator, sent to the mock over loopback, and the answer checked again.
//! A request the validator accepts must be answered with a documented success that conforms
//! — router and validator agree, and the mock's answers are valid. Operations no valid
//! request can be made for are listed with their cause.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

use contract_tests::ContractValidator;
use contract_tests::requests;
use contract_tests::spec_mock::{Options, SpecMock};
use std::path::Path;

/// Seeds tried to make a valid request for one operation.
const SEEDS: u64 = 4;

/// Operations no valid request can be made for: (spec, operation, why).
const UNREQUESTABLE: &[(&str, &str, &str)] = &[
    (
        "discord.json",
        "PATCH /guilds/{guild_id}/requests/{request_id}",
        "`action` has `enum: []`: no value is valid",
    ),
    (
        "readme-schema-types-3.1.yaml",
        "PUT /anything/quirks/polymorphism",
        "the body is `allOf` a string and an integer: no value is valid",
    ),
    (
        "readme-schema-types-3.1.yaml",
        "PATCH /anything/quirks/polymorphism",
        "the body is `allOf` a string and an integer: no value is valid",
    ),
    (
        "readme-schema-types-3.1.yaml",
        "POST /anything/quirks/polymorphism",
        "`incompatible` is `allOf` a string and an integer: no value is valid",
    ),
    (
        "readme-discriminators.json",
        "POST /potentially-undefined-formData",
        "two `oneOf` branches are the same schema: every value matches both",
    ),
    (
        "readme-discriminators.json",
        "PATCH /nested-one-of-object-with-nested-one-of",
        "a `oneOf` inside a `oneOf` of open objects (Cat and Dog share Pet's required \
         fields): a value for one branch must break every other, and the synth breaks \
         the siblings of one level only",
    ),
    (
        "stripe.yaml",
        "POST /v1/subscription_schedules",
        "`phases[].items` is a required list that may be empty, and a form body cannot \
         carry an empty list (deepObject keys name items, so no key means no list)",
    ),
];

/// Operations whose answer cannot conform: (spec, operation, why).
const WRONG_ANSWER: &[(&str, &str, &str)] = &[(
    "spec.yaml",
    "GET /integrations/{uniqueKey}",
    "the published IntegrationFull is `allOf` two closed objects with different \
     properties: no value is valid (the project's overlay repairs it)",
)];

async fn sweep(relative: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs")
        .join(relative);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let loaded = codegen::check(codegen::Input::read(&file, &name).unwrap(), vec![]);
    let doc = loaded.document.clone().unwrap();
    let http = codegen::model::http::describe(&doc);
    let schemes = http.runtime_schemes();
    let json = codegen::load::normalize::to_json_schema_2020(&doc);
    let creds = requests::any_credentials(&http, "token");
    let mock = SpecMock::build(&loaded, Options::default()).unwrap();
    let skipped: Vec<String> = mock
        .summary()
        .skipped
        .iter()
        .map(|s| s.operation.clone())
        .collect();
    let running = mock.start("127.0.0.1:0").await.unwrap();
    let validator = ContractValidator::new(loaded).unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (mut sent, mut unrequestable, mut failures) = (0, Vec::new(), Vec::new());
    // Listed exceptions met, so a list that outlives its cause fails too.
    let mut seen: Vec<String> = Vec::new();
    for endpoint in &http.endpoints {
        let label = endpoint.label();
        if skipped.contains(&label) {
            continue;
        }
        let op = endpoint.describe(&schemes);
        let made = requests::valid(&validator, &op, &json, &creds, SEEDS);
        let Some(made) = made else {
            let listed = UNREQUESTABLE
                .iter()
                .any(|(f, o, _)| *f == name && *o == label);
            if listed {
                seen.push(label.clone());
            } else {
                let attempt = requests::make(&op, &json, 0, true, &creds);
                let why = match &attempt {
                    Ok(m) => {
                        let body = m.body.as_ref().map_or(&[][..], |(_, b)| b.as_slice());
                        let r = validator.check_request(
                            &m.method,
                            &m.target,
                            &m.headers,
                            m.content_type(),
                            body,
                        );
                        format!(
                            "{} {:?}",
                            m.target,
                            r.violations
                                .iter()
                                .map(|v| v.to_string())
                                .collect::<Vec<_>>()
                        )
                    }
                    Err(e) => e.clone(),
                };
                unrequestable.push(format!("{label}: {why}"));
            }
            continue;
        };
        sent += 1;
        let method = reqwest::Method::from_bytes(made.method.as_bytes()).unwrap();
        let mut request = client.request(method, format!("{}{}", running.base_url, made.target));
        for (k, v) in &made.headers {
            request = request.header(k, v);
        }
        if let Some((_, body)) = &made.body {
            request = request.body(body.clone());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let ct = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.unwrap();
        let report =
            validator.check_response(&made.method, &made.target, status, ct.as_deref(), &bytes);
        if endpoint.responses.is_empty() {
            // Nothing documented: any answer but a server error conforms.
            if status >= 500 {
                failures.push(format!("{label} {} → {status}", made.target));
            }
            continue;
        }
        let success = (200..300).contains(&status)
            || !endpoint.responses.iter().any(|r| {
                matches!(
                    r.status,
                    codegen::model::http::Status::Code(200..=299)
                        | codegen::model::http::Status::Range(2)
                )
            });
        let listed = WRONG_ANSWER
            .iter()
            .any(|(f, o, _)| *f == name && *o == label);
        if listed && (!success || !report.is_valid()) {
            seen.push(label.clone());
        }
        if (!success || !report.is_valid()) && !listed {
            failures.push(format!(
                "{label} {} → {status}: {:?} {}",
                made.target,
                report
                    .violations
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>(),
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>()
            ));
        }
    }
    eprintln!(
        "{name}: {} operations, {sent} sent, {} skipped by the mock, {} without a valid request",
        http.endpoints.len(),
        skipped.len(),
        unrequestable.len()
    );
    assert!(
        failures.is_empty(),
        "{name}: {} answers wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let stale: Vec<&str> = UNREQUESTABLE
        .iter()
        .chain(WRONG_ANSWER)
        .filter(|(f, o, _)| *f == name && !seen.iter().any(|s| s == o))
        .map(|(_, o, _)| *o)
        .collect();
    assert!(
        stale.is_empty(),
        "{name}: listed as failing but passed (remove from the list): {stale:?}"
    );
    assert!(
        unrequestable.is_empty(),
        "{name}: no valid request for {}:\n{}",
        unrequestable.len(),
        unrequestable.join("\n")
    );
}

macro_rules! specs {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[tokio::test]
            async fn $test() {
                sweep($file).await;
            }
        )*
    };
}

specs! {
    adyen => "corpus/adyen-checkout-v71.json",
    asana => "corpus/asana.yaml",
    discord => "corpus/discord.json",
    github => "corpus/github-api.json",
    petstore => "corpus/oai-petstore.yaml",
    openai => "corpus/openai.yaml",
    readme_discriminators => "corpus/readme-discriminators.json",
    readme_parameters => "corpus/readme-parameters-style.yaml",
    readme_schema_types => "corpus/readme-schema-types-3.1.yaml",
    spotify => "corpus/spotify.yaml",
    stripe => "corpus/stripe.yaml",
    train_travel => "corpus/train-travel.yaml",
    twilio => "corpus/twilio-api-v2010.json",
    xero => "corpus/xero-accounting.yaml",
    nango => "nango/spec.yaml",
}

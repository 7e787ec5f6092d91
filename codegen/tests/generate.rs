//! Code generation through the library: the model of the Nango spec, determinism, and
//! snapshots of generated code for small real specs (compiled by xtask/tests/generated_compile.rs).

#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use codegen::emit::{self, File};
use codegen::model::http::SchemeKind;
use codegen::model::operations::{Location, Status};
use codegen::{Input, model};

fn generate(spec: Input, overlays: Vec<Input>, name: &str) -> Vec<File> {
    let loaded = codegen::check(spec, overlays);
    let doc = loaded.document.unwrap();
    let (model, _) = model::build(&doc);
    let json = emit::spec_json(&doc);
    emit::generate(
        &model,
        &json,
        &emit::Options {
            crate_name: name.into(),
            runtime: emit::Runtime::Path("../runtime".into()),
            derives: Vec::new(),
            tag_features: Default::default(),
        },
    )
    .unwrap()
}

fn file<'f>(files: &'f [File], path: &str) -> &'f str {
    &files.iter().find(|f| f.path == path).unwrap().contents
}

#[test]
fn nango_model_names_operations_and_statuses() {
    let loaded = codegen::check(common::documented(), vec![common::overlay()]);
    let (m, diags) = model::build(loaded.document.as_ref().unwrap());
    assert!(diags.is_empty(), "{diags:?}");
    let ops: Vec<(&str, &str, &str)> = m
        .operations
        .iter()
        .map(|o| (o.fn_name.as_str(), o.method(), o.path()))
        .collect();
    assert_eq!(
        ops,
        [
            (
                "create_reconnect_session",
                "POST",
                "/connect/sessions/reconnect"
            ),
            ("create_connect_session", "POST", "/connect/sessions"),
            ("get_connection", "GET", "/connections/{connectionId}"),
            ("delete_connection", "DELETE", "/connections/{connectionId}"),
        ]
    );
    let reconnect = &m.operations[0];
    let variants: Vec<(&str, Status)> = reconnect
        .responses
        .iter()
        .map(|r| (r.variant.as_str(), r.status))
        .collect();
    assert_eq!(
        variants,
        [
            ("Created", Status::Code(201)),
            ("BadRequest", Status::Code(400)),
            ("Unauthorized", Status::Code(401)),
            ("Forbidden", Status::Code(403)),
            ("UnsupportedMediaType", Status::Code(415)),
            ("InternalServerError", Status::Code(500)),
        ]
    );
    assert_eq!(reconnect.http.security, vec![vec![0]]);
    assert_eq!(m.security_schemes[0].kind, SchemeKind::Bearer);
    assert!(reconnect.requires_credentials());
    let get = &m.operations[2];
    let params: Vec<(&str, &str, Location, bool)> = get
        .params
        .iter()
        .map(|p| {
            (
                p.ident.as_str(),
                p.spec.wire.as_str(),
                p.spec.location,
                p.spec.required,
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            ("connection_id", "connectionId", Location::Path, true),
            ("force_refresh", "force_refresh", Location::Query, false),
            ("refresh_token", "refresh_token", Location::Query, false),
            (
                "refresh_github_app_jwt_token",
                "refresh_github_app_jwt_token",
                Location::Query,
                false
            ),
            (
                "provider_config_key",
                "provider_config_key",
                Location::Query,
                true
            ),
        ]
    );
    // The 201 envelope is named after what it wraps, and shared by both session operations.
    let created = |i: usize| {
        m.operations[i].responses[0]
            .body
            .as_ref()
            .unwrap()
            .ty
            .clone()
    };
    assert_eq!(created(0), created(1));
    let names: Vec<&str> = m.types.iter().map(|t| t.ident.as_str()).collect();
    assert!(names.contains(&"ConnectSessionEnvelope"), "{names:?}");
}

#[test]
fn output_is_byte_identical_across_runs() {
    let full = || {
        let path = common::shared().join("specs/nango/spec.yaml");
        generate(
            Input::read(&path, "spec.yaml").unwrap(),
            vec![],
            "nango_full",
        )
    };
    assert_eq!(full(), full());
    let small = || generate(common::documented(), vec![common::overlay()], "generated");
    assert_eq!(small(), small());
}

/// `codegen::generate` overlaps lint, model and the embedded spec on two threads: it must
/// give exactly what the stages give one after the other.
#[test]
fn the_overlapped_pipeline_equals_the_stages_in_sequence() {
    let path = common::shared().join("specs/nango/spec.yaml");
    let input = || Input::read(&path, "spec.yaml").unwrap();
    let options = emit::Options {
        crate_name: "nango_full".into(),
        runtime: emit::Runtime::Path("../runtime".into()),
        derives: Vec::new(),
        tag_features: Default::default(),
    };
    let checked = codegen::check(input(), vec![]);
    let doc = checked.document.as_ref().unwrap();
    let (m, model_diags) = model::build(doc);
    let mut expected = checked.diagnostics.clone();
    expected.extend(model_diags);
    codegen::diag::sort(&mut expected);

    let loaded = codegen::load(input(), vec![]);
    let generation = codegen::generate(loaded.document.as_ref().unwrap(), &options);
    let mut got = loaded.diagnostics.clone();
    got.extend(generation.diagnostics);
    codegen::diag::sort(&mut got);
    assert_eq!(got, expected);
    assert!(
        got.iter().any(|d| d.is_error()),
        "the full spec has lint errors"
    );
    assert!(got.iter().any(|d| d.code == "codegen-fallback"));
    assert_eq!(generation.model.types.len(), m.types.len());
    assert_eq!(
        generation.files.unwrap(),
        emit::generate(&m, &emit::spec_json(doc), &options).unwrap()
    );
}

#[test]
fn the_checked_in_crate_matches_the_generator() {
    let files = generate(common::documented(), vec![common::overlay()], "generated");
    for f in &files {
        let on_disk =
            std::fs::read_to_string(common::workspace().join("generated").join(&f.path)).unwrap();
        assert!(
            on_disk == f.contents,
            "generated/{} is stale: run `cargo xtask codegen` and commit",
            f.path
        );
    }
}

fn corpus(name: &str) -> Input {
    let path = common::shared().join("specs/corpus").join(name);
    Input::read(&path, name).unwrap()
}

#[test]
fn petstore_snapshots() {
    let files = generate(corpus("oai-petstore.yaml"), vec![], "petstore");
    for part in ["types", "operations", "client", "server"] {
        insta::assert_snapshot!(
            format!("petstore_{part}"),
            file(&files, &format!("src/{part}.rs"))
        );
    }
}

#[test]
fn discriminator_and_3_1_type_snapshots() {
    for (spec, name) in [
        ("readme-discriminators.json", "discriminators"),
        ("train-travel.yaml", "train_travel"),
        ("oai-webhook-example.yaml", "webhook_example"),
    ] {
        let files = generate(corpus(spec), vec![], name);
        insta::assert_snapshot!(format!("{name}_types"), file(&files, "src/types.rs"));
    }
}

#[test]
fn unions_are_tagged_by_discriminator_or_by_a_required_constant() {
    use codegen::model::ir::{Tagging, TypeKind};
    let spec = Input::new(
        "tagged.yaml",
        "openapi: 3.1.0\ninfo: {title: tagged, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Event:\n      oneOf:\n        - $ref: '#/components/schemas/Created'\n        - $ref: '#/components/schemas/Deleted'\n    Maybe:\n      oneOf: [{$ref: '#/components/schemas/Created'}, {type: 'null'}]\n    Loose:\n      anyOf: [{type: string}, {type: integer}]\n    Created:\n      type: object\n      required: [kind]\n      properties: {kind: {const: created}}\n    Deleted:\n      type: object\n      required: [kind]\n      properties: {kind: {type: string, enum: [deleted]}}\n",
    );
    let loaded = codegen::check(spec, vec![]);
    let (m, _) = model::build(loaded.document.as_ref().unwrap());
    let kind = |name: &str| {
        m.types
            .iter()
            .find(|t| t.ident == name)
            .map(|t| t.kind.clone())
            .unwrap()
    };
    let TypeKind::Union(event) = kind("Event") else {
        panic!()
    };
    assert_eq!(event.tagging, Tagging::Discriminator("kind".into()));
    let tags: Vec<Vec<String>> = event.variants.iter().map(|v| v.tags.clone()).collect();
    assert_eq!(
        tags,
        [vec!["created".to_owned()], vec!["deleted".to_owned()]]
    );
    // A union with null is an Option of the other branch, not a two-variant enum.
    assert!(matches!(
        kind("Maybe"),
        TypeKind::Alias(codegen::model::ir::Ty::Option(_))
    ));
    let TypeKind::Union(loose) = kind("Loose") else {
        panic!()
    };
    assert_eq!(loose.tagging, Tagging::Untagged);
}

/// Microsoft Graph has thousands of paths: nothing the generator emits may nest as deep as
/// the spec is wide (a router built as one method chain overflowed prettyplease's stack).
#[test]
fn thousands_of_routes_generate_without_deep_nesting() {
    let mut spec = String::from("openapi: 3.0.3\ninfo: {title: Wide, version: '1'}\npaths:\n");
    for i in 0..3000 {
        spec.push_str(&format!(
            "  /r{i}:\n    get:\n      operationId: get{i}\n      responses:\n        '204': {{description: ok}}\n"
        ));
    }
    let loaded = codegen::load(Input::new("wide.yaml", spec), vec![]);
    let generation = codegen::generate(
        loaded.document.as_ref().unwrap(),
        &emit::Options {
            crate_name: "wide".into(),
            runtime: emit::Runtime::Path("../runtime".into()),
            derives: Vec::new(),
            tag_features: Default::default(),
        },
    );
    assert_eq!(generation.model.operations.len(), 3000);
    let files = generation.files.unwrap();
    let server = file(&files, "src/server.rs");
    assert_eq!(server.matches(".add(").count(), 3000);
}

/// An operationId starting with a digit becomes `_4o_d_feed`; its handler must still be
/// snake case (`handle_4o_d_feed`, not `handle__4o_d_feed`, which rustc warns about).
#[test]
fn handlers_of_digit_led_operation_ids_are_snake_case() {
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /feed:\n    get:\n      operationId: 4oD feed\n      responses:\n        '204': {description: ok}\n";
    let files = generate(Input::new("t.yaml", spec.to_owned()), vec![], "t");
    let server = file(&files, "src/server.rs");
    assert!(server.contains("fn handle_4o_d_feed<"), "{server}");
    assert!(!server.contains("handle__"), "{server}");
}

/// Generated crates ask for the runtime version this generator was written against; it
/// must be the version `runtime/Cargo.toml` declares.
#[test]
fn the_runtime_version_generated_crates_ask_for_is_the_workspace_runtime() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/Cargo.toml");
    let text = std::fs::read_to_string(manifest).unwrap();
    let declared = text
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim_matches('"'))
        .unwrap();
    assert_eq!(declared, emit::RUNTIME_VERSION);
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .map(|v| v.trim_matches('"'))
        .unwrap();
    assert_eq!(name, emit::RUNTIME_CRATE);
}

/// `readOnly`/`writeOnly`: a required read-only `id` and write-only `password` are required
/// in one direction only, so the type holds them as `Option` (a correct create request has
/// no id, a correct answer no password) and says so in the field's docs.
#[test]
fn one_way_required_properties_are_optional_in_the_type() {
    use codegen::model::ir::{Access, TypeKind};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/users.yaml");
    let loaded = codegen::check(Input::read(&path, "users.yaml").unwrap(), vec![]);
    let (m, _) = model::build(loaded.document.as_ref().unwrap());
    let user = m.types.iter().find(|t| t.ident == "User").unwrap();
    let TypeKind::Struct(s) = &user.kind else {
        panic!("{user:?}")
    };
    let field = |name: &str| s.fields.iter().find(|f| f.wire == name).unwrap();
    assert_eq!(
        (field("id").access, field("id").required),
        (Access::ReadOnly, true)
    );
    assert!(!field("id").always_required());
    assert!(matches!(field("id").ty, codegen::model::ir::Ty::Option(_)));
    assert_eq!(field("password").access, Access::WriteOnly);
    assert!(matches!(
        field("password").ty,
        codegen::model::ir::Ty::Option(_)
    ));
    assert!(field("name").always_required());
    let files = generate(Input::read(&path, "users.yaml").unwrap(), vec![], "users");
    let types = file(&files, "src/types.rs");
    assert!(
        types.contains("Read-only: set by the server, required in responses"),
        "{types}"
    );
    assert!(
        types.contains("#[record(wire = \"id\", into)]\n    pub id: Option<types::Id>"),
        "{types}"
    );
    assert!(
        types.contains("#[record(wire = \"name\", required, into)]\n    pub name: String"),
        "{types}"
    );
}

/// `--derive Hash --derive Ord`: applied where the trait holds, not to a type with a float
/// or a JSON value nor to what contains one (recursion included), and reported once per trait.
#[test]
fn extra_derives_go_where_they_hold() {
    use codegen::model::traits::Trait;
    let spec = Input::new(
        "derive.yaml",
        "openapi: 3.1.0\ninfo: {title: derive, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Price:\n      type: object\n      additionalProperties: false\n      properties: {amount: {type: number}}\n    Order:\n      type: object\n      additionalProperties: false\n      properties: {price: {$ref: '#/components/schemas/Price'}}\n    Tree:\n      type: object\n      additionalProperties: false\n      properties:\n        name: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}\n    Loose:\n      type: object\n      properties: {name: {type: string}}\n",
    );
    let loaded = codegen::load(spec, vec![]);
    let doc = loaded.document.as_ref().unwrap();
    let generation = codegen::generate(
        doc,
        &emit::Options {
            crate_name: "derive".into(),
            runtime: emit::Runtime::Registry,
            derives: vec![Trait::Hash, Trait::Ord],
            tag_features: Default::default(),
        },
    );
    let files = generation.files.unwrap();
    let types = file(&files, "src/types.rs");
    let derive_of = |name: &str| {
        let at = types.find(&format!("pub struct {name} ")).unwrap();
        let start = types[..at].rfind("#[derive(").unwrap();
        types[start..at].lines().next().unwrap().to_owned()
    };
    assert_eq!(
        derive_of("Tree"),
        "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, crate::runtime::Record)]"
    );
    assert_eq!(
        derive_of("Price"),
        "#[derive(Debug, Clone, PartialEq, PartialOrd, crate::runtime::Record)]"
    );
    assert_eq!(
        derive_of("Order"),
        "#[derive(Debug, Clone, PartialEq, PartialOrd, crate::runtime::Record)]"
    );
    // Open objects keep unknown keys as JSON values: equality and hashing, no order.
    assert_eq!(
        derive_of("Loose"),
        "#[derive(Debug, Clone, PartialEq, Eq, Hash, crate::runtime::Record)]"
    );
    let refused: Vec<&str> = generation
        .diagnostics
        .iter()
        .filter(|d| d.code == "derive-refused")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].contains("`--derive Hash` is not applied to 2 of 4 types: 1 hold a float (f64)"),
        "{refused:?}"
    );
    assert!(refused[0].contains("`Price.amount`"), "{refused:?}");
    assert!(
        refused[1].contains("`--derive Ord` is not applied to 3 of 4 types"),
        "{refused:?}"
    );
}

/// Per-tag features: operations gated by their tags, types by the features whose operations
/// reach them, a type every feature reaches ungated, unreached types under `other-schemas`,
/// and `default` enabling them all.
#[test]
fn tags_become_features_gating_operations_and_what_they_reach() {
    use codegen::model::features::{self, Gate, Mode};
    let spec = Input::new(
        "tags.yaml",
        "openapi: 3.1.0\ninfo: {title: tags, version: '1'}\npaths:\n  /pets:\n    get:\n      tags: [Pets]\n      operationId: listPets\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}}, default: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}}\n  /stores:\n    get:\n      tags: [Stores, Pets]\n      operationId: listStores\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Store'}}}}}, default: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}}\n  /health:\n    get:\n      operationId: health\n      responses: {default: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}}\ncomponents:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n    Store: {type: object, properties: {pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}\n    Error: {type: object, properties: {message: {type: string}}}\n    Unused: {type: object, properties: {x: {type: string}}}\n",
    );
    let loaded = codegen::check(spec, vec![]);
    let doc = loaded.document.as_ref().unwrap();
    let (m, _) = model::build(doc);
    assert!(
        features::plan(&m, Mode::Auto).is_none(),
        "3 operations: below the threshold"
    );
    let f = features::plan(&m, Mode::Always).unwrap();
    assert_eq!(f.names, ["pets", "stores", "untagged", "other-schemas"]);
    assert_eq!(
        f.operations,
        [
            Gate::Any(vec![0]),
            Gate::Any(vec![0, 1]),
            Gate::Any(vec![2])
        ]
    );
    let gate = |name: &str| f.types[m.types.iter().position(|t| t.ident == name).unwrap()].clone();
    assert_eq!(gate("Pet"), Gate::Any(vec![0, 1]));
    assert_eq!(gate("Store"), Gate::Any(vec![0, 1]));
    assert_eq!(gate("Error"), Gate::Any(vec![0, 1, 2]));
    assert_eq!(gate("Unused"), Gate::Any(vec![3]));
    let generation = codegen::generate(
        doc,
        &emit::Options {
            crate_name: "tags".into(),
            runtime: emit::Runtime::Registry,
            derives: Vec::new(),
            tag_features: Mode::Always,
        },
    );
    let files = generation.files.unwrap();
    let manifest = file(&files, "Cargo.toml");
    assert!(
        manifest.contains("default = [\"pets\", \"stores\", \"untagged\", \"other-schemas\"]"),
        "{manifest}"
    );
    assert!(
        manifest.contains("# operations tagged `Pets`\npets = []"),
        "{manifest}"
    );
    let client = file(&files, "src/client.rs");
    assert!(
        client
            .contains("#[cfg(any(feature = \"pets\", feature = \"stores\"))]\n    fn list_stores"),
        "{client}"
    );
    let types = file(&files, "src/types.rs");
    assert!(types.contains("#[cfg(feature = \"other-schemas\")]\n/// Source: `#/components/schemas/Unused`\n#[derive(Debug, Clone, PartialEq, crate::runtime::Record)]\npub struct Unused"), "{types}");
}

/// Titles are text from the spec: a newline, a quote or a backslash in one must not break
/// the generated Rust comments or Cargo.toml.
#[test]
fn hostile_titles_stay_inside_comments_and_strings() {
    let spec = Input::new(
        "title.yaml",
        "openapi: 3.1.0\ninfo: {title: \"A \\\"quoted\\\"\\nfn main() {} \\\\ x\", version: \"1\\n2\"}\npaths: {}\n",
    );
    let files = generate(spec, vec![], "titled");
    let manifest = file(&files, "Cargo.toml");
    assert!(manifest.starts_with("# @generated by `cargo xtask codegen` from A \"quoted\" fn main() {} \\ x 1 2. Do not edit.\n"), "{manifest}");
    assert!(manifest.contains("description = \"Types, client and server for A \\\"quoted\\\" fn main() {} \\\\ x, generated"), "{manifest}");
    let lib = file(&files, "src/lib.rs");
    assert_eq!(
        lib.lines().next().unwrap(),
        "// @generated by `cargo xtask codegen` from A \"quoted\" fn main() {} \\ x 1 2. Do not edit."
    );
    assert!(syn::parse_file(lib).is_ok());
}

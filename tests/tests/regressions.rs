//! Every input under `fixtures/regressions/` is a file that once crashed,
//! exhausted memory or was misjudged; `manifest.json` says what each must
//! now give (a typed error with its code, or a verdict), and this test
//! holds the engine to it. New crashes found by fuzzing or probes go there
//! with a line in the manifest.
//!
//! The inputs are committed bytes, not regenerated, so that a change in a
//! generator cannot quietly weaken a regression. `PARAPH_BLESS_REGRESSIONS=1
//! cargo test -p paraph-tests --test regressions -- --ignored bless` writes
//! the generated ones again (see the manifest's `made_by`).
#![forbid(unsafe_code)]

use paraph::audit::records_from_events;
use paraph::envelope::{Envelope, Event};
use paraph::pades::{self, SignOptions, VerifyOptions};
use paraph::pdf::PdfDocument;
use paraph::pdf::testing::{assemble, flate_stream, minimal_pdf, with_annotation};
use paraph_tests::*;
use serde_json::Value;

/// One line of the manifest.
#[derive(Debug, serde::Deserialize)]
struct Case {
    file: String,
    /// `load`, `sign`, `verify`, `envelope` or `evidence`.
    check: String,
    /// The stable error code the check must fail with.
    code: String,
    /// `SignOptions` JSON for `sign`.
    #[serde(default)]
    options: Option<Value>,
    #[allow(dead_code)]
    why: String,
}

fn cases() -> Vec<Case> {
    serde_json::from_slice(&fixture("regressions/manifest.json")).expect("manifest")
}

/// The error code `case` gives now, or `None` when its check passes.
fn outcome(case: &Case) -> Option<String> {
    let bytes = fixture(&format!("regressions/{}", case.file));
    let code = |e: paraph::Error| Some(e.code().name().to_string());
    match case.check.as_str() {
        "load" => PdfDocument::load(&bytes).err().and_then(code),
        "sign" => {
            let options = match &case.options {
                Some(json) => SignOptions::from_json(&json.to_string()).expect("options"),
                None => SignOptions::new(time()),
            };
            pades::sign(&bytes, &signer("rsa", "signer"), None, &options)
                .err()
                .and_then(code)
        }
        "verify" => {
            let anchors = pades::parse_certificates(&fixture("certs/rsa/root.pem")).expect("root");
            let options = VerifyOptions::new(time()).with_trust_anchors(anchors);
            match pades::verify(&bytes, &options) {
                Ok(report) => report.verdict().err().and_then(code),
                Err(e) => code(e),
            }
        }
        "envelope" => Envelope::from_json(std::str::from_utf8(&bytes).expect("utf-8"))
            .err()
            .and_then(code),
        "evidence" => {
            let events: Vec<Event> = serde_json::from_slice(&bytes).expect("events JSON");
            records_from_events(&events).err().and_then(code)
        }
        other => panic!("{}: unknown check {other}", case.file),
    }
}

#[test]
fn every_regression_gives_its_typed_error() {
    let cases = cases();
    assert!(cases.len() >= 10, "the manifest lost cases");
    let mut failures = Vec::new();
    for case in &cases {
        let got = outcome(case);
        if got.as_deref() != Some(case.code.as_str()) {
            failures.push(format!(
                "{} ({}): expected {}, got {}",
                case.file,
                case.check,
                case.code,
                got.as_deref().unwrap_or("success")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_file_in_the_folder_is_in_the_manifest() {
    let listed: std::collections::HashSet<String> = cases().into_iter().map(|c| c.file).collect();
    for entry in std::fs::read_dir(root().join("fixtures/regressions")).expect("folder") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name != "manifest.json" && name != "README.md" {
            assert!(listed.contains(&name), "{name} is not in manifest.json");
        }
    }
}

// ------------------------------------------------------------- generators

fn one_page_with(extra: &[(u32, Vec<u8>)], page_more: &str, contents: Vec<u8>) -> Vec<u8> {
    let mut objects = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R {page_more} >>"
            )
            .into_bytes(),
        ),
        (4, contents),
    ];
    objects.extend_from_slice(extra);
    assemble(&objects, 1)
}

fn text() -> Vec<u8> {
    flate_stream("", b"BT /F1 12 Tf 72 700 Td (Signature) Tj ET")
}

fn signed() -> Vec<u8> {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0), (612.0, 792.0, 0)]);
    pades::sign(
        &pdf,
        &signer("rsa", "signer"),
        None,
        &SignOptions::new(time()),
    )
    .expect("signs")
}

/// The generated inputs, by file name.
fn generated() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let digits = "9".repeat(309);
    out.push((
        "number-309-digits.pdf",
        one_page_with(&[(5, format!("[0 0 {digits} 1]").into_bytes())], "", text()),
    ));
    out.push((
        "media-box-1e40.pdf",
        assemble(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
                (
                    3,
                    format!(
                        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1{} 792] /Contents 4 0 R >>",
                        "0".repeat(40)
                    )
                    .into_bytes(),
                ),
                (4, text()),
            ],
            1,
        ),
    ));
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    out.push((
        "nesting-10000.pdf",
        one_page_with(&[(5, deep.into_bytes())], "", text()),
    ));
    out.push((
        "content-1.9M-operations.pdf",
        one_page_with(&[], "", flate_stream("", &b"q ".repeat(1_900_000))),
    ));
    out.push((
        "content-5M-operations.pdf",
        one_page_with(&[], "", flate_stream("", &b"q ".repeat(5_000_000))),
    ));
    let kids: Vec<String> = (0..200).map(|i| format!("{} 0 R", 10 + i)).collect();
    let mut shared = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (
            2,
            format!("<< /Type /Pages /Kids [{}] /Count 200 >>", kids.join(" ")).into_bytes(),
        ),
        (4, flate_stream("", &b"q Q ".repeat(950_000))),
    ];
    for i in 0..200 {
        shared.push((
            10 + i,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        ));
    }
    out.push(("shared-content-200-pages.pdf", assemble(&shared, 1)));

    let first = signed();
    let mut trailing = first.clone();
    trailing.extend_from_slice(b"garbage after the end of the file\n");
    out.push(("signed-then-trailing-data.pdf", trailing));
    out.push((
        "signed-then-freetext.pdf",
        with_annotation(&first, 2, "FreeText").expect("annotates"),
    ));
    out.push((
        "signed-contents-padding.pdf",
        pades::testing::with_contents_trailing_data(&first, b"hidden").expect("fits"),
    ));
    let b = {
        let text = String::from_utf8_lossy(&first);
        let at = text.rfind("/ByteRange [").expect("range") + "/ByteRange [".len();
        let values: Vec<usize> = text[at..]
            .split(']')
            .next()
            .expect("values")
            .split_whitespace()
            .map(|v| v.parse().expect("number"))
            .collect();
        values[2]
    };
    let mut short =
        pades::testing::resign_over(&first, &signer("rsa", "signer"), first.len() - b - 200)
            .expect("re-signs");
    // Tamper with the last trailer's /ID, which the short range leaves out.
    let id = short
        .windows(5)
        .rposition(|w| w == b"/ID[<")
        .expect("trailer /ID")
        + 5;
    short[id] = if short[id] == b'A' { b'B' } else { b'A' };
    out.push(("signed-byte-range-short.pdf", short));

    let (envelope, events) = lifecycle();
    let state: Value =
        serde_json::from_str(&serde_json::to_string(&envelope).expect("json")).expect("state");
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut value = state.clone();
        edit(&mut value);
        serde_json::to_vec_pretty(&value).expect("json")
    };
    out.push((
        "state-duplicate-recipient-ids.json",
        edited(&|v| {
            let first = v["recipients"][0].clone();
            v["recipients"]
                .as_array_mut()
                .expect("recipients")
                .push(first);
        }),
    ));
    out.push((
        "state-path-like-recipient-id.json",
        edited(&|v| v["recipients"][0]["id"] = Value::from("../x")),
    ));
    out.push((
        "state-version-u64-max.json",
        edited(&|v| v["version"] = Value::from(u64::MAX)),
    ));
    let events: Value =
        serde_json::from_str(&serde_json::to_string(&events).expect("json")).expect("events");
    let without_send: Vec<Value> = events
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| !e.to_string().contains("envelope.sent"))
        .cloned()
        .collect();
    out.push((
        "events-signed-while-draft.json",
        serde_json::to_vec_pretty(&without_send).expect("json"),
    ));
    out
}

/// One signer's story, from creation to completion.
fn lifecycle() -> (Envelope, Vec<Event>) {
    use paraph::envelope::{
        self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, FieldKind,
        NewDocument, NewField, NewRecipient, RecipientRole, SignatureLevel,
    };
    let sender = Actor::ApiKey { id: "key_1".into() };
    let marie = Actor::Recipient { id: "rec_1".into() };
    let mut clock = 0;
    let mut ctx = |actor: &Actor| {
        clock += 60;
        Context::new(time() + chrono::Duration::seconds(clock), actor.clone())
    };
    let created = envelope::create(
        CreateEnvelope {
            id: "env_1".into(),
            subject: "Contract".into(),
            message: None,
            signature_level: SignatureLevel::Simple,
            locale: "en".into(),
            expires_at: None,
            settings: Default::default(),
        },
        &ctx(&sender),
    )
    .expect("create");
    let (mut env, mut events) = (created.envelope, created.events);
    let commands = vec![
        (
            Command::AddDocument(NewDocument {
                id: "doc_1".into(),
                name: "contract.pdf".into(),
                page_count: 1,
                sha256: "ab".repeat(32),
                pages: Vec::new(),
            }),
            sender.clone(),
        ),
        (
            Command::AddRecipient(NewRecipient {
                id: "rec_1".into(),
                name: "Marie Dubois".into(),
                email: Some("marie@example.com".into()),
                phone: None,
                role: RecipientRole::Signer,
                routing_order: 1,
                authentication: AuthenticationMethod::EmailLink,
            }),
            sender.clone(),
        ),
        (
            Command::AddField(NewField {
                id: "fld_1".into(),
                document_id: "doc_1".into(),
                recipient_id: "rec_1".into(),
                kind: FieldKind::Signature,
                page: 1,
                rect: paraph::geometry::Rect::new(10.0, 10.0, 100.0, 30.0),
                required: true,
                value: None,
                multiline: false,
                anchor: None,
            }),
            sender.clone(),
        ),
        (Command::send(), sender.clone()),
        (
            Command::Consent {
                recipient_id: "rec_1".into(),
                version: "2026-01".into(),
                text_sha256: "c0".repeat(32),
            },
            marie.clone(),
        ),
        (
            Command::Sign {
                recipient_id: "rec_1".into(),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            },
            marie.clone(),
        ),
        (
            Command::Complete {
                documents: Vec::new(),
            },
            Actor::System,
        ),
    ];
    for (command, actor) in commands {
        let tr = envelope::apply(&env, command, &ctx(&actor)).expect("applies");
        env = tr.envelope;
        events.extend(tr.events);
    }
    (env, events)
}

#[test]
#[ignore = "writes fixtures/regressions: run with PARAPH_BLESS_REGRESSIONS=1"]
fn bless() {
    if std::env::var_os("PARAPH_BLESS_REGRESSIONS").is_none() {
        return;
    }
    for (name, bytes) in generated() {
        std::fs::write(root().join("fixtures/regressions").join(name), bytes).expect("write");
    }
}

#[test]
fn the_committed_inputs_are_what_the_generators_make_unless_signed() {
    // Signed inputs carry fresh signatures; the others must be byte for
    // byte what the generators make, so the manifest says what they are.
    for (name, bytes) in generated() {
        if name.starts_with("signed-") {
            continue;
        }
        assert_eq!(
            fixture(&format!("regressions/{name}")),
            bytes,
            "{name} differs from its generator: bless again"
        );
    }
}

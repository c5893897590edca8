//! The audit trail checked by independent tools: the sealed PDF by qpdf,
//! poppler and pyHanko, its text by pdftotext, its first page by pdftoppm,
//! the evidence hashes by the Python `rfc8785` implementation of JCS, and
//! the CLI end to end, B-T seal included.
//!
//! These tests need those tools, so they are `#[ignore]`d for a bare
//! `cargo test`; `scripts/test` installs the tools and runs them with
//! `--include-ignored`.
#![forbid(unsafe_code)]

use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use paraph::audit::{
    self, EvidenceBundle, Locale, RenderOptions, render_audit_trail, seal_audit_trail,
};
use paraph::envelope::{
    self, Actor, AuthenticationMethod, Command as EnvelopeCommand, Context, CreateEnvelope,
    DocumentDigest, Envelope, Event, FieldKind, NewDocument, NewField, NewRecipient, RecipientRole,
    SignatureLevel, SignatureMark,
};
use paraph::geometry::Rect;
use paraph::pades::{self, SignOptions, SignatureField, VerifyOptions};
use paraph::pdf::SignatureAppearance;
use paraph_tests::*;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 30, 0).unwrap()
}

const NAMES: [&str; 3] = ["Zoë Ångström-Lefèvre", "이서연", "François Müller"];

/// An envelope signed for real: each signature is a PAdES update of the
/// contract, and the envelope records the digest after it.
struct Story {
    events: Vec<Event>,
    signed: Vec<u8>,
}

fn story() -> Story {
    let mut pdf = fixture("pdf/reportlab-contract.pdf");
    let sender = |minute: i64| {
        Context::new(
            start() + Duration::minutes(minute),
            Actor::ApiKey {
                id: "key_hr".into(),
            },
        )
        .with_ip("203.0.113.10")
        .with_user_agent("hr-system/4.2")
    };
    let person = |minute: i64, id: &str, ip: &str| {
        Context::new(
            start() + Duration::minutes(minute),
            Actor::Recipient { id: id.into() },
        )
        .with_ip(ip)
        .with_user_agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1.15")
    };
    let created = envelope::create(
        CreateEnvelope {
            id: "env_validators".into(),
            subject: "Contrat de travail — Zoë Ångström-Lefèvre / 근로계약서".into(),
            message: None,
            signature_level: SignatureLevel::Advanced,
            locale: "fr".into(),
            expires_at: None,
            settings: Default::default(),
        },
        &sender(0),
    )
    .expect("create");
    let mut envelope: Envelope = created.envelope;
    let mut events = created.events;
    let mut step = |envelope: &mut Envelope, command: EnvelopeCommand, ctx: Context| {
        let transition = envelope::apply(&*envelope, command, &ctx).expect("applies");
        *envelope = transition.envelope;
        events.extend(transition.events);
    };
    step(
        &mut envelope,
        EnvelopeCommand::AddDocument(NewDocument {
            id: "doc_1".into(),
            name: "contrat-de-travail.pdf".into(),
            page_count: 1,
            sha256: paraph::digest::sha256_hex(&pdf),
            pages: Vec::new(),
        }),
        sender(1),
    );
    for (i, (id, auth, role, order)) in [
        (
            "zoe",
            AuthenticationMethod::SmsCode,
            RecipientRole::Signer,
            1,
        ),
        (
            "seoyeon",
            AuthenticationMethod::AccessCode,
            RecipientRole::Signer,
            2,
        ),
        (
            "francois",
            AuthenticationMethod::EmailLink,
            RecipientRole::Cc,
            2,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        step(
            &mut envelope,
            EnvelopeCommand::AddRecipient(NewRecipient {
                id: id.into(),
                name: NAMES[i].into(),
                email: Some(format!("{id}@example.org")),
                phone: (auth == AuthenticationMethod::SmsCode).then(|| "+33611223344".into()),
                role,
                routing_order: order,
                authentication: auth,
            }),
            sender(2),
        );
    }
    // Each signer's signature field (an advanced envelope: every signer
    // authenticates by SMS or access code).
    for (id, y) in [("zoe", 300.0), ("seoyeon", 400.0)] {
        step(
            &mut envelope,
            EnvelopeCommand::AddField(NewField {
                id: format!("sig_{id}"),
                document_id: "doc_1".into(),
                recipient_id: id.into(),
                kind: FieldKind::Signature,
                page: 1,
                rect: Rect::new(150.0, y, 220.0, 60.0),
                required: true,
                value: None,
                multiline: false,
                anchor: None,
            }),
            sender(2),
        );
    }
    step(&mut envelope, EnvelopeCommand::send(), sender(3));
    for (minute, id, ip, mark, y) in [
        (
            20,
            "zoe",
            "198.51.100.23",
            SignatureMark::Drawn {
                png: fixture("images/signature.png"),
            },
            300.0,
        ),
        (
            65,
            "seoyeon",
            "2001:db8::17",
            SignatureMark::Typed {
                text: "이서연".into(),
            },
            400.0,
        ),
    ] {
        step(
            &mut envelope,
            EnvelopeCommand::View {
                recipient_id: id.into(),
            },
            person(minute, id, ip),
        );
        let method = envelope.recipient(id).expect("recipient").authentication;
        if method == AuthenticationMethod::SmsCode {
            step(
                &mut envelope,
                EnvelopeCommand::RequestAuthentication {
                    recipient_id: id.into(),
                },
                person(minute, id, ip),
            );
        }
        step(
            &mut envelope,
            EnvelopeCommand::Authenticate {
                recipient_id: id.into(),
                method,
                passed: true,
            },
            person(minute, id, ip),
        );
        step(
            &mut envelope,
            EnvelopeCommand::Consent {
                recipient_id: id.into(),
                version: "2026-11".into(),
                text_sha256: paraph::digest::sha256_hex(b"I agree to sign electronically."),
            },
            person(minute + 1, id, ip),
        );
        let mut options = SignOptions::new(start() + Duration::minutes(minute + 2));
        options.field = SignatureField::New {
            name: Some(format!("sig_{id}")),
            page: 1,
            rect: Rect::new(150.0, y, 220.0, 60.0),
        };
        options.appearance = Some(SignatureAppearance {
            name: envelope.recipient(id).expect("recipient").name.clone(),
            image: None,
            date: "Signed".into(),
            details: format!("{id}@example.org"),
        });
        pdf = pades::sign(&pdf, &signer("rsa", "signer"), None, &options).expect("signs");
        step(
            &mut envelope,
            EnvelopeCommand::Sign {
                recipient_id: id.into(),
                documents: vec![DocumentDigest {
                    document_id: "doc_1".into(),
                    sha256: paraph::digest::sha256_hex(&pdf),
                }],
                signature: Some(mark),
                certificate_sha256: None,
            },
            person(minute + 2, id, ip),
        );
    }
    step(
        &mut envelope,
        EnvelopeCommand::Complete {
            documents: vec![DocumentDigest {
                document_id: "doc_1".into(),
                sha256: paraph::digest::sha256_hex(&pdf),
            }],
        },
        sender(70),
    );
    assert_eq!(envelope.status, envelope::EnvelopeStatus::Completed);
    Story {
        events,
        signed: pdf,
    }
}

fn generated_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn bundle() -> EvidenceBundle {
    EvidenceBundle::from_events(&story().events, generated_at()).expect("bundle")
}

fn sealed(locale: Locale) -> Vec<u8> {
    let pdf = render_audit_trail(&bundle(), &RenderOptions { locale }).expect("renders");
    seal_audit_trail(&pdf, &signer("rsa", "signer2"), None, generated_at()).expect("seals")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn the_sealed_audit_trail_passes_the_validators_in_every_locale() {
    for locale in Locale::ALL {
        let pdf = sealed(locale);
        let name = format!("audit-trail-{}.pdf", locale.tag());
        let (passed, failed, text) = validate_with(&pdf, &name, &ca("rsa"), 1, &[]);
        assert_eq!(failed, 0, "{name}:\n{text}");
        assert_eq!(passed, 14, "{name}: unexpected check count\n{text}");
        let report = audit::verify_audit_trail(
            &pdf,
            Some(&story().signed),
            &VerifyOptions::new(now()).with_trust_anchors(
                pades::parse_certificates(&fixture("certs/rsa/root.pem")).expect("root"),
            ),
        )
        .expect("verifies");
        assert!(report.is_valid(), "{report:#?}");
    }
}

/// Every recipient, the subject, every event (by its label and record
/// number), the IP addresses and the final digest, as poppler extracts them.
#[test]
#[ignore = "needs poppler: run by scripts/test"]
fn names_and_events_extract_as_text_in_every_locale() {
    let b = bundle();
    let labels: [(Locale, &[&str]); 3] = [
        (
            Locale::En,
            &[
                "Audit trail",
                "Envelope created",
                "Document added",
                "Recipient added",
                "Envelope sent",
                "Recipient notified",
                "Documents viewed",
                "Consent to sign electronically",
                "Signed",
                "Envelope completed",
                // Every signer of an advanced envelope authenticates by
                // SMS or access code: no signature is a simple one.
                "Advanced electronic signature",
                "Regulation (EU) No 910/2014",
                "Page 1 of",
            ],
        ),
        (
            Locale::Fr,
            &[
                "Piste d'audit",
                "Enveloppe créée",
                "Destinataire ajouté",
                "Enveloppe envoyée",
                "Documents consultés",
                "Signé",
                "Enveloppe terminée",
                "Signature électronique avancée",
                "règlement (UE) n° 910/2014",
                "Page 1 sur",
            ],
        ),
        (
            Locale::Ko,
            &[
                "감사 추적 기록",
                "봉투 생성",
                "수신자 추가",
                "봉투 발송",
                "문서 열람",
                "전자서명 동의",
                "서명",
                "봉투 완료",
                "고급 전자서명",
                "규정(EU) No 910/2014",
                "쪽 중 1쪽",
            ],
        ),
    ];
    for (locale, words) in labels {
        let pdf = sealed(locale);
        let text = pdftotext(&pdf, &format!("audit-text-{}.pdf", locale.tag()));
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for name in NAMES {
            assert!(
                flat.contains(name),
                "{}: {name} missing:\n{text}",
                locale.tag()
            );
        }
        assert!(flat.contains("Contrat de travail — Zoë Ångström-Lefèvre / 근로계약서"));
        for word in words {
            assert!(
                flat.contains(word),
                "{}: {word:?} missing:\n{text}",
                locale.tag()
            );
        }
        for record in &b.records {
            assert!(
                flat.contains(&format!("#{}", record.seq)),
                "{}: record {} missing",
                locale.tag(),
                record.seq
            );
        }
        for ip in ["198.51.100.23", "2001:db8::17", "203.0.113.10"] {
            assert!(flat.contains(ip), "{}: {ip} missing", locale.tag());
        }
        assert!(flat.contains(&b.documents[0].final_sha256));
        assert!(flat.contains(&b.chain_head.hash));
    }
}

#[test]
#[ignore = "needs poppler: run by scripts/test"]
fn page_one_renders_with_ink_and_the_drawn_signature() {
    let pdf = sealed(Locale::En);
    let (width, height, rgb) = render(&pdf, "audit-page-one.pdf", 1);
    assert!(
        (595..=596).contains(&width) && height == 842,
        "{width} x {height}"
    );
    let dark = rgb.chunks(3).filter(|p| p.iter().all(|&c| c < 128)).count();
    let inked = rgb.chunks(3).filter(|p| p.iter().any(|&c| c < 230)).count();
    let share = inked as f64 / (width * height) as f64;
    assert!(dark > 2_000, "{dark} dark pixels: the page looks blank");
    assert!(
        (0.02..0.5).contains(&share),
        "{share:.3} of the page is inked"
    );
    // The drawn signature's box, right of the first recipient: some of
    // its pixels are the drawing's ink.
    let ink_in_box = (380..545)
        .flat_map(|x| (250..700).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let i = 3 * (y * width + x);
            // The drawing's ink is (20, 30, 110); the headings' blue
            // (20, 70, 130) has more green.
            rgb[i] < 60 && rgb[i + 1] < 50 && rgb[i + 2] > 80
        })
        .count();
    assert!(
        ink_in_box > 50,
        "no drawn signature near the top right ({ink_in_box})"
    );
}

/// The records' hashes recomputed by the `rfc8785` Python package (Trail
/// of Bits), independently of paraph's canonicalization.
#[test]
#[ignore = "needs Python with rfc8785: run by scripts/test"]
fn evidence_hashes_agree_with_an_independent_jcs_implementation() {
    let path = scratch("evidence-jcs.json");
    std::fs::write(&path, bundle().to_json()).expect("write");
    let script = r#"
import hashlib, json, sys, rfc8785
bundle = json.load(open(sys.argv[1], encoding="utf-8"))
prev = "0" * 64
for record in bundle["records"]:
    claimed = record.pop("hash")
    digest = hashlib.sha256(rfc8785.dumps(record)).hexdigest()
    assert digest == claimed, (record["seq"], digest, claimed)
    assert record["prevHash"] == prev, record["seq"]
    prev = claimed
assert bundle["chainHead"]["hash"] == prev
print("ok", len(bundle["records"]))
"#;
    let stdout = run_python(script, &[path.as_os_str()]);
    assert_eq!(stdout, format!("ok {}", bundle().records.len()));
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn a_tampered_audit_trail_is_caught_by_the_validators_and_by_verify() {
    let pdf = sealed(Locale::En);
    // A byte inside the first page's content stream, well before the seal.
    let start = pdf
        .windows(6)
        .position(|w| w == b"stream")
        .expect("a stream")
        + 200;
    let mut tampered = pdf.clone();
    tampered[start] ^= 0x20;
    let (_, failed, text) = validate_with(&tampered, "audit-tampered.pdf", &ca("rsa"), 1, &[]);
    assert!(failed > 0, "the validators missed a changed byte:\n{text}");
    let anchors = pades::parse_certificates(&fixture("certs/rsa/root.pem")).expect("root");
    match audit::verify_audit_trail(
        &tampered,
        None,
        &VerifyOptions::new(now()).with_trust_anchors(anchors.clone()),
    ) {
        Ok(report) => assert!(!report.is_valid(), "{report:#?}"),
        Err(e) => {
            assert!(e.code().name().starts_with("PDF") || e.code().name().starts_with("AUDIT"))
        }
    }
    // A signed document that is not the final one.
    let report = audit::verify_audit_trail(
        &pdf,
        Some(&fixture("pdf/reportlab-contract.pdf")),
        &VerifyOptions::new(now()).with_trust_anchors(anchors.clone()),
    )
    .expect("verifies");
    assert!(!report.is_valid());
}

fn run(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(paraph_bin())
        .args(args)
        .output()
        .expect("paraph runs")
}

#[test]
#[ignore = "needs openssl, qpdf, poppler and pyHanko: run by scripts/test"]
fn the_cli_builds_renders_seals_with_a_time_stamp_and_verifies() {
    let s = story();
    let events = scratch("cli-events.json");
    let evidence = scratch("cli-evidence.json");
    let trail = scratch("cli-audit-trail.pdf");
    let signed = scratch("cli-signed.pdf");
    std::fs::write(&events, serde_json::to_vec(&s.events).expect("json")).expect("write");
    std::fs::write(&signed, &s.signed).expect("write");
    let os = |s: &str| std::ffi::OsString::from(s);

    let out = run(&[
        os("audit").as_os_str(),
        os("evidence").as_os_str(),
        events.as_os_str(),
        os("-o").as_os_str(),
        evidence.as_os_str(),
        os("--time").as_os_str(),
        os("2026-11-23T10:00:00Z").as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&evidence).expect("evidence"),
        bundle().to_json()
    );

    let tsa = Tsa::start();
    let p12 = root().join("fixtures/certs/rsa/signer2.p12");
    let out = run(&[
        os("audit").as_os_str(),
        os("render").as_os_str(),
        evidence.as_os_str(),
        os("-o").as_os_str(),
        trail.as_os_str(),
        os("--locale").as_os_str(),
        os("ko").as_os_str(),
        os("--seal-p12").as_os_str(),
        p12.as_os_str(),
        os("--password").as_os_str(),
        os("test").as_os_str(),
        os("--tsa").as_os_str(),
        os(&tsa.url).as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roots = scratch("cli-audit-roots.pem");
    let mut pem = fixture("certs/rsa/root.pem");
    pem.extend(fixture("certs/tsa/root.pem"));
    std::fs::write(&roots, pem).expect("write");
    let pdf = std::fs::read(&trail).expect("trail");
    let (_, failed, text) = validate_with(&pdf, "cli-audit-checked.pdf", &roots, 1, &[]);
    assert_eq!(failed, 0, "{text}");
    let view = pyhanko_timestamp(&trail, &roots);
    assert!(view.starts_with("True True True "), "{view}");

    let rsa_root = root().join("fixtures/certs/rsa/root.pem");
    let verify = |input: &std::path::Path, document: &std::path::Path| {
        run(&[
            os("audit").as_os_str(),
            os("verify").as_os_str(),
            input.as_os_str(),
            os("--document").as_os_str(),
            document.as_os_str(),
            os("--trust").as_os_str(),
            rsa_root.as_os_str(),
        ])
    };
    let out = verify(&trail, &signed);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Everything holds."), "{stdout}");
    assert!(stdout.contains("is the final version of doc_1"), "{stdout}");

    let out = verify(&trail, &root().join("fixtures/pdf/reportlab-contract.pdf"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is NOT a final document"));

    // An edited record in the evidence file breaks the chain.
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&evidence).expect("read")).expect("json");
    value["records"][9]["ip"] = "192.0.2.99".into();
    let edited = scratch("cli-evidence-edited.json");
    std::fs::write(&edited, serde_json::to_vec_pretty(&value).expect("json")).expect("write");
    let out = run(&[
        os("audit").as_os_str(),
        os("verify").as_os_str(),
        edited.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at record 10"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[AUDIT_CHAIN_BROKEN]"));
}

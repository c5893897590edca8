//! The signing workflow judged by independent validators: three documents,
//! two signers in parallel, an approver, a last signer and a CC, each
//! signer with a certificate of their own issued at signing time, one at
//! B-T through a local time-stamp authority, a certification at prepare
//! time and a final seal; qpdf, pdfsig and pyHanko check every file,
//! poppler reads back the values, names, dates and initials.
//!
//! The certificates are issued around the real clock: validators judge a
//! chain at the time they run, not at the claimed signing time.

use chrono::{DateTime, Duration, Utc};
use paraph::envelope::{self, *};
use paraph::geometry::Rect;
use paraph::pades::{self, KeyAlgorithm, KeySigner, PadesLevel, Signer, VerifyOptions};
use paraph::pdf::PdfDocument;
use paraph::workflow::{
    self, DocumentBytes, FieldInput, FinalizeOptions, PrepareOptions, RecipientCertificateOptions,
    RecipientInput, SignRecipientOptions,
};
use paraph_tests::*;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now")
}

struct Walk {
    envelope: Envelope,
    history: Vec<Event>,
    documents: Vec<DocumentBytes>,
    start: DateTime<Utc>,
    step: i64,
}

impl Walk {
    /// A context one second after the previous one, ending near now.
    fn ctx(&mut self, actor: Actor) -> Context {
        self.step += 1;
        Context::new(self.start + Duration::seconds(self.step), actor)
    }

    fn run(&mut self, actor: Actor, command: Command) {
        let ctx = self.ctx(actor);
        let transition = envelope::apply(&self.envelope, command, &ctx)
            .unwrap_or_else(|e| panic!("applies: {e}"));
        self.take(transition, Vec::new());
    }

    fn take(&mut self, transition: Transition, changed: Vec<DocumentBytes>) {
        self.envelope = transition.envelope;
        self.history.extend(transition.events);
        for document in changed {
            let slot = self
                .documents
                .iter_mut()
                .find(|d| d.document_id == document.document_id)
                .expect("known document");
            *slot = document;
        }
    }
}

fn sender() -> Actor {
    Actor::ApiKey {
        id: "key_hr".into(),
    }
}

fn me(id: &str) -> Actor {
    Actor::Recipient { id: id.into() }
}

fn pages(pdf: &[u8]) -> Vec<PageSize> {
    PdfDocument::load(pdf)
        .expect("loads")
        .pages()
        .iter()
        .map(|p| {
            let (width, height) = p.geometry.displayed_size();
            PageSize { width, height }
        })
        .collect()
}

fn field(
    id: &str,
    document: &str,
    recipient: &str,
    kind: FieldKind,
    page: u32,
    rect: Rect,
) -> NewField {
    NewField {
        id: id.into(),
        document_id: document.into(),
        recipient_id: recipient.into(),
        kind,
        page,
        rect,
        required: true,
        value: None,
        multiline: false,
        anchor: None,
    }
}

fn anchored(id: &str, recipient: &str, phrase: &str) -> NewField {
    NewField {
        anchor: Some(FieldAnchor {
            text: phrase.into(),
            occurrence: 1,
            placement: AnchorPlacement::Right,
        }),
        ..field(
            id,
            "contract",
            recipient,
            FieldKind::Signature,
            0,
            Rect::new(0.0, -8.0, 190.0, 56.0),
        )
    }
}

/// The envelope the issue describes, prepared and sent: three documents
/// (a one-page contract with anchored signature fields, a two-page offer
/// the platform certifies at prepare time, a three-page annex sealed at
/// the end); Marie (SMS code) and Jun-ho (access code) sign in parallel at
/// order 1, Anna approves at 2 (a text and a checkbox), Paul signs at 3
/// (a multi-line text), Zoé gets a copy; DATE_SIGNED, NAME and initials on
/// every page for the signers.
fn sent(platform: &KeySigner) -> Walk {
    let start = now() - Duration::minutes(10);
    let created = envelope::create(
        CreateEnvelope {
            signature_level: SignatureLevel::Advanced,
            settings: EnvelopeSettings {
                initials_on_every_page: true,
                ..EnvelopeSettings::default()
            },
            ..CreateEnvelope::new("env_validators", "Employment contract — 근로계약서")
        },
        &Context::new(start, sender()),
    )
    .expect("creates");
    let mut walk = Walk {
        envelope: created.envelope,
        history: created.events,
        documents: Vec::new(),
        start,
        step: 0,
    };
    for (id, file) in [
        ("contract", "pdf/libreoffice-contract-signing-page.pdf"),
        ("offer", "pdf/reportlab-contract.pdf"),
        ("annex", "pdf/reportlab-three-pages.pdf"),
    ] {
        let pdf = fixture(file);
        let sizes = pages(&pdf);
        walk.run(
            sender(),
            Command::AddDocument(NewDocument {
                id: id.into(),
                name: format!("{id}.pdf"),
                page_count: sizes.len() as u32,
                pages: sizes,
                sha256: paraph::digest::sha256_hex(&pdf),
            }),
        );
        walk.documents.push(DocumentBytes {
            document_id: id.into(),
            pdf,
        });
    }
    for (id, name, role, order, method) in [
        (
            "marie",
            "Marie-Hélène Dupré",
            RecipientRole::Signer,
            1,
            AuthenticationMethod::SmsCode,
        ),
        (
            "junho",
            "김준호",
            RecipientRole::Signer,
            1,
            AuthenticationMethod::AccessCode,
        ),
        (
            "anna",
            "Anna Keller",
            RecipientRole::Approver,
            2,
            AuthenticationMethod::EmailLink,
        ),
        (
            "paul",
            "Paul Martin",
            RecipientRole::Signer,
            3,
            AuthenticationMethod::AccessCode,
        ),
        (
            "zoe",
            "Zoé Ångström",
            RecipientRole::Cc,
            3,
            AuthenticationMethod::EmailLink,
        ),
    ] {
        walk.run(
            sender(),
            Command::AddRecipient(NewRecipient {
                id: id.into(),
                name: name.into(),
                email: Some(format!("{id}@example.com")),
                phone: Some("+33612345678".into()),
                role,
                routing_order: order,
                authentication: method,
            }),
        );
    }
    let multiline = |mut f: NewField| {
        f.multiline = true;
        f.required = false;
        f
    };
    for new in [
        anchored("sig_marie", "marie", "Signature de l'employeur :"),
        anchored("sig_junho", "junho", "Signature du salarié :"),
        field(
            "sig_marie_offer",
            "offer",
            "marie",
            FieldKind::Signature,
            2,
            Rect::new(320.0, 480.0, 220.0, 70.0),
        ),
        field(
            "sig_junho_offer",
            "offer",
            "junho",
            FieldKind::Signature,
            2,
            Rect::new(72.0, 480.0, 220.0, 70.0),
        ),
        field(
            "date_junho",
            "offer",
            "junho",
            FieldKind::DateSigned,
            2,
            Rect::new(72.0, 560.0, 160.0, 22.0),
        ),
        field(
            "name_junho",
            "offer",
            "junho",
            FieldKind::Name,
            2,
            Rect::new(72.0, 590.0, 220.0, 22.0),
        ),
        field(
            "iban_junho",
            "offer",
            "junho",
            FieldKind::Text,
            1,
            Rect::new(72.0, 700.0, 300.0, 22.0),
        ),
        field(
            "title_anna",
            "offer",
            "anna",
            FieldKind::Text,
            1,
            Rect::new(72.0, 640.0, 300.0, 22.0),
        ),
        field(
            "agree_anna",
            "annex",
            "anna",
            FieldKind::Checkbox,
            1,
            Rect::new(72.0, 300.0, 16.0, 16.0),
        ),
        field(
            "sig_paul",
            "annex",
            "paul",
            FieldKind::Signature,
            3,
            Rect::new(320.0, 560.0, 220.0, 70.0),
        ),
        multiline(field(
            "notes_paul",
            "annex",
            "paul",
            FieldKind::Text,
            2,
            Rect::new(72.0, 300.0, 400.0, 80.0),
        )),
    ] {
        walk.run(sender(), Command::AddField(new));
    }
    let ctx = walk.ctx(sender());
    let prepared = workflow::prepare(
        &walk.envelope,
        &walk.documents,
        Some(platform),
        &PrepareOptions {
            certify: vec!["offer".into()],
            certification_time: Some(ctx.now),
            ..PrepareOptions::default()
        },
    )
    .expect("prepares");
    walk.documents = prepared.documents;
    walk.run(sender(), prepared.command);
    walk
}

/// The recipient authenticates and consents, then signs with a key and
/// certificate of their own.
fn sign(
    walk: &mut Walk,
    input: RecipientInput,
    algorithm: KeyAlgorithm,
    ca: &KeySigner,
    tsa: Option<&Tsa>,
) -> KeySigner {
    let id = input.recipient_id.clone();
    let method = walk
        .envelope
        .recipient(&id)
        .expect("recipient")
        .authentication;
    walk.run(
        me(&id),
        Command::View {
            recipient_id: id.clone(),
        },
    );
    walk.run(
        me(&id),
        Command::Authenticate {
            recipient_id: id.clone(),
            method,
            passed: true,
        },
    );
    walk.run(
        me(&id),
        Command::Consent {
            recipient_id: id.clone(),
            version: "2026-11".into(),
            text_sha256: paraph::digest::sha256_hex(b"I agree to sign electronically."),
        },
    );
    let ctx = walk.ctx(me(&id));
    let mut entropy = [0u8; 32];
    entropy[..id.len()].copy_from_slice(id.as_bytes());
    let signer = workflow::issue_recipient_signer(
        &walk.envelope,
        &id,
        ca,
        &entropy,
        &RecipientCertificateOptions {
            algorithm,
            ..RecipientCertificateOptions::default()
        },
        ctx.now,
    )
    .expect("issues");
    let options = SignRecipientOptions {
        level: if tsa.is_some() {
            PadesLevel::BaselineT
        } else {
            PadesLevel::BaselineB
        },
        ..SignRecipientOptions::default()
    };
    let tsa = tsa.map(|t| t as &dyn pades::TimestampAuthority);
    let signed = workflow::sign_recipient(
        &walk.envelope,
        &walk.documents,
        &input,
        &signer,
        tsa,
        &options,
        &ctx,
    )
    .unwrap_or_else(|e| panic!("{id} signs: {e}"));
    walk.take(signed.transition, signed.documents);
    signer
}

fn roots() -> std::path::PathBuf {
    let path = scratch("workflow-roots.pem");
    let mut pem = fixture("certs/rsa/root.pem");
    pem.extend(fixture("certs/ec/root.pem"));
    pem.extend(fixture("certs/tsa/root.pem"));
    std::fs::write(&path, pem).expect("write");
    path
}

#[test]
#[ignore = "needs qpdf, poppler, pyHanko and openssl (the TSA): run by scripts/test"]
fn a_whole_envelope_validates_with_each_signer_named() {
    let ca = KeySigner::from_pem(
        &fixture("certs/rsa/intermediate.key"),
        &fixture("certs/rsa/chain.pem"),
    )
    .expect("CA");
    let platform = KeySigner::from_pkcs12(&fixture("certs/demo/seal.p12"), "test").expect("seal");
    let tsa = Tsa::start();
    let mut walk = sent(&platform);
    let marie = sign(
        &mut walk,
        RecipientInput::new("marie"),
        KeyAlgorithm::Rsa2048,
        &ca,
        None,
    );
    let junho = sign(
        &mut walk,
        RecipientInput {
            values: vec![FieldInput {
                field_id: "iban_junho".into(),
                value: "FR76 3000 6000 0112 3456 7890 189".into(),
            }],
            ..RecipientInput::new("junho")
        },
        KeyAlgorithm::P256,
        &ca,
        Some(&tsa),
    );
    // Anna approves: her values in an unsigned revision, which Paul's
    // signatures then cover.
    walk.run(
        me("anna"),
        Command::View {
            recipient_id: "anna".into(),
        },
    );
    walk.run(
        me("anna"),
        Command::Consent {
            recipient_id: "anna".into(),
            version: "2026-11".into(),
            text_sha256: paraph::digest::sha256_hex(b"I agree to sign electronically."),
        },
    );
    let ctx = walk.ctx(me("anna"));
    let approved = workflow::approve_recipient(
        &walk.envelope,
        &walk.documents,
        &RecipientInput {
            values: vec![
                FieldInput {
                    field_id: "title_anna".into(),
                    value: "Head of People".into(),
                },
                FieldInput {
                    field_id: "agree_anna".into(),
                    value: "true".into(),
                },
            ],
            ..RecipientInput::new("anna")
        },
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect("approves");
    walk.take(approved.transition, approved.documents);
    let paul = sign(
        &mut walk,
        RecipientInput {
            values: vec![FieldInput {
                field_id: "notes_paul".into(),
                value: "Start date: 5 January 2027.\nProbation: three months.".into(),
            }],
            ..RecipientInput::new("paul")
        },
        KeyAlgorithm::P256,
        &ca,
        None,
    );
    let ctx = walk.ctx(Actor::System);
    let done = workflow::finalize(
        &walk.envelope,
        &walk.history,
        &walk.documents,
        &platform,
        Some(&tsa),
        &FinalizeOptions {
            seal: vec!["annex".into()],
            level: PadesLevel::BaselineT,
            ..FinalizeOptions::default()
        },
        &ctx,
    )
    .expect("finalizes");
    assert_eq!(done.transition.envelope.status, EnvelopeStatus::Completed);

    let roots = roots();
    let seal = "paraph Demo Platform Seal";
    let expected = [
        // Paul initials every page: an invisible signature of his where he
        // has no field.
        (
            "contract",
            vec!["Marie-Hélène Dupré", "김준호", "Paul Martin"],
        ),
        (
            "offer",
            vec![seal, "Marie-Hélène Dupré", "김준호", "Paul Martin"],
        ),
        (
            "annex",
            vec!["Marie-Hélène Dupré", "김준호", "Paul Martin", seal],
        ),
    ];
    let pdf_of = |id: &str| {
        &done
            .documents
            .iter()
            .find(|d| d.document_id == id)
            .expect("document")
            .pdf
    };
    for (document, names) in &expected {
        let pdf = pdf_of(document);
        let file = format!("workflow-{document}.pdf");
        let (_, failed, text) = validate_with(pdf, &file, &roots, names.len(), &[]);
        assert_eq!(failed, 0, "{document}:\n{text}");
        // Each signer has a certificate of their own, so pdfsig shows every
        // signature (it shows one per certificate).
        let mut shown = pdfsig_common_names(pdf, &file);
        shown.sort();
        let mut names = names.clone();
        names.sort();
        assert_eq!(shown, names, "{document}");
    }
    // The offer's first signature is the platform's certification.
    let verify = VerifyOptions::new(now()).with_trust_anchors(
        pades::parse_certificates(&std::fs::read(&roots).expect("roots")).expect("roots"),
    );
    let offer = pades::verify(pdf_of("offer"), &verify).expect("verifies");
    offer.verdict().expect("offer intact and trusted");
    assert!(offer.signatures.iter().any(|s| matches!(
        s.kind,
        pades::SignatureKind::Certification { permission: 2 }
    )));

    // What poppler reads back: values, names, the date, the initials.
    let date = walk
        .envelope
        .recipient("junho")
        .expect("junho")
        .signed_at
        .expect("signed");
    for (document, expected) in [
        ("offer", "FR76 3000 6000 0112 3456 7890 189"),
        ("offer", "Head of People"),
        ("offer", "김준호"),
        ("offer", &date.format("%Y-%m-%d").to_string()),
        ("annex", "Probation: three months."),
        ("annex", "MHD"),
        ("annex", "PM"),
    ] {
        let text = pdftotext(pdf_of(document), &format!("workflow-{document}-text.pdf"));
        assert!(
            text.contains(expected),
            "{expected:?} not in the {document}:\n{text}"
        );
    }

    // Jun-ho's signatures carry a time-stamp, and so do the final seal;
    // the others do not.
    for document in ["contract", "offer", "annex"] {
        let report = pades::verify(pdf_of(document), &verify).expect("verifies");
        report.verdict().expect("intact and trusted");
        for signature in &report.signatures {
            let name = signature
                .signer
                .as_ref()
                .and_then(|s| s.common_name.clone());
            let stamped = name.as_deref() == Some("김준호")
                || signature.field_name == workflow::FINAL_SEAL_FIELD;
            assert_eq!(
                signature.timestamp_time.is_some(),
                stamped,
                "{} in {document}",
                signature.field_name
            );
        }
    }
    // The envelope and so the evidence record each signer's certificate.
    for (id, signer) in [("marie", &marie), ("junho", &junho), ("paul", &paul)] {
        let fingerprint = signer.certificate_chain()[0].fingerprint_sha256();
        assert_eq!(
            done.transition
                .envelope
                .recipient(id)
                .and_then(|r| r.certificate_sha256.as_deref()),
            Some(fingerprint.as_str())
        );
    }
    let (_, failed, text) = validate_with(&done.audit_trail, "workflow-audit.pdf", &roots, 1, &[]);
    assert_eq!(failed, 0, "audit trail:\n{text}");
    for document in &done.documents {
        paraph::audit::verify_audit_trail(&done.audit_trail, Some(&document.pdf), &verify)
            .expect("verifies")
            .verdict()
            .unwrap_or_else(|e| panic!("{}: {e}", document.document_id));
    }

    // The same completion made an archive (B-LTA): the CA certificates in
    // each document's DSS (its certificates name no revocation service),
    // then a document time-stamp. Every signature then reaches B-LTA, and
    // the audit trail still verifies against the final documents.
    let ca_certs: Vec<Vec<u8>> = [
        "certs/rsa/chain.pem",
        "certs/ec/chain.pem",
        "certs/demo/chain.pem",
    ]
    .iter()
    .flat_map(|path| pades::parse_certificates(&fixture(path)).expect("chain"))
    .map(|c| c.der().to_vec())
    .collect();
    let archived = workflow::finalize(
        &walk.envelope,
        &walk.history,
        &walk.documents,
        &platform,
        Some(&tsa),
        &FinalizeOptions {
            seal: vec!["annex".into()],
            level: PadesLevel::BaselineT,
            validation_data: pades::ValidationData {
                certificates: ca_certs,
                ..Default::default()
            },
            archive: true,
            ..FinalizeOptions::default()
        },
        &ctx,
    )
    .expect("finalizes as an archive");
    for document in &archived.documents {
        let report = pades::verify(&document.pdf, &verify).expect("verifies");
        report.verdict().expect("intact and trusted");
        let (stamps, signatures): (Vec<_>, Vec<_>) = report
            .signatures
            .iter()
            .partition(|s| s.kind == pades::SignatureKind::DocumentTimestamp);
        assert_eq!(stamps.len(), 1, "{}", document.document_id);
        for signature in signatures {
            assert_eq!(
                signature.level,
                Some(pades::BaselineLevel::Lta),
                "{} in {}: {signature:#?}",
                signature.field_name,
                document.document_id
            );
        }
        paraph::audit::verify_audit_trail(&archived.audit_trail, Some(&document.pdf), &verify)
            .expect("verifies")
            .verdict()
            .unwrap_or_else(|e| panic!("{}: {e}", document.document_id));
    }
    let err = workflow::finalize(
        &walk.envelope,
        &walk.history,
        &walk.documents,
        &platform,
        None,
        &FinalizeOptions {
            archive: true,
            ..FinalizeOptions::default()
        },
        &ctx,
    )
    .expect_err("no TSA");
    assert_eq!(err.code(), paraph::ErrorCode::InvalidArgument);
}

/// pdfsig's "Signer Certificate Common Name" of each signature.
fn pdfsig_common_names(pdf: &[u8], name: &str) -> Vec<String> {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdfsig")
        .arg(&path)
        .output()
        .expect("pdfsig runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- Signer Certificate Common Name: "))
        .map(str::to_owned)
        .collect()
}

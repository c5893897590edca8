//! The signing workflow judged by independent validators: an envelope with
//! two documents and two signers, each with a certificate of their own
//! issued at signing time, one of them at B-T through a local time-stamp
//! authority, then finalized; qpdf, pdfsig and pyHanko check every file,
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
    self, DocumentBytes, FieldInput, FinalizeOptions, RecipientCertificateOptions, RecipientInput,
    SignRecipientOptions,
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

/// The envelope, prepared and sent: a one-page contract with anchored
/// signature fields, a two-page annex with Jun-ho's signature, date, name
/// and a text field; initials on every page for both.
fn sent() -> Walk {
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
        ("annex", "pdf/reportlab-contract.pdf"),
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
    for (id, name, order, method) in [
        (
            "marie",
            "Marie-Hélène Dupré",
            1,
            AuthenticationMethod::SmsCode,
        ),
        ("junho", "김준호", 2, AuthenticationMethod::AccessCode),
    ] {
        walk.run(
            sender(),
            Command::AddRecipient(NewRecipient {
                id: id.into(),
                name: name.into(),
                email: Some(format!("{id}@example.com")),
                phone: Some("+33612345678".into()),
                role: RecipientRole::Signer,
                routing_order: order,
                authentication: method,
            }),
        );
    }
    for new in [
        anchored("sig_marie", "marie", "Signature de l'employeur :"),
        anchored("sig_junho", "junho", "Signature du salarié :"),
        field(
            "sig_junho_annex",
            "annex",
            "junho",
            FieldKind::Signature,
            2,
            Rect::new(320.0, 560.0, 220.0, 70.0),
        ),
        field(
            "date_junho",
            "annex",
            "junho",
            FieldKind::DateSigned,
            2,
            Rect::new(320.0, 640.0, 160.0, 22.0),
        ),
        field(
            "name_junho",
            "annex",
            "junho",
            FieldKind::Name,
            2,
            Rect::new(320.0, 670.0, 220.0, 22.0),
        ),
        field(
            "iban_junho",
            "annex",
            "junho",
            FieldKind::Text,
            1,
            Rect::new(72.0, 700.0, 300.0, 22.0),
        ),
    ] {
        walk.run(sender(), Command::AddField(new));
    }
    let prepared = workflow::prepare(&walk.envelope, &walk.documents, None, &Default::default())
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
    let mut walk = sent();
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
    let ctx = walk.ctx(Actor::System);
    let done = workflow::finalize(
        &walk.envelope,
        &walk.history,
        &walk.documents,
        &platform,
        Some(&tsa),
        &FinalizeOptions {
            seal: vec!["contract".into()],
            level: PadesLevel::BaselineT,
            ..FinalizeOptions::default()
        },
        &ctx,
    )
    .expect("finalizes");
    assert_eq!(done.transition.envelope.status, EnvelopeStatus::Completed);

    let roots = roots();
    let expected = [
        (
            "contract",
            vec!["Marie-Hélène Dupré", "김준호", "paraph Demo Platform Seal"],
        ),
        ("annex", vec!["Marie-Hélène Dupré", "김준호"]),
    ];
    for (document, names) in &expected {
        let pdf = &done
            .documents
            .iter()
            .find(|d| d.document_id == *document)
            .expect("document")
            .pdf;
        let file = format!("workflow-{document}.pdf");
        let (_, failed, text) = validate_with(pdf, &file, &roots, names.len(), &[]);
        assert_eq!(failed, 0, "{document}:\n{text}");
        // Each signer has a certificate of their own, so pdfsig shows every
        // signature (it shows one per certificate), in signing order.
        let mut shown = pdfsig_common_names(pdf, &file);
        shown.sort();
        let mut names = names.clone();
        names.sort();
        assert_eq!(shown, names, "{document}");
    }

    // What poppler reads back: names, the date, the value, the initials.
    let annex = &done.documents[1].pdf;
    let text = pdftotext(annex, "workflow-annex-text.pdf");
    let date = walk
        .envelope
        .recipient("junho")
        .expect("junho")
        .signed_at
        .expect("signed");
    for expected in [
        "FR76 3000 6000 0112 3456 7890 189",
        "김준호",
        &date.format("%Y-%m-%d").to_string(),
        "MHD",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the annex:\n{text}"
        );
    }

    // Jun-ho's signatures carry a time-stamp; Marie's do not.
    let verify = VerifyOptions::new(now()).with_trust_anchors(
        pades::parse_certificates(&std::fs::read(&roots).expect("roots")).expect("roots"),
    );
    let report = pades::verify(annex, &verify).expect("verifies");
    report.verdict().expect("intact and trusted");
    for signature in &report.signatures {
        let name = signature
            .signer
            .as_ref()
            .and_then(|s| s.common_name.clone());
        assert_eq!(
            signature.timestamp_time.is_some(),
            name.as_deref() == Some("김준호"),
            "{}",
            signature.field_name
        );
    }
    // The envelope and the audit trail record each signer's certificate.
    for (id, signer) in [("marie", &marie), ("junho", &junho)] {
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

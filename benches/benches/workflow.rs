//! The signing workflow, step by step, on a 1-page and a 50-page document
//! with initials on every page: `prepare` at send, `sign_recipient` for one
//! signer (their initials on every page and one signature, one
//! incremental update), the same with a certificate issued for the signer
//! first (`issue_recipient_signer`, P-256), and `finalize` (the platform's
//! seal, the completion, the audit trail rendered and sealed).
#![forbid(unsafe_code)]

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use paraph::envelope::{
    self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, Envelope,
    EnvelopeSettings, Event, FieldKind, NewDocument, NewField, NewRecipient, PageSize,
    RecipientRole,
};
use paraph::geometry::Rect;
use paraph::pades::KeySigner;
use paraph::pdf::testing::minimal_pdf;
use paraph::workflow::{
    self, DocumentBytes, FinalizeOptions, RecipientCertificateOptions, RecipientInput,
};
use paraph_benches::t;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures")).join(path))
        .expect("fixture")
}

/// A draft with one document of `pages` pages and one signer.
fn draft(pages: usize) -> (Envelope, Vec<Event>, Vec<DocumentBytes>) {
    let sender = |s| Context::new(t(s), Actor::ApiKey { id: "key".into() });
    let pdf = minimal_pdf(&vec![(595.0, 842.0, 0); pages]);
    let created = envelope::create(
        CreateEnvelope {
            settings: EnvelopeSettings {
                initials_on_every_page: true,
                ..EnvelopeSettings::default()
            },
            ..CreateEnvelope::new("env_bench", "Employment contract")
        },
        &sender(0),
    )
    .expect("creates");
    let mut envelope = created.envelope;
    let mut history = created.events;
    for command in [
        Command::AddDocument(NewDocument {
            id: "doc".into(),
            name: "contract.pdf".into(),
            page_count: pages as u32,
            pages: vec![
                PageSize {
                    width: 595.0,
                    height: 842.0
                };
                pages
            ],
            sha256: paraph::digest::sha256_hex(&pdf),
        }),
        Command::AddRecipient(NewRecipient {
            id: "marie".into(),
            name: "Marie Dubois".into(),
            email: Some("marie@example.com".into()),
            phone: None,
            role: RecipientRole::Signer,
            routing_order: 1,
            authentication: AuthenticationMethod::EmailLink,
        }),
        Command::AddField(NewField {
            id: "sig_marie".into(),
            document_id: "doc".into(),
            recipient_id: "marie".into(),
            kind: FieldKind::Signature,
            page: pages as u32,
            rect: Rect::new(72.0, 600.0, 220.0, 70.0),
            required: true,
            value: None,
            multiline: false,
            anchor: None,
        }),
    ] {
        let transition = envelope::apply(&envelope, command, &sender(1)).expect("applies");
        envelope = transition.envelope;
        history.extend(transition.events);
    }
    let documents = vec![DocumentBytes {
        document_id: "doc".into(),
        pdf,
    }];
    (envelope, history, documents)
}

/// The draft prepared, sent, and consented to.
fn ready(pages: usize) -> (Envelope, Vec<Event>, Vec<DocumentBytes>) {
    let (draft, mut history, documents) = draft(pages);
    let prepared =
        workflow::prepare(&draft, &documents, None, &Default::default()).expect("prepares");
    let mut envelope = draft;
    for (command, actor) in [
        (prepared.command, Actor::System),
        (
            Command::Consent {
                recipient_id: "marie".into(),
                version: "1".into(),
                text_sha256: "ab".repeat(32),
            },
            Actor::Recipient { id: "marie".into() },
        ),
    ] {
        let transition =
            envelope::apply(&envelope, command, &Context::new(t(10), actor)).expect("applies");
        envelope = transition.envelope;
        history.extend(transition.events);
    }
    (envelope, history, prepared.documents)
}

fn bench(c: &mut Criterion) {
    let signer = KeySigner::from_pkcs12(&fixture("certs/rsa/signer.p12"), "test").expect("p12");
    let ca = KeySigner::from_pem(
        &fixture("certs/rsa/intermediate.key"),
        &fixture("certs/rsa/chain.pem"),
    )
    .expect("CA");
    let platform = KeySigner::from_pkcs12(&fixture("certs/demo/seal.p12"), "test").expect("seal");
    let marie = Context::new(t(20), Actor::Recipient { id: "marie".into() });
    let mut group = c.benchmark_group("workflow");
    group.sample_size(10);
    for pages in [1usize, 50] {
        let (draft, _, documents) = draft(pages);
        group.bench_with_input(BenchmarkId::new("prepare", pages), &pages, |b, _| {
            b.iter(|| {
                workflow::prepare(&draft, &documents, None, &Default::default()).expect("prepares")
            })
        });
        let (envelope, history, documents) = ready(pages);
        let input = RecipientInput::new("marie");
        group.bench_with_input(BenchmarkId::new("sign_recipient", pages), &pages, |b, _| {
            b.iter(|| {
                workflow::sign_recipient(
                    &envelope,
                    &documents,
                    &input,
                    &signer,
                    None,
                    &Default::default(),
                    &marie,
                )
                .expect("signs")
            })
        });
        let mut counter = 0u64;
        group.bench_with_input(
            BenchmarkId::new("issue_and_sign_recipient", pages),
            &pages,
            |b, _| {
                b.iter(|| {
                    counter += 1;
                    let mut entropy = [0x5a; 32];
                    entropy[..8].copy_from_slice(&counter.to_le_bytes());
                    let own = workflow::issue_recipient_signer(
                        &envelope,
                        "marie",
                        &ca,
                        &entropy,
                        &RecipientCertificateOptions::default(),
                        marie.now,
                    )
                    .expect("issues");
                    workflow::sign_recipient(
                        &envelope,
                        &documents,
                        &input,
                        &own,
                        None,
                        &Default::default(),
                        &marie,
                    )
                    .expect("signs")
                })
            },
        );
        let signed = workflow::sign_recipient(
            &envelope,
            &documents,
            &input,
            &signer,
            None,
            &Default::default(),
            &marie,
        )
        .expect("signs");
        let mut all = history.clone();
        all.extend(signed.transition.events.iter().cloned());
        let finalize_options = FinalizeOptions {
            seal: vec!["doc".into()],
            ..FinalizeOptions::default()
        };
        let system = Context::new(t(30), Actor::System);
        group.bench_with_input(BenchmarkId::new("finalize", pages), &pages, |b, _| {
            b.iter(|| {
                workflow::finalize(
                    &signed.transition.envelope,
                    &all,
                    &signed.documents,
                    &platform,
                    None,
                    &finalize_options,
                    &system,
                )
                .expect("finalizes")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

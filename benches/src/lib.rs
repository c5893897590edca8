//! Shared inputs for the benchmarks in `benches/benches/`.
#![forbid(unsafe_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use paraph::envelope::{
    self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, Envelope, Event,
    FieldKind, NewDocument, NewField, NewRecipient, RecipientRole, SignatureLevel,
};
use paraph::geometry::Rect;
use paraph::pades::{SignOptions, SignatureField};
use paraph::pdf::SignatureAppearance;

/// What every signing benchmark signs with (the criterion bench and the
/// in-process timer that `benches/peers/run.sh` compares with the peers):
/// the existing field `Signature1`, with a typed stamp.
pub fn sign_options() -> SignOptions {
    let mut options = SignOptions::new(t(3600));
    options.field = SignatureField::Existing {
        name: "Signature1".into(),
    };
    options.appearance = Some(SignatureAppearance {
        name: "Marie Dubois".into(),
        image: None,
        date: "Signed 2026-11-23 10:00 UTC".into(),
        details: "marie@example.com · sig_0123456789ab".into(),
    });
    options
}

/// 2026-11-23 09:00:00 UTC plus `seconds`.
pub fn t(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::seconds(seconds)
}

/// `signers` signers, `orders` routing orders (signers spread across them),
/// each with a signature field, from creation to completion.
pub fn lifecycle(signers: usize, orders: usize) -> (Envelope, Vec<Event>) {
    let sender = Actor::ApiKey { id: "key".into() };
    let mut clock = 0;
    let mut ctx = |actor: Actor| {
        clock += 1;
        Context::new(t(clock), actor)
    };
    let created = envelope::create(
        CreateEnvelope {
            id: "env_bench".into(),
            subject: "Benchmark".into(),
            message: None,
            signature_level: SignatureLevel::Simple,
            locale: "en".into(),
            expires_at: None,
            settings: Default::default(),
        },
        &ctx(sender.clone()),
    )
    .expect("create");
    let mut env = created.envelope;
    let mut events = created.events;
    let mut commands = vec![(
        Command::AddDocument(NewDocument {
            id: "doc".into(),
            name: "doc.pdf".into(),
            page_count: 10,
            sha256: "ab".repeat(32),
            pages: Vec::new(),
        }),
        sender.clone(),
    )];
    for i in 0..signers {
        commands.push((
            Command::AddRecipient(NewRecipient {
                id: format!("r{i}"),
                name: format!("Signer {i}"),
                email: Some(format!("s{i}@example.com")),
                phone: None,
                role: RecipientRole::Signer,
                routing_order: (i % orders) as u32 + 1,
                authentication: AuthenticationMethod::EmailLink,
            }),
            sender.clone(),
        ));
        commands.push((
            Command::AddField(NewField {
                id: format!("f{i}"),
                document_id: "doc".into(),
                recipient_id: format!("r{i}"),
                kind: FieldKind::Signature,
                page: 1,
                rect: Rect::new(10.0, 10.0, 100.0, 30.0),
                required: true,
                value: None,
                multiline: false,
                anchor: None,
            }),
            sender.clone(),
        ));
    }
    commands.push((Command::send(), sender));
    let mut by_order: Vec<usize> = (0..signers).collect();
    by_order.sort_by_key(|i| i % orders);
    for i in by_order {
        let me = Actor::Recipient {
            id: format!("r{i}"),
        };
        commands.push((
            Command::View {
                recipient_id: format!("r{i}"),
            },
            me.clone(),
        ));
        commands.push((
            Command::Consent {
                recipient_id: format!("r{i}"),
                version: "2026-01".into(),
                text_sha256: "c0".repeat(32),
            },
            me.clone(),
        ));
        commands.push((
            Command::Sign {
                recipient_id: format!("r{i}"),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            },
            me,
        ));
    }
    commands.push((
        Command::Complete {
            documents: Vec::new(),
        },
        Actor::System,
    ));
    for (command, actor) in commands {
        let tr = envelope::apply(&env, command, &ctx(actor)).expect("applies");
        env = tr.envelope;
        events.extend(tr.events);
    }
    assert_eq!(env.status, envelope::EnvelopeStatus::Completed);
    (env, events)
}

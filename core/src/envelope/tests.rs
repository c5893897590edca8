use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::geometry::Rect;
use crate::{Error, ErrorCode};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn hash(byte: u8) -> String {
    hex::encode([byte; 32])
}

/// An envelope under construction with its whole history, and a clock that
/// moves one second per command.
struct Story {
    envelope: Envelope,
    history: Vec<Event>,
    clock: DateTime<Utc>,
}

impl Story {
    fn new() -> Self {
        Self::with_expiry(None)
    }

    fn with_expiry(expires_at: Option<DateTime<Utc>>) -> Self {
        let created = create(
            CreateEnvelope {
                id: "env_1".into(),
                subject: "Employment contract".into(),
                message: Some("Please sign".into()),
                signature_level: SignatureLevel::Simple,
                locale: "en".into(),
                expires_at,
                settings: Default::default(),
            },
            &Context::new(t0(), sender()),
        )
        .expect("create");
        Self {
            envelope: created.envelope,
            history: created.events,
            clock: t0(),
        }
    }

    fn ctx(&mut self, actor: Actor) -> Context {
        self.clock += Duration::seconds(1);
        Context::new(self.clock, actor)
            .with_ip("203.0.113.7")
            .with_user_agent("test-agent/1.0")
    }

    fn try_as(&mut self, actor: Actor, command: Command) -> Result<Vec<Event>, Error> {
        let ctx = self.ctx(actor);
        let before = self.envelope.clone();
        match apply(&self.envelope, command, &ctx) {
            Ok(tr) => {
                self.envelope = tr.envelope;
                self.history.extend(tr.events.clone());
                Ok(tr.events)
            }
            Err(e) => {
                assert_eq!(self.envelope, before, "a failed command changed nothing");
                Err(e)
            }
        }
    }

    fn sender(&mut self, command: Command) -> Result<Vec<Event>, Error> {
        self.try_as(sender(), command)
    }

    fn by(&mut self, recipient: &str, command: Command) -> Result<Vec<Event>, Error> {
        self.try_as(
            Actor::Recipient {
                id: recipient.into(),
            },
            command,
        )
    }

    fn ok(&mut self, command: Command) -> Vec<Event> {
        self.sender(command).expect("sender command applies")
    }

    fn document(&mut self, id: &str, pages: u32) {
        self.ok(Command::AddDocument(NewDocument {
            id: id.into(),
            name: format!("{id}.pdf"),
            page_count: pages,
            pages: vec![
                PageSize {
                    width: 612.0,
                    height: 792.0
                };
                pages as usize
            ],
            sha256: hash(1),
        }));
    }

    fn recipient(&mut self, id: &str, role: RecipientRole, order: u32) {
        self.ok(Command::AddRecipient(recipient(id, role, order)));
    }

    fn field(&mut self, id: &str, recipient: &str, kind: FieldKind, required: bool) {
        self.ok(Command::AddField(NewField {
            id: id.into(),
            document_id: "doc_1".into(),
            recipient_id: recipient.into(),
            kind,
            page: 1,
            rect: Rect::new(72.0, 650.0, 180.0, 40.0),
            required,
            value: None,
            multiline: false,
            anchor: None,
        }));
    }

    /// Sends, first giving every signer without one a signature field
    /// (on the first document).
    fn send(&mut self) -> Vec<Event> {
        let missing: Vec<String> = self
            .envelope
            .recipients
            .iter()
            .filter(|r| {
                r.role == RecipientRole::Signer
                    && !self
                        .envelope
                        .fields_of(&r.id)
                        .any(|f| f.kind == FieldKind::Signature)
            })
            .map(|r| r.id.clone())
            .collect();
        if let Some(document) = self.envelope.documents.first().map(|d| d.id.clone()) {
            for id in missing {
                self.ok(Command::AddField(NewField {
                    id: format!("sig_auto_{id}"),
                    document_id: document.clone(),
                    recipient_id: id,
                    kind: FieldKind::Signature,
                    page: 1,
                    rect: Rect::new(72.0, 650.0, 180.0, 40.0),
                    required: true,
                    value: None,
                    multiline: false,
                    anchor: None,
                }));
            }
        }
        self.ok(Command::send())
    }

    /// Consents (once) to sign electronically.
    fn consent(&mut self, id: &str) {
        if self
            .envelope
            .recipient(id)
            .is_some_and(|r| r.consent.is_none())
        {
            self.by(
                id,
                Command::Consent {
                    recipient_id: id.into(),
                    version: "2026-01".into(),
                    text_sha256: hash(5),
                },
            )
            .unwrap_or_else(|e| panic!("{id} consents: {e}"));
        }
    }

    /// A date-signed or name field takes no value from its recipient.
    fn field_kind_refuses_a_value(&mut self, recipient: &str, field: &str) {
        let result = self.by(
            recipient,
            Command::FillField {
                recipient_id: recipient.into(),
                field_id: field.into(),
                value: "2026-11-23".into(),
            },
        );
        assert_eq!(code(result), ErrorCode::FieldValueInvalid);
    }

    /// Records the completion once everyone acted.
    fn complete(&mut self) -> Vec<Event> {
        self.try_as(Actor::System, Command::Complete { documents: vec![] })
            .unwrap_or_else(|e| panic!("completes: {e}"))
    }

    fn sign(&mut self, id: &str) -> Vec<Event> {
        self.consent(id);
        self.by(
            id,
            Command::Sign {
                recipient_id: id.into(),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            },
        )
        .unwrap_or_else(|e| panic!("{id} signs: {e}"))
    }

    fn status_of(&self, id: &str) -> RecipientStatus {
        self.envelope.recipient(id).expect("recipient").status
    }

    fn assert_replays(&self) {
        assert_eq!(replay(&self.history).expect("replays"), self.envelope);
    }
}

fn sender() -> Actor {
    Actor::ApiKey { id: "key_1".into() }
}

fn recipient(id: &str, role: RecipientRole, order: u32) -> NewRecipient {
    NewRecipient {
        id: id.into(),
        name: format!("{id} Name"),
        email: Some(format!("{id}@example.com")),
        phone: None,
        role,
        routing_order: order,
        authentication: AuthenticationMethod::EmailLink,
    }
}

fn types(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e.data.recipient_id() {
            Some(r) => format!("{} {r}", e.event_type()),
            None => e.event_type().to_owned(),
        })
        .collect()
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    result.expect_err("expected an error").code()
}

/// One document, signers alice (order 1) and bob (order 2), sent.
fn two_signers_in_sequence() -> Story {
    let mut s = Story::new();
    s.document("doc_1", 2);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("bob", RecipientRole::Signer, 2);
    s.field("sig_alice", "alice", FieldKind::Signature, true);
    s.field("sig_bob", "bob", FieldKind::Signature, true);
    s.send();
    s
}

// ---- creation and drafts ----

#[test]
fn create_makes_a_draft_at_version_one() {
    let s = Story::new();
    assert_eq!(s.envelope.status, EnvelopeStatus::Draft);
    assert_eq!(s.envelope.version, 1);
    assert_eq!(s.envelope.schema_version, SCHEMA_VERSION);
    assert_eq!(s.history.len(), 1);
    assert_eq!(s.history[0].seq, 1);
    assert_eq!(s.history[0].event_type(), "envelope.created");
}

#[test]
fn create_rejects_invalid_input() {
    let ctx = Context::new(t0(), sender());
    let base = CreateEnvelope {
        id: "env_1".into(),
        subject: "Subject".into(),
        message: None,
        signature_level: SignatureLevel::Simple,
        locale: "en".into(),
        expires_at: None,
        settings: Default::default(),
    };
    let cases = [
        (
            CreateEnvelope {
                id: "env.1".into(),
                ..base.clone()
            },
            ErrorCode::InvalidArgument,
        ),
        (
            CreateEnvelope {
                id: String::new(),
                ..base.clone()
            },
            ErrorCode::InvalidArgument,
        ),
        (
            CreateEnvelope {
                subject: "   ".into(),
                ..base.clone()
            },
            ErrorCode::InvalidEnvelope,
        ),
        (
            CreateEnvelope {
                subject: "a\u{0}b".into(),
                ..base.clone()
            },
            ErrorCode::InvalidEnvelope,
        ),
        (
            CreateEnvelope {
                locale: "english".into(),
                ..base.clone()
            },
            ErrorCode::InvalidEnvelope,
        ),
        (
            CreateEnvelope {
                expires_at: Some(t0()),
                ..base.clone()
            },
            ErrorCode::InvalidEnvelope,
        ),
    ];
    for (params, expected) in cases {
        assert_eq!(code(create(params, &ctx)), expected);
    }
    let recipient_ctx = Context::new(t0(), Actor::Recipient { id: "r".into() });
    assert_eq!(
        code(create(base, &recipient_ctx)),
        ErrorCode::ActorNotAllowed
    );
}

#[test]
fn create_on_an_existing_envelope_is_refused() {
    let mut s = Story::new();
    let again = Command::Create(CreateEnvelope {
        id: "env_2".into(),
        subject: "x".into(),
        message: None,
        signature_level: SignatureLevel::Simple,
        locale: "en".into(),
        expires_at: None,
        settings: Default::default(),
    });
    assert_eq!(code(s.sender(again)), ErrorCode::EnvelopeAlreadyExists);
}

#[test]
fn apply_from_no_envelope_accepts_only_create() {
    let ctx = Context::new(t0(), sender());
    let command: Command = serde_json::from_str(
        r#"{"type": "create", "id": "env_1", "subject": "Offer", "locale": "fr"}"#,
    )
    .expect("json");
    let created = apply(None, command.clone(), &ctx).expect("creates");
    let Command::Create(params) = command else {
        panic!("a create command")
    };
    assert_eq!(created, create(params, &ctx).expect("create"));
    assert_eq!(created.envelope.locale, "fr");
    assert_eq!(
        code(apply(None, Command::send(), &ctx)),
        ErrorCode::EnvelopeNotFound
    );
    let recipient = Context::new(t0(), Actor::Recipient { id: "r".into() });
    let again: Command =
        serde_json::from_str(r#"{"type": "create", "id": "env_2", "subject": "x"}"#).expect("json");
    assert_eq!(
        code(apply(None, again, &recipient)),
        ErrorCode::ActorNotAllowed
    );
}

#[test]
fn update_changes_a_draft_and_null_clears_the_message() {
    let mut s = Story::new();
    let update: UpdateEnvelope =
        serde_json::from_str(r#"{"subject": "New subject", "message": null, "locale": "ko"}"#)
            .expect("json");
    s.ok(Command::Update(update));
    assert_eq!(s.envelope.subject, "New subject");
    assert_eq!(s.envelope.message, None);
    assert_eq!(s.envelope.locale, "ko");
    let untouched: UpdateEnvelope =
        serde_json::from_str(r#"{"signatureLevel": "ADVANCED"}"#).expect("json");
    s.ok(Command::Update(untouched));
    assert_eq!(s.envelope.subject, "New subject");
    assert_eq!(s.envelope.signature_level, SignatureLevel::Advanced);
    s.assert_replays();
}

#[test]
fn removing_a_document_or_recipient_removes_their_fields() {
    let mut s = Story::new();
    s.document("doc_1", 2);
    s.document("doc_2", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("bob", RecipientRole::Signer, 1);
    s.field("f1", "alice", FieldKind::Signature, true);
    s.field("f2", "bob", FieldKind::Signature, true);
    s.ok(Command::AddField(NewField {
        id: "f3".into(),
        document_id: "doc_2".into(),
        recipient_id: "alice".into(),
        kind: FieldKind::Text,
        page: 1,
        rect: Rect::new(10.0, 10.0, 100.0, 20.0),
        required: false,
        value: Some("prefilled".into()),
        multiline: false,
        anchor: None,
    }));
    s.ok(Command::RemoveDocument {
        document_id: "doc_2".into(),
    });
    assert!(s.envelope.field("f3").is_none());
    s.ok(Command::RemoveRecipient {
        recipient_id: "bob".into(),
    });
    assert!(s.envelope.field("f2").is_none());
    assert!(s.envelope.field("f1").is_some());
    s.ok(Command::RemoveField {
        field_id: "f1".into(),
    });
    assert!(s.envelope.fields.is_empty());
    assert_eq!(
        code(s.sender(Command::RemoveField {
            field_id: "f1".into()
        })),
        ErrorCode::FieldNotFound
    );
    s.assert_replays();
}

#[test]
fn ids_are_unique_per_kind() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.field("f1", "alice", FieldKind::Signature, true);
    assert_eq!(
        code(s.sender(Command::AddDocument(NewDocument {
            id: "doc_1".into(),
            name: "again.pdf".into(),
            page_count: 1,
            sha256: hash(2),
            pages: Vec::new(),
        }))),
        ErrorCode::DuplicateId
    );
    assert_eq!(
        code(s.sender(Command::AddRecipient(recipient(
            "alice",
            RecipientRole::Cc,
            1
        )))),
        ErrorCode::DuplicateId
    );
    assert_eq!(
        code(s.sender(Command::AddField(NewField {
            id: "f1".into(),
            document_id: "doc_1".into(),
            recipient_id: "alice".into(),
            kind: FieldKind::DateSigned,
            page: 1,
            rect: Rect::new(0.0, 0.0, 10.0, 10.0),
            required: false,
            value: None,
            multiline: false,
            anchor: None,
        }))),
        ErrorCode::DuplicateId
    );
}

#[test]
fn fields_must_fit_their_document_and_suit_their_recipient() {
    let mut s = Story::new();
    s.document("doc_1", 2);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("anna", RecipientRole::Approver, 1);
    s.recipient("carl", RecipientRole::Cc, 1);
    let field = |id: &str, recipient: &str, kind: FieldKind, page: u32, rect: Rect| NewField {
        id: id.into(),
        document_id: "doc_1".into(),
        recipient_id: recipient.into(),
        kind,
        page,
        rect,
        required: true,
        value: None,
        multiline: false,
        anchor: None,
    };
    let good = Rect::new(10.0, 10.0, 100.0, 30.0);
    let cases = [
        (
            field("a", "alice", FieldKind::Signature, 3, good),
            ErrorCode::FieldOutOfBounds,
        ),
        (
            field("b", "alice", FieldKind::Signature, 0, good),
            ErrorCode::FieldOutOfBounds,
        ),
        (
            field(
                "c",
                "alice",
                FieldKind::Signature,
                1,
                Rect::new(10.0, 10.0, 0.0, 30.0),
            ),
            ErrorCode::FieldOutOfBounds,
        ),
        (
            field(
                "d",
                "alice",
                FieldKind::Signature,
                1,
                Rect::new(f64::NAN, 10.0, 5.0, 30.0),
            ),
            ErrorCode::FieldOutOfBounds,
        ),
        (
            field("e", "anna", FieldKind::Signature, 1, good),
            ErrorCode::FieldRecipientNotAllowed,
        ),
        (
            field("f", "anna", FieldKind::Initials, 1, good),
            ErrorCode::FieldRecipientNotAllowed,
        ),
        (
            field("g", "carl", FieldKind::Text, 1, good),
            ErrorCode::FieldRecipientNotAllowed,
        ),
        (
            field("h", "nobody", FieldKind::Text, 1, good),
            ErrorCode::RecipientNotFound,
        ),
        (
            NewField {
                document_id: "doc_9".into(),
                ..field("i", "alice", FieldKind::Text, 1, good)
            },
            ErrorCode::DocumentNotFound,
        ),
        (
            NewField {
                value: Some("yes".into()),
                ..field("j", "alice", FieldKind::Checkbox, 1, good)
            },
            ErrorCode::FieldValueInvalid,
        ),
    ];
    for (new, expected) in cases {
        let id = new.id.clone();
        assert_eq!(
            code(s.sender(Command::AddField(new))),
            expected,
            "field {id}"
        );
    }
    // An approver may have a text field.
    s.ok(Command::AddField(field(
        "k",
        "anna",
        FieldKind::Text,
        2,
        good,
    )));
}

#[test]
fn recipients_are_validated() {
    let mut s = Story::new();
    let cases = [
        NewRecipient {
            email: Some("not-an-email".into()),
            ..recipient("a", RecipientRole::Signer, 1)
        },
        NewRecipient {
            email: Some("a@localhost".into()),
            ..recipient("a", RecipientRole::Signer, 1)
        },
        NewRecipient {
            name: " ".into(),
            ..recipient("a", RecipientRole::Signer, 1)
        },
        NewRecipient {
            phone: Some("0612345678".into()),
            ..recipient("a", RecipientRole::Signer, 1)
        },
        NewRecipient {
            authentication: AuthenticationMethod::SmsCode,
            ..recipient("a", RecipientRole::Signer, 1)
        },
        recipient("a", RecipientRole::Signer, 0),
    ];
    for new in cases {
        assert_eq!(
            code(s.sender(Command::AddRecipient(new))),
            ErrorCode::InvalidRecipient
        );
    }
    s.ok(Command::AddRecipient(NewRecipient {
        phone: Some("+33612345678".into()),
        authentication: AuthenticationMethod::SmsCode,
        name: "마리 뒤부아".into(),
        ..recipient("a", RecipientRole::Signer, 1)
    }));
}

#[test]
fn draft_commands_are_refused_once_sent() {
    let mut s = two_signers_in_sequence();
    let cases = [
        Command::Update(UpdateEnvelope::default()),
        Command::AddDocument(NewDocument {
            id: "doc_2".into(),
            name: "x.pdf".into(),
            page_count: 1,
            sha256: hash(3),
            pages: Vec::new(),
        }),
        Command::RemoveDocument {
            document_id: "doc_1".into(),
        },
        Command::AddRecipient(recipient("carl", RecipientRole::Cc, 1)),
        Command::RemoveRecipient {
            recipient_id: "bob".into(),
        },
        Command::RemoveField {
            field_id: "sig_bob".into(),
        },
        Command::send(),
        Command::Delete,
    ];
    for command in cases {
        let name = command.name();
        assert_eq!(
            code(s.sender(command)),
            ErrorCode::EnvelopeNotDraft,
            "{name}"
        );
    }
}

#[test]
fn delete_removes_a_draft_for_good() {
    let mut s = Story::new();
    s.ok(Command::Delete);
    assert!(s.envelope.deleted_at.is_some());
    assert_eq!(
        code(s.sender(Command::Update(UpdateEnvelope::default()))),
        ErrorCode::EnvelopeDeleted
    );
    s.assert_replays();
}

// ---- send ----

#[test]
fn send_needs_a_document_and_a_signer() {
    let mut s = Story::new();
    s.recipient("alice", RecipientRole::Signer, 1);
    assert_eq!(code(s.sender(Command::send())), ErrorCode::NoDocument);
    let mut s = Story::new();
    s.document("doc_1", 1);
    assert_eq!(code(s.sender(Command::send())), ErrorCode::NoSigner);
    s.recipient("anna", RecipientRole::Approver, 1);
    assert_eq!(code(s.sender(Command::send())), ErrorCode::NoSigner);
    s.recipient("alice", RecipientRole::Signer, 2);
    s.send();
}

#[test]
fn send_refuses_an_expiry_that_has_passed() {
    let mut s = Story::with_expiry(Some(t0() + Duration::seconds(5)));
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.field("sig", "alice", FieldKind::Signature, true);
    s.clock += Duration::seconds(10);
    assert_eq!(code(s.sender(Command::send())), ErrorCode::InvalidEnvelope);
}

#[test]
fn send_notifies_the_first_routing_order_only() {
    let s = two_signers_in_sequence();
    let sent_at = s
        .history
        .iter()
        .position(|e| e.event_type() == "envelope.sent")
        .expect("sent");
    assert_eq!(
        types(&s.history[sent_at..]),
        ["envelope.sent", "recipient.notified alice"]
    );
    assert_eq!(s.status_of("alice"), RecipientStatus::Notified);
    assert_eq!(s.status_of("bob"), RecipientStatus::Pending);
    assert_eq!(s.envelope.active_routing_order(), Some(1));
    match &s.history[sent_at].data {
        EventData::EnvelopeSent { documents, .. } => {
            assert_eq!(
                documents,
                &[DocumentDigest {
                    document_id: "doc_1".into(),
                    sha256: hash(1)
                }]
            )
        }
        other => panic!("unexpected {other:?}"),
    }
}

// ---- routing ----

#[test]
fn sequential_signers_act_in_order() {
    let mut s = two_signers_in_sequence();
    let early = s.by(
        "bob",
        Command::Sign {
            recipient_id: "bob".into(),
            documents: vec![],
            signature: None,
            certificate_sha256: None,
        },
    );
    assert_eq!(code(early), ErrorCode::RecipientNotActive);
    assert_eq!(
        code(s.by(
            "bob",
            Command::View {
                recipient_id: "bob".into()
            }
        )),
        ErrorCode::RecipientNotActive
    );
    let events = s.sign("alice");
    assert_eq!(
        types(&events),
        ["recipient.signed alice", "recipient.notified bob"]
    );
    let events = s.sign("bob");
    assert_eq!(types(&events), ["recipient.signed bob"]);
    // Everyone signed: the envelope waits for its completion, which comes
    // with the final documents' digests, and accepts nothing else.
    assert_eq!(s.envelope.status, EnvelopeStatus::Sent);
    assert!(s.envelope.awaiting_completion());
    assert_eq!(
        code(s.sender(Command::Remind {
            recipient_ids: vec![]
        })),
        ErrorCode::EnvelopeAwaitingCompletion
    );
    assert_eq!(types(&s.complete()), ["envelope.completed"]);
    assert_eq!(s.envelope.status, EnvelopeStatus::Completed);
    assert!(s.envelope.completed_at.is_some());
    s.assert_replays();
}

#[test]
fn parallel_signers_are_notified_together_and_complete_in_any_order() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    for id in ["a", "b", "c"] {
        s.recipient(id, RecipientRole::Signer, 1);
    }
    let events = s.send();
    assert_eq!(
        types(&events),
        [
            "envelope.sent",
            "recipient.notified a",
            "recipient.notified b",
            "recipient.notified c"
        ]
    );
    s.sign("c");
    s.sign("a");
    assert_eq!(s.envelope.status, EnvelopeStatus::Sent);
    let last = s.sign("b");
    assert_eq!(types(&last), ["recipient.signed b"]);
    assert_eq!(types(&s.complete()), ["envelope.completed"]);
}

#[test]
fn mixed_routing_gates_on_signers_and_approvers_only() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("cc_first", RecipientRole::Cc, 1);
    s.recipient("alice", RecipientRole::Signer, 2);
    s.recipient("anna", RecipientRole::Approver, 2);
    s.recipient("viewer", RecipientRole::Viewer, 3);
    s.recipient("cc_mid", RecipientRole::Cc, 3);
    s.recipient("bob", RecipientRole::Signer, 5);
    s.recipient("cc_last", RecipientRole::Cc, 9);
    let events = s.send();
    assert_eq!(
        types(&events),
        [
            "envelope.sent",
            "recipient.notified cc_first",
            "recipient.notified alice",
            "recipient.notified anna"
        ]
    );
    let events = s.sign("alice");
    assert_eq!(types(&events), ["recipient.signed alice"]);
    assert_eq!(
        code(s.by(
            "anna",
            Command::Sign {
                recipient_id: "anna".into(),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            }
        )),
        ErrorCode::RecipientRoleMismatch
    );
    let events = s
        .by(
            "anna",
            Command::Approve {
                recipient_id: "anna".into(),
                documents: vec![],
            },
        )
        .expect("approves");
    assert_eq!(
        types(&events),
        [
            "recipient.approved anna",
            "recipient.notified viewer",
            "recipient.notified cc_mid",
            "recipient.notified bob"
        ]
    );
    // Viewers and CCs may view but never gate the routing.
    s.by(
        "viewer",
        Command::View {
            recipient_id: "viewer".into(),
        },
    )
    .expect("viewer views");
    assert_eq!(s.status_of("viewer"), RecipientStatus::Viewed);
    assert_eq!(types(&s.sign("bob")), ["recipient.signed bob"]);
    let events = s.complete();
    assert_eq!(
        types(&events),
        [
            "recipient.notified cc_first",
            "recipient.notified cc_mid",
            "recipient.notified cc_last",
            "envelope.completed"
        ]
    );
    assert!(events[0..3].iter().all(|e| matches!(
        e.data,
        EventData::RecipientNotified {
            reason: NotificationReason::EnvelopeCompleted,
            ..
        }
    )));
    assert_eq!(s.status_of("cc_last"), RecipientStatus::Notified);
    s.assert_replays();
}

#[test]
fn routing_orders_need_not_be_contiguous() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("a", RecipientRole::Signer, 10);
    s.recipient("b", RecipientRole::Signer, 500);
    s.send();
    assert_eq!(s.envelope.active_routing_order(), Some(10));
    assert_eq!(
        types(&s.sign("a")),
        ["recipient.signed a", "recipient.notified b"]
    );
}

// ---- recipient actions ----

#[test]
fn recipients_act_only_for_themselves_and_senders_never_for_them() {
    let mut s = two_signers_in_sequence();
    let sign_alice = Command::Sign {
        recipient_id: "alice".into(),
        documents: vec![],
        signature: None,
        certificate_sha256: None,
    };
    assert_eq!(
        code(s.by("bob", sign_alice.clone())),
        ErrorCode::ActorNotAllowed
    );
    assert_eq!(
        code(s.sender(sign_alice.clone())),
        ErrorCode::ActorNotAllowed
    );
    assert_eq!(
        code(s.try_as(Actor::System, sign_alice)),
        ErrorCode::ActorNotAllowed
    );
    assert_eq!(
        code(s.by(
            "alice",
            Command::Void {
                reason: "mine".into()
            }
        )),
        ErrorCode::ActorNotAllowed
    );
}

#[test]
fn signing_twice_is_refused() {
    let mut s = two_signers_in_sequence();
    s.sign("alice");
    assert_eq!(
        code(s.by(
            "alice",
            Command::Sign {
                recipient_id: "alice".into(),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            }
        )),
        ErrorCode::RecipientAlreadyActed
    );
    assert_eq!(
        code(s.by(
            "alice",
            Command::Decline {
                recipient_id: "alice".into(),
                reason: "changed my mind".into()
            }
        )),
        ErrorCode::RecipientAlreadyActed
    );
}

#[test]
fn viewing_marks_the_first_view_and_may_repeat() {
    let mut s = two_signers_in_sequence();
    let view = Command::View {
        recipient_id: "alice".into(),
    };
    let events = s.by("alice", view.clone()).expect("views");
    assert_eq!(
        types(&events),
        ["recipient.viewed alice", "envelope.viewed alice"],
        "the envelope's first view is an event of its own"
    );
    let first = s.envelope.recipient("alice").expect("alice").viewed_at;
    assert_eq!(s.envelope.viewed_at, first);
    assert_eq!(s.status_of("alice"), RecipientStatus::Viewed);
    let events = s.by("alice", view.clone()).expect("views again");
    assert_eq!(types(&events), ["recipient.viewed alice"]);
    assert_eq!(
        s.envelope.recipient("alice").expect("alice").viewed_at,
        first
    );
    s.sign("alice");
    s.by("alice", view).expect("views after signing");
    assert_eq!(s.status_of("alice"), RecipientStatus::Signed);
    s.assert_replays();
}

#[test]
fn required_fields_must_be_filled_before_signing() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("bob", RecipientRole::Signer, 1);
    s.field("sig", "alice", FieldKind::Signature, true);
    s.field("title", "alice", FieldKind::Text, true);
    s.field("agree", "alice", FieldKind::Checkbox, true);
    s.field("note", "alice", FieldKind::Text, false);
    s.field("bob_date", "bob", FieldKind::DateSigned, true);
    s.send();
    let sign = Command::Sign {
        recipient_id: "alice".into(),
        documents: vec![],
        signature: None,
        certificate_sha256: None,
    };
    assert_eq!(
        code(s.by("alice", sign.clone())),
        ErrorCode::ConsentRequired,
        "signing needs consent first"
    );
    s.consent("alice");
    let err = s.by("alice", sign.clone()).expect_err("missing fields");
    assert_eq!(err.code(), ErrorCode::RequiredFieldMissing);
    assert!(err.message().contains("title") && err.message().contains("agree"));
    let fill = |field: &str, value: &str| Command::FillField {
        recipient_id: "alice".into(),
        field_id: field.into(),
        value: value.into(),
    };
    assert_eq!(
        code(s.by("alice", fill("agree", "yes"))),
        ErrorCode::FieldValueInvalid
    );
    assert_eq!(
        code(s.by("alice", fill("sig", "Alice"))),
        ErrorCode::FieldValueInvalid
    );
    assert_eq!(
        code(s.by("alice", fill("bob_date", "2026-11-23"))),
        ErrorCode::FieldNotOwned
    );
    assert_eq!(
        code(s.by("alice", fill("nope", "x"))),
        ErrorCode::FieldNotFound
    );
    s.by("alice", fill("title", "Engineer")).expect("fills");
    s.by("alice", fill("agree", "false")).expect("fills");
    assert_eq!(
        code(s.by("alice", sign.clone())),
        ErrorCode::RequiredFieldMissing,
        "a required checkbox must be ticked"
    );
    s.by("alice", fill("agree", "true")).expect("ticks");
    // Date-signed and name fields are filled by signing, never by hand.
    s.field_kind_refuses_a_value("bob", "bob_date");
    s.by("alice", sign).expect("signs");
    assert_eq!(
        s.envelope.field("title").expect("field").value.as_deref(),
        Some("Engineer")
    );
    assert_eq!(
        code(s.by("alice", fill("note", "late"))),
        ErrorCode::RecipientAlreadyActed
    );
    s.assert_replays();
}

#[test]
fn signing_records_the_signed_document_digests() {
    let mut s = two_signers_in_sequence();
    s.consent("alice");
    let digest = |h: u8| {
        vec![DocumentDigest {
            document_id: "doc_1".into(),
            sha256: hash(h),
        }]
    };
    assert_eq!(
        code(s.by(
            "alice",
            Command::Sign {
                recipient_id: "alice".into(),
                documents: vec![DocumentDigest {
                    document_id: "doc_9".into(),
                    sha256: hash(2)
                }],
                signature: None,
                certificate_sha256: None,
            }
        )),
        ErrorCode::DocumentNotFound
    );
    assert_eq!(
        code(s.by(
            "alice",
            Command::Sign {
                recipient_id: "alice".into(),
                documents: vec![DocumentDigest {
                    document_id: "doc_1".into(),
                    sha256: "ABC".into()
                }],
                signature: None,
                certificate_sha256: None,
            }
        )),
        ErrorCode::InvalidArgument
    );
    s.by(
        "alice",
        Command::Sign {
            recipient_id: "alice".into(),
            documents: digest(2),
            signature: None,
            certificate_sha256: None,
        },
    )
    .expect("signs");
    assert_eq!(
        s.envelope.documents[0].signed_sha256.as_deref(),
        Some(hash(2).as_str())
    );
    s.consent("bob");
    s.by(
        "bob",
        Command::Sign {
            recipient_id: "bob".into(),
            documents: digest(3),
            signature: None,
            certificate_sha256: Some(hash(8)),
        },
    )
    .expect("signs");
    assert_eq!(
        s.envelope
            .recipient("bob")
            .expect("bob")
            .certificate_sha256
            .as_deref(),
        Some(hash(8).as_str())
    );
    // The completion records the final documents (after a platform seal,
    // say), which differ from the last signed ones.
    let events = s
        .try_as(
            Actor::System,
            Command::Complete {
                documents: digest(4),
            },
        )
        .expect("completes");
    match &events.last().expect("completed").data {
        EventData::EnvelopeCompleted { documents } => assert_eq!(documents, &digest(4)),
        other => panic!("unexpected {other:?}"),
    }
    let document = &s.envelope.documents[0];
    assert_eq!(document.sha256, hash(1), "original kept");
    assert_eq!(document.signed_sha256.as_deref(), Some(hash(3).as_str()));
    assert_eq!(document.current_sha256(), hash(4));
}

#[test]
fn events_carry_the_context() {
    let mut s = two_signers_in_sequence();
    let events = s.sign("alice");
    for event in &events {
        assert_eq!(event.ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(event.user_agent.as_deref(), Some("test-agent/1.0"));
        assert_eq!(event.actor, Actor::Recipient { id: "alice".into() });
        assert_eq!(event.occurred_at, s.clock);
    }
    let seqs: Vec<u64> = s.history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=s.history.len() as u64).collect::<Vec<_>>());
    assert_eq!(s.envelope.version, s.history.len() as u64);
}

// ---- ends: decline, void, expire ----

#[test]
fn decline_needs_a_reason_and_ends_the_envelope() {
    let mut s = two_signers_in_sequence();
    let decline = |reason: &str| Command::Decline {
        recipient_id: "alice".into(),
        reason: reason.into(),
    };
    assert_eq!(
        code(s.by("alice", decline("  "))),
        ErrorCode::ReasonRequired
    );
    let events = s
        .by("alice", decline("  Salary is wrong  "))
        .expect("declines");
    assert_eq!(
        types(&events),
        ["recipient.declined alice", "envelope.declined alice"]
    );
    assert_eq!(s.envelope.status, EnvelopeStatus::Declined);
    let alice = s.envelope.recipient("alice").expect("alice");
    assert_eq!(alice.decline_reason.as_deref(), Some("Salary is wrong"));
    assert_eq!(alice.status, RecipientStatus::Declined);
    s.assert_replays();
}

#[test]
fn cc_and_viewers_cannot_decline() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("carl", RecipientRole::Cc, 1);
    s.send();
    assert_eq!(
        code(s.by(
            "carl",
            Command::Decline {
                recipient_id: "carl".into(),
                reason: "no".into()
            }
        )),
        ErrorCode::RecipientRoleMismatch
    );
}

#[test]
fn void_needs_a_sent_envelope_and_a_reason() {
    let mut s = Story::new();
    assert_eq!(
        code(s.sender(Command::Void { reason: "x".into() })),
        ErrorCode::EnvelopeNotSent
    );
    let mut s = two_signers_in_sequence();
    assert_eq!(
        code(s.sender(Command::Void { reason: "".into() })),
        ErrorCode::ReasonRequired
    );
    s.ok(Command::Void {
        reason: "Wrong salary".into(),
    });
    assert_eq!(s.envelope.status, EnvelopeStatus::Voided);
    assert_eq!(s.envelope.void_reason.as_deref(), Some("Wrong salary"));
    s.assert_replays();
}

#[test]
fn expiry_stops_actions_and_expire_needs_the_time_to_have_come() {
    let mut s = Story::with_expiry(Some(t0() + Duration::hours(1)));
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("anna", RecipientRole::Approver, 1);
    s.send();
    s.sign("alice");
    assert_eq!(
        code(s.try_as(Actor::System, Command::Expire)),
        ErrorCode::EnvelopeNotExpired
    );
    s.clock = t0() + Duration::hours(2);
    assert_eq!(
        code(s.by(
            "anna",
            Command::Approve {
                recipient_id: "anna".into(),
                documents: vec![],
            }
        )),
        ErrorCode::EnvelopeExpired
    );
    assert_eq!(
        code(s.sender(Command::Remind {
            recipient_ids: vec![]
        })),
        ErrorCode::EnvelopeExpired
    );
    let events = s.try_as(Actor::System, Command::Expire).expect("expires");
    match &events[0].data {
        EventData::EnvelopeExpired {
            missing_recipient_ids,
        } => assert_eq!(missing_recipient_ids, &["anna".to_owned()]),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(s.envelope.status, EnvelopeStatus::Expired);
    s.assert_replays();
}

#[test]
fn expire_without_an_expiry_time_is_refused() {
    let mut s = two_signers_in_sequence();
    assert_eq!(
        code(s.try_as(Actor::System, Command::Expire)),
        ErrorCode::EnvelopeNotExpired
    );
}

#[test]
fn terminal_envelopes_absorb_every_command() {
    let ends: [fn(&mut Story); 4] = [
        |s| {
            s.sign("alice");
            s.sign("bob");
            s.complete();
        },
        |s| {
            s.by(
                "alice",
                Command::Decline {
                    recipient_id: "alice".into(),
                    reason: "no".into(),
                },
            )
            .expect("declines");
        },
        |s| {
            s.ok(Command::Void {
                reason: "no".into(),
            });
        },
        |s| {
            s.clock += Duration::days(30);
            s.try_as(Actor::System, Command::Expire).expect("expires");
        },
    ];
    for end in ends {
        let mut s = Story::with_expiry(Some(t0() + Duration::days(7)));
        s.document("doc_1", 1);
        s.recipient("alice", RecipientRole::Signer, 1);
        s.recipient("bob", RecipientRole::Signer, 2);
        s.send();
        end(&mut s);
        assert!(s.envelope.is_terminal());
        for (actor, command) in every_command() {
            let name = command.name();
            assert_eq!(
                code(s.try_as(actor, command)),
                ErrorCode::EnvelopeTerminal,
                "{name} on {:?}",
                s.envelope.status
            );
        }
    }
}

fn every_command() -> Vec<(Actor, Command)> {
    let alice = || Actor::Recipient { id: "alice".into() };
    vec![
        (sender(), Command::Update(UpdateEnvelope::default())),
        (
            sender(),
            Command::AddDocument(NewDocument {
                id: "d".into(),
                name: "d.pdf".into(),
                page_count: 1,
                sha256: hash(4),
                pages: Vec::new(),
            }),
        ),
        (
            sender(),
            Command::RemoveDocument {
                document_id: "doc_1".into(),
            },
        ),
        (
            sender(),
            Command::AddRecipient(recipient("z", RecipientRole::Signer, 1)),
        ),
        (
            sender(),
            Command::RemoveRecipient {
                recipient_id: "bob".into(),
            },
        ),
        (sender(), Command::send()),
        (
            alice(),
            Command::View {
                recipient_id: "alice".into(),
            },
        ),
        (
            alice(),
            Command::Sign {
                recipient_id: "alice".into(),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            },
        ),
        (
            alice(),
            Command::Decline {
                recipient_id: "alice".into(),
                reason: "r".into(),
            },
        ),
        (sender(), Command::Void { reason: "r".into() }),
        (Actor::System, Command::Expire),
        (
            sender(),
            Command::Remind {
                recipient_ids: vec![],
            },
        ),
        (sender(), Command::Delete),
    ]
}

#[test]
fn remind_targets_active_signers_and_approvers() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("anna", RecipientRole::Approver, 1);
    s.recipient("carl", RecipientRole::Cc, 1);
    s.recipient("bob", RecipientRole::Signer, 2);
    s.send();
    s.sign("alice");
    let events = s.ok(Command::Remind {
        recipient_ids: vec![],
    });
    assert_eq!(types(&events), ["recipient.reminded anna"]);
    assert_eq!(
        code(s.sender(Command::Remind {
            recipient_ids: vec!["bob".into()]
        })),
        ErrorCode::RecipientNotActive
    );
    assert_eq!(
        code(s.sender(Command::Remind {
            recipient_ids: vec!["carl".into()]
        })),
        ErrorCode::RecipientRoleMismatch
    );
    s.ok(Command::Remind {
        recipient_ids: vec!["anna".into()],
    });
    let anna = s.envelope.recipient("anna").expect("anna");
    assert_eq!(anna.reminder_count, 2);
    assert_eq!(anna.last_reminded_at, Some(s.clock));
    s.assert_replays();
}

#[test]
fn time_cannot_go_backwards() {
    let mut s = two_signers_in_sequence();
    s.clock -= Duration::minutes(10);
    assert_eq!(
        code(s.sender(Command::Remind {
            recipient_ids: vec![]
        })),
        ErrorCode::TimeBeforeLastEvent
    );
}

// ---- JSON and replay ----

#[test]
fn json_is_camel_case_and_round_trips() {
    let mut s = two_signers_in_sequence();
    s.sign("alice");
    let json = serde_json::to_value(&s.envelope).expect("json");
    assert_eq!(json["schemaVersion"], 2);
    assert_eq!(json["signatureLevel"], "SIMPLE");
    assert_eq!(json["status"], "SENT");
    assert_eq!(json["recipients"][0]["routingOrder"], 1);
    assert_eq!(json["recipients"][0]["status"], "SIGNED");
    assert_eq!(json["fields"][0]["kind"], "SIGNATURE");
    assert_eq!(json["fields"][0]["rect"]["width"], 180.0);
    let back: Envelope = serde_json::from_value(json).expect("parses");
    assert_eq!(back, s.envelope);

    let events = serde_json::to_string(&s.history).expect("json");
    let back: Vec<Event> = serde_json::from_str(&events).expect("parses");
    assert_eq!(back, s.history);
    let signed = serde_json::to_value(
        s.history
            .iter()
            .find(|e| e.event_type() == "recipient.signed")
            .expect("signed"),
    )
    .expect("json");
    assert_eq!(signed["type"], "recipient.signed");
    assert_eq!(signed["data"]["recipientId"], "alice");
    assert_eq!(signed["actor"]["type"], "recipient");
    assert_eq!(signed["envelopeId"], "env_1");
}

#[test]
fn commands_parse_from_json() {
    let cases = [
        r#"{"type": "send"}"#,
        r#"{"type": "sign", "recipientId": "alice"}"#,
        r#"{"type": "decline", "recipientId": "alice", "reason": "no"}"#,
        r#"{"type": "addRecipient", "id": "bob", "name": "Bob", "email": "bob@example.com", "routingOrder": 2}"#,
        r#"{"type": "addField", "id": "f", "documentId": "d", "recipientId": "bob", "kind": "INITIALS", "page": 1, "rect": {"x": 1, "y": 2, "width": 3, "height": 4}}"#,
        r#"{"type": "create", "id": "env_9", "subject": "Hello"}"#,
        r#"{"type": "remind"}"#,
    ];
    for json in cases {
        let command: Command = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        let again: Command =
            serde_json::from_str(&serde_json::to_string(&command).expect("json")).expect("parses");
        assert_eq!(again, command);
    }
    for bad in [
        r#"{"type": "sing", "recipientId": "alice"}"#,
        r#"{"type": "sign"}"#,
        r#"{"type": "addRecipient", "id": "bob", "name": "Bob", "email": "b@example.com", "rank": 2}"#,
        // A misspelt key is refused, not ignored: the digests would be lost.
        r#"{"type": "sign", "recipientId": "a", "documnets": []}"#,
        r#"{"type": "send", "document": []}"#,
        r#"{"type": "updateField", "fieldId": "f", "pgae": 2}"#,
    ] {
        assert!(serde_json::from_str::<Command>(bad).is_err(), "{bad}");
    }
}

#[test]
fn envelope_from_json_checks_the_schema_version() {
    let s = Story::new();
    let mut json = serde_json::to_value(&s.envelope).expect("json");
    assert_eq!(
        Envelope::from_json(&json.to_string()).expect("reads"),
        s.envelope
    );
    json["schemaVersion"] = 3.into();
    assert_eq!(
        code(Envelope::from_json(&json.to_string())),
        ErrorCode::UnsupportedSchemaVersion
    );
    assert_eq!(
        code(Envelope::from_json("{not json")),
        ErrorCode::MalformedJson
    );
}

#[test]
fn replay_rejects_logs_that_are_not_one_history() {
    let s = two_signers_in_sequence();
    assert_eq!(code(replay(&[])), ErrorCode::InvalidEventLog);
    assert_eq!(code(replay(&s.history[1..])), ErrorCode::InvalidEventLog);
    let mut gap = s.history.clone();
    gap.remove(2);
    assert_eq!(code(replay(&gap)), ErrorCode::InvalidEventLog);
    let mut swapped = s.history.clone();
    swapped.swap(2, 3);
    assert_eq!(code(replay(&swapped)), ErrorCode::InvalidEventLog);
    let mut foreign = s.history.clone();
    foreign[3].envelope_id = "env_2".into();
    assert_eq!(code(replay(&foreign)), ErrorCode::InvalidEventLog);
    let mut twice = s.history.clone();
    let mut created = twice[0].clone();
    created.seq = twice.len() as u64 + 1;
    twice.push(created);
    assert_eq!(code(replay(&twice)), ErrorCode::InvalidEventLog);
}

/// An event that follows `history`, as if a command had produced it.
fn next_event(history: &[Event], actor: Actor, data: EventData) -> Event {
    let last = history.last().expect("a history");
    Event {
        schema_version: super::SCHEMA_VERSION,
        envelope_id: last.envelope_id.clone(),
        seq: last.seq + 1,
        occurred_at: last.occurred_at + chrono::Duration::minutes(1),
        actor,
        ip: None,
        user_agent: None,
        data,
    }
}

fn assert_impossible(history: &[Event], what: &str) {
    let err = replay(history).expect_err(what);
    assert_eq!(
        err.code(),
        ErrorCode::InvalidEventLog,
        "{what}: {}",
        err.message()
    );
    // The evidence builder refuses what replay refuses.
    let err = crate::audit::records_from_events(history).expect_err(what);
    assert_eq!(
        err.code(),
        ErrorCode::InvalidEventLog,
        "{what}: {}",
        err.message()
    );
}

#[test]
fn replay_refuses_histories_apply_could_not_have_produced() {
    // A draft with alice and a document, never sent.
    let mut draft = Story::new();
    draft.document("doc_1", 1);
    draft.recipient("alice", RecipientRole::Signer, 1);
    draft.field("sig_alice", "alice", FieldKind::Signature, true);
    assert!(replay(&draft.history).is_ok());
    assert!(crate::audit::records_from_events(&draft.history).is_ok());

    // recipient.signed while the envelope is a draft.
    let mut signed_in_draft = draft.history.clone();
    signed_in_draft.push(next_event(
        &draft.history,
        Actor::Recipient { id: "alice".into() },
        EventData::RecipientSigned {
            recipient_id: "alice".into(),
            documents: vec![],
            signature: None,
            certificate_sha256: None,
        },
    ));
    assert_impossible(&signed_in_draft, "signed in draft");

    // Two documents with one id.
    let added = draft
        .history
        .iter()
        .find(|e| matches!(e.data, EventData::DocumentAdded { .. }))
        .expect("document added")
        .data
        .clone();
    let mut two_docs = draft.history.clone();
    two_docs.push(next_event(&draft.history, sender(), added));
    assert_impossible(&two_docs, "two documents with one id");

    // Time going backwards.
    let mut backwards = draft.history.clone();
    let mut event = next_event(
        &draft.history,
        sender(),
        EventData::FieldRemoved {
            field_id: "sig_alice".into(),
        },
    );
    event.occurred_at = t0() - chrono::Duration::days(1);
    backwards.push(event);
    assert_impossible(&backwards, "time going backwards");

    // More recipients than apply's cap.
    let mut crowded = draft.history.clone();
    for i in 0..validate::MAX_RECIPIENTS {
        let event = next_event(
            &crowded,
            sender(),
            EventData::RecipientAdded {
                recipient: super::evolve::pending_recipient(recipient(
                    &format!("r{i}"),
                    RecipientRole::Cc,
                    1,
                )),
            },
        );
        crowded.push(event);
    }
    assert_impossible(&crowded, "over the recipient cap");

    // A signature by someone else than the signer, once sent.
    let s = two_signers_in_sequence();
    let mut forged = s.history.clone();
    forged.push(next_event(
        &s.history,
        sender(),
        EventData::RecipientSigned {
            recipient_id: "alice".into(),
            documents: vec![],
            signature: None,
            certificate_sha256: None,
        },
    ));
    assert_impossible(&forged, "signed by the sender");
    // ... and by bob before his turn.
    let mut early = s.history.clone();
    early.push(next_event(
        &s.history,
        Actor::Recipient { id: "bob".into() },
        EventData::RecipientSigned {
            recipient_id: "bob".into(),
            documents: vec![],
            signature: None,
            certificate_sha256: None,
        },
    ));
    assert_impossible(&early, "signed out of turn");
}

#[test]
fn loaded_state_is_checked_as_strictly_as_commands() {
    let s = two_signers_in_sequence();
    let good = serde_json::to_value(&s.envelope).expect("json");
    assert!(Envelope::from_json(&good.to_string()).is_ok());
    type Mutation = Box<dyn Fn(&mut serde_json::Value)>;
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "duplicate recipient ids",
            Box::new(|v| {
                v["recipients"][1]["id"] = v["recipients"][0]["id"].clone();
            }),
        ),
        (
            "a path as an id",
            Box::new(|v| v["recipients"][0]["id"] = "../x".into()),
        ),
        (
            "a path as an envelope id",
            Box::new(|v| v["id"] = "../../etc".into()),
        ),
        (
            "version u64::MAX",
            Box::new(|v| v["version"] = u64::MAX.into()),
        ),
        ("version 0", Box::new(|v| v["version"] = 0.into())),
        (
            "a field of nobody",
            Box::new(|v| v["fields"][0]["recipientId"] = "mallory".into()),
        ),
        (
            "a field past the last page",
            Box::new(|v| v["fields"][0]["page"] = 99.into()),
        ),
        (
            "a control character in a name",
            Box::new(|v| {
                v["recipients"][0]["name"] = "Alice\u{1b}[2J".into();
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let mut value = good.clone();
        mutate(&mut value);
        let err = Envelope::from_json(&value.to_string()).expect_err(what);
        assert!(
            matches!(err.code(), ErrorCode::InvalidEnvelope),
            "{what}: {} {}",
            err.code(),
            err.message()
        );
    }
}

#[test]
fn the_context_is_checked_and_escaped_before_it_is_recorded() {
    let mut s = Story::new();
    let command = || {
        Command::Update(UpdateEnvelope {
            subject: Some("Amended contract".into()),
            ..Default::default()
        })
    };
    let at = t0() + Duration::minutes(1);
    let bad_ip = Context::new(at, sender()).with_ip("not-an-ip");
    assert_eq!(
        code(apply(&s.envelope, command(), &bad_ip)),
        ErrorCode::InvalidArgument
    );
    let bad_actor = Context::new(
        at,
        Actor::User {
            id: "eve\nINFO ok".into(),
        },
    );
    assert_eq!(
        code(apply(&s.envelope, command(), &bad_actor)),
        ErrorCode::InvalidArgument
    );
    let ctx = Context {
        now: at,
        actor: sender(),
        ip: Some(" ::ffff:192.0.2.1 ".into()),
        user_agent: Some("Mozilla\u{1b}[31m/5.0\r\nX: y".into()),
    };
    let transition = apply(&s.envelope, command(), &ctx).expect("applies");
    let event = transition.events.last().expect("an event");
    assert_eq!(event.ip.as_deref(), Some("::ffff:192.0.2.1"));
    let agent = event.user_agent.as_deref().expect("user agent");
    assert!(!agent.chars().any(char::is_control), "{agent:?}");
    assert!(agent.contains("\\u{1b}"), "{agent:?}");
    s.envelope = transition.envelope;
}

mod state_machine {
    //! Random command sequences over random mixed routings, checking the
    //! invariants after every step.
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    struct Scenario {
        recipients: Vec<(RecipientRole, u32)>,
        with_text_field: Vec<bool>,
        with_code: Vec<bool>,
        expiry_minutes: Option<i64>,
        steps: Vec<Step>,
    }

    #[derive(Debug, Clone)]
    enum Step {
        View(usize),
        Fill(usize, bool),
        Sign(usize),
        Consent(usize),
        Approve(usize),
        Decline(usize),
        ActForOther(usize, usize),
        Void,
        Expire,
        Remind,
        DraftEdit,
        RequestCode(usize),
        Authenticate(usize, bool),
        Complete,
        ReturnToDraft,
        Send,
        Wait(i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (0..6usize).prop_map(Step::View),
            3 => (0..6usize, any::<bool>()).prop_map(|(r, b)| Step::Fill(r, b)),
            8 => (0..6usize).prop_map(Step::Sign),
            4 => (0..6usize).prop_map(Step::Consent),
            1 => (0..6usize).prop_map(Step::RequestCode),
            3 => (0..6usize, prop::bool::weighted(0.7)).prop_map(|(r, ok)| Step::Authenticate(r, ok)),
            2 => Just(Step::Complete),
            1 => Just(Step::ReturnToDraft),
            1 => Just(Step::Send),
            4 => (0..6usize).prop_map(Step::Approve),
            1 => (0..6usize).prop_map(Step::Decline),
            1 => (0..6usize, 0..6usize).prop_map(|(a, b)| Step::ActForOther(a, b)),
            1 => Just(Step::Void),
            1 => Just(Step::Expire),
            1 => Just(Step::Remind),
            1 => Just(Step::DraftEdit),
            2 => (1..240i64).prop_map(Step::Wait),
        ]
    }

    fn role() -> impl Strategy<Value = RecipientRole> {
        prop_oneof![
            5 => Just(RecipientRole::Signer),
            2 => Just(RecipientRole::Approver),
            1 => Just(RecipientRole::Cc),
            1 => Just(RecipientRole::Viewer),
        ]
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        (
            prop::collection::vec((role(), 1..4u32), 1..6),
            prop::collection::vec(any::<bool>(), 6),
            prop::collection::vec(any::<bool>(), 6),
            prop::option::of(30..600i64),
            prop::collection::vec(step(), 0..40),
        )
            .prop_map(
                |(mut recipients, with_text_field, with_code, expiry_minutes, steps)| {
                    recipients[0].0 = RecipientRole::Signer;
                    Scenario {
                        recipients,
                        with_text_field,
                        with_code,
                        expiry_minutes,
                        steps,
                    }
                },
            )
    }

    fn rid(i: usize) -> String {
        format!("r{i}")
    }

    fn command_for(step: &Step, n: usize) -> Option<(Actor, Command)> {
        let me = |i: usize| Actor::Recipient { id: rid(i % n) };
        Some(match *step {
            Step::View(i) => (
                me(i),
                Command::View {
                    recipient_id: rid(i % n),
                },
            ),
            Step::Fill(i, value) => (
                me(i),
                Command::FillField {
                    recipient_id: rid(i % n),
                    field_id: format!("text_{}", i % n),
                    value: if value { "filled".into() } else { " ".into() },
                },
            ),
            Step::Sign(i) => (
                me(i),
                Command::Sign {
                    recipient_id: rid(i % n),
                    documents: vec![],
                    signature: (i % 2 == 0).then(|| SignatureMark::Typed {
                        text: format!("Signer {i}"),
                    }),
                    certificate_sha256: None,
                },
            ),
            Step::Consent(i) => (
                me(i),
                Command::Consent {
                    recipient_id: rid(i % n),
                    version: format!("v{i}"),
                    text_sha256: hash(7),
                },
            ),
            Step::Approve(i) => (
                me(i),
                Command::Approve {
                    recipient_id: rid(i % n),
                    documents: vec![],
                },
            ),
            Step::Decline(i) => (
                me(i),
                Command::Decline {
                    recipient_id: rid(i % n),
                    reason: "not now".into(),
                },
            ),
            Step::ActForOther(a, b) if a % n != b % n => (
                me(a),
                Command::Sign {
                    recipient_id: rid(b % n),
                    documents: vec![],
                    signature: None,
                    certificate_sha256: None,
                },
            ),
            Step::ActForOther(..) => return None,
            Step::Void => (
                sender(),
                Command::Void {
                    reason: "cancelled".into(),
                },
            ),
            Step::Expire => (Actor::System, Command::Expire),
            Step::Remind => (
                Actor::System,
                Command::Remind {
                    recipient_ids: vec![],
                },
            ),
            Step::DraftEdit => (
                sender(),
                Command::AddDocument(NewDocument {
                    id: "late".into(),
                    name: "late.pdf".into(),
                    page_count: 1,
                    sha256: hash(9),
                    pages: Vec::new(),
                }),
            ),
            Step::RequestCode(i) => (
                me(i),
                Command::RequestAuthentication {
                    recipient_id: rid(i % n),
                },
            ),
            Step::Authenticate(i, passed) => (
                me(i),
                Command::Authenticate {
                    recipient_id: rid(i % n),
                    method: AuthenticationMethod::AccessCode,
                    passed,
                },
            ),
            Step::Complete => (Actor::System, Command::Complete { documents: vec![] }),
            Step::ReturnToDraft => (
                sender(),
                Command::ReturnToDraft {
                    reason: "a typo in the salary".into(),
                },
            ),
            Step::Send => (sender(), Command::send()),
            Step::Wait(_) => return None,
        })
    }

    fn all_acted(envelope: &Envelope) -> bool {
        envelope
            .recipients
            .iter()
            .filter(|r| r.role.must_act())
            .all(|r| r.status.has_acted())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn invariants_hold_over_random_command_sequences(sc in scenario()) {
            let mut s = Story::with_expiry(sc.expiry_minutes.map(|m| t0() + Duration::minutes(m)));
            s.document("doc_1", 3);
            let n = sc.recipients.len();
            for (i, (role, order)) in sc.recipients.iter().enumerate() {
                let mut new = recipient(&rid(i), *role, *order);
                if sc.with_code[i] {
                    new.authentication = AuthenticationMethod::AccessCode;
                }
                s.ok(Command::AddRecipient(new));
                match role {
                    RecipientRole::Signer => s.field(&format!("sig_{i}"), &rid(i), FieldKind::Signature, true),
                    RecipientRole::Approver | RecipientRole::Cc | RecipientRole::Viewer => {}
                }
                if role.must_act() && sc.with_text_field[i] {
                    s.field(&format!("text_{i}"), &rid(i), FieldKind::Text, true);
                }
            }
            s.send();

            for step in &sc.steps {
                if let Step::Wait(minutes) = step {
                    s.clock += Duration::minutes(*minutes);
                    continue;
                }
                let Some((actor, command)) = command_for(step, n) else { continue };
                let before = s.envelope.clone();
                let was_terminal = before.is_terminal();
                let result = s.try_as(actor, command);

                // Terminal states absorb every command.
                if was_terminal {
                    prop_assert_eq!(result.as_ref().err().map(|e| e.code()), Some(ErrorCode::EnvelopeTerminal));
                }
                if let Ok(events) = &result {
                    // No recipient acts before its order, nor unauthenticated,
                    // nor (signers) without consent.
                    for event in events {
                        if let EventData::RecipientSigned { recipient_id, .. }
                        | EventData::RecipientApproved { recipient_id, .. }
                        | EventData::RecipientDeclined { recipient_id, .. }
                        | EventData::FieldFilled { recipient_id, .. } = &event.data
                        {
                            let who = before.recipient(recipient_id).expect("known");
                            let order = who.routing_order;
                            prop_assert!(before.recipients.iter()
                                .filter(|r| r.role.must_act() && r.routing_order < order)
                                .all(|r| r.status.has_acted()),
                                "{} acted before an earlier order finished", recipient_id);
                            prop_assert!(who.status.is_active());
                            prop_assert!(who.is_authenticated(), "{} acted unauthenticated", recipient_id);
                        }
                        if let EventData::RecipientSigned { recipient_id, .. } = &event.data {
                            prop_assert!(before.recipient(recipient_id).expect("known").consent.is_some());
                        }
                        if let EventData::RecipientLocked { recipient_id } = &event.data {
                            let limit = s.envelope.settings.max_authentication_attempts;
                            prop_assert_eq!(s.envelope.recipient(recipient_id).expect("known").failed_authentications, limit);
                        }
                    }
                    // Nobody is notified beyond the active order while the
                    // envelope runs; once everyone acted it awaits completion.
                    if s.envelope.status == EnvelopeStatus::Sent {
                        match s.envelope.active_routing_order() {
                            Some(active) => {
                                for r in &s.envelope.recipients {
                                    prop_assert_eq!(r.status == RecipientStatus::Pending, r.routing_order > active);
                                }
                            }
                            None => prop_assert!(s.envelope.awaiting_completion()),
                        }
                    }
                    // A draft (after a return) has nobody notified.
                    if s.envelope.status == EnvelopeStatus::Draft {
                        prop_assert!(s.envelope.recipients.iter().all(|r| r.status == RecipientStatus::Pending));
                    }
                }
                // Completed only once every signer and approver acted; all
                // acted and still running means awaiting completion.
                if s.envelope.status == EnvelopeStatus::Completed {
                    prop_assert!(all_acted(&s.envelope));
                }
                if s.envelope.status == EnvelopeStatus::Sent && all_acted(&s.envelope) {
                    prop_assert!(s.envelope.awaiting_completion());
                }
                prop_assert_eq!(s.envelope.version, s.history.len() as u64);
            }
            // Replay equals state, and JSON round-trips.
            prop_assert_eq!(&replay(&s.history).expect("replays"), &s.envelope);
            let json = serde_json::to_string(&s.envelope).expect("json");
            prop_assert_eq!(&Envelope::from_json(&json).expect("parses"), &s.envelope);
        }
    }
}

fn drawn_png() -> Vec<u8> {
    include_bytes!("../../../fixtures/images/signature.png").to_vec()
}

#[test]
fn consent_is_recorded_for_signers_and_approvers() {
    let mut s = two_signers_in_sequence();
    let consent = |who: &str, version: &str, digest: String| Command::Consent {
        recipient_id: who.into(),
        version: version.into(),
        text_sha256: digest,
    };
    assert_eq!(
        code(s.by("bob", consent("bob", "2026-01", hash(5)))),
        ErrorCode::RecipientNotActive,
        "bob's turn has not come"
    );
    assert_eq!(
        code(s.by("alice", consent("alice", "", hash(5)))),
        ErrorCode::ConsentInvalid
    );
    assert_eq!(
        code(s.by("alice", consent("alice", "2026-01", "ABC".into()))),
        ErrorCode::ConsentInvalid
    );
    assert_eq!(
        code(s.sender(consent("alice", "2026-01", hash(5)))),
        ErrorCode::ActorNotAllowed,
        "only the recipient can consent"
    );
    let events = s
        .by("alice", consent("alice", "2026-01", hash(5)))
        .expect("consents");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type(), "recipient.consented");
    assert!(crate::webhook::webhook_event_type(&events[0].data).is_none());
    let given = s
        .envelope
        .recipient("alice")
        .expect("alice")
        .consent
        .clone();
    let given = given.expect("consent recorded");
    assert_eq!(given.version, "2026-01");
    assert_eq!(given.text_sha256, hash(5));
    assert_eq!(given.given_at, events[0].occurred_at);
    s.assert_replays();
}

#[test]
fn a_cc_has_nothing_to_consent_to() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("carol", RecipientRole::Cc, 1);
    s.send();
    assert_eq!(
        code(s.by(
            "carol",
            Command::Consent {
                recipient_id: "carol".into(),
                version: "v1".into(),
                text_sha256: hash(5),
            }
        )),
        ErrorCode::RecipientRoleMismatch
    );
}

#[test]
fn signature_marks_are_checked_and_kept() {
    let mut s = two_signers_in_sequence();
    s.consent("alice");
    let sign = |who: &str, mark: SignatureMark| Command::Sign {
        recipient_id: who.into(),
        documents: vec![],
        signature: Some(mark),
        certificate_sha256: None,
    };
    for bad in [
        SignatureMark::Typed { text: " ".into() },
        SignatureMark::Typed {
            text: "x".repeat(300),
        },
        SignatureMark::Typed {
            text: "line\nbreak".into(),
        },
        SignatureMark::Drawn {
            png: b"not a png".to_vec(),
        },
        SignatureMark::Drawn {
            png: vec![0; 600 * 1024],
        },
    ] {
        assert_eq!(
            code(s.by("alice", sign("alice", bad.clone()))),
            ErrorCode::SignatureMarkInvalid,
            "{bad:?}"
        );
    }
    let drawn = SignatureMark::Drawn { png: drawn_png() };
    s.by("alice", sign("alice", drawn.clone())).expect("signs");
    s.consent("bob");
    s.by(
        "bob",
        sign(
            "bob",
            SignatureMark::Typed {
                text: "김준호".into(),
            },
        ),
    )
    .expect("signs");
    assert_eq!(
        s.envelope.recipient("alice").expect("alice").signature,
        Some(drawn)
    );
    assert!(s.envelope.awaiting_completion());
    s.assert_replays();

    let json = serde_json::to_value(&s.envelope).expect("json");
    assert_eq!(json["recipients"][0]["signature"]["type"], "DRAWN");
    assert!(
        json["recipients"][0]["signature"]["png"]
            .as_str()
            .expect("base64")
            .starts_with("iVBORw0KGgo")
    );
    assert_eq!(json["recipients"][1]["signature"]["text"], "김준호");
    let back: Envelope = serde_json::from_value(json).expect("round-trips");
    assert_eq!(back, s.envelope);
}

// ---- corrections, contacts, authentication and returning to draft ----

#[test]
fn update_recipient_changes_a_draft_recipient_and_keeps_emails_unique() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("bob", RecipientRole::Signer, 2);
    let events = s.ok(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "bob".into(),
        name: Some("Robert Martin".into()),
        phone: Some(Some("+33612345678".into())),
        routing_order: Some(1),
        authentication: Some(AuthenticationMethod::SmsCode),
        ..UpdateRecipient::default()
    }));
    assert_eq!(types(&events), ["recipient.updated bob"]);
    let bob = s.envelope.recipient("bob").expect("bob");
    assert_eq!(bob.name, "Robert Martin");
    assert_eq!(bob.routing_order, 1);
    assert_eq!(bob.authentication, AuthenticationMethod::SmsCode);
    assert_eq!(
        bob.email.as_deref(),
        Some("bob@example.com"),
        "absent keys stay"
    );
    // Clearing the email of an SMS recipient leaves a reachable recipient.
    s.ok(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "bob".into(),
        email: Some(None),
        ..UpdateRecipient::default()
    }));
    assert_eq!(s.envelope.recipient("bob").expect("bob").email, None);
    // Clearing the phone too would leave no way to reach him.
    let result = s.sender(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "bob".into(),
        phone: Some(None),
        ..UpdateRecipient::default()
    }));
    assert_eq!(code(result), ErrorCode::InvalidRecipient);
    // Emails are unique within the envelope, whatever their case.
    let result = s.sender(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "bob".into(),
        email: Some(Some("ALICE@example.com".into())),
        ..UpdateRecipient::default()
    }));
    assert_eq!(code(result), ErrorCode::DuplicateEmail);
    let result = s.sender(Command::AddRecipient(NewRecipient {
        email: Some("Alice@Example.com".into()),
        ..recipient("carol", RecipientRole::Signer, 2)
    }));
    assert_eq!(code(result), ErrorCode::DuplicateEmail);
    let result = s.sender(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "nobody".into(),
        ..UpdateRecipient::default()
    }));
    assert_eq!(code(result), ErrorCode::RecipientNotFound);
    s.assert_replays();
}

#[test]
fn a_recipient_reached_by_sms_only_can_sign() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.ok(Command::AddRecipient(NewRecipient {
        email: None,
        phone: Some("+821012345678".into()),
        authentication: AuthenticationMethod::SmsCode,
        ..recipient("minji", RecipientRole::Signer, 1)
    }));
    // Without any contact, or SMS codes without a phone, refused.
    for (email, phone, authentication) in [
        (None, None, AuthenticationMethod::EmailLink),
        (
            Some("x@example.com".to_owned()),
            None,
            AuthenticationMethod::SmsCode,
        ),
        (
            None,
            Some("12345".to_owned()),
            AuthenticationMethod::SmsCode,
        ),
    ] {
        let result = s.sender(Command::AddRecipient(NewRecipient {
            email,
            phone,
            authentication,
            ..recipient("other", RecipientRole::Signer, 1)
        }));
        assert_eq!(code(result), ErrorCode::InvalidRecipient);
    }
    s.send();
    let minji = s.envelope.recipient("minji").expect("minji");
    assert_eq!(minji.contact(), "+821012345678");
    let sign = Command::Sign {
        recipient_id: "minji".into(),
        documents: vec![],
        signature: None,
        certificate_sha256: None,
    };
    assert_eq!(
        code(s.by("minji", sign.clone())),
        ErrorCode::RecipientNotAuthenticated
    );
    let events = s
        .by(
            "minji",
            Command::RequestAuthentication {
                recipient_id: "minji".into(),
            },
        )
        .expect("code sent");
    assert_eq!(types(&events), ["recipient.authentication_requested minji"]);
    s.by(
        "minji",
        Command::Authenticate {
            recipient_id: "minji".into(),
            method: AuthenticationMethod::SmsCode,
            passed: true,
        },
    )
    .expect("passes");
    assert!(
        s.envelope
            .recipient("minji")
            .expect("minji")
            .is_authenticated()
    );
    assert_eq!(
        code(s.by("minji", sign.clone())),
        ErrorCode::ConsentRequired
    );
    s.consent("minji");
    s.by("minji", sign).expect("signs");
    s.complete();
    assert_eq!(s.envelope.status, EnvelopeStatus::Completed);
    s.assert_replays();
}

#[test]
fn failed_codes_are_counted_and_lock_the_recipient_out() {
    let mut s = Story::new();
    s.ok(Command::Update(UpdateEnvelope {
        settings: Some(EnvelopeSettings {
            max_authentication_attempts: 3,
            ..EnvelopeSettings::default()
        }),
        ..UpdateEnvelope::default()
    }));
    s.document("doc_1", 1);
    s.ok(Command::AddRecipient(NewRecipient {
        authentication: AuthenticationMethod::AccessCode,
        ..recipient("alice", RecipientRole::Signer, 1)
    }));
    s.send();
    let attempt = |passed| Command::Authenticate {
        recipient_id: "alice".into(),
        method: AuthenticationMethod::AccessCode,
        passed,
    };
    // The method checked must be the recipient's.
    assert_eq!(
        code(s.by(
            "alice",
            Command::Authenticate {
                recipient_id: "alice".into(),
                method: AuthenticationMethod::SmsCode,
                passed: true,
            }
        )),
        ErrorCode::InvalidArgument
    );
    for n in 1..=2 {
        let events = s.by("alice", attempt(false)).expect("fails");
        assert_eq!(types(&events), ["recipient.authentication_failed alice"]);
        assert_eq!(
            s.envelope
                .recipient("alice")
                .expect("alice")
                .failed_authentications,
            n
        );
    }
    let events = s.by("alice", attempt(false)).expect("third failure");
    assert_eq!(
        types(&events),
        [
            "recipient.authentication_failed alice",
            "recipient.locked alice"
        ]
    );
    assert!(
        s.envelope
            .recipient("alice")
            .expect("alice")
            .locked_at
            .is_some()
    );
    // Locked out: even the right code no longer helps, nor does asking
    // for a new one; the sender sees why.
    assert_eq!(
        code(s.by("alice", attempt(true))),
        ErrorCode::RecipientLocked
    );
    assert_eq!(
        code(s.by(
            "alice",
            Command::RequestAuthentication {
                recipient_id: "alice".into()
            }
        )),
        ErrorCode::RecipientLocked
    );
    assert_eq!(
        code(s.by(
            "alice",
            Command::Consent {
                recipient_id: "alice".into(),
                version: "2026-01".into(),
                text_sha256: hash(5),
            }
        )),
        ErrorCode::RecipientLocked
    );
    assert_eq!(
        code(s.by(
            "alice",
            Command::Sign {
                recipient_id: "alice".into(),
                documents: vec![],
                signature: None,
                certificate_sha256: None,
            }
        )),
        ErrorCode::RecipientLocked
    );
    s.assert_replays();
}

#[test]
fn a_code_is_only_requested_for_methods_that_have_one() {
    let mut s = two_signers_in_sequence();
    assert_eq!(
        code(s.by(
            "alice",
            Command::RequestAuthentication {
                recipient_id: "alice".into()
            }
        )),
        ErrorCode::InvalidArgument,
        "an email-link recipient needs no code"
    );
    // An email-link recipient is authenticated by the link itself.
    assert!(
        s.envelope
            .recipient("alice")
            .expect("alice")
            .is_authenticated()
    );
}

#[test]
fn send_needs_a_signature_field_per_signer_and_strong_authentication_for_advanced() {
    let mut s = Story::new();
    s.document("doc_1", 1);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("anna", RecipientRole::Approver, 1);
    assert_eq!(
        code(s.sender(Command::send())),
        ErrorCode::SignerWithoutField
    );
    s.field("sig_alice", "alice", FieldKind::Signature, true);
    s.ok(Command::Update(UpdateEnvelope {
        signature_level: Some(SignatureLevel::Advanced),
        ..UpdateEnvelope::default()
    }));
    assert_eq!(
        code(s.sender(Command::send())),
        ErrorCode::AdvancedRequiresStrongAuth,
        "alice signs by email link"
    );
    s.ok(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "alice".into(),
        authentication: Some(AuthenticationMethod::AccessCode),
        ..UpdateRecipient::default()
    }));
    // Approvers do not sign, so their method does not matter.
    s.ok(Command::send());
    assert_eq!(s.envelope.status, EnvelopeStatus::Sent);
}

#[test]
fn update_field_moves_a_field_within_its_page() {
    let mut s = Story::new();
    s.document("doc_1", 2);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.recipient("bob", RecipientRole::Signer, 1);
    s.field("sig_alice", "alice", FieldKind::Signature, true);
    s.field("name_alice", "alice", FieldKind::Text, false);
    let events = s.ok(Command::UpdateField(UpdateField {
        field_id: "name_alice".into(),
        recipient_id: Some("bob".into()),
        page: Some(2),
        rect: Some(Rect::new(300.0, 700.0, 200.0, 30.0)),
        multiline: Some(true),
        ..UpdateField::default()
    }));
    assert_eq!(types(&events), ["field.updated"]);
    let field = s.envelope.field("name_alice").expect("field");
    assert_eq!((field.recipient_id.as_str(), field.page), ("bob", 2));
    assert!(field.multiline);
    assert!(!field.required, "absent keys stay");
    // A rectangle past the page's edge (612 x 792) is refused.
    for rect in [
        Rect::new(500.0, 700.0, 200.0, 30.0),
        Rect::new(72.0, 780.0, 100.0, 30.0),
    ] {
        let result = s.sender(Command::UpdateField(UpdateField {
            field_id: "name_alice".into(),
            rect: Some(rect),
            ..UpdateField::default()
        }));
        assert_eq!(code(result), ErrorCode::FieldOutOfBounds);
    }
    let result = s.sender(Command::UpdateField(UpdateField {
        field_id: "name_alice".into(),
        page: Some(3),
        ..UpdateField::default()
    }));
    assert_eq!(code(result), ErrorCode::FieldOutOfBounds);
    // A signature field cannot go to an approver.
    s.recipient("anna", RecipientRole::Approver, 2);
    let result = s.sender(Command::UpdateField(UpdateField {
        field_id: "sig_alice".into(),
        recipient_id: Some("anna".into()),
        ..UpdateField::default()
    }));
    assert_eq!(code(result), ErrorCode::FieldRecipientNotAllowed);
    let result = s.sender(Command::UpdateField(UpdateField {
        field_id: "missing".into(),
        ..UpdateField::default()
    }));
    assert_eq!(code(result), ErrorCode::FieldNotFound);
    s.assert_replays();
}

#[test]
fn anchored_fields_must_be_placed_at_send() {
    let mut s = Story::new();
    s.document("doc_1", 2);
    s.recipient("alice", RecipientRole::Signer, 1);
    s.ok(Command::AddField(NewField {
        id: "sig_alice".into(),
        document_id: "doc_1".into(),
        recipient_id: "alice".into(),
        kind: FieldKind::Signature,
        page: 0,
        rect: Rect::new(0.0, 0.0, 180.0, 40.0),
        required: true,
        value: None,
        multiline: false,
        anchor: Some(FieldAnchor {
            text: "Signature:".into(),
            occurrence: 1,
            placement: AnchorPlacement::Right,
        }),
    }));
    assert_eq!(code(s.sender(Command::send())), ErrorCode::FieldNotPlaced);
    let placed = |page, rect| Command::Send {
        documents: vec![],
        placements: vec![FieldPlacement {
            field_id: "sig_alice".into(),
            page,
            rect,
        }],
    };
    assert_eq!(
        code(s.sender(placed(3, Rect::new(72.0, 600.0, 180.0, 40.0)))),
        ErrorCode::FieldOutOfBounds
    );
    assert_eq!(
        code(s.sender(placed(2, Rect::new(500.0, 600.0, 180.0, 40.0)))),
        ErrorCode::FieldOutOfBounds,
        "past the page's right edge"
    );
    s.ok(placed(2, Rect::new(300.0, 600.0, 180.0, 40.0)));
    let field = s.envelope.field("sig_alice").expect("field");
    assert_eq!(field.page, 2);
    assert!(field.anchor.is_none(), "placed once and for all");
    s.assert_replays();
}

#[test]
fn returning_to_draft_starts_a_new_round_until_someone_acts() {
    let mut s = two_signers_in_sequence();
    assert_eq!(s.envelope.round, 1);
    s.by(
        "alice",
        Command::View {
            recipient_id: "alice".into(),
        },
    )
    .expect("views");
    s.consent("alice");
    assert_eq!(
        code(s.sender(Command::ReturnToDraft {
            reason: "  ".into()
        })),
        ErrorCode::ReasonRequired,
        "a reason is needed"
    );
    let events = s.ok(Command::ReturnToDraft {
        reason: "Wrong salary on page 2".into(),
    });
    assert_eq!(types(&events), ["envelope.returned_to_draft"]);
    assert_eq!(s.envelope.status, EnvelopeStatus::Draft);
    assert_eq!(s.envelope.round, 2);
    let alice = s.envelope.recipient("alice").expect("alice");
    assert_eq!(alice.status, RecipientStatus::Pending);
    assert!(alice.consent.is_none() && alice.viewed_at.is_none());
    // Corrected and sent again: round 2's notifications.
    s.ok(Command::UpdateRecipient(UpdateRecipient {
        recipient_id: "bob".into(),
        name: Some("Bob Corrected".into()),
        ..UpdateRecipient::default()
    }));
    let events = s.ok(Command::send());
    assert_eq!(
        types(&events),
        ["envelope.sent", "recipient.notified alice"]
    );
    assert!(matches!(
        &events[0].data,
        EventData::EnvelopeSent { round: 2, .. }
    ));
    s.sign("alice");
    assert_eq!(
        code(s.sender(Command::ReturnToDraft {
            reason: "Too late".into()
        })),
        ErrorCode::EnvelopeHasSignatures
    );
    s.assert_replays();
}

#[test]
fn the_last_signature_awaits_the_completion() {
    let mut s = two_signers_in_sequence();
    s.sign("alice");
    let events = s.sign("bob");
    assert_eq!(types(&events), ["recipient.signed bob"]);
    assert!(s.envelope.awaiting_completion());
    assert_eq!(s.envelope.status, EnvelopeStatus::Sent);
    // Only the completion (and views) are accepted now.
    assert_eq!(
        code(s.sender(Command::Remind {
            recipient_ids: vec![]
        })),
        ErrorCode::EnvelopeAwaitingCompletion
    );
    s.by(
        "bob",
        Command::View {
            recipient_id: "bob".into(),
        },
    )
    .expect("views");
    let events = s.complete();
    assert_eq!(
        types(&events).last().map(String::as_str),
        Some("envelope.completed")
    );
    assert_eq!(s.envelope.status, EnvelopeStatus::Completed);
    s.assert_replays();
}

#[test]
fn completing_before_everyone_acted_is_refused() {
    let mut s = two_signers_in_sequence();
    s.sign("alice");
    assert_eq!(
        code(s.try_as(Actor::System, Command::Complete { documents: vec![] })),
        ErrorCode::EnvelopeNotReady
    );
}

//! The evidence bundle: the whole evidence of an envelope as one JSON
//! document (envelope summary, documents, recipients, chained records,
//! chain head), stable enough to archive and embedded in the audit-trail PDF.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::evidence::{
    ChainReport, DigestKind, EvidenceConsent, EvidenceRecord, records_from_events, timestamp,
    verify_chain,
};
use crate::digest::sha256_hex;
use crate::envelope::{
    Actor, AuthenticationMethod, Envelope, EnvelopeStatus, Event, EventData, RecipientRole,
    RecipientStatus, SignatureLevel, SignatureMark,
};
use crate::error::{Error, ErrorCode, Result};

/// Version of the JSON shape of [`EvidenceBundle`]. Readers refuse other
/// versions with `UNSUPPORTED_SCHEMA_VERSION`.
pub const EVIDENCE_SCHEMA_VERSION: u32 = 2;

/// The evidence of one envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceBundle {
    /// [`EVIDENCE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When the bundle was made (RFC 3339, milliseconds).
    pub generated_at: String,
    /// The envelope as it stands after the last record.
    pub envelope: EnvelopeSummary,
    /// Its documents, with their original and final digests.
    pub documents: Vec<DocumentSummary>,
    /// Its recipients, with what they did and from where.
    pub recipients: Vec<RecipientSummary>,
    /// One record per event, hash-chained.
    pub records: Vec<EvidenceRecord>,
    /// The last record.
    pub chain_head: ChainHead,
}

/// The envelope in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvelopeSummary {
    /// Id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: EnvelopeStatus,
    /// Signature level aimed at.
    pub signature_level: SignatureLevel,
    /// Locale of the envelope.
    pub locale: String,
    /// Creation time.
    pub created_at: String,
    /// Sending time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// Completion time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Time it was declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<String>,
    /// Time it was voided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_at: Option<String>,
    /// Why it was voided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void_reason: Option<String>,
    /// Time it expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<String>,
    /// Expiry time that was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A document in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentSummary {
    /// Id.
    pub id: String,
    /// File name.
    pub name: String,
    /// Number of pages.
    pub page_count: u32,
    /// SHA-256 as uploaded.
    pub original_sha256: String,
    /// SHA-256 as sent to the recipients, with their fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_sha256: Option<String>,
    /// SHA-256 of the latest version: final, signed, sent or original.
    pub final_sha256: String,
}

/// A recipient in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Role.
    pub role: RecipientRole,
    /// Routing order.
    pub routing_order: u32,
    /// Status.
    pub status: RecipientStatus,
    /// How they were authenticated.
    pub authentication: AuthenticationMethod,
    /// When they passed their code (SMS or access code), when their method
    /// asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated_at: Option<String>,
    /// SHA-256 of the certificate their signatures were made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<String>,
    /// The consent they gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<EvidenceConsent>,
    /// When they were first notified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_at: Option<String>,
    /// When they first viewed the documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed_at: Option<String>,
    /// When they signed, approved or declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acted_at: Option<String>,
    /// Why they declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    /// IP address they signed, approved or declined from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// User agent they signed, approved or declined with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The seq of the record of their signature, approval or decline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_record: Option<u64>,
    /// The mark they left when signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<EvidenceMark>,
}

/// A signature mark in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum EvidenceMark {
    /// A typed name.
    Typed {
        /// The text.
        text: String,
    },
    /// A drawing.
    Drawn {
        /// The PNG (base64 in JSON).
        #[serde(with = "crate::serde_util::base64_bytes")]
        png: Vec<u8>,
        /// Its SHA-256, as in the signing record.
        sha256: String,
    },
}

/// The last record of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainHead {
    /// Number of records.
    pub count: usize,
    /// The last record's `seq`.
    pub seq: u64,
    /// The last record's `hash`.
    pub hash: String,
}

/// What [`EvidenceBundle::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleReport {
    /// The hash chain, checked against the bundle's chain head.
    pub chain: ChainReport,
    /// Inconsistencies between the summary and the records.
    pub problems: Vec<String>,
}

impl BundleReport {
    /// Whether the chain holds and the summary agrees with the records.
    pub fn is_valid(&self) -> bool {
        self.chain.is_valid() && self.problems.is_empty()
    }
}

fn time(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(timestamp)
}

impl EvidenceBundle {
    /// The evidence of an envelope's whole history. `generated_at` is the
    /// time of the export (the core reads no clock).
    pub fn from_events(events: &[Event], generated_at: DateTime<Utc>) -> Result<Self> {
        let records = records_from_events(events)?;
        let envelope = crate::envelope::replay(events)?;
        Ok(Self::assemble(&envelope, events, records, generated_at))
    }

    /// A bundle from records kept incrementally (see
    /// [`EvidenceRecord::next`]) and the events they were made from; the
    /// records must match the events.
    pub fn from_records(
        events: &[Event],
        records: Vec<EvidenceRecord>,
        generated_at: DateTime<Utc>,
    ) -> Result<Self> {
        let rebuilt = records_from_events(events)?;
        if rebuilt != records {
            return Err(Error::new(
                ErrorCode::AuditEvidenceInvalid,
                "the evidence records do not match the envelope's events",
            ));
        }
        let envelope = crate::envelope::replay(events)?;
        Ok(Self::assemble(&envelope, events, records, generated_at))
    }

    fn assemble(
        envelope: &Envelope,
        events: &[Event],
        records: Vec<EvidenceRecord>,
        generated_at: DateTime<Utc>,
    ) -> Self {
        let Summary {
            envelope,
            documents,
            recipients,
        } = Summary::of(envelope, events);
        let chain_head = ChainHead {
            count: records.len(),
            seq: records.last().map_or(0, |r| r.seq),
            hash: records
                .last()
                .map_or_else(|| super::GENESIS_HASH.to_owned(), |r| r.hash.clone()),
        };
        Self {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            generated_at: timestamp(generated_at),
            envelope,
            documents,
            recipients,
            records,
            chain_head,
        }
    }

    /// Reads a bundle, checking `schemaVersion` first.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_slice(json).map_err(|e| {
            Error::new(
                ErrorCode::AuditEvidenceInvalid,
                format!("the evidence is not JSON: {e}"),
            )
        })?;
        match value
            .get("schemaVersion")
            .and_then(serde_json::Value::as_u64)
        {
            Some(v) if v == u64::from(EVIDENCE_SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(Error::new(
                    ErrorCode::UnsupportedSchemaVersion,
                    format!(
                        "evidence schema version {v} is not supported (this build reads {EVIDENCE_SCHEMA_VERSION})"
                    ),
                ));
            }
            None => {
                return Err(Error::new(
                    ErrorCode::AuditEvidenceInvalid,
                    "the evidence has no numeric schemaVersion",
                ));
            }
        }
        serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorCode::AuditEvidenceInvalid,
                format!("the evidence does not have the expected shape: {e}"),
            )
        })
    }

    /// Pretty-printed JSON (UTF-8), ending with a newline.
    pub fn to_json(&self) -> Vec<u8> {
        // Plain data with string keys always serializes.
        let mut json = serde_json::to_vec_pretty(self).unwrap_or_default();
        json.push(b'\n');
        json
    }

    /// The digest the envelope's documents ended with, per document id.
    pub fn final_digest(&self, document_id: &str) -> Option<&str> {
        self.documents
            .iter()
            .find(|d| d.id == document_id)
            .map(|d| d.final_sha256.as_str())
    }

    /// Checks the chain against the chain head, and that the summary says
    /// what the records say: envelope id, original and final digests, the
    /// drawn signatures' digests, and every field of the envelope,
    /// documents and recipients as the records replay into them (so that
    /// editing a name or a status in an archived evidence.json is found
    /// even though the records' chain is untouched).
    pub fn verify(&self) -> BundleReport {
        let chain = verify_chain(&self.records, Some(&self.chain_head.hash));
        let mut problems = Vec::new();
        if self.chain_head.count != self.records.len()
            || self.chain_head.seq != self.records.last().map_or(0, |r| r.seq)
        {
            problems.push(format!(
                "the chain head names {} records up to seq {}, but there are {}",
                self.chain_head.count,
                self.chain_head.seq,
                self.records.len()
            ));
        }
        if let Some(r) = self
            .records
            .iter()
            .find(|r| r.envelope_id != self.envelope.id)
        {
            problems.push(format!(
                "record {} belongs to envelope {}, not {}",
                r.seq, r.envelope_id, self.envelope.id
            ));
        }
        for document in &self.documents {
            let digests = |kinds: &[DigestKind]| {
                self.records
                    .iter()
                    .flat_map(|r| &r.documents)
                    .filter(|d| d.document_id == document.id && kinds.contains(&d.kind))
                    .map(|d| d.sha256.as_str())
                    .collect::<Vec<_>>()
            };
            let original = digests(&[DigestKind::Original]);
            if original.last() != Some(&document.original_sha256.as_str()) {
                problems.push(format!(
                    "document {}: the original digest differs from its upload record",
                    document.id
                ));
            }
            // The document as it last stood: uploaded, then as sent (the
            // prepared bytes), signed and final; a return to draft takes
            // it back to its upload. A declined, voided or expired envelope
            // ends at what was sent or signed last.
            let mut latest: Option<&str> = None;
            for record in &self.records {
                if record.action == "envelope.returned_to_draft" {
                    latest = original.last().copied();
                }
                for d in record
                    .documents
                    .iter()
                    .filter(|d| d.document_id == document.id)
                {
                    latest = Some(d.sha256.as_str());
                }
            }
            if latest != Some(document.final_sha256.as_str()) {
                problems.push(format!(
                    "document {}: the final digest differs from the last record of it",
                    document.id
                ));
            }
        }
        for recipient in &self.recipients {
            if let Some(EvidenceMark::Drawn { png, sha256 }) = &recipient.signature {
                let recorded = self
                    .records
                    .iter()
                    .rev()
                    .find(|r| {
                        r.action == "recipient.signed"
                            && r.recipient_id.as_deref() == Some(recipient.id.as_str())
                    })
                    .and_then(|r| r.details["signature"]["sha256"].as_str());
                if sha256_hex(png) != *sha256 || recorded != Some(sha256.as_str()) {
                    problems.push(format!(
                        "recipient {}: the drawn signature differs from the one recorded at signing",
                        recipient.id
                    ));
                }
            }
        }
        // The summary must be what the records replay into, so that a bare
        // evidence.json cannot have its subject, names or statuses edited
        // while its chain stays intact.
        match self.replay_records() {
            Ok(rebuilt) => {
                problems.extend(differences("envelope", &self.envelope, &rebuilt.envelope));
                problems.extend(differences(
                    "documents",
                    &self.documents,
                    &rebuilt.documents,
                ));
                problems.extend(differences(
                    "recipients",
                    &self.recipients,
                    &rebuilt.recipients,
                ));
            }
            Err(message) => problems.push(message),
        }
        BundleReport { chain, problems }
    }

    /// The summary the records alone give: events rebuilt from the records
    /// (drawn signatures taken from the recipients, matched by digest),
    /// replayed, and summarised again.
    fn replay_records(&self) -> std::result::Result<Summary, String> {
        let mut events = Vec::with_capacity(self.records.len());
        for record in &self.records {
            let occurred_at = DateTime::parse_from_rfc3339(&record.recorded_at)
                .map_err(|e| {
                    format!(
                        "record {}: recordedAt {:?} is not an RFC 3339 time: {e}",
                        record.seq, record.recorded_at
                    )
                })?
                .with_timezone(&Utc);
            let actor_id = || {
                record
                    .actor
                    .id
                    .clone()
                    .ok_or_else(|| format!("record {}: the actor has no id", record.seq))
            };
            let actor = match record.actor.kind.as_str() {
                "system" => Actor::System,
                "apiKey" => Actor::ApiKey { id: actor_id()? },
                "user" => Actor::User { id: actor_id()? },
                "recipient" => Actor::Recipient { id: actor_id()? },
                other => {
                    return Err(format!(
                        "record {}: unknown actor type {other:?}",
                        record.seq
                    ));
                }
            };
            let mut details = record.details.clone();
            if details["signature"]["type"] == "DRAWN" {
                let digest = details["signature"]["sha256"].as_str().unwrap_or_default();
                let png = self
                    .recipients
                    .iter()
                    .find_map(|r| match &r.signature {
                        Some(EvidenceMark::Drawn { png, sha256 })
                            if sha256 == digest && sha256_hex(png) == digest =>
                        {
                            Some(png)
                        }
                        _ => None,
                    })
                    .ok_or_else(|| {
                        format!(
                            "record {}: the drawn signature it records is not in the bundle",
                            record.seq
                        )
                    })?;
                details["signature"] =
                    serde_json::to_value(SignatureMark::Drawn { png: png.clone() })
                        .map_err(|e| e.to_string())?;
            }
            let mut tagged = serde_json::json!({ "type": record.action });
            if record.action != "envelope.deleted" {
                tagged["data"] = details;
            }
            let data: EventData = serde_json::from_value(tagged).map_err(|e| {
                format!(
                    "record {}: {:?} with these details is not an event: {e}",
                    record.seq, record.action
                )
            })?;
            events.push(Event {
                schema_version: crate::envelope::SCHEMA_VERSION,
                envelope_id: record.envelope_id.clone(),
                seq: record.seq,
                occurred_at,
                actor,
                ip: record.ip.clone(),
                user_agent: record.user_agent.clone(),
                data,
            });
        }
        let envelope = crate::envelope::replay(&events).map_err(|e| {
            format!(
                "the records do not replay into an envelope: {}",
                e.message()
            )
        })?;
        Ok(Summary::of(&envelope, &events))
    }
}

/// The part of a bundle that follows from the envelope and its events:
/// what [`EvidenceBundle::verify`] rebuilds from the records to compare.
struct Summary {
    envelope: EnvelopeSummary,
    documents: Vec<DocumentSummary>,
    recipients: Vec<RecipientSummary>,
}

impl Summary {
    fn of(envelope: &Envelope, events: &[Event]) -> Self {
        let recipients = envelope
            .recipients
            .iter()
            .map(|r| {
                // The event that settled the recipient: signed, approved or declined.
                let action = events.iter().rev().find(|e| {
                    e.data.recipient_id() == Some(r.id.as_str())
                        && matches!(
                            e.data,
                            EventData::RecipientSigned { .. }
                                | EventData::RecipientApproved { .. }
                                | EventData::RecipientDeclined { .. }
                        )
                });
                RecipientSummary {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    email: r.email.clone(),
                    phone: r.phone.clone(),
                    role: r.role,
                    routing_order: r.routing_order,
                    status: r.status,
                    authentication: r.authentication,
                    authenticated_at: time(r.authenticated_at),
                    certificate_sha256: r.certificate_sha256.clone(),
                    consent: r.consent.as_ref().map(|c| EvidenceConsent {
                        version: c.version.clone(),
                        text_sha256: c.text_sha256.clone(),
                        given_at: timestamp(c.given_at),
                    }),
                    notified_at: time(r.notified_at),
                    viewed_at: time(r.viewed_at),
                    acted_at: time(r.signed_at.or(r.approved_at).or(r.declined_at)),
                    decline_reason: r.decline_reason.clone(),
                    ip: action.and_then(|e| e.ip.clone()),
                    user_agent: action.and_then(|e| e.user_agent.clone()),
                    action_record: action.map(|e| e.seq),
                    signature: r.signature.as_ref().map(|mark| match mark {
                        SignatureMark::Typed { text } => EvidenceMark::Typed { text: text.clone() },
                        SignatureMark::Drawn { png } => EvidenceMark::Drawn {
                            sha256: sha256_hex(png),
                            png: png.clone(),
                        },
                    }),
                }
            })
            .collect();
        Self {
            envelope: EnvelopeSummary {
                id: envelope.id.clone(),
                subject: envelope.subject.clone(),
                status: envelope.status,
                signature_level: envelope.signature_level,
                locale: envelope.locale.clone(),
                created_at: timestamp(envelope.created_at),
                sent_at: time(envelope.sent_at),
                completed_at: time(envelope.completed_at),
                declined_at: time(envelope.declined_at),
                voided_at: time(envelope.voided_at),
                void_reason: envelope.void_reason.clone(),
                expired_at: time(envelope.expired_at),
                expires_at: time(envelope.expires_at),
            },
            documents: envelope
                .documents
                .iter()
                .map(|d| DocumentSummary {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    page_count: d.page_count,
                    original_sha256: d.sha256.clone(),
                    sent_sha256: d.sent_sha256.clone(),
                    final_sha256: d.current_sha256().to_owned(),
                })
                .collect(),
            recipients,
        }
    }
}

/// Where `ours` (the summary as given) differs from `theirs` (the summary
/// the records replay into), as JSON paths: `recipients[1].name`.
fn differences<T: Serialize>(what: &str, ours: &T, theirs: &T) -> Vec<String> {
    fn walk(path: String, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    walk(
                        format!("{path}.{k}"),
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (a, b)) in x.iter().zip(y).enumerate() {
                    walk(format!("{path}[{i}]"), a, b, out);
                }
            }
            _ if a != b => out.push(path),
            _ => {}
        }
    }
    let (Ok(a), Ok(b)) = (serde_json::to_value(ours), serde_json::to_value(theirs)) else {
        return vec![format!("{what}: cannot be compared with the records")];
    };
    let mut paths = Vec::new();
    walk(what.to_owned(), &a, &b, &mut paths);
    paths
        .into_iter()
        .map(|p| format!("{p}: the summary differs from what the records replay into"))
        .collect()
}

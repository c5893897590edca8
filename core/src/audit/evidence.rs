//! Evidence records: one per envelope event, with who acted, from where, how
//! they were authenticated, what they consented to and which document
//! digests resulted, chained by SHA-256 over their RFC 8785 canonical JSON.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::jcs;
use crate::digest::sha256_hex;
use crate::envelope::{
    Actor, AuthenticationMethod, Envelope, Event, EventData, RecipientRole, SignatureMark,
};
use crate::error::{Error, ErrorCode, Result};

/// `prevHash` of the first record: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the evidence log.
///
/// `hash` is the lower-case hex SHA-256 of the record's RFC 8785 canonical
/// JSON without its `hash` member; `prevHash` is the `hash` of the record
/// before it ([`GENESIS_HASH`] for the first). Changing, removing, moving
/// or inserting a record breaks the chain ([`verify_chain`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceRecord {
    /// Position in the envelope's history, from 1 (the event's `seq`).
    pub seq: u64,
    /// The envelope.
    pub envelope_id: String,
    /// When it happened: UTC, RFC 3339 with milliseconds.
    pub recorded_at: String,
    /// The event type (`recipient.signed`).
    pub action: String,
    /// Who acted.
    pub actor: EvidenceActor,
    /// The client's IP address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The client's user agent, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// How the acting recipient was authenticated (recipient actions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationMethod>,
    /// When the acting recipient passed that factor, when it is a code
    /// (SMS or access code); an email link is proven by holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated_at: Option<String>,
    /// The consent to sign electronically the acting recipient had given at
    /// that time (recipient actions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<EvidenceConsent>,
    /// The recipient the event is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// The decline or void reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Document digests this event fixes: the original at upload, the
    /// documents as sent, after each signature, and final.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<EvidenceDocument>,
    /// The event's data as the envelope recorded it (a drawn signature is
    /// replaced by its SHA-256 and size; the image is in the bundle).
    pub details: serde_json::Value,
    /// `hash` of the previous record.
    pub prev_hash: String,
    /// SHA-256 of this record's canonical JSON without `hash`.
    pub hash: String,
}

/// Who acted, with what the envelope knew of them at that time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceActor {
    /// `system`, `apiKey`, `user` or `recipient`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The key, user or recipient id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The recipient's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The recipient's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The recipient's phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The recipient's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RecipientRole>,
}

/// A consent to sign electronically, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceConsent {
    /// Version label of the consent text.
    pub version: String,
    /// SHA-256 of the consent text.
    pub text_sha256: String,
    /// When it was given (RFC 3339, milliseconds).
    pub given_at: String,
}

/// What a document digest in a record stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DigestKind {
    /// The document as uploaded.
    Original,
    /// The document as sent to the recipients.
    Sent,
    /// The document after a signature.
    Signed,
    /// The document when the envelope completed.
    Final,
}

impl DigestKind {
    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "ORIGINAL",
            Self::Sent => "SENT",
            Self::Signed => "SIGNED",
            Self::Final => "FINAL",
        }
    }
}

/// A document digest fixed by a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceDocument {
    /// The document.
    pub document_id: String,
    /// Its file name.
    pub name: String,
    /// What the digest stands for.
    pub kind: DigestKind,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// UTC, RFC 3339, milliseconds, `Z`: `2026-11-23T09:00:00.000Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl EvidenceRecord {
    /// SHA-256 (lower-case hex) of the record's canonical JSON without
    /// `hash`: what `hash` must be.
    pub fn compute_hash(&self) -> Result<String> {
        let mut value = serde_json::to_value(self)?;
        if let Some(members) = value.as_object_mut() {
            members.remove("hash");
        }
        Ok(sha256_hex(jcs::canonicalize(&value)?.as_bytes()))
    }

    /// The record for `event`, chained after `previous` (`None` for the
    /// envelope's first event). `before` is the envelope before the event
    /// (`None` for `envelope.created`) and `after` the envelope after it;
    /// they give names, roles, authentication and consent as they were then.
    pub fn next(
        previous: Option<&EvidenceRecord>,
        event: &Event,
        before: Option<&Envelope>,
        after: &Envelope,
    ) -> Result<EvidenceRecord> {
        let prev_hash = match previous {
            None if event.seq == 1 => GENESIS_HASH.to_owned(),
            None => {
                return Err(Error::new(
                    ErrorCode::InvalidEventLog,
                    format!(
                        "the evidence log must start at the envelope's first event, not at seq {}",
                        event.seq
                    ),
                ));
            }
            Some(p) if p.seq + 1 == event.seq && p.envelope_id == event.envelope_id => {
                p.hash.clone()
            }
            Some(p) => {
                return Err(Error::new(
                    ErrorCode::InvalidEventLog,
                    format!(
                        "event {} of envelope {} cannot follow record {} of envelope {}",
                        event.seq, event.envelope_id, p.seq, p.envelope_id
                    ),
                ));
            }
        };
        let recipient_at = |id: &str| after.recipient(id).or_else(|| before?.recipient(id));
        let actor = match &event.actor {
            Actor::System => EvidenceActor::plain("system", None),
            Actor::ApiKey { id } => EvidenceActor::plain("apiKey", Some(id)),
            Actor::User { id } => EvidenceActor::plain("user", Some(id)),
            Actor::Recipient { id } => {
                let recipient = recipient_at(id);
                EvidenceActor {
                    kind: "recipient".to_owned(),
                    id: Some(id.clone()),
                    name: recipient.map(|r| r.name.clone()),
                    email: recipient.and_then(|r| r.email.clone()),
                    phone: recipient.and_then(|r| r.phone.clone()),
                    role: recipient.map(|r| r.role),
                }
            }
        };
        let (authentication, authenticated_at, consent) = match &event.actor {
            Actor::Recipient { id } => {
                let recipient = recipient_at(id);
                (
                    recipient.map(|r| r.authentication),
                    recipient.and_then(|r| r.authenticated_at).map(timestamp),
                    recipient
                        .and_then(|r| r.consent.as_ref())
                        .map(|c| EvidenceConsent {
                            version: c.version.clone(),
                            text_sha256: c.text_sha256.clone(),
                            given_at: timestamp(c.given_at),
                        }),
                )
            }
            _ => (None, None, None),
        };
        let document_name = |id: &str| {
            after
                .document(id)
                .or_else(|| before?.document(id))
                .map(|d| d.name.clone())
                .unwrap_or_default()
        };
        let digests = |kind: DigestKind, list: &[crate::envelope::DocumentDigest]| {
            list.iter()
                .map(|d| EvidenceDocument {
                    document_id: d.document_id.clone(),
                    name: document_name(&d.document_id),
                    kind,
                    sha256: d.sha256.clone(),
                })
                .collect::<Vec<_>>()
        };
        let (reason, documents) = match &event.data {
            EventData::DocumentAdded { document } => (
                None,
                vec![EvidenceDocument {
                    document_id: document.id.clone(),
                    name: document.name.clone(),
                    kind: DigestKind::Original,
                    sha256: document.sha256.clone(),
                }],
            ),
            EventData::EnvelopeSent { documents, .. } => {
                (None, digests(DigestKind::Sent, documents))
            }
            EventData::RecipientSigned { documents, .. } => {
                (None, digests(DigestKind::Signed, documents))
            }
            EventData::EnvelopeCompleted { documents } => {
                (None, digests(DigestKind::Final, documents))
            }
            EventData::RecipientDeclined { reason, .. }
            | EventData::EnvelopeDeclined { reason, .. }
            | EventData::EnvelopeVoided { reason }
            | EventData::EnvelopeReturnedToDraft { reason, .. } => {
                (Some(reason.clone()), Vec::new())
            }
            _ => (None, Vec::new()),
        };
        let mut record = EvidenceRecord {
            seq: event.seq,
            envelope_id: event.envelope_id.clone(),
            recorded_at: timestamp(event.occurred_at),
            action: event.event_type().to_owned(),
            actor,
            ip: event.ip.clone(),
            user_agent: event.user_agent.clone(),
            authentication,
            authenticated_at,
            consent,
            recipient_id: event.data.recipient_id().map(str::to_owned),
            reason,
            documents,
            details: details(&event.data)?,
            prev_hash,
            hash: String::new(),
        };
        record.hash = record.compute_hash()?;
        Ok(record)
    }
}

impl EvidenceActor {
    fn plain(kind: &str, id: Option<&String>) -> Self {
        Self {
            kind: kind.to_owned(),
            id: id.cloned(),
            name: None,
            email: None,
            phone: None,
            role: None,
        }
    }

    /// A one-line description: the name and email of a recipient, else
    /// `apiKey key_1`.
    pub fn describe(&self) -> String {
        match (&self.name, &self.email, &self.id) {
            (Some(name), Some(email), _) => format!("{name} <{email}>"),
            (Some(name), None, _) => name.clone(),
            (None, _, Some(id)) => format!("{} {id}", self.kind),
            (None, _, None) => self.kind.clone(),
        }
    }
}

/// The event's `data` as JSON, with a drawn signature replaced by its digest.
fn details(data: &EventData) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(data)?;
    let mut details = value
        .get_mut("data")
        .map(serde_json::Value::take)
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    if let EventData::RecipientSigned {
        signature: Some(SignatureMark::Drawn { png }),
        ..
    } = data
    {
        details["signature"] = serde_json::json!({
            "type": "DRAWN",
            "sha256": sha256_hex(png),
            "size": png.len(),
        });
    }
    Ok(details)
}

/// The evidence records of an envelope's whole history, chained from
/// [`GENESIS_HASH`]. The events must replay (`INVALID_EVENT_LOG` otherwise).
pub fn records_from_events(events: &[Event]) -> Result<Vec<EvidenceRecord>> {
    let mut records: Vec<EvidenceRecord> = Vec::with_capacity(events.len());
    let mut current: Option<Envelope> = None;
    for event in events {
        // Only a removal needs the envelope as it was before (the removed
        // recipient's or document's name); every other event is recorded
        // from the state after it, evolved in place, so that building the
        // evidence stays linear in the number of events.
        let removes = matches!(
            event.data,
            EventData::RecipientRemoved { .. } | EventData::DocumentRemoved { .. }
        );
        let before = if removes { current.clone() } else { None };
        let after = match current.as_mut() {
            None => current.insert(crate::envelope::replay(std::iter::once(event))?),
            Some(envelope) => {
                crate::envelope::evolve_checked(envelope, event)?;
                envelope
            }
        };
        let record = EvidenceRecord::next(records.last(), event, before.as_ref(), after)?;
        records.push(record);
    }
    if let Some(envelope) = &current {
        crate::envelope::check_invariants(envelope)?;
    }
    Ok(records)
}

/// How the chain was broken at its first bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreakKind {
    /// The record's content no longer matches its hash, or it was changed
    /// and rehashed so that the next record no longer links to it.
    Edited,
    /// One or more records are missing before this one.
    Deleted,
    /// Records were moved: this one links to a record that comes after it.
    Reordered,
    /// This record does not belong to the chain: it was inserted.
    Inserted,
    /// Records are missing at the end: the last record is not the chain head.
    Truncated,
}

impl BreakKind {
    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edited => "EDITED",
            Self::Deleted => "DELETED",
            Self::Reordered => "REORDERED",
            Self::Inserted => "INSERTED",
            Self::Truncated => "TRUNCATED",
        }
    }
}

/// The first bad record of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainBreak {
    /// Position of the record in the list, from 0.
    pub index: usize,
    /// The record's `seq` as it reads.
    pub seq: u64,
    /// What happened.
    pub kind: BreakKind,
    /// A sentence for people.
    pub message: String,
}

/// The outcome of [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    /// Number of records checked.
    pub count: usize,
    /// The last record's hash: the chain head.
    pub head: Option<String>,
    /// The first bad record; `None` when the chain holds.
    pub first_break: Option<ChainBreak>,
}

impl ChainReport {
    /// Whether every record is intact and linked.
    pub fn is_valid(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Checks that every record's hash matches its content and links to the
/// record before it, and reports the first bad record with what was done
/// to it: an edit, a deletion, a reordering or an insertion.
///
/// With `expected_head` (the chain head kept elsewhere: sealed in the audit
/// trail PDF, in a database, in a time-stamp), records removed from the end
/// are detected too ([`BreakKind::Truncated`]).
pub fn verify_chain(records: &[EvidenceRecord], expected_head: Option<&str>) -> ChainReport {
    let report = |first_break| ChainReport {
        count: records.len(),
        head: records.last().map(|r| r.hash.clone()),
        first_break,
    };
    let at = |index: usize, kind: BreakKind, message: String| {
        Some(ChainBreak {
            index,
            seq: records.get(index).map_or(0, |r| r.seq),
            kind,
            message,
        })
    };
    for (i, record) in records.iter().enumerate() {
        match record.compute_hash() {
            Ok(hash) if hash == record.hash => {}
            Ok(_) => {
                return report(at(
                    i,
                    BreakKind::Edited,
                    format!(
                        "record {} was changed: its content no longer matches its hash",
                        record.seq
                    ),
                ));
            }
            Err(e) => {
                return report(at(
                    i,
                    BreakKind::Edited,
                    format!(
                        "record {} cannot be canonicalized: {}",
                        record.seq,
                        e.message()
                    ),
                ));
            }
        }
        let (expected_prev, expected_seq) = match i.checked_sub(1).map(|p| &records[p]) {
            None => (GENESIS_HASH, 1),
            Some(previous) => (previous.hash.as_str(), previous.seq + 1),
        };
        if record.prev_hash == expected_prev && record.seq == expected_seq {
            continue;
        }
        let (kind, index) = classify(records, i, expected_seq);
        let seq = records[index].seq;
        let message = match kind {
            BreakKind::Reordered => format!("record {seq} was moved out of its place"),
            BreakKind::Inserted => {
                format!("record {seq} does not belong to the chain: it was inserted")
            }
            BreakKind::Deleted => format!(
                "record(s) {expected_seq} to {} are missing before record {seq}",
                seq.saturating_sub(1)
            ),
            BreakKind::Edited | BreakKind::Truncated => {
                format!("record {seq} was changed: the record after it no longer links to it")
            }
        };
        return report(at(index, kind, message));
    }
    if let (Some(head), Some(last)) = (expected_head, records.last()) {
        if last.hash != head {
            return report(at(
                records.len() - 1,
                BreakKind::Truncated,
                format!(
                    "the chain ends at record {} but its head is another record: records are missing at the end",
                    last.seq
                ),
            ));
        }
    } else if expected_head.is_some() && records.is_empty() {
        return report(Some(ChainBreak {
            index: 0,
            seq: 0,
            kind: BreakKind::Truncated,
            message: "the chain is empty but a head was expected".to_owned(),
        }));
    }
    report(None)
}

/// Why record `i` does not link to record `i - 1` (or to the genesis), and
/// the first bad record.
fn classify(records: &[EvidenceRecord], i: usize, expected_seq: u64) -> (BreakKind, usize) {
    let record = &records[i];
    // It links to a record further down the list: records were swapped.
    if records[i + 1..].iter().any(|r| r.hash == record.prev_hash) {
        return (BreakKind::Reordered, i);
    }
    // The next record links over it to the previous one: it was inserted.
    let previous_hash = i
        .checked_sub(1)
        .map_or(GENESIS_HASH, |p| records[p].hash.as_str());
    if records
        .get(i + 1)
        .is_some_and(|next| next.prev_hash == previous_hash)
    {
        return (BreakKind::Inserted, i);
    }
    // It links to an earlier record: what lies between was inserted.
    if let Some(j) = records[..i.saturating_sub(1)]
        .iter()
        .position(|r| r.hash == record.prev_hash)
    {
        return (BreakKind::Inserted, j + 1);
    }
    if record.seq > expected_seq {
        return (BreakKind::Deleted, i);
    }
    // The record before it was replaced by another with a valid hash.
    (BreakKind::Edited, i.saturating_sub(1))
}

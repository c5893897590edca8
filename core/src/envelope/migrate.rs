//! Reading envelopes and events stored by earlier versions of paraph.
//!
//! Version 1 differs from version 2 by what it lacks (settings, rounds,
//! page sizes, the sent and final digests, authentication state); a
//! version 1 `DATE` field kind reads as `DATE_SIGNED`. Its JSON therefore
//! reads as version 2 once its version number is updated.

use serde_json::Value;

use super::model::SCHEMA_VERSION;
use crate::error::{Error, ErrorCode, Result};

/// Upgrades a version 1 envelope in place.
pub(crate) fn envelope_v1(value: &mut Value) -> Result<()> {
    let object = value.as_object_mut().ok_or_else(|| {
        Error::new(
            ErrorCode::MalformedJson,
            "the envelope is not a JSON object",
        )
    })?;
    object.insert("schemaVersion".into(), Value::from(SCHEMA_VERSION));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Envelope;
    use crate::ErrorCode;

    const V1: &str = r#"{
        "schemaVersion": 1, "id": "env_1", "subject": "Contract",
        "signatureLevel": "SIMPLE", "locale": "en", "status": "SENT",
        "documents": [{"id": "doc_1", "name": "c.pdf", "pageCount": 1,
            "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}],
        "recipients": [{"id": "ana", "name": "Ana", "email": "ana@example.com",
            "role": "SIGNER", "routingOrder": 1, "status": "NOTIFIED",
            "authentication": "EMAIL_LINK", "reminderCount": 0}],
        "fields": [{"id": "d", "documentId": "doc_1", "recipientId": "ana", "kind": "DATE",
            "page": 1, "rect": {"x": 1, "y": 1, "width": 10, "height": 10}}],
        "version": 7, "createdAt": "2026-11-23T09:00:00Z", "updatedAt": "2026-11-23T09:05:00Z",
        "sentAt": "2026-11-23T09:05:00Z"
    }"#;

    #[test]
    fn version_1_envelopes_are_migrated() {
        let envelope = Envelope::from_json(V1).expect("migrates");
        assert_eq!(envelope.schema_version, super::SCHEMA_VERSION);
        assert_eq!(envelope.round, 1);
        assert_eq!(
            envelope.recipients[0].email.as_deref(),
            Some("ana@example.com")
        );
        assert_eq!(
            envelope.fields[0].kind,
            crate::envelope::FieldKind::DateSigned
        );
        assert!(!envelope.settings.initials_on_every_page);
    }

    #[test]
    fn later_versions_are_refused() {
        let v9 = V1.replace("\"schemaVersion\": 1", "\"schemaVersion\": 9");
        assert_eq!(
            Envelope::from_json(&v9).expect_err("v9").code(),
            ErrorCode::UnsupportedSchemaVersion
        );
    }
}

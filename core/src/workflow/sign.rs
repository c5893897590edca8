//! Sign a recipient: their values and the automatic ones (date signed,
//! name, initials) written into each document, and one PAdES revision per
//! signature field of theirs (an invisible one where they only wrote
//! values), with a stamp in the envelope's language.
//! Nothing is written before the envelope has accepted the commands it
//! will record; the two-phase form ([`RecipientSigning`]) lets an HSM or a
//! KMS produce the signature values, in as many round trips as the
//! signatures depend on each other (one per signature field of a
//! document, all documents at once).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::words::{date_signed, details_line, initials_of, locale_of, signed_line};
use super::{DocumentBytes, apply_all, document_bytes, initials_field_name};
use crate::audit::Locale;
use crate::envelope::{
    Command, Context, DocumentDigest, Envelope, FieldKind, Recipient, RecipientRole, SignatureMark,
    Transition,
};
use crate::error::{Error, ErrorCode, Result};
use crate::pades::{
    self, Certificate, PadesLevel, PreparedSignature, SignOptions, SignatureField, Signer,
    TimestampAuthority,
};
use crate::pdf::{
    FontSet, FormFieldFill, FormFieldValue, Limits, PdfDocument, SignatureAppearance,
    fill_fields_update,
};

/// Version of the [`RecipientSigning`] JSON shape.
pub const RECIPIENT_SIGNING_VERSION: u32 = 1;

/// A value a recipient gives one of their fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldInput {
    /// The field.
    pub field_id: String,
    /// The value (`"true"`/`"false"` for checkboxes).
    pub value: String,
}

/// What a recipient brings when they sign or approve. JSON (camelCase):
/// `{"recipientId", "values": [{"fieldId", "value"}], "signature":
/// {"type": "DRAWN", "png": "<base64>"}, "initials": "MD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientInput {
    /// The recipient.
    pub recipient_id: String,
    /// Values for their fields (text, checkboxes), recorded as `fillField`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<FieldInput>,
    /// The mark they drew or typed; their name when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureMark>,
    /// Their initials; derived from their name when `None` (Hangul included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    /// Their initials, drawn (PNG).
    #[serde(
        default,
        with = "crate::serde_util::base64_bytes_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub initials_image: Option<Vec<u8>>,
}

impl RecipientInput {
    /// A recipient who brings nothing but themselves: their name as the
    /// mark and as the initials.
    pub fn new(recipient_id: impl Into<String>) -> Self {
        Self {
            recipient_id: recipient_id.into(),
            values: Vec::new(),
            signature: None,
            initials: None,
            initials_image: None,
        }
    }
}

/// How to sign. JSON (camelCase): every key may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignRecipientOptions {
    /// B-B, or B-T with a time-stamp authority.
    #[serde(default)]
    pub level: PadesLevel,
    /// `/Reason` of the signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Limits for reading the documents.
    #[serde(default)]
    pub limits: Limits,
    /// Fonts for stamps (the bundled ones by default).
    #[serde(skip)]
    pub fonts: FontSet,
}

/// A recipient's signature or approval, done: the new documents and what
/// the envelope records of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedRecipient {
    /// The documents the recipient changed, as they now are.
    pub documents: Vec<DocumentBytes>,
    /// The commands recorded, in order (`fillField`s, then `sign` or
    /// `approve` with the new digests).
    pub commands: Vec<Command>,
    /// Those commands applied to the envelope given: persist the new
    /// envelope and the events, with the documents, together.
    pub transition: Transition,
}

/// One signature value to produce: sign `message` (or its SHA-256,
/// `digest`, for a signer that takes digests) with the signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToSign {
    /// The document.
    pub document_id: String,
    /// The signature field.
    pub field_id: String,
    /// The DER of the CMS signed attributes (base64).
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub message: Vec<u8>,
    /// SHA-256 of `message` (base64).
    pub digest: String,
}

/// The value a signer made for one [`ToSign`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignatureValue {
    /// The document.
    pub document_id: String,
    /// The value: PKCS#1 v1.5 for RSA, DER or `r || s` for ECDSA (base64).
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub value: Vec<u8>,
}

/// One document's progress through a recipient's signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DocumentProgress {
    document_id: String,
    /// SHA-256 of the document as given when the signing began.
    base_sha256: String,
    /// What has been appended to it so far (base64).
    #[serde(with = "crate::serde_util::base64_bytes")]
    appended: Vec<u8>,
    /// The signature waiting for its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<PreparedSignature>,
    /// The recipient's signature fields still to sign, after `pending`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    remaining: Vec<String>,
}

/// A recipient's signing in progress, for signers outside the process:
/// serialisable between round trips. [`to_sign`](Self::to_sign) lists the
/// values to produce; [`provide`](Self::provide) takes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientSigning {
    /// [`RECIPIENT_SIGNING_VERSION`].
    pub schema_version: u32,
    /// The envelope.
    pub envelope_id: String,
    /// The recipient.
    pub recipient_id: String,
    /// The `fillField` commands to record.
    fills: Vec<Command>,
    /// The mark to record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<SignatureMark>,
    /// The signing certificate and its chain.
    chain: Vec<Certificate>,
    /// When the signatures claim to be made.
    signing_time: DateTime<Utc>,
    /// The options of each signature.
    level: PadesLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    appearance: SignatureAppearance,
    #[serde(default)]
    limits: Limits,
    documents: Vec<DocumentProgress>,
    /// Fonts for the stamps (not serialised: the bundled ones after a
    /// round trip through JSON).
    #[serde(skip)]
    fonts: FontSet,
}

/// What [`RecipientSigning::provide`] leads to.
#[derive(Debug, Clone)]
pub enum SigningProgress {
    /// More values are needed (a document has another signature field).
    Pending(RecipientSigning),
    /// Every signature is made.
    Signed(SignedRecipient),
}

/// Signs for a recipient in one call, with a signer in this process (an
/// issued per-signer key, or the platform's seal): see the [workflow](crate::workflow).
/// For B-T, `tsa` time-stamps each signature.
pub fn sign_recipient(
    envelope: &Envelope,
    documents: &[DocumentBytes],
    input: &RecipientInput,
    signer: &dyn Signer,
    tsa: Option<&dyn TimestampAuthority>,
    options: &SignRecipientOptions,
    ctx: &Context,
) -> Result<SignedRecipient> {
    let mut signing = RecipientSigning::begin(
        envelope,
        documents,
        input,
        signer.certificate_chain(),
        options,
        ctx,
    )?;
    loop {
        let mut values = Vec::new();
        for item in signing.to_sign() {
            values.push(SignatureValue {
                document_id: item.document_id,
                value: signer.sign(&item.message)?,
            });
        }
        match signing.provide(envelope, documents, &values, tsa, ctx)? {
            SigningProgress::Pending(next) => signing = next,
            SigningProgress::Signed(done) => return Ok(done),
        }
    }
}

/// An approver's values written into the documents (one unsigned revision
/// per document they have fields in: form filling, which later
/// signatures' validators accept) and their approval recorded.
pub fn approve_recipient(
    envelope: &Envelope,
    documents: &[DocumentBytes],
    input: &RecipientInput,
    options: &SignRecipientOptions,
    ctx: &Context,
) -> Result<SignedRecipient> {
    let recipient = recipient(envelope, &input.recipient_id)?;
    let fills = fill_commands(recipient, input);
    let mut dry = fills.clone();
    dry.push(Command::Approve {
        recipient_id: recipient.id.clone(),
        documents: Vec::new(),
    });
    apply_all(envelope, &dry, ctx)?;
    let after_fills = apply_all(envelope, &fills, ctx)?.envelope;
    let locale = locale_of(&envelope.locale);
    let mut changed = Vec::new();
    let mut digests = Vec::new();
    for document in &envelope.documents {
        let values = document_fills(
            &after_fills,
            recipient,
            input,
            &document.id,
            locale,
            ctx.now,
            &[],
        );
        if values.is_empty() {
            continue;
        }
        let bytes = document_bytes(documents, document, document.current_sha256())?;
        let mut out = bytes.to_vec();
        out.extend(fill_fields_update(
            bytes,
            &values,
            &options.fonts,
            &options.limits,
        )?);
        digests.push(DocumentDigest {
            document_id: document.id.clone(),
            sha256: crate::digest::sha256_hex(&out),
        });
        changed.push(DocumentBytes {
            document_id: document.id.clone(),
            pdf: out,
        });
    }
    let mut commands = fills;
    commands.push(Command::Approve {
        recipient_id: recipient.id.clone(),
        documents: digests,
    });
    let transition = apply_all(envelope, &commands, ctx)?;
    Ok(SignedRecipient {
        documents: changed,
        commands,
        transition,
    })
}

impl RecipientSigning {
    /// Begins a recipient's signing with the certificate chain of the key
    /// that will sign (the signing certificate first). The envelope must
    /// accept the commands the signing will record, checked now, before
    /// any PDF work; documents with the recipient's values (their
    /// initials, say) but no signature field of theirs get them under an
    /// invisible signature named `{recipient}_{document}`, so that nothing
    /// a signer writes stays unsigned.
    pub fn begin(
        envelope: &Envelope,
        documents: &[DocumentBytes],
        input: &RecipientInput,
        chain: &[Certificate],
        options: &SignRecipientOptions,
        ctx: &Context,
    ) -> Result<Self> {
        let recipient = recipient(envelope, &input.recipient_id)?;
        let signing_cert = chain
            .first()
            .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate"))?;
        let fills = fill_commands(recipient, input);
        // What the envelope will record, checked first.
        let mut dry = fills.clone();
        dry.push(sign_command(
            recipient,
            input,
            signing_cert,
            envelope.documents.iter().map(|d| DocumentDigest {
                document_id: d.id.clone(),
                sha256: "0".repeat(64),
            }),
        ));
        apply_all(envelope, &dry, ctx)?;
        let after_fills = apply_all(envelope, &fills, ctx)?.envelope;

        let locale = locale_of(&envelope.locale);
        let appearance = SignatureAppearance {
            name: match &input.signature {
                Some(SignatureMark::Typed { text }) => text.clone(),
                _ => recipient.name.clone(),
            },
            image: match &input.signature {
                Some(SignatureMark::Drawn { png }) => Some(png.clone()),
                _ => None,
            },
            date: signed_line(locale, ctx.now),
            details: details_line(locale, recipient.contact(), &envelope.id),
        };
        let mut signing = Self {
            schema_version: RECIPIENT_SIGNING_VERSION,
            envelope_id: envelope.id.clone(),
            recipient_id: recipient.id.clone(),
            fills,
            signature: input.signature.clone(),
            chain: chain.to_vec(),
            signing_time: ctx.now,
            level: options.level,
            reason: options.reason.clone(),
            appearance,
            limits: options.limits,
            documents: Vec::new(),
            fonts: options.fonts.clone(),
        };
        for document in &envelope.documents {
            let bytes = document_bytes(documents, document, document.current_sha256())?;
            let loaded = PdfDocument::load_with_limits(bytes, &options.limits)?;
            let initials: Vec<String> = loaded
                .fields()?
                .into_iter()
                .map(|f| f.name)
                .filter(|name| {
                    name.strip_prefix(&initials_field_name(&recipient.id))
                        .is_some_and(|rest| rest.starts_with("_p"))
                })
                .collect();
            let values = document_fills(
                &after_fills,
                recipient,
                input,
                &document.id,
                locale,
                ctx.now,
                &initials,
            );
            let mut signature_fields: Vec<String> = envelope
                .fields_of(&recipient.id)
                .filter(|f| f.document_id == document.id && f.kind == FieldKind::Signature)
                .map(|f| f.id.clone())
                .collect();
            if signature_fields.is_empty() && values.is_empty() {
                continue;
            }
            let mut progress = DocumentProgress {
                document_id: document.id.clone(),
                base_sha256: crate::digest::sha256_hex(bytes),
                appended: Vec::new(),
                pending: None,
                remaining: Vec::new(),
            };
            // What a signer writes into a document is covered by their
            // signature: where they have no signature field (their initials
            // on an annex, a value on a form), an invisible one.
            let first = if signature_fields.is_empty() {
                SignatureField::Invisible {
                    name: Some(format!("{}_{}", recipient.id, document.id)),
                }
            } else {
                SignatureField::Existing {
                    name: signature_fields.remove(0),
                }
            };
            let sign_options = signing.sign_options(first, values, &options.fonts);
            progress.pending = Some(pades::prepare(bytes, chain, &sign_options)?);
            progress.remaining = signature_fields;
            signing.documents.push(progress);
        }
        Ok(signing)
    }

    /// The options of the signature in `field`.
    fn sign_options(
        &self,
        field: SignatureField,
        values: Vec<FormFieldFill>,
        fonts: &FontSet,
    ) -> SignOptions {
        let mut options = SignOptions::with_fonts(self.signing_time, fonts.clone());
        options.field = field;
        options.appearance = Some(self.appearance.clone());
        options.field_values = values;
        options.level = self.level;
        options.signer_name = Some(self.appearance.name.clone());
        options.reason.clone_from(&self.reason);
        options.limits = self.limits;
        options
    }

    /// The values to produce now, one per document with a signature waiting.
    pub fn to_sign(&self) -> Vec<ToSign> {
        self.documents
            .iter()
            .filter_map(|d| {
                let pending = d.pending.as_ref()?;
                Some(ToSign {
                    document_id: d.document_id.clone(),
                    field_id: pending.field_name.clone(),
                    message: pending.message().to_vec(),
                    digest: STANDARD.encode(pending.message_digest()),
                })
            })
            .collect()
    }

    /// Takes the values for [`to_sign`](Self::to_sign) and finishes those
    /// signatures (each checked against its pending state and the signing
    /// certificate, see [`pades::finish`]); prepares the next ones, or
    /// records the signing in the envelope when none is left. `envelope`
    /// and `documents` are those given to [`begin`](Self::begin).
    pub fn provide(
        mut self,
        envelope: &Envelope,
        documents: &[DocumentBytes],
        values: &[SignatureValue],
        tsa: Option<&dyn TimestampAuthority>,
        ctx: &Context,
    ) -> Result<SigningProgress> {
        if self.schema_version != RECIPIENT_SIGNING_VERSION {
            return Err(Error::new(
                ErrorCode::UnsupportedSchemaVersion,
                format!(
                    "recipient signing schema version {} is not supported",
                    self.schema_version
                ),
            ));
        }
        if self.envelope_id != envelope.id {
            return Err(Error::new(
                ErrorCode::PendingSignatureInvalid,
                format!(
                    "the signing belongs to envelope {}, not {}",
                    self.envelope_id, envelope.id
                ),
            ));
        }
        let fonts = self.fonts.clone();
        let mut progress = std::mem::take(&mut self.documents);
        for document in &mut progress {
            let Some(pending) = document.pending.take() else {
                continue;
            };
            let value = values
                .iter()
                .find(|v| v.document_id == document.document_id)
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidArgument,
                        format!(
                            "no signature value was given for document {}",
                            document.document_id
                        ),
                    )
                })?;
            let current = self.current_bytes(envelope, documents, document)?;
            let update = pades::finish_update(&current, &pending, &value.value, tsa)?;
            document.appended.extend_from_slice(&update);
            if !document.remaining.is_empty() {
                let next = document.remaining.remove(0);
                let mut current = current;
                current.extend_from_slice(&update);
                let options =
                    self.sign_options(SignatureField::Existing { name: next }, Vec::new(), &fonts);
                document.pending = Some(pades::prepare(&current, &self.chain, &options)?);
            }
        }
        self.documents = progress;
        if self.documents.iter().any(|d| d.pending.is_some()) {
            return Ok(SigningProgress::Pending(self));
        }
        let mut changed = Vec::new();
        let mut digests = Vec::new();
        for document in &self.documents {
            // The document as given, with everything this signing appended.
            let full = self.current_bytes(envelope, documents, document)?;
            digests.push(DocumentDigest {
                document_id: document.document_id.clone(),
                sha256: crate::digest::sha256_hex(&full),
            });
            changed.push(DocumentBytes {
                document_id: document.document_id.clone(),
                pdf: full,
            });
        }
        let recipient = recipient(envelope, &self.recipient_id)?;
        let signing_cert = self
            .chain
            .first()
            .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate"))?;
        let input = RecipientInput {
            recipient_id: self.recipient_id.clone(),
            values: Vec::new(),
            signature: self.signature.clone(),
            initials: None,
            initials_image: None,
        };
        let mut commands = self.fills.clone();
        commands.push(sign_command(recipient, &input, signing_cert, digests));
        let transition = apply_all(envelope, &commands, ctx)?;
        Ok(SigningProgress::Signed(SignedRecipient {
            documents: changed,
            commands,
            transition,
        }))
    }

    /// The document as given, with what this signing appended to it before
    /// the pending signature (checked to be the document the signing
    /// began with).
    fn current_bytes(
        &self,
        envelope: &Envelope,
        documents: &[DocumentBytes],
        progress: &DocumentProgress,
    ) -> Result<Vec<u8>> {
        let document = envelope.document(&progress.document_id).ok_or_else(|| {
            Error::new(
                ErrorCode::DocumentNotFound,
                format!(
                    "envelope {} has no document {}",
                    envelope.id, progress.document_id
                ),
            )
        })?;
        let base = document_bytes(documents, document, &progress.base_sha256)?;
        let mut bytes = base.to_vec();
        bytes.extend_from_slice(&progress.appended);
        Ok(bytes)
    }

    /// Reads a signing in progress from JSON.
    pub fn from_json(json: &str) -> Result<Self> {
        Ok(serde_json::from_str(json)?)
    }

    /// The signing in progress as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn recipient<'e>(envelope: &'e Envelope, id: &str) -> Result<&'e Recipient> {
    envelope.recipient(id).ok_or_else(|| {
        Error::new(
            ErrorCode::RecipientNotFound,
            format!("envelope {} has no recipient {id}", envelope.id),
        )
    })
}

/// The `fillField` commands of the recipient's input.
fn fill_commands(recipient: &Recipient, input: &RecipientInput) -> Vec<Command> {
    input
        .values
        .iter()
        .map(|v| Command::FillField {
            recipient_id: recipient.id.clone(),
            field_id: v.field_id.clone(),
            value: v.value.clone(),
        })
        .collect()
}

/// The `sign` command that records the signing.
fn sign_command(
    recipient: &Recipient,
    input: &RecipientInput,
    signing_cert: &Certificate,
    documents: impl IntoIterator<Item = DocumentDigest>,
) -> Command {
    let mark = input.signature.clone().unwrap_or(SignatureMark::Typed {
        text: recipient.name.clone(),
    });
    Command::Sign {
        recipient_id: recipient.id.clone(),
        documents: documents.into_iter().collect(),
        signature: Some(mark),
        certificate_sha256: Some(signing_cert.fingerprint_sha256()),
    }
}

/// The values the recipient's fields of a document get: theirs (from the
/// envelope once filled), the date of signing, their name, their initials
/// (on their initials fields and on `initials_fields` of the PDF).
fn document_fills(
    envelope: &Envelope,
    recipient: &Recipient,
    input: &RecipientInput,
    document_id: &str,
    locale: Locale,
    now: DateTime<Utc>,
    initials_fields: &[String],
) -> Vec<FormFieldFill> {
    let initials = FormFieldValue::Initials {
        text: input
            .initials
            .clone()
            .unwrap_or_else(|| initials_of(&recipient.name)),
        image: input.initials_image.clone(),
    };
    let mut fills = Vec::new();
    for field in envelope
        .fields_of(&recipient.id)
        .filter(|f| f.document_id == document_id)
    {
        let value = match field.kind {
            FieldKind::Signature => continue,
            FieldKind::Initials if recipient.role == RecipientRole::Signer => initials.clone(),
            FieldKind::Initials => continue,
            FieldKind::DateSigned => FormFieldValue::Text {
                text: date_signed(locale, now),
            },
            FieldKind::Name => FormFieldValue::Text {
                text: recipient.name.clone(),
            },
            FieldKind::Checkbox => match field.value.as_deref() {
                Some(value) => FormFieldValue::Checkbox {
                    checked: value == "true",
                },
                None => continue,
            },
            FieldKind::Text => match field.value.as_deref() {
                Some(value) if !value.is_empty() => FormFieldValue::Text {
                    text: value.to_owned(),
                },
                _ => continue,
            },
        };
        fills.push(FormFieldFill {
            name: field.id.clone(),
            value,
        });
    }
    if recipient.role == RecipientRole::Signer {
        for name in initials_fields {
            fills.push(FormFieldFill {
                name: name.clone(),
                value: initials.clone(),
            });
        }
    }
    fills
}

//! PAdES signing as an incremental update (ETSI EN 319 142-1 §5, ISO 32000-2
//! §12.8): [`prepare`] writes the update with a placeholder for the
//! signature and returns what must be signed; [`finish`] checks the
//! pending state it is given and puts the CMS in place. [`sign`] does both
//! with a [`Signer`], and a [`TimestampAuthority`] for B-T.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use const_oid::db::rfc5911::ID_MESSAGE_DIGEST;
use der::Decode;
use der::asn1::{OctetString, SetOfVec};
use lopdf::{Dictionary, Object, ObjectId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;

use super::cert::{self, Certificate};
use super::cms;
use super::dictionary::{ByteRange, SerialisedDictionary, SignatureDictionary};
use super::keys::{SignatureAlgorithm, Signer};
use super::tsp::{self, TimestampAuthority};
use crate::error::{Error, ErrorCode, Result};
use crate::geometry::Rect;
use crate::pdf::appearance::{SignatureAppearance, Stamper};
use crate::pdf::crypt::Change;
use crate::pdf::fields::{
    self, FormEditor, FormFieldFill, FormFieldType, add_annotation, appearance_dict, widget_field,
};
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::object::PdfRect;
use crate::pdf::{Anchor, FontSet, Limits, Pdf, PdfPassword};

/// Margin added to the exact CMS size: DER lengths grow by a byte when a
/// value crosses 127 or 255 bytes, and a time-stamp attribute adds framing.
const CMS_MARGIN: usize = 64;
/// Room reserved for an RFC 3161 signature time-stamp token (B-T).
pub const DEFAULT_TIMESTAMP_RESERVE: usize = 12_000;
/// Annotation flag Locked (ISO 32000-2 Table 167).
const F_LOCKED: i64 = 128;
/// Version of the [`PreparedSignature`] JSON shape.
pub const PREPARED_SIGNATURE_VERSION: u32 = 2;

/// Which signature field receives the signature. JSON:
/// `{"type": "existing", "name": "sig_marie"}`,
/// `{"type": "new", "page": 1, "rect": {...}}`,
/// `{"type": "anchored", "anchor": {...}}`, `{"type": "invisible"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum SignatureField {
    /// An existing, empty signature field, by its fully qualified name.
    Existing {
        /// Field name.
        name: String,
    },
    /// A new visible field on `page` (from 1) at `rect` (points from the
    /// top-left of the displayed page). A name is chosen when `None`.
    New {
        /// Field name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Page number.
        page: u32,
        /// Position.
        rect: Rect,
    },
    /// A new visible field placed beside a phrase of the document.
    Anchored {
        /// Field name; chosen when `None`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The phrase and where the field goes relative to it.
        anchor: Anchor,
    },
    /// A new invisible field.
    Invisible {
        /// Field name; chosen when `None`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

impl Default for SignatureField {
    fn default() -> Self {
        Self::Invisible { name: None }
    }
}

/// DocMDP permissions of a certification signature (ISO 32000-2 Table 257).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocMdpPermission {
    /// P=1: no change at all.
    NoChanges,
    /// P=2: filling forms and signing (the default).
    FormFilling,
    /// P=3: as P=2, plus annotations.
    Annotations,
}

impl DocMdpPermission {
    /// The `/P` value.
    pub fn value(self) -> i64 {
        match self {
            Self::NoChanges => 1,
            Self::FormFilling => 2,
            Self::Annotations => 3,
        }
    }
}

/// The PAdES baseline level to produce (ETSI EN 319 142-1 §6). JSON:
/// `"B-B"`, `"B-T"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PadesLevel {
    /// B-B: the signature, its signed attributes and the signer's chain.
    #[default]
    #[serde(rename = "B-B")]
    BaselineB,
    /// B-T: B-B plus a signature time-stamp from a TSA, which proves the
    /// signature existed at that time.
    #[serde(rename = "B-T")]
    BaselineT,
}

/// How to sign. JSON (camelCase): every key but `signingTime` may be
/// left out; fonts are not part of the JSON (the bundled ones are used).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignOptions {
    /// Where the signature goes (default: a new invisible field).
    #[serde(default)]
    pub field: SignatureField,
    /// What a visible signature shows; `None` for none (or blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appearance: Option<SignatureAppearance>,
    /// Fields filled in the same update, so the signature covers them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_values: Vec<FormFieldFill>,
    /// The claimed signing time, written as `/M` (PAdES: not in the CMS).
    pub signing_time: DateTime<Utc>,
    /// B-B, or B-T (a time-stamp authority must then be given).
    #[serde(default)]
    pub level: PadesLevel,
    /// `/Reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `/Location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `/ContactInfo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_info: Option<String>,
    /// `/Name`; the certificate's common name when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_name: Option<String>,
    /// Make this a certification signature (only as the first signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certify: Option<DocMdpPermission>,
    /// Limits for reading the PDF.
    #[serde(default)]
    pub limits: Limits,
    /// The password of an encrypted PDF that needs one (JSON
    /// `pdfPassword`; never written back). A file whose user password is
    /// empty opens without it; its permissions then decide what signing
    /// may do, unless this is the owner password. The update is encrypted
    /// like the file.
    #[serde(default, skip_serializing)]
    pub pdf_password: Option<PdfPassword>,
    /// Fonts for appearances (the bundled ones by default).
    #[serde(skip)]
    pub fonts: FontSet,
}

impl SignOptions {
    /// An invisible B-B signature at `signing_time`, with the default
    /// fonts (the bundled ones when the `bundled-fonts` feature is on).
    pub fn new(signing_time: DateTime<Utc>) -> Self {
        Self::with_fonts(signing_time, FontSet::default())
    }

    /// An invisible B-B signature at `signing_time`, with `fonts`.
    pub fn with_fonts(signing_time: DateTime<Utc>, fonts: FontSet) -> Self {
        Self {
            field: SignatureField::default(),
            appearance: None,
            field_values: Vec::new(),
            signing_time,
            level: PadesLevel::default(),
            reason: None,
            location: None,
            contact_info: None,
            signer_name: None,
            certify: None,
            limits: Limits::default(),
            pdf_password: None,
            fonts,
        }
    }

    /// Reads options from JSON (`MALFORMED_JSON` on unknown keys).
    pub fn from_json(json: &str) -> Result<Self> {
        Ok(serde_json::from_str(json)?)
    }

    fn timestamp_reserve(&self) -> usize {
        match self.level {
            PadesLevel::BaselineB => 0,
            PadesLevel::BaselineT => DEFAULT_TIMESTAMP_RESERVE,
        }
    }
}

/// A signature waiting for its value: the update with a placeholder, and
/// what must be signed. Serialisable, so the value can come from another
/// process, an HSM or a cloud KMS. [`finish`] trusts none of it: it
/// recomputes the digest of the document with this update and checks it,
/// the byte range and the placeholder against what is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreparedSignature {
    /// [`PREPARED_SIGNATURE_VERSION`] of this JSON shape.
    pub schema_version: u32,
    /// The update to append to the original PDF, base64.
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub increment: Vec<u8>,
    /// Length of the original PDF.
    pub base_len: usize,
    /// SHA-256 of the original PDF, hex.
    pub base_sha256: String,
    /// Absolute offset of the `<` that opens `/Contents`.
    pub contents_offset: usize,
    /// Hex digits reserved inside `/Contents <...>`.
    pub contents_capacity: usize,
    /// The `/ByteRange` (offset, length, offset, length).
    pub byte_range: [usize; 4],
    /// SHA-256 of the bytes the `/ByteRange` covers, hex.
    pub document_digest: String,
    /// DER of the signed attributes: the message to sign, base64.
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub signed_attributes: Vec<u8>,
    /// The signer's chain (DER, signing certificate first), base64.
    pub certificates: Vec<String>,
    /// The signature algorithm expected.
    pub algorithm: SignatureAlgorithm,
    /// The level asked for: B-T needs a time-stamp authority at [`finish`].
    pub level: PadesLevel,
    /// Name of the signature field.
    pub field_name: String,
}

impl PreparedSignature {
    /// The message to sign: the DER of the signed attributes. In-process
    /// signers and `openssl dgst -sha256 -sign` take this.
    pub fn message(&self) -> &[u8] {
        &self.signed_attributes
    }

    /// SHA-256 of [`message`](Self::message): what a signer that takes a
    /// digest (an HSM, a KMS, `openssl pkeyutl -pkeyopt digest:sha256`) signs.
    pub fn message_digest(&self) -> [u8; 32] {
        crate::digest::sha256(&self.signed_attributes)
    }

    /// Reads a pending signature from JSON, refusing other schema versions
    /// with `UNSUPPORTED_SCHEMA_VERSION`.
    pub fn from_json(json: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        match value
            .get("schemaVersion")
            .and_then(serde_json::Value::as_u64)
        {
            Some(v) if v == u64::from(PREPARED_SIGNATURE_VERSION) => {
                Ok(serde_json::from_value(value)?)
            }
            Some(v) => Err(Error::new(
                ErrorCode::UnsupportedSchemaVersion,
                format!(
                    "pending signature schema version {v} is not supported (this build reads {PREPARED_SIGNATURE_VERSION})"
                ),
            )),
            None => Err(Error::new(
                ErrorCode::MalformedJson,
                "the pending signature has no numeric schemaVersion",
            )),
        }
    }

    /// The pending signature as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Bytes reserved for the CMS: the exact size of a SignedData with these
/// certificates and a signature value of the largest size, plus room for a
/// time-stamp token and a small margin for DER length variations.
fn cms_capacity(
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    max_signature_len: usize,
    timestamp_reserve: usize,
) -> Result<usize> {
    let signing_cert = chain
        .first()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate was given"))?;
    let attrs = cms::signed_attributes(&[0; 32], signing_cert)?;
    let dummy = cms::signed_data(
        chain,
        algorithm,
        attrs,
        &vec![0xFF; max_signature_len],
        None,
    )?;
    Ok(dummy.len() + timestamp_reserve + CMS_MARGIN)
}

/// Inputs larger than this are hashed on a second thread while the update
/// is built.
const PARALLEL_HASH_MIN: usize = 1 << 20;

/// The signing update, written, with its `/ByteRange` set and the
/// `/Contents` placeholder located.
struct WrittenUpdate {
    increment: Vec<u8>,
    base_len: usize,
    byte_range: ByteRange,
    capacity: usize,
    field_name: String,
}

/// Writes the signing update with a placeholder and returns what must be
/// signed, for a signer outside this process (an HSM, a cloud KMS): the
/// algorithm and the room for the value are read from the signing
/// certificate's key (RSA: PKCS#1 v1.5 with SHA-256; P-256: ECDSA with
/// SHA-256). The certificate must be valid at `options.signing_time`.
pub fn prepare(
    pdf: &[u8],
    chain: &[Certificate],
    options: &SignOptions,
) -> Result<PreparedSignature> {
    let signing_cert = chain
        .first()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate was given"))?;
    let algorithm = SignatureAlgorithm::for_certificate(signing_cert)?;
    let max_len = algorithm.max_signature_len(cert::public_key_bits(signing_cert.x509()));
    prepare_with(pdf, chain, algorithm, max_len, options)
}

fn prepare_with(
    pdf: &[u8],
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    max_signature_len: usize,
    options: &SignOptions,
) -> Result<PreparedSignature> {
    let hash_base = || Sha256::new().chain_update(pdf);
    // Hashing the original is most of the work on large files: do it while
    // the update is built.
    let (written, base_hasher) = if pdf.len() >= PARALLEL_HASH_MIN {
        std::thread::scope(|scope| {
            let hashing = std::thread::Builder::new()
                .name("paraph-hash".into())
                .spawn_scoped(scope, hash_base);
            let written = write_update(pdf, chain, algorithm, max_signature_len, options);
            let hasher = match hashing {
                Ok(handle) => handle
                    .join()
                    .map_err(|_| Error::new(ErrorCode::Internal, "the hashing thread panicked"))?,
                Err(_) => hash_base(),
            };
            Ok::<_, Error>((written?, hasher))
        })?
    } else {
        (
            write_update(pdf, chain, algorithm, max_signature_len, options)?,
            hash_base(),
        )
    };
    let WrittenUpdate {
        increment,
        base_len,
        byte_range,
        capacity,
        field_name,
    } = written;
    let base_sha256 = hex::encode(base_hasher.clone().finalize());
    let document_digest = covered_digest(base_hasher, &increment, base_len, &byte_range)?;

    let signing_cert = chain
        .first()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate was given"))?;
    let attrs = cms::signed_attributes(&document_digest, signing_cert)?;
    let signed_attributes = cms::to_be_signed(&attrs)?;
    let mut certificates = Vec::new();
    for c in chain {
        certificates.push(STANDARD.encode(c.der()));
    }
    Ok(PreparedSignature {
        schema_version: PREPARED_SIGNATURE_VERSION,
        increment,
        base_len,
        base_sha256,
        contents_offset: byte_range.contents_start,
        contents_capacity: capacity,
        byte_range: byte_range.values(),
        document_digest: hex::encode(document_digest),
        signed_attributes,
        certificates,
        algorithm,
        level: options.level,
        field_name,
    })
}

/// The SHA-256 of what `range` covers, given a hasher that has seen the
/// original file: the update before `/Contents` and after it.
pub(super) fn covered_digest(
    mut base_hasher: Sha256,
    increment: &[u8],
    base_len: usize,
    range: &ByteRange,
) -> Result<[u8; 32]> {
    let rel = |absolute: usize| absolute.checked_sub(base_len);
    let (before, after) = match (rel(range.contents_start), rel(range.contents_end)) {
        (Some(start), Some(end)) if start <= end && end <= increment.len() => {
            (&increment[..start], &increment[end..])
        }
        _ => {
            return Err(invalid_pending(
                "the /Contents placeholder lies outside the update",
            ));
        }
    };
    base_hasher.update(before);
    base_hasher.update(after);
    Ok(base_hasher.finalize().into())
}

/// Builds and writes the update: fields filled, signature field and
/// dictionary, appearances, fonts; then sets the `/ByteRange`.
fn write_update(
    pdf: &[u8],
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    max_signature_len: usize,
    options: &SignOptions,
) -> Result<WrittenUpdate> {
    let signing_cert = chain
        .first()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate was given"))?;
    signing_cert.check_validity(options.signing_time)?;
    let doc = Pdf::open(
        pdf,
        &options.limits,
        options.pdf_password.as_ref().map(PdfPassword::expose),
    )?;
    // Signing an existing empty field is filling it in; anything else adds a
    // field (ISO 32000-2 Table 22).
    doc.check_permission(match options.field {
        SignatureField::Existing { .. } if options.certify.is_none() => Change::FillFields,
        _ => Change::CreateFields,
    })?;
    let existing = doc.fields()?;
    if options.certify.is_some() && existing.iter().any(|f| f.signed) {
        return Err(Error::new(
            ErrorCode::PdfUnsupported,
            "a certification signature must be the document's first signature",
        ));
    }
    match super::dictionary::certification_permission(&doc.doc, doc.catalog_id().ok()) {
        Some(1) => {
            return Err(Error::new(
                ErrorCode::PdfUnsupported,
                "the document is certified with no changes allowed (DocMDP P=1): it cannot be signed again",
            ));
        }
        Some(_)
            if matches!(
                options.field,
                SignatureField::New { .. } | SignatureField::Anchored { .. }
            ) =>
        {
            return Err(Error::new(
                ErrorCode::PdfUnsupported,
                "the document is certified: a new visible signature field would be a disallowed change; sign an existing empty field, or sign invisibly",
            ));
        }
        _ => {}
    }

    check_field_locks(
        &super::dictionary::field_locks(&doc.doc, &existing),
        options,
    )?;

    let mut update = IncrementalUpdate::new(&doc)?;
    let mut stamper = Stamper::new(&mut update, &options.fonts);
    let mut form = FormEditor::new(&update)?;
    fields::fill_fields(&mut update, &mut stamper, &options.field_values)?;

    let signer_name = options
        .signer_name
        .clone()
        .or_else(|| signing_cert.common_name())
        .unwrap_or_else(|| signing_cert.subject());
    let capacity = 2 * cms_capacity(
        chain,
        algorithm,
        max_signature_len,
        options.timestamp_reserve(),
    )?;
    let sig_id = update.allocate();
    let SerialisedDictionary {
        body,
        byte_range_at,
        contents_at,
    } = SignatureDictionary {
        signing_time: options.signing_time,
        name: Some(&signer_name),
        reason: options.reason.as_deref(),
        location: options.location.as_deref(),
        contact_info: options.contact_info.as_deref(),
        docmdp: options.certify.map(DocMdpPermission::value),
        contents_capacity: capacity,
    }
    .serialise(doc.encryption().map(|encryption| (encryption, sig_id)))?;
    update.set_raw(sig_id, body);

    let field_name = attach_signature(
        &mut update,
        &mut stamper,
        &mut form,
        &existing,
        options,
        sig_id,
    )?;
    form.mark_signed();
    if options.certify.is_some() {
        let catalog_id = doc.catalog_id()?;
        let mut perms = Dictionary::new();
        perms.set("DocMDP", Object::Reference(sig_id));
        update.edit_dict(catalog_id, |catalog| {
            catalog.set("Perms", Object::Dictionary(perms))
        })?;
    }
    stamper.finish(&mut update)?;
    form.finish(&mut update)?;
    declare_pades(&mut update)?;

    let (increment, base_len, byte_range) =
        write_with_byte_range(update, sig_id, byte_range_at, contents_at, capacity)?;
    Ok(WrittenUpdate {
        increment,
        base_len,
        byte_range,
        capacity,
        field_name,
    })
}

/// Writes `update` and sets the `/ByteRange` of its signature (or
/// document time-stamp) dictionary `sig_id`, whose body has the byte
/// range's placeholder at `byte_range_at` and a `/Contents` of `capacity`
/// hex digits at `contents_at`: the update's bytes, the original's length
/// and the byte range.
pub(super) fn write_with_byte_range(
    update: IncrementalUpdate<'_, '_>,
    sig_id: ObjectId,
    byte_range_at: usize,
    contents_at: usize,
    capacity: usize,
) -> Result<(Vec<u8>, usize, ByteRange)> {
    let mut increment = update.write()?;
    let body_at = increment.body_offset(sig_id).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            "the signature dictionary was not written",
        )
    })?;
    let base_len = increment.base_len;
    let total = base_len + increment.bytes.len();
    let contents_start = body_at + contents_at;
    let byte_range = ByteRange::around(
        contents_start,
        contents_start + SerialisedDictionary::contents_len(capacity),
        total,
    )?;
    byte_range.patch(&mut increment.bytes, body_at - base_len + byte_range_at)?;
    check_placeholder(&increment.bytes, base_len, &byte_range)?;
    Ok((increment.bytes, base_len, byte_range))
}

/// A new invisible signature field `name` on page 1 whose value is the
/// dictionary `sig_id`, registered with `form`.
pub(super) fn add_invisible_field(
    update: &mut IncrementalUpdate<'_, '_>,
    form: &mut FormEditor,
    name: &str,
    sig_id: ObjectId,
) -> Result<()> {
    let page = update.document().page(1)?.id;
    let zero = PdfRect {
        llx: 0.0,
        lly: 0.0,
        urx: 0.0,
        ury: 0.0,
    };
    let mut dict = widget_field(name, "Sig", page, &zero, 0);
    dict.set("V", Object::Reference(sig_id));
    // Print + Locked, as pyHanko writes: a zero-size widget needs no
    // Hidden flag, and PDF/A (ISO 19005-2 §6.3.2) forbids it.
    dict.set("F", Object::Integer(fields::F_PRINT | F_LOCKED));
    let id = update.add(Object::Dictionary(dict));
    add_annotation(update, page, id)?;
    form.add_field(id);
    Ok(())
}

/// Checks that the `/Contents` placeholder of `increment` is where
/// `range` says: `<`, zeros, `>`.
/// Refuses a signature that an earlier signature's field lock forbids
/// (FieldMDP, ISO 32000-2 §12.8.2.4): any change when a lock's `/P` is 1, a
/// new visible field when it is 2 or 3 (as under certification), and
/// signing or filling a locked field, or creating a field under a name a
/// lock lists (a lock covers the fields that existed when it was signed,
/// and a field created later under a listed name would be taken for one).
fn check_field_locks(locks: &[super::dictionary::FieldLock], options: &SignOptions) -> Result<()> {
    let locked = |message: String| Err(Error::new(ErrorCode::PdfFieldLocked, message));
    for lock in locks {
        let by = &lock.by;
        match lock.permission {
            Some(1) => {
                return locked(format!(
                    "the signature in field {by:?} locks the document (FieldMDP /P 1): no change, another signature included, is allowed after it"
                ));
            }
            Some(2 | 3)
                if matches!(
                    options.field,
                    SignatureField::New { .. } | SignatureField::Anchored { .. }
                ) =>
            {
                return locked(format!(
                    "the signature in field {by:?} allows only form filling and signing after it (FieldMDP /P {}): a new visible signature field would be a disallowed change; sign an existing empty field, or sign invisibly",
                    lock.permission.unwrap_or_default()
                ));
            }
            _ => {}
        }
        for fill in &options.field_values {
            if lock.locks(&fill.name) {
                return locked(format!(
                    "field {:?} is locked by the signature in field {by:?}",
                    fill.name
                ));
            }
        }
        match &options.field {
            SignatureField::Existing { name } if lock.locks(name) => {
                return locked(format!(
                    "signature field {name:?} is locked by the signature in field {by:?}"
                ));
            }
            SignatureField::New {
                name: Some(name), ..
            }
            | SignatureField::Anchored {
                name: Some(name), ..
            }
            | SignatureField::Invisible { name: Some(name) }
                if lock.names(name) =>
            {
                return locked(format!(
                    "a field named {name:?} is locked by the signature in field {by:?}: choose another name"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_placeholder(increment: &[u8], base_len: usize, range: &ByteRange) -> Result<()> {
    let placeholder = range
        .contents_start
        .checked_sub(base_len)
        .zip(range.contents_end.checked_sub(base_len))
        .and_then(|(start, end)| increment.get(start..end));
    let sound = placeholder.is_some_and(|p| {
        p.len() >= 2
            && p.first() == Some(&b'<')
            && p.last() == Some(&b'>')
            && p[1..p.len() - 1].iter().all(|&b| b == b'0')
    });
    if sound {
        Ok(())
    } else {
        Err(invalid_pending(
            "the /Contents placeholder is not where the pending signature says",
        ))
    }
}

/// Declares what PAdES needs of the document's version (ETSI EN 319 142-1
/// §5.2, as pyHanko does): at least PDF 1.7 (catalog `/Version`), and below
/// PDF 2.0 the `/ESIC` developer extension, level 1. Validators accept both
/// keys changing after earlier signatures.
fn declare_pades(update: &mut IncrementalUpdate<'_, '_>) -> Result<()> {
    let doc = update.document();
    let version = doc.version();
    let numeric = |v: &str| {
        let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    };
    let current = numeric(&version);
    if current >= (2, 0) {
        return Ok(());
    }
    let catalog_id = doc.catalog_id()?;
    if current < (1, 7) {
        update.edit_dict(catalog_id, |catalog| {
            catalog.set("Version", Object::Name(b"1.7".to_vec()))
        })?;
    }
    let mut esic = Dictionary::new();
    esic.set("BaseVersion", Object::Name(b"1.7".to_vec()));
    esic.set("ExtensionLevel", Object::Integer(1));
    match update
        .current_dict(catalog_id)?
        .get(b"Extensions")
        .ok()
        .cloned()
    {
        Some(Object::Reference(id)) => {
            if !update.current_dict(id)?.has(b"ESIC") {
                update.edit_dict(id, |extensions| {
                    extensions.set("ESIC", Object::Dictionary(esic))
                })?;
            }
        }
        Some(Object::Dictionary(mut extensions)) => {
            if !extensions.has(b"ESIC") {
                extensions.set("ESIC", Object::Dictionary(esic));
                update.edit_dict(catalog_id, |catalog| {
                    catalog.set("Extensions", Object::Dictionary(extensions))
                })?;
            }
        }
        _ => {
            let mut extensions = Dictionary::new();
            extensions.set("ESIC", Object::Dictionary(esic));
            update.edit_dict(catalog_id, |catalog| {
                catalog.set("Extensions", Object::Dictionary(extensions))
            })?;
        }
    }
    Ok(())
}

/// Puts the signature dictionary into the chosen field; returns its name.
fn attach_signature(
    update: &mut IncrementalUpdate<'_, '_>,
    stamper: &mut Stamper<'_>,
    form: &mut FormEditor,
    existing: &[fields::FormField],
    options: &SignOptions,
    sig_id: ObjectId,
) -> Result<String> {
    let doc = update.document();
    let taken: std::collections::HashSet<String> =
        existing.iter().map(|f| f.name.clone()).collect();
    // A generated name must not be one that an earlier signature locks.
    let locks = super::dictionary::field_locks(&doc.doc, existing);
    let fresh_name = |wanted: &Option<String>| -> Result<String> {
        match wanted {
            Some(n) => {
                fields::check_new_name(n, &taken)?;
                Ok(n.clone())
            }
            None => Ok((1..)
                .map(|i| format!("Signature{i}"))
                .find(|n| !taken.contains(n) && !locks.iter().any(|l| l.names(n)))
                .unwrap_or_default()),
        }
    };
    let new_visible = |update: &mut IncrementalUpdate<'_, '_>,
                       stamper: &mut Stamper<'_>,
                       form: &mut FormEditor,
                       wanted: &Option<String>,
                       page: u32,
                       rect: &Rect|
     -> Result<String> {
        let doc = update.document();
        let field_name = fresh_name(wanted)?;
        let page = doc.page(page)?;
        let geometry = page.geometry;
        let user_rect = geometry.to_user_rect(rect)?;
        let mut dict = widget_field(&field_name, "Sig", page.id, &user_rect, 0);
        dict.set("V", Object::Reference(sig_id));
        let ap = match &options.appearance {
            Some(appearance) => stamper.signature(update, &geometry, &user_rect, appearance)?,
            None => stamper.blank(update, &geometry, &user_rect),
        };
        dict.set("AP", appearance_dict(ap));
        let page_id = page.id;
        let id = update.add(Object::Dictionary(dict));
        add_annotation(update, page_id, id)?;
        form.add_field(id);
        Ok(field_name)
    };
    match &options.field {
        SignatureField::Existing { name: field_name } => {
            let info = doc.field(field_name)?;
            if info.field_type != FormFieldType::Signature {
                return Err(Error::new(
                    ErrorCode::PdfFieldTypeMismatch,
                    format!("field {field_name:?} is not a signature field"),
                ));
            }
            if info.signed {
                return Err(Error::new(
                    ErrorCode::PdfFieldAlreadySigned,
                    format!("signature field {field_name:?} is already signed"),
                ));
            }
            update.edit_dict(info.id, |field| field.set("V", Object::Reference(sig_id)))?;
            let widgets = fields::widget_ids(update, info.id, update.current_dict(info.id)?)?;
            if let (Some(appearance), Some(&widget_id)) = (&options.appearance, widgets.first()) {
                let widget = update.current_dict(widget_id)?;
                if let Some((page, rect)) = fields::widget_placement(doc, widget_id, widget)? {
                    let geometry = page.geometry;
                    let ap = stamper.signature(update, &geometry, &rect, appearance)?;
                    update.edit_dict(widget_id, |widget| widget.set("AP", appearance_dict(ap)))?;
                }
            }
            Ok(field_name.clone())
        }
        SignatureField::New {
            name: wanted,
            page,
            rect,
        } => new_visible(update, stamper, form, wanted, *page, rect),
        SignatureField::Anchored {
            name: wanted,
            anchor,
        } => {
            let found = doc.find_anchor(anchor)?;
            new_visible(update, stamper, form, wanted, found.page, &found.field)
        }
        SignatureField::Invisible { name: wanted } => {
            let field_name = fresh_name(wanted)?;
            add_invisible_field(update, form, &field_name, sig_id)?;
            Ok(field_name)
        }
    }
}

/// Completes a prepared signature with its value; returns the signed PDF.
/// For B-T, `tsa` time-stamps the value (the core builds the request and
/// checks the response).
///
/// Nothing of `prepared` is trusted: `pdf` must be the document it was
/// prepared for, the update must hash to the digest it claims, its byte
/// range and placeholder must be where the update has them, the signed
/// attributes must carry that digest and name its signing certificate,
/// and the value must verify with that certificate's key. Anything else
/// is `PENDING_SIGNATURE_INVALID` (or `KEY_CERT_MISMATCH` for a value
/// made with another key), and nothing is produced.
pub fn finish(
    pdf: &[u8],
    prepared: &PreparedSignature,
    signature_value: &[u8],
    tsa: Option<&dyn TimestampAuthority>,
) -> Result<Vec<u8>> {
    let update = finish_update(pdf, prepared, signature_value, tsa)?;
    Ok(concat(pdf, &update))
}

/// Like [`finish`], but returns only the update to append to `pdf`.
pub fn finish_update(
    pdf: &[u8],
    prepared: &PreparedSignature,
    signature_value: &[u8],
    tsa: Option<&dyn TimestampAuthority>,
) -> Result<Vec<u8>> {
    let pending = check_pending(pdf, prepared)?;
    complete_update(&pending, signature_value, tsa)
}

/// A pending signature whose every claim has been checked against the
/// document and the update it carries.
struct Pending<'p> {
    prepared: &'p PreparedSignature,
    chain: Vec<Certificate>,
    attrs: SetOfVec<Attribute>,
    byte_range: ByteRange,
}

fn invalid_pending(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::PendingSignatureInvalid, message)
}

/// Checks a serialised pending signature against `pdf` (see [`finish`]).
fn check_pending<'p>(pdf: &[u8], prepared: &'p PreparedSignature) -> Result<Pending<'p>> {
    if prepared.schema_version != PREPARED_SIGNATURE_VERSION {
        return Err(Error::new(
            ErrorCode::UnsupportedSchemaVersion,
            format!(
                "pending signature schema version {} is not supported (this build reads {PREPARED_SIGNATURE_VERSION})",
                prepared.schema_version
            ),
        ));
    }
    let base_hasher = Sha256::new().chain_update(pdf);
    if pdf.len() != prepared.base_len
        || hex::encode(base_hasher.clone().finalize()) != prepared.base_sha256
    {
        return Err(invalid_pending(
            "the PDF is not the one the signature was prepared for",
        ));
    }
    let total = prepared
        .base_len
        .checked_add(prepared.increment.len())
        .ok_or_else(|| invalid_pending("the update is too large"))?;
    let contents_end = prepared
        .contents_offset
        .checked_add(prepared.contents_capacity)
        .and_then(|end| end.checked_add(2))
        .ok_or_else(|| invalid_pending("the /Contents placeholder is too large"))?;
    if prepared.contents_offset < prepared.base_len || !prepared.contents_capacity.is_multiple_of(2)
    {
        return Err(invalid_pending(
            "the /Contents placeholder lies outside the update",
        ));
    }
    let byte_range = ByteRange::around(prepared.contents_offset, contents_end, total)
        .map_err(|_| invalid_pending("the /Contents placeholder lies outside the update"))?;
    if byte_range.values() != prepared.byte_range {
        return Err(invalid_pending(
            "the /ByteRange does not match the update's /Contents placeholder",
        ));
    }
    check_placeholder(&prepared.increment, prepared.base_len, &byte_range)?;
    check_written_byte_range(prepared, &byte_range)?;
    let digest = covered_digest(
        base_hasher,
        &prepared.increment,
        prepared.base_len,
        &byte_range,
    )?;
    if hex::encode(digest) != prepared.document_digest {
        return Err(invalid_pending(
            "the update does not hash to the digest the pending signature claims: it was changed",
        ));
    }
    let attrs = SetOfVec::<Attribute>::from_der(&prepared.signed_attributes)
        .map_err(|_| invalid_pending("the signed attributes cannot be read"))?;
    let signed_digest = attrs
        .iter()
        .find(|a| a.oid == ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok());
    if signed_digest.as_ref().map(OctetString::as_bytes) != Some(&digest[..]) {
        return Err(invalid_pending(
            "the signed attributes carry another document digest than the update's",
        ));
    }
    let mut chain = Vec::new();
    for encoded in &prepared.certificates {
        let der = STANDARD
            .decode(encoded)
            .map_err(|_| invalid_pending("a certificate is not base64"))?;
        chain.push(Certificate::from_der(&der)?);
    }
    let signing_cert = chain
        .first()
        .ok_or_else(|| invalid_pending("the pending signature names no signing certificate"))?;
    if cms::signed_attributes(&digest, signing_cert)? != attrs {
        return Err(invalid_pending(
            "the signed attributes do not name the pending signature's signing certificate",
        ));
    }
    if SignatureAlgorithm::for_certificate(signing_cert)? != prepared.algorithm {
        return Err(invalid_pending(
            "the algorithm does not suit the signing certificate's key",
        ));
    }
    Ok(Pending {
        prepared,
        chain,
        attrs,
        byte_range,
    })
}

/// Checks that the `/ByteRange` written in the update, just before
/// `/Contents`, holds the numbers of `range`.
fn check_written_byte_range(prepared: &PreparedSignature, range: &ByteRange) -> Result<()> {
    let mut expected = b"[0 ".to_vec();
    let [_, a, b, c] = range.values();
    expected.extend_from_slice(format!("{a} {b} {c}]").as_bytes());
    let start = prepared.contents_offset - prepared.base_len;
    let window = &prepared.increment[start.saturating_sub(80)..start];
    let written = window
        .windows(b"/ByteRange ".len())
        .rposition(|w| w == b"/ByteRange ")
        .map(|at| &window[at + b"/ByteRange ".len()..]);
    let sound = written.is_some_and(|text| {
        text.starts_with(&expected)
            && text[expected.len()..]
                .iter()
                .all(|&byte| byte == b' ' || byte == b'/' || byte.is_ascii_alphabetic())
    });
    if sound {
        Ok(())
    } else {
        Err(invalid_pending(
            "the /ByteRange written in the update is not the pending signature's",
        ))
    }
}

fn concat(pdf: &[u8], update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pdf.len() + update.len());
    out.extend_from_slice(pdf);
    out.extend_from_slice(update);
    out
}

/// The update of a checked pending signature with its CMS in place: the
/// bytes to append to the original PDF.
fn complete_update(
    pending: &Pending<'_>,
    signature_value: &[u8],
    tsa: Option<&dyn TimestampAuthority>,
) -> Result<Vec<u8>> {
    let prepared = pending.prepared;
    let algorithm = prepared.algorithm;
    let signature_value = &*algorithm.normalise_value(signature_value);
    verify_value(
        &pending.chain,
        algorithm,
        prepared.message(),
        signature_value,
    )?;
    let token = match (prepared.level, tsa) {
        (PadesLevel::BaselineT, Some(tsa)) => Some(tsp::timestamp_signature(tsa, signature_value)?),
        (PadesLevel::BaselineT, None) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a B-T signature needs a time-stamp authority",
            ));
        }
        (PadesLevel::BaselineB, Some(_)) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a time-stamp authority was given for a B-B signature; ask for level B-T",
            ));
        }
        (PadesLevel::BaselineB, None) => None,
    };
    let cms = cms::signed_data(
        &pending.chain,
        algorithm,
        pending.attrs.clone(),
        signature_value,
        token.as_deref(),
    )?;
    if cms.len() * 2 > prepared.contents_capacity {
        return Err(Error::new(
            ErrorCode::SignatureTooLarge,
            format!(
                "the CMS signature has {} bytes but only {} were reserved",
                cms.len(),
                prepared.contents_capacity / 2
            ),
        ));
    }
    let mut update = prepared.increment.clone();
    let hex = hex::encode_upper(&cms);
    // One past the `<`; `check_placeholder` has seen the whole slot.
    let at = pending.byte_range.contents_start - prepared.base_len + 1;
    update[at..at + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(update)
}

/// Checks a signature value against the signing certificate's key, so
/// that a wrong key or a corrupted value never produces a broken PDF.
fn verify_value(
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    message: &[u8],
    value: &[u8],
) -> Result<()> {
    let cert = chain
        .first()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "no signing certificate"))?;
    let ok = super::keys::verify_with_certificate(cert.x509(), algorithm, message, value)?;
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::KeyCertMismatch,
            "the signature value does not verify with the signing certificate's key",
        ))
    }
}

/// Signs `pdf` with `signer` in one call: prepare, sign, finish. For B-T
/// (`options.level`), `tsa` time-stamps the signature.
///
/// ```no_run
/// use chrono::{TimeZone, Utc};
/// use paraph::pades::{self, KeySigner, SignOptions};
///
/// let signer = KeySigner::from_pkcs12(&std::fs::read("signer.p12")?, "test")?;
/// let pdf = std::fs::read("contract.pdf")?;
/// // The core reads no clock: the signing time is given.
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let signed = pades::sign(&pdf, &signer, None, &SignOptions::new(now))?;
/// std::fs::write("contract-signed.pdf", signed)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(
    pdf: &[u8],
    signer: &dyn Signer,
    tsa: Option<&dyn TimestampAuthority>,
    options: &SignOptions,
) -> Result<Vec<u8>> {
    Ok(concat(pdf, &sign_update(pdf, signer, tsa, options)?))
}

/// Like [`sign`], but returns only the incremental update: the bytes to
/// append to `pdf`. Writing `pdf` then the update to a file needs no second
/// copy of a large document in memory.
pub fn sign_update(
    pdf: &[u8],
    signer: &dyn Signer,
    tsa: Option<&dyn TimestampAuthority>,
    options: &SignOptions,
) -> Result<Vec<u8>> {
    let chain = signer.certificate_chain();
    let prepared = prepare_with(
        pdf,
        chain,
        signer.algorithm(),
        signer.max_signature_len(),
        options,
    )?;
    let value = signer.sign(prepared.message())?;
    // What `prepare_with` just wrote needs no second check (nor a second
    // pass over the file): only the value, which the signer made.
    let byte_range =
        ByteRange::from_values(&prepared.byte_range.map(|v| v as i64)).ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                "the byte range just written is unsound",
            )
        })?;
    let attrs = SetOfVec::<Attribute>::from_der(&prepared.signed_attributes)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("signed attributes: {e}")))?;
    let pending = Pending {
        prepared: &prepared,
        chain: chain.to_vec(),
        attrs,
        byte_range,
    };
    complete_update(&pending, &value, tsa)
}

//! PAdES signing as an incremental update (ETSI EN 319 142-1 §5, ISO 32000-2
//! §12.8): [`prepare`] writes the update with a placeholder for the
//! signature and returns what must be signed; [`finish`] puts the CMS in
//! place. [`sign`] does both with a [`Signer`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use der::Decode;
use lopdf::{Dictionary, Object, ObjectId, Writer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::cert;
use super::cms;
use super::keys::{SignatureAlgorithm, Signer};
use crate::error::{Error, ErrorCode, Result};
use crate::geometry::Rect;
use crate::pdf::appearance::{SignatureAppearance, Stamper};
use crate::pdf::fields::{
    self, FormEditor, FormFieldType, FormFieldValue, add_annotation, appearance_dict, widget_field,
};
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::object::{PdfRect, text_string};
use crate::pdf::{FontSet, Limits, PdfDocument};

/// Margin added to the exact CMS size: DER lengths grow by a byte when a
/// value crosses 127 or 255 bytes, and a time-stamp attribute adds framing.
const CMS_MARGIN: usize = 64;
/// Room reserved for an RFC 3161 time-stamp token when one is asked for.
pub const DEFAULT_TIMESTAMP_RESERVE: usize = 12_000;
/// Annotation flag Locked (ISO 32000-2 Table 167).
const F_LOCKED: i64 = 128;
/// Width of each number of the `/ByteRange` placeholder.
const BYTE_RANGE_DIGITS: usize = 10;

/// Which signature field receives the signature.
#[derive(Debug, Clone, PartialEq)]
pub enum SignatureField {
    /// An existing, empty signature field, by name.
    Existing(String),
    /// A new visible field on `page` (from 1) at `rect` (points from the
    /// top-left of the displayed page). A name is chosen when `None`.
    New {
        /// Field name.
        name: Option<String>,
        /// Page number.
        page: u32,
        /// Position.
        rect: Rect,
    },
    /// A new invisible field.
    Invisible {
        /// Field name; chosen when `None`.
        name: Option<String>,
    },
}

/// DocMDP permissions of a certification signature (ISO 32000-2 Table 257).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// How to sign.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Where the signature goes.
    pub field: SignatureField,
    /// What a visible signature shows; `None` for none (or blank).
    pub appearance: Option<SignatureAppearance>,
    /// Fields filled in the same update, so the signature covers them.
    pub field_values: Vec<(String, FormFieldValue)>,
    /// The claimed signing time, written as `/M` (PAdES: not in the CMS).
    pub signing_time: DateTime<Utc>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/Name`; the certificate's common name when `None`.
    pub signer_name: Option<String>,
    /// Make this a certification signature (only as the first signature).
    pub certify: Option<DocMdpPermission>,
    /// Reserve room for an RFC 3161 signature time-stamp token (B-T).
    pub timestamp_reserve: Option<usize>,
    /// Fonts for appearances.
    pub fonts: FontSet,
    /// Limits for reading the PDF.
    pub limits: Limits,
}

impl SignOptions {
    /// An invisible signature at `signing_time`, with the bundled fonts.
    #[cfg(feature = "bundled-fonts")]
    pub fn new(signing_time: DateTime<Utc>) -> Self {
        Self::with_fonts(signing_time, FontSet::bundled())
    }

    /// An invisible signature at `signing_time`, with `fonts`.
    pub fn with_fonts(signing_time: DateTime<Utc>, fonts: FontSet) -> Self {
        Self {
            field: SignatureField::Invisible { name: None },
            appearance: None,
            field_values: Vec::new(),
            signing_time,
            reason: None,
            location: None,
            contact_info: None,
            signer_name: None,
            certify: None,
            timestamp_reserve: None,
            fonts,
            limits: Limits::default(),
        }
    }
}

/// A signature waiting for its value: the update with a placeholder, and
/// what must be signed. Serialisable, so the value can come from another
/// process, an HSM or a cloud KMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedSignature {
    /// Version of this JSON shape.
    pub schema_version: u32,
    /// The update to append to the original PDF, base64.
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub increment: Vec<u8>,
    /// Length of the original PDF.
    pub base_len: usize,
    /// SHA-256 of the original PDF, hex (checked by [`finish`]).
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
    pub algorithm: PreparedAlgorithm,
    /// Name of the signature field.
    pub field_name: String,
}

/// [`SignatureAlgorithm`] in a [`PreparedSignature`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PreparedAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1v15Sha256,
    /// ECDSA P-256 with SHA-256.
    EcdsaP256Sha256,
}

impl From<SignatureAlgorithm> for PreparedAlgorithm {
    fn from(a: SignatureAlgorithm) -> Self {
        match a {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => Self::RsaPkcs1v15Sha256,
            SignatureAlgorithm::EcdsaP256Sha256 => Self::EcdsaP256Sha256,
        }
    }
}

impl From<PreparedAlgorithm> for SignatureAlgorithm {
    fn from(a: PreparedAlgorithm) -> Self {
        match a {
            PreparedAlgorithm::RsaPkcs1v15Sha256 => Self::RsaPkcs1v15Sha256,
            PreparedAlgorithm::EcdsaP256Sha256 => Self::EcdsaP256Sha256,
        }
    }
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

    /// The RFC 3161 request for a signature time-stamp over
    /// `signature_value` (B-T), with the caller's `nonce`.
    pub fn timestamp_request(&self, signature_value: &[u8], nonce: u64) -> Result<Vec<u8>> {
        super::tsp::request(&crate::digest::sha256(signature_value), nonce)
    }
}

/// `D:YYYYMMDDHHmmSS+00'00'` (ISO 32000-2 §7.9.4).
pub(crate) fn pdf_date(time: DateTime<Utc>) -> String {
    format!("D:{}+00'00'", time.format("%Y%m%d%H%M%S"))
}

fn serialize(object: &Object) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    Writer::write_object(&mut out, object)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot serialise: {e}")))?;
    Ok(out)
}

/// The signature dictionary (ISO 32000-2 Table 255), serialised by hand so
/// that the offsets of the `/ByteRange` and `/Contents` placeholders are
/// known exactly: (body, byte range offset, contents offset), offsets
/// relative to the body.
fn signature_dictionary(
    options: &SignOptions,
    signer_name: &str,
    contents_capacity: usize,
) -> Result<(Vec<u8>, usize, usize)> {
    let mut body =
        b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange ".to_vec();
    let byte_range_at = body.len();
    body.extend_from_slice(format!("[0 {0} {0} {0}]", " ".repeat(BYTE_RANGE_DIGITS)).as_bytes());
    body.extend_from_slice(b"/Contents ");
    let contents_at = body.len();
    body.push(b'<');
    body.resize(body.len() + contents_capacity, b'0');
    body.push(b'>');
    body.extend_from_slice(b"/M");
    body.extend(serialize(&text_string(&pdf_date(options.signing_time)))?);
    let texts = [
        ("Name", Some(signer_name)),
        ("Reason", options.reason.as_deref()),
        ("Location", options.location.as_deref()),
        ("ContactInfo", options.contact_info.as_deref()),
    ];
    for (key, value) in texts {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            body.extend_from_slice(format!("/{key}").as_bytes());
            body.extend(serialize(&text_string(value))?);
        }
    }
    if let Some(permission) = options.certify {
        body.extend_from_slice(
            format!(
                "/Reference[<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</Type/TransformParams/P {}/V/1.2>>>>]",
                permission.value()
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "/Prop_Build<</App<</Name/paraph/REx({})>>/Filter<</Name/Adobe.PPKLite>>>>>>",
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    );
    Ok((body, byte_range_at, contents_at))
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
    contents_offset: usize,
    after_contents: usize,
    byte_range: [usize; 4],
    capacity: usize,
    field_name: String,
}

/// Writes the signing update with a placeholder and returns what must be
/// signed. The certificate must be valid at `options.signing_time`.
pub fn prepare(
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
        contents_offset,
        after_contents,
        byte_range,
        capacity,
        field_name,
    } = written;
    let rel = |absolute: usize| absolute - base_len;
    let base_sha256 = hex::encode(base_hasher.clone().finalize());
    let mut hasher = base_hasher;
    hasher.update(&increment[..rel(contents_offset)]);
    hasher.update(&increment[rel(after_contents)..]);
    let document_digest: [u8; 32] = hasher.finalize().into();

    let signing_cert = &chain[0];
    let attrs = cms::signed_attributes(&document_digest, signing_cert)?;
    let signed_attributes = cms::to_be_signed(&attrs)?;
    let mut certificates = Vec::new();
    for c in chain {
        certificates.push(STANDARD.encode(cert::to_der(c)?));
    }
    Ok(PreparedSignature {
        schema_version: 1,
        increment,
        base_len,
        base_sha256,
        contents_offset,
        contents_capacity: capacity,
        byte_range,
        document_digest: hex::encode(document_digest),
        signed_attributes,
        certificates,
        algorithm: algorithm.into(),
        field_name,
    })
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
    cert::check_validity(signing_cert, options.signing_time)?;
    let doc = PdfDocument::load_with_limits(pdf, &options.limits)?;
    let existing = doc.fields()?;
    if options.certify.is_some() && existing.iter().any(|f| f.signed) {
        return Err(Error::new(
            ErrorCode::PdfUnsupported,
            "a certification signature must be the document's first signature",
        ));
    }
    match super::verify::certification_permission(&doc) {
        Some(1) => {
            return Err(Error::new(
                ErrorCode::PdfUnsupported,
                "the document is certified with no changes allowed (DocMDP P=1): it cannot be signed again",
            ));
        }
        Some(_) if matches!(options.field, SignatureField::New { .. }) => {
            return Err(Error::new(
                ErrorCode::PdfUnsupported,
                "the document is certified: a new visible signature field would be a disallowed change; sign an existing empty field, or sign invisibly",
            ));
        }
        _ => {}
    }

    let mut update = IncrementalUpdate::new(&doc);
    let mut stamper = Stamper::new(&mut update, &options.fonts);
    let mut form = FormEditor::new(&update)?;
    fields::fill_fields(&mut update, &mut stamper, &options.field_values)?;

    let signer_name = options
        .signer_name
        .clone()
        .or_else(|| cert::common_name(signing_cert))
        .unwrap_or_else(|| cert::subject(signing_cert));
    let capacity = 2 * cms_capacity(
        chain,
        algorithm,
        max_signature_len,
        options.timestamp_reserve.unwrap_or(0),
    )?;
    let (sig_body, byte_range_at, contents_at) =
        signature_dictionary(options, &signer_name, capacity)?;
    let sig_id = update.allocate();
    update.set_raw(sig_id, sig_body);

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
        let mut catalog = crate::pdf::object::as_dict(update.current(catalog_id)?)
            .cloned()
            .unwrap_or_default();
        let mut perms = Dictionary::new();
        perms.set("DocMDP", Object::Reference(sig_id));
        catalog.set("Perms", Object::Dictionary(perms));
        update.set(catalog_id, Object::Dictionary(catalog));
    }
    stamper.finish(&mut update)?;
    form.finish(&mut update)?;
    declare_pades(&mut update)?;

    let mut increment = update.write()?;
    let body_at = increment.body_offset(sig_id).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            "the signature dictionary was not written",
        )
    })?;
    let contents_offset = body_at + contents_at;
    let after_contents = contents_offset + capacity + 2;
    let total = increment.base_len + increment.bytes.len();
    let byte_range = [0, contents_offset, after_contents, total - after_contents];
    let rel = |absolute: usize| absolute - increment.base_len;

    // Patch the /ByteRange placeholder: same width, numbers padded with spaces.
    let mut text = format!("[0 {}", byte_range[1]);
    for value in &byte_range[2..] {
        text.push(' ');
        text.push_str(&value.to_string());
    }
    text.push(']');
    let placeholder_len = 2 + 2 + 3 * BYTE_RANGE_DIGITS + 2;
    if text.len() > placeholder_len {
        return Err(Error::new(
            ErrorCode::PdfTooLarge,
            "the signed file would be too large for a 10-digit /ByteRange",
        ));
    }
    let padded = format!("{text:<placeholder_len$}");
    let start = rel(body_at + byte_range_at);
    increment.bytes[start..start + placeholder_len].copy_from_slice(padded.as_bytes());
    if increment.bytes.get(rel(contents_offset)) != Some(&b'<')
        || increment.bytes.get(rel(after_contents) - 1) != Some(&b'>')
    {
        return Err(Error::new(
            ErrorCode::Internal,
            "the /Contents placeholder is not where it was written",
        ));
    }

    Ok(WrittenUpdate {
        base_len: increment.base_len,
        increment: increment.bytes,
        contents_offset,
        after_contents,
        byte_range,
        capacity,
        field_name,
    })
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
    let mut catalog = crate::pdf::object::as_dict(update.current(catalog_id)?)
        .cloned()
        .unwrap_or_default();
    let mut changed = false;
    if current < (1, 7) {
        catalog.set("Version", Object::Name(b"1.7".to_vec()));
        changed = true;
    }
    let extensions_ref = match catalog.get(b"Extensions") {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    let mut extensions = match extensions_ref {
        Some(id) => crate::pdf::object::as_dict(update.current(id)?)
            .cloned()
            .unwrap_or_default(),
        None => match catalog.get(b"Extensions") {
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        },
    };
    if !extensions.has(b"ESIC") {
        let mut esic = Dictionary::new();
        esic.set("BaseVersion", Object::Name(b"1.7".to_vec()));
        esic.set("ExtensionLevel", Object::Integer(1));
        extensions.set("ESIC", Object::Dictionary(esic));
        match extensions_ref {
            Some(id) => update.set(id, Object::Dictionary(extensions)),
            None => {
                catalog.set("Extensions", Object::Dictionary(extensions));
                changed = true;
            }
        }
    }
    if changed {
        update.set(catalog_id, Object::Dictionary(catalog));
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
    let fresh_name = |wanted: &Option<String>| -> Result<String> {
        match wanted {
            Some(n) => {
                fields::check_new_name(n, &taken)?;
                Ok(n.clone())
            }
            None => Ok((1..)
                .map(|i| format!("Signature{i}"))
                .find(|n| !taken.contains(n))
                .unwrap_or_default()),
        }
    };
    match &options.field {
        SignatureField::Existing(field_name) => {
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
            let mut dict = crate::pdf::object::as_dict(update.current(info.id)?)
                .cloned()
                .ok_or_else(|| {
                    Error::new(ErrorCode::PdfMalformed, "a field is not a dictionary")
                })?;
            dict.set("V", Object::Reference(sig_id));
            update.set(info.id, Object::Dictionary(dict.clone()));
            let widgets = fields::widget_ids(update, info.id, &dict)?;
            if let (Some(appearance), Some(&widget_id)) = (&options.appearance, widgets.first()) {
                let mut widget = crate::pdf::object::as_dict(update.current(widget_id)?)
                    .cloned()
                    .unwrap_or_default();
                if let Some((page, rect)) = fields::widget_placement(doc, widget_id, &widget)? {
                    let geometry = page.geometry;
                    let ap = stamper.signature(update, &geometry, &rect, appearance)?;
                    widget.set("AP", appearance_dict(ap));
                    update.set(widget_id, Object::Dictionary(widget));
                }
            }
            Ok(field_name.clone())
        }
        SignatureField::New {
            name: wanted,
            page,
            rect,
        } => {
            let field_name = fresh_name(wanted)?;
            let page = doc.page(*page)?;
            let geometry = page.geometry;
            let user_rect = geometry.to_user_rect(rect)?;
            let mut dict = widget_field(&field_name, "Sig", page.id, &user_rect, 0);
            dict.set("V", Object::Reference(sig_id));
            let ap = match &options.appearance {
                Some(appearance) => stamper.signature(update, &geometry, &user_rect, appearance)?,
                None => stamper.blank(update, &geometry, &user_rect),
            };
            dict.set("AP", appearance_dict(ap));
            let id = update.add(Object::Dictionary(dict));
            add_annotation(update, page.id, id)?;
            form.add_field(id);
            Ok(field_name)
        }
        SignatureField::Invisible { name: wanted } => {
            let field_name = fresh_name(wanted)?;
            let page = doc.page(1)?;
            let zero = PdfRect {
                llx: 0.0,
                lly: 0.0,
                urx: 0.0,
                ury: 0.0,
            };
            let mut dict = widget_field(&field_name, "Sig", page.id, &zero, 0);
            dict.set("V", Object::Reference(sig_id));
            // Print + Locked, as pyHanko writes: a zero-size widget needs no
            // Hidden flag, and PDF/A (ISO 19005-2 §6.3.2) forbids it.
            dict.set("F", Object::Integer(fields::F_PRINT | F_LOCKED));
            let id = update.add(Object::Dictionary(dict));
            add_annotation(update, page.id, id)?;
            form.add_field(id);
            Ok(field_name)
        }
    }
}

/// Completes a prepared signature with its value (and optionally an RFC
/// 3161 time-stamp token over it); returns the signed PDF.
///
/// `pdf` must be the document given to [`prepare`]
/// (`PENDING_SIGNATURE_INVALID` otherwise).
pub fn finish(
    pdf: &[u8],
    prepared: &PreparedSignature,
    signature_value: &[u8],
    timestamp_token: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let update = finish_update(pdf, prepared, signature_value, timestamp_token)?;
    Ok(concat(pdf, &update))
}

/// Like [`finish`], but returns only the update to append to `pdf`.
pub fn finish_update(
    pdf: &[u8],
    prepared: &PreparedSignature,
    signature_value: &[u8],
    timestamp_token: Option<&[u8]>,
) -> Result<Vec<u8>> {
    if pdf.len() != prepared.base_len || crate::digest::sha256_hex(pdf) != prepared.base_sha256 {
        return Err(Error::new(
            ErrorCode::PendingSignatureInvalid,
            "the PDF is not the one the signature was prepared for",
        ));
    }
    complete_update(prepared, signature_value, timestamp_token)
}

fn concat(pdf: &[u8], update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pdf.len() + update.len());
    out.extend_from_slice(pdf);
    out.extend_from_slice(update);
    out
}

fn invalid_pending(message: &str) -> Error {
    Error::new(ErrorCode::PendingSignatureInvalid, message.to_owned())
}

/// The update of a prepared signature with its CMS in place: the bytes to
/// append to the original PDF. Does not re-check the original.
fn complete_update(
    prepared: &PreparedSignature,
    signature_value: &[u8],
    timestamp_token: Option<&[u8]>,
) -> Result<Vec<u8>> {
    if prepared.schema_version != 1 {
        return Err(Error::new(
            ErrorCode::UnsupportedSchemaVersion,
            format!(
                "prepared signature schema version {} is not supported",
                prepared.schema_version
            ),
        ));
    }
    let start = prepared
        .contents_offset
        .checked_sub(prepared.base_len)
        .ok_or_else(|| invalid_pending("the /Contents offset lies outside the update"))?;
    let end = start + prepared.contents_capacity + 2;
    if end > prepared.increment.len()
        || prepared.increment[start] != b'<'
        || prepared.increment[end - 1] != b'>'
    {
        return Err(invalid_pending(
            "the /Contents placeholder is not where it should be",
        ));
    }
    let mut chain = Vec::new();
    for encoded in &prepared.certificates {
        let der = STANDARD
            .decode(encoded)
            .map_err(|_| invalid_pending("a certificate is not base64"))?;
        chain.push(Certificate::from_der(&der).map_err(|e| {
            Error::new(
                ErrorCode::CertInvalid,
                format!("a certificate cannot be read: {e}"),
            )
        })?);
    }
    let algorithm: SignatureAlgorithm = prepared.algorithm.into();
    verify_value(&chain, algorithm, prepared.message(), signature_value)?;
    if let Some(token) = timestamp_token {
        super::tsp::check_token(token, &crate::digest::sha256(signature_value))?;
    }
    let attrs =
        der::asn1::SetOfVec::<x509_cert::attr::Attribute>::from_der(&prepared.signed_attributes)
            .map_err(|_| invalid_pending("the signed attributes cannot be read"))?;
    let cms = cms::signed_data(&chain, algorithm, attrs, signature_value, timestamp_token)?;
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
    let at = start + 1;
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
    let ok = super::verify::verify_with_certificate(cert, algorithm, message, value)?;
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::KeyCertMismatch,
            "the signature value does not verify with the signing certificate's key",
        ))
    }
}

/// Signs `pdf` with `signer` in one call: prepare, sign, finish.
///
/// ```no_run
/// use chrono::{TimeZone, Utc};
/// use paraph::pades::{self, KeySigner, SignOptions};
///
/// let signer = KeySigner::from_pkcs12(&std::fs::read("signer.p12")?, "test")?;
/// let pdf = std::fs::read("contract.pdf")?;
/// // The core reads no clock: the signing time is given.
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let signed = pades::sign(&pdf, &signer, &SignOptions::new(now))?;
/// std::fs::write("contract-signed.pdf", signed)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(pdf: &[u8], signer: &dyn Signer, options: &SignOptions) -> Result<Vec<u8>> {
    Ok(concat(pdf, &sign_update(pdf, signer, options)?))
}

/// Like [`sign`], but returns only the incremental update: the bytes to
/// append to `pdf`. Writing `pdf` then the update to a file needs no second
/// copy of a large document in memory.
pub fn sign_update(pdf: &[u8], signer: &dyn Signer, options: &SignOptions) -> Result<Vec<u8>> {
    let prepared = prepare(
        pdf,
        signer.certificate_chain(),
        signer.algorithm(),
        signer.max_signature_len(),
        options,
    )?;
    let value = signer.sign(prepared.message())?;
    complete_update(&prepared, &value, None)
}

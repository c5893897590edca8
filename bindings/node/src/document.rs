//! `Document`: a PDF read under limits, its pages and form fields, new
//! signature fields, and PAdES signing in one call (`sign`) or in two
//! phases (`prepareSignature`, then `finishSignature` with a value made
//! elsewhere). Signing runs on the libuv pool and returns a `Promise`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::ErrorCode;
use paraph::geometry::Rect as CoreRect;
use paraph::pades::{
    self, DocMdpPermission, PadesLevel, PreparedSignature, SignOptions, SignatureField,
    TimestampAuthority,
};
use paraph::pdf::{
    FontSet, FormFieldKind, FormFieldSpec, Limits, PdfDocument, SignatureAppearance, add_fields,
};

use crate::callback::JsCallback;
use crate::convert::{self, CoreTask, InstantInput, Json, PromiseOf};
use crate::error::{boundary, core, new_err};
use crate::signer::{self, CertificatesInput, Signer};

/// A rectangle in points from the top-left corner of the displayed page.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    /// Distance from the left edge.
    pub x: f64,
    /// Distance from the top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl From<Rect> for CoreRect {
    fn from(r: Rect) -> Self {
        CoreRect::new(r.x, r.y, r.width, r.height)
    }
}

/// A page as displayed.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct PageInfo {
    /// Page number, from 1.
    pub number: u32,
    /// Width in points, as displayed (rotation applied).
    pub width: f64,
    /// Height in points, as displayed.
    pub height: f64,
    /// 0, 90, 180 or 270.
    pub rotation: u32,
}

/// A signature field to add.
#[napi(object, object_to_js = false)]
#[derive(Debug)]
pub struct NewSignatureField {
    /// Unique in the document; no `.`.
    pub name: String,
    /// Page number, from 1.
    pub page: u32,
    /// Where, in points from the top-left of the displayed page.
    pub rect: Rect,
    /// Sets the Required flag.
    pub required: Option<bool>,
}

/// How `document.sign` signs.
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
#[derive(Default)]
pub struct DocumentSignOptions {
    /// An existing empty signature field, by name; or, with `page` and
    /// `rect`, the name of a new visible one. Without `field`, `page` and
    /// `rect` the signature is invisible.
    pub field: Option<String>,
    /// The page of a new visible field.
    pub page: Option<u32>,
    /// Where a new visible field goes.
    pub rect: Option<Rect>,
    /// The signer's name: `/Name`, and what a visible signature shows
    /// (the certificate's common name by default).
    pub name: Option<String>,
    /// A drawn signature (PNG) for a visible signature.
    pub image: Option<Uint8Array>,
    /// The date line of a visible signature (`Signed <time> UTC` by default).
    pub date: Option<String>,
    /// The small line under it.
    pub details: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// The claimed signing time (default: now, from the system clock).
    #[napi(ts_type = "Date | string")]
    pub signing_time: Option<InstantInput>,
    /// `"B-B"` (default) or `"B-T"` (needs `tsa`).
    #[napi(ts_type = "PadesLevel")]
    pub level: Option<String>,
    /// The time-stamp authority for B-T: DER request in, DER response out.
    #[napi(ts_type = "(request: Buffer) => Uint8Array | Promise<Uint8Array>")]
    pub tsa: Option<JsCallback>,
    /// Make this a certification signature (the first signature only).
    #[napi(ts_type = "DocMdpPermission")]
    pub certify: Option<String>,
    /// Limits for reading the PDF (default: the document's).
    #[napi(ts_type = "Limits")]
    pub limits: Option<serde_json::Value>,
}

/// Options of `finishSignature`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct FinishOptions {
    /// The time-stamp authority, when the signature was prepared for B-T.
    #[napi(ts_type = "(request: Buffer) => Uint8Array | Promise<Uint8Array>")]
    pub tsa: Option<JsCallback>,
}

/// The core's options, and the time-stamp authority, from the JS ones.
fn sign_options(
    env: &Env,
    options: DocumentSignOptions,
    limits: Limits,
    default_name: Option<String>,
) -> Result<(SignOptions, Option<Arc<dyn TimestampAuthority>>)> {
    let signing_time = convert::instant_or_now(env, options.signing_time, "signingTime")?;
    let mut sign = SignOptions::with_fonts(signing_time, FontSet::default());
    sign.field = match (options.field, options.page, options.rect) {
        (name, Some(page), Some(rect)) => SignatureField::New {
            name,
            page,
            rect: rect.into(),
        },
        (_, Some(_), None) | (_, None, Some(_)) => {
            return Err(new_err(
                env,
                ErrorCode::InvalidArgument,
                "a new visible signature field needs both page and rect",
            ));
        }
        (Some(name), None, None) => SignatureField::Existing { name },
        (None, None, None) => SignatureField::Invisible { name: None },
    };
    let visible = !matches!(sign.field, SignatureField::Invisible { .. });
    let name = options.name.clone().or(default_name);
    if visible {
        sign.appearance = Some(SignatureAppearance {
            name: name.clone().unwrap_or_default(),
            image: options.image.map(|i| i.to_vec()),
            date: options.date.unwrap_or_else(|| signed_line(signing_time)),
            details: options.details.unwrap_or_default(),
        });
    }
    sign.signer_name = options.name;
    sign.reason = options.reason;
    sign.location = options.location;
    sign.contact_info = options.contact_info;
    sign.level = level(env, options.level)?;
    sign.certify = options
        .certify
        .map(|p| convert::from_value::<DocMdpPermission>(env, p.into(), "certify"))
        .transpose()?;
    sign.limits = match options.limits {
        Some(value) => convert::from_value(env, value, "limits")?,
        None => limits,
    };
    Ok((sign, signer::timestamp_authority(options.tsa)))
}

/// A PAdES level from `"B-B"` / `"B-T"` (B-B when absent).
pub fn level(env: &Env, level: Option<String>) -> Result<PadesLevel> {
    level
        .map(|l| convert::from_value::<PadesLevel>(env, l.into(), "level"))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// The default date line of a visible signature.
fn signed_line(time: DateTime<Utc>) -> String {
    format!("Signed {}", time.format("%Y-%m-%d %H:%M UTC"))
}

/// A PDF read under limits (immutable: adding a field returns a new one).
#[napi]
#[derive(Debug, Clone)]
pub struct Document {
    pub(crate) inner: PdfDocument,
}

#[napi]
impl Document {
    /// Reads a PDF (its bytes are copied). Errors: `PDF_MALFORMED`,
    /// `PDF_ENCRYPTED`, `PDF_TOO_LARGE` and the other limits' codes.
    #[napi(factory)]
    pub fn open(
        env: &Env,
        data: Uint8Array,
        #[napi(ts_arg_type = "Limits")] limits: Option<serde_json::Value>,
    ) -> Result<Document> {
        boundary(env, || {
            let limits: Limits = convert::from_value_or_default(env, limits, "limits")?;
            let inner = PdfDocument::from_vec(data.to_vec(), &limits).map_err(core(env))?;
            Ok(Document { inner })
        })
    }

    /// `Document.open` on the libuv pool, for large files.
    #[napi(ts_return_type = "Promise<Document>")]
    pub fn open_async(
        env: &Env,
        data: Uint8Array,
        #[napi(ts_arg_type = "Limits")] limits: Option<serde_json::Value>,
    ) -> Result<AsyncTask<CoreTask<Document>>> {
        let limits: Limits = convert::from_value_or_default(env, limits, "limits")?;
        let bytes = data.to_vec();
        Ok(AsyncTask::new(CoreTask::new(move || {
            Ok(Document {
                inner: PdfDocument::from_vec(bytes, &limits)?,
            })
        })))
    }

    /// The number of pages.
    #[napi(getter)]
    pub fn page_count(&self) -> u32 {
        u32::try_from(self.inner.page_count()).unwrap_or(u32::MAX)
    }

    /// Each page's number, displayed size and rotation.
    #[napi(getter)]
    pub fn pages(&self) -> Vec<PageInfo> {
        self.inner
            .pages()
            .iter()
            .map(|page| {
                let (width, height) = page.geometry.displayed_size();
                PageInfo {
                    number: page.number,
                    width,
                    height,
                    rotation: u32::from(page.geometry.rotation.degrees()),
                }
            })
            .collect()
    }

    /// The form fields (signature, text, button and choice fields), depth
    /// first.
    #[napi(ts_return_type = "FormField[]")]
    pub fn fields(&self, env: &Env) -> Result<serde_json::Value> {
        boundary(env, || {
            let fields = self.inner.fields().map_err(core(env))?;
            convert::to_value(env, &fields)
        })
    }

    /// The PDF's bytes (a copy).
    #[napi]
    pub fn to_buffer(&self) -> Buffer {
        Buffer::from(self.inner.bytes().to_vec())
    }

    /// The size of the PDF in bytes.
    #[napi(getter)]
    pub fn byte_length(&self) -> u32 {
        u32::try_from(self.inner.bytes().len()).unwrap_or(u32::MAX)
    }

    /// A new document with an empty signature field added (an incremental
    /// update). Errors: `PDF_FIELD_EXISTS`, `PDF_PAGE_NOT_FOUND`,
    /// `PDF_FIELD_OUTSIDE_PAGE`.
    #[napi]
    pub fn add_signature_field(&self, env: &Env, field: NewSignatureField) -> Result<Document> {
        boundary(env, || {
            let spec = FormFieldSpec {
                name: field.name,
                kind: FormFieldKind::Signature,
                page: field.page,
                rect: field.rect.into(),
                value: None,
                required: field.required.unwrap_or(false),
                read_only: false,
                multiline: false,
            };
            let limits = *self.inner.limits();
            let out =
                add_fields(self.inner.bytes(), &[spec], &FontSet::default()).map_err(core(env))?;
            Ok(Document {
                inner: PdfDocument::from_vec(out, &limits).map_err(core(env))?,
            })
        })
    }

    /// Signs (PAdES B-B, or B-T with `tsa`) on the libuv pool; resolves to
    /// the signed PDF (the original bytes and an incremental update).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn sign<'env>(
        &self,
        env: &'env Env,
        signer: &Signer,
        options: Option<DocumentSignOptions>,
    ) -> Result<PromiseOf<'env, Buffer>> {
        boundary(env, || {
            let default_name = signer
                .inner
                .certificate_chain()
                .first()
                .and_then(|c| c.common_name());
            let (sign, tsa) = sign_options(
                env,
                options.unwrap_or_default(),
                *self.inner.limits(),
                default_name,
            )?;
            let document = self.inner.clone();
            let calls_js = signer.calls_js() || tsa.is_some();
            let signer = signer.inner.clone();
            convert::promise(env, calls_js, move || {
                let signed = pades::sign(document.bytes(), &*signer, tsa.as_deref(), &sign)?;
                Ok(Buffer::from(signed))
            })
        })
    }

    /// The first phase of a signature made elsewhere (an HSM, a KMS,
    /// another process): writes the update with a placeholder and resolves
    /// to the `PendingSignature` whose `data` (or `digest`) must be signed
    /// with the key of `certificateChain[0]`.
    #[napi(ts_return_type = "Promise<PendingSignature>")]
    pub fn prepare_signature(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "BytesInput | BytesInput[]")] certificate_chain: CertificatesInput,
        options: Option<DocumentSignOptions>,
    ) -> Result<AsyncTask<CoreTask<PendingSignature>>> {
        boundary(env, || {
            let chain = signer::certificates(env, certificate_chain)?;
            let options = options.unwrap_or_default();
            if options.tsa.is_some() {
                return Err(new_err(
                    env,
                    ErrorCode::InvalidArgument,
                    "the time-stamp authority is given to finishSignature, not prepareSignature",
                ));
            }
            let (sign, _) =
                sign_options(env, options, *self.inner.limits(), chain[0].common_name())?;
            let document = self.inner.clone();
            Ok(AsyncTask::new(CoreTask::new(move || {
                let prepared = pades::prepare(document.bytes(), &chain, &sign)?;
                Ok(PendingSignature { inner: prepared })
            })))
        })
    }

    /// The second phase: checks `pending` against this document (nothing
    /// of it is trusted) and puts the signature value in place; resolves
    /// to the signed PDF. Errors: `PENDING_SIGNATURE_INVALID`,
    /// `KEY_CERT_MISMATCH`, `UNSUPPORTED_SCHEMA_VERSION`.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn finish_signature<'env>(
        &self,
        env: &'env Env,
        pending: &PendingSignature,
        signature_value: Uint8Array,
        options: Option<FinishOptions>,
    ) -> Result<PromiseOf<'env, Buffer>> {
        let tsa = signer::timestamp_authority(options.and_then(|o| o.tsa));
        let document = self.inner.clone();
        let prepared = pending.inner.clone();
        let value = signature_value.to_vec();
        convert::promise(env, tsa.is_some(), move || {
            let signed = pades::finish(document.bytes(), &prepared, &value, tsa.as_deref())?;
            Ok(Buffer::from(signed))
        })
    }
}

/// A signature waiting for its value (serialisable with `JSON.stringify`,
/// read back with `PendingSignature.fromJSON`).
#[napi]
#[derive(Debug, Clone)]
pub struct PendingSignature {
    pub(crate) inner: PreparedSignature,
}

#[napi]
impl PendingSignature {
    /// What to sign: the DER of the CMS signed attributes (`openssl dgst
    /// -sha256 -sign` and in-process keys take this).
    #[napi(getter)]
    pub fn data(&self) -> Buffer {
        Buffer::from(self.inner.message().to_vec())
    }

    /// SHA-256 of `data`: what a signer that takes digests (a KMS) signs.
    #[napi(getter)]
    pub fn digest(&self) -> Buffer {
        Buffer::from(self.inner.message_digest().to_vec())
    }

    /// The signature field.
    #[napi(getter)]
    pub fn field_name(&self) -> String {
        self.inner.field_name.clone()
    }

    /// The algorithm the value must be made with.
    #[napi(getter, ts_return_type = "SignatureAlgorithm")]
    pub fn algorithm(&self) -> &'static str {
        match self.inner.algorithm {
            pades::SignatureAlgorithm::RsaPkcs1v15Sha256 => "RSA_PKCS1V15_SHA256",
            pades::SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA_P256_SHA256",
        }
    }

    /// The core's JSON of the pending signature.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, unknown>")]
    pub fn to_json(&self, env: &Env) -> Result<serde_json::Value> {
        convert::to_value(env, &self.inner)
    }

    /// Reads a pending signature from its JSON text or object (other
    /// schema versions are `UNSUPPORTED_SCHEMA_VERSION`).
    #[napi(js_name = "fromJSON")]
    pub fn from_json(
        env: &Env,
        #[napi(ts_arg_type = "string | Record<string, unknown>")] json: Either<String, Object>,
    ) -> Result<PendingSignature> {
        boundary(env, || {
            let text = convert::json_text(env, json)?;
            let inner = PreparedSignature::from_json(&text).map_err(core(env))?;
            Ok(PendingSignature { inner })
        })
    }
}

/// Verification of a signed PDF: what `verify` takes.
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
#[derive(Default)]
pub struct VerifyPdfOptions {
    /// Trust anchors (PEM or DER); without them the chains are not judged.
    #[napi(ts_type = "BytesInput | BytesInput[]")]
    pub trust: Option<CertificatesInput>,
    /// The time certificates are judged at (default: now).
    #[napi(ts_type = "Date | string")]
    pub time: Option<InstantInput>,
    /// Limits for reading the PDF.
    #[napi(ts_type = "Limits")]
    pub limits: Option<serde_json::Value>,
}

/// The core's verification options from the JS ones.
pub fn verify_options(
    env: &Env,
    options: Option<VerifyPdfOptions>,
) -> Result<pades::VerifyOptions> {
    let options = options.unwrap_or_default();
    let time = convert::instant_or_now(env, options.time, "time")?;
    let mut verify = pades::VerifyOptions::new(time);
    if let Some(trust) = options.trust {
        verify = verify.with_trust_anchors(signer::certificates(env, trust)?);
    }
    if let Some(limits) = options.limits {
        verify.limits = convert::from_value(env, limits, "limits")?;
    }
    Ok(verify)
}

/// The verdict every surface reports alike: `null` when every signature
/// is intact (and trusted, when anchors were given), else the first
/// failure's code and message.
pub fn verdict_json(verdict: paraph::Result<()>) -> serde_json::Value {
    match verdict {
        Ok(()) => serde_json::Value::Null,
        Err(e) => serde_json::json!({ "code": e.code().name(), "message": e.message() }),
    }
}

/// Verifies every signature of a PDF on the libuv pool: integrity,
/// coverage, changes after each, time-stamps and (with `trust`) chains.
/// Resolves to the report; rejects only when the file cannot be read.
#[napi(ts_return_type = "Promise<VerificationReport>")]
pub fn verify(
    env: &Env,
    data: Uint8Array,
    options: Option<VerifyPdfOptions>,
) -> Result<AsyncTask<CoreTask<Json>>> {
    boundary(env, || {
        let options = verify_options(env, options)?;
        let pdf = data.to_vec();
        Ok(AsyncTask::new(CoreTask::new(move || {
            let report = pades::verify(&pdf, &options)?;
            let mut json = Json::of(&report)?;
            if let serde_json::Value::Object(map) = &mut json.0 {
                map.insert("allIntact".into(), report.all_intact().into());
                map.insert("allTrusted".into(), report.all_trusted().into());
                map.insert("verdict".into(), verdict_json(report.verdict()));
            }
            Ok(json)
        })))
    })
}

//! `audit`: the evidence bundle of an envelope's history, the audit-trail
//! PDF (rendered, sealed) and its verification. Rendering, sealing and
//! verifying run on the libuv pool and return `Promise`s.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::audit::{self, EvidenceBundle, Locale, RenderOptions};

use crate::callback::JsCallback;
use crate::convert::{self, BytesInput, CoreTask, InstantInput, Json, PromiseOf};
use crate::document::{VerifyPdfOptions, verdict_json, verify_options};
use crate::envelope::parse_events;
use crate::error::{boundary, core};
use crate::signer::{self, CertificatesInput, Signer};

/// An evidence bundle given as its JSON text, its bytes or its object.
type EvidenceInput<'env> = Either<BytesInput, Object<'env>>;

fn evidence_bytes(env: &Env, input: EvidenceInput<'_>) -> Result<Vec<u8>> {
    match input {
        Either::A(bytes) => Ok(convert::bytes(bytes)),
        Either::B(object) => Ok(convert::json_text(env, Either::B(object))?.into_bytes()),
    }
}

/// The evidence of an envelope's whole history: one hash-chained record
/// per event, the summary and the chain head, made at `generatedAt`.
#[napi(namespace = "audit", ts_return_type = "EvidenceBundle")]
pub fn evidence_from_events(
    env: &Env,
    #[napi(ts_arg_type = "EnvelopeEvent[]")] events: Vec<serde_json::Value>,
    #[napi(ts_arg_type = "Date | string")] generated_at: InstantInput,
) -> Result<serde_json::Value> {
    boundary(env, || {
        let events = parse_events(events).map_err(core(env))?;
        let at = convert::instant(env, generated_at, "generatedAt")?;
        let bundle = EvidenceBundle::from_events(&events, at).map_err(core(env))?;
        convert::to_value(env, &bundle)
    })
}

/// Options of `audit.render`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct RenderAuditOptions {
    /// `"en"` (default), `"fr"` or `"ko"`.
    #[napi(ts_type = "'en' | 'fr' | 'ko'")]
    pub locale: Option<String>,
}

/// Renders an evidence bundle as the audit-trail PDF (A4, PDF/A-3, the
/// bundle attached), unsealed; same input, same bytes. A broken chain is
/// `AUDIT_CHAIN_BROKEN`, an inconsistent summary `AUDIT_EVIDENCE_INVALID`.
#[napi(namespace = "audit", ts_return_type = "Promise<Buffer>")]
pub fn render(
    env: &Env,
    #[napi(ts_arg_type = "EvidenceBundle | string | Uint8Array")] evidence: EvidenceInput<'_>,
    options: Option<RenderAuditOptions>,
) -> Result<AsyncTask<CoreTask<Buffer>>> {
    boundary(env, || {
        let locale: Locale = match options.and_then(|o| o.locale) {
            Some(l) => convert::from_value(env, l.into(), "locale")?,
            None => Locale::default(),
        };
        let json = evidence_bytes(env, evidence)?;
        Ok(AsyncTask::new(CoreTask::new(move || {
            let bundle = EvidenceBundle::from_json(&json)?;
            let pdf = audit::render_audit_trail(&bundle, &RenderOptions { locale })?;
            Ok(Buffer::from(pdf))
        })))
    })
}

/// Options of `audit.seal`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct SealOptions {
    /// The seal's signing time (default: now).
    #[napi(ts_type = "Date | string")]
    pub signing_time: Option<InstantInput>,
    /// A time-stamp authority, for a B-T seal.
    #[napi(ts_type = "(request: Buffer) => Uint8Array | Promise<Uint8Array>")]
    pub tsa: Option<JsCallback>,
}

/// Seals an audit-trail PDF with the platform's signer: an invisible
/// certification signature that allows no change after it.
#[napi(namespace = "audit", ts_return_type = "Promise<Buffer>")]
pub fn seal<'env>(
    env: &'env Env,
    pdf: Uint8Array,
    signer: &Signer,
    options: Option<SealOptions>,
) -> Result<PromiseOf<'env, Buffer>> {
    boundary(env, || {
        let options = options.unwrap_or_default();
        let time = convert::instant_or_now(env, options.signing_time, "signingTime")?;
        let tsa = signer::timestamp_authority(options.tsa);
        let pdf = pdf.to_vec();
        let calls_js = signer.calls_js() || tsa.is_some();
        let signer = signer.inner.clone();
        convert::promise(env, calls_js, move || {
            let sealed = audit::seal_audit_trail(&pdf, &*signer, tsa.as_deref(), time)?;
            Ok(Buffer::from(sealed))
        })
    })
}

/// Options of `audit.verify` and `audit.verifyEvidence`.
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
#[derive(Default)]
pub struct VerifyAuditOptions {
    /// A signed document to check against the evidence's final digests.
    pub document: Option<Uint8Array>,
    /// Trust anchors for the seal (PEM or DER).
    #[napi(ts_type = "BytesInput | BytesInput[]")]
    pub trust: Option<CertificatesInput>,
    /// The time the seal's certificate is judged at (default: now).
    #[napi(ts_type = "Date | string")]
    pub time: Option<InstantInput>,
}

fn report_json(report: &audit::AuditReport) -> paraph::Result<Json> {
    let mut json = Json::of(report)?;
    if let serde_json::Value::Object(map) = &mut json.0 {
        map.insert("valid".into(), report.is_valid().into());
        map.insert("verdict".into(), verdict_json(report.verdict()));
    }
    Ok(json)
}

/// Verifies an audit-trail PDF: the seal (intact, covering the whole
/// file, trusted when `trust` is given), the attached evidence's chain and
/// summary, and, with `document`, that it is a final document of the
/// envelope. Rejects only when the PDF or its evidence cannot be read.
#[napi(namespace = "audit", ts_return_type = "Promise<AuditReport>")]
pub fn verify(
    env: &Env,
    pdf: Uint8Array,
    options: Option<VerifyAuditOptions>,
) -> Result<AsyncTask<CoreTask<Json>>> {
    boundary(env, || {
        let options = options.unwrap_or_default();
        let document = options.document.map(|d| d.to_vec());
        let verify = verify_options(
            env,
            Some(VerifyPdfOptions {
                trust: options.trust,
                time: options.time,
                limits: None,
            }),
        )?;
        let pdf = pdf.to_vec();
        Ok(AsyncTask::new(CoreTask::new(move || {
            let report = audit::verify_audit_trail(&pdf, document.as_deref(), &verify)?;
            report_json(&report)
        })))
    })
}

/// Verifies a bare evidence file (JSON): its chain and summary, and the
/// document when given (there is no seal).
#[napi(namespace = "audit", ts_return_type = "Promise<AuditReport>")]
pub fn verify_evidence(
    env: &Env,
    #[napi(ts_arg_type = "EvidenceBundle | string | Uint8Array")] evidence: EvidenceInput<'_>,
    #[napi(ts_arg_type = "{ document?: Uint8Array }")] options: Option<VerifyAuditOptions>,
) -> Result<AsyncTask<CoreTask<Json>>> {
    boundary(env, || {
        let json = evidence_bytes(env, evidence)?;
        let document = options.and_then(|o| o.document).map(|d| d.to_vec());
        Ok(AsyncTask::new(CoreTask::new(move || {
            let report = audit::verify_evidence(&json, document.as_deref())?;
            report_json(&report)
        })))
    })
}

/// The evidence JSON attached to an audit-trail PDF
/// (`AUDIT_EVIDENCE_NOT_FOUND` when there is none).
#[napi(namespace = "audit")]
pub fn extract_evidence(env: &Env, pdf: Uint8Array) -> Result<Buffer> {
    boundary(env, || {
        audit::extract_evidence(&pdf)
            .map(Buffer::from)
            .map_err(core(env))
    })
}

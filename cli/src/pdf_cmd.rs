//! `paraph fields`, `paraph sign` and `paraph verify`.

use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, ValueEnum};
use paraph::geometry::Rect;
use paraph::pades::{
    self, ChainStatus, Coverage, Modifications, SignOptions, SignatureField, SignatureKind, Signer,
};
use paraph::pdf::{FontSet, PdfDocument, SignatureAppearance};
use paraph::{Error, ErrorCode};
use serde::Serialize;

use crate::io;

#[derive(Debug, Args)]
pub struct FieldsArgs {
    /// The PDF.
    input: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PageOut {
    number: u32,
    width: f64,
    height: f64,
    rotation: u16,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FieldsOut {
    version: String,
    pages: Vec<PageOut>,
    fields: Vec<paraph::pdf::FormField>,
}

pub fn fields(args: FieldsArgs) -> Result<(), Error> {
    let bytes = io::read_input(&args.input)?;
    let doc = PdfDocument::load(&bytes)?;
    let out = FieldsOut {
        version: doc.version(),
        pages: doc
            .pages()
            .iter()
            .map(|p| {
                let (width, height) = p.geometry.displayed_size();
                PageOut {
                    number: p.number,
                    width,
                    height,
                    rotation: p.geometry.rotation.degrees(),
                }
            })
            .collect(),
        fields: doc.fields()?,
    };
    if args.json {
        return io::print_json(&out);
    }
    let mut text = format!("PDF {} with {} page(s)\n", out.version, out.pages.len());
    for page in &out.pages {
        text += &format!(
            "  page {:>3}: {:.1} x {:.1} pt, rotated {}°\n",
            page.number, page.width, page.height, page.rotation
        );
    }
    text += &format!("{} form field(s)\n", out.fields.len());
    for field in &out.fields {
        let state = match (&field.field_type, field.signed, &field.value) {
            (paraph::pdf::FormFieldType::Signature, true, _) => "signed".to_owned(),
            (paraph::pdf::FormFieldType::Signature, false, _) => "empty".to_owned(),
            (_, _, Some(v)) => format!("{v:?}"),
            _ => "empty".to_owned(),
        };
        text += &format!(
            "  {:<28} {:<10} {}",
            field.name,
            format!("{:?}", field.field_type),
            state
        );
        for w in &field.widgets {
            if let (Some(page), Some(r)) = (w.page, &w.rect) {
                text += &format!(
                    "  [page {page} at {:.1},{:.1} size {:.1}x{:.1}]",
                    r.x, r.y, r.width, r.height
                );
            }
        }
        text.push('\n');
    }
    io::print(&text)
}

/// Which library does the private-key arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// RustCrypto (pure Rust).
    Rustcrypto,
    /// aws-lc-rs (built with the `aws-lc` feature).
    AwsLc,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("signing_key").required(true).args(["p12", "key"])))]
pub struct SignArgs {
    /// The PDF to sign.
    input: PathBuf,
    /// Where to write the signed PDF (written atomically).
    #[arg(short, long)]
    output: PathBuf,
    /// A PKCS#12 file with the key and certificates.
    #[arg(long, requires = "password")]
    p12: Option<PathBuf>,
    /// The PKCS#12 password.
    #[arg(long)]
    password: Option<String>,
    /// A PEM private key (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// The PEM signing certificate.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// PEM certificates of the chain.
    #[arg(long)]
    chain: Option<PathBuf>,
    /// Sign this existing, empty signature field.
    #[arg(long, conflicts_with_all = ["page", "rect", "anchor"])]
    field: Option<String>,
    /// Place a new field beside this phrase of the document (case and
    /// spacing do not matter).
    #[arg(long, conflicts_with_all = ["page", "rect"])]
    anchor: Option<String>,
    /// Where the field goes relative to the anchor.
    #[arg(long, value_enum, default_value_t = PositionArg::Right, requires = "anchor")]
    anchor_position: PositionArg,
    /// Which occurrence of the anchor, from 1.
    #[arg(long, default_value_t = 1, requires = "anchor")]
    anchor_occurrence: u32,
    /// Size of an anchored field, W,H in points.
    #[arg(long, value_parser = parse_size, default_value = "200,60", requires = "anchor")]
    size: (f64, f64),
    /// Page of a new visible signature field, from 1.
    #[arg(long, requires = "rect")]
    page: Option<u32>,
    /// Rectangle of the new field, X,Y,W,H in points from the top-left of
    /// the page as displayed.
    #[arg(long, value_parser = parse_rect, requires = "page")]
    rect: Option<Rect>,
    /// The typed name shown in the stamp (default: the certificate's name).
    #[arg(long)]
    name: Option<String>,
    /// A drawn signature, PNG (transparency kept).
    #[arg(long)]
    image: Option<PathBuf>,
    /// The small line under the date (default: email or name, and field).
    #[arg(long)]
    details: Option<String>,
    /// `/Reason`.
    #[arg(long)]
    reason: Option<String>,
    /// `/Location`.
    #[arg(long)]
    location: Option<String>,
    /// Time-stamp the signature with this RFC 3161 TSA (PAdES B-T).
    #[arg(long)]
    tsa: Option<String>,
    /// Make a certification signature (DocMDP P=2: form filling and signing allowed).
    #[arg(long)]
    certify: bool,
    /// The signing time, RFC 3339 (default: now).
    #[arg(long, value_parser = io::parse_time)]
    time: Option<DateTime<Utc>>,
    /// Which library signs.
    #[arg(long, value_enum)]
    backend: Option<BackendArg>,
}

/// Where an anchored field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PositionArg {
    /// After the text.
    Right,
    /// Before the text.
    Left,
    /// Above the text.
    Above,
    /// Below the text.
    Below,
}

fn parse_size(text: &str) -> Result<(f64, f64), String> {
    match text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(v) if v.len() == 2 && v[0] > 0.0 && v[1] > 0.0 => Ok((v[0], v[1])),
        _ => Err(format!("{text:?} is not W,H in points")),
    }
}

fn parse_rect(text: &str) -> Result<Rect, String> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{text:?} is not X,Y,W,H in points"))?;
    match parts.as_slice() {
        [x, y, w, h] => {
            let rect = Rect::new(*x, *y, *w, *h);
            if rect.is_well_formed() {
                Ok(rect)
            } else {
                Err(format!("{text:?}: X and Y must be >= 0 and W, H > 0"))
            }
        }
        _ => Err(format!("{text:?} is not X,Y,W,H in points")),
    }
}

fn load_signer(args: &SignArgs) -> Result<pades::KeySigner, Error> {
    let signer = match (&args.p12, &args.key) {
        (Some(p12), _) => pades::KeySigner::from_pkcs12(
            &io::read_input(p12)?,
            args.password.as_deref().unwrap_or_default(),
        )?,
        (None, Some(key)) => {
            let mut certs =
                io::read_input(args.cert.as_ref().ok_or_else(|| {
                    Error::new(ErrorCode::InvalidArgument, "--key needs --cert")
                })?)?;
            if let Some(chain) = &args.chain {
                certs.push(b'\n');
                certs.extend(io::read_input(chain)?);
            }
            pades::KeySigner::from_pem(&io::read_input(key)?, &certs)?
        }
        (None, None) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "give --p12 or --key",
            ));
        }
    };
    match args.backend {
        None => Ok(signer),
        Some(BackendArg::Rustcrypto) => signer.with_backend(pades::Backend::RustCrypto),
        #[cfg(feature = "aws-lc")]
        Some(BackendArg::AwsLc) => signer.with_backend(pades::Backend::AwsLc),
        #[cfg(not(feature = "aws-lc"))]
        Some(BackendArg::AwsLc) => Err(Error::new(
            ErrorCode::InvalidArgument,
            "this paraph was built without the aws-lc feature",
        )),
    }
}

pub fn sign(args: SignArgs) -> Result<(), Error> {
    let pdf = io::read_input(&args.input)?;
    let signer = load_signer(&args)?;
    let time = args.time.unwrap_or_else(Utc::now);
    let cert = &signer.certificate_chain()[0];
    let cert_name = pades::common_name(cert).unwrap_or_else(|| pades::subject(cert));

    let mut options = SignOptions::with_fonts(time, FontSet::bundled());
    let field_label;
    let anchored = match &args.anchor {
        Some(text) => {
            let doc = PdfDocument::load(&pdf)?;
            let found = doc.find_anchor(&paraph::pdf::Anchor {
                text: text.clone(),
                occurrence: args.anchor_occurrence,
                page: None,
                position: match args.anchor_position {
                    PositionArg::Right => paraph::pdf::AnchorPosition::Right,
                    PositionArg::Left => paraph::pdf::AnchorPosition::Left,
                    PositionArg::Above => paraph::pdf::AnchorPosition::Above,
                    PositionArg::Below => paraph::pdf::AnchorPosition::Below,
                },
                offset_x: 0.0,
                offset_y: 0.0,
                width: args.size.0,
                height: args.size.1,
            })?;
            Some((found.page, found.field))
        }
        None => None,
    };
    options.field = match (&args.field, args.page.zip(args.rect).or(anchored)) {
        (Some(name), _) => {
            field_label = name.clone();
            SignatureField::Existing(name.clone())
        }
        (None, Some((page, rect))) => {
            field_label = "new field".to_owned();
            SignatureField::New {
                name: None,
                page,
                rect,
            }
        }
        _ => {
            field_label = "invisible".to_owned();
            SignatureField::Invisible { name: None }
        }
    };
    let visible = !matches!(options.field, SignatureField::Invisible { .. });
    if visible {
        let name = args.name.clone().unwrap_or_else(|| cert_name.clone());
        options.appearance = Some(SignatureAppearance {
            name: name.clone(),
            image: args.image.as_ref().map(|p| io::read_input(p)).transpose()?,
            date: format!("Signed {}", time.format("%Y-%m-%d %H:%M UTC")),
            details: args
                .details
                .clone()
                .unwrap_or_else(|| format!("{cert_name} · {field_label}")),
        });
    }
    options.signer_name = args.name.clone();
    options.reason = args.reason.clone();
    options.location = args.location.clone();
    if args.certify {
        options.certify = Some(pades::DocMdpPermission::FormFilling);
    }
    // Only the update is built: the file is written as the original
    // followed by it, so a large PDF is never held twice.
    let update = sign_update(&pdf, &signer, options, args.tsa.as_deref())?;
    io::write_atomic_parts(&args.output, &[&pdf, &update])?;
    io::print(&format!(
        "signed {} ({} bytes) as {}\n",
        args.output.display(),
        pdf.len() + update.len(),
        cert_name
    ))
}

/// Signs `pdf` and returns the incremental update: B-B, or B-T with a
/// signature time-stamp from the RFC 3161 server at `tsa`.
pub fn sign_update(
    pdf: &[u8],
    signer: &pades::KeySigner,
    mut options: SignOptions,
    tsa: Option<&str>,
) -> Result<Vec<u8>, Error> {
    let Some(url) = tsa else {
        return pades::sign_update(pdf, signer, &options);
    };
    options.timestamp_reserve = Some(pades::DEFAULT_TIMESTAMP_RESERVE);
    let prepared = pades::prepare(
        pdf,
        signer.certificate_chain(),
        signer.algorithm(),
        signer.max_signature_len(),
        &options,
    )?;
    let value = signer.sign(prepared.message())?;
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("no randomness for the nonce: {e}"),
        )
    })?;
    let request = prepared.timestamp_request(&value, u64::from_be_bytes(nonce) >> 1)?;
    let response = post_timestamp_request(url, &request)?;
    let digest = paraph::digest::sha256(&value);
    let token = pades::tsp::token_from_response(&response, &digest)?;
    pades::finish_update(pdf, &prepared, &value, Some(&token))
}

/// POSTs an RFC 3161 request (RFC 3161 §3.4) and returns the response body.
fn post_timestamp_request(url: &str, request: &[u8]) -> Result<Vec<u8>, Error> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorCode::TimestampInvalid,
            format!("the time-stamp request to {url} failed: {e}"),
        )
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .max_redirects(0)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(request)
        .map_err(|e| failed(&e))?;
    response
        .body_mut()
        .with_config()
        .limit(pades::tsp::MAX_RESPONSE_LEN as u64)
        .read_to_vec()
        .map_err(|e| failed(&e))
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Trust anchors (PEM); repeat for several files.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn verify(args: VerifyArgs) -> Result<(), Error> {
    let pdf = io::read_input(&args.input)?;
    let mut anchors = Vec::new();
    for path in &args.trust {
        anchors.extend(pades::parse_certificates(&io::read_input(path)?)?);
    }
    let report = pades::verify(&pdf, &anchors, Utc::now())?;
    if args.json {
        io::print_json(&report)?;
    } else {
        io::print(&describe(&report, !anchors.is_empty()))?;
    }
    if report.signatures.is_empty() {
        return Err(Error::new(
            ErrorCode::SignatureMalformed,
            "the PDF has no signature",
        ));
    }
    let ok = if anchors.is_empty() {
        report.all_intact()
    } else {
        report.all_trusted()
    };
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::SignatureMalformed,
            if report.all_intact() {
                "a signature is not trusted by the given anchors"
            } else {
                "a signature is not intact"
            },
        ))
    }
}

fn describe(report: &pades::VerificationReport, with_anchors: bool) -> String {
    let mut out = String::new();
    let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    for (i, s) in report.signatures.iter().enumerate() {
        let kind = match &s.kind {
            SignatureKind::Approval => "approval".to_owned(),
            SignatureKind::Certification { permission } => format!("certification, P={permission}"),
            SignatureKind::DocumentTimestamp => "document time-stamp".to_owned(),
        };
        out += &format!(
            "Signature {}: field {:?} ({kind}, {})\n",
            i + 1,
            s.field_name,
            s.sub_filter
        );
        if let Some(signer) = &s.signer {
            out += &format!("  signer:    {}\n", signer.subject);
        }
        if let Some(t) = &s.signing_time {
            out += &format!("  signed at: {} (claimed)\n", time(t));
        }
        if let Some(t) = &s.timestamp_time {
            out += &format!("  time-stamp: {}\n", time(t));
        }
        out += &format!(
            "  integrity: {}\n",
            if s.intact() { "intact" } else { "BROKEN" }
        );
        out += &format!(
            "  coverage:  {}\n",
            match &s.coverage {
                Coverage::WholeFile => "whole file".to_owned(),
                Coverage::Revision { bytes } =>
                    format!("its revision ({bytes} bytes); later updates follow"),
                Coverage::Invalid => "INVALID byte range".to_owned(),
            }
        );
        out += &format!(
            "  changes:   {}\n",
            match &s.modifications {
                Modifications::None => "none".to_owned(),
                Modifications::Allowed { changes } => format!("allowed ({})", changes.join("; ")),
                Modifications::Disallowed { reasons } =>
                    format!("DISALLOWED ({})", reasons.join("; ")),
            }
        );
        if with_anchors {
            out += &format!(
                "  chain:     {}\n",
                match s.chain {
                    ChainStatus::Trusted => "trusted",
                    ChainStatus::Untrusted => "UNTRUSTED",
                    ChainStatus::Expired => "EXPIRED",
                    ChainStatus::RevokedUnknown => "revocation unknown",
                }
            );
        }
        for problem in &s.problems {
            out += &format!("  problem:   {problem}\n");
        }
    }
    if report.signatures.is_empty() {
        out += "The PDF has no signature.\n";
    }
    out
}

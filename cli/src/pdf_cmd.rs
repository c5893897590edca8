//! `paraph fields`, `paraph sign` and `paraph verify`.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, ValueEnum};
use paraph::geometry::Rect;
use paraph::pades::{
    self, BaselineLevel, ChainStatus, Coverage, KeySigner, Modifications, PreparedSignature,
    RevocationSource, RevocationStatus, SignOptions, SignatureField, SignatureKind, Signer,
    TimeProof, TimestampAuthority, VerifyOptions,
};
use paraph::pdf::{Anchor, AnchorPosition, PdfDocument, SignatureAppearance};
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
    let bytes = io::read_pdf(&args.input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
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

/// The PAdES baseline level `paraph sign` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum LevelArg {
    /// The signature and the signer's chain.
    #[value(name = "B-B")]
    BB,
    /// And a signature time-stamp from --tsa.
    #[value(name = "B-T")]
    BT,
    /// And the chains' validation data (OCSP responses, CRLs) in the
    /// document's DSS.
    #[value(name = "B-LT")]
    BLt,
    /// And a document time-stamp over it all.
    #[value(name = "B-LTA")]
    BLta,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The PDF to sign (with --finish: optional, the one named in the
    /// pending file by default).
    input: Option<PathBuf>,
    /// Where to write the signed PDF (written atomically).
    #[arg(short, long, required_unless_present = "prepare")]
    output: Option<PathBuf>,
    /// A PKCS#12 file with the key and certificates.
    #[arg(long, requires = "password", conflicts_with_all = ["key", "prepare", "finish"])]
    p12: Option<PathBuf>,
    /// The PKCS#12 password.
    #[arg(long)]
    password: Option<String>,
    /// A PEM private key (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "cert", conflicts_with_all = ["prepare", "finish"])]
    key: Option<PathBuf>,
    /// The PEM signing certificate.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// PEM certificates of the chain.
    #[arg(long)]
    chain: Option<PathBuf>,
    /// Two-phase signing, first half: write the pending signature to this
    /// file (JSON) and print the SHA-256 digest to sign, base64. Needs
    /// --cert (and --chain), no key.
    #[arg(long, requires = "cert", conflicts_with = "finish")]
    prepare: Option<PathBuf>,
    /// Two-phase signing, second half: the pending signature written by
    /// --prepare; with --signature, writes the signed PDF.
    #[arg(long, requires_all = ["signature", "output"])]
    finish: Option<PathBuf>,
    /// The raw signature value over the digest --prepare printed: PKCS#1
    /// v1.5 for RSA, DER (or 64-byte r||s) for ECDSA.
    #[arg(long, requires = "finish")]
    signature: Option<PathBuf>,
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
    #[arg(long, default_value_t = 1, requires = "anchor",
          value_parser = clap::value_parser!(u32).range(1..))]
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
    /// The PAdES level: B-B, B-T (the default with --tsa), B-LT (then the
    /// validation data every chain needs, fetched from the URLs the
    /// certificates name, in the DSS) or B-LTA (then a document
    /// time-stamp). B-T and above need --tsa.
    #[arg(long, value_enum, conflicts_with_all = ["prepare", "finish"])]
    level: Option<LevelArg>,
    /// For B-LT and B-LTA: a certificate to embed (PEM or DER); repeat.
    #[arg(long = "ltv-cert")]
    ltv_certs: Vec<PathBuf>,
    /// For B-LT and B-LTA: an OCSP response to embed (DER); repeat.
    #[arg(long = "ltv-ocsp")]
    ltv_ocsps: Vec<PathBuf>,
    /// For B-LT and B-LTA: a CRL to embed (DER); repeat.
    #[arg(long = "ltv-crl")]
    ltv_crls: Vec<PathBuf>,
    /// For B-LT and B-LTA: fetch nothing, embed only the --ltv-* files.
    #[arg(long)]
    offline: bool,
    /// Make a certification signature (DocMDP P=2: form filling and signing allowed).
    #[arg(long)]
    certify: bool,
    /// The signing time, RFC 3339 (default: now).
    #[arg(long, value_parser = io::parse_time)]
    time: Option<DateTime<Utc>>,
    /// When the PDF is damaged (cross-reference data that does not lead to
    /// its objects) and holds no signature, rewrite it whole before
    /// signing instead of refusing it with PDF_DAMAGED. Not with
    /// --prepare/--finish, which sign the input file as it is.
    #[arg(long, conflicts_with_all = ["prepare", "finish"])]
    repair: bool,
    /// The password of an encrypted PDF that needs one (the user password,
    /// or the owner password, which lifts the file's permissions). Also
    /// read from PARAPH_PDF_PASSWORD, which keeps it out of the process
    /// list.
    #[arg(long, env = "PARAPH_PDF_PASSWORD", hide_env_values = true)]
    pdf_password: Option<String>,
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

/// The certificates of --cert and --chain.
fn read_chain(args: &SignArgs) -> Result<Vec<u8>, Error> {
    let cert = args
        .cert
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "give --cert"))?;
    let mut certs = io::read_input(cert)?;
    if let Some(chain) = &args.chain {
        certs.push(b'\n');
        certs.extend(io::read_input(chain)?);
    }
    Ok(certs)
}

fn load_signer(args: &SignArgs) -> Result<KeySigner, Error> {
    let signer = match (&args.p12, &args.key) {
        (Some(p12), _) => KeySigner::from_pkcs12(
            &io::read_input(p12)?,
            args.password.as_deref().unwrap_or_default(),
        )?,
        (None, Some(key)) => KeySigner::from_pem(&io::read_input(key)?, &read_chain(args)?)?,
        (None, None) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "give --p12 or --key (or --cert with --prepare, or --finish)",
            ));
        }
    };
    match args.backend {
        None => Ok(signer),
        Some(BackendArg::Rustcrypto) => signer.with_backend(pades::Backend::RustCrypto),
        Some(BackendArg::AwsLc) => signer.with_backend(pades::Backend::AwsLc),
    }
}

/// The sign options the arguments describe; `cert_name` names the signer
/// in the stamp when --name does not.
fn sign_options(
    args: &SignArgs,
    time: DateTime<Utc>,
    cert_name: &str,
) -> Result<SignOptions, Error> {
    let mut options = SignOptions::new(time);
    options.pdf_password = args
        .pdf_password
        .as_deref()
        .map(paraph::pdf::PdfPassword::new);
    let field_label;
    options.field = match (&args.field, &args.anchor, args.page.zip(args.rect)) {
        (Some(name), _, _) => {
            field_label = name.clone();
            SignatureField::Existing { name: name.clone() }
        }
        (None, Some(text), _) => {
            field_label = "new field".to_owned();
            SignatureField::Anchored {
                name: None,
                anchor: Anchor {
                    text: text.clone(),
                    occurrence: args.anchor_occurrence,
                    page: None,
                    position: match args.anchor_position {
                        PositionArg::Right => AnchorPosition::Right,
                        PositionArg::Left => AnchorPosition::Left,
                        PositionArg::Above => AnchorPosition::Above,
                        PositionArg::Below => AnchorPosition::Below,
                    },
                    offset_x: 0.0,
                    offset_y: 0.0,
                    width: args.size.0,
                    height: args.size.1,
                },
            }
        }
        (None, None, Some((page, rect))) => {
            field_label = "new field".to_owned();
            SignatureField::New {
                name: None,
                page,
                rect,
            }
        }
        (None, None, None) => {
            field_label = "invisible".to_owned();
            SignatureField::Invisible { name: None }
        }
    };
    if !matches!(options.field, SignatureField::Invisible { .. }) {
        options.appearance = Some(SignatureAppearance {
            name: args.name.clone().unwrap_or_else(|| cert_name.to_owned()),
            image: args.image.as_ref().map(|p| io::read_input(p)).transpose()?,
            date: format!("Signed {}", time.format("%Y-%m-%d %H:%M UTC")),
            // The default small print names the field; a name taken from
            // the PDF that no font can draw is left out rather than failing
            // a signature over words the user never typed.
            details: args.details.clone().unwrap_or_else(|| {
                let with_field = format!("{cert_name} · {field_label}");
                if options.fonts.covers(&with_field) {
                    with_field
                } else {
                    cert_name.to_owned()
                }
            }),
        });
    }
    options.signer_name = args.name.clone();
    options.reason = args.reason.clone();
    options.location = args.location.clone();
    if args.certify {
        options.certify = Some(pades::DocMdpPermission::FormFilling);
    }
    match (level(args), &args.tsa) {
        (LevelArg::BB, None) => {}
        (LevelArg::BB, Some(_)) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "--tsa was given with --level B-B: leave out one of them",
            ));
        }
        (_, Some(_)) => options.level = pades::PadesLevel::BaselineT,
        (_, None) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "levels B-T, B-LT and B-LTA need a time-stamp authority: give --tsa URL",
            ));
        }
    }
    Ok(options)
}

/// The level asked for: `--level`, else B-T with `--tsa`, else B-B.
fn level(args: &SignArgs) -> LevelArg {
    args.level.unwrap_or(if args.tsa.is_some() {
        LevelArg::BT
    } else {
        LevelArg::BB
    })
}

/// The name a certificate shows: its common name, else its subject.
fn display_name(cert: &pades::Certificate) -> String {
    cert.common_name().unwrap_or_else(|| cert.subject())
}

/// A pending signature as `paraph sign --prepare` writes it: the core's
/// pending state, and the PDF it belongs to.
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PendingFile {
    /// The PDF that was prepared (absolute path).
    input: PathBuf,
    /// The core's pending signature.
    pending: PreparedSignature,
}

pub fn sign(args: SignArgs) -> Result<(), Error> {
    if let Some(pending) = &args.finish {
        return finish(&args, pending);
    }
    let input = args
        .input
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "give the PDF to sign"))?;
    let mut pdf = io::read_pdf(input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let mut repaired = false;
    if args.repair
        && let Some(rewritten) = paraph::pdf::repair(&pdf, &paraph::pdf::Limits::default())?
    {
        pdf = rewritten;
        repaired = true;
    }
    let time = args.time.unwrap_or_else(Utc::now);
    if let Some(pending_path) = &args.prepare {
        let chain = pades::parse_certificates(&read_chain(&args)?)?;
        let first = chain
            .first()
            .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "--cert holds no certificate"))?;
        let options = sign_options(&args, time, &display_name(first))?;
        let pending = pades::prepare(&pdf, &chain, &options)?;
        let input = std::path::absolute(input).map_err(|e| {
            Error::new(
                ErrorCode::Io,
                format!("cannot resolve {}: {e}", input.display()),
            )
        })?;
        let file = PendingFile { input, pending };
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
        io::write_atomic(pending_path, &json)?;
        return io::print(&format!(
            "{}\n",
            STANDARD.encode(file.pending.message_digest())
        ));
    }
    let signer = load_signer(&args)?;
    let cert_name = signer
        .certificate_chain()
        .first()
        .map(display_name)
        .unwrap_or_default();
    let options = sign_options(&args, time, &cert_name)?;
    let tsa = args.tsa.as_deref().map(HttpTsa::new);
    // Only the update is built: the file is written as the original
    // followed by it, so a large PDF is never held twice.
    let update = pades::sign_update(&pdf, &signer, tsa.as_ref().map(as_tsa), &options)?;
    let output = output_path(&args)?;
    let level = level(&args);
    let written = if level >= LevelArg::BLt {
        let signed = [pdf.as_slice(), &update].concat();
        let ltv = crate::ltv_cmd::options(args.pdf_password.as_deref());
        let given = crate::ltv_cmd::read_files(&args.ltv_certs, &args.ltv_ocsps, &args.ltv_crls)?;
        let out = match (level, &tsa) {
            (LevelArg::BLta, Some(tsa)) => {
                crate::ltv_cmd::archive(&signed, tsa, given, &ltv, !args.offline)?
            }
            _ => {
                let fetch = if args.offline {
                    crate::ltv_cmd::Fetch::No
                } else {
                    crate::ltv_cmd::Fetch::Missing
                };
                let data = crate::ltv_cmd::gather(&signed, given, &ltv, fetch)?;
                crate::ltv_cmd::with_data(&signed, &data, &ltv)?
            }
        };
        io::write_atomic(output, &out)?;
        out.len()
    } else {
        io::write_atomic_parts(output, &[&pdf, &update])?;
        pdf.len() + update.len()
    };
    io::print(&format!(
        "signed {} ({} bytes, {}) as {cert_name}{}\n",
        output.display(),
        written,
        level
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default(),
        if repaired {
            " (the damaged input was rewritten whole first)"
        } else {
            ""
        },
    ))
}

fn output_path(args: &SignArgs) -> Result<&PathBuf, Error> {
    args.output
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "give -o OUT.pdf"))
}

fn as_tsa(tsa: &HttpTsa) -> &dyn TimestampAuthority {
    tsa
}

/// `paraph sign --finish PENDING.json --signature SIG.bin -o OUT.pdf`.
fn finish(args: &SignArgs, pending_path: &std::path::Path) -> Result<(), Error> {
    let file: PendingFile = io::parse_json(pending_path, &io::read_text(pending_path)?)?;
    let pending = PreparedSignature::from_json(
        &serde_json::to_string(&file.pending)
            .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?,
    )?;
    let input = args.input.as_ref().unwrap_or(&file.input);
    let pdf = io::read_pdf(input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let signature_path = args
        .signature
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "give --signature SIG.bin"))?;
    let value = io::read_input(signature_path)?;
    let tsa = args.tsa.as_deref().map(HttpTsa::new);
    let update = pades::finish_update(&pdf, &pending, &value, tsa.as_ref().map(as_tsa))?;
    let output = output_path(args)?;
    io::write_atomic_parts(output, &[&pdf, &update])?;
    io::print(&format!(
        "signed {} ({} bytes)\n",
        output.display(),
        pdf.len() + update.len()
    ))
}

/// An RFC 3161 time-stamp authority over HTTP (RFC 3161 §3.4): the CLI's
/// I/O for the core's [`TimestampAuthority`].
#[derive(Debug)]
pub struct HttpTsa {
    url: String,
}

impl HttpTsa {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
        }
    }
}

impl TimestampAuthority for HttpTsa {
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        let failed = |e: &dyn std::fmt::Display| {
            Error::new(
                ErrorCode::TimestampInvalid,
                format!("the time-stamp request to {} failed: {e}", self.url),
            )
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .max_redirects(0)
            .build()
            .into();
        let mut response = agent
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .send(request)
            .map_err(|e| failed(&e))?;
        response
            .body_mut()
            .with_config()
            .limit(pades::MAX_TIMESTAMP_RESPONSE_LEN as u64)
            .read_to_vec()
            .map_err(|e| failed(&e))
    }
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
    /// Judge at this time, RFC 3339 (default: now), where no time-stamp
    /// proves an earlier one: to check an archive as it will verify later.
    #[arg(long, value_parser = io::parse_time)]
    at: Option<DateTime<Utc>>,
    /// The password of an encrypted PDF whose user password is not empty
    /// (also read from PARAPH_PDF_PASSWORD).
    #[arg(long, env = "PARAPH_PDF_PASSWORD", hide_env_values = true)]
    pdf_password: Option<String>,
}

pub fn verify(args: VerifyArgs) -> Result<(), Error> {
    let pdf = io::read_pdf(&args.input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let mut anchors = Vec::new();
    for path in &args.trust {
        anchors.extend(pades::parse_certificates(&io::read_input(path)?)?);
    }
    let mut options =
        VerifyOptions::new(args.at.unwrap_or_else(Utc::now)).with_trust_anchors(anchors);
    options.pdf_password = args
        .pdf_password
        .as_deref()
        .map(paraph::pdf::PdfPassword::new);
    let report = pades::verify(&pdf, &options)?;
    if args.json {
        io::print_json(&report)?;
    } else {
        io::print(&describe(&report))?;
    }
    report.verdict()
}

fn describe(report: &pades::VerificationReport) -> String {
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
        if report.trust_checked {
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
        if report.trust_checked {
            out += &format!(
                "  judged at: {} ({})\n",
                time(&s.validation_time),
                match &s.time_proof {
                    TimeProof::None => "the given time".to_owned(),
                    TimeProof::SignatureTimestamp => "proven by its time-stamp".to_owned(),
                    TimeProof::DocumentTimestamp { field_name } =>
                        format!("proven by the document time-stamp {field_name:?}"),
                }
            );
            for r in &s.revocation {
                let status = match r.status {
                    RevocationStatus::Good => "good",
                    RevocationStatus::Revoked => "REVOKED",
                    RevocationStatus::Missing => "no revocation data",
                    RevocationStatus::Stale => "stale revocation data",
                    RevocationStatus::UntrustedResponder => {
                        "revocation data from an untrusted signer"
                    }
                    RevocationStatus::NotRequired => "names no revocation service",
                };
                let source = match r.source {
                    Some(RevocationSource::Ocsp) => " (OCSP",
                    Some(RevocationSource::Crl) => " (CRL",
                    None => "",
                };
                let issued = r
                    .issued_at
                    .filter(|_| r.source.is_some())
                    .map(|t| format!(" of {})", time(&t)))
                    .unwrap_or_default();
                out += &format!("  revocation: {}: {status}{source}{issued}\n", r.subject);
            }
        }
        if let Some(level) = s.level {
            out += &format!(
                "  level:     {}\n",
                match level {
                    BaselineLevel::B => "PAdES B-B",
                    BaselineLevel::T => "PAdES B-T",
                    BaselineLevel::Lt => "PAdES B-LT",
                    BaselineLevel::Lta => "PAdES B-LTA",
                }
            );
        }
        for problem in &s.problems {
            out += &format!("  problem:   {}\n", problem.message);
        }
    }
    if report.signatures.is_empty() {
        out += "The PDF has no signature.\n";
    }
    out
}

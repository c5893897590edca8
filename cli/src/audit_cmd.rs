//! `paraph audit`: evidence from an event log, the audit-trail PDF, and
//! their verification.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use paraph::audit::{self, AuditReport, EvidenceBundle, Locale, RenderOptions, render_audit_trail};
use paraph::envelope::Event;
use paraph::pades::{self, ChainStatus};
use paraph::{Error, ErrorCode};

use crate::{io, pdf_cmd};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Build the evidence (hash-chained records, JSON) from an envelope's events.
    Evidence(EvidenceArgs),
    /// Render the evidence as an audit-trail PDF (PDF/A-3), sealed with --seal-p12.
    Render(RenderArgs),
    /// Verify an audit-trail PDF or an evidence file; exit 0 only if everything holds.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The envelope's events, a JSON array, in order (`-` for stdin).
    events: PathBuf,
    /// Where to write the evidence JSON.
    #[arg(short, long)]
    output: PathBuf,
    /// Time of the export, RFC 3339 (default: now).
    #[arg(long, value_parser = io::parse_time)]
    time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LocaleArg {
    En,
    Fr,
    Ko,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The evidence JSON (from `paraph audit evidence`).
    evidence: PathBuf,
    /// Where to write the PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// The language of the labels.
    #[arg(long, value_enum, default_value = "en")]
    locale: LocaleArg,
    /// Seal the PDF with this PKCS#12 file (the platform's seal key).
    #[arg(long)]
    seal_p12: Option<PathBuf>,
    /// Password of the PKCS#12 file.
    #[arg(long, requires = "seal_p12")]
    password: Option<String>,
    /// RFC 3161 time-stamp server for the seal (PAdES B-T).
    #[arg(long, requires = "seal_p12")]
    tsa: Option<String>,
    /// Claimed sealing time, RFC 3339 (default: now).
    #[arg(long, value_parser = io::parse_time)]
    time: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// An audit-trail PDF or an evidence JSON file.
    input: PathBuf,
    /// The signed document, checked against the evidence's final digest.
    #[arg(long)]
    document: Option<PathBuf>,
    /// Trust anchors for the seal (PEM); repeat for several files.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Accept a check of integrity alone: without `--trust` nothing says
    /// who sealed the trail (anyone can seal one), and a bare evidence file
    /// proves only its own consistency; without this flag both exit 1.
    #[arg(long)]
    no_trust_check: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(command: AuditCommand) -> Result<(), Error> {
    match command {
        AuditCommand::Evidence(args) => evidence(args),
        AuditCommand::Render(args) => render(args),
        AuditCommand::Verify(args) => verify(args),
    }
}

fn evidence(args: EvidenceArgs) -> Result<(), Error> {
    let text = io::read_text(&args.events)?;
    let events: Vec<Event> = io::parse_json(&args.events, &text)?;
    let bundle = EvidenceBundle::from_events(&events, args.time.unwrap_or_else(Utc::now))?;
    io::write_atomic(&args.output, &bundle.to_json())?;
    io::print(&format!(
        "wrote {}: {} records, chain head {}\n",
        args.output.display(),
        bundle.chain_head.count,
        bundle.chain_head.hash
    ))
}

/// Renders, and seals when asked, an evidence bundle: the demo uses it too.
pub fn render_bytes(
    bundle: &EvidenceBundle,
    locale: Locale,
    seal: Option<(&pades::KeySigner, DateTime<Utc>, Option<&str>)>,
) -> Result<Vec<u8>, Error> {
    let pdf = render_audit_trail(bundle, &RenderOptions { locale })?;
    match seal {
        None => Ok(pdf),
        Some((signer, time, tsa)) => {
            let tsa = tsa.map(pdf_cmd::HttpTsa::new);
            audit::seal_audit_trail(
                &pdf,
                signer,
                tsa.as_ref().map(|t| t as &dyn pades::TimestampAuthority),
                time,
            )
        }
    }
}

fn render(args: RenderArgs) -> Result<(), Error> {
    let bundle = EvidenceBundle::from_json(&io::read_input(&args.evidence)?)?;
    let locale = match args.locale {
        LocaleArg::En => Locale::En,
        LocaleArg::Fr => Locale::Fr,
        LocaleArg::Ko => Locale::Ko,
    };
    let signer = args
        .seal_p12
        .as_ref()
        .map(|path| {
            pades::KeySigner::from_pkcs12(
                &io::read_input(path)?,
                args.password.as_deref().unwrap_or_default(),
            )
        })
        .transpose()?;
    let time = args.time.unwrap_or_else(Utc::now);
    let pdf = render_bytes(
        &bundle,
        locale,
        signer.as_ref().map(|s| (s, time, args.tsa.as_deref())),
    )?;
    io::write_atomic(&args.output, &pdf)?;
    io::print(&format!(
        "wrote {} ({} bytes, {}{})\n",
        args.output.display(),
        pdf.len(),
        locale.tag(),
        match (&signer, &args.tsa) {
            (None, _) => ", not sealed",
            (Some(_), None) => ", sealed PAdES B-B",
            (Some(_), Some(_)) => ", sealed PAdES B-T",
        }
    ))
}

fn verify(args: VerifyArgs) -> Result<(), Error> {
    let input = io::read_pdf(&args.input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let document = args
        .document
        .as_ref()
        .map(|p| io::read_pdf(p, paraph::pdf::DEFAULT_MAX_FILE_SIZE))
        .transpose()?;
    let mut anchors = Vec::new();
    for path in &args.trust {
        anchors.extend(pades::parse_certificates(&io::read_input(path)?)?);
    }
    let is_pdf = input
        .get(..input.len().min(1024))
        .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"));
    let report = if is_pdf {
        audit::verify_audit_trail(
            &input,
            document.as_deref(),
            &pades::VerifyOptions::new(Utc::now()).with_trust_anchors(anchors.clone()),
        )?
    } else {
        if !anchors.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "--trust applies to a sealed audit-trail PDF; an evidence file has no seal",
            ));
        }
        audit::verify_evidence(&input, document.as_deref())?
    };
    let trust = if !is_pdf {
        Trust::EvidenceOnly
    } else if anchors.is_empty() {
        Trust::NotChecked
    } else {
        Trust::Checked
    };
    if args.json {
        io::print_json(&report)?;
    } else {
        io::print(&describe(&report, trust))?;
    }
    report.verdict()?;
    match trust {
        Trust::Checked => Ok(()),
        _ if args.no_trust_check => Ok(()),
        Trust::NotChecked => Err(Error::new(
            ErrorCode::CertUntrusted,
            "only integrity was checked: without --trust CA.pem nothing says who sealed this \
             trail; give the platform's CA, or --no-trust-check to accept integrity alone",
        )),
        Trust::EvidenceOnly => Err(Error::new(
            ErrorCode::CertUntrusted,
            "an evidence file proves only its own consistency (anyone can write one); verify \
             the sealed audit-trail PDF with --trust, or pass --no-trust-check",
        )),
    }
}

/// What the verification could say about who vouches for the trail.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// A sealed PDF checked against the given anchors.
    Checked,
    /// A sealed PDF, no anchors given: integrity only.
    NotChecked,
    /// An evidence JSON file: no seal at all.
    EvidenceOnly,
}

fn describe(report: &AuditReport, trust: Trust) -> String {
    let with_anchors = trust == Trust::Checked;
    let mut out = format!("Envelope {}\n", report.envelope_id);
    if let Some(seal) = &report.seal {
        let signer = seal
            .signatures
            .last()
            .and_then(|s| s.signer.as_ref())
            .map_or("no signature".to_owned(), |s| s.subject.clone());
        out += &format!(
            "  seal:      {} ({signer})\n",
            if report.seal_intact {
                "intact, covers the whole file"
            } else {
                "BROKEN or partial"
            }
        );
        if with_anchors {
            out += &format!(
                "  trust:     {}\n",
                match report.seal_trust {
                    Some(ChainStatus::Trusted) => "trusted",
                    Some(ChainStatus::Expired) => "EXPIRED",
                    Some(ChainStatus::RevokedUnknown) => "revocation unknown",
                    _ => "UNTRUSTED",
                }
            );
        } else {
            out += "  trust:     not checked (give --trust CA.pem)\n";
        }
    }
    let chain = &report.evidence.chain;
    match &chain.first_break {
        None => {
            out += &format!(
                "  chain:     {} records, intact, head {}\n",
                chain.count,
                chain.head.as_deref().unwrap_or("-")
            );
        }
        Some(b) => {
            out += &format!(
                "  chain:     BROKEN at record {} (index {}): {} ({})\n",
                b.seq,
                b.index,
                b.kind.as_str(),
                b.message
            );
        }
    }
    for problem in &report.evidence.problems {
        out += &format!("  problem:   {problem}\n");
    }
    if let Some(document) = &report.document {
        out += &match &document.matches_document {
            Some(id) => format!(
                "  document:  SHA-256 {} is the final version of {id}\n",
                document.sha256
            ),
            None => format!(
                "  document:  SHA-256 {} is NOT a final document of this envelope\n",
                document.sha256
            ),
        };
    }
    out += match (report.is_valid(), trust) {
        (false, _) => "Verification FAILED.\n",
        (true, Trust::Checked) => "Everything holds.\n",
        (true, Trust::NotChecked) => {
            "Integrity holds; trust was NOT checked (no --trust): anyone could have sealed this trail.\n"
        }
        (true, Trust::EvidenceOnly) => {
            "The evidence is consistent; that is all a bare evidence file can prove (no seal, no signer).\n"
        }
    };
    out
}

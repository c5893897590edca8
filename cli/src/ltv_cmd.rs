//! `paraph ltv`: long-term validation (PAdES B-LT and B-LTA): validation
//! data in a PDF's Document Security Store, and document time-stamps. The
//! core says what is missing and where to fetch it; this command fetches
//! over HTTP (`--fetch`) or takes files, and reaches the TSA.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use paraph::pades::{self, CertificateNeed, LtvOptions, ValidationData};
use paraph::{Error, ErrorCode};

use crate::io;

/// The most bytes read from one OCSP responder, CRL or certificate URL.
const MAX_FETCHED: u64 = 16 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum LtvCommand {
    /// List the certificates of the signatures' (and time-stamps') chains
    /// that need revocation data, where to fetch it, and what the DSS holds.
    Needs(NeedsArgs),
    /// Add validation data to the Document Security Store, from files or
    /// fetched from the URLs the certificates name (--fetch).
    Add(AddArgs),
    /// Make (or renew) an archive: validation data for every signature and
    /// time-stamp, then a document time-stamp over it all (PAdES B-LTA).
    /// Run again before the last time-stamp's certificate expires.
    Extend(ExtendArgs),
}

/// Validation data given as files.
#[derive(Debug, Args)]
pub struct DataFiles {
    /// Certificates to embed (PEM or DER); repeat for several files.
    #[arg(long = "cert")]
    certs: Vec<PathBuf>,
    /// OCSP responses to embed (DER); repeat for several.
    #[arg(long = "ocsp")]
    ocsps: Vec<PathBuf>,
    /// CRLs to embed (DER); repeat for several.
    #[arg(long = "crl")]
    crls: Vec<PathBuf>,
}

impl DataFiles {
    /// Reads the files.
    pub fn read(&self) -> Result<ValidationData, Error> {
        read_files(&self.certs, &self.ocsps, &self.crls)
    }
}

/// Reads validation data from certificate (PEM or DER), OCSP response and
/// CRL files.
pub fn read_files(
    certs: &[PathBuf],
    ocsps: &[PathBuf],
    crls: &[PathBuf],
) -> Result<ValidationData, Error> {
    let mut data = ValidationData::default();
    for path in certs {
        for cert in pades::parse_certificates(&io::read_input(path)?)? {
            data.certificates.push(cert.der().to_vec());
        }
    }
    for path in ocsps {
        data.ocsp_responses.push(io::read_input(path)?);
    }
    for path in crls {
        data.crls.push(io::read_input(path)?);
    }
    Ok(data)
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The signed PDF (an archive made before, to renew it).
    input: PathBuf,
    /// Where to write the extended PDF (written atomically).
    #[arg(short, long)]
    output: PathBuf,
    /// The RFC 3161 time-stamp authority of the document time-stamp.
    #[arg(long)]
    tsa: String,
    #[command(flatten)]
    files: DataFiles,
    /// Fetch nothing: embed only the files given.
    #[arg(long)]
    offline: bool,
    /// The password of an encrypted PDF (also read from PARAPH_PDF_PASSWORD).
    #[arg(long, env = "PARAPH_PDF_PASSWORD", hide_env_values = true)]
    pdf_password: Option<String>,
}

#[derive(Debug, Args)]
pub struct NeedsArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// The password of an encrypted PDF (also read from PARAPH_PDF_PASSWORD).
    #[arg(long, env = "PARAPH_PDF_PASSWORD", hide_env_values = true)]
    pdf_password: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Where to write the PDF with its DSS.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    files: DataFiles,
    /// Fetch what is still missing: issuers' certificates (caIssuers), then
    /// an OCSP response, or else a CRL, for every certificate not covered.
    #[arg(long)]
    fetch: bool,
    /// The password of an encrypted PDF (also read from PARAPH_PDF_PASSWORD).
    #[arg(long, env = "PARAPH_PDF_PASSWORD", hide_env_values = true)]
    pdf_password: Option<String>,
}

pub fn run(command: LtvCommand) -> Result<(), Error> {
    match command {
        LtvCommand::Needs(args) => needs(args),
        LtvCommand::Add(args) => add(args),
        LtvCommand::Extend(args) => extend(args),
    }
}

/// LTV options with an optional PDF password.
pub fn options(password: Option<&str>) -> LtvOptions {
    LtvOptions {
        pdf_password: password.map(paraph::pdf::PdfPassword::new),
        ..LtvOptions::default()
    }
}

fn needs(args: NeedsArgs) -> Result<(), Error> {
    let pdf = io::read_pdf(&args.input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let needs = pades::validation_needs(&pdf, &options(args.pdf_password.as_deref()))?;
    if args.json {
        let list: Vec<serde_json::Value> = needs
            .iter()
            .map(|n| {
                serde_json::json!({
                    "subject": n.certificate.subject(),
                    "serial": n.certificate.serial_hex(),
                    "issuer": n.certificate.issuer(),
                    "issuerKnown": n.issuer.is_some(),
                    "fields": n.fields,
                    "ocspUrls": n.ocsp_urls,
                    "crlUrls": n.crl_urls,
                    "caIssuersUrls": n.ca_issuers_urls,
                    "hasOcsp": n.has_ocsp,
                    "hasCrl": n.has_crl,
                    "covered": n.covered(),
                })
            })
            .collect();
        return io::print_json(&list);
    }
    let mut out = String::new();
    for n in &needs {
        let state = match (n.has_ocsp, n.has_crl) {
            (true, true) => "covered (OCSP and CRL)",
            (true, false) => "covered (OCSP)",
            (false, true) => "covered (CRL)",
            (false, false) => "missing",
        };
        out += &format!(
            "{} (serial {}): {state}\n",
            n.certificate.subject(),
            n.certificate.serial_hex()
        );
        out += &format!(
            "  issuer:  {}{}\n",
            n.certificate.issuer(),
            match n.issuer {
                Some(_) => "",
                None => " (its certificate is not in the document)",
            }
        );
        for url in &n.ocsp_urls {
            out += &format!("  ocsp:    {url}\n");
        }
        for url in &n.crl_urls {
            out += &format!("  crl:     {url}\n");
        }
        for url in &n.ca_issuers_urls {
            out += &format!("  issuers: {url}\n");
        }
    }
    let missing = needs.iter().filter(|n| !n.covered()).count();
    out += &format!(
        "{} certificate(s), {missing} without revocation data\n",
        needs.len()
    );
    io::print(&out)
}

fn add(args: AddArgs) -> Result<(), Error> {
    let pdf = io::read_pdf(&args.input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let options = options(args.pdf_password.as_deref());
    let given = args.files.read()?;
    let fetch = if args.fetch {
        Fetch::Missing
    } else {
        Fetch::No
    };
    let data = gather(&pdf, given, &options, fetch)?;
    if data.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            if args.fetch {
                "no validation data to add: the certificates that lack it name no OCSP responder or CRL distribution point; give --cert, --ocsp or --crl files"
            } else {
                "no validation data to add: give --cert, --ocsp or --crl files, or --fetch"
            },
        ));
    }
    let out = pades::add_validation_data(&pdf, &data, &options)?;
    io::write_atomic(&args.output, &out)?;
    io::print(&format!(
        "wrote {} ({} bytes): {} certificate(s), {} OCSP response(s), {} CRL(s) given\n",
        args.output.display(),
        out.len(),
        data.certificates.len(),
        data.ocsp_responses.len(),
        data.crls.len()
    ))
}

fn extend(args: ExtendArgs) -> Result<(), Error> {
    let pdf = io::read_pdf(&args.input, paraph::pdf::DEFAULT_MAX_FILE_SIZE)?;
    let options = options(args.pdf_password.as_deref());
    let tsa = crate::pdf_cmd::HttpTsa::new(&args.tsa);
    let out = archive(&pdf, &tsa, args.files.read()?, &options, !args.offline)?;
    io::write_atomic(&args.output, &out)?;
    io::print(&format!(
        "wrote {} ({} bytes): validation data and a document time-stamp from {}\n",
        args.output.display(),
        out.len(),
        args.tsa
    ))
}

/// `pdf` made an archive (B-LTA): the validation data every signature and
/// time-stamp still needs (`given`, and with `fetch` what the
/// certificates' URLs give), then a document time-stamp from `tsa` over
/// it all, then (with `fetch`) the validation data of that time-stamp's
/// own chain, so that it too can be judged offline. Renewing an archive
/// is the same call on it.
pub fn archive(
    pdf: &[u8],
    tsa: &dyn pades::TimestampAuthority,
    given: ValidationData,
    options: &LtvOptions,
    fetch: bool,
) -> Result<Vec<u8>, Error> {
    // Fresh data for every certificate, the ones the DSS already covers
    // too: on renewal the last time-stamp's data is as old as it is, and
    // must cover the new time-stamp's time.
    let mode = if fetch { Fetch::All } else { Fetch::No };
    let data = gather(pdf, given, options, mode)?;
    let with_data = with_data_new(pdf, &data, options)?;
    let stamped = pades::add_document_timestamp(&with_data, tsa, options)?;
    if !fetch {
        return Ok(stamped);
    }
    let after = gather(&stamped, ValidationData::default(), options, Fetch::All)?;
    with_data_new(&stamped, &after, options)
}

/// What [`gather`] fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// Nothing: only the data given.
    No,
    /// Revocation data for the certificates the DSS does not cover yet.
    Missing,
    /// Fresh revocation data for every certificate that names a service:
    /// failing for one the DSS already covers is not an error (an expired
    /// signer's responder may no longer answer for it).
    All,
}

/// `pdf` with `data` embedded, or as it is when there is nothing new in it.
fn with_data_new(
    pdf: &[u8],
    data: &ValidationData,
    options: &LtvOptions,
) -> Result<Vec<u8>, Error> {
    let held = pades::embedded_validation_data(pdf, options)?;
    let fresh = ValidationData {
        certificates: new_items(&data.certificates, &held.certificates),
        ocsp_responses: new_items(&data.ocsp_responses, &held.ocsp_responses),
        crls: new_items(&data.crls, &held.crls),
    };
    with_data(pdf, &fresh, options)
}

fn new_items(items: &[Vec<u8>], held: &[Vec<u8>]) -> Vec<Vec<u8>> {
    items
        .iter()
        .filter(|i| !held.contains(i))
        .cloned()
        .collect()
}

/// `given`, and what `fetch` asks for: issuers' certificates (caIssuers),
/// then an OCSP response, or else a CRL, for every certificate that names
/// a revocation service and is not covered ([`Fetch::Missing`]), or for
/// every one ([`Fetch::All`]).
pub fn gather(
    pdf: &[u8],
    mut data: ValidationData,
    options: &LtvOptions,
    fetch: Fetch,
) -> Result<ValidationData, Error> {
    if fetch == Fetch::No {
        return Ok(data);
    }
    // Issuers first: with them embedded, the next listing can build
    // OCSP requests for the certificates they issued.
    let first = with_data(pdf, &data, options)?;
    for need in pades::validation_needs(&first, options)? {
        if need.issuer.is_none() {
            for url in &need.ca_issuers_urls {
                if let Ok(bytes) = get(url)
                    && let Ok(certs) = pades::parse_certificates(&bytes)
                {
                    data.certificates
                        .extend(certs.iter().map(|c| c.der().to_vec()));
                    break;
                }
            }
        }
    }
    let second = with_data(pdf, &data, options)?;
    for need in pades::validation_needs(&second, options)? {
        // A certificate that names no service needs nothing (verify
        // reports it NOT_REQUIRED).
        let names_a_service = !need.ocsp_urls.is_empty() || !need.crl_urls.is_empty();
        if !names_a_service {
            continue;
        }
        if !need.covered() {
            fetch_revocation(&need, &mut data)?;
        } else if fetch == Fetch::All
            && let Err(e) = fetch_revocation(&need, &mut data)
        {
            eprintln!(
                "note: no fresh revocation data for {} ({}); keeping what the document holds",
                need.certificate.subject(),
                e.message()
            );
        }
    }
    Ok(data)
}

/// `pdf` with `data` embedded, or as it is when there is none yet.
pub fn with_data(
    pdf: &[u8],
    data: &ValidationData,
    options: &LtvOptions,
) -> Result<Vec<u8>, Error> {
    if data.is_empty() {
        Ok(pdf.to_vec())
    } else {
        pades::add_validation_data(pdf, data, options)
    }
}

/// An OCSP response that answers for `need`, or else a CRL from its issuer,
/// from the URLs its certificate names (`REVOCATION_UNAVAILABLE` when none
/// gives one).
fn fetch_revocation(need: &CertificateNeed, data: &mut ValidationData) -> Result<(), Error> {
    let mut tried = Vec::new();
    if let Some(request) = need.ocsp_request() {
        for url in &need.ocsp_urls {
            match post_ocsp(url, &request) {
                Ok(response) if need.is_answered_by(&response) => {
                    data.ocsp_responses.push(response);
                    return Ok(());
                }
                Ok(_) => tried.push(format!("{url}: no answer for this certificate")),
                Err(e) => tried.push(format!("{url}: {e}")),
            }
        }
    }
    for url in &need.crl_urls {
        match get(url) {
            Ok(crl) if need.is_covered_by_crl(&crl) => {
                if !data.crls.contains(&crl) {
                    data.crls.push(crl);
                }
                return Ok(());
            }
            Ok(_) => tried.push(format!("{url}: not a CRL from the issuer")),
            Err(e) => tried.push(format!("{url}: {e}")),
        }
    }
    Err(Error::new(
        ErrorCode::RevocationUnavailable,
        format!(
            "no revocation data for {} (serial {}): {}",
            need.certificate.subject(),
            need.certificate.serial_hex(),
            if tried.is_empty() {
                "its certificate names no OCSP responder or CRL distribution point".to_owned()
            } else {
                tried.join("; ")
            }
        ),
    ))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .max_redirects(3)
        .build()
        .into()
}

fn read_body(mut response: ureq::http::Response<ureq::Body>) -> Result<Vec<u8>, String> {
    response
        .body_mut()
        .with_config()
        .limit(MAX_FETCHED)
        .read_to_vec()
        .map_err(|e| e.to_string())
}

/// Refuses a URL other than http(s) (a certificate may name ldap: or file:).
fn http_only(url: &str) -> Result<(), String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err("only http and https URLs are fetched".to_owned())
    }
}

fn get(url: &str) -> Result<Vec<u8>, String> {
    http_only(url)?;
    read_body(agent().get(url).call().map_err(|e| e.to_string())?)
}

fn post_ocsp(url: &str, request: &[u8]) -> Result<Vec<u8>, String> {
    http_only(url)?;
    read_body(
        agent()
            .post(url)
            .header("Content-Type", "application/ocsp-request")
            .send(request)
            .map_err(|e| e.to_string())?,
    )
}

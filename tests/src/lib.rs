//! Helpers shared by the cross-crate tests in `tests/tests/`: fixtures,
//! scratch files, and the independent tools (qpdf, poppler, pyHanko,
//! OpenSSL's TSA) the tests check paraph's output with.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use paraph::pades::KeySigner;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file under `fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures").join(path)).expect("fixture")
}

/// The root certificate of a test PKI (`rsa`, `ec`).
pub fn ca(alg: &str) -> PathBuf {
    root().join(format!("fixtures/certs/{alg}/root.pem"))
}

/// A signer of a test PKI from its PKCS#12 file (password `test`).
pub fn signer(alg: &str, name: &str) -> KeySigner {
    KeySigner::from_pkcs12(&fixture(&format!("certs/{alg}/{name}.p12")), "test").expect("p12")
}

/// The signing time the tests claim.
pub fn time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

/// A path under `target/validator-tests/` for files the tools read.
pub fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/validator-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// Runs `tests/tools/validate_pdf.sh` and returns (passed, failed, output).
pub fn validate_with(
    pdf: &[u8],
    name: &str,
    ca: &Path,
    expected: usize,
    env: &[(&str, &str)],
) -> (usize, usize, String) {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let python = python();
    let mut command = Command::new(root().join("tests/tools/validate_pdf.sh"));
    command
        .arg(&path)
        .arg(ca)
        .arg(expected.to_string())
        .env("PYTHON", python);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("validate_pdf.sh runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = text.lines().last().unwrap_or_default().to_owned();
    let numbers: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(
        numbers.len(),
        2,
        "unexpected validator output:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (numbers[0], numbers[1], text)
}

/// Asserts that the validators accept `pdf` with `expected` signatures
/// chained to the `alg` test root.
pub fn assert_valid(pdf: &[u8], name: &str, alg: &str, expected: usize) {
    let (passed, failed, text) = validate_with(pdf, name, &ca(alg), expected, &[]);
    assert_eq!(failed, 0, "{name}:\n{text}");
    // qpdf 1, pdfsig 2 + 2 per signature, pyHanko 1 + 8 per signature.
    assert_eq!(
        passed,
        4 + 10 * expected,
        "{name}: unexpected check count\n{text}"
    );
}

/// The text poppler extracts from `pdf`.
pub fn pdftotext(pdf: &[u8], name: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf8")
}

/// Renders `page` at 72 dpi (one pixel per point) and returns (width,
/// height, RGB pixels).
pub fn render(pdf: &[u8], name: &str, page: u32) -> (usize, usize, Vec<u8>) {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let prefix = scratch(&format!("{name}-render"));
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "72",
            "-png",
            "-singlefile",
            "-cropbox",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(&path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    let file = std::fs::File::open(format!("{}.png", prefix.display())).expect("rendered png");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    let channels = info.color_type.samples();
    let rgb: Vec<u8> = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width as usize, info.height as usize, rgb)
}

/// A local RFC 3161 TSA (tests/tools/tsa_server.py, on `openssl ts`),
/// stopped when dropped.
#[derive(Debug)]
pub struct Tsa {
    child: std::process::Child,
    /// The TSA's URL.
    pub url: String,
}

impl Tsa {
    /// Starts the TSA on a free port.
    pub fn start() -> Self {
        use std::io::BufRead;
        let mut child = Command::new("python3")
            .arg(root().join("tests/tools/tsa_server.py"))
            .arg(root().join("fixtures/certs/tsa"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the TSA starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the TSA prints its port");
        let url = format!("http://127.0.0.1:{}/", line.trim());
        Self { child, url }
    }
}

impl paraph::pades::TimestampAuthority for Tsa {
    /// POSTs the request with curl (RFC 3161 §3.4), as a caller would
    /// with its HTTP client.
    fn timestamp(&self, request: &[u8]) -> paraph::Result<Vec<u8>> {
        use std::io::Write;
        let mut child = Command::new("curl")
            .args([
                "-sS",
                "--fail",
                "-H",
                "Content-Type: application/timestamp-query",
                "--data-binary",
                "@-",
            ])
            .arg(&self.url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| paraph::Error::new(paraph::ErrorCode::TimestampInvalid, e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(request).map_err(|e| {
                paraph::Error::new(paraph::ErrorCode::TimestampInvalid, e.to_string())
            })?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| paraph::Error::new(paraph::ErrorCode::TimestampInvalid, e.to_string()))?;
        if !out.status.success() {
            return Err(paraph::Error::new(
                paraph::ErrorCode::TimestampInvalid,
                format!("curl failed with {}", out.status),
            ));
        }
        Ok(out.stdout)
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test PKI with live revocation services on loopback
/// (tests/tools/revocation_pki.py: CRLs, OCSP and issuers' certificates at
/// the URLs its certificates name), stopped when dropped.
#[derive(Debug)]
pub struct RevocationServices {
    child: Option<std::process::Child>,
    /// Where the PKI is (root.pem, signer.p12, revoked.p12, ...).
    pub dir: PathBuf,
    /// The services' base URL.
    pub url: String,
}

impl RevocationServices {
    /// Builds a fresh PKI in `target/validator-tests/NAME` and serves it.
    pub fn start(name: &str) -> Self {
        use std::io::BufRead;
        let dir = scratch(name);
        let _ = std::fs::remove_dir_all(&dir);
        let mut child = Command::new(python())
            .arg(root().join("tests/tools/revocation_pki.py"))
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the revocation services start");
        let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut url = String::new();
        for _ in 0..100 {
            let mut line = String::new();
            if reader.read_line(&mut line).expect("reads") == 0 {
                break;
            }
            if let Some(rest) = line.trim().strip_prefix("ready ") {
                url = rest.to_owned();
                break;
            }
        }
        assert!(!url.is_empty(), "revocation_pki.py did not print its URL");
        Self {
            child: Some(child),
            dir,
            url,
        }
    }

    /// Stops the services (a verifier must then do with what it embedded).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RevocationServices {
    fn drop(&mut self) {
        self.stop();
    }
}

/// pyHanko's view of the signature time-stamp of the last signature:
/// "intact valid trusted" booleans and the time.
pub fn pyhanko_timestamp(path: &Path, ca: &Path) -> String {
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.keys import load_certs_from_pemder
from pyhanko_certvalidator import ValidationContext
vc = ValidationContext(trust_roots=list(load_certs_from_pemder([sys.argv[2]])), allow_fetching=False)
s = PdfFileReader(open(sys.argv[1], 'rb')).embedded_signatures[-1]
st = validate_pdf_signature(s, vc, ts_validation_context=vc)
t = st.timestamp_validity
print(t.intact, t.valid, t.trusted, t.timestamp.isoformat())
"#;
    run_python(script, &[path.as_os_str(), ca.as_os_str()])
}

/// Runs a Python script from the test venv with `args` as `sys.argv[1..]`;
/// panics with its stderr when it fails, else returns its trimmed stdout.
pub fn run_python(script: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(python())
        .args(["-c", script])
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The Python interpreter that has pyHanko and the interop packages
/// (`PARAPH_PYTHON`, set by scripts/test).
pub fn python() -> String {
    std::env::var("PARAPH_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The `paraph` CLI binary, which scripts/test builds before the tests.
pub fn paraph_bin() -> PathBuf {
    let paraph = root().join("target/debug/paraph");
    assert!(
        paraph.exists(),
        "build paraph-cli first (cargo build -p paraph-cli)"
    );
    paraph
}

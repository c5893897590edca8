//! Hostile signed PDFs for tests (here and in the other crates of the
//! workspace): what a careless or malicious signer could produce, so that
//! verifiers (ours and independent ones) can be judged on them. Not part of
//! the stable API.

use sha2::Digest as _;

use super::cms::build::{signed_attributes, signed_data, to_be_signed};
use super::keys::Signer;
use crate::{Error, ErrorCode, Result};

/// The last signature's `/ByteRange` values and the span of its `[...]`
/// text in `signed`.
fn last_byte_range(signed: &[u8]) -> Result<([usize; 4], usize, usize)> {
    let invalid = |why: &str| Error::new(ErrorCode::SignatureMalformed, why.to_string());
    let at = memchr::memmem::rfind(signed, b"/ByteRange [")
        .ok_or_else(|| invalid("no /ByteRange"))?
        + "/ByteRange ".len();
    let close = at
        + memchr::memchr(b']', &signed[at..]).ok_or_else(|| invalid("unterminated /ByteRange"))?;
    let values: Vec<usize> = std::str::from_utf8(&signed[at + 1..close])
        .map_err(|_| invalid("a /ByteRange that is not ASCII"))?
        .split_whitespace()
        .map(|v| {
            v.parse()
                .map_err(|_| invalid("a /ByteRange value that is not a number"))
        })
        .collect::<Result<_>>()?;
    let values: [usize; 4] = values
        .try_into()
        .map_err(|_| invalid("a /ByteRange without four values"))?;
    Ok((values, at, close + 1))
}

/// Re-signs the last signature of `signed` over `[0 a b tail_len]`: the
/// same `/Contents` gap, but a second range of `tail_len` bytes instead of
/// the rest of the file. The new `/ByteRange` is written over the old one
/// (padded to the same width) and a valid CMS by `signer` over exactly the
/// new ranges replaces `/Contents`, so the signature's digest and value
/// check while the bytes after `b + tail_len` are not signed.
pub fn resign_over(signed: &[u8], signer: &dyn Signer, tail_len: usize) -> Result<Vec<u8>> {
    let ([_, a, b, _], start, end) = last_byte_range(signed)?;
    let width = end - start;
    let range = format!("[0 {a} {b} {tail_len}]");
    if range.len() > width || b + tail_len > signed.len() || a + 2 > b {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("{range} does not fit the signature's /ByteRange or the file"),
        ));
    }
    let mut out = signed.to_vec();
    out[start..end].copy_from_slice(format!("{range:<width$}").as_bytes());
    let mut hasher = sha2::Sha256::new();
    hasher.update(&out[..a]);
    hasher.update(&out[b..b + tail_len]);
    let digest: [u8; 32] = hasher.finalize().into();
    let chain = signer.certificate_chain();
    let first = chain.first().ok_or_else(|| {
        Error::new(
            ErrorCode::CertInvalid,
            "the signer has no certificate".to_string(),
        )
    })?;
    let attrs = signed_attributes(&digest, first)?;
    let value = signer.sign(&to_be_signed(&attrs)?)?;
    let cms = signed_data(chain, signer.algorithm(), attrs, &value, None)?;
    let hex = hex::encode_upper(&cms);
    // `<` and `>` bound the gap.
    if hex.len() > b - a - 2 {
        return Err(Error::new(
            ErrorCode::SignatureTooLarge,
            "the new CMS does not fit the /Contents gap".to_string(),
        ));
    }
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out[a + 1 + hex.len()..b - 1].fill(b'0');
    Ok(out)
}

/// `signed` with `junk` written at the end of the last signature's
/// `/Contents` gap, after the CMS and its zero padding: a verifier that
/// only decodes the DER's length would call these hidden bytes intact.
pub fn with_contents_trailing_data(signed: &[u8], junk: &[u8]) -> Result<Vec<u8>> {
    let ([_, a, b, _], _, _) = last_byte_range(signed)?;
    let gap_end = b - 1; // the `>`
    if junk.len() * 2 > gap_end.saturating_sub(a + 1) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "the junk does not fit the /Contents gap".to_string(),
        ));
    }
    let hex = hex::encode_upper(junk);
    let mut out = signed.to_vec();
    out[gap_end - hex.len()..gap_end].copy_from_slice(hex.as_bytes());
    Ok(out)
}

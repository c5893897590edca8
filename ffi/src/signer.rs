//! [`paraph_signer`]: keys that make PAdES signature values (PKCS#12, PEM,
//! or C callbacks for an HSM or a KMS), and [`paraph_tsa`]: a time-stamp
//! authority the caller reaches (`paraph_core::pades::{Signer,
//! TimestampAuthority}`).

use std::ffi::{c_char, c_int, c_void};

use paraph_core::pades::{
    Certificate, KeySigner, MAX_TIMESTAMP_RESPONSE_LEN, SignatureAlgorithm, Signer,
    TimestampAuthority,
};
use paraph_core::{Error, ErrorCode};

use crate::args;
use crate::boundary::{invalid_argument, run, run_or};
use crate::bytes::{self, paraph_bytes};
use crate::handle::{self, Opaque};
use crate::json;
use crate::result::paraph_result;

/// A signing key and its certificate chain: from PKCS#12
/// (`paraph_signer_from_pkcs12`), PEM (`paraph_signer_from_pem`), C
/// callbacks (`paraph_signer_from_callback`), or issued for one recipient
/// (`paraph_workflow_issue_signer`). Free it with `paraph_signer_free`.
/// Immutable; may be shared by threads (a callback signer as far as its
/// callback allows).
#[derive(Debug)]
pub struct paraph_signer {
    _private: [u8; 0],
}

impl Opaque for paraph_signer {
    type Inner = Box<dyn Signer>;
    const C_NAME: &'static str = "paraph_signer";
}

/// A time-stamp authority (RFC 3161) reached through a C callback: the
/// caller does the HTTP. Make one with `paraph_tsa_from_callback`; free it
/// with `paraph_tsa_free`. Passing one to a signing function makes its
/// signatures PAdES B-T.
#[derive(Debug)]
pub struct paraph_tsa {
    _private: [u8; 0],
}

impl Opaque for paraph_tsa {
    type Inner = CallbackTsa;
    const C_NAME: &'static str = "paraph_tsa";
}

/// Makes a signature value for an external key (an HSM through PKCS#11, a
/// cloud KMS, a smart card).
///
/// `data` (`data_len` bytes) is the message to sign: the DER of the CMS
/// signed attributes. Hash it with SHA-256 and sign the hash: RSA keys
/// PKCS#1 v1.5 (`CKM_SHA256_RSA_PKCS`), P-256 keys ECDSA (`CKM_ECDSA` over
/// the SHA-256 digest; a DER `ECDSA-Sig-Value` or the 64-byte `r || s`).
/// `out` has room for `*out_len` bytes, the largest value the key can
/// make: write the value there and set `*out_len` to its length.
///
/// Return 0 on success, anything else on failure: the signing function
/// then fails with `PARAPH_E_SIGNING_FAILED`, naming the number returned.
/// The callback must not unwind (C++ exceptions) and, if the signer is used
/// from several threads, must be safe to call from them at once.
pub type paraph_sign_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        data: *const u8,
        data_len: usize,
        out: *mut u8,
        out_len: *mut usize,
    ) -> c_int,
>;

/// Sends one RFC 3161 `TimeStampReq` to a time-stamp authority: POST
/// `request` (`request_len` bytes) with `Content-Type:
/// application/timestamp-query` (RFC 3161 §3.4) and copy the response body,
/// unchanged, to `out`, which has room for `*out_len` bytes
/// (`PARAPH_MAX_TIMESTAMP_RESPONSE_LEN`); set `*out_len` to its length.
/// The library builds the request and checks the response (granted, over
/// this signature, with this nonce), so the callback parses no ASN.1.
///
/// Return 0 on success, anything else when the TSA cannot be reached: the
/// signing function then fails with `PARAPH_E_TIMESTAMP_INVALID`. Same
/// rules as `paraph_sign_callback` for unwinding and threads.
pub type paraph_timestamp_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        request: *const u8,
        request_len: usize,
        out: *mut u8,
        out_len: *mut usize,
    ) -> c_int,
>;

/// The most bytes a time-stamp response may have; the buffer given to a
/// `paraph_timestamp_callback` has this many.
// A literal, since cbindgen cannot read the core's constant; the test
// below keeps them equal.
pub const PARAPH_MAX_TIMESTAMP_RESPONSE_LEN: usize = 65_536;

/// The caller's `user_data`, kept for its callback.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);

// SAFETY: paraph never reads or writes through the pointer: it only hands
// it back to the caller's callback. The documented contract of
// `paraph_signer_from_callback` and `paraph_tsa_from_callback` makes the
// caller responsible for the callback (and its data) being callable from
// any thread the handle is used on.
unsafe impl Send for UserData {}
// SAFETY: as above: sharing the handle shares only the right to call the
// caller's callback, which the caller made thread-safe or keeps on one
// thread.
unsafe impl Sync for UserData {}

type RawCallback =
    unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, *mut usize) -> c_int;

/// Calls `callback` with a buffer of `capacity` bytes and returns what it
/// wrote, or the number it returned.
fn call(
    callback: RawCallback,
    user_data: UserData,
    input: &[u8],
    capacity: usize,
) -> Result<Vec<u8>, CallbackFailure> {
    let mut out = vec![0u8; capacity];
    let mut len = capacity;
    // SAFETY: the callback is the caller's, with the contract of its type:
    // `input` is valid for `input.len()` bytes, `out` for `capacity`
    // writable bytes and `len` for a `size_t` write, all for the call only.
    let status = unsafe {
        callback(
            user_data.0,
            input.as_ptr(),
            input.len(),
            out.as_mut_ptr(),
            &mut len,
        )
    };
    if status != 0 {
        return Err(CallbackFailure::Status(status));
    }
    if len > capacity {
        return Err(CallbackFailure::TooLong(len));
    }
    out.truncate(len);
    Ok(out)
}

enum CallbackFailure {
    Status(c_int),
    TooLong(usize),
}

/// A [`Signer`] whose values come from a C callback.
struct CallbackSigner {
    callback: RawCallback,
    user_data: UserData,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
}

impl Signer for CallbackSigner {
    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> paraph_core::Result<Vec<u8>> {
        // The default method reads the key size from the certificate.
        let max_len = self.max_signature_len();
        call(self.callback, self.user_data, message, max_len).map_err(|failure| {
            Error::new(
                ErrorCode::SigningFailed,
                match failure {
                    CallbackFailure::Status(status) => {
                        format!("the sign callback failed (it returned {status})")
                    }
                    CallbackFailure::TooLong(len) => format!(
                        "the sign callback set out_len to {len}, more than the {} bytes it was given",
                        max_len
                    ),
                },
            )
        })
    }
}

/// A [`TimestampAuthority`] reached through a C callback.
pub(crate) struct CallbackTsa {
    callback: RawCallback,
    user_data: UserData,
}

impl TimestampAuthority for CallbackTsa {
    fn timestamp(&self, request: &[u8]) -> paraph_core::Result<Vec<u8>> {
        call(
            self.callback,
            self.user_data,
            request,
            MAX_TIMESTAMP_RESPONSE_LEN,
        )
        .map_err(|failure| {
            Error::new(
                ErrorCode::TimestampInvalid,
                match failure {
                    CallbackFailure::Status(status) => {
                        format!("the time-stamp callback failed (it returned {status})")
                    }
                    CallbackFailure::TooLong(len) => format!(
                        "the time-stamp callback set out_len to {len}, more than the {MAX_TIMESTAMP_RESPONSE_LEN} bytes it was given"
                    ),
                },
            )
        })
    }
}

/// Reads a signer from a PKCS#12 file (`.p12`/`.pfx`: the key and its
/// chain) protected by `password` (UTF-8, not NUL-terminated; NULL with 0
/// for none).
///
/// Errors: `PARAPH_E_PKCS12_BAD_PASSWORD` (wrong password),
/// `PARAPH_E_PKCS12_INVALID` (not PKCS#12), `PARAPH_E_KEY_CERT_MISMATCH`,
/// `PARAPH_E_UNSUPPORTED_ALGORITHM` (neither RSA nor P-256),
/// `PARAPH_E_INVALID_ARGUMENT` (NULL). On error `*out_signer` is NULL.
///
/// # Safety
///
/// `der` and `password` must point to their lengths in readable bytes;
/// `out_signer` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_signer_from_pkcs12(
    der: *const u8,
    der_len: usize,
    password: *const c_char,
    password_len: usize,
    out_signer: *mut *mut paraph_signer,
) -> paraph_result {
    run("paraph_signer_from_pkcs12", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_signer = unsafe { args::out(out_signer, "out_signer")? };
        if der.is_null() {
            return Err(invalid_argument("der is NULL"));
        }
        // SAFETY: as above.
        let der = unsafe { args::bytes(der, der_len, "der")? };
        // SAFETY: as above.
        let password = unsafe { args::text(password, password_len, "password")? };
        let signer = KeySigner::from_pkcs12(der, password)?;
        *out_signer = register(Box::new(signer));
        Ok(())
    })
}

/// Reads a signer from a PEM private key (PKCS#8 or PKCS#1/SEC 1) and the
/// PEM certificates of its chain, the signing certificate first.
///
/// Errors: `PARAPH_E_KEY_INVALID`, `PARAPH_E_CERT_INVALID`,
/// `PARAPH_E_KEY_CERT_MISMATCH`, `PARAPH_E_UNSUPPORTED_ALGORITHM`,
/// `PARAPH_E_INVALID_ARGUMENT` (NULL). On error `*out_signer` is NULL.
///
/// # Safety
///
/// `key_pem` and `certificates_pem` must point to their lengths in readable
/// bytes; `out_signer` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_signer_from_pem(
    key_pem: *const u8,
    key_pem_len: usize,
    certificates_pem: *const u8,
    certificates_pem_len: usize,
    out_signer: *mut *mut paraph_signer,
) -> paraph_result {
    run("paraph_signer_from_pem", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_signer = unsafe { args::out(out_signer, "out_signer")? };
        if key_pem.is_null() || certificates_pem.is_null() {
            return Err(invalid_argument(if key_pem.is_null() {
                "key_pem is NULL"
            } else {
                "certificates_pem is NULL"
            }));
        }
        // SAFETY: as above.
        let key = unsafe { args::bytes(key_pem, key_pem_len, "key_pem")? };
        // SAFETY: as above.
        let certificates =
            unsafe { args::bytes(certificates_pem, certificates_pem_len, "certificates_pem")? };
        let signer = KeySigner::from_pem(key, certificates)?;
        *out_signer = register(Box::new(signer));
        Ok(())
    })
}

/// A signer whose values come from `callback` (see `paraph_sign_callback`),
/// for a key paraph never sees. `certificates` is its chain, the signing
/// certificate first, as PEM or one DER certificate; its key gives the
/// algorithm (RSA: PKCS#1 v1.5 with SHA-256, P-256: ECDSA with SHA-256).
///
/// `user_data` is handed to every call of `callback` and never touched by
/// paraph; it must stay valid until the signer is freed (and until any
/// call using the signer has returned).
///
/// Errors: `PARAPH_E_CERT_INVALID` (no or unreadable certificate),
/// `PARAPH_E_UNSUPPORTED_ALGORITHM`, `PARAPH_E_INVALID_ARGUMENT` (NULL
/// callback). On error `*out_signer` is NULL.
///
/// # Safety
///
/// `certificates` must point to `certificates_len` readable bytes; the
/// callback must follow the contract of `paraph_sign_callback`;
/// `out_signer` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_signer_from_callback(
    certificates: *const u8,
    certificates_len: usize,
    callback: paraph_sign_callback,
    user_data: *mut c_void,
    out_signer: *mut *mut paraph_signer,
) -> paraph_result {
    run("paraph_signer_from_callback", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_signer = unsafe { args::out(out_signer, "out_signer")? };
        let callback = callback.ok_or_else(|| invalid_argument("callback is NULL"))?;
        // SAFETY: as above.
        let chain = unsafe { json::certificates(certificates, certificates_len, "certificates")? };
        let signing = chain.first().ok_or_else(|| {
            Error::new(ErrorCode::CertInvalid, "certificates holds no certificate")
        })?;
        let algorithm = SignatureAlgorithm::for_certificate(signing)?;
        *out_signer = register(Box::new(CallbackSigner {
            callback,
            user_data: UserData(user_data),
            chain,
            algorithm,
        }));
        Ok(())
    })
}

/// Signs `data` with the signer's key, as a signature of a PDF would be
/// (SHA-256, then PKCS#1 v1.5 or ECDSA): `*out_value` receives the value.
/// For a key held by paraph this is what a `paraph_sign_callback` would
/// compute, so it also lets C code put a paraph key behind its own
/// callback layer.
///
/// Errors: `PARAPH_E_SIGNING_FAILED` (a callback signer's failure),
/// `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `data` must point to `data_len` readable bytes; `out_value` must be
/// valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_signer_sign(
    signer: *const paraph_signer,
    data: *const u8,
    data_len: usize,
    out_value: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_signer_sign", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_value = unsafe { args::out(out_value, "out_value")? };
        let signer = handle::get(signer, "signer")?;
        // SAFETY: as above.
        let data = unsafe { args::bytes(data, data_len, "data")? };
        *out_value = bytes::new(signer.sign(data)?);
        Ok(())
    })
}

/// The signer's certificate chain as PEM, the signing certificate first.
///
/// Errors: `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `out_pem` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_signer_certificates(
    signer: *const paraph_signer,
    out_pem: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_signer_certificates", || {
        // SAFETY: forwarded from this function's contract.
        let out_pem = unsafe { args::out(out_pem, "out_pem")? };
        let signer = handle::get(signer, "signer")?;
        let pem: String = signer
            .certificate_chain()
            .iter()
            .map(|certificate| pem_certificate(certificate.der()))
            .collect();
        *out_pem = bytes::new(pem.into_bytes());
        Ok(())
    })
}

/// Frees a signer. Accepts NULL; does nothing for a handle that is not a
/// live `paraph_signer`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_signer_free(signer: *mut paraph_signer) {
    run_or("paraph_signer_free", (), || handle::release(signer));
}

/// A time-stamp authority reached through `callback` (see
/// `paraph_timestamp_callback`). `user_data` is handed to every call and
/// must stay valid until the handle is freed.
///
/// Errors: `PARAPH_E_INVALID_ARGUMENT` (NULL callback or out-pointer).
///
/// # Safety
///
/// The callback must follow the contract of `paraph_timestamp_callback`;
/// `out_tsa` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_tsa_from_callback(
    callback: paraph_timestamp_callback,
    user_data: *mut c_void,
    out_tsa: *mut *mut paraph_tsa,
) -> paraph_result {
    run("paraph_tsa_from_callback", || {
        // SAFETY: forwarded from this function's contract.
        let out_tsa = unsafe { args::out(out_tsa, "out_tsa")? };
        let callback = callback.ok_or_else(|| invalid_argument("callback is NULL"))?;
        *out_tsa = handle::register::<paraph_tsa>(CallbackTsa {
            callback,
            user_data: UserData(user_data),
        });
        Ok(())
    })
}

/// Frees a time-stamp authority. Accepts NULL; does nothing for a handle
/// that is not a live `paraph_tsa`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_tsa_free(tsa: *mut paraph_tsa) {
    run_or("paraph_tsa_free", (), || handle::release(tsa));
}

/// A certificate as PEM (RFC 7468 §5: 64 characters a line).
fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in text.as_bytes().chunks(64) {
        // Base64 is ASCII, so every chunk is UTF-8.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Registers a signer.
pub(crate) fn register(signer: Box<dyn Signer>) -> *mut paraph_signer {
    handle::register::<paraph_signer>(signer)
}

/// The time-stamp authority behind an optional handle: NULL is none.
pub(crate) fn optional_tsa(
    tsa: *const paraph_tsa,
) -> Result<Option<std::sync::Arc<CallbackTsa>>, Error> {
    if tsa.is_null() {
        Ok(None)
    } else {
        handle::get(tsa, "tsa").map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timestamp_buffer_is_the_core_s_limit() {
        assert_eq!(
            PARAPH_MAX_TIMESTAMP_RESPONSE_LEN,
            MAX_TIMESTAMP_RESPONSE_LEN
        );
    }
}

//! `Signer`: a key in memory (PKCS#12 or PEM), or an external signer whose
//! signature values come from an async JS callback (an HSM, a cloud KMS);
//! and the time-stamp authority of B-T signatures, also a JS callback.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::ErrorCode;
use paraph::pades::{
    self, Certificate, KeySigner, SignatureAlgorithm, Signer as CoreSigner, TimestampAuthority,
};

use crate::callback::JsCallback;
use crate::convert::{self, BytesInput};
use crate::error::{boundary, core, new_err};

/// Certificates given as one PEM/DER blob (several PEM blocks allowed) or
/// a list of them, the signing certificate first.
pub type CertificatesInput = Either<BytesInput, Vec<BytesInput>>;

/// The certificates of a [`CertificatesInput`], in the order given.
pub fn certificates(env: &Env, input: CertificatesInput) -> Result<Vec<Certificate>> {
    let blobs = match input {
        Either::A(one) => vec![one],
        Either::B(many) => many,
    };
    let mut chain = Vec::new();
    for blob in blobs {
        chain.extend(pades::parse_certificates(&convert::bytes(blob)).map_err(core(env))?);
    }
    if chain.is_empty() {
        return Err(new_err(
            env,
            ErrorCode::CertInvalid,
            "no certificate was given",
        ));
    }
    Ok(chain)
}

/// A signer whose values come from a JS callback.
struct ExternalSigner {
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
    callback: JsCallback,
}

impl CoreSigner for ExternalSigner {
    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> paraph::Result<Vec<u8>> {
        let digest = paraph::digest::sha256(message).to_vec();
        self.callback
            .call(message.to_vec(), digest, ErrorCode::SigningFailed)
    }
}

/// Signs PAdES signatures (and, for a CA, certificates): a private key in
/// memory, or an external signer. Immutable, shared across calls and
/// threads.
#[napi]
#[derive(Clone)]
pub struct Signer {
    pub(crate) inner: Arc<dyn CoreSigner>,
    external: bool,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("external", &self.external)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer from a key the core made or read.
    pub(crate) fn from_key(key: KeySigner) -> Self {
        Self {
            inner: Arc::new(key),
            external: false,
        }
    }

    /// Whether signing calls back into JavaScript.
    pub(crate) fn calls_js(&self) -> bool {
        self.external
    }

    fn signing_certificate(&self) -> Option<&Certificate> {
        self.inner.certificate_chain().first()
    }
}

#[napi]
impl Signer {
    /// A signer from a PKCS#12 (`.p12`/`.pfx`) file and its password.
    /// Errors: `PKCS12_BAD_PASSWORD`, `PKCS12_INVALID`, `KEY_CERT_MISMATCH`,
    /// `UNSUPPORTED_ALGORITHM`.
    #[napi(factory)]
    pub fn from_pkcs12(env: &Env, data: Uint8Array, password: String) -> Result<Signer> {
        boundary(env, || {
            let key = KeySigner::from_pkcs12(&data, &password).map_err(core(env))?;
            Ok(Signer::from_key(key))
        })
    }

    /// A signer from a private key (PEM: PKCS#8, PKCS#1 or SEC1; or DER
    /// PKCS#8) and its certificates (PEM or DER, in any order: the one
    /// matching the key signs). Errors: `KEY_INVALID`, `CERT_INVALID`,
    /// `KEY_CERT_MISMATCH`, `UNSUPPORTED_ALGORITHM`.
    #[napi(factory)]
    pub fn from_pem(env: &Env, key: BytesInput, certificates: BytesInput) -> Result<Signer> {
        boundary(env, || {
            let key = KeySigner::from_pem(&convert::bytes(key), &convert::bytes(certificates))
                .map_err(core(env))?;
            Ok(Signer::from_key(key))
        })
    }

    /// An external signer (the KMS plugin point): `certificateChain` is the
    /// signing certificate first, then its issuers; `sign(data, digest)` is
    /// called off the main thread's work, on the JS thread, with the DER of
    /// the CMS signed attributes and its SHA-256, and returns (or resolves
    /// to) the signature value: PKCS#1 v1.5 for RSA, DER or `r || s` for
    /// P-256. A throw or a rejection fails the signing with
    /// `SIGNING_FAILED`; a value made with another key with
    /// `KEY_CERT_MISMATCH`.
    #[napi(factory)]
    pub fn external(
        env: &Env,
        #[napi(ts_arg_type = "BytesInput | BytesInput[]")] certificate_chain: CertificatesInput,
        #[napi(ts_arg_type = "(data: Buffer, digest: Buffer) => Uint8Array | Promise<Uint8Array>")]
        sign: JsCallback,
    ) -> Result<Signer> {
        boundary(env, || {
            let chain = certificates(env, certificate_chain)?;
            let algorithm = SignatureAlgorithm::for_certificate(&chain[0]).map_err(core(env))?;
            Ok(Signer {
                inner: Arc::new(ExternalSigner {
                    chain,
                    algorithm,
                    callback: sign,
                }),
                external: true,
            })
        })
    }

    /// The certificates (DER), the signing certificate first.
    #[napi(getter)]
    pub fn certificate_chain(&self) -> Vec<Buffer> {
        self.inner
            .certificate_chain()
            .iter()
            .map(|c| Buffer::from(c.der().to_vec()))
            .collect()
    }

    /// `"RSA_PKCS1V15_SHA256"` or `"ECDSA_P256_SHA256"`.
    #[napi(getter, ts_return_type = "SignatureAlgorithm")]
    pub fn algorithm(&self) -> &'static str {
        match self.inner.algorithm() {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => "RSA_PKCS1V15_SHA256",
            SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA_P256_SHA256",
        }
    }

    /// The signing certificate's subject (RFC 4514).
    #[napi(getter)]
    pub fn subject(&self) -> String {
        self.signing_certificate()
            .map(Certificate::subject)
            .unwrap_or_default()
    }

    /// The signing certificate's common name.
    #[napi(getter)]
    pub fn common_name(&self) -> Option<String> {
        self.signing_certificate()
            .and_then(Certificate::common_name)
    }

    /// SHA-256 of the signing certificate's DER, lower-case hex.
    #[napi(getter)]
    pub fn fingerprint_sha256(&self) -> String {
        self.signing_certificate()
            .map(Certificate::fingerprint_sha256)
            .unwrap_or_default()
    }

    /// Whether the values come from a JS callback.
    #[napi(getter)]
    pub fn is_external(&self) -> bool {
        self.external
    }
}

/// A time-stamp authority reached through a JS callback.
struct ExternalTsa {
    callback: JsCallback,
}

impl TimestampAuthority for ExternalTsa {
    fn timestamp(&self, request: &[u8]) -> paraph::Result<Vec<u8>> {
        self.callback
            .call(request.to_vec(), Vec::new(), ErrorCode::TimestampInvalid)
    }
}

/// The time-stamp authority of a B-T signature given as an async JS
/// function from the DER `TimeStampReq` to the DER `TimeStampResp` (over
/// HTTP: POST it with `Content-Type: application/timestamp-query`, RFC
/// 3161 §3.4). The core builds the request and checks the response.
pub fn timestamp_authority(callback: Option<JsCallback>) -> Option<Arc<dyn TimestampAuthority>> {
    callback.map(|callback| Arc::new(ExternalTsa { callback }) as Arc<dyn TimestampAuthority>)
}

/// A `Signer` given as a field of an options object (`{ platform }`).
pub struct SignerArg(pub Arc<dyn CoreSigner>, pub bool);

impl std::fmt::Debug for SignerArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignerArg")
    }
}

impl TypeName for SignerArg {
    fn type_name() -> &'static str {
        "Signer"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for SignerArg {}

impl FromNapiValue for SignerArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: napi hands us a live value of this env; `from_napi_ref`
        // checks that it wraps a `Signer`.
        let signer = unsafe { <Signer as FromNapiRef>::from_napi_ref(env, value)? };
        Ok(Self(signer.inner.clone(), signer.external))
    }
}

//! Encrypted PDFs (ISO 32000-2 §7.6): what the permissions allow, and the
//! objects of an update encrypted with the document's file key.
//!
//! lopdf opens the file (the empty user password, or the one given) and
//! decrypts what it reads; it can encrypt objects too, but with a random
//! AES initialisation vector, and the core has no randomness of its own: an
//! update prepared twice from the same inputs must be the same bytes (the
//! workflow records the prepared digest and checks it later). So objects are
//! encrypted here, with lopdf's per-object keys and RC4 as it is, and AES-CBC
//! with a synthetic IV: an HMAC of the object number and the plaintext under
//! a key derived from the file key. Equal plaintexts in the same object give
//! equal ciphertexts, which is all this reveals.

use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, KeyInit, Mac};
use lopdf::encryption::crypt_filters::CryptFilter;
use lopdf::{Dictionary, Document, EncryptionState, Object, ObjectId, Permissions};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};

/// The encryption of a loaded document, kept to encrypt what an update adds.
#[derive(Clone)]
pub(crate) struct Encryption {
    state: EncryptionState,
    /// The `/Encrypt` dictionary's object, which the update's trailer names.
    dictionary: ObjectId,
    /// Opened with the owner password: the permissions do not apply.
    owner: bool,
    iv_key: [u8; 32],
}

impl std::fmt::Debug for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryption")
            .field("revision", &self.state.revision())
            .field("dictionary", &self.dictionary)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// What an update is about to do, for the permission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Fill existing form fields, existing signature fields included.
    FillFields,
    /// Create form fields (a new signature field, visible or not).
    CreateFields,
}

impl Encryption {
    /// The encryption lopdf set up while loading `doc`, if it is encrypted.
    /// `password` tells whether the owner password opened it.
    pub fn of(doc: &Document, password: Option<&str>) -> Result<Option<Self>> {
        let Some(state) = doc.encryption_state.clone() else {
            return Ok(None);
        };
        let dictionary = state.encrypt_object_id().ok_or_else(|| {
            Error::new(
                ErrorCode::PdfUnsupported,
                "the PDF's /Encrypt dictionary is not an indirect object",
            )
        })?;
        let owner = match password {
            Some(password) => opened_by_owner(doc, &state, dictionary, password),
            None => false,
        };
        let mut hasher = Sha256::new();
        hasher.update(b"paraph PDF encryption IV key");
        hasher.update(state.file_encryption_key());
        Ok(Some(Self {
            state,
            dictionary,
            owner,
            iv_key: hasher.finalize().into(),
        }))
    }

    /// The `/Encrypt` object an update's trailer points back at.
    pub fn dictionary(&self) -> ObjectId {
        self.dictionary
    }

    /// Refuses `change` when the document's permissions (`/P`, ISO 32000-2
    /// Table 22) forbid it and the owner password was not given: filling
    /// fields needs bit 9 (fill in) or bit 6 (annotations and forms), creating
    /// a field needs bits 6 and 4 (modify), as the standard and the EU DSS
    /// library read them.
    pub fn check(&self, change: Change) -> Result<()> {
        if self.owner {
            return Ok(());
        }
        let p = self.state.permissions();
        let allowed = match change {
            Change::FillFields => {
                p.contains(Permissions::FILLABLE) || p.contains(Permissions::ANNOTABLE)
            }
            Change::CreateFields => {
                p.contains(Permissions::ANNOTABLE) && p.contains(Permissions::MODIFIABLE)
            }
        };
        if allowed {
            return Ok(());
        }
        let why = match change {
            Change::FillFields => {
                "the PDF's permissions (/P) forbid filling in its form fields, signing included"
            }
            Change::CreateFields if p.contains(Permissions::FILLABLE) => {
                "the PDF's permissions (/P) allow only filling in existing fields: sign an existing empty signature field"
            }
            Change::CreateFields => "the PDF's permissions (/P) forbid adding a signature field",
        };
        Err(Error::new(
            ErrorCode::PdfPermissionDenied,
            format!("{why}, or give the owner password"),
        ))
    }

    /// Encrypts the strings and streams of object `id` in place, as lopdf
    /// decrypts them: a signature dictionary's `/Contents`, cross-reference
    /// streams and (without `/EncryptMetadata`) the metadata stream stay in
    /// clear.
    pub fn encrypt_object(&self, id: ObjectId, object: &mut Object) -> Result<()> {
        match object {
            Object::String(bytes, _) => {
                *bytes = self.encrypt(id, &*self.state.get_string_filter(), bytes)?;
            }
            Object::Array(items) => {
                for item in items {
                    self.encrypt_object(id, item)?;
                }
            }
            Object::Dictionary(dict) => self.encrypt_dictionary(id, dict)?,
            Object::Stream(stream) => {
                if stream.dict.has_type(b"XRef")
                    || (stream.dict.has_type(b"Metadata") && !self.state.encrypt_metadata())
                {
                    return Ok(());
                }
                self.encrypt_dictionary(id, &mut stream.dict)?;
                let uses_crypt_filter = stream
                    .filters()
                    .is_ok_and(|filters| filters.contains(&&b"Crypt"[..]));
                if uses_crypt_filter {
                    // A stream naming its own crypt filter: paraph writes none.
                    return Err(Error::new(
                        ErrorCode::PdfUnsupported,
                        "a stream of the update uses its own /Crypt filter",
                    ));
                }
                let content =
                    self.encrypt(id, &*self.state.get_stream_filter(), &stream.content)?;
                stream.set_content(content);
            }
            _ => {}
        }
        Ok(())
    }

    /// The encrypted bytes of a string of object `id`.
    pub fn encrypt_string(&self, id: ObjectId, bytes: &[u8]) -> Result<Vec<u8>> {
        self.encrypt(id, &*self.state.get_string_filter(), bytes)
    }

    fn encrypt_dictionary(&self, id: ObjectId, dict: &mut Dictionary) -> Result<()> {
        let signature = dict.has_type(b"Sig")
            || dict.has_type(b"DocTimeStamp")
            || (dict.has(b"ByteRange") && dict.has(b"Contents"));
        for (key, value) in dict.iter_mut() {
            if !(signature && key == b"Contents") {
                self.encrypt_object(id, value)?;
            }
        }
        Ok(())
    }

    fn encrypt(&self, id: ObjectId, filter: &dyn CryptFilter, data: &[u8]) -> Result<Vec<u8>> {
        let key = filter
            .compute_key(self.state.file_encryption_key(), id)
            .map_err(crypt_error)?;
        match filter.method() {
            b"AESV2" | b"AESV3" => aes_cbc(&key, self.iv(id, data), data),
            // RC4 (V2) is deterministic, Identity leaves the data as it is.
            b"V2" | b"Identity" => filter.encrypt(&key, data).map_err(crypt_error),
            other => Err(Error::new(
                ErrorCode::PdfUnsupported,
                format!(
                    "the PDF's crypt filter method /{} is not supported",
                    String::from_utf8_lossy(other)
                ),
            )),
        }
    }

    /// The synthetic IV of `data` in object `id`.
    fn iv(&self, id: ObjectId, data: &[u8]) -> [u8; 16] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.iv_key)
            .expect("HMAC takes a key of any length");
        mac.update(&id.0.to_be_bytes());
        mac.update(&id.1.to_be_bytes());
        mac.update(data);
        let tag = mac.finalize().into_bytes();
        let mut iv = [0; 16];
        iv.copy_from_slice(&tag[..16]);
        iv
    }
}

/// AES-CBC with PKCS#7 padding, the IV first (ISO 32000-2 §7.6.3); the
/// key's length picks AES-128 or AES-256.
fn aes_cbc(key: &[u8], iv: [u8; 16], data: &[u8]) -> Result<Vec<u8>> {
    let wrong_key = || {
        Error::new(
            ErrorCode::Internal,
            "the PDF's file key has the wrong length for its AES filter",
        )
    };
    let padding = || Error::new(ErrorCode::Internal, "AES padding failed");
    let mut out = vec![0; 16 + (data.len() / 16 + 1) * 16];
    out[..16].copy_from_slice(&iv);
    out[16..16 + data.len()].copy_from_slice(data);
    let written = match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .map_err(|_| wrong_key())?
            .encrypt_padded::<Pkcs7>(&mut out[16..], data.len())
            .map_err(|_| padding())?
            .len(),
        32 => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &iv)
            .map_err(|_| wrong_key())?
            .encrypt_padded::<Pkcs7>(&mut out[16..], data.len())
            .map_err(|_| padding())?
            .len(),
        _ => return Err(wrong_key()),
    };
    out.truncate(16 + written);
    Ok(out)
}

fn crypt_error(e: lopdf::encryption::DecryptionError) -> Error {
    Error::new(
        ErrorCode::PdfUnsupported,
        format!("cannot encrypt with the PDF's security handler: {e}"),
    )
}

/// Whether `password` is the owner password of `doc`, whose `/Encrypt`
/// dictionary lopdf has taken out of the trailer once it decrypted: it is
/// put back, rebuilt from the state, in a document made for the check.
fn opened_by_owner(
    doc: &Document,
    state: &EncryptionState,
    dictionary: ObjectId,
    password: &str,
) -> bool {
    let Ok(encrypt) = state.encode() else {
        return false;
    };
    let mut probe = Document::new();
    probe.trailer = doc.trailer.clone();
    probe.trailer.set("Encrypt", Object::Reference(dictionary));
    probe
        .objects
        .insert(dictionary, Object::Dictionary(encrypt));
    probe.authenticate_owner_password(password).is_ok()
}

/// The password of an encrypted PDF: the user password, or the owner
/// password (which lifts the permissions). Its `Debug` shows
/// `PdfPassword(<redacted>)`, it is never serialised back, and its memory
/// is cleared when it is dropped. JSON: a string.
///
/// ```
/// let password = paraph::pdf::PdfPassword::new("asdfzxcv");
/// assert_eq!(password.expose(), "asdfzxcv");
/// assert_eq!(format!("{password:?}"), "PdfPassword(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct PdfPassword(String);

impl PdfPassword {
    /// A password.
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PdfPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PdfPassword(<redacted>)")
    }
}

impl Drop for PdfPassword {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl From<&str> for PdfPassword {
    fn from(password: &str) -> Self {
        Self::new(password)
    }
}

impl From<String> for PdfPassword {
    fn from(password: String) -> Self {
        Self::new(password)
    }
}

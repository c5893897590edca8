//! One error type for the whole engine, with a stable [`ErrorCode`].
//!
//! Every code has a fixed number, a SCREAMING_SNAKE name and a one-line
//! description. Numbers are grouped in ranges per family (see [`ErrorFamily`])
//! and are never reused: a retired code moves to [`RETIRED_CODES`]. The
//! table is exported to `fixtures/vectors/error_codes.json` so that the C ABI
//! and the Python and Node bindings can test against the same numbers and
//! names.
//!
//! ```
//! use paraph::{Error, ErrorCode};
//!
//! let err = Error::new(ErrorCode::EnvelopeNotDraft, "envelope env_1 is SENT");
//! assert_eq!(err.code().name(), "ENVELOPE_NOT_DRAFT");
//! assert_eq!(err.code().number(), 2001);
//! assert_eq!(ErrorCode::from_name("ENVELOPE_NOT_DRAFT"), Some(ErrorCode::EnvelopeNotDraft));
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The result type of every fallible function in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error: a stable [`ErrorCode`] plus a message that explains this
/// occurrence (which id, which limit, which header).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// An error with `code` and a message specific to this occurrence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message for this occurrence.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<ErrorCode> for Error {
    /// An error whose message is the code's generic description.
    fn from(code: ErrorCode) -> Self {
        Self::new(code, code.description())
    }
}

/// The family of an error code, given by its number range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ErrorFamily {
    /// 1000–1999: arguments, JSON input, schema versions, I/O at the edges.
    General,
    /// 2000–2999: the envelope state machine.
    Envelope,
    /// 3000–3999: PDF parsing, limits, fields and stamps.
    Pdf,
    /// 4000–4999: PAdES signatures, certificates, keys, time-stamps.
    Signature,
    /// 5000–5999: the audit trail.
    Audit,
    /// 6000–6999: webhook signing and verification.
    Webhook,
    /// 7000–7999: API surfaces: authentication, authorisation, limits, transport.
    Api,
    /// 9000–9999: bugs and caught panics.
    Internal,
}

impl ErrorFamily {
    /// The family of a code number, or `None` outside every range.
    pub const fn of_number(number: u32) -> Option<Self> {
        Some(match number {
            1000..=1999 => Self::General,
            2000..=2999 => Self::Envelope,
            3000..=3999 => Self::Pdf,
            4000..=4999 => Self::Signature,
            5000..=5999 => Self::Audit,
            6000..=6999 => Self::Webhook,
            7000..=7999 => Self::Api,
            9000..=9999 => Self::Internal,
            _ => return None,
        })
    }

    /// The lower-case name used in the exported table (`"envelope"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Envelope => "envelope",
            Self::Pdf => "pdf",
            Self::Signature => "signature",
            Self::Audit => "audit",
            Self::Webhook => "webhook",
            Self::Api => "api",
            Self::Internal => "internal",
        }
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $number:literal, $name:literal, $status:literal, $description:literal; )*) => {
        /// A stable error code. The number and the name of a code never change
        /// and are never reused for another meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant = $number, )*
        }

        impl ErrorCode {
            /// Every code, in number order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The SCREAMING_SNAKE name (`"ENVELOPE_NOT_DRAFT"`).
            pub const fn name(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// A generic, one-line description of the code.
            pub const fn description(self) -> &'static str {
                match self { $( ErrorCode::$variant => $description, )* }
            }

            /// The HTTP status every surface answers with for this code
            /// (the server's error responses, and the bindings' docs).
            pub const fn http_status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// The code for a number, if there is one.
            pub const fn from_number(number: u32) -> Option<Self> {
                match number { $( $number => Some(ErrorCode::$variant), )* _ => None }
            }

            /// The code for a SCREAMING_SNAKE name, if there is one.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $( $name => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    // 1000–1999: general
    /// An argument is out of range or malformed.
    InvalidArgument = 1001, "INVALID_ARGUMENT", 400, "an argument is invalid";
    /// JSON input is not well-formed or does not have the expected shape.
    MalformedJson = 1002, "MALFORMED_JSON", 400, "the JSON input is malformed or does not have the expected shape";
    /// A document carries a schema version this build does not read.
    UnsupportedSchemaVersion = 1003, "UNSUPPORTED_SCHEMA_VERSION", 422, "the schema version is not supported by this version of paraph";
    /// Reading or writing a file failed (used by the CLI and the bindings; the core does no I/O).
    Io = 1004, "IO_ERROR", 500, "reading or writing a file failed";

    // 2000–2999: envelope state machine
    /// The command is only allowed while the envelope is a draft.
    EnvelopeNotDraft = 2001, "ENVELOPE_NOT_DRAFT", 409, "the envelope is no longer a draft";
    /// The command is only allowed once the envelope has been sent.
    EnvelopeNotSent = 2002, "ENVELOPE_NOT_SENT", 409, "the envelope has not been sent";
    /// The envelope is completed, declined, voided or expired.
    EnvelopeTerminal = 2003, "ENVELOPE_TERMINAL", 409, "the envelope is completed, declined, voided or expired and accepts no command";
    /// The envelope has been deleted.
    EnvelopeDeleted = 2004, "ENVELOPE_DELETED", 410, "the envelope has been deleted";
    /// A create command was applied to an envelope that exists.
    EnvelopeAlreadyExists = 2005, "ENVELOPE_ALREADY_EXISTS", 409, "the envelope already exists";
    /// A command other than create was applied to no envelope.
    EnvelopeNotFound = 2006, "ENVELOPE_NOT_FOUND", 404, "the envelope does not exist";
    /// The envelope's expiry time has passed; only expire and void are accepted.
    EnvelopeExpired = 2007, "ENVELOPE_EXPIRED", 410, "the envelope's expiry time has passed";
    /// Expire was requested before the expiry time.
    EnvelopeNotExpired = 2008, "ENVELOPE_NOT_EXPIRED", 409, "the envelope's expiry time has not been reached";
    /// Send needs at least one document.
    NoDocument = 2009, "NO_DOCUMENT", 409, "the envelope has no document";
    /// Send needs at least one signer.
    NoSigner = 2010, "NO_SIGNER", 409, "the envelope has no signer";
    /// An id is already used in this envelope.
    DuplicateId = 2011, "DUPLICATE_ID", 409, "the id is already used in this envelope";
    /// No document has this id.
    DocumentNotFound = 2012, "DOCUMENT_NOT_FOUND", 404, "no document has this id";
    /// No recipient has this id.
    RecipientNotFound = 2013, "RECIPIENT_NOT_FOUND", 404, "no recipient has this id";
    /// No field has this id.
    FieldNotFound = 2014, "FIELD_NOT_FOUND", 404, "no field has this id";
    /// The recipient's routing order has not been reached, or it has already finished.
    RecipientNotActive = 2015, "RECIPIENT_NOT_ACTIVE", 409, "the recipient cannot act now";
    /// The recipient has already signed, approved or declined.
    RecipientAlreadyActed = 2016, "RECIPIENT_ALREADY_ACTED", 409, "the recipient has already acted";
    /// The recipient's role does not allow this action (an approver signing, a CC declining).
    RecipientRoleMismatch = 2017, "RECIPIENT_ROLE_MISMATCH", 409, "the recipient's role does not allow this action";
    /// Signature and initials fields must belong to a signer; other fields to a signer or an approver.
    FieldRecipientNotAllowed = 2018, "FIELD_RECIPIENT_NOT_ALLOWED", 422, "this kind of field cannot belong to this recipient";
    /// The field's page or rectangle lies outside its document.
    FieldOutOfBounds = 2019, "FIELD_OUT_OF_BOUNDS", 422, "the field lies outside its document";
    /// The field belongs to another recipient.
    FieldNotOwned = 2020, "FIELD_NOT_OWNED", 403, "the field belongs to another recipient";
    /// The value does not suit the field's kind.
    FieldValueInvalid = 2021, "FIELD_VALUE_INVALID", 422, "the value is not valid for this field";
    /// A required field has no value.
    RequiredFieldMissing = 2022, "REQUIRED_FIELD_MISSING", 422, "a required field has no value";
    /// Declining and voiding need a reason.
    ReasonRequired = 2023, "REASON_REQUIRED", 422, "a reason is required";
    /// The actor may not issue this command (a recipient acting for another, or sending).
    ActorNotAllowed = 2024, "ACTOR_NOT_ALLOWED", 403, "the actor is not allowed to issue this command";
    /// A recipient's name, email, phone or routing order is invalid.
    InvalidRecipient = 2025, "INVALID_RECIPIENT", 422, "the recipient is invalid";
    /// The envelope's subject, locale or expiry is invalid.
    InvalidEnvelope = 2026, "INVALID_ENVELOPE", 422, "the envelope is invalid";
    /// An event log cannot be replayed: wrong order, wrong envelope or an impossible event.
    InvalidEventLog = 2027, "INVALID_EVENT_LOG", 422, "the event log is not a valid history of one envelope";
    /// A command's time is earlier than the envelope's last event (clocks out of step).
    TimeBeforeLastEvent = 2028, "TIME_BEFORE_LAST_EVENT", 409, "the command's time is before the envelope's last event";
    /// A signature mark is empty, too long, or not a readable PNG within the limits.
    SignatureMarkInvalid = 2029, "SIGNATURE_MARK_INVALID", 422, "the signature mark is not valid";
    /// A consent's version or text digest is malformed.
    ConsentInvalid = 2030, "CONSENT_INVALID", 422, "the consent record is not valid";
    /// A signer has no signature field at send.
    SignerWithoutField = 2031, "SIGNER_WITHOUT_FIELD", 409, "a signer has no signature field";
    /// An advanced or qualified envelope needs every signer to authenticate by SMS or access code.
    AdvancedRequiresStrongAuth = 2032, "ADVANCED_REQUIRES_STRONG_AUTH", 409, "an advanced signature needs SMS or access-code authentication";
    /// The recipient must pass their authentication (SMS or access code) first.
    RecipientNotAuthenticated = 2033, "RECIPIENT_NOT_AUTHENTICATED", 403, "the recipient has not authenticated";
    /// The recipient is locked out after too many failed authentication attempts.
    RecipientLocked = 2034, "RECIPIENT_LOCKED", 403, "the recipient is locked out after too many failed attempts";
    /// The signer must consent to sign electronically first.
    ConsentRequired = 2035, "CONSENT_REQUIRED", 409, "the signer has not consented to sign electronically";
    /// Every signer and approver has acted; only the completion is accepted.
    EnvelopeAwaitingCompletion = 2036, "ENVELOPE_AWAITING_COMPLETION", 409, "the envelope is waiting for its completion";
    /// The completion was asked for before every signer and approver acted.
    EnvelopeNotReady = 2037, "ENVELOPE_NOT_READY", 409, "not every signer and approver has acted";
    /// The envelope cannot return to draft: someone has signed or approved it.
    EnvelopeHasSignatures = 2038, "ENVELOPE_HAS_SIGNATURES", 409, "the envelope has been signed or approved";
    /// An anchored field was not placed when the envelope was sent.
    FieldNotPlaced = 2039, "FIELD_NOT_PLACED", 409, "an anchored field was not placed";
    /// Another recipient of the envelope has this email address.
    DuplicateEmail = 2040, "DUPLICATE_EMAIL", 409, "another recipient has this email address";
    /// The bytes given for a document are not the ones the envelope records.
    DocumentMismatch = 2041, "DOCUMENT_MISMATCH", 422, "the document's bytes are not the ones the envelope records";

    // 3000–3999: PDF
    /// The bytes are not a PDF this engine can read.
    PdfMalformed = 3001, "PDF_MALFORMED", 422, "the file is not a readable PDF";
    /// The PDF is encrypted.
    PdfEncrypted = 3002, "PDF_ENCRYPTED", 422, "the PDF is encrypted";
    /// The file is larger than the configured limit.
    PdfTooLarge = 3003, "PDF_TOO_LARGE", 413, "the PDF file is larger than the limit";
    /// The PDF has more objects than the configured limit.
    PdfTooManyObjects = 3004, "PDF_TOO_MANY_OBJECTS", 422, "the PDF has more objects than the limit";
    /// Arrays, dictionaries or the page tree nest deeper than the limit.
    PdfNestingTooDeep = 3005, "PDF_NESTING_TOO_DEEP", 422, "the PDF nests objects deeper than the limit";
    /// A stream decompresses to more bytes than the limit (a decompression bomb).
    PdfDecompressionLimit = 3006, "PDF_DECOMPRESSION_LIMIT", 422, "a PDF stream decompresses to more than the limit";
    /// The page tree or an object reference chain loops.
    PdfReferenceCycle = 3007, "PDF_REFERENCE_CYCLE", 422, "the PDF has a reference cycle";
    /// The PDF has more pages than the limit.
    PdfTooManyPages = 3008, "PDF_TOO_MANY_PAGES", 422, "the PDF has more pages than the limit";
    /// A page number is outside the document.
    PdfPageNotFound = 3009, "PDF_PAGE_NOT_FOUND", 422, "the page does not exist";
    /// No form field has this name.
    PdfFieldNotFound = 3010, "PDF_FIELD_NOT_FOUND", 422, "no form field has this name";
    /// A form field with this name already exists.
    PdfFieldExists = 3011, "PDF_FIELD_EXISTS", 409, "a form field with this name already exists";
    /// The signature field is already signed.
    PdfFieldAlreadySigned = 3012, "PDF_FIELD_ALREADY_SIGNED", 409, "the signature field is already signed";
    /// The rectangle lies outside the page as displayed.
    PdfFieldOutsidePage = 3013, "PDF_FIELD_OUTSIDE_PAGE", 422, "the field rectangle lies outside the page";
    /// The anchor text was not found on the page or in the document.
    PdfAnchorNotFound = 3014, "PDF_ANCHOR_NOT_FOUND", 422, "the anchor text was not found";
    /// The signature image is not a PNG this engine can read.
    PdfImageInvalid = 3015, "PDF_IMAGE_INVALID", 422, "the image is not a readable PNG";
    /// No available font has a glyph for a character of the text.
    PdfTextUnsupported = 3016, "PDF_TEXT_UNSUPPORTED", 422, "no available font can draw this text";
    /// The field exists but is of another type than the operation needs.
    PdfFieldTypeMismatch = 3017, "PDF_FIELD_TYPE_MISMATCH", 422, "the form field has another type";
    /// The PDF uses a construct this engine does not support for this operation.
    PdfUnsupported = 3018, "PDF_UNSUPPORTED", 422, "the PDF uses a construct that is not supported here";
    /// A page's content has more operators than the limit.
    PdfContentTooComplex = 3019, "PDF_CONTENT_TOO_COMPLEX", 422, "a page's content has more operations than the limit";
    /// Several form fields have the name given; the candidates are listed.
    PdfFieldAmbiguous = 3020, "PDF_FIELD_AMBIGUOUS", 409, "several form fields have this name";
    /// The text cannot be drawn at a legible size in the space it has.
    PdfTextTooLong = 3021, "PDF_TEXT_TOO_LONG", 422, "the text does not fit legibly in its field";
    /// A number in the PDF (a page size, a rectangle) is outside what a page can hold.
    PdfNumberOutOfRange = 3022, "PDF_NUMBER_OUT_OF_RANGE", 422, "a number in the PDF is out of range";
    /// The PDF holds more syntax (numbers, names, strings, arrays) than the memory budget allows.
    PdfTooComplex = 3023, "PDF_TOO_COMPLEX", 422, "the PDF holds more objects' syntax than the limit";
    /// An earlier signature's field lock (FieldMDP, ISO 32000-2 §12.8.2.4) forbids the change.
    PdfFieldLocked = 3024, "PDF_FIELD_LOCKED", 422, "an earlier signature locks what the change would touch";
    /// The PDF's structure is damaged (cross-reference entries that do not lead to their objects): an update on it would not be readable by strict readers.
    PdfDamaged = 3025, "PDF_DAMAGED", 422, "the PDF's structure is damaged and needs repair first";
    /// The encrypted PDF's permissions (`/P`) forbid the change, and the owner password was not given.
    PdfPermissionDenied = 3026, "PDF_PERMISSION_DENIED", 422, "the PDF's permissions forbid the change";
    /// The password given does not open the encrypted PDF.
    PdfWrongPassword = 3027, "PDF_WRONG_PASSWORD", 422, "the password does not open the PDF";

    // 4000–4999: signatures, keys and certificates
    /// The signing certificate's validity ended before the signing time.
    CertExpired = 4001, "CERT_EXPIRED", 422, "the certificate has expired";
    /// The signing certificate's validity starts after the signing time.
    CertNotYetValid = 4002, "CERT_NOT_YET_VALID", 422, "the certificate is not yet valid";
    /// The private key does not belong to the certificate.
    KeyCertMismatch = 4003, "KEY_CERT_MISMATCH", 422, "the private key does not match the certificate";
    /// The private key cannot be read.
    KeyInvalid = 4004, "KEY_INVALID", 422, "the private key cannot be read";
    /// A certificate cannot be read.
    CertInvalid = 4005, "CERT_INVALID", 422, "the certificate cannot be read";
    /// The PKCS#12 password is wrong.
    Pkcs12BadPassword = 4006, "PKCS12_BAD_PASSWORD", 422, "the PKCS#12 password is wrong";
    /// The PKCS#12 file cannot be read or holds no key and certificate.
    Pkcs12Invalid = 4007, "PKCS12_INVALID", 422, "the PKCS#12 file cannot be read";
    /// The key, digest or signature algorithm is not supported.
    UnsupportedAlgorithm = 4008, "UNSUPPORTED_ALGORITHM", 422, "the algorithm is not supported";
    /// The CMS signature does not fit in the space reserved for it.
    SignatureTooLarge = 4009, "SIGNATURE_TOO_LARGE", 422, "the signature does not fit in the reserved space";
    /// The signer (a key, an HSM, a KMS) failed to produce a signature value.
    SigningFailed = 4010, "SIGNING_FAILED", 502, "the signer failed to sign";
    /// A time-stamp token or response is invalid or does not match the signature.
    TimestampInvalid = 4011, "TIMESTAMP_INVALID", 502, "the time-stamp token is invalid";
    /// A signature's CMS or dictionary cannot be read.
    SignatureMalformed = 4012, "SIGNATURE_MALFORMED", 422, "the signature cannot be read";
    /// A pending two-phase signature does not match the value or document given to finish it.
    PendingSignatureInvalid = 4013, "PENDING_SIGNATURE_INVALID", 422, "the pending signature is invalid";
    /// The PDF carries no signature to verify.
    SignatureNotFound = 4014, "SIGNATURE_NOT_FOUND", 422, "the PDF has no signature";
    /// A signature is not intact: its digest, value or byte range fails, or the document changed after it in a way that is not allowed.
    SignatureInvalid = 4015, "SIGNATURE_INVALID", 422, "a signature is not intact";
    /// A certificate chain does not lead to a trust anchor, or a certificate in it was not valid at the validation time.
    CertUntrusted = 4016, "CERT_UNTRUSTED", 422, "the certificate chain is not trusted";
    /// A certificate asked to issue others is not a CA's: no basicConstraints cA, or no keyCertSign.
    CertNotCa = 4017, "CERT_NOT_CA", 422, "the certificate cannot issue certificates";
    /// Revocation data (a CRL or an OCSP response) given for a Document Security Store cannot be read, or is not a successful response.
    RevocationDataInvalid = 4018, "REVOCATION_DATA_INVALID", 422, "the revocation data cannot be read";
    /// No OCSP responder or CRL distribution point a certificate names gave revocation data for it.
    RevocationUnavailable = 4019, "REVOCATION_UNAVAILABLE", 502, "the revocation data could not be fetched";

    // 5000–5999: audit trail
    /// Evidence JSON is malformed, or its summary contradicts its records.
    AuditEvidenceInvalid = 5001, "AUDIT_EVIDENCE_INVALID", 422, "the evidence is malformed or inconsistent";
    /// The PDF carries no embedded evidence file.
    AuditEvidenceNotFound = 5002, "AUDIT_EVIDENCE_NOT_FOUND", 422, "the PDF carries no embedded evidence";
    /// The evidence hash chain is broken; nothing is rendered from it.
    AuditChainBroken = 5003, "AUDIT_CHAIN_BROKEN", 422, "the evidence hash chain is broken";
    /// The PDF layout library failed to write the audit trail.
    AuditRenderFailed = 5004, "AUDIT_RENDER_FAILED", 500, "the audit-trail PDF could not be rendered";
    /// The audit trail's seal is broken, missing, or does not cover the whole file.
    AuditSealInvalid = 5005, "AUDIT_SEAL_INVALID", 422, "the audit trail's seal is not valid";
    /// The document given is not the envelope's final document.
    AuditDocumentMismatch = 5006, "AUDIT_DOCUMENT_MISMATCH", 422, "the document is not the one the audit trail attests";

    // 6000–6999: webhooks
    /// A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is missing.
    WebhookMissingHeader = 6001, "WEBHOOK_MISSING_HEADER", 400, "a required webhook header is missing";
    /// `webhook-timestamp` is not an integer number of seconds.
    WebhookInvalidTimestamp = 6002, "WEBHOOK_INVALID_TIMESTAMP", 400, "the webhook timestamp is not valid";
    /// The timestamp is older than the tolerance.
    WebhookTimestampTooOld = 6003, "WEBHOOK_TIMESTAMP_TOO_OLD", 401, "the webhook timestamp is too old";
    /// The timestamp is further in the future than the tolerance.
    WebhookTimestampTooNew = 6004, "WEBHOOK_TIMESTAMP_TOO_NEW", 401, "the webhook timestamp is too far in the future";
    /// No signature in the header matches the payload.
    WebhookSignatureMismatch = 6005, "WEBHOOK_SIGNATURE_MISMATCH", 401, "no webhook signature matches the payload";
    /// The secret is empty, not base64 or of an unsupported length.
    WebhookInvalidSecret = 6006, "WEBHOOK_INVALID_SECRET", 400, "the webhook secret is not valid";
    /// A message id is empty or contains a character that would make the signed content ambiguous.
    WebhookInvalidMessageId = 6007, "WEBHOOK_INVALID_MESSAGE_ID", 400, "the webhook message id is not valid";

    // 7000–7999: API surfaces (authentication, authorisation, transport)
    /// The request carries no API key or token, or one that is not valid.
    Unauthenticated = 7001, "UNAUTHENTICATED", 401, "the request has no valid credentials";
    /// The API key has been revoked.
    ApiKeyRevoked = 7002, "API_KEY_REVOKED", 401, "the API key has been revoked";
    /// The credentials lack a scope the operation needs.
    InsufficientScope = 7003, "INSUFFICIENT_SCOPE", 403, "the credentials lack a scope this operation needs";
    /// No resource with this id exists for these credentials.
    ResourceNotFound = 7004, "RESOURCE_NOT_FOUND", 404, "no resource with this id exists";
    /// No route matches the request's path.
    RouteNotFound = 7005, "ROUTE_NOT_FOUND", 404, "no route matches this path";
    /// The route exists but not for this HTTP method.
    MethodNotAllowed = 7006, "METHOD_NOT_ALLOWED", 405, "the route does not accept this method";
    /// Too many requests for these credentials; retry after the time given.
    RateLimited = 7007, "RATE_LIMITED", 429, "too many requests; retry later";
    /// The request body is larger than the limit.
    PayloadTooLarge = 7008, "PAYLOAD_TOO_LARGE", 413, "the request body is larger than the limit";
    /// The request body's media type is not one this route accepts.
    UnsupportedMediaType = 7009, "UNSUPPORTED_MEDIA_TYPE", 415, "the media type is not supported";
    /// An idempotency key was reused with a different request.
    IdempotencyKeyReused = 7010, "IDEMPOTENCY_KEY_REUSED", 422, "the idempotency key was used for another request";
    /// Another request changed the resource at the same time; retry.
    ConcurrentModification = 7011, "CONCURRENT_MODIFICATION", 409, "the resource was changed by another request";
    /// The token has expired: log in again for a new one.
    TokenExpired = 7012, "TOKEN_EXPIRED", 401, "the token has expired; log in again";
    /// The token is malformed, has a wrong signature, algorithm or audience, or was revoked.
    TokenInvalid = 7013, "TOKEN_INVALID", 401, "the token is not valid";
    /// The signing or editor link has expired or has been used.
    LinkExpired = 7014, "LINK_EXPIRED", 410, "the link has expired or is no longer valid";
    /// The webhook URL is not allowed (not HTTPS, or a loopback, private or link-local address).
    WebhookUrlForbidden = 7015, "WEBHOOK_URL_FORBIDDEN", 400, "the webhook URL is not allowed";
    /// The server cannot store data now (disk full, read-only storage); retry later.
    StorageUnavailable = 7016, "STORAGE_UNAVAILABLE", 503, "storage is unavailable; retry later";

    // 9000–9999: internal
    /// A bug in paraph: please report it.
    Internal = 9001, "INTERNAL", 500, "an internal error occurred";
    /// A panic was caught at a language boundary (C ABI, Python, Node).
    Panic = 9002, "PANIC", 500, "a panic was caught at a language boundary";
}

impl ErrorCode {
    /// The stable number.
    pub const fn number(self) -> u32 {
        self as u32
    }

    /// The family, given by the number's range.
    pub const fn family(self) -> ErrorFamily {
        match ErrorFamily::of_number(self.number()) {
            Some(family) => family,
            None => ErrorFamily::Internal,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code {name:?}")))
    }
}

/// Numbers and names that were once issued and are no longer used. They
/// are never given to another code.
pub const RETIRED_CODES: &[RetiredCode] = &[];

/// A code that is no longer issued: its number and name stay reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetiredCode {
    /// The number, never reused.
    pub code: u32,
    /// The name it had.
    pub name: &'static str,
    /// Why it was retired.
    pub reason: &'static str,
}

/// One row of the exported error table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorCodeEntry {
    /// The stable number.
    pub code: u32,
    /// The SCREAMING_SNAKE name.
    pub name: String,
    /// The family name (`"envelope"`).
    pub family: String,
    /// The HTTP status every surface answers with.
    pub http_status: u16,
    /// The generic description.
    pub message: String,
}

/// A retired row of the exported error table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetiredCodeEntry {
    /// The number, never reused.
    pub code: u32,
    /// The name it had.
    pub name: String,
    /// Why it was retired.
    pub reason: String,
}

/// The table of every error code, as exported to `fixtures/vectors/error_codes.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorCodeTable {
    /// Version of this table's shape.
    pub schema_version: u32,
    /// One entry per code, in number order.
    pub codes: Vec<ErrorCodeEntry>,
    /// Codes no longer issued, whose numbers stay reserved.
    pub retired: Vec<RetiredCodeEntry>,
}

impl ErrorCodeTable {
    /// The table of this build.
    pub fn current() -> Self {
        Self {
            schema_version: 2,
            codes: ErrorCode::ALL
                .iter()
                .map(|&code| ErrorCodeEntry {
                    code: code.number(),
                    name: code.name().to_owned(),
                    family: code.family().name().to_owned(),
                    http_status: code.http_status(),
                    message: code.description().to_owned(),
                })
                .collect(),
            retired: RETIRED_CODES
                .iter()
                .map(|r| RetiredCodeEntry {
                    code: r.code,
                    name: r.name.to_owned(),
                    reason: r.reason.to_owned(),
                })
                .collect(),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::new(ErrorCode::MalformedJson, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_lies_in_its_family_range() {
        for &code in ErrorCode::ALL {
            assert!(
                ErrorFamily::of_number(code.number()).is_some(),
                "{code} ({}) is outside every family range",
                code.number()
            );
        }
    }

    #[test]
    fn numbers_and_names_are_unique_and_round_trip() {
        let mut numbers = HashSet::new();
        let mut names = HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(numbers.insert(code.number()), "number reused: {code}");
            assert!(names.insert(code.name()), "name reused: {code}");
            assert_eq!(ErrorCode::from_number(code.number()), Some(code));
            assert_eq!(ErrorCode::from_name(code.name()), Some(code));
        }
    }

    #[test]
    fn names_are_screaming_snake_case() {
        for &code in ErrorCode::ALL {
            assert!(
                code.name()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{} is not SCREAMING_SNAKE",
                code.name()
            );
        }
    }

    #[test]
    fn codes_are_listed_in_number_order() {
        let numbers: Vec<u32> = ErrorCode::ALL.iter().map(|c| c.number()).collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(numbers, sorted);
    }

    #[test]
    fn exported_table_matches_the_enum() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/vectors/error_codes.json"
        );
        let current = ErrorCodeTable::current();
        let rendered = serde_json::to_string_pretty(&current).expect("serialize") + "\n";
        if std::env::var_os("PARAPH_BLESS").is_some() {
            std::fs::write(path, &rendered).expect("write error table");
        }
        let committed = std::fs::read_to_string(path).expect(
            "fixtures/vectors/error_codes.json is missing: run with PARAPH_BLESS=1 to create it",
        );
        let table: ErrorCodeTable = serde_json::from_str(&committed).expect("parse error table");
        assert_eq!(
            table, current,
            "fixtures/vectors/error_codes.json is stale: run `PARAPH_BLESS=1 cargo test -p paraph` and commit it"
        );
        assert_eq!(committed, rendered, "error table formatting drifted");
    }

    /// Every (number, name) ever issued, in the order they were issued.
    /// Append to it when adding a code; never edit or remove a line. It is
    /// not generated, so re-blessing the JSON table cannot hide a removed
    /// or renumbered code.
    const LEDGER: &[(u32, &str)] = &[
        (1001, "INVALID_ARGUMENT"),
        (1002, "MALFORMED_JSON"),
        (1003, "UNSUPPORTED_SCHEMA_VERSION"),
        (1004, "IO_ERROR"),
        (2001, "ENVELOPE_NOT_DRAFT"),
        (2002, "ENVELOPE_NOT_SENT"),
        (2003, "ENVELOPE_TERMINAL"),
        (2004, "ENVELOPE_DELETED"),
        (2005, "ENVELOPE_ALREADY_EXISTS"),
        (2006, "ENVELOPE_NOT_FOUND"),
        (2007, "ENVELOPE_EXPIRED"),
        (2008, "ENVELOPE_NOT_EXPIRED"),
        (2009, "NO_DOCUMENT"),
        (2010, "NO_SIGNER"),
        (2011, "DUPLICATE_ID"),
        (2012, "DOCUMENT_NOT_FOUND"),
        (2013, "RECIPIENT_NOT_FOUND"),
        (2014, "FIELD_NOT_FOUND"),
        (2015, "RECIPIENT_NOT_ACTIVE"),
        (2016, "RECIPIENT_ALREADY_ACTED"),
        (2017, "RECIPIENT_ROLE_MISMATCH"),
        (2018, "FIELD_RECIPIENT_NOT_ALLOWED"),
        (2019, "FIELD_OUT_OF_BOUNDS"),
        (2020, "FIELD_NOT_OWNED"),
        (2021, "FIELD_VALUE_INVALID"),
        (2022, "REQUIRED_FIELD_MISSING"),
        (2023, "REASON_REQUIRED"),
        (2024, "ACTOR_NOT_ALLOWED"),
        (2025, "INVALID_RECIPIENT"),
        (2026, "INVALID_ENVELOPE"),
        (2027, "INVALID_EVENT_LOG"),
        (2028, "TIME_BEFORE_LAST_EVENT"),
        (2029, "SIGNATURE_MARK_INVALID"),
        (2030, "CONSENT_INVALID"),
        (3001, "PDF_MALFORMED"),
        (3002, "PDF_ENCRYPTED"),
        (3003, "PDF_TOO_LARGE"),
        (3004, "PDF_TOO_MANY_OBJECTS"),
        (3005, "PDF_NESTING_TOO_DEEP"),
        (3006, "PDF_DECOMPRESSION_LIMIT"),
        (3007, "PDF_REFERENCE_CYCLE"),
        (3008, "PDF_TOO_MANY_PAGES"),
        (3009, "PDF_PAGE_NOT_FOUND"),
        (3010, "PDF_FIELD_NOT_FOUND"),
        (3011, "PDF_FIELD_EXISTS"),
        (3012, "PDF_FIELD_ALREADY_SIGNED"),
        (3013, "PDF_FIELD_OUTSIDE_PAGE"),
        (3014, "PDF_ANCHOR_NOT_FOUND"),
        (3015, "PDF_IMAGE_INVALID"),
        (3016, "PDF_TEXT_UNSUPPORTED"),
        (3017, "PDF_FIELD_TYPE_MISMATCH"),
        (3018, "PDF_UNSUPPORTED"),
        (3019, "PDF_CONTENT_TOO_COMPLEX"),
        (4001, "CERT_EXPIRED"),
        (4002, "CERT_NOT_YET_VALID"),
        (4003, "KEY_CERT_MISMATCH"),
        (4004, "KEY_INVALID"),
        (4005, "CERT_INVALID"),
        (4006, "PKCS12_BAD_PASSWORD"),
        (4007, "PKCS12_INVALID"),
        (4008, "UNSUPPORTED_ALGORITHM"),
        (4009, "SIGNATURE_TOO_LARGE"),
        (4010, "SIGNING_FAILED"),
        (4011, "TIMESTAMP_INVALID"),
        (4012, "SIGNATURE_MALFORMED"),
        (4013, "PENDING_SIGNATURE_INVALID"),
        (4014, "SIGNATURE_NOT_FOUND"),
        (4015, "SIGNATURE_INVALID"),
        (4016, "CERT_UNTRUSTED"),
        (4017, "CERT_NOT_CA"),
        (4018, "REVOCATION_DATA_INVALID"),
        (4019, "REVOCATION_UNAVAILABLE"),
        (5001, "AUDIT_EVIDENCE_INVALID"),
        (5002, "AUDIT_EVIDENCE_NOT_FOUND"),
        (5003, "AUDIT_CHAIN_BROKEN"),
        (5004, "AUDIT_RENDER_FAILED"),
        (5005, "AUDIT_SEAL_INVALID"),
        (5006, "AUDIT_DOCUMENT_MISMATCH"),
        (6001, "WEBHOOK_MISSING_HEADER"),
        (6002, "WEBHOOK_INVALID_TIMESTAMP"),
        (6003, "WEBHOOK_TIMESTAMP_TOO_OLD"),
        (6004, "WEBHOOK_TIMESTAMP_TOO_NEW"),
        (6005, "WEBHOOK_SIGNATURE_MISMATCH"),
        (6006, "WEBHOOK_INVALID_SECRET"),
        (6007, "WEBHOOK_INVALID_MESSAGE_ID"),
        (7001, "UNAUTHENTICATED"),
        (7002, "API_KEY_REVOKED"),
        (7003, "INSUFFICIENT_SCOPE"),
        (7004, "RESOURCE_NOT_FOUND"),
        (7005, "ROUTE_NOT_FOUND"),
        (7006, "METHOD_NOT_ALLOWED"),
        (7007, "RATE_LIMITED"),
        (7008, "PAYLOAD_TOO_LARGE"),
        (7009, "UNSUPPORTED_MEDIA_TYPE"),
        (7010, "IDEMPOTENCY_KEY_REUSED"),
        (7011, "CONCURRENT_MODIFICATION"),
        (7012, "TOKEN_EXPIRED"),
        (7013, "TOKEN_INVALID"),
        (7014, "LINK_EXPIRED"),
        (7015, "WEBHOOK_URL_FORBIDDEN"),
        (7016, "STORAGE_UNAVAILABLE"),
        (9001, "INTERNAL"),
        (9002, "PANIC"),
        (2031, "SIGNER_WITHOUT_FIELD"),
        (2032, "ADVANCED_REQUIRES_STRONG_AUTH"),
        (2033, "RECIPIENT_NOT_AUTHENTICATED"),
        (2034, "RECIPIENT_LOCKED"),
        (2035, "CONSENT_REQUIRED"),
        (2036, "ENVELOPE_AWAITING_COMPLETION"),
        (2037, "ENVELOPE_NOT_READY"),
        (2038, "ENVELOPE_HAS_SIGNATURES"),
        (2039, "FIELD_NOT_PLACED"),
        (2040, "DUPLICATE_EMAIL"),
        (2041, "DOCUMENT_MISMATCH"),
        (3020, "PDF_FIELD_AMBIGUOUS"),
        (3021, "PDF_TEXT_TOO_LONG"),
        (3022, "PDF_NUMBER_OUT_OF_RANGE"),
        (3023, "PDF_TOO_COMPLEX"),
        (3024, "PDF_FIELD_LOCKED"),
        (3025, "PDF_DAMAGED"),
        (3026, "PDF_PERMISSION_DENIED"),
        (3027, "PDF_WRONG_PASSWORD"),
    ];

    #[test]
    fn no_code_ever_issued_is_removed_or_renumbered() {
        for &(number, name) in LEDGER {
            let current = ErrorCode::from_number(number).map(ErrorCode::name);
            let retired = RETIRED_CODES
                .iter()
                .any(|r| r.code == number && r.name == name);
            assert!(
                current == Some(name) || (current.is_none() && retired),
                "code {number} {name} was removed or renumbered (now {current:?}); retire it in RETIRED_CODES instead"
            );
        }
        for &code in ErrorCode::ALL {
            assert!(
                LEDGER.contains(&(code.number(), code.name())),
                "{code} ({}) is new: append it to LEDGER",
                code.number()
            );
        }
        for retired in RETIRED_CODES {
            assert!(ErrorCode::from_number(retired.code).is_none());
            assert!(ErrorCode::from_name(retired.name).is_none());
        }
    }

    #[test]
    fn http_statuses_are_client_or_server_errors() {
        for &code in ErrorCode::ALL {
            let status = code.http_status();
            assert!((400..=599).contains(&status), "{code} has status {status}");
            if code.family() == ErrorFamily::Internal {
                assert_eq!(status, 500);
            }
        }
        assert_eq!(ErrorCode::NoSigner.http_status(), 409);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
    }

    #[test]
    fn error_code_serializes_as_its_name() {
        let json = serde_json::to_string(&ErrorCode::WebhookSignatureMismatch).expect("json");
        assert_eq!(json, "\"WEBHOOK_SIGNATURE_MISMATCH\"");
        let back: ErrorCode = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, ErrorCode::WebhookSignatureMismatch);
        assert!(serde_json::from_str::<ErrorCode>("\"NOPE\"").is_err());
    }
}

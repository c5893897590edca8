//! [`paraph_result`]: `PARAPH_OK` or one of the core's error codes.
//!
//! The enum is written out (cbindgen reads source, not macro output) but
//! not by hand: the block between the markers is rendered from
//! [`ErrorCode::ALL`] by the test `result_enum_is_rendered_from_the_core`,
//! which fails when it is stale and rewrites it under `PARAPH_BLESS=1`.

use paraph_core::ErrorCode;

impl paraph_result {
    /// The result for a core error code.
    ///
    /// A code this crate does not know yet (the core added one and the
    /// block below was not re-rendered, which a test catches) maps to
    /// `PARAPH_E_INTERNAL`; the caller keeps the real code in the message.
    pub(crate) fn of(code: ErrorCode) -> Self {
        Self::from_number(code.number()).unwrap_or(Self::PARAPH_E_INTERNAL)
    }

    /// The number, as C sees it.
    pub(crate) const fn number(self) -> u32 {
        self as u32
    }
}

// BEGIN GENERATED: rendered from paraph_core::ErrorCode::ALL by `PARAPH_BLESS=1 cargo test -p paraph-ffi result`. Do not edit.
/// The result of every fallible function: `PARAPH_OK` (0), or one of the
/// core's stable error codes, with the numbers and names of
/// `fixtures/vectors/error_codes.json`. Numbers are grouped in ranges per
/// family (1xxx general, 2xxx envelope, 3xxx PDF, 4xxx signature, 5xxx
/// audit, 6xxx webhook, 7xxx API, 9xxx internal) and never reused.
///
/// `paraph_result_message`, `paraph_result_name` and
/// `paraph_result_http_status` describe a code; `paraph_last_error_message`
/// gives the detail of the last failure on the calling thread.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum paraph_result {
    /// Success.
    PARAPH_OK = 0,
    /// 1001 INVALID_ARGUMENT (HTTP 400): an argument is invalid.
    PARAPH_E_INVALID_ARGUMENT = 1001,
    /// 1002 MALFORMED_JSON (HTTP 400): the JSON input is malformed or does not have the expected shape.
    PARAPH_E_MALFORMED_JSON = 1002,
    /// 1003 UNSUPPORTED_SCHEMA_VERSION (HTTP 422): the schema version is not supported by this version of paraph.
    PARAPH_E_UNSUPPORTED_SCHEMA_VERSION = 1003,
    /// 1004 IO_ERROR (HTTP 500): reading or writing a file failed.
    PARAPH_E_IO_ERROR = 1004,
    /// 2001 ENVELOPE_NOT_DRAFT (HTTP 409): the envelope is no longer a draft.
    PARAPH_E_ENVELOPE_NOT_DRAFT = 2001,
    /// 2002 ENVELOPE_NOT_SENT (HTTP 409): the envelope has not been sent.
    PARAPH_E_ENVELOPE_NOT_SENT = 2002,
    /// 2003 ENVELOPE_TERMINAL (HTTP 409): the envelope is completed, declined, voided or expired and accepts no command.
    PARAPH_E_ENVELOPE_TERMINAL = 2003,
    /// 2004 ENVELOPE_DELETED (HTTP 410): the envelope has been deleted.
    PARAPH_E_ENVELOPE_DELETED = 2004,
    /// 2005 ENVELOPE_ALREADY_EXISTS (HTTP 409): the envelope already exists.
    PARAPH_E_ENVELOPE_ALREADY_EXISTS = 2005,
    /// 2006 ENVELOPE_NOT_FOUND (HTTP 404): the envelope does not exist.
    PARAPH_E_ENVELOPE_NOT_FOUND = 2006,
    /// 2007 ENVELOPE_EXPIRED (HTTP 410): the envelope's expiry time has passed.
    PARAPH_E_ENVELOPE_EXPIRED = 2007,
    /// 2008 ENVELOPE_NOT_EXPIRED (HTTP 409): the envelope's expiry time has not been reached.
    PARAPH_E_ENVELOPE_NOT_EXPIRED = 2008,
    /// 2009 NO_DOCUMENT (HTTP 409): the envelope has no document.
    PARAPH_E_NO_DOCUMENT = 2009,
    /// 2010 NO_SIGNER (HTTP 409): the envelope has no signer.
    PARAPH_E_NO_SIGNER = 2010,
    /// 2011 DUPLICATE_ID (HTTP 409): the id is already used in this envelope.
    PARAPH_E_DUPLICATE_ID = 2011,
    /// 2012 DOCUMENT_NOT_FOUND (HTTP 404): no document has this id.
    PARAPH_E_DOCUMENT_NOT_FOUND = 2012,
    /// 2013 RECIPIENT_NOT_FOUND (HTTP 404): no recipient has this id.
    PARAPH_E_RECIPIENT_NOT_FOUND = 2013,
    /// 2014 FIELD_NOT_FOUND (HTTP 404): no field has this id.
    PARAPH_E_FIELD_NOT_FOUND = 2014,
    /// 2015 RECIPIENT_NOT_ACTIVE (HTTP 409): the recipient cannot act now.
    PARAPH_E_RECIPIENT_NOT_ACTIVE = 2015,
    /// 2016 RECIPIENT_ALREADY_ACTED (HTTP 409): the recipient has already acted.
    PARAPH_E_RECIPIENT_ALREADY_ACTED = 2016,
    /// 2017 RECIPIENT_ROLE_MISMATCH (HTTP 409): the recipient's role does not allow this action.
    PARAPH_E_RECIPIENT_ROLE_MISMATCH = 2017,
    /// 2018 FIELD_RECIPIENT_NOT_ALLOWED (HTTP 422): this kind of field cannot belong to this recipient.
    PARAPH_E_FIELD_RECIPIENT_NOT_ALLOWED = 2018,
    /// 2019 FIELD_OUT_OF_BOUNDS (HTTP 422): the field lies outside its document.
    PARAPH_E_FIELD_OUT_OF_BOUNDS = 2019,
    /// 2020 FIELD_NOT_OWNED (HTTP 403): the field belongs to another recipient.
    PARAPH_E_FIELD_NOT_OWNED = 2020,
    /// 2021 FIELD_VALUE_INVALID (HTTP 422): the value is not valid for this field.
    PARAPH_E_FIELD_VALUE_INVALID = 2021,
    /// 2022 REQUIRED_FIELD_MISSING (HTTP 422): a required field has no value.
    PARAPH_E_REQUIRED_FIELD_MISSING = 2022,
    /// 2023 REASON_REQUIRED (HTTP 422): a reason is required.
    PARAPH_E_REASON_REQUIRED = 2023,
    /// 2024 ACTOR_NOT_ALLOWED (HTTP 403): the actor is not allowed to issue this command.
    PARAPH_E_ACTOR_NOT_ALLOWED = 2024,
    /// 2025 INVALID_RECIPIENT (HTTP 422): the recipient is invalid.
    PARAPH_E_INVALID_RECIPIENT = 2025,
    /// 2026 INVALID_ENVELOPE (HTTP 422): the envelope is invalid.
    PARAPH_E_INVALID_ENVELOPE = 2026,
    /// 2027 INVALID_EVENT_LOG (HTTP 422): the event log is not a valid history of one envelope.
    PARAPH_E_INVALID_EVENT_LOG = 2027,
    /// 2028 TIME_BEFORE_LAST_EVENT (HTTP 409): the command's time is before the envelope's last event.
    PARAPH_E_TIME_BEFORE_LAST_EVENT = 2028,
    /// 2029 SIGNATURE_MARK_INVALID (HTTP 422): the signature mark is not valid.
    PARAPH_E_SIGNATURE_MARK_INVALID = 2029,
    /// 2030 CONSENT_INVALID (HTTP 422): the consent record is not valid.
    PARAPH_E_CONSENT_INVALID = 2030,
    /// 2031 SIGNER_WITHOUT_FIELD (HTTP 409): a signer has no signature field.
    PARAPH_E_SIGNER_WITHOUT_FIELD = 2031,
    /// 2032 ADVANCED_REQUIRES_STRONG_AUTH (HTTP 409): an advanced signature needs SMS or access-code authentication.
    PARAPH_E_ADVANCED_REQUIRES_STRONG_AUTH = 2032,
    /// 2033 RECIPIENT_NOT_AUTHENTICATED (HTTP 403): the recipient has not authenticated.
    PARAPH_E_RECIPIENT_NOT_AUTHENTICATED = 2033,
    /// 2034 RECIPIENT_LOCKED (HTTP 403): the recipient is locked out after too many failed attempts.
    PARAPH_E_RECIPIENT_LOCKED = 2034,
    /// 2035 CONSENT_REQUIRED (HTTP 409): the signer has not consented to sign electronically.
    PARAPH_E_CONSENT_REQUIRED = 2035,
    /// 2036 ENVELOPE_AWAITING_COMPLETION (HTTP 409): the envelope is waiting for its completion.
    PARAPH_E_ENVELOPE_AWAITING_COMPLETION = 2036,
    /// 2037 ENVELOPE_NOT_READY (HTTP 409): not every signer and approver has acted.
    PARAPH_E_ENVELOPE_NOT_READY = 2037,
    /// 2038 ENVELOPE_HAS_SIGNATURES (HTTP 409): the envelope has been signed or approved.
    PARAPH_E_ENVELOPE_HAS_SIGNATURES = 2038,
    /// 2039 FIELD_NOT_PLACED (HTTP 409): an anchored field was not placed.
    PARAPH_E_FIELD_NOT_PLACED = 2039,
    /// 2040 DUPLICATE_EMAIL (HTTP 409): another recipient has this email address.
    PARAPH_E_DUPLICATE_EMAIL = 2040,
    /// 2041 DOCUMENT_MISMATCH (HTTP 422): the document's bytes are not the ones the envelope records.
    PARAPH_E_DOCUMENT_MISMATCH = 2041,
    /// 3001 PDF_MALFORMED (HTTP 422): the file is not a readable PDF.
    PARAPH_E_PDF_MALFORMED = 3001,
    /// 3002 PDF_ENCRYPTED (HTTP 422): the PDF is encrypted.
    PARAPH_E_PDF_ENCRYPTED = 3002,
    /// 3003 PDF_TOO_LARGE (HTTP 413): the PDF file is larger than the limit.
    PARAPH_E_PDF_TOO_LARGE = 3003,
    /// 3004 PDF_TOO_MANY_OBJECTS (HTTP 422): the PDF has more objects than the limit.
    PARAPH_E_PDF_TOO_MANY_OBJECTS = 3004,
    /// 3005 PDF_NESTING_TOO_DEEP (HTTP 422): the PDF nests objects deeper than the limit.
    PARAPH_E_PDF_NESTING_TOO_DEEP = 3005,
    /// 3006 PDF_DECOMPRESSION_LIMIT (HTTP 422): a PDF stream decompresses to more than the limit.
    PARAPH_E_PDF_DECOMPRESSION_LIMIT = 3006,
    /// 3007 PDF_REFERENCE_CYCLE (HTTP 422): the PDF has a reference cycle.
    PARAPH_E_PDF_REFERENCE_CYCLE = 3007,
    /// 3008 PDF_TOO_MANY_PAGES (HTTP 422): the PDF has more pages than the limit.
    PARAPH_E_PDF_TOO_MANY_PAGES = 3008,
    /// 3009 PDF_PAGE_NOT_FOUND (HTTP 422): the page does not exist.
    PARAPH_E_PDF_PAGE_NOT_FOUND = 3009,
    /// 3010 PDF_FIELD_NOT_FOUND (HTTP 422): no form field has this name.
    PARAPH_E_PDF_FIELD_NOT_FOUND = 3010,
    /// 3011 PDF_FIELD_EXISTS (HTTP 409): a form field with this name already exists.
    PARAPH_E_PDF_FIELD_EXISTS = 3011,
    /// 3012 PDF_FIELD_ALREADY_SIGNED (HTTP 409): the signature field is already signed.
    PARAPH_E_PDF_FIELD_ALREADY_SIGNED = 3012,
    /// 3013 PDF_FIELD_OUTSIDE_PAGE (HTTP 422): the field rectangle lies outside the page.
    PARAPH_E_PDF_FIELD_OUTSIDE_PAGE = 3013,
    /// 3014 PDF_ANCHOR_NOT_FOUND (HTTP 422): the anchor text was not found.
    PARAPH_E_PDF_ANCHOR_NOT_FOUND = 3014,
    /// 3015 PDF_IMAGE_INVALID (HTTP 422): the image is not a readable PNG.
    PARAPH_E_PDF_IMAGE_INVALID = 3015,
    /// 3016 PDF_TEXT_UNSUPPORTED (HTTP 422): no available font can draw this text.
    PARAPH_E_PDF_TEXT_UNSUPPORTED = 3016,
    /// 3017 PDF_FIELD_TYPE_MISMATCH (HTTP 422): the form field has another type.
    PARAPH_E_PDF_FIELD_TYPE_MISMATCH = 3017,
    /// 3018 PDF_UNSUPPORTED (HTTP 422): the PDF uses a construct that is not supported here.
    PARAPH_E_PDF_UNSUPPORTED = 3018,
    /// 3019 PDF_CONTENT_TOO_COMPLEX (HTTP 422): a page's content has more operations than the limit.
    PARAPH_E_PDF_CONTENT_TOO_COMPLEX = 3019,
    /// 3020 PDF_FIELD_AMBIGUOUS (HTTP 409): several form fields have this name.
    PARAPH_E_PDF_FIELD_AMBIGUOUS = 3020,
    /// 3021 PDF_TEXT_TOO_LONG (HTTP 422): the text does not fit legibly in its field.
    PARAPH_E_PDF_TEXT_TOO_LONG = 3021,
    /// 3022 PDF_NUMBER_OUT_OF_RANGE (HTTP 422): a number in the PDF is out of range.
    PARAPH_E_PDF_NUMBER_OUT_OF_RANGE = 3022,
    /// 3023 PDF_TOO_COMPLEX (HTTP 422): the PDF holds more objects' syntax than the limit.
    PARAPH_E_PDF_TOO_COMPLEX = 3023,
    /// 3024 PDF_FIELD_LOCKED (HTTP 422): an earlier signature locks what the change would touch.
    PARAPH_E_PDF_FIELD_LOCKED = 3024,
    /// 3025 PDF_DAMAGED (HTTP 422): the PDF's structure is damaged and needs repair first.
    PARAPH_E_PDF_DAMAGED = 3025,
    /// 3026 PDF_PERMISSION_DENIED (HTTP 422): the PDF's permissions forbid the change.
    PARAPH_E_PDF_PERMISSION_DENIED = 3026,
    /// 3027 PDF_WRONG_PASSWORD (HTTP 422): the password does not open the PDF.
    PARAPH_E_PDF_WRONG_PASSWORD = 3027,
    /// 4001 CERT_EXPIRED (HTTP 422): the certificate has expired.
    PARAPH_E_CERT_EXPIRED = 4001,
    /// 4002 CERT_NOT_YET_VALID (HTTP 422): the certificate is not yet valid.
    PARAPH_E_CERT_NOT_YET_VALID = 4002,
    /// 4003 KEY_CERT_MISMATCH (HTTP 422): the private key does not match the certificate.
    PARAPH_E_KEY_CERT_MISMATCH = 4003,
    /// 4004 KEY_INVALID (HTTP 422): the private key cannot be read.
    PARAPH_E_KEY_INVALID = 4004,
    /// 4005 CERT_INVALID (HTTP 422): the certificate cannot be read.
    PARAPH_E_CERT_INVALID = 4005,
    /// 4006 PKCS12_BAD_PASSWORD (HTTP 422): the PKCS#12 password is wrong.
    PARAPH_E_PKCS12_BAD_PASSWORD = 4006,
    /// 4007 PKCS12_INVALID (HTTP 422): the PKCS#12 file cannot be read.
    PARAPH_E_PKCS12_INVALID = 4007,
    /// 4008 UNSUPPORTED_ALGORITHM (HTTP 422): the algorithm is not supported.
    PARAPH_E_UNSUPPORTED_ALGORITHM = 4008,
    /// 4009 SIGNATURE_TOO_LARGE (HTTP 422): the signature does not fit in the reserved space.
    PARAPH_E_SIGNATURE_TOO_LARGE = 4009,
    /// 4010 SIGNING_FAILED (HTTP 502): the signer failed to sign.
    PARAPH_E_SIGNING_FAILED = 4010,
    /// 4011 TIMESTAMP_INVALID (HTTP 502): the time-stamp token is invalid.
    PARAPH_E_TIMESTAMP_INVALID = 4011,
    /// 4012 SIGNATURE_MALFORMED (HTTP 422): the signature cannot be read.
    PARAPH_E_SIGNATURE_MALFORMED = 4012,
    /// 4013 PENDING_SIGNATURE_INVALID (HTTP 422): the pending signature is invalid.
    PARAPH_E_PENDING_SIGNATURE_INVALID = 4013,
    /// 4014 SIGNATURE_NOT_FOUND (HTTP 422): the PDF has no signature.
    PARAPH_E_SIGNATURE_NOT_FOUND = 4014,
    /// 4015 SIGNATURE_INVALID (HTTP 422): a signature is not intact.
    PARAPH_E_SIGNATURE_INVALID = 4015,
    /// 4016 CERT_UNTRUSTED (HTTP 422): the certificate chain is not trusted.
    PARAPH_E_CERT_UNTRUSTED = 4016,
    /// 4017 CERT_NOT_CA (HTTP 422): the certificate cannot issue certificates.
    PARAPH_E_CERT_NOT_CA = 4017,
    /// 4018 REVOCATION_DATA_INVALID (HTTP 422): the revocation data cannot be read.
    PARAPH_E_REVOCATION_DATA_INVALID = 4018,
    /// 4019 REVOCATION_UNAVAILABLE (HTTP 502): the revocation data could not be fetched.
    PARAPH_E_REVOCATION_UNAVAILABLE = 4019,
    /// 5001 AUDIT_EVIDENCE_INVALID (HTTP 422): the evidence is malformed or inconsistent.
    PARAPH_E_AUDIT_EVIDENCE_INVALID = 5001,
    /// 5002 AUDIT_EVIDENCE_NOT_FOUND (HTTP 422): the PDF carries no embedded evidence.
    PARAPH_E_AUDIT_EVIDENCE_NOT_FOUND = 5002,
    /// 5003 AUDIT_CHAIN_BROKEN (HTTP 422): the evidence hash chain is broken.
    PARAPH_E_AUDIT_CHAIN_BROKEN = 5003,
    /// 5004 AUDIT_RENDER_FAILED (HTTP 500): the audit-trail PDF could not be rendered.
    PARAPH_E_AUDIT_RENDER_FAILED = 5004,
    /// 5005 AUDIT_SEAL_INVALID (HTTP 422): the audit trail's seal is not valid.
    PARAPH_E_AUDIT_SEAL_INVALID = 5005,
    /// 5006 AUDIT_DOCUMENT_MISMATCH (HTTP 422): the document is not the one the audit trail attests.
    PARAPH_E_AUDIT_DOCUMENT_MISMATCH = 5006,
    /// 6001 WEBHOOK_MISSING_HEADER (HTTP 400): a required webhook header is missing.
    PARAPH_E_WEBHOOK_MISSING_HEADER = 6001,
    /// 6002 WEBHOOK_INVALID_TIMESTAMP (HTTP 400): the webhook timestamp is not valid.
    PARAPH_E_WEBHOOK_INVALID_TIMESTAMP = 6002,
    /// 6003 WEBHOOK_TIMESTAMP_TOO_OLD (HTTP 401): the webhook timestamp is too old.
    PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD = 6003,
    /// 6004 WEBHOOK_TIMESTAMP_TOO_NEW (HTTP 401): the webhook timestamp is too far in the future.
    PARAPH_E_WEBHOOK_TIMESTAMP_TOO_NEW = 6004,
    /// 6005 WEBHOOK_SIGNATURE_MISMATCH (HTTP 401): no webhook signature matches the payload.
    PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH = 6005,
    /// 6006 WEBHOOK_INVALID_SECRET (HTTP 400): the webhook secret is not valid.
    PARAPH_E_WEBHOOK_INVALID_SECRET = 6006,
    /// 6007 WEBHOOK_INVALID_MESSAGE_ID (HTTP 400): the webhook message id is not valid.
    PARAPH_E_WEBHOOK_INVALID_MESSAGE_ID = 6007,
    /// 7001 UNAUTHENTICATED (HTTP 401): the request has no valid credentials.
    PARAPH_E_UNAUTHENTICATED = 7001,
    /// 7002 API_KEY_REVOKED (HTTP 401): the API key has been revoked.
    PARAPH_E_API_KEY_REVOKED = 7002,
    /// 7003 INSUFFICIENT_SCOPE (HTTP 403): the credentials lack a scope this operation needs.
    PARAPH_E_INSUFFICIENT_SCOPE = 7003,
    /// 7004 RESOURCE_NOT_FOUND (HTTP 404): no resource with this id exists.
    PARAPH_E_RESOURCE_NOT_FOUND = 7004,
    /// 7005 ROUTE_NOT_FOUND (HTTP 404): no route matches this path.
    PARAPH_E_ROUTE_NOT_FOUND = 7005,
    /// 7006 METHOD_NOT_ALLOWED (HTTP 405): the route does not accept this method.
    PARAPH_E_METHOD_NOT_ALLOWED = 7006,
    /// 7007 RATE_LIMITED (HTTP 429): too many requests; retry later.
    PARAPH_E_RATE_LIMITED = 7007,
    /// 7008 PAYLOAD_TOO_LARGE (HTTP 413): the request body is larger than the limit.
    PARAPH_E_PAYLOAD_TOO_LARGE = 7008,
    /// 7009 UNSUPPORTED_MEDIA_TYPE (HTTP 415): the media type is not supported.
    PARAPH_E_UNSUPPORTED_MEDIA_TYPE = 7009,
    /// 7010 IDEMPOTENCY_KEY_REUSED (HTTP 422): the idempotency key was used for another request.
    PARAPH_E_IDEMPOTENCY_KEY_REUSED = 7010,
    /// 7011 CONCURRENT_MODIFICATION (HTTP 409): the resource was changed by another request.
    PARAPH_E_CONCURRENT_MODIFICATION = 7011,
    /// 7012 TOKEN_EXPIRED (HTTP 401): the token has expired; log in again.
    PARAPH_E_TOKEN_EXPIRED = 7012,
    /// 7013 TOKEN_INVALID (HTTP 401): the token is not valid.
    PARAPH_E_TOKEN_INVALID = 7013,
    /// 7014 LINK_EXPIRED (HTTP 410): the link has expired or is no longer valid.
    PARAPH_E_LINK_EXPIRED = 7014,
    /// 7015 WEBHOOK_URL_FORBIDDEN (HTTP 400): the webhook URL is not allowed.
    PARAPH_E_WEBHOOK_URL_FORBIDDEN = 7015,
    /// 7016 STORAGE_UNAVAILABLE (HTTP 503): storage is unavailable; retry later.
    PARAPH_E_STORAGE_UNAVAILABLE = 7016,
    /// 9001 INTERNAL (HTTP 500): an internal error occurred.
    PARAPH_E_INTERNAL = 9001,
    /// 9002 PANIC (HTTP 500): a panic was caught at a language boundary.
    PARAPH_E_PANIC = 9002,
}

impl paraph_result {
    /// The result with this number, if there is one.
    pub(crate) const fn from_number(number: u32) -> Option<Self> {
        Some(match number {
            0 => Self::PARAPH_OK,
            1001 => Self::PARAPH_E_INVALID_ARGUMENT,
            1002 => Self::PARAPH_E_MALFORMED_JSON,
            1003 => Self::PARAPH_E_UNSUPPORTED_SCHEMA_VERSION,
            1004 => Self::PARAPH_E_IO_ERROR,
            2001 => Self::PARAPH_E_ENVELOPE_NOT_DRAFT,
            2002 => Self::PARAPH_E_ENVELOPE_NOT_SENT,
            2003 => Self::PARAPH_E_ENVELOPE_TERMINAL,
            2004 => Self::PARAPH_E_ENVELOPE_DELETED,
            2005 => Self::PARAPH_E_ENVELOPE_ALREADY_EXISTS,
            2006 => Self::PARAPH_E_ENVELOPE_NOT_FOUND,
            2007 => Self::PARAPH_E_ENVELOPE_EXPIRED,
            2008 => Self::PARAPH_E_ENVELOPE_NOT_EXPIRED,
            2009 => Self::PARAPH_E_NO_DOCUMENT,
            2010 => Self::PARAPH_E_NO_SIGNER,
            2011 => Self::PARAPH_E_DUPLICATE_ID,
            2012 => Self::PARAPH_E_DOCUMENT_NOT_FOUND,
            2013 => Self::PARAPH_E_RECIPIENT_NOT_FOUND,
            2014 => Self::PARAPH_E_FIELD_NOT_FOUND,
            2015 => Self::PARAPH_E_RECIPIENT_NOT_ACTIVE,
            2016 => Self::PARAPH_E_RECIPIENT_ALREADY_ACTED,
            2017 => Self::PARAPH_E_RECIPIENT_ROLE_MISMATCH,
            2018 => Self::PARAPH_E_FIELD_RECIPIENT_NOT_ALLOWED,
            2019 => Self::PARAPH_E_FIELD_OUT_OF_BOUNDS,
            2020 => Self::PARAPH_E_FIELD_NOT_OWNED,
            2021 => Self::PARAPH_E_FIELD_VALUE_INVALID,
            2022 => Self::PARAPH_E_REQUIRED_FIELD_MISSING,
            2023 => Self::PARAPH_E_REASON_REQUIRED,
            2024 => Self::PARAPH_E_ACTOR_NOT_ALLOWED,
            2025 => Self::PARAPH_E_INVALID_RECIPIENT,
            2026 => Self::PARAPH_E_INVALID_ENVELOPE,
            2027 => Self::PARAPH_E_INVALID_EVENT_LOG,
            2028 => Self::PARAPH_E_TIME_BEFORE_LAST_EVENT,
            2029 => Self::PARAPH_E_SIGNATURE_MARK_INVALID,
            2030 => Self::PARAPH_E_CONSENT_INVALID,
            2031 => Self::PARAPH_E_SIGNER_WITHOUT_FIELD,
            2032 => Self::PARAPH_E_ADVANCED_REQUIRES_STRONG_AUTH,
            2033 => Self::PARAPH_E_RECIPIENT_NOT_AUTHENTICATED,
            2034 => Self::PARAPH_E_RECIPIENT_LOCKED,
            2035 => Self::PARAPH_E_CONSENT_REQUIRED,
            2036 => Self::PARAPH_E_ENVELOPE_AWAITING_COMPLETION,
            2037 => Self::PARAPH_E_ENVELOPE_NOT_READY,
            2038 => Self::PARAPH_E_ENVELOPE_HAS_SIGNATURES,
            2039 => Self::PARAPH_E_FIELD_NOT_PLACED,
            2040 => Self::PARAPH_E_DUPLICATE_EMAIL,
            2041 => Self::PARAPH_E_DOCUMENT_MISMATCH,
            3001 => Self::PARAPH_E_PDF_MALFORMED,
            3002 => Self::PARAPH_E_PDF_ENCRYPTED,
            3003 => Self::PARAPH_E_PDF_TOO_LARGE,
            3004 => Self::PARAPH_E_PDF_TOO_MANY_OBJECTS,
            3005 => Self::PARAPH_E_PDF_NESTING_TOO_DEEP,
            3006 => Self::PARAPH_E_PDF_DECOMPRESSION_LIMIT,
            3007 => Self::PARAPH_E_PDF_REFERENCE_CYCLE,
            3008 => Self::PARAPH_E_PDF_TOO_MANY_PAGES,
            3009 => Self::PARAPH_E_PDF_PAGE_NOT_FOUND,
            3010 => Self::PARAPH_E_PDF_FIELD_NOT_FOUND,
            3011 => Self::PARAPH_E_PDF_FIELD_EXISTS,
            3012 => Self::PARAPH_E_PDF_FIELD_ALREADY_SIGNED,
            3013 => Self::PARAPH_E_PDF_FIELD_OUTSIDE_PAGE,
            3014 => Self::PARAPH_E_PDF_ANCHOR_NOT_FOUND,
            3015 => Self::PARAPH_E_PDF_IMAGE_INVALID,
            3016 => Self::PARAPH_E_PDF_TEXT_UNSUPPORTED,
            3017 => Self::PARAPH_E_PDF_FIELD_TYPE_MISMATCH,
            3018 => Self::PARAPH_E_PDF_UNSUPPORTED,
            3019 => Self::PARAPH_E_PDF_CONTENT_TOO_COMPLEX,
            3020 => Self::PARAPH_E_PDF_FIELD_AMBIGUOUS,
            3021 => Self::PARAPH_E_PDF_TEXT_TOO_LONG,
            3022 => Self::PARAPH_E_PDF_NUMBER_OUT_OF_RANGE,
            3023 => Self::PARAPH_E_PDF_TOO_COMPLEX,
            3024 => Self::PARAPH_E_PDF_FIELD_LOCKED,
            3025 => Self::PARAPH_E_PDF_DAMAGED,
            3026 => Self::PARAPH_E_PDF_PERMISSION_DENIED,
            3027 => Self::PARAPH_E_PDF_WRONG_PASSWORD,
            4001 => Self::PARAPH_E_CERT_EXPIRED,
            4002 => Self::PARAPH_E_CERT_NOT_YET_VALID,
            4003 => Self::PARAPH_E_KEY_CERT_MISMATCH,
            4004 => Self::PARAPH_E_KEY_INVALID,
            4005 => Self::PARAPH_E_CERT_INVALID,
            4006 => Self::PARAPH_E_PKCS12_BAD_PASSWORD,
            4007 => Self::PARAPH_E_PKCS12_INVALID,
            4008 => Self::PARAPH_E_UNSUPPORTED_ALGORITHM,
            4009 => Self::PARAPH_E_SIGNATURE_TOO_LARGE,
            4010 => Self::PARAPH_E_SIGNING_FAILED,
            4011 => Self::PARAPH_E_TIMESTAMP_INVALID,
            4012 => Self::PARAPH_E_SIGNATURE_MALFORMED,
            4013 => Self::PARAPH_E_PENDING_SIGNATURE_INVALID,
            4014 => Self::PARAPH_E_SIGNATURE_NOT_FOUND,
            4015 => Self::PARAPH_E_SIGNATURE_INVALID,
            4016 => Self::PARAPH_E_CERT_UNTRUSTED,
            4017 => Self::PARAPH_E_CERT_NOT_CA,
            4018 => Self::PARAPH_E_REVOCATION_DATA_INVALID,
            4019 => Self::PARAPH_E_REVOCATION_UNAVAILABLE,
            5001 => Self::PARAPH_E_AUDIT_EVIDENCE_INVALID,
            5002 => Self::PARAPH_E_AUDIT_EVIDENCE_NOT_FOUND,
            5003 => Self::PARAPH_E_AUDIT_CHAIN_BROKEN,
            5004 => Self::PARAPH_E_AUDIT_RENDER_FAILED,
            5005 => Self::PARAPH_E_AUDIT_SEAL_INVALID,
            5006 => Self::PARAPH_E_AUDIT_DOCUMENT_MISMATCH,
            6001 => Self::PARAPH_E_WEBHOOK_MISSING_HEADER,
            6002 => Self::PARAPH_E_WEBHOOK_INVALID_TIMESTAMP,
            6003 => Self::PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD,
            6004 => Self::PARAPH_E_WEBHOOK_TIMESTAMP_TOO_NEW,
            6005 => Self::PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH,
            6006 => Self::PARAPH_E_WEBHOOK_INVALID_SECRET,
            6007 => Self::PARAPH_E_WEBHOOK_INVALID_MESSAGE_ID,
            7001 => Self::PARAPH_E_UNAUTHENTICATED,
            7002 => Self::PARAPH_E_API_KEY_REVOKED,
            7003 => Self::PARAPH_E_INSUFFICIENT_SCOPE,
            7004 => Self::PARAPH_E_RESOURCE_NOT_FOUND,
            7005 => Self::PARAPH_E_ROUTE_NOT_FOUND,
            7006 => Self::PARAPH_E_METHOD_NOT_ALLOWED,
            7007 => Self::PARAPH_E_RATE_LIMITED,
            7008 => Self::PARAPH_E_PAYLOAD_TOO_LARGE,
            7009 => Self::PARAPH_E_UNSUPPORTED_MEDIA_TYPE,
            7010 => Self::PARAPH_E_IDEMPOTENCY_KEY_REUSED,
            7011 => Self::PARAPH_E_CONCURRENT_MODIFICATION,
            7012 => Self::PARAPH_E_TOKEN_EXPIRED,
            7013 => Self::PARAPH_E_TOKEN_INVALID,
            7014 => Self::PARAPH_E_LINK_EXPIRED,
            7015 => Self::PARAPH_E_WEBHOOK_URL_FORBIDDEN,
            7016 => Self::PARAPH_E_STORAGE_UNAVAILABLE,
            9001 => Self::PARAPH_E_INTERNAL,
            9002 => Self::PARAPH_E_PANIC,
            _ => return None,
        })
    }
}
// END GENERATED

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use paraph_core::{ErrorCodeTable, RETIRED_CODES};

    use super::*;

    const BEGIN: &str = "// BEGIN GENERATED";
    const END: &str = "// END GENERATED";

    /// The generated block, from the core's table of codes.
    fn render() -> String {
        let mut out = String::new();
        out.push_str(
            "// BEGIN GENERATED: rendered from paraph_core::ErrorCode::ALL by \
             `PARAPH_BLESS=1 cargo test -p paraph-ffi result`. Do not edit.\n",
        );
        out.push_str(ENUM_DOC);
        out.push_str("    /// Success.\n    PARAPH_OK = 0,\n");
        for &code in ErrorCode::ALL {
            let _ = writeln!(
                out,
                "    /// {} {} (HTTP {}): {}.\n    PARAPH_E_{} = {},",
                code.number(),
                code.name(),
                code.http_status(),
                code.description(),
                code.name(),
                code.number()
            );
        }
        for retired in RETIRED_CODES {
            let _ = writeln!(
                out,
                "    // {} {}: retired ({}); the number stays reserved.",
                retired.code, retired.name, retired.reason
            );
        }
        out.push_str("}\n\nimpl paraph_result {\n");
        out.push_str(
            "    /// The result with this number, if there is one.\n    \
             pub(crate) const fn from_number(number: u32) -> Option<Self> {\n        \
             Some(match number {\n            0 => Self::PARAPH_OK,\n",
        );
        for &code in ErrorCode::ALL {
            let _ = writeln!(
                out,
                "            {} => Self::PARAPH_E_{},",
                code.number(),
                code.name()
            );
        }
        out.push_str("            _ => return None,\n        })\n    }\n}\n");
        out.push_str(END);
        out
    }

    const ENUM_DOC: &str = "\
/// The result of every fallible function: `PARAPH_OK` (0), or one of the
/// core's stable error codes, with the numbers and names of
/// `fixtures/vectors/error_codes.json`. Numbers are grouped in ranges per
/// family (1xxx general, 2xxx envelope, 3xxx PDF, 4xxx signature, 5xxx
/// audit, 6xxx webhook, 7xxx API, 9xxx internal) and never reused.
///
/// `paraph_result_message`, `paraph_result_name` and
/// `paraph_result_http_status` describe a code; `paraph_last_error_message`
/// gives the detail of the last failure on the calling thread.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum paraph_result {
";

    #[test]
    fn result_enum_is_rendered_from_the_core() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/result.rs");
        let source = std::fs::read_to_string(path).expect("read result.rs");
        let start = source.find(BEGIN).expect("BEGIN marker");
        let end = source.find(END).expect("END marker") + END.len();
        let rendered = render();
        if std::env::var_os("PARAPH_BLESS").is_some() && source[start..end] != rendered {
            let blessed = format!("{}{}{}", &source[..start], rendered, &source[end..]);
            std::fs::write(path, blessed).expect("write result.rs");
            return;
        }
        assert!(
            source[start..end] == rendered,
            "ffi/src/result.rs is stale (the core's codes changed): run \
             `PARAPH_BLESS=1 cargo test -p paraph-ffi result`, then regenerate the header"
        );
    }

    #[test]
    fn every_core_code_has_a_result_with_its_number() {
        for &code in ErrorCode::ALL {
            let result = paraph_result::from_number(code.number())
                .unwrap_or_else(|| panic!("no paraph_result for {code}"));
            assert_eq!(result.number(), code.number());
            assert_eq!(paraph_result::of(code), result);
        }
        assert_eq!(
            paraph_result::from_number(0),
            Some(paraph_result::PARAPH_OK)
        );
        assert_eq!(paraph_result::from_number(1), None);
        assert_eq!(paraph_result::from_number(9999), None);
    }

    #[test]
    fn results_match_the_exported_vectors() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/vectors/error_codes.json"
        );
        let table: ErrorCodeTable =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read vectors"))
                .expect("parse vectors");
        assert!(!table.codes.is_empty());
        for entry in &table.codes {
            let result = paraph_result::from_number(entry.code)
                .unwrap_or_else(|| panic!("no paraph_result for {}", entry.name));
            assert_eq!(format!("{result:?}"), format!("PARAPH_E_{}", entry.name));
        }
        for retired in &table.retired {
            assert_eq!(paraph_result::from_number(retired.code), None);
        }
    }
}

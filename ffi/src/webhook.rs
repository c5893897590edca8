//! Webhook signing and verification: Standard Webhooks with a
//! [`paraph_webhook_secret`] handle, and the plain hex HMAC scheme
//! (`paraph_core::webhook`).

use std::ffi::c_char;
use std::time::Duration;

use chrono::DateTime;
use paraph_core::webhook::{self, Verifier, WebhookHeaders, WebhookSecret};

use crate::args;
use crate::boundary::{invalid_argument, run, run_or};
use crate::bytes::{self, paraph_bytes};
use crate::handle::{self, Opaque};
use crate::result::paraph_result;

/// The timestamp tolerance the official Standard Webhooks libraries use,
/// in seconds either way: pass it to `paraph_webhook_verify` unless you
/// have a reason not to.
pub const PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// A Standard Webhooks signing secret (24 to 64 bytes, written
/// `whsec_<base64>`). Make one with `paraph_webhook_secret_parse` or
/// `paraph_webhook_secret_from_bytes`; free it with
/// `paraph_webhook_secret_free`. Immutable: it may be shared by threads.
#[derive(Debug)]
pub struct paraph_webhook_secret {
    _private: [u8; 0],
}

impl Opaque for paraph_webhook_secret {
    type Inner = WebhookSecret;
    const C_NAME: &'static str = "paraph_webhook_secret";
}

/// Parses a secret written `whsec_<base64>` (the prefix is optional, the
/// base64 padded or not, as the official libraries accept), `text_len` bytes
/// of UTF-8, not NUL-terminated.
///
/// Errors: `PARAPH_E_WEBHOOK_INVALID_SECRET` (empty, not base64, not 24 to
/// 64 bytes), `PARAPH_E_INVALID_ARGUMENT` (NULL, not UTF-8). On error
/// `*out_secret` is NULL.
///
/// # Safety
///
/// `text` must point to `text_len` readable bytes (or be NULL with
/// `text_len` 0); `out_secret` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_secret_parse(
    text: *const c_char,
    text_len: usize,
    out_secret: *mut *mut paraph_webhook_secret,
) -> paraph_result {
    run("paraph_webhook_secret_parse", || {
        // SAFETY: forwarded from this function's contract.
        let out_secret = unsafe { args::out(out_secret, "out_secret")? };
        // SAFETY: forwarded from this function's contract.
        let text = unsafe { args::text(text, text_len, "text")? };
        let secret = WebhookSecret::parse(text)?;
        *out_secret = handle::register::<paraph_webhook_secret>(secret);
        Ok(())
    })
}

/// A secret from raw key bytes: 24 to 64 bytes from a CSPRNG (paraph has
/// no randomness of its own).
///
/// Errors: `PARAPH_E_WEBHOOK_INVALID_SECRET` (wrong length),
/// `PARAPH_E_INVALID_ARGUMENT` (NULL). On error `*out_secret` is NULL.
///
/// # Safety
///
/// `key` must point to `key_len` readable bytes; `out_secret` must be valid
/// for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_secret_from_bytes(
    key: *const u8,
    key_len: usize,
    out_secret: *mut *mut paraph_webhook_secret,
) -> paraph_result {
    run("paraph_webhook_secret_from_bytes", || {
        // SAFETY: forwarded from this function's contract.
        let out_secret = unsafe { args::out(out_secret, "out_secret")? };
        // SAFETY: forwarded from this function's contract.
        let key = unsafe { args::bytes(key, key_len, "key")? };
        let secret = WebhookSecret::from_bytes(key)?;
        *out_secret = handle::register::<paraph_webhook_secret>(secret);
        Ok(())
    })
}

/// The secret as `whsec_<padded base64>`, to show once to its owner. The
/// buffer is wiped when freed.
///
/// Errors: `PARAPH_E_INVALID_ARGUMENT` (NULL or invalid handle).
///
/// # Safety
///
/// `out_text` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_secret_expose(
    secret: *const paraph_webhook_secret,
    out_text: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_webhook_secret_expose", || {
        // SAFETY: forwarded from this function's contract.
        let out_text = unsafe { args::out(out_text, "out_text")? };
        let secret = handle::get(secret, "secret")?;
        *out_text = bytes::new_sensitive(secret.expose().into_bytes());
        Ok(())
    })
}

/// Frees a secret. Accepts NULL; does nothing for a handle that is not a
/// live `paraph_webhook_secret`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_webhook_secret_free(secret: *mut paraph_webhook_secret) {
    run_or("paraph_webhook_secret_free", (), || handle::release(secret));
}

/// Signs a delivery (Standard Webhooks 1.0, "Signature scheme"): the value
/// of the `webhook-signature` header for `msg_id` (the `webhook-id`
/// header), `timestamp` (Unix seconds, the `webhook-timestamp` header) and
/// the raw body. One `v1,<base64>` per secret, space-separated: pass the old
/// and the new secret while rotating.
///
/// Errors: `PARAPH_E_WEBHOOK_INVALID_MESSAGE_ID` (empty, over 255 bytes,
/// or holding `.`, spaces or control characters),
/// `PARAPH_E_WEBHOOK_INVALID_SECRET` (no secret), `PARAPH_E_INVALID_ARGUMENT`
/// (NULL, invalid handle, not UTF-8). On error `*out_signature` is NULL.
///
/// # Safety
///
/// `secrets` must point to `secrets_len` readable handle pointers, `msg_id`
/// to `msg_id_len` bytes, `payload` to `payload_len` bytes (each may be NULL
/// when its length is 0); `out_signature` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_sign(
    secrets: *const *const paraph_webhook_secret,
    secrets_len: usize,
    msg_id: *const c_char,
    msg_id_len: usize,
    timestamp: i64,
    payload: *const u8,
    payload_len: usize,
    out_signature: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_webhook_sign", || {
        // SAFETY: forwarded from this function's contract.
        let out_signature = unsafe { args::out(out_signature, "out_signature")? };
        // SAFETY: forwarded from this function's contract.
        let handles = unsafe { args::handles(secrets, secrets_len, "secrets")? };
        let secrets = handles
            .iter()
            .enumerate()
            .map(|(i, &secret)| {
                handle::get(secret, &format!("secrets[{i}]")).map(|s| WebhookSecret::clone(&s))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // SAFETY: forwarded from this function's contract.
        let msg_id = unsafe { args::text(msg_id, msg_id_len, "msg_id")? };
        // SAFETY: forwarded from this function's contract.
        let payload = unsafe { args::bytes(payload, payload_len, "payload")? };
        let headers = WebhookHeaders::sign(&secrets, msg_id, timestamp, payload)?;
        *out_signature = bytes::new(headers.signature.into_bytes());
        Ok(())
    })
}

/// Verifies a delivery (Standard Webhooks 1.0, "Verifying signatures")
/// with the three header values as received and the raw body: the
/// timestamp must lie within `tolerance_seconds` of `now` (Unix seconds, the
/// receiver's clock) either way, and one `v1` signature must match,
/// compared in constant time. Returns `PARAPH_OK` only for a valid delivery.
///
/// Errors: `PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH`,
/// `PARAPH_E_WEBHOOK_INVALID_TIMESTAMP` (not an integer),
/// `PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD`, `PARAPH_E_WEBHOOK_TIMESTAMP_TOO_NEW`,
/// `PARAPH_E_INVALID_ARGUMENT` (NULL, invalid handle, not UTF-8, `now` out
/// of range).
///
/// # Safety
///
/// Each pointer must point to its length in readable bytes (or be NULL when
/// its length is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_verify(
    secret: *const paraph_webhook_secret,
    msg_id: *const c_char,
    msg_id_len: usize,
    timestamp: *const c_char,
    timestamp_len: usize,
    signature: *const c_char,
    signature_len: usize,
    payload: *const u8,
    payload_len: usize,
    now: i64,
    tolerance_seconds: u64,
) -> paraph_result {
    run("paraph_webhook_verify", || {
        let secret = handle::get(secret, "secret")?;
        // SAFETY: forwarded from this function's contract (also below).
        let msg_id = unsafe { args::text(msg_id, msg_id_len, "msg_id")? };
        // SAFETY: as above.
        let timestamp = unsafe { args::text(timestamp, timestamp_len, "timestamp")? };
        // SAFETY: as above.
        let signature = unsafe { args::text(signature, signature_len, "signature")? };
        // SAFETY: as above.
        let payload = unsafe { args::bytes(payload, payload_len, "payload")? };
        let now = DateTime::from_timestamp(now, 0)
            .ok_or_else(|| invalid_argument(format!("now {now} is out of range")))?;
        Verifier::new(WebhookSecret::clone(&secret))
            .with_tolerance(Duration::from_secs(tolerance_seconds))
            .verify_parts(msg_id, timestamp, signature, payload, now)
    })
}

/// The lower-case hex HMAC-SHA256 of `payload` keyed with the secret's bytes
/// as given (not decoded): the plain scheme of a single signature header
/// (`X-Paraph-Signature`). It signs no timestamp, so it does not stop
/// replays; prefer `paraph_webhook_sign`.
///
/// Errors: `PARAPH_E_WEBHOOK_INVALID_SECRET` (empty secret),
/// `PARAPH_E_INVALID_ARGUMENT` (NULL). On error `*out_signature` is NULL.
///
/// # Safety
///
/// `secret` and `payload` must point to their lengths in readable bytes (or
/// be NULL when the length is 0); `out_signature` must be valid for a
/// pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_sign_hex(
    secret: *const u8,
    secret_len: usize,
    payload: *const u8,
    payload_len: usize,
    out_signature: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_webhook_sign_hex", || {
        // SAFETY: forwarded from this function's contract.
        let out_signature = unsafe { args::out(out_signature, "out_signature")? };
        // SAFETY: forwarded from this function's contract.
        let secret = unsafe { args::bytes(secret, secret_len, "secret")? };
        // SAFETY: forwarded from this function's contract.
        let payload = unsafe { args::bytes(payload, payload_len, "payload")? };
        let signature = webhook::sign_hex(secret, payload)?;
        *out_signature = bytes::new(signature.into_bytes());
        Ok(())
    })
}

/// Checks a hex HMAC-SHA256 header value in constant time; hex digits of
/// either case and a `sha256=` prefix are accepted.
///
/// Errors: `PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH`,
/// `PARAPH_E_WEBHOOK_INVALID_SECRET` (empty secret),
/// `PARAPH_E_INVALID_ARGUMENT` (NULL, signature not UTF-8).
///
/// # Safety
///
/// Each pointer must point to its length in readable bytes (or be NULL when
/// its length is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_webhook_verify_hex(
    secret: *const u8,
    secret_len: usize,
    payload: *const u8,
    payload_len: usize,
    signature: *const c_char,
    signature_len: usize,
) -> paraph_result {
    run("paraph_webhook_verify_hex", || {
        // SAFETY: forwarded from this function's contract (also below).
        let secret = unsafe { args::bytes(secret, secret_len, "secret")? };
        // SAFETY: as above.
        let payload = unsafe { args::bytes(payload, payload_len, "payload")? };
        // SAFETY: as above.
        let signature = unsafe { args::text(signature, signature_len, "signature")? };
        webhook::verify_hex(secret, payload, signature)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::last_error;
    use crate::bytes::paraph_bytes_free;
    use crate::bytes::tests::read;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn parse(text: &str) -> (paraph_result, *mut paraph_webhook_secret) {
        let mut secret = std::ptr::null_mut();
        // SAFETY: `text` and `secret` are live for the call.
        let result =
            unsafe { paraph_webhook_secret_parse(text.as_ptr().cast(), text.len(), &mut secret) };
        (result, secret)
    }

    fn verify(secret: *const paraph_webhook_secret, signature: &str, now: i64) -> paraph_result {
        let timestamp = "1614265330";
        // SAFETY: every buffer is live for the call.
        unsafe {
            paraph_webhook_verify(
                secret,
                MSG_ID.as_ptr().cast(),
                MSG_ID.len(),
                timestamp.as_ptr().cast(),
                timestamp.len(),
                signature.as_ptr().cast(),
                signature.len(),
                PAYLOAD.as_ptr(),
                PAYLOAD.len(),
                now,
                PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS,
            )
        }
    }

    #[test]
    fn the_default_tolerance_is_the_core_s() {
        assert_eq!(
            Duration::from_secs(PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS),
            webhook::DEFAULT_TOLERANCE
        );
    }

    #[test]
    fn sign_then_verify_the_spec_vector() {
        let (result, secret) = parse(SECRET);
        assert_eq!(result, paraph_result::PARAPH_OK);
        let secrets = [secret.cast_const()];
        let mut signature = std::ptr::null_mut();
        // SAFETY: every buffer is live for the call.
        let result = unsafe {
            paraph_webhook_sign(
                secrets.as_ptr(),
                1,
                MSG_ID.as_ptr().cast(),
                MSG_ID.len(),
                1_614_265_330,
                PAYLOAD.as_ptr(),
                PAYLOAD.len(),
                &mut signature,
            )
        };
        assert_eq!(result, paraph_result::PARAPH_OK);
        assert_eq!(read(signature), SIGNATURE.as_bytes());
        paraph_bytes_free(signature);
        assert_eq!(
            verify(secret, SIGNATURE, 1_614_265_330),
            paraph_result::PARAPH_OK
        );
        assert_eq!(
            verify(secret, SIGNATURE, 1_614_265_330 + 301),
            paraph_result::PARAPH_E_WEBHOOK_TIMESTAMP_TOO_OLD
        );
        paraph_webhook_secret_free(secret);
    }

    #[test]
    fn a_wrong_signature_is_a_mismatch_with_a_message() {
        let (_, secret) = parse(SECRET);
        let wrong = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";
        assert_eq!(
            verify(secret, wrong, 1_614_265_330),
            paraph_result::PARAPH_E_WEBHOOK_SIGNATURE_MISMATCH
        );
        let message = last_error().expect("recorded").message;
        assert!(message.starts_with("paraph_webhook_verify: "), "{message}");
        paraph_webhook_secret_free(secret);
    }

    #[test]
    fn an_invalid_secret_gives_no_handle() {
        let (result, secret) = parse("whsec_!!!");
        assert_eq!(result, paraph_result::PARAPH_E_WEBHOOK_INVALID_SECRET);
        assert!(secret.is_null());
    }

    #[test]
    fn a_freed_or_foreign_handle_is_an_invalid_argument() {
        let (_, secret) = parse(SECRET);
        paraph_webhook_secret_free(secret);
        assert_eq!(
            verify(secret, SIGNATURE, 1_614_265_330),
            paraph_result::PARAPH_E_INVALID_ARGUMENT
        );
        let bytes = crate::bytes::new(b"not a secret".to_vec());
        assert_eq!(
            verify(bytes.cast(), SIGNATURE, 1_614_265_330),
            paraph_result::PARAPH_E_INVALID_ARGUMENT
        );
        assert_eq!(
            last_error().expect("recorded").message,
            "paraph_webhook_verify: secret is a paraph_bytes, not a paraph_webhook_secret"
        );
        paraph_bytes_free(bytes);
    }

    #[test]
    fn expose_gives_the_canonical_text() {
        let (_, secret) = parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let mut text = std::ptr::null_mut();
        // SAFETY: `text` is a live local.
        let result = unsafe { paraph_webhook_secret_expose(secret, &mut text) };
        assert_eq!(result, paraph_result::PARAPH_OK);
        assert_eq!(read(text), SECRET.as_bytes());
        paraph_bytes_free(text);
        paraph_webhook_secret_free(secret);
    }
}

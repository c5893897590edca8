//! Input rules for envelope commands, with their limits as named constants.

use chrono::{DateTime, Utc};

use super::command::NewRecipient;
use super::model::{
    AuthenticationMethod, EnvelopeSettings, FieldAnchor, FieldKind, PageSize, SignatureMark,
};
use crate::error::{Error, ErrorCode, Result};

/// Longest id (envelope, document, recipient, field).
pub const MAX_ID_LEN: usize = 64;
/// The highest envelope version (and event sequence number) accepted: it
/// stays within a signed 64-bit integer (SQL `BIGINT`), and `version + 1`
/// never overflows.
pub const MAX_VERSION: u64 = i64::MAX as u64;
/// Longest subject.
pub const MAX_SUBJECT_LEN: usize = 255;
/// Longest invitation message.
pub const MAX_MESSAGE_LEN: usize = 10_000;
/// Longest name (document file name, recipient name).
pub const MAX_NAME_LEN: usize = 255;
/// Longest email address (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest field value.
pub const MAX_FIELD_VALUE_LEN: usize = 4_096;
/// Longest decline or void reason.
pub const MAX_REASON_LEN: usize = 2_000;
/// Most documents in one envelope.
pub const MAX_DOCUMENTS: usize = 50;
/// Most recipients in one envelope.
pub const MAX_RECIPIENTS: usize = 100;
/// Most fields in one envelope.
pub const MAX_FIELDS: usize = 5_000;
/// Most pages in one document.
pub const MAX_PAGES: u32 = 10_000;
/// Highest routing order.
pub const MAX_ROUTING_ORDER: u32 = 1_000;
/// Longest typed signature.
pub const MAX_TYPED_SIGNATURE_LEN: usize = 255;
/// Largest drawn signature PNG, in bytes.
pub const MAX_DRAWN_SIGNATURE_BYTES: usize = 512 * 1024;
/// Widest or tallest drawn signature, in pixels.
pub const MAX_DRAWN_SIGNATURE_SIDE: u32 = 2_048;
/// Longest consent version label.
pub const MAX_CONSENT_VERSION_LEN: usize = 64;
/// Longest anchor phrase.
pub const MAX_ANCHOR_LEN: usize = 255;
/// Most authentication attempts an envelope may allow.
pub const MAX_AUTHENTICATION_ATTEMPTS: u32 = 20;
/// Widest or tallest page, in points (ISO 32000-2 Annex C: 14,400).
pub const MAX_PAGE_SIDE: f64 = 14_400.0;

/// Ids are 1 to [`MAX_ID_LEN`] characters of `A-Z a-z 0-9 _ -`: safe in
/// URLs, PDF field names and webhook message ids (which must not contain `.`).
pub(crate) fn id(kind: &str, value: &str) -> Result<()> {
    let well_formed = !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if well_formed {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{kind} id {value:?} must be 1 to {MAX_ID_LEN} characters of A-Z, a-z, 0-9, '_' and '-'"
            ),
        ))
    }
}

fn has_control(value: &str, allow_newlines: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
}

fn text(code: ErrorCode, what: &str, value: &str, max: usize, allow_newlines: bool) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::new(code, format!("{what} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(Error::new(
            code,
            format!("{what} is longer than {max} characters"),
        ));
    }
    if has_control(value, allow_newlines) {
        return Err(Error::new(
            code,
            format!("{what} must not contain control characters"),
        ));
    }
    Ok(())
}

pub(crate) fn subject(value: &str) -> Result<()> {
    text(
        ErrorCode::InvalidEnvelope,
        "the subject",
        value,
        MAX_SUBJECT_LEN,
        false,
    )
}

pub(crate) fn message(value: Option<&str>) -> Result<()> {
    match value {
        Some(value) if value.chars().count() > MAX_MESSAGE_LEN => Err(Error::new(
            ErrorCode::InvalidEnvelope,
            format!("the message is longer than {MAX_MESSAGE_LEN} characters"),
        )),
        Some(value) if has_control(value, true) => Err(Error::new(
            ErrorCode::InvalidEnvelope,
            "the message must not contain control characters other than newlines and tabs",
        )),
        _ => Ok(()),
    }
}

/// A BCP 47 tag of the simple kind: a 2 or 3 letter language and optional
/// subtags (`en`, `fr-CA`, `ko-KR`, `zh-Hant-TW`).
pub(crate) fn locale(value: &str) -> Result<()> {
    let mut parts = value.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()));
    let subtags_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if language_ok && subtags_ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidEnvelope,
            format!("locale {value:?} is not a language tag such as \"en\" or \"fr-CA\""),
        ))
    }
}

pub(crate) fn expiry(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<()> {
    match expires_at {
        Some(at) if at <= now => Err(Error::new(
            ErrorCode::InvalidEnvelope,
            format!(
                "the expiry time {} is not in the future (now is {})",
                at.to_rfc3339(),
                now.to_rfc3339()
            ),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn document_name(value: &str) -> Result<()> {
    text(
        ErrorCode::InvalidArgument,
        "the document name",
        value,
        MAX_NAME_LEN,
        false,
    )
}

pub(crate) fn page_count(value: u32) -> Result<()> {
    if (1..=MAX_PAGES).contains(&value) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("a document has 1 to {MAX_PAGES} pages, not {value}"),
        ))
    }
}

/// 64 lower-case hex digits.
pub(crate) fn sha256_hex(what: &str, value: &str) -> Result<()> {
    if value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("the {what} SHA-256 must be 64 lower-case hex digits"),
        ))
    }
}

pub(crate) fn capacity(what: &str, current: usize, max: usize) -> Result<()> {
    if current < max {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("an envelope holds at most {max} {what}"),
        ))
    }
}

pub(crate) fn settings(settings: &EnvelopeSettings) -> Result<()> {
    if (1..=MAX_AUTHENTICATION_ATTEMPTS).contains(&settings.max_authentication_attempts) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidEnvelope,
            format!(
                "maxAuthenticationAttempts must be 1 to {MAX_AUTHENTICATION_ATTEMPTS}, not {}",
                settings.max_authentication_attempts
            ),
        ))
    }
}

/// One finite, positive size per page, when sizes are given.
pub(crate) fn page_sizes(page_count: u32, pages: &[PageSize]) -> Result<()> {
    if pages.is_empty() {
        return Ok(());
    }
    if pages.len() != page_count as usize {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "the document has {page_count} pages but {} page sizes were given",
                pages.len()
            ),
        ));
    }
    let ok = pages.iter().all(|p| {
        [p.width, p.height]
            .iter()
            .all(|v| v.is_finite() && *v > 0.0 && *v <= MAX_PAGE_SIDE)
    });
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("page sizes must be positive and at most {MAX_PAGE_SIDE} points"),
        ))
    }
}

pub(crate) fn anchor(field_id: &str, anchor: &FieldAnchor) -> Result<()> {
    text(
        ErrorCode::InvalidArgument,
        &format!("the anchor text of field {field_id}"),
        &anchor.text,
        MAX_ANCHOR_LEN,
        false,
    )?;
    if anchor.occurrence == 0 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("the anchor occurrence of field {field_id} counts from 1"),
        ));
    }
    Ok(())
}

pub(crate) fn recipient(new: &NewRecipient) -> Result<()> {
    let code = ErrorCode::InvalidRecipient;
    text(code, "the recipient name", &new.name, MAX_NAME_LEN, false)?;
    match (&new.email, &new.phone) {
        (Some(address), _) => email(address)?,
        (None, Some(_)) => {}
        (None, None) => {
            return Err(Error::new(
                code,
                format!("recipient {} needs an email or a phone", new.id),
            ));
        }
    }
    if let Some(phone) = &new.phone {
        let digits = phone.strip_prefix('+').unwrap_or("");
        if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::new(
                code,
                format!("phone {phone:?} is not in E.164 form such as +33612345678"),
            ));
        }
    }
    if new.authentication == AuthenticationMethod::SmsCode && new.phone.is_none() {
        return Err(Error::new(
            code,
            format!("recipient {} uses SMS codes but has no phone", new.id),
        ));
    }
    if !(1..=MAX_ROUTING_ORDER).contains(&new.routing_order) {
        return Err(Error::new(
            code,
            format!(
                "routing order {} is outside 1 to {MAX_ROUTING_ORDER}",
                new.routing_order
            ),
        ));
    }
    Ok(())
}

/// A practical address check: one `@`, a non-empty local part, a dotted
/// domain, no spaces or control characters. Deliverability is the
/// mailer's business.
fn email(value: &str) -> Result<()> {
    let valid = value.len() <= MAX_EMAIL_LEN
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidRecipient,
            format!("{value:?} is not an email address"),
        ))
    }
}

pub(crate) fn field_value(field_id: &str, kind: FieldKind, value: &str) -> Result<()> {
    let problem = match kind {
        FieldKind::Signature | FieldKind::Initials => {
            Some("signature and initials fields are filled by signing".to_owned())
        }
        FieldKind::Checkbox if value != "true" && value != "false" => {
            Some("a checkbox holds \"true\" or \"false\"".to_owned())
        }
        _ if value.chars().count() > MAX_FIELD_VALUE_LEN => Some(format!(
            "the value is longer than {MAX_FIELD_VALUE_LEN} characters"
        )),
        FieldKind::Text if has_control(value, true) => {
            Some("the value must not contain control characters".to_owned())
        }
        FieldKind::DateSigned | FieldKind::Name if has_control(value, false) => {
            Some("the value must not contain control characters".to_owned())
        }
        _ => None,
    };
    match problem {
        Some(problem) => Err(Error::new(
            ErrorCode::FieldValueInvalid,
            format!("field {field_id} ({}): {problem}", kind.as_str()),
        )),
        None => Ok(()),
    }
}

/// A trimmed, non-empty reason of at most [`MAX_REASON_LEN`] characters.
pub(crate) fn reason(action: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::new(
            ErrorCode::ReasonRequired,
            format!("a reason is required to {action}"),
        ));
    }
    text(
        ErrorCode::InvalidArgument,
        "the reason",
        trimmed,
        MAX_REASON_LEN,
        true,
    )?;
    Ok(trimmed.to_owned())
}

/// A typed mark is a one-line name; a drawn mark a PNG within
/// [`MAX_DRAWN_SIGNATURE_BYTES`] and [`MAX_DRAWN_SIGNATURE_SIDE`] that decodes.
pub(crate) fn signature_mark(mark: &SignatureMark) -> Result<()> {
    match mark {
        SignatureMark::Typed { text: typed } => text(
            ErrorCode::SignatureMarkInvalid,
            "the typed signature",
            typed,
            MAX_TYPED_SIGNATURE_LEN,
            false,
        ),
        SignatureMark::Drawn { png } => {
            if png.len() > MAX_DRAWN_SIGNATURE_BYTES {
                return Err(Error::new(
                    ErrorCode::SignatureMarkInvalid,
                    format!(
                        "the drawn signature has {} bytes; the limit is {MAX_DRAWN_SIGNATURE_BYTES}",
                        png.len()
                    ),
                ));
            }
            let image = crate::image::decode_png(png).map_err(|e| {
                Error::new(
                    ErrorCode::SignatureMarkInvalid,
                    format!("the drawn signature: {}", e.message()),
                )
            })?;
            if image.width > MAX_DRAWN_SIGNATURE_SIDE || image.height > MAX_DRAWN_SIGNATURE_SIDE {
                return Err(Error::new(
                    ErrorCode::SignatureMarkInvalid,
                    format!(
                        "the drawn signature is {} x {} pixels; each side must be at most {MAX_DRAWN_SIGNATURE_SIDE}",
                        image.width, image.height
                    ),
                ));
            }
            Ok(())
        }
    }
}

/// A consent names a version (1 to [`MAX_CONSENT_VERSION_LEN`] printable
/// characters) and the SHA-256 of the text.
pub(crate) fn consent(version: &str, text_sha256: &str) -> Result<()> {
    text(
        ErrorCode::ConsentInvalid,
        "the consent version",
        version,
        MAX_CONSENT_VERSION_LEN,
        false,
    )?;
    sha256_hex("consent text", text_sha256)
        .map_err(|e| Error::new(ErrorCode::ConsentInvalid, e.message().to_owned()))
}

/// Longest user agent recorded; a longer one is cut (it is evidence, not input).
pub const MAX_USER_AGENT_LEN: usize = 1_024;
/// Longest actor id accepted.
pub const MAX_ACTOR_ID_LEN: usize = 255;

/// The context as events record it: the IP address must be one (IPv4 or
/// IPv6, written canonically), actor ids have no control characters, and a
/// user agent's control characters are escaped (`\u{1b}`) and its length
/// cut, so that evidence and the audit trail show what was sent without
/// letting it rewrite a terminal or a log line.
pub(crate) fn context(ctx: &super::Context) -> Result<super::Context> {
    let mut ctx = ctx.clone();
    if let Some(ip) = &ctx.ip {
        let parsed: std::net::IpAddr = ip.trim().parse().map_err(|_| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("{ip:?} is not an IP address"),
            )
        })?;
        ctx.ip = Some(parsed.to_string());
    }
    if let Some(id) = ctx.actor.id()
        && (id.is_empty()
            || id.chars().count() > MAX_ACTOR_ID_LEN
            || id.chars().any(char::is_control))
    {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "actor id {id:?} must be 1 to {MAX_ACTOR_ID_LEN} characters without control characters"
            ),
        ));
    }
    if let Some(agent) = &ctx.user_agent {
        let escaped: String =
            agent
                .chars()
                .take(MAX_USER_AGENT_LEN)
                .fold(String::new(), |mut text, c| {
                    if c.is_control() {
                        text.extend(c.escape_unicode());
                    } else {
                        text.push(c);
                    }
                    text
                });
        ctx.user_agent = Some(escaped);
    }
    Ok(ctx)
}

//! Identifiers, secrets and timestamps.
//!
//! Ids are a type prefix and a ULID (`env_01JD3K8X9Y2N4P5Q6R7S8T9V0W`): 48
//! bits of milliseconds then 80 random bits, in Crockford base32, so they
//! sort by creation time (kind to B-tree indexes) and cannot be guessed or
//! enumerated (OWASP API1). ULID is twenty lines on top of the OS random
//! source; a crate for it would bring a second random number generator.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use paraph::ErrorCode;

use crate::error::AppError;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Fills `buf` from the operating system's random source.
pub fn fill_random(buf: &mut [u8]) -> Result<(), AppError> {
    getrandom::fill(buf).map_err(|e| {
        AppError::internal(
            ErrorCode::Internal,
            format!("the OS random source failed: {e}"),
        )
    })
}

/// A new id: `prefix` + `_` + a ULID.
pub fn new_id(prefix: &str, now: DateTime<Utc>) -> Result<String, AppError> {
    let mut random = [0u8; 10];
    fill_random(&mut random)?;
    Ok(format!("{prefix}_{}", ulid(now, random)))
}

/// The ULID text of a time and 80 random bits.
fn ulid(now: DateTime<Utc>, random: [u8; 10]) -> String {
    let millis = u128::try_from(now.timestamp_millis()).unwrap_or(0) & ((1 << 48) - 1);
    let mut value = millis << 80;
    for (i, byte) in random.iter().enumerate() {
        value |= u128::from(*byte) << (72 - 8 * i);
    }
    // 26 characters of 5 bits: the first carries the top 3 bits of 128.
    (0..26)
        .map(|i| {
            let shift = 125 - 5 * i;
            char::from(CROCKFORD[((value >> shift) & 0x1f) as usize])
        })
        .collect()
}

/// `len` random base62 characters, without modulo bias (bytes of 248 and
/// more are drawn again).
pub fn random_base62(len: usize) -> Result<String, AppError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill_random(&mut buf)?;
        for byte in buf {
            if out.len() == len {
                break;
            }
            if byte < 248 {
                out.push(char::from(BASE62[usize::from(byte % 62)]));
            }
        }
    }
    Ok(out)
}

/// `value` in base62, left-padded with `0` to `width` characters.
pub fn base62_fixed(mut value: u64, width: usize) -> String {
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// Whether every character is a base62 digit.
pub fn is_base62(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The time now, to the millisecond: what is stored is what is read back.
pub fn now() -> DateTime<Utc> {
    truncate_millis(Utc::now())
}

/// `t` without its sub-millisecond part.
pub fn truncate_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(t.timestamp_millis())
        .single()
        .unwrap_or(t)
}

/// The stored and displayed form of a time: `2026-11-23T09:00:00.000Z`.
/// Fixed width, so the text sorts as the times compare.
pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a stored time.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            AppError::internal(
                ErrorCode::Internal,
                format!("stored time {text:?} is not RFC 3339: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulids_are_26_crockford_characters_that_sort_by_time() {
        let early = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 1).unwrap();
        let a = ulid(early, [0xff; 10]);
        let b = ulid(late, [0; 10]);
        assert_eq!(a.len(), 26);
        assert!(a.bytes().all(|c| CROCKFORD.contains(&c)));
        assert!(a < b, "{a} sorts before {b}");
        // The known ULID of the Unix epoch with zero randomness.
        assert_eq!(
            ulid(Utc.timestamp_millis_opt(0).unwrap(), [0; 10]),
            "0".repeat(26)
        );
    }

    #[test]
    fn ids_differ_and_carry_their_prefix() {
        let t = now();
        let a = new_id("env", t).unwrap();
        let b = new_id("env", t).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("env_") && a.len() == 30);
    }

    #[test]
    fn base62_helpers() {
        let s = random_base62(40).unwrap();
        assert_eq!(s.len(), 40);
        assert!(is_base62(&s));
        assert_eq!(base62_fixed(0, 3), "000");
        assert_eq!(base62_fixed(61, 2), "0z");
        assert_eq!(base62_fixed(62, 2), "10");
        assert_eq!(base62_fixed(u64::from(u32::MAX), 6).len(), 6);
    }

    #[test]
    fn times_round_trip_at_millisecond_precision() {
        let t = now();
        let text = time_text(t);
        assert_eq!(text.len(), 24);
        assert_eq!(parse_time(&text).unwrap(), t);
        assert!(parse_time("yesterday").is_err());
    }
}

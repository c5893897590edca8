//! PDF dates (ISO 32000-2 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, written in
//! UTC and read leniently, as viewers do.

use chrono::{DateTime, Utc};

/// `D:YYYYMMDDHHmmSS+00'00'`: the time in UTC.
pub(crate) fn format(time: DateTime<Utc>) -> String {
    format!("D:{}+00'00'", time.format("%Y%m%d%H%M%S"))
}

/// Parses `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000-2 §7.9.4), lenient about
/// the optional parts.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let field = |start: usize, len: usize, default: u32| -> u32 {
        digits
            .get(start..start + len)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let year = i32::try_from(field(0, 4, 0)).ok()?;
    let naive = chrono::NaiveDate::from_ymd_opt(year, field(4, 2, 1), field(6, 2, 1))?
        .and_hms_opt(field(8, 2, 0), field(10, 2, 0), field(12, 2, 0))?;
    let rest = &text[digits.len()..];
    let offset_minutes = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i64> = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .take(2)
                .map(|s| s.parse().ok())
                .collect::<Option<_>>()?;
            let (hours, minutes) = (
                nums.first().copied().unwrap_or(0),
                nums.get(1).copied().unwrap_or(0),
            );
            // An offset is at most 23 hours 59 minutes; anything else is
            // not a date, and must not overflow the arithmetic below.
            if !(0..24).contains(&hours) || !(0..60).contains(&minutes) {
                return None;
            }
            let total = hours * 60 + minutes;
            if sign == '-' { -total } else { total }
        }
        _ => 0,
    };
    Some(naive.and_utc() - chrono::Duration::minutes(offset_minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_are_written_in_utc_and_read_back() {
        let t = parse("D:20261123103500Z").expect("date");
        assert_eq!(format(t), "D:20261123103500+00'00'");
        assert_eq!(parse(&format(t)), Some(t));
    }

    #[test]
    fn pdf_dates_parse_with_and_without_offsets() {
        let t = parse("D:20261123103500+01'00'").expect("date");
        assert_eq!(t.to_rfc3339(), "2026-11-23T09:35:00+00:00");
        let t = parse("D:20261123103500Z").expect("date");
        assert_eq!(t.to_rfc3339(), "2026-11-23T10:35:00+00:00");
        let t = parse("D:2026").expect("date");
        assert_eq!(t.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert!(parse("yesterday").is_none());
        // Offsets out of range, and numbers too long for any integer, are
        // not dates (and must not overflow).
        assert!(parse("D:20261123103500+99'00'").is_none());
        assert!(parse("D:20261123103500+99999999999999999999999'00'").is_none());
        assert!(parse(&format!("D:2026{}", "9".repeat(40))).is_none());
    }
}

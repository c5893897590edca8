//! RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON
//! value hashes to, whatever the order of its keys or the spelling of its
//! numbers.
//!
//! - objects: members sorted by the UTF-16 code units of their names;
//! - strings: escaped as ECMAScript's `JSON.stringify` does (`\"`, `\\`,
//!   `\b \f \n \r \t`, other controls as `\u00xx`, everything else as UTF-8);
//! - numbers: IEEE 754 doubles written as ECMAScript's `Number.prototype.toString`;
//! - no whitespace.

use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};

/// Largest integer a double holds exactly (2^53).
const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// The canonical form of `value` (RFC 8785), as UTF-8.
///
/// Integers beyond ±2^53 are refused with `INVALID_ARGUMENT`: they have no
/// exact double, so two programs would canonicalize them differently.
pub fn canonicalize(value: &Value) -> Result<String> {
    let mut out = String::new();
    write_value(&mut out, value)?;
    Ok(out)
}

fn write_value(out: &mut String, value: &Value) -> Result<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(out, number)?,
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, (name, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                write_value(out, item)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_number(out: &mut String, number: &serde_json::Number) -> Result<()> {
    if let Some(n) = number.as_u64() {
        if n > MAX_EXACT_INTEGER {
            return Err(out_of_range(number));
        }
        out.push_str(&n.to_string());
    } else if let Some(n) = number.as_i64() {
        if n.unsigned_abs() > MAX_EXACT_INTEGER {
            return Err(out_of_range(number));
        }
        out.push_str(&n.to_string());
    } else if let Some(f) = number.as_f64() {
        write_double(out, f)?;
    } else {
        return Err(out_of_range(number));
    }
    Ok(())
}

fn out_of_range(number: &serde_json::Number) -> Error {
    Error::new(
        ErrorCode::InvalidArgument,
        format!("the number {number} has no exact IEEE 754 double and cannot be canonicalized"),
    )
}

/// ECMAScript `Number.prototype.toString` (ECMA-262 §6.1.6.1.20) from the
/// shortest round-tripping digits, which Rust's `{:e}` formatting gives.
fn write_double(out: &mut String, value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "NaN and infinities are not JSON numbers",
        ));
    }
    if value == 0.0 {
        // Both zeros.
        out.push('0');
        return Ok(());
    }
    if value < 0.0 {
        out.push('-');
    }
    // `{:e}` gives the fewest digits that round-trip; of the numbers with
    // that many digits, ECMAScript takes the closest to the value, and the
    // even one on a tie: the correctly rounded `{:.Ne}` formatting.
    let shortest = format!("{:e}", value.abs());
    let significant = shortest.split_once('e').map_or(shortest.len(), |(m, _)| {
        m.chars().filter(char::is_ascii_digit).count()
    });
    let rounded = format!("{:.*e}", significant.saturating_sub(1), value.abs());
    // At a power of two the rounding interval is lopsided: keep the
    // shortest digits if the closest ones do not read back as the value.
    let scientific = if rounded.parse::<f64>().ok() == Some(value.abs()) {
        rounded
    } else {
        shortest
    };
    let (mantissa, exponent) = scientific
        .split_once('e')
        .ok_or_else(|| Error::new(ErrorCode::Internal, "unexpected float formatting"))?;
    let exponent: i32 = exponent
        .parse()
        .map_err(|_| Error::new(ErrorCode::Internal, "unexpected float exponent"))?;
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = i32::try_from(digits.len())
        .map_err(|_| Error::new(ErrorCode::Internal, "unexpected float digits"))?;
    // The value is 0.d1d2...dk × 10^n.
    let n = exponent + 1;
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let e = n - 1;
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.unsigned_abs().to_string());
    }
    Ok(())
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jcs(json: &str) -> String {
        canonicalize(&serde_json::from_str(json).expect("json")).expect("canonical")
    }

    #[test]
    fn the_rfc_example_canonicalizes() {
        // RFC 8785 §3.2.2 and §3.2.3.
        let input = r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#;
        assert_eq!(
            jcs(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn numbers_follow_ecmascript() {
        // RFC 8785 Appendix B, by IEEE 754 bit pattern.
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for &(bits, expected) in cases {
            let mut out = String::new();
            write_double(&mut out, f64::from_bits(bits)).expect("finite");
            assert_eq!(out, expected, "{bits:#018x}");
        }
    }

    #[test]
    fn integers_beyond_two_to_the_53_are_refused() {
        assert_eq!(
            jcs("[9007199254740992, -9007199254740992, 1.0, 100]"),
            "[9007199254740992,-9007199254740992,1,100]"
        );
        for json in [
            "9007199254740993",
            "-9007199254740993",
            "18446744073709551615",
        ] {
            let value: Value = serde_json::from_str(json).expect("json");
            assert_eq!(
                canonicalize(&value).expect_err("refused").code(),
                ErrorCode::InvalidArgument,
                "{json}"
            );
        }
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+10000 is D800 DC00 in UTF-16, which sorts before U+FB33 (FB33)
        // although its UTF-8 bytes sort after.
        let input = "{\"\u{fb33}\":1,\"\u{10000}\":2,\"a\":3,\"\u{e9}\":4,\"A\":5,\"\":6}";
        assert_eq!(
            jcs(input),
            "{\"\":6,\"A\":5,\"a\":3,\"\u{e9}\":4,\"\u{10000}\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn strings_escape_only_what_json_stringify_does() {
        assert_eq!(
            jcs(r#"["\u0000\u001f\b\f\n\r\t", "/<>&é한", "\u2028"]"#),
            "[\"\\u0000\\u001f\\b\\f\\n\\r\\t\",\"/<>&é한\",\"\u{2028}\"]"
        );
    }

    #[test]
    fn nesting_and_whitespace_vanish() {
        assert_eq!(
            jcs(r#" { "b" : [ 1 , { "d" : 2 , "c" : 3 } ] , "a" : { } } "#),
            r#"{"a":{},"b":[1,{"c":3,"d":2}]}"#
        );
    }
}

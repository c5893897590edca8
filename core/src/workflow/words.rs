//! What the workflow writes into documents, in the envelope's language:
//! the stamp's date line, DATE_SIGNED values, and initials derived from a
//! name.

use chrono::{DateTime, Utc};

use crate::audit::Locale;

/// The envelope's locale as one of the languages stamps are written in
/// (English for any other).
pub(crate) fn locale_of(tag: &str) -> Locale {
    Locale::parse(tag).unwrap_or_default()
}

/// The stamp's date line: `Signed on 2026-11-23 at 10:35 UTC`.
pub(crate) fn signed_line(locale: Locale, at: DateTime<Utc>) -> String {
    match locale {
        Locale::En => format!("Signed on {}", at.format("%Y-%m-%d at %H:%M UTC")),
        Locale::Fr => format!("Signé le {}", at.format("%d/%m/%Y à %H:%M UTC")),
        Locale::Ko => format!("{} 서명", at.format("%Y년 %m월 %d일 %H:%M UTC")),
    }
}

/// The value of a DATE_SIGNED field: the signing date as people of the
/// locale write it.
pub(crate) fn date_signed(locale: Locale, at: DateTime<Utc>) -> String {
    match locale {
        Locale::En => at.format("%Y-%m-%d").to_string(),
        Locale::Fr => at.format("%d/%m/%Y").to_string(),
        Locale::Ko => at.format("%Y. %m. %d.").to_string(),
    }
}

/// The stamp's small line: the contact and the envelope.
pub(crate) fn details_line(locale: Locale, contact: &str, envelope_id: &str) -> String {
    let envelope = match locale {
        Locale::En => "envelope",
        Locale::Fr => "enveloppe",
        Locale::Ko => "봉투",
    };
    format!("{contact} · {envelope} {envelope_id}")
}

/// Whether `c` is a Hangul syllable or jamo.
fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Initials from a name. Latin (and other alphabetic) names give the first
/// letter of each word, hyphenated parts included, upper-cased, at most
/// four: `Marie-Hélène Dupré` → `MHD`. A Hangul name is initialled with
/// the name itself when it is one word of at most four syllables, as
/// Korean signers write it (`김준호`), else with the first syllable of each
/// word. Characters that are neither are skipped.
pub fn initials_of(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || c == '-' || c == '—' || c == '–')
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let first_alpha = |w: &str| w.chars().find(|c| c.is_alphabetic());
    if let Some(first) = words.first()
        && first_alpha(first).is_some_and(is_hangul)
    {
        let hangul: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| first_alpha(w).is_some_and(is_hangul))
            .collect();
        if let [only] = hangul.as_slice() {
            let syllables: String = only.chars().filter(|c| is_hangul(*c)).collect();
            if syllables.chars().count() <= 4 {
                return syllables;
            }
        }
        return hangul
            .iter()
            .filter_map(|w| first_alpha(w))
            .take(4)
            .collect();
    }
    words
        .iter()
        .filter_map(|w| first_alpha(w))
        .flat_map(char::to_uppercase)
        .take(4)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn initials_come_from_the_name_in_latin_and_hangul() {
        assert_eq!(initials_of("Marie-Hélène Dupré"), "MHD");
        assert_eq!(initials_of("Zoë Ångström"), "ZÅ");
        assert_eq!(initials_of("김준호"), "김준호");
        assert_eq!(initials_of("남궁 민수"), "남민");
        assert_eq!(initials_of("마리 뒤부아 — Marie Dubois"), "마뒤");
        assert_eq!(initials_of("j. r. r. tolkien"), "JRRT");
        assert_eq!(initials_of("  "), "");
    }

    #[test]
    fn dates_are_written_as_the_locale_writes_them() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 35, 0).unwrap();
        assert_eq!(
            signed_line(Locale::En, at),
            "Signed on 2026-11-23 at 10:35 UTC"
        );
        assert_eq!(
            signed_line(Locale::Fr, at),
            "Signé le 23/11/2026 à 10:35 UTC"
        );
        assert_eq!(
            signed_line(Locale::Ko, at),
            "2026년 11월 23일 10:35 UTC 서명"
        );
        assert_eq!(date_signed(Locale::Fr, at), "23/11/2026");
        assert_eq!(locale_of("fr-CA"), Locale::Fr);
        assert_eq!(locale_of("de"), Locale::En);
    }
}

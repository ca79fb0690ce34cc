//! Times as the reader shows them: China Standard Time (UTC+8, the audience's clock) first,
//! UTC beside it, and the exact instant in `<time datetime>` for machines.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, Timelike, Utc};

/// UTC+8.
fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("8 hours is a valid UTC offset")
}

/// One instant, formatted every way a page needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct When {
    /// RFC 3339 UTC (`2023-11-14T22:13:20Z`), for `datetime`.
    pub(crate) iso: String,
    /// `2023-11-15 06:13` in UTC+8.
    pub(crate) local: String,
    /// `2023-11-15` in UTC+8.
    pub(crate) date: String,
    /// `2023-11-14 22:13 UTC`.
    pub(crate) utc: String,
}

impl When {
    /// An instant given in epoch milliseconds; `None` when out of range.
    pub(crate) fn from_ms(ms: i64) -> Option<When> {
        DateTime::<Utc>::from_timestamp_millis(ms).map(When::new)
    }

    /// An instant given as RFC 3339 (as the capture log and the index store times).
    pub(crate) fn from_rfc3339(text: &str) -> Option<When> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| When::new(t.with_timezone(&Utc)))
    }

    fn new(t: DateTime<Utc>) -> When {
        let (local, utc) = (t.with_timezone(&beijing()).naive_local(), t.naive_utc());
        // Written field by field: a search page shows twenty of these, and chrono's `format`
        // parses its pattern on every call (about 2 % of a search page's CPU). Years outside
        // 0..=9999 take chrono's rules for a sign and more digits.
        if ![local.year(), utc.year()]
            .iter()
            .all(|y| (0..=9999).contains(y))
        {
            return When::formatted_by_chrono(t);
        }
        let date = ymd(&local);
        let minute =
            |d: &NaiveDateTime, date: &str| format!("{date} {:02}:{:02}", d.hour(), d.minute());
        When {
            iso: format!(
                "{}T{:02}:{:02}:{:02}Z",
                ymd(&utc),
                utc.hour(),
                utc.minute(),
                utc.second()
            ),
            local: minute(&local, &date),
            utc: format!("{} UTC", minute(&utc, &ymd(&utc))),
            date,
        }
    }

    fn formatted_by_chrono(t: DateTime<Utc>) -> When {
        let local = t.with_timezone(&beijing());
        When {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            local: local.format("%Y-%m-%d %H:%M").to_string(),
            date: local.format("%Y-%m-%d").to_string(),
            utc: t.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    /// `<time>` with the UTC+8 time, and the UTC time after it (article pages, timelines).
    pub(crate) fn full_html(&self) -> String {
        format!(
            "<time datetime=\"{}\">{}（北京时间）</time> <span class=\"utc\">{}</span>",
            self.iso, self.local, self.utc
        )
    }

    /// `<time>` with the UTC+8 date and time, UTC in its tooltip (lists).
    pub(crate) fn short_html(&self) -> String {
        format!(
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            self.iso, self.utc, self.local
        )
    }
}

/// `2023-11-15` (a year of four digits).
fn ymd(d: &NaiveDateTime) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Midnight UTC+8 of a `YYYY-MM-DD` date, in epoch ms; `None` when it is not such a date.
pub(crate) fn day_start_ms(date: &str) -> Option<i64> {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let local = day.and_hms_opt(0, 0, 0)?;
    Some(local.and_utc().timestamp_millis() - 8 * 3_600_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_beijing_time_and_utc() {
        let w = When::from_ms(1_700_000_000_000).unwrap();
        assert_eq!(w.iso, "2023-11-14T22:13:20Z");
        assert_eq!(w.local, "2023-11-15 06:13");
        assert_eq!(w.date, "2023-11-15");
        assert_eq!(w.utc, "2023-11-14 22:13 UTC");
        assert_eq!(When::from_rfc3339("2023-11-14T22:13:20.000Z"), Some(w));
        assert_eq!(When::from_rfc3339("yesterday"), None);
    }

    /// Instants spread over four millennia (leap days, midnight on both sides of the offset,
    /// whole and fractional seconds) read as chrono formats them.
    #[test]
    fn field_by_field_formatting_agrees_with_chrono() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut instants = vec![0, -1, 951_782_400_000, 951_868_799_999, 253_402_300_799_999];
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // From year -1000 to 3000.
            instants.push(((state >> 16) % 126_230_000_000_000) as i64 - 93_700_000_000_000);
        }
        let mut fast = 0;
        for ms in instants {
            let t = DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
            let w = When::new(t);
            assert_eq!(w, When::formatted_by_chrono(t), "{ms}");
            fast += usize::from(t.year() >= 0);
        }
        assert!(
            fast > 10_000,
            "most instants should take the field-by-field path"
        );
    }

    #[test]
    fn days_start_at_midnight_in_beijing() {
        assert_eq!(day_start_ms("2023-11-15"), Some(1_699_977_600_000));
        assert_eq!(day_start_ms("2023-13-01"), None);
    }
}

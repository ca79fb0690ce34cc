//! Times as the reader shows them: China Standard Time (UTC+8, the audience's clock) first,
//! UTC beside it, and the exact instant in `<time datetime>` for machines.

use chrono::{DateTime, FixedOffset, Utc};

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

    #[test]
    fn days_start_at_midnight_in_beijing() {
        assert_eq!(day_start_ms("2023-11-15"), Some(1_699_977_600_000));
        assert_eq!(day_start_ms("2023-13-01"), None);
    }
}

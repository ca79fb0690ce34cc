//! Dates as pages write them → UTC instants.
//!
//! Accepted: RFC 3339 / ISO 8601 (with or without seconds, `T` or space, offset with or
//! without a colon, `Z`), RFC 2822, Unix epoch seconds or milliseconds, and Chinese dates
//! (`2023年5月26日 23:51`). A time without an offset is taken as UTC; a date without a time
//! as midnight UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses `s` into a UTC instant, if it is a date this module knows.
pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return match s.len() {
            10 => Utc.timestamp_opt(n, 0).single(),
            13 => Utc.timestamp_millis_opt(n).single(),
            _ => None,
        };
    }
    let normalized = normalize(s);
    let n = normalized.as_str();
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(n, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(n, f) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    let date_part = n.get(..10).unwrap_or(n);
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Utc.from_utc_datetime(&d))
}

/// Rewrites Chinese and slash dates to ISO form: `2023年5月26日 23:51` → `2023-05-26T23:51`.
fn normalize(s: &str) -> String {
    let s = s.trim().trim_end_matches(" UTC").trim_end_matches(" GMT");
    let mut nums: Vec<String> = Vec::new();
    let mut rest_from = s.len();
    let mut cur = String::new();
    let mut cjk = false;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else {
            if matches!(c, '年' | '月' | '日' | '/') {
                cjk = true;
            }
            if !cur.is_empty() {
                nums.push(std::mem::take(&mut cur));
            }
            if matches!(c, '+' | 'Z') || (c == '-' && nums.len() >= 5) {
                rest_from = i;
                break;
            }
        }
    }
    if !cur.is_empty() {
        nums.push(cur);
    }
    if !cjk {
        return s.replacen(' ', "T", 1);
    }
    if nums.len() < 3 || nums[0].len() != 4 {
        return s.to_string();
    }
    let mut out = format!("{}-{:0>2}-{:0>2}", nums[0], nums[1], nums[2]);
    if nums.len() >= 5 {
        out.push_str(&format!("T{:0>2}:{:0>2}", nums[3], nums[4]));
        if let Some(sec) = nums.get(5) {
            out.push_str(&format!(":{sec:0>2}"));
        }
        out.push_str(&s[rest_from..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse(s).map(|d| d.to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn forms() {
        assert_eq!(
            iso("2023-05-26T23:51:00+02:00"),
            "2023-05-26T21:51:00+00:00"
        );
        assert_eq!(iso("2023-05-26T23:51:00+0200"), "2023-05-26T21:51:00+00:00");
        assert_eq!(iso("2023-05-26 23:51"), "2023-05-26T23:51:00+00:00");
        assert_eq!(
            iso("Fri, 26 May 2023 21:51:00 GMT"),
            "2023-05-26T21:51:00+00:00"
        );
        assert_eq!(iso("2023年5月26日 23:51"), "2023-05-26T23:51:00+00:00");
        assert_eq!(iso("2023/05/26"), "2023-05-26T00:00:00+00:00");
        assert_eq!(iso("2023-05-26"), "2023-05-26T00:00:00+00:00");
        assert_eq!(iso("1685139303000"), "2023-05-26T22:15:03+00:00");
        assert_eq!(iso("yesterday"), "");
    }
}

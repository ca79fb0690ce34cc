//! Dates as feeds write them, read the way feedparser reads them.
//!
//! The formats are tried in feedparser's order, and each one is a port of feedparser's parser,
//! quirks included (an unknown zone name is UTC; a two-digit year below 90 is 20xx): W3C-DTF,
//! RFC 822 (with its variants: no weekday, swapped day and month, `GMT+8`, `Etc/GMT`), ISO 8601
//! (basic and extended, two-digit years, a trailing suffix ignored), asctime, Perforce, and the
//! Hungarian, Greek and Korean formats of feedparser's test suite.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// Parses a date string the way feedparser does; `None` when no format reads it.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    w3dtf(s)
        .or_else(|| rfc822(s))
        .or_else(|| iso8601(s))
        .or_else(|| asctime(s))
        .or_else(|| perforce(s))
        .or_else(|| hungarian(s))
        .or_else(|| greek(s))
        .or_else(|| korean(s))
}

/// `Fri, 2006/09/15 08:19:53 EDT` (Perforce), rewritten as RFC 822.
fn perforce(s: &str) -> Option<DateTime<Utc>> {
    let (dow, rest) = s.split_once(", ")?;
    let mut parts = rest.split(' ');
    let date: Vec<&str> = parts.next()?.split('/').collect();
    let (time, zone) = (parts.next()?, parts.next()?);
    if dow.chars().count() > 3 || date.len() != 3 || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.get(usize::try_from(py_int(date[1])? - 1).ok()?)?;
    rfc822(&format!(
        "{dow}, {} {month} {} {time} {zone}",
        date[2], date[0]
    ))
}

/// `2004-július-13T9:15-05:00`, rewritten as W3C-DTF (feedparser's month table, typos kept).
fn hungarian(s: &str) -> Option<DateTime<Utc>> {
    const MONTHS: [(&str, &str); 12] = [
        ("január", "01"),
        ("februári", "02"),
        ("március", "03"),
        ("április", "04"),
        ("máujus", "05"),
        ("június", "06"),
        ("július", "07"),
        ("augusztus", "08"),
        ("szeptember", "09"),
        ("október", "10"),
        ("november", "11"),
        ("december", "12"),
    ];
    let (year, rest) = s.split_once('-')?;
    let (month, rest) = rest.split_once('-')?;
    let (day, rest) = rest.split_once('T')?;
    let (hour, rest) = rest.split_once(':')?;
    let minute = rest.get(..2)?;
    let zone = rest.get(2..)?;
    let month = MONTHS.iter().find(|(name, _)| *name == month)?.1;
    let two = |v: &str| {
        (v.len() <= 2 && v.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{v:0>2}"))
    };
    if year.len() != 4 || !zone.starts_with(['+', '-']) {
        return None;
    }
    w3dtf(&format!(
        "{year}-{month}-{}T{}:{minute}{zone}",
        two(day)?,
        two(hour)?
    ))
}

/// `Κυρ, 11 Ιούλ 2004 12:00:00 EST`, rewritten as RFC 822 (feedparser's name tables).
fn greek(s: &str) -> Option<DateTime<Utc>> {
    const MONTHS: [(&str, &str); 19] = [
        ("Ιαν", "Jan"),
        ("Φεβ", "Feb"),
        ("Μάώ", "Mar"),
        ("Μαώ", "Mar"),
        ("Απρ", "Apr"),
        ("Μάι", "May"),
        ("Μαϊ", "May"),
        ("Μαι", "May"),
        ("Ιούν", "Jun"),
        ("Ιον", "Jun"),
        ("Ιούλ", "Jul"),
        ("Ιολ", "Jul"),
        ("Αύγ", "Aug"),
        ("Αυγ", "Aug"),
        ("Σεπ", "Sep"),
        ("Οκτ", "Oct"),
        ("Νοέ", "Nov"),
        ("Νοε", "Nov"),
        ("Δεκ", "Dec"),
    ];
    const DAYS: [(&str, &str); 7] = [
        ("Κυρ", "Sun"),
        ("Δευ", "Mon"),
        ("Τρι", "Tue"),
        ("Τετ", "Wed"),
        ("Πεμ", "Thu"),
        ("Παρ", "Fri"),
        ("Σαβ", "Sat"),
    ];
    let (wday, rest) = s.split_once(',')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, time, zone] = fields.as_slice() else {
        return None;
    };
    let wday = DAYS.iter().find(|(g, _)| *g == wday)?.1;
    let month = MONTHS.iter().find(|(g, _)| g == month)?.1;
    if day.len() != 2 || year.len() != 4 || time.len() != 8 {
        return None;
    }
    rfc822(&format!("{wday}, {day} {month} {year} {time} {zone}"))
}

/// Python's `int()` on a string: optional surrounding whitespace and sign, ASCII digits.
fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A UTC instant from local fields and a zone offset in hours and minutes (each signed).
#[allow(
    clippy::too_many_arguments,
    reason = "the fields of a date, a time and a zone"
)]
fn instant(
    y: i64,
    mo: i64,
    d: i64,
    h: i64,
    mi: i64,
    s: i64,
    tzh: i64,
    tzm: i64,
) -> Option<DateTime<Utc>> {
    if !(1..=9999).contains(&y)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..60).contains(&s)
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(y).ok()?,
        u32::try_from(mo).ok()?,
        u32::try_from(d).ok()?,
    )?;
    let local = date.and_hms_opt(h as u32, mi as u32, s as u32)?;
    let utc = local.checked_sub_signed(Duration::try_hours(tzh)? + Duration::try_minutes(tzm)?)?;
    Some(Utc.from_utc_datetime(&utc))
}

fn zone_hours(name: &str) -> i64 {
    match name {
        "adt" => -3,
        "ast" | "at" => -4,
        "edt" => -4,
        "est" | "et" => -5,
        "cdt" => -5,
        "cst" | "ct" => -6,
        "mdt" => -6,
        "mst" | "mt" => -7,
        "pdt" => -7,
        "pst" | "pt" => -8,
        "a" => -1,
        "n" => 1,
        "m" => -12,
        "y" => 12,
        _ => 0,
    }
}

fn w3dtf(s: &str) -> Option<DateTime<Utc>> {
    let lower = s.to_lowercase();
    let mut parts: Vec<String> = lower.split('t').map(str::to_owned).collect();
    if parts.len() == 1 {
        parts = parts[0].split_whitespace().map(str::to_owned).collect();
        if parts.len() == 1 {
            parts.push("00:00:00z".to_owned());
        }
    } else if parts.len() > 2 {
        return None;
    }
    if parts.len() < 2 {
        return None;
    }
    let mut date: Vec<&str> = parts[0].splitn(3, '-').collect();
    if date[0].len() != 4 {
        return None;
    }
    while date.len() < 3 {
        date.push("1");
    }
    let (y, mo, d) = (py_int(date[0])?, py_int(date[1])?, py_int(date[2])?);
    if parts[1].ends_with('z') {
        parts[1].pop();
        parts.push("z".to_owned());
    }
    let loc = parts[1].find(['-', '+']).unwrap_or(parts[1].len());
    let loc = match (parts[1].find('-'), parts[1].find('+')) {
        (Some(m), _) => m,
        (None, Some(p)) => p,
        _ => loc,
    };
    let zone = parts[1][loc..].to_owned();
    parts.push(zone);
    parts[1].truncate(loc);
    let mut time: Vec<&str> = parts[1].splitn(3, ':').collect();
    while time.len() < 3 {
        time.push("0");
    }
    let tz = parts[2].as_str();
    let (tzh, tzm) = if tz.starts_with(['-', '+']) {
        let h = py_int(tz.get(1..3)?)?;
        let m = py_int(tz.get(4..)?)?;
        if tz.starts_with('-') {
            (-h, -m)
        } else {
            (h, m)
        }
    } else {
        (zone_hours(tz), 0)
    };
    let mut hms = [0i64; 3];
    for (slot, t) in hms.iter_mut().zip(&time) {
        let v: f64 = t.trim().parse().ok()?;
        if !v.is_finite() || t.trim().contains(['n', 'i', 'e']) {
            return None;
        }
        *slot = v.trunc() as i64;
    }
    instant(y, mo, d, hms[0], hms[1], hms[2], tzh, tzm)
}

fn month(name: &str) -> Option<i64> {
    let m = name.get(..3).unwrap_or(name);
    Some(match m {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

fn rfc822(s: &str) -> Option<DateTime<Utc>> {
    let lower = s.to_lowercase();
    let mut parts: Vec<String> = lower.split_whitespace().map(str::to_owned).collect();
    if parts.len() < 5 {
        parts.push("00:00:00".to_owned());
        parts.push("0000".to_owned());
    }
    let is_day = |p: &str| {
        matches!(
            p.get(..3).unwrap_or(p),
            "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun"
        )
    };
    if is_day(&parts[0]) {
        parts.remove(0);
    }
    if parts.len() < 5 {
        return None;
    }
    let (day, mon) = match py_int(&parts[0]) {
        Some(d) => (d, month(&parts[1])?),
        None => (py_int(&parts[1])?, month(&parts[0])?),
    };
    let mut year = py_int(&parts[2])?;
    if parts[2].len() <= 2 {
        year += if year < 90 { 2000 } else { 1900 };
    }
    let mut time: Vec<&str> = parts[3].split(':').collect();
    while time.len() < 3 {
        time.push("0");
    }
    if time.len() != 3 {
        return None;
    }
    let (h, mi, sec) = (py_int(time[0])?, py_int(time[1])?, py_int(time[2])?);
    let mut zone = parts[4].clone();
    if let Some(z) = zone.strip_prefix("etc/") {
        zone = z.to_owned();
    }
    if let Some(z) = zone.strip_prefix("gmt") {
        let joined: String = z.split(':').collect();
        zone = if joined.is_empty() {
            "gmt".to_owned()
        } else {
            joined
        };
    }
    let (tzh, tzm) = if zone.starts_with(['-', '+']) {
        let h = py_int(zone.get(1..3)?)?;
        let m = if zone.contains(':') {
            py_int(zone.get(4..)?)?
        } else {
            py_int(zone.get(3..)?)?
        };
        if zone.starts_with('-') {
            (-h, -m)
        } else {
            (h, m)
        }
    } else {
        (
            match zone.as_str() {
                "met" => 1,
                "mest" => 2,
                z => zone_hours(z),
            },
            0,
        )
    };
    instant(year, mon, day, h, mi, sec, tzh, tzm)
}

fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let d = s.get(..n)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, &s[n..]))
}

/// ISO 8601 as feedparser's regular expressions read it (a prefix match).
fn iso8601(s: &str) -> Option<DateTime<Utc>> {
    let (y, rest) = digits(s, 4).or_else(|| digits(s, 2).map(|(y, r)| (2000 + y, r)))?;
    let rest_dash = rest.strip_prefix('-').unwrap_or(rest);
    let (mo, d, rest) = match digits(rest_dash, 2) {
        Some((mo, r)) if mo <= 19 => {
            let r2 = r.strip_prefix('-').unwrap_or(r);
            match digits(r2, 2) {
                Some((d, r3)) if d <= 39 => (mo, d, r3),
                _ => (mo, 1, r),
            }
        }
        _ => (1, 1, rest),
    };
    let mut rest = rest.strip_prefix('T').unwrap_or(rest);
    let (mut h, mut mi, mut sec, mut tzh, mut tzm) = (0, 0, 0, 0, 0);
    if let Some((hh, r)) = digits(rest, 2)
        && let Some(r) = r.strip_prefix(':')
        && let Some((mm, r)) = digits(r, 2)
    {
        h = hh;
        mi = mm;
        rest = r;
        if let Some((ss, r)) = rest.strip_prefix(':').and_then(|r| digits(r, 2)) {
            sec = ss;
            rest = r;
        }
        if let Some(r) = rest.strip_prefix('.') {
            rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        if let Some(sign) = rest.chars().next().filter(|c| *c == '+' || *c == '-')
            && let Some((zh, r)) = digits(&rest[1..], 2)
        {
            let zm = r
                .strip_prefix(':')
                .and_then(|r| digits(r, 2))
                .map_or(0, |x| x.0);
            (tzh, tzm) = if sign == '-' { (-zh, -zm) } else { (zh, zm) };
        }
    }
    instant(y, mo, d, h, mi, sec, tzh, tzm)
}

fn asctime(s: &str) -> Option<DateTime<Utc>> {
    let mut parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() == 5 {
        parts.insert(4, "+0000");
    }
    if parts.len() != 6 {
        return None;
    }
    rfc822(&[parts[0], parts[2], parts[1], parts[5], parts[3], parts[4]].join(" "))
}

/// `2004-05-25 오후 11:23:17` (Nate) and `2004년 05월 28일  01:31:15` (OnBlog), Korean time.
fn korean(s: &str) -> Option<DateTime<Utc>> {
    let nums: Vec<i64> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    if nums.len() != 6 {
        return None;
    }
    let mut h = nums[3];
    if s.contains("년") && s.contains("월") && s.contains("일") {
    } else if s.contains("오후") {
        h += 12;
    } else if !s.contains("오전") {
        return None;
    }
    if h == 24 {
        h = 12;
    }
    instant(nums[0], nums[1], nums[2], h, nums[4], nums[5], 9, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_date(s).map_or("none".into(), |d| {
            d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        })
    }

    #[test]
    fn reads_the_common_formats() {
        assert_eq!(iso("Thu, 01 Jan 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
        assert_eq!(iso("Thu, 01 Jan 04 19:48:21 +0800"), "2004-01-01T11:48:21Z");
        assert_eq!(iso("Sun, 4 Jan 2004 16:29:06 PST"), "2004-01-05T00:29:06Z");
        assert_eq!(iso("2003-12-31T10:14:55Z"), "2003-12-31T10:14:55Z");
        assert_eq!(iso("2003-12-31T10:14:55.123-08:00"), "2003-12-31T18:14:55Z");
        assert_eq!(iso("2003-12-31"), "2003-12-31T00:00:00Z");
        assert_eq!(iso("20031231T101455Z"), "2003-12-31T00:00:00Z");
        assert_eq!(iso("Sun Jan  4 16:29:06 2004"), "2004-01-04T16:29:06Z");
        assert_eq!(iso("Mon, 26 Jan 2004 17:00:00 Etc/GMT+8"), "none");
        assert_eq!(iso("2004-05-25 오후 11:23:17"), "2004-05-25T00:00:00Z");
        assert_eq!(iso("not a date"), "none");
        assert_eq!(
            iso("Κυρ, 11 Ιούλ 2004 12:00:00 EST"),
            "2004-07-11T17:00:00Z"
        );
        // feedparser's ISO 8601 parser takes this one first (and fills in the current month);
        // the Hungarian reader is reached for what that parser rejects.
        assert_eq!(
            hungarian("2004-július-13T9:15-05:00")
                .map(|d| d.to_rfc3339())
                .as_deref(),
            Some("2004-07-13T14:15:00+00:00")
        );
        assert_eq!(hungarian("2004-július-13T9:15Z"), None);
        assert_eq!(iso("Fri, 2006/09/15 08:19:53 EDT"), "2006-09-15T12:19:53Z");
        assert_eq!(iso("Thu, 31 Feb 2004 19:48:21 GMT"), "none");
    }
}

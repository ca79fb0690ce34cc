//! A site's list file, `lists/<site name>.md`: the newest articles, newest first.
//!
//! ```text
//! 法广\n------\n\n
//! 7-21 [title](/articles/法广/1046909_title.md)\n\n     one entry per article, blank-line separated
//! ...
//! \n\n[查看更多](/articles/法广)                         the "more" link, no final newline
//! ```
//!
//! Dates are month-day in UTC+8 (the generator ran for readers in China). Spaces in link
//! targets are written `%20`, as the generator did; nothing else is escaped.

use chrono::{FixedOffset, TimeZone};

/// How many entries the generator kept in a list.
pub const LIST_LEN: usize = 300;
/// The label of the link to the full folder.
pub const MORE_LABEL: &str = "查看更多";

/// One parsed list file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List {
    /// The site name on the first line.
    pub name: String,
    /// Entries, newest first.
    pub entries: Vec<ListEntry>,
    /// Target of the trailing "more" link, when present.
    pub more: Option<String>,
}

/// One line of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEntry {
    /// `M-D` in UTC+8.
    pub date: String,
    /// The article title.
    pub title: String,
    /// The link target, e.g. `/articles/rfi/1042001.md`.
    pub href: String,
}

/// `M-D` of an epoch-millisecond time in UTC+8.
pub fn list_date(published_ms: i64) -> String {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    match tz.timestamp_millis_opt(published_ms).single() {
        Some(t) => t.format("%-m-%-d").to_string(),
        None => "1-1".to_owned(),
    }
}

/// The link target of an article file: `/` + its path with spaces as `%20`.
pub fn href(path: &str) -> String {
    format!("/{}", path.replace(' ', "%20"))
}

/// Writes a list file.
pub fn write(list: &List) -> String {
    let mut out = format!("{}\n------\n\n", list.name);
    let entries: Vec<String> = list
        .entries
        .iter()
        .map(|e| format!("{} [{}]({})", e.date, e.title, e.href))
        .collect();
    out.push_str(&entries.join("\n\n"));
    if let Some(more) = &list.more {
        out.push_str(&format!("\n\n\n[{MORE_LABEL}]({more})"));
    }
    out
}

/// Reads a list file; `None` when it is not one.
pub fn parse(text: &str) -> Option<List> {
    let (name, rest) = text.split_once("\n------\n\n")?;
    let (body, more) = match rest.rsplit_once(&format!("\n\n\n[{MORE_LABEL}](")) {
        Some((body, tail)) => (body, Some(tail.strip_suffix(')')?.to_owned())),
        None => (rest, None),
    };
    let mut entries = Vec::new();
    for line in body.split("\n\n").filter(|l| !l.is_empty()) {
        let (date, link) = line.split_once(' ')?;
        let inner = link.strip_prefix('[')?.strip_suffix(')')?;
        let (title, href) = inner.rsplit_once("](")?;
        entries.push(ListEntry {
            date: date.to_owned(),
            title: title.to_owned(),
            href: href.to_owned(),
        });
    }
    Some(List {
        name: name.to_owned(),
        entries,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_month_day_in_utc_plus_8() {
        // 2020-07-20T16:30:00Z is 7-21 00:30 in Beijing.
        assert_eq!(list_date(1595262600000), "7-21");
        assert_eq!(list_date(1595226600000), "7-20");
    }

    #[test]
    fn a_list_reads_and_writes_back() {
        let text = "法广\n------\n\n7-21 [a b](/articles/法广/2_a%20b.md)\n\n7-20 [c](/articles/法广/3_c.md)\n\n\n[查看更多](/articles/法广)";
        let list = parse(text).expect("list");
        assert_eq!(list.entries.len(), 2);
        assert_eq!(list.entries[0].title, "a b");
        assert_eq!(write(&list), text);
        assert_eq!(href("articles/法广/2_a b.md"), "/articles/法广/2_a%20b.md");
    }
}

//! The duty-machine repository layout: `articles/<site>/<id>.md` (2021 on) or
//! `articles/<site name>/<id>_<title>.md` (2020), and the sites it knew.
//!
//! Ids count down from [`FIRST_ID`] so that the newest file sorts first.

/// The id of the first (oldest) article of a site.
pub const FIRST_ID: u32 = 0xFFFFF;

/// A site of the original archive: its folder abbreviation (our source id) and display name
/// (its 2020 folder name and its list file name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// Folder abbreviation, e.g. `rfi`; newsvault's source id.
    pub abbr: &'static str,
    /// Display name, e.g. `法广`.
    pub name: &'static str,
}

/// The sites of the duty-machine archive.
pub const KNOWN_SITES: &[Site] = &[
    Site {
        abbr: "rfi",
        name: "法广",
    },
    Site {
        abbr: "bbc",
        name: "BBC",
    },
    Site {
        abbr: "voa",
        name: "美国之音",
    },
    Site {
        abbr: "dw",
        name: "德国之声",
    },
    Site {
        abbr: "nyt",
        name: "纽约时报",
    },
    Site {
        abbr: "rfa",
        name: "自由亚洲电台",
    },
    Site {
        abbr: "cdt",
        name: "中国数字时代",
    },
    Site {
        abbr: "reuters",
        name: "路透",
    },
    Site {
        abbr: "ft",
        name: "金融时报",
    },
];

/// The known site whose abbreviation (any case) or display name is `folder`.
pub fn known_site(folder: &str) -> Option<Site> {
    KNOWN_SITES
        .iter()
        .copied()
        .find(|s| s.abbr.eq_ignore_ascii_case(folder) || s.name == folder)
}

/// A record file name: `<id>.md` or `<id>_<title>.md`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileName<'a> {
    /// The countdown id.
    pub id: u32,
    /// The title part of a 2020 name.
    pub title: Option<&'a str>,
}

/// Reads a record file name; `None` when it is not one.
pub fn parse_file_name(name: &str) -> Option<FileName<'_>> {
    let stem = name.strip_suffix(".md")?;
    let (digits, title) = match stem.split_once('_') {
        Some((d, t)) => (d, Some(t)),
        None => (stem, None),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(FileName {
        id: digits.parse().ok()?,
        title,
    })
}

/// The path of an article file in the current layout: `articles/<folder>/<id>.md`.
pub fn article_path(folder: &str, id: u32) -> String {
    format!("articles/{folder}/{id}.md")
}

/// The path of a site's list file: `lists/<name>.md`.
pub fn list_path(name: &str) -> String {
    format!("lists/{name}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_file_name_generations_are_read() {
        assert_eq!(
            parse_file_name("1042001.md"),
            Some(FileName {
                id: 1042001,
                title: None
            })
        );
        assert_eq!(
            parse_file_name("1048125_[视频]北京_火速.md"),
            Some(FileName {
                id: 1048125,
                title: Some("[视频]北京_火速")
            })
        );
        assert_eq!(parse_file_name("README.md"), None);
        assert_eq!(parse_file_name("1042001.txt"), None);
    }

    #[test]
    fn sites_are_found_by_abbreviation_or_name() {
        assert_eq!(known_site("法广").map(|s| s.abbr), Some("rfi"));
        assert_eq!(known_site("BBC").map(|s| s.abbr), Some("bbc"));
        assert_eq!(known_site("bbc").map(|s| s.name), Some("BBC"));
        assert_eq!(known_site("unknown"), None);
    }
}

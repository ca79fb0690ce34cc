//! The 简/繁 toggle: which script a reader wants, and converting the text of a page to it.
//!
//! The preference comes from `?zh=hans|hant|orig` (which also sets a cookie, so it persists
//! across pages without JavaScript) or else from the `zh` cookie; without either, text is shown
//! as archived. Conversion is phrase-level OpenCC (`clean::to_simplified`/`to_traditional`)
//! applied to the *text* of the HTML only: tags, attribute values (URLs, the search box) and
//! entities pass through unchanged.

/// The script a page is shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Zh {
    /// As archived.
    #[default]
    Original,
    /// Simplified characters (简体).
    Hans,
    /// Traditional characters (繁體).
    Hant,
}

/// Name of the cookie (and of the query parameter) that holds the preference.
pub(crate) const COOKIE: &str = "zh";

impl Zh {
    /// Reads a parameter or cookie value; `None` for anything else.
    pub(crate) fn parse(value: &str) -> Option<Zh> {
        match value {
            "hans" => Some(Zh::Hans),
            "hant" => Some(Zh::Hant),
            "orig" => Some(Zh::Original),
            _ => None,
        }
    }

    /// The value written in links and the cookie.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Zh::Original => "orig",
            Zh::Hans => "hans",
            Zh::Hant => "hant",
        }
    }

    /// The page's `lang` attribute.
    pub(crate) fn lang(self) -> &'static str {
        match self {
            Zh::Original => "zh",
            Zh::Hans => "zh-Hans",
            Zh::Hant => "zh-Hant",
        }
    }

    /// The `Set-Cookie` value that remembers this choice for a year (`orig` forgets it).
    pub(crate) fn cookie(self) -> String {
        match self {
            Zh::Original => format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"),
            _ => format!(
                "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
                self.as_str()
            ),
        }
    }

    /// `text` in this script.
    pub(crate) fn text(self, text: &str) -> String {
        match self {
            Zh::Original => text.to_owned(),
            Zh::Hans => clean::to_simplified(text),
            Zh::Hant => clean::to_traditional(text),
        }
    }

    /// `html` with the text between its tags converted. The input is HTML we wrote or the
    /// sanitizer serialized: text holds no raw `<`, and a tag ends at the first `>` outside
    /// quotes. Text inside `<style>` or `<script>` is left alone (our pages have neither in
    /// the body, but the rule keeps the function honest).
    pub(crate) fn html(self, html: &str) -> String {
        if self == Zh::Original {
            return html.to_owned();
        }
        let mut out = String::with_capacity(html.len() + html.len() / 8);
        let mut rest = html;
        let mut raw_text = false;
        while !rest.is_empty() {
            let text_end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..text_end];
            if raw_text || !text.chars().any(is_convertible) {
                out.push_str(text);
            } else {
                out.push_str(&self.text(text));
            }
            rest = &rest[text_end..];
            if rest.is_empty() {
                break;
            }
            let tag_end = tag_len(rest).unwrap_or(rest.len());
            let tag = &rest[..tag_end];
            let name = tag[1..]
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .to_ascii_lowercase();
            if name == "script" || name == "style" {
                raw_text = !tag.starts_with("</");
            }
            out.push_str(tag);
            rest = &rest[tag_end..];
        }
        out
    }
}

/// Whether OpenCC could change `c` (only CJK text needs the converter at all; skipping pure
/// ASCII runs keeps markup-heavy pages cheap).
fn is_convertible(c: char) -> bool {
    !c.is_ascii()
}

/// Length in bytes of the tag `s` starts with, through its `>`, quotes respected; `None` when
/// it does not end.
fn tag_len(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_text_but_not_markup_or_urls() {
        let html = r#"<p title="头发">头发<a href="/search?q=头发">干部</a> &amp; 后面</p><style>头发</style>"#;
        let out = Zh::Hant.html(html);
        assert_eq!(
            out,
            r#"<p title="头发">頭髮<a href="/search?q=头发">幹部</a> &amp; 後面</p><style>头发</style>"#
        );
        assert_eq!(Zh::Hans.html("<b>頭髮</b>"), "<b>头发</b>");
        assert_eq!(Zh::Original.html("<b>頭髮</b>"), "<b>頭髮</b>");
    }

    #[test]
    fn a_quoted_greater_than_does_not_end_a_tag() {
        let out = Zh::Hant.html(r#"<img alt="a>头发">头发"#);
        assert_eq!(out, r#"<img alt="a>头发">頭髮"#);
    }

    #[test]
    fn preference_values_round_trip() {
        for zh in [Zh::Original, Zh::Hans, Zh::Hant] {
            assert_eq!(Zh::parse(zh.as_str()), Some(zh));
        }
        assert_eq!(Zh::parse("klingon"), None);
        assert!(Zh::Hant.cookie().starts_with("zh=hant;"));
        assert!(Zh::Original.cookie().contains("Max-Age=0"));
    }
}

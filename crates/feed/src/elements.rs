//! The element handlers: what each RSS, RDF, Atom, Dublin Core, content:, iTunes and media:
//! element does when it opens and closes (feedparser's `_start_*` and `_end_*` methods).
//!
//! Keys are `prefix_local`, with the prefix feedparser gives the namespace (`dc_date`,
//! `content_encoded`) and no prefix for the core dialects (`item`, `entry`, `link`).

use crate::reader::{Author, Link, Reader};

type Attrs = [(String, String)];

fn get<'a>(a: &'a Attrs, name: &str) -> Option<&'a str> {
    a.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// An element opened.
pub(crate) fn start(r: &mut Reader, key: &str, a: &Attrs) {
    match key {
        "rss" => {
            r.found = true;
            if !r.version.starts_with("rss") {
                let v = get(a, "version").unwrap_or("");
                r.version = match v {
                    "0.91" => "rss091u",
                    "0.92" => "rss092",
                    "0.93" => "rss093",
                    "0.94" => "rss094",
                    _ if v.starts_with("2.") => "rss20",
                    _ => "rss",
                };
            }
        }
        "rdf_rdf" => r.found = true,
        "channel" => {
            r.found = true;
            r.infeed = true;
            cdf_common(r, a);
        }
        "feed" => {
            r.found = true;
            r.infeed = true;
            if r.version.is_empty() {
                r.version = match get(a, "version") {
                    Some("0.1") => "atom01",
                    Some("0.2") => "atom02",
                    Some("0.3") => "atom03",
                    _ => "atom",
                };
            }
        }
        "image" => {
            if !r.inentry {
                r.feed.has_image = true;
            }
            r.inimage = true;
            r.title_depth = -1;
            r.push("image", false);
        }
        "textinput" => {
            r.intextinput = true;
            r.title_depth = -1;
            r.push("textinput", false);
        }
        "author" | "managingeditor" | "dc_author" | "dc_creator" | "itunes_author" => {
            r.inauthor = true;
            r.push("author", true);
            r.ctx().authors.push(Author::default());
        }
        "contributor" => {
            r.incontributor = true;
            r.push("contributor", false);
        }
        "name" | "itunes_name" => r.push("name", false),
        "email" | "itunes_email" => r.push("email", false),
        "url" | "homepage" | "uri" => r.push("href", true),
        "subtitle" | "tagline" | "itunes_subtitle" => {
            r.push_content("subtitle", a, "text/plain", true)
        }
        "rights" | "copyright" | "dc_rights" => r.push_content("rights", a, "text/plain", true),
        "info" | "feedburner_browserfriendly" => r.push_content("info", a, "text/plain", true),
        "item" | "entry" => {
            r.found = true;
            r.entries.push(Default::default());
            r.push("item", false);
            r.inentry = true;
            r.guidislink = false;
            r.title_depth = -1;
            if let Some(id) = get(a, "rdf:about") {
                r.ctx().id = Some(id.to_owned());
            }
            cdf_common(r, a);
        }
        "language" | "dc_language" => r.push("language", true),
        "webmaster" | "dc_publisher" => r.push("publisher", true),
        "itunes_owner" => {
            r.inpublisher = true;
            r.push("publisher", false);
        }
        "published" | "issued" | "pubdate" | "dcterms_issued" => r.push("published", true),
        "updated" | "modified" | "lastbuilddate" | "dc_date" | "dcterms_modified" => {
            r.push("updated", true)
        }
        "created" | "dcterms_created" => r.push("created", true),
        "category" | "keywords" | "dc_subject" => {
            add_tag(
                r,
                get(a, "term"),
                get(a, "scheme").or(get(a, "domain")),
                get(a, "label"),
            );
            r.push("category", true);
        }
        "media_category" => {
            let scheme = get(a, "scheme").unwrap_or("http://search.yahoo.com/mrss/category_schema");
            add_tag(r, get(a, "term"), Some(scheme), get(a, "label"));
            r.push("category", true);
        }
        "itunes_category" => {
            add_tag(r, get(a, "text"), Some("http://www.itunes.com/"), None);
            r.push("category", true);
        }
        "itunes_keywords" => r.push("itunes_keywords", true),
        "media_keywords" => r.push("media_keywords", true),
        "link" => start_link(r, a),
        "guid" | "id" => {
            r.guidislink = get(a, "ispermalink").unwrap_or("true") == "true";
            r.push("id", true);
        }
        "title" | "dc_title" | "media_title" => {
            let expecting = r.infeed || r.inentry || r.insource;
            r.push_content("title", a, "text/plain", expecting);
        }
        "description" | "dc_description" | "media_description" => {
            if r.ctx().summary.is_some() && !r.has_content {
                r.summary_key_content = Some(true);
                start_content(r, a);
            } else {
                let expecting = r.infeed || r.inentry || r.insource;
                r.push_content("description", a, "text/html", expecting);
            }
        }
        "abstract" => {
            let expecting = r.infeed || r.inentry || r.insource;
            r.push_content("description", a, "text/plain", expecting);
        }
        "summary" | "itunes_summary" => {
            if r.ctx().summary.is_some() && !r.has_content {
                r.summary_key_content = Some(true);
                start_content(r, a);
            } else {
                r.summary_key_content = Some(false);
                r.push_content("summary", a, "text/plain", true);
            }
        }
        "enclosure" => {
            let link = Link {
                rel: "enclosure".to_owned(),
                href: href(a).map(|h| crate::urls::resolve(&r.baseuri, h)),
                mime_type: get(a, "type").map(str::to_owned),
                length: get(a, "length").map(str::to_owned),
            };
            r.ctx().links.push(link);
        }
        "source" => {
            r.push("source", true);
            r.insource = true;
            r.title_depth = -1;
        }
        "content" => start_content(r, a),
        "body" | "xhtml_body" => r.push_content("content", a, "application/xhtml+xml", true),
        "content_encoded" | "fullitem" => {
            r.has_content = true;
            r.push_content("content", a, "text/html", true);
        }
        "itunes_image" => r.push("itunes_image", false),
        "generator" => r.push("generator", true),
        _ => {
            if a.is_empty() {
                r.push(key, true);
            }
        }
    }
}

/// An element closed.
pub(crate) fn end(r: &mut Reader, key: &str) {
    match key {
        "channel" | "feed" => r.infeed = false,
        "image" => {
            r.pop("image");
            r.inimage = false;
        }
        "textinput" => {
            r.pop("textinput");
            r.intextinput = false;
        }
        "author" | "managingeditor" | "dc_author" | "dc_creator" | "itunes_author" => {
            r.pop("author");
            r.inauthor = false;
            sync_author(r);
        }
        "contributor" => {
            r.pop("contributor");
            r.incontributor = false;
        }
        "name" | "itunes_name" => {
            let v = r.pop("name");
            if r.inauthor && !r.inpublisher {
                save_author(r, v, true);
            }
        }
        "email" | "itunes_email" => {
            let v = r.pop("email");
            if r.inauthor && !r.inpublisher {
                save_author(r, v, false);
            }
        }
        "url" | "homepage" | "uri" => {
            r.pop("href");
        }
        "subtitle" | "tagline" | "itunes_subtitle" => {
            r.pop_content("subtitle");
        }
        "rights" | "copyright" | "dc_rights" => {
            r.pop_content("rights");
        }
        "info" | "feedburner_browserfriendly" => {
            r.pop_content("info");
        }
        "item" | "entry" => {
            r.pop("item");
            r.inentry = false;
            r.has_content = false;
        }
        "language" | "dc_language" => {
            let v = r.pop("language");
            r.lang = v;
        }
        "webmaster" | "dc_publisher" => {
            r.pop("publisher");
        }
        "itunes_owner" => {
            r.pop("publisher");
            r.inpublisher = false;
        }
        "published" | "issued" | "pubdate" | "dcterms_issued" => {
            let v = r.pop("published");
            r.save_date(true, v);
        }
        "updated" | "modified" | "lastbuilddate" | "dc_date" | "dcterms_modified" => {
            let v = r.pop("updated");
            r.save_date(false, v);
        }
        "created" | "dcterms_created" => {
            r.pop("created");
        }
        "category" | "keywords" | "dc_subject" | "media_category" | "itunes_category" => {
            let Some(v) = r.pop("category").filter(|v| !v.is_empty()) else {
                return;
            };
            let tags = &mut r.ctx().tags;
            match tags.last_mut() {
                Some(last) if last.0.as_deref().is_none_or(str::is_empty) => last.0 = Some(v),
                _ => add_tag(r, Some(&v), None, None),
            }
        }
        "itunes_keywords" | "media_keywords" => {
            let v = r.pop(key).unwrap_or_default();
            let scheme = (key == "itunes_keywords").then_some("http://www.itunes.com/");
            for term in v.split(',') {
                let term = term.trim();
                if !term.is_empty() {
                    add_tag(r, Some(term), scheme, None);
                }
            }
        }
        "link" => {
            r.pop("link");
        }
        "guid" | "id" => {
            let v = r.pop("id");
            // An Atom id is never a link (the contract's deliberate difference from feedparser).
            if r.guidislink
                && key == "guid"
                && !r.version.starts_with("atom")
                && let Some(v) = v
            {
                r.save_link_from_id(v);
            }
        }
        "title" | "dc_title" | "media_title" => {
            let title_depth = r.title_depth;
            let v = r.pop_content("title");
            if v.is_some_and(|v| !v.is_empty()) {
                r.title_depth = r.depth;
            }
            if key == "media_title" {
                r.title_depth = title_depth;
            }
        }
        "description" | "dc_description" | "media_description" | "abstract" => {
            if r.summary_key_content == Some(true) {
                end_content(r);
            } else {
                r.pop_content("description");
            }
            r.summary_key_content = None;
        }
        "summary" | "itunes_summary" => {
            if r.summary_key_content == Some(true) {
                end_content(r);
            } else {
                r.pop_content("summary");
            }
            r.summary_key_content = None;
        }
        "source" => {
            r.insource = false;
            r.pop("source");
        }
        "content" | "body" | "xhtml_body" | "content_encoded" | "fullitem" => end_content(r),
        "itunes_image" => {
            r.pop("itunes_image");
        }
        _ => {
            r.pop(key);
        }
    }
}

fn href(a: &Attrs) -> Option<&str> {
    get(a, "url").or(get(a, "uri")).or(get(a, "href"))
}

fn cdf_common(r: &mut Reader, a: &Attrs) {
    if let Some(m) = get(a, "lastmod") {
        r.save_date(false, Some(m.to_owned()));
    }
    if let Some(h) = get(a, "href") {
        let h = crate::urls::resolve(&r.baseuri, h);
        r.ctx().link = Some(h);
    }
}

fn start_link(r: &mut Reader, a: &Attrs) {
    let rel = get(a, "rel").unwrap_or("alternate").to_owned();
    let default_type = if rel == "self" {
        "application/atom+xml"
    } else {
        "text/html"
    };
    let mime = get(a, "type").unwrap_or(default_type).to_owned();
    let h = href(a).map(|h| crate::urls::resolve(&r.baseuri, h));
    let expecting = r.infeed || r.inentry || r.insource;
    let in_entry_image = r.inentry && r.inimage;
    let c = r.ctx();
    if !in_entry_image {
        c.links.push(Link {
            rel: rel.clone(),
            href: h.clone(),
            mime_type: Some(mime.clone()),
            length: get(a, "length").map(str::to_owned),
        });
    }
    match h {
        Some(h) => {
            let html = matches!(
                mime.as_str(),
                "text/html" | "html" | "application/xhtml+xml" | "xhtml"
            );
            if rel == "alternate" && html {
                c.link = Some(h);
                c.link_from_id = Some(false);
            }
        }
        None => r.push("link", expecting),
    }
}

fn start_content(r: &mut Reader, a: &Attrs) {
    r.has_content = true;
    r.push_content("content", a, "text/plain", true);
    r.push("content", true);
}

fn end_content(r: &mut Reader) {
    let t = r.content_type.clone();
    let copy_to_summary = matches!(
        t.as_str(),
        "text/plain" | "text/html" | "application/xhtml+xml"
    );
    let v = r.pop_content("content");
    if copy_to_summary && let Some(v) = v {
        let t = r.ctx().content.last().map(|c| c.1.clone()).unwrap_or(t);
        let c = r.ctx();
        if c.summary.is_none() {
            c.summary = Some((v, t));
        }
    }
}

fn add_tag(r: &mut Reader, term: Option<&str>, scheme: Option<&str>, label: Option<&str>) {
    if term.is_none_or(str::is_empty)
        && scheme.is_none_or(str::is_empty)
        && label.is_none_or(str::is_empty)
    {
        return;
    }
    let tag = (
        term.map(str::to_owned),
        scheme.map(str::to_owned),
        label.map(str::to_owned),
    );
    let tags = &mut r.ctx().tags;
    if !tags.contains(&tag) {
        tags.push(tag);
    }
}

fn save_author(r: &mut Reader, v: Option<String>, is_name: bool) {
    let c = r.ctx();
    if c.authors.is_empty() {
        c.authors.push(Author::default());
    }
    if let Some(a) = c.authors.last_mut() {
        if is_name {
            a.name = v;
        } else {
            a.email = v;
        }
    }
}

/// feedparser's `_sync_author_detail`: an author string with no parts is split into a name and
/// an e-mail address.
fn sync_author(r: &mut Reader) {
    let c = r.ctx();
    let Some(last) = c.authors.last() else { return };
    if last.name.is_some() || last.email.is_some() {
        return;
    }
    let Some(author) = c.author.clone().filter(|a| !a.is_empty()) else {
        return;
    };
    let (name, email) = split_email(&author);
    if let Some(a) = c.authors.last_mut() {
        a.name = name.filter(|n| !n.is_empty());
        a.email = email;
    }
}

fn split_email(author: &str) -> (Option<String>, Option<String>) {
    let Some((start, end)) = find_email(author) else {
        return (Some(author.to_owned()), None);
    };
    let email = author[start..end].to_owned();
    let mut name = author.replace(&email, "");
    for junk in ["()", "<>", "&lt;&gt;"] {
        name = name.replace(junk, "");
    }
    let mut name = name.trim();
    name = name.strip_prefix('(').unwrap_or(name);
    name = name.strip_suffix(')').unwrap_or(name);
    (Some(name.trim().to_owned()), Some(email))
}

/// The first e-mail address in `s` as feedparser's pattern finds it (byte range).
fn find_email(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'+');
    for (at, _) in s.match_indices('@') {
        let mut start = at;
        while start > 0 && local(b[start - 1]) {
            start -= 1;
        }
        if start == at {
            continue;
        }
        // ([A-Za-z0-9-]+\.)+ then 2-4 letters or 1-3 digits, with backtracking over labels.
        let mut dots = Vec::new();
        let mut i = at + 1;
        loop {
            let label_start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
                i += 1;
            }
            if i > label_start && i < b.len() && b[i] == b'.' {
                i += 1;
                dots.push(i);
            } else {
                break;
            }
        }
        for &tld_start in dots.iter().rev() {
            let letters = b[tld_start..]
                .iter()
                .take(4)
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            let digits = b[tld_start..]
                .iter()
                .take(3)
                .take_while(|c| c.is_ascii_digit())
                .count();
            let n = if letters >= 2 { letters } else { digits };
            if n >= 1 && (letters >= 2 || digits >= 1) {
                let mut end = tld_start + n;
                if b.get(end) == Some(&b']') {
                    end += 1;
                }
                return Some((start, end));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_rss_author_strings() {
        assert_eq!(
            split_email("jane@example.com (Jane Doe)"),
            (Some("Jane Doe".into()), Some("jane@example.com".into()))
        );
        assert_eq!(split_email("记者：王五"), (Some("记者：王五".into()), None));
    }
}

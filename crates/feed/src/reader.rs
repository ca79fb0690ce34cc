//! The reader: tokens in, feed out. A port of feedparser's element handling (its
//! `_FeedParserMixin`), so that the many quirks that decide a field agree: which of two titles
//! wins, when a second description becomes content, when RSS text is HTML, how an author string
//! splits into name and e-mail. The element handlers themselves are in [`elements`](crate::elements).
//!
//! Words: the *element stack* collects the text of the elements being read; a *context* is the
//! feed, the current entry, or a place whose values are dropped (an image, a text input, a source).

use crate::dates::parse_date;
use crate::model::{Enclosure, Entry, Feed, Warning};
use crate::text;
use crate::urls;
use crate::xml::{Problems, Token, Tokenizer};
use chrono::{DateTime, Utc};

/// Namespaces feedparser knows, mapped to the prefix its handlers use ("" for the core dialects).
const NAMESPACES: &[(&str, &str)] = &[
    ("", ""),
    ("http://backend.userland.com/rss", ""),
    ("http://blogs.law.harvard.edu/tech/rss", ""),
    ("http://purl.org/rss/1.0/", ""),
    ("http://my.netscape.com/rdf/simple/0.9/", ""),
    ("http://example.com/newformat#", ""),
    ("http://example.com/necho", ""),
    ("http://purl.org/echo/", ""),
    ("uri/of/echo/namespace#", ""),
    ("http://purl.org/pie/", ""),
    ("http://purl.org/atom/ns#", ""),
    ("http://www.w3.org/2005/atom", ""),
    ("http://purl.org/rss/1.0/modules/rss091#", ""),
    ("http://webns.net/mvcb/", "admin"),
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://purl.org/dc/terms/", "dcterms"),
    ("http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"),
    ("http://example.com/dtds/podcast-1.0.dtd", "itunes"),
    ("http://search.yahoo.com/mrss", "media"),
    ("http://search.yahoo.com/mrss/", "media"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
    ("http://www.w3.org/2000/01/rdf-schema#", "rdfs"),
    ("http://purl.org/rss/1.0/modules/slash/", "slash"),
    ("http://purl.org/rss/1.0/modules/syndication/", "sy"),
    ("http://purl.org/rss/1.0/modules/taxonomy/", "taxo"),
    ("http://purl.org/rss/1.0/modules/threading/", "thr"),
    ("http://wellformedweb.org/commentapi/", "wfw"),
    ("http://www.w3.org/1999/xhtml", "xhtml"),
    ("http://www.w3.org/1999/xlink", "xlink"),
    ("http://www.w3.org/xml/1998/namespace", "xml"),
    ("http://rssnamespace.org/feedburner/ext/1.0", "feedburner"),
    ("http://www.georss.org/georss", "georss"),
    ("http://purl.org/rss/1.0/modules/image/", "image"),
];

fn known_namespace(uri: &str) -> Option<&'static str> {
    let lower = uri.to_ascii_lowercase();
    let lower = if lower.contains("backend.userland.com/rss") {
        "http://backend.userland.com/rss".to_owned()
    } else {
        lower
    };
    NAMESPACES
        .iter()
        .find(|(u, _)| *u == lower)
        .map(|(_, p)| *p)
}

/// A link element's attributes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Link {
    pub(crate) rel: String,
    pub(crate) href: Option<String>,
    pub(crate) mime_type: Option<String>,
    pub(crate) length: Option<String>,
}

/// An author's parts.
#[derive(Debug, Default, Clone)]
pub(crate) struct Author {
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
}

/// The values read for the feed, an entry, or a place whose values are dropped.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    pub(crate) title: Option<(String, String)>,
    pub(crate) title_depth: Option<i64>,
    pub(crate) link: Option<String>,
    pub(crate) link_from_id: Option<bool>,
    pub(crate) id: Option<String>,
    pub(crate) id_depth: Option<i64>,
    pub(crate) published: Option<DateTime<Utc>>,
    pub(crate) updated: Option<DateTime<Utc>>,
    pub(crate) author: Option<String>,
    pub(crate) authors: Vec<Author>,
    pub(crate) summary: Option<(String, String)>,
    pub(crate) summary_depth: Option<i64>,
    pub(crate) content: Vec<(String, String)>,
    pub(crate) tags: Vec<(Option<String>, Option<String>, Option<String>)>,
    pub(crate) links: Vec<Link>,
    pub(crate) language: Option<String>,
    pub(crate) has_image: bool,
}

/// Which context values go to (feedparser's `_get_context`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Which {
    Feed,
    Entry,
    Dropped,
}

/// An element being read: its key, whether its text is a value, and its text so far.
pub(crate) struct Open {
    pub(crate) key: String,
    pub(crate) expecting_text: bool,
    pub(crate) pieces: Vec<String>,
}

/// The reader's state; field names follow feedparser's.
#[derive(Default)]
pub(crate) struct Reader {
    pub(crate) version: &'static str,
    pub(crate) feed: Ctx,
    pub(crate) entries: Vec<Ctx>,
    pub(crate) dropped: Ctx,
    pub(crate) infeed: bool,
    pub(crate) inentry: bool,
    pub(crate) incontent: u32,
    pub(crate) inimage: bool,
    pub(crate) intextinput: bool,
    pub(crate) inauthor: bool,
    pub(crate) incontributor: bool,
    pub(crate) inpublisher: bool,
    pub(crate) insource: bool,
    /// `contentparams['type']`, empty when no content is open.
    pub(crate) content_type: String,
    pub(crate) stack: Vec<Open>,
    pub(crate) baseuri: String,
    basestack: Vec<String>,
    pub(crate) lang: Option<String>,
    langstack: Vec<Option<String>>,
    pub(crate) title_depth: i64,
    pub(crate) depth: i64,
    pub(crate) has_content: bool,
    pub(crate) summary_key_content: Option<bool>,
    pub(crate) guidislink: bool,
    pub(crate) found: bool,
    /// Declared prefixes: (prefix, canonical prefix or the declared one), innermost last.
    namespaces: Vec<(Option<String>, Option<String>)>,
    ns_marks: Vec<usize>,
}

/// Reads `text` (decoded) into a feed. Returns the feed, whether any feed element was seen, and
/// the located problems.
pub(crate) fn read(text: &str, base_url: Option<&str>) -> (Feed, bool, Vec<Warning>) {
    let mut r = Reader {
        version: "",
        title_depth: -1,
        baseuri: base_url.unwrap_or("").to_owned(),
        ..Reader::default()
    };
    let mut tokens = Tokenizer::new(text);
    // Open elements as written, to balance end tags like feedparser's fallback reading.
    let mut open: Vec<&str> = Vec::new();
    let mut problems_extra: Vec<(usize, String)> = Vec::new();
    while let Some(token) = tokens.next() {
        match token {
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                r.start(name, &attrs);
                if self_closing {
                    r.end(name);
                } else {
                    open.push(name);
                }
            }
            Token::End { name } => match open.iter().rposition(|n| n.eq_ignore_ascii_case(name)) {
                Some(i) => {
                    if i + 1 != open.len() && problems_extra.len() < 200 {
                        problems_extra.push((
                            tokens.start,
                            format!("</{name}> closes unclosed <{}>", open[open.len() - 1]),
                        ));
                    }
                    while open.len() > i {
                        let n = open.pop().unwrap_or_default();
                        r.end(n);
                    }
                }
                None => {
                    if problems_extra.len() < 200 {
                        problems_extra.push((
                            tokens.start,
                            format!("</{name}> without a start tag, skipped"),
                        ));
                    }
                }
            },
            Token::Text(t) => r.data(&t),
            Token::CData(t) => r.data(t),
        }
    }
    if let Some(last) = open.last() {
        problems_extra.push((
            text.len(),
            format!("<{last}> and {} more not closed at the end", open.len() - 1),
        ));
    }
    while let Some(n) = open.pop() {
        r.end(n);
    }
    let mut problems: Problems = tokens.problems;
    problems.list.extend(problems_extra);
    problems.list.sort_by_key(|p| p.0);
    let warnings = locate(text, &problems);
    let found = r.found;
    (r.finish(), found, warnings)
}

/// Turns byte offsets into lines and columns in one pass.
fn locate(text: &str, problems: &Problems) -> Vec<Warning> {
    let mut out = Vec::with_capacity(problems.list.len() + 1);
    let (mut line, mut line_start, mut at) = (1usize, 0usize, 0usize);
    for (offset, message) in &problems.list {
        let offset = (*offset).min(text.len());
        if offset < at {
            at = 0;
            line = 1;
            line_start = 0;
        }
        for (i, b) in text.as_bytes()[at..offset].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = at + i + 1;
            }
        }
        at = offset;
        let column = text
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        out.push(Warning {
            line,
            column,
            message: message.clone(),
        });
    }
    if problems.dropped > 0 {
        out.push(Warning {
            line: 0,
            column: 0,
            message: format!("{} more problems not listed", problems.dropped),
        });
    }
    out
}

impl Reader {
    /// The context values go to now.
    pub(crate) fn which(&self) -> Which {
        if self.insource || self.intextinput || (self.inimage && self.feed.has_image) {
            Which::Dropped
        } else if self.inentry && !self.entries.is_empty() {
            Which::Entry
        } else {
            Which::Feed
        }
    }

    pub(crate) fn ctx(&mut self) -> &mut Ctx {
        match self.which() {
            Which::Dropped => &mut self.dropped,
            Which::Entry => self.entries.last_mut().unwrap_or(&mut self.dropped),
            Which::Feed => &mut self.feed,
        }
    }

    fn resolve_name(&self, name: &str) -> (Option<String>, String) {
        let lower = name.to_ascii_lowercase();
        let (prefix, local) = match lower.split_once(':') {
            Some((p, l)) => (Some(p.to_owned()), l.to_owned()),
            None => (None, lower),
        };
        let declared = self
            .namespaces
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, c)| c.clone());
        let canonical = match declared {
            Some(c) => c,
            None => prefix,
        };
        (canonical.filter(|c| !c.is_empty()), local)
    }

    fn track_namespace(&mut self, prefix: Option<&str>, uri: &str) {
        let lower = uri.to_ascii_lowercase();
        if self.version.is_empty() {
            if prefix.is_none() && lower == "http://my.netscape.com/rdf/simple/0.9/" {
                self.version = "rss090";
            } else if lower == "http://purl.org/rss/1.0/" {
                self.version = "rss10";
            } else if lower == "http://www.w3.org/2005/atom" {
                self.version = "atom10";
            }
        }
        let canonical = match known_namespace(uri) {
            Some(c) => Some(c.to_owned()),
            None => prefix.map(|p| p.to_ascii_lowercase()),
        };
        self.namespaces
            .push((prefix.map(str::to_ascii_lowercase), canonical));
    }

    fn start(&mut self, name: &str, attrs: &[(&str, std::borrow::Cow<'_, str>)]) {
        self.depth += 1;
        self.ns_marks.push(self.namespaces.len());
        for (k, v) in attrs {
            if let Some(p) = k.strip_prefix("xmlns:") {
                self.track_namespace(Some(p), v);
            } else if *k == "xmlns" {
                self.track_namespace(None, v);
            }
        }
        // Attributes: names lower-cased and namespace-mapped, `rel` and `type` values lower-cased.
        let mut a: Vec<(String, String)> = Vec::with_capacity(attrs.len());
        for (k, v) in attrs {
            if *k == "xmlns" || k.starts_with("xmlns:") {
                continue;
            }
            let (p, l) = self.resolve_name(k);
            let key = match p {
                Some(p) if k.contains(':') => format!("{p}:{l}"),
                _ => l,
            };
            let value = if key == "rel" || key == "type" {
                v.to_lowercase()
            } else {
                v.to_string()
            };
            a.push((key, value));
        }
        let get = |n: &str| a.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        if let Some(base) = get("xml:base").or_else(|| get("base")) {
            self.baseuri = urls::resolve(&self.baseuri, base);
        }
        let lang = match get("xml:lang").or_else(|| get("lang")) {
            Some("") => None,
            Some(l) => Some(l.to_owned()),
            None => self.lang.clone(),
        };
        let (prefix, local) = self.resolve_name(name);
        if let Some(l) = &lang
            && prefix.is_none()
            && (local == "feed" || local == "rss")
        {
            self.feed.language = Some(l.replace('_', "-"));
        }
        self.lang = lang.clone();
        self.basestack.push(self.baseuri.clone());
        self.langstack.push(lang);

        if self.incontent > 0 && !self.content_type.ends_with("xml") {
            if local == "div" && matches!(prefix.as_deref(), None | Some("xhtml")) {
                return;
            }
            self.content_type = "application/xhtml+xml".to_owned();
        }
        if self.incontent > 0 && self.content_type == "application/xhtml+xml" {
            let mut tag = format!("<{local}");
            for (k, v) in &a {
                tag.push_str(&format!(" {k}=\"{}\"", text::escape_attr(v)));
            }
            tag.push('>');
            self.raw(tag);
            return;
        }
        if prefix.is_none() && !matches!(local.as_str(), "title" | "link" | "description" | "name")
        {
            self.intextinput = false;
        }
        if prefix.is_none()
            && !matches!(
                local.as_str(),
                "title" | "link" | "description" | "url" | "href" | "width" | "height"
            )
        {
            self.inimage = false;
        }
        let key = match &prefix {
            Some(p) => format!("{p}_{local}"),
            None => local,
        };
        crate::elements::start(self, &key, &a);
    }

    fn end(&mut self, name: &str) {
        let (prefix, local) = self.resolve_name(name);
        let key = match &prefix {
            Some(p) => format!("{p}_{local}"),
            None => local.clone(),
        };
        crate::elements::end(self, &key);
        if self.incontent > 0 && !self.content_type.ends_with("xml") {
            if local == "div" && matches!(prefix.as_deref(), None | Some("xhtml")) {
                self.close_scope();
                return;
            }
            self.content_type = "application/xhtml+xml".to_owned();
        }
        if self.incontent > 0 && self.content_type == "application/xhtml+xml" {
            self.raw(format!("</{local}>"));
        }
        self.close_scope();
    }

    fn close_scope(&mut self) {
        if self.basestack.pop().is_some()
            && let Some(b) = self.basestack.last()
            && !b.is_empty()
        {
            self.baseuri = b.clone();
        }
        if self.langstack.pop().is_some()
            && let Some(l) = self.langstack.last()
        {
            self.lang = l.clone();
        }
        if let Some(mark) = self.ns_marks.pop() {
            self.namespaces.truncate(mark);
        }
        self.depth -= 1;
    }

    fn data(&mut self, t: &str) {
        if self.content_type == "application/xhtml+xml" {
            let escaped = text::escape(t);
            self.raw(escaped);
        } else if let Some(top) = self.stack.last_mut() {
            top.pieces.push(t.to_owned());
        }
    }

    fn raw(&mut self, s: String) {
        if let Some(top) = self.stack.last_mut() {
            top.pieces.push(s);
        }
    }

    pub(crate) fn push(&mut self, key: &str, expecting_text: bool) {
        self.stack.push(Open {
            key: key.to_owned(),
            expecting_text,
            pieces: Vec::new(),
        });
    }

    pub(crate) fn push_content(
        &mut self,
        key: &str,
        attrs: &[(String, String)],
        default_type: &str,
        expecting: bool,
    ) {
        self.incontent += 1;
        let t = attrs
            .iter()
            .find(|(k, _)| k == "type")
            .map_or(default_type, |(_, v)| v.as_str());
        self.content_type = map_content_type(t);
        self.push(key, expecting);
    }

    pub(crate) fn pop_content(&mut self, key: &str) -> Option<String> {
        let v = self.pop(key);
        self.incontent = self.incontent.saturating_sub(1);
        self.content_type.clear();
        v
    }

    /// feedparser's `pop`: closes `key` if it is on top, stores its value, and returns it.
    pub(crate) fn pop(&mut self, key: &str) -> Option<String> {
        if self.stack.last().is_none_or(|o| o.key != key) {
            return None;
        }
        let Open {
            key,
            expecting_text,
            mut pieces,
        } = self.stack.pop()?;
        if self.version == "atom10" && self.content_type == "application/xhtml+xml" {
            strip_outer_div(&mut pieces);
        }
        // A value is most often one piece (one text or CDATA token): move it rather than copy.
        let mut output = if pieces.len() == 1 {
            pieces.pop().unwrap_or_default()
        } else {
            pieces.concat()
        };
        trim_in_place(&mut output);
        if !expecting_text {
            return Some(output);
        }
        let can_be_relative = matches!(
            key.as_str(),
            "link" | "href" | "id" | "url" | "comments" | "docs" | "icon" | "logo"
        );
        if can_be_relative && !output.is_empty() && (key != "id" || self.guidislink) {
            output = urls::resolve(&self.baseuri, &output);
        }
        if !self.version.starts_with("atom")
            && self.content_type == "text/plain"
            && text::looks_like_html(&output)
        {
            self.content_type = "text/html".to_owned();
        }
        let output = text::repair(output);
        if matches!(
            key.as_str(),
            "category" | "tags" | "itunes_keywords" | "media_keywords"
        ) {
            return Some(output);
        }
        if key == "title" && -1 < self.title_depth && self.title_depth <= self.depth {
            return Some(output);
        }
        let content_type = self.content_type.clone();
        let incontent = self.incontent > 0;
        let depth = self.depth;
        let inimage = self.inimage;
        if self.inentry && !self.insource && !self.entries.is_empty() {
            let e = self.entries.last_mut().unwrap_or(&mut self.dropped);
            match key.as_str() {
                "content" => e.content.push((output.clone(), content_type)),
                "link" if !inimage => {
                    let fixed = fix_link_entities(&output.replace("&amp;", "&"));
                    if !fixed.is_empty()
                        && let Some(l) = e.links.last_mut()
                    {
                        l.href = Some(fixed.clone());
                    }
                    e.link = Some(fixed);
                    e.link_from_id = Some(false);
                }
                "description" | "summary" if e.summary_depth.is_none_or(|d| depth <= d) => {
                    e.summary_depth = Some(depth);
                    let t = if incontent {
                        content_type
                    } else {
                        String::new()
                    };
                    e.summary = Some((output.clone(), t));
                }
                "title" if e.title_depth.is_none_or(|d| depth <= d) => {
                    e.title_depth = Some(depth);
                    e.title = Some((output.clone(), content_type));
                }
                "id" if e.id_depth.is_none_or(|d| depth <= d) => {
                    e.id_depth = Some(depth);
                    e.id = Some(output.clone());
                }
                "author" => e.author = Some(output.clone()),
                _ => {}
            }
        } else if self.infeed || self.insource {
            let c = self.ctx();
            match key.as_str() {
                "title" => c.title = Some((output.clone(), content_type)),
                "link" => {
                    let fixed = fix_link_entities(&output);
                    if let Some(l) = c.links.last_mut() {
                        l.href = Some(fixed.clone());
                    }
                    c.link = Some(fixed);
                    c.link_from_id = Some(false);
                }
                "id" => c.id = Some(output.clone()),
                "language" => c.language = Some(output.clone()),
                "author" => c.author = Some(output.clone()),
                "summary" => c.summary = Some((output.clone(), content_type)),
                _ => {}
            }
        }
        Some(output)
    }

    /// Sets a value only if the context has none (`_save` without overwrite) — used for links.
    pub(crate) fn save_link_from_id(&mut self, value: String) {
        let c = self.ctx();
        if c.link.is_none() {
            c.link = Some(value);
            c.link_from_id = Some(true);
        }
    }

    pub(crate) fn save_date(&mut self, published: bool, value: Option<String>) {
        let d = value.as_deref().and_then(parse_date);
        let c = self.ctx();
        if published {
            c.published = d;
        } else {
            c.updated = d;
        }
    }

    fn finish(self) -> Feed {
        let version = if self.version.is_empty() {
            ""
        } else {
            self.version
        };
        let feed = &self.feed;
        Feed {
            title: feed
                .title
                .as_ref()
                .map(|(t, ty)| plain(t, ty))
                .filter(|t| !t.is_empty()),
            link: feed_link(feed),
            language: feed
                .language
                .as_ref()
                .map(|l| l.replace('_', "-"))
                .filter(|l| !l.is_empty()),
            updated: feed.updated,
            version: version.to_owned(),
            entries: self.entries.into_iter().map(entry).collect(),
        }
    }
}

/// `s.trim()` without copying what is kept.
fn trim_in_place(s: &mut String) {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
}

fn map_content_type(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "text" | "plain" => "text/plain".to_owned(),
        "html" => "text/html".to_owned(),
        "xhtml" => "application/xhtml+xml".to_owned(),
        other => other.to_owned(),
    }
}

/// `&name;` becomes `&name` in links (feedparser's repair of over-escaped query strings).
fn fix_link_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        let n = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if n > 0 && after[n..].starts_with(';') {
            out.push_str(&after[..n]);
            rest = &after[n + 1..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Atom 1.0 XHTML content: drop the wrapping `<div>` when it encloses everything.
fn strip_outer_div(pieces: &mut Vec<String>) {
    while pieces.len() > 1 && pieces.last().is_some_and(|p| p.trim().is_empty()) {
        pieces.pop();
    }
    while pieces.len() > 1 && pieces.first().is_some_and(|p| p.trim().is_empty()) {
        pieces.remove(0);
    }
    let Some(first) = pieces.first() else { return };
    if !(first == "<div>" || first.starts_with("<div "))
        || pieces.last().is_none_or(|l| l != "</div>")
    {
        return;
    }
    let mut depth = 0i64;
    for piece in &pieces[..pieces.len() - 1] {
        if piece.starts_with("</") {
            depth -= 1;
            if depth == 0 {
                return;
            }
        } else if piece.starts_with('<') && !piece.ends_with("/>") {
            depth += 1;
        }
    }
    pieces.pop();
    pieces.remove(0);
}

fn is_html_type(t: &str) -> bool {
    t == "text/html" || t == "application/xhtml+xml"
}

/// A text value as plain text, by its content type.
fn plain(value: &str, content_type: &str) -> String {
    if is_html_type(content_type) {
        text::html_to_text(value).trim().to_owned()
    } else {
        value.to_owned()
    }
}

fn feed_link(c: &Ctx) -> Option<String> {
    let link = c.link.clone().filter(|l| !l.is_empty())?;
    match c.link_from_id {
        Some(true) if !urls::is_http(&link) => None,
        _ => Some(link),
    }
}

fn entry(e: Ctx) -> Entry {
    let mut categories: Vec<String> = Vec::new();
    for (term, _scheme, label) in &e.tags {
        let v = term
            .as_deref()
            .filter(|t| !t.is_empty())
            .or(label.as_deref());
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty())
            && !categories.iter().any(|c| c == v)
        {
            categories.push(v.to_owned());
        }
    }
    let enclosures = e
        .links
        .iter()
        .filter(|l| l.rel == "enclosure")
        .filter_map(|l| {
            Some(Enclosure {
                url: l.href.clone().filter(|h| !h.is_empty())?,
                mime_type: l.mime_type.clone().filter(|t| !t.is_empty()),
                length: l.length.as_deref().and_then(|n| n.trim().parse().ok()),
            })
        })
        .collect();
    let link = feed_link(&e);
    let content = e.content.into_iter().next();
    let summary_text = match (&e.summary, &content) {
        (Some((s, t)), _) => {
            let t = if t.is_empty() {
                "text/html"
            } else {
                t.as_str()
            };
            Some(plain(s, t))
        }
        (None, Some((v, t))) => Some(plain(v, t)),
        (None, None) => None,
    };
    let content_html = content.map(|(v, t)| {
        if is_html_type(&t) || t.is_empty() {
            v
        } else {
            text::escape(&v)
        }
    });
    let author = e
        .authors
        .last()
        .and_then(|a| {
            a.name
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| a.email.clone())
        })
        .or_else(|| e.author.clone())
        .filter(|a| !a.is_empty());
    Entry {
        id: e.id.clone().filter(|i| !i.is_empty()),
        title: e
            .title
            .as_ref()
            .map(|(t, ty)| plain(t, ty))
            .filter(|t| !t.is_empty()),
        link,
        published: e.published,
        updated: e.updated,
        author,
        summary_text: summary_text.filter(|s| !s.is_empty()),
        content_html,
        categories,
        enclosures,
    }
}

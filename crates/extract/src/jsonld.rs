//! Schema.org JSON-LD: the `NewsArticle` (or `Article`, `BlogPosting`, ...) a page describes
//! itself with, found in `@graph`s, arrays and `mainEntity` alike.

use serde_json::Value;

/// What a page's JSON-LD says about its article.
#[derive(Debug, Default, Clone)]
pub(crate) struct LdArticle {
    /// `headline` (or `name`).
    pub(crate) headline: Option<String>,
    /// Author names, joined by ", ".
    pub(crate) author: Option<String>,
    /// `datePublished`, as written.
    pub(crate) published: Option<String>,
    /// `dateModified`, as written.
    pub(crate) modified: Option<String>,
    /// The first image URL.
    pub(crate) image: Option<String>,
    /// `inLanguage`.
    pub(crate) language: Option<String>,
    /// `articleBody`: the article as plain text, when the page provides it.
    pub(crate) body: Option<String>,
}

/// Reads the article out of the texts of a page's `application/ld+json` scripts.
pub(crate) fn article<'a>(scripts: impl Iterator<Item = &'a str>) -> Option<LdArticle> {
    let mut best: Option<LdArticle> = None;
    for script in scripts {
        let script = script.trim();
        let parsed = serde_json::from_str::<Value>(script)
            .or_else(|_| serde_json::from_str::<Value>(&escape_controls(script)));
        let Ok(value) = parsed else { continue };
        let mut found = Vec::new();
        collect(&value, &mut found, 0);
        for obj in found {
            let candidate = read(obj);
            let better = match &best {
                None => true,
                Some(b) => b.body.is_none() && candidate.body.is_some(),
            };
            if better {
                best = Some(candidate);
            }
        }
    }
    best
}

/// Escapes raw control characters inside JSON strings (common, and invalid JSON).
fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            } else if c.is_control() {
                match c {
                    '\n' => out.push_str("\\n"),
                    '\r' => {}
                    _ => out.push(' '),
                }
                continue;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    out
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article")
        || matches!(
            t,
            "BlogPosting" | "LiveBlogPosting" | "Report" | "SocialMediaPosting"
        )
}

fn types(v: &Value) -> Vec<&str> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: u32) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect(i, out, depth + 1)),
        Value::Object(map) => {
            if types(v).iter().any(|t| is_article_type(t)) {
                out.push(v);
            }
            for key in ["@graph", "mainEntity", "mainEntityOfPage"] {
                if let Some(inner) = map.get(key) {
                    collect(inner, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(a) => a.iter().find_map(|x| string(Some(x))),
        Value::Object(o) => string(
            o.get("url")
                .or_else(|| o.get("@value"))
                .or_else(|| o.get("name")),
        ),
        _ => None,
    }
}

fn names(v: Option<&Value>) -> Option<String> {
    let list: Vec<String> = match v? {
        Value::String(s) => vec![s.trim().to_string()],
        Value::Array(a) => a.iter().filter_map(|x| names(Some(x))).collect(),
        Value::Object(o) => o
            .get("name")
            .and_then(|n| names(Some(n)))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let list: Vec<String> = list
        .into_iter()
        .filter(|s| !s.is_empty() && !s.starts_with("http"))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn read(v: &Value) -> LdArticle {
    LdArticle {
        headline: string(v.get("headline")).or_else(|| string(v.get("name"))),
        author: names(v.get("author")).or_else(|| names(v.get("creator"))),
        published: string(v.get("datePublished")).or_else(|| string(v.get("dateCreated"))),
        modified: string(v.get("dateModified")),
        image: string(v.get("image")).or_else(|| string(v.get("thumbnailUrl"))),
        language: string(v.get("inLanguage")),
        body: string(v.get("articleBody")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_article_in_a_graph() {
        let script = r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Site"},
            {"@type":["NewsArticle"],"headline":"标题","author":[{"@type":"Person","name":"肖曼"}],
             "datePublished":"2023-05-26T23:51:00+02:00","image":{"@type":"ImageObject","url":"https://x/a.jpg"},
             "articleBody":"第一段
第二段"}]}"#;
        let a = article(std::iter::once(script)).unwrap();
        assert_eq!(a.headline.as_deref(), Some("标题"));
        assert_eq!(a.author.as_deref(), Some("肖曼"));
        assert_eq!(a.image.as_deref(), Some("https://x/a.jpg"));
        assert_eq!(a.body.as_deref(), Some("第一段\n第二段"));
    }
}

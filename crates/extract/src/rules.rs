//! Declarative per-site rules: for pages of some hosts, CSS selectors that name the article's
//! blocks (`content`) and selectors of blocks to drop from them (`drop`).
//!
//! A rule applies when the page's host is one of its `hosts` or a subdomain of one, and its
//! `content` selectors match blocks holding some text; otherwise scoring decides as for any
//! page. Built-in rules cover the default sources (RFI 中文, BBC 中文, VOA 中文, DW 中文, RFA,
//! NYT 中文, CDT); [`SiteRules::with`] adds rules of one's own, which win over built-in ones.

use scraper::Selector;
use std::sync::LazyLock;

/// One site's rule, as written (selectors are CSS, as `scraper` understands them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRule {
    /// A short name for logs (`rfi`, `bbc`, ...).
    pub name: String,
    /// Hosts the rule is for; subdomains match too (`rfi.fr` covers `www.rfi.fr`).
    pub hosts: Vec<String>,
    /// Selectors of the article's blocks, tried in order; the first that matches wins.
    pub content: Vec<String>,
    /// Selectors of blocks to drop from the content.
    pub drop: Vec<String>,
}

/// A selector in a rule did not parse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The selector is not valid CSS for `scraper`.
    #[error("site rule {rule:?}: selector {selector:?} is not valid CSS")]
    Selector {
        /// The rule's name.
        rule: String,
        /// The selector as written.
        selector: String,
    },
}

/// A rule with its selectors compiled.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    name: String,
    hosts: Vec<String>,
    pub(crate) content: Vec<Selector>,
    pub(crate) drop: Option<Selector>,
}

/// The rules an extraction consults: built-in ones plus any added.
#[derive(Debug)]
pub struct SiteRules {
    rules: Vec<CompiledRule>,
}

impl SiteRules {
    /// No rules at all: every page is scored.
    pub fn none() -> SiteRules {
        SiteRules { rules: Vec::new() }
    }

    /// The built-in rules for the default sources.
    pub fn builtin() -> &'static SiteRules {
        static BUILTIN: LazyLock<SiteRules> = LazyLock::new(|| {
            SiteRules::none()
                .with(builtin_rules())
                .expect("built-in site rules are valid CSS")
        });
        &BUILTIN
    }

    /// The built-in rules plus `rules` (a source's own, from its configuration), which take
    /// precedence.
    pub fn builtin_with(rules: Vec<SiteRule>) -> Result<SiteRules, RuleError> {
        SiteRules::none().with(builtin_rules())?.with(rules)
    }

    /// These rules plus `rules`, which take precedence.
    pub fn with(mut self, rules: Vec<SiteRule>) -> Result<SiteRules, RuleError> {
        let mut compiled = Vec::with_capacity(rules.len());
        for r in rules {
            let parse = |s: &str| {
                Selector::parse(s).map_err(|_| RuleError::Selector {
                    rule: r.name.clone(),
                    selector: s.to_string(),
                })
            };
            let content = r
                .content
                .iter()
                .map(|s| parse(s))
                .collect::<Result<Vec<_>, _>>()?;
            let drop = if r.drop.is_empty() {
                None
            } else {
                Some(parse(&r.drop.join(", "))?)
            };
            compiled.push(CompiledRule {
                name: r.name.clone(),
                hosts: r.hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
                content,
                drop,
            });
        }
        compiled.append(&mut self.rules);
        Ok(SiteRules { rules: compiled })
    }

    /// Names of the rules, in the order they are consulted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }

    /// The rule for `host`, if any.
    pub(crate) fn for_host(&self, host: &str) -> Option<&CompiledRule> {
        let host = host.to_ascii_lowercase();
        self.rules.iter().find(|r| {
            r.hosts.iter().any(|h| {
                host == *h
                    || (host.ends_with(h.as_str()) && host[..host.len() - h.len()].ends_with('.'))
            })
        })
    }
}

fn rule(name: &str, hosts: &[&str], content: &[&str], drop: &[&str]) -> SiteRule {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    SiteRule {
        name: name.to_string(),
        hosts: owned(hosts),
        content: owned(content),
        drop: owned(drop),
    }
}

/// Layouts of the default sources' article pages.
fn builtin_rules() -> Vec<SiteRule> {
    vec![
        rule(
            "rfi",
            &["rfi.fr"],
            &[
                "article .t-content__chapo, article .t-content__body",
                ".t-content__body",
            ],
            &[
                "[data-selfpromo-newsletter]",
                "[data-selfpromo-app]",
                ".m-interstitial",
                ".o-self-promo",
                ".m-em-share",
                ".t-content__tags",
                ".m-item-list-article",
                ".m-read-more",
                "aside",
            ],
        ),
        rule(
            "bbc",
            &["bbc.com", "bbc.co.uk"],
            &["main[role=main] .article-body", "main[role=main]"],
            &[
                "header",
                "h1",
                "section[aria-labelledby]",
                "[data-e2e]",
                "[data-testid=byline]",
                "[data-component=byline-block]",
                "[data-component=links-block]",
                "[data-component=tag-list]",
                "time",
                "aside",
                "nav",
                ".bbc-ad",
                "[role=complementary]",
                "figcaption",
            ],
        ),
        rule(
            "voa",
            &["voachinese.com", "voacantonese.com", "voanews.com"],
            &["#article-content .wsw", ".body-container .wsw"],
            &[
                ".media-pholder",
                ".wsw__embed .share",
                ".share--box",
                ".related",
                ".article-share",
            ],
        ),
        rule(
            "rfa",
            &["rfa.org"],
            &["#storytext", ".c-article-body", "[itemprop=articleBody]"],
            &[
                ".share",
                ".related",
                ".c-related",
                ".story-tools",
                "#dropcaption",
                ".inline-ad",
            ],
        ),
        rule(
            "dw",
            &["dw.com"],
            &[".rich-text", ".longText"],
            &[
                ".advertisement",
                ".embed",
                "aside",
                "[data-tracking-name=related]",
                ".picBox .smallList",
                ".col1 .group",
            ],
        ),
        rule(
            "nytimes-cn",
            &["cn.nytimes.com", "cn.nytstyle.com", "m.cn.nytimes.com"],
            &["section.article-body", ".article-body"],
            &[
                ".big_ad",
                ".ad",
                ".article-footer",
                ".article-header",
                ".share",
                ".related",
            ],
        ),
        rule(
            "cdt",
            &["chinadigitaltimes.net"],
            &[".entry-content", ".post-content"],
            &[
                ".sharedaddy",
                ".jp-relatedposts",
                ".wp-block-buttons",
                ".cdt-donate",
                ".post-tags",
                ".yarpp-related",
                ".addtoany_share_save_container",
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_subdomains_only() {
        let rules = SiteRules::builtin();
        assert_eq!(rules.for_host("www.rfi.fr").unwrap().name, "rfi");
        assert_eq!(rules.for_host("cn.nytimes.com").unwrap().name, "nytimes-cn");
        assert!(rules.for_host("notrfi.fr").is_none());
        assert!(rules.for_host("www.nytimes.com").is_none());
    }

    #[test]
    fn bad_selectors_are_named() {
        let err = SiteRules::none()
            .with(vec![rule("x", &["x.org"], &["div[["], &[])])
            .unwrap_err();
        assert!(err.to_string().contains("div[["));
    }
}

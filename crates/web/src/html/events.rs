//! What the capture events are called on a page: one label and one CSS class per event of the
//! capture log (`model::EventKind`), and what a takedown class means.

/// The label shown for `event` (a capture-log event name).
pub(crate) fn label(event: &str) -> &'static str {
    match event {
        "new" => "首次存档",
        "unchanged" => "内容未变",
        "edited" => "内容修改",
        "gone" => "来源已删除",
        "back" => "重新上线",
        "error" => "检查失败",
        "moved" => "移至新地址",
        "redirected-home" => "跳转到首页",
        "soft-404" => "页面已无正文",
        "blocked" => "访问被封锁",
        "left-feed" => "已移出订阅源",
        "byline" => "署名变更",
        _ => "其他",
    }
}

/// The CSS class of `event`: `ev-<event>` for the events we know, `ev-other` otherwise (the
/// class names a stylesheet rule, so it is never built from unchecked text).
pub(crate) fn class(event: &str) -> &'static str {
    match event {
        "new" => "ev-new",
        "unchanged" => "ev-unchanged",
        "edited" => "ev-edited",
        "gone" => "ev-gone",
        "back" => "ev-back",
        "error" => "ev-error",
        "moved" => "ev-moved",
        "redirected-home" => "ev-redirected-home",
        "soft-404" => "ev-soft-404",
        "blocked" => "ev-blocked",
        "left-feed" => "ev-left-feed",
        "byline" => "ev-byline",
        _ => "ev-other",
    }
}

/// Whether `event` says the source stopped serving the article (the "gone at source" badge).
pub(crate) fn is_takedown(event: &str) -> bool {
    matches!(event, "gone" | "redirected-home" | "soft-404" | "blocked")
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::EventKind;

    #[test]
    fn every_event_kind_has_a_label_and_a_class() {
        for kind in EventKind::ALL {
            assert_ne!(label(kind.as_str()), "其他", "{kind}");
            assert_eq!(class(kind.as_str()), format!("ev-{kind}"));
            assert_eq!(is_takedown(kind.as_str()), kind.is_takedown(), "{kind}");
        }
    }
}

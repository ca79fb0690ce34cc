//! What the ingest benchmarks share: synthetic Chinese news text, quantiles, peak memory.
#![allow(dead_code, reason = "each benchmark uses a different subset")]

use std::fmt::Write as _;
use std::process::Command;

/// Deterministic source of synthetic content (splitmix64).
pub(crate) struct Gen(u64);

/// Words of made-up news prose; sentences are drawn from them.
const WORDS: &[&str] = &[
    "记者",
    "报道",
    "政府",
    "官员",
    "周三",
    "周四",
    "表示",
    "经济",
    "国际",
    "会议",
    "发言人",
    "当局",
    "市民",
    "问题",
    "情况",
    "调查",
    "消息",
    "公司",
    "市场",
    "价格",
    "上涨",
    "下跌",
    "去年",
    "今年",
    "地区",
    "城市",
    "居民",
    "学者",
    "分析",
    "认为",
    "可能",
    "已经",
    "继续",
    "宣布",
    "计划",
    "措施",
    "影响",
    "发展",
    "合作",
    "双方",
    "谈判",
    "协议",
    "法院",
    "判决",
    "选举",
    "投票",
    "议会",
    "通过",
    "法案",
    "警方",
    "逮捕",
    "抗议",
    "人群",
    "广场",
    "媒体",
    "网络",
    "审查",
    "删除",
    "文章",
    "平台",
    "用户",
    "数据",
    "显示",
    "增长",
    "百分之",
    "三",
    "十二",
    "数百",
    "外交部",
    "大使馆",
    "声明",
    "回应",
    "批评",
    "支持",
    "反对",
    "要求",
    "透明",
    "安全",
    "健康",
    "医院",
    "学校",
    "学生",
    "教师",
    "工人",
    "工厂",
    "出口",
    "进口",
    "关税",
    "贸易",
    "能源",
    "气候",
    "洪水",
    "地震",
    "救援",
    "灾民",
    "的",
    "了",
    "在",
    "和",
    "与",
    "对",
    "将",
    "也",
    "都",
    "并",
    "但",
    "而",
    "由于",
    "因此",
    "此外",
    "据悉",
];

impl Gen {
    pub(crate) fn new(a: u64, b: u64) -> Gen {
        Gen(a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.wrapping_add(0x6e65_7773))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo) as u64) as usize
    }

    /// A sentence of 8–24 words with a comma or two, ending in a full stop.
    pub(crate) fn sentence(&mut self, out: &mut String) {
        let n = self.range(8, 25);
        for i in 0..n {
            out.push_str(WORDS[self.range(0, WORDS.len())]);
            if i + 1 < n && self.next().is_multiple_of(7) {
                out.push('，');
            }
        }
        out.push('。');
    }

    /// An article body: paragraphs of sentences, 2–4 KB of HTML, optionally one image.
    pub(crate) fn body(&mut self, image: Option<&str>, out: &mut String) {
        let target = out.len() + self.range(2 << 10, 4 << 10);
        if let Some(src) = image {
            let _ = write!(out, "<figure><img src=\"{src}\" alt=\"现场图片\"></figure>");
        }
        while out.len() < target {
            out.push_str("<p>");
            for _ in 0..self.range(2, 5) {
                self.sentence(out);
            }
            out.push_str("</p>");
        }
    }

    pub(crate) fn title(&mut self, out: &mut String) {
        for _ in 0..self.range(4, 9) {
            out.push_str(WORDS[self.range(0, WORDS.len())]);
        }
    }
}

/// Milliseconds at a quantile of a sorted list.
pub(crate) fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Peak RSS of this process over its life, in MiB (getrusage).
pub(crate) fn max_rss_mib() -> f64 {
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF is a valid `who` and the out-pointer is valid for writes.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return f64::NAN;
    }
    usage.ru_maxrss as f64 / 1024.0
}

/// Runs `cmd` to completion, reaping it with `wait4`: (exit code or 128 + signal, peak RSS in
/// MiB).
pub(crate) fn run_measured(cmd: &mut Command) -> std::io::Result<(i32, f64)> {
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child and nothing else waits for it (std never reaps on drop);
        // both out-pointers are valid for writes.
        if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, usage.ru_maxrss as f64 / 1024.0))
}

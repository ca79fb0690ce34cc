#!/usr/bin/env python3
"""Writes a duty-machine tree of N generated records for the web benchmark (scripts/bench-web.sh).

The text is ours: sentences put together from a small team-written vocabulary, by topic, so that
a topic word (选举, 港口) is in a few percent of the articles, a common word (政府) in most, and
港口扩建 (two topic words side by side) in several percent and the planted phrase 海底隧道 in about one in two hundred: search terms with realistic hit counts.
A third of the bodies carry an image that was never archived (a labelled link when shown).
Deterministic: the same N gives the same tree.

usage: bench-web-records.py OUT_DIR N
"""

import os
import random
import sys

SITES = ["rfi", "bbc", "voa", "dw"]
HOSTS = {
    "rfi": "https://www.rfi.fr/cn/bench",
    "bbc": "https://www.bbc.com/zhongwen/simp/bench",
    "voa": "https://www.voachinese.com/a/bench",
    "dw": "https://www.dw.com/zh/bench",
}
COMMON = (
    "政府 表示 认为 记者 周三 周四 去年 今年 已经 仍然 目前 方面 问题 情况 进行 "
    "工作 社会 国家 地区 人们 当地 官员 报道 消息 发展 计划 影响 需要 可能 继续"
).split()
TOPICS = {
    "election": "选举 投票 候选人 议会 选民 民调 政党 竞选 议员 席位",
    "port": "港口 码头 航运 货轮 集装箱 渔民 海湾 吞吐量 扩建 工程",
    "economy": "经济 通胀 利率 央行 出口 关税 市场 股市 投资 消费",
    "climate": "气候 洪水 干旱 气温 降雨 排放 森林 冰川 台风 海平面",
    "health": "医院 疫苗 医生 病人 药品 卫生 疫情 手术 护士 诊所",
    "school": "学校 学生 教师 考试 大学 课程 教育 校园 家长 奖学金",
    "tech": "芯片 手机 网络 数据 算法 软件 平台 人工智能 服务器 电池",
    "culture": "电影 音乐 展览 博物馆 小说 导演 演员 画家 戏剧 诗人",
    "transport": "铁路 地铁 公路 机场 航班 高铁 司机 隧道 大桥 车站",
    "farm": "农民 粮食 稻米 小麦 收成 化肥 灌溉 果园 牧场 种子",
}
GLUE = "的 了 在 和 与 对 将 也 都 就 而 但 并 还 把 被".split()
PLANTED = "海底隧道"


def sentence(rng, topic_words):
    words = []
    for _ in range(rng.randint(6, 14)):
        r = rng.random()
        if r < 0.45:
            words.append(rng.choice(topic_words))
        elif r < 0.8:
            words.append(rng.choice(COMMON))
        else:
            words.append(rng.choice(GLUE))
    return "".join(words) + rng.choice("。。。，；！？")


def record(rng, site, n):
    topic = rng.choice(list(TOPICS))
    words = TOPICS[topic].split()
    title = "".join(rng.choice(words) for _ in range(3)) + "：" + sentence(rng, words)[:-1]
    paragraphs = []
    for _ in range(rng.randint(6, 14)):
        text = "".join(sentence(rng, words) for _ in range(rng.randint(3, 6)))
        paragraphs.append(f"<p>{text}</p>")
    if rng.random() < 0.005:
        paragraphs[0] = paragraphs[0].replace("<p>", f"<p>{PLANTED}的计划公布后，", 1)
    if rng.random() < 0.33:
        paragraphs.insert(1, f'<img src="{HOSTS[site]}/img/{n}.jpg" alt="配图">')
    ms = 1577836800000 + n * 900_000 + rng.randint(0, 899_999)
    url = f"{HOSTS[site]}/{n:07d}.html"
    return f"<!--{ms}-->\n[{title}]({url})\n------\n\n{''.join(paragraphs)}\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, total = sys.argv[1], int(sys.argv[2])
    rng = random.Random(20261126)
    per_site = {s: 0 for s in SITES}
    for n in range(total):
        site = SITES[n % len(SITES)]
        folder = os.path.join(out, "articles", site)
        if per_site[site] == 0:
            os.makedirs(folder, exist_ok=True)
        file_id = 0xFFFFF - per_site[site]
        per_site[site] += 1
        with open(os.path.join(folder, f"{file_id}.md"), "w", encoding="utf-8") as f:
            f.write(record(rng, site, n))


if __name__ == "__main__":
    main()

//! A deterministic synthetic corpus of Chinese news text, written for this benchmark.
//!
//! Articles are built from sentence templates over word lists (news vocabulary, people, places,
//! organisations, numbers and dates, Latin-script names) with Zipf-like word frequencies, plus
//! *filler* words drawn from a pool of common characters, which gives the long tail of rare
//! character pairs that real text has. A fifth of the articles are in traditional characters
//! (the word lists converted once with `clean::to_traditional`). Titles are 10–30 characters,
//! bodies 800–1,500 characters in 4–10 paragraphs. Same seed, same corpus.

/// splitmix64: small, fast, deterministic.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n.max(1) as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A list of words with Zipf-like weights: the first is the most frequent.
pub(crate) struct Zipf {
    words: Vec<String>,
    /// Cumulative weights scaled to `u32::MAX`.
    cumulative: Vec<u32>,
}

impl Zipf {
    fn new(words: Vec<String>, exponent: f64) -> Zipf {
        let weights: Vec<f64> = (0..words.len())
            .map(|r| 1.0 / ((r + 1) as f64).powf(exponent))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                ((acc / total) * f64::from(u32::MAX)) as u32
            })
            .collect();
        Zipf { words, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        let u = (rng.next() >> 32) as u32;
        let i = self.cumulative.partition_point(|&c| c < u);
        &self.words[i.min(self.words.len() - 1)]
    }

    /// The word of rank `rank` (0 is the most frequent).
    pub(crate) fn rank(&self, rank: usize) -> &str {
        &self.words[rank.min(self.words.len() - 1)]
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }
}

/// Common characters, roughly by frequency (written out for this benchmark).
const CHARS: &str = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵";

/// Frequent news words (two to four characters), most frequent first.
const NEWS_WORDS: &[&str] = &[
    "表示",
    "中国",
    "美国",
    "政府",
    "经济",
    "国家",
    "问题",
    "发展",
    "国际",
    "合作",
    "认为",
    "进行",
    "已经",
    "可能",
    "记者",
    "报道",
    "今年",
    "去年",
    "当局",
    "官员",
    "安全",
    "政策",
    "总统",
    "总理",
    "会议",
    "举行",
    "宣布",
    "指出",
    "社会",
    "人民",
    "地区",
    "关系",
    "情况",
    "市场",
    "企业",
    "公司",
    "投资",
    "增长",
    "下降",
    "贸易",
    "关税",
    "军事",
    "战争",
    "和平",
    "谈判",
    "协议",
    "制裁",
    "外交部",
    "发言人",
    "声明",
    "批评",
    "回应",
    "呼吁",
    "警告",
    "否认",
    "调查",
    "法院",
    "判决",
    "律师",
    "警方",
    "逮捕",
    "抗议",
    "示威",
    "选举",
    "投票",
    "民主",
    "人权",
    "自由",
    "新闻",
    "媒体",
    "审查",
    "网络",
    "平台",
    "用户",
    "数据",
    "隐私",
    "科技",
    "芯片",
    "半导体",
    "人工智能",
    "出口管制",
    "供应链",
    "疫情",
    "病毒",
    "疫苗",
    "医院",
    "卫生",
    "气候变化",
    "能源",
    "石油",
    "天然气",
    "价格",
    "通胀",
    "利率",
    "银行",
    "央行",
    "美元",
    "人民币",
    "汇率",
    "股市",
    "房地产",
    "失业率",
    "消费",
    "出口",
    "进口",
    "边境",
    "冲突",
    "导弹",
    "军队",
    "海军",
    "演习",
    "联合国",
    "欧盟",
    "北约",
    "峰会",
    "访问",
    "会谈",
    "领导人",
    "国会",
    "议员",
    "立法",
    "法案",
    "改革",
    "腐败",
    "调查组",
    "学生",
    "大学",
    "教育",
    "青年",
    "工人",
    "农民",
    "移民",
    "难民",
    "签证",
    "留学生",
    "航空",
    "航班",
    "地震",
    "台风",
    "洪水",
    "救援",
    "死亡",
    "受伤",
    "事故",
    "火灾",
    "袭击",
    "恐怖",
    "枪击",
    "安全部门",
    "情报",
    "间谍",
    "黑客",
    "网络攻击",
    "监控",
    "社交媒体",
    "短视频",
    "直播",
    "电影",
    "文化",
    "历史",
    "宗教",
    "寺庙",
    "教会",
    "少数民族",
    "语言",
    "文学",
    "作家",
    "艺术",
    "音乐",
    "体育",
    "奥运",
    "足球",
    "篮球",
    "比赛",
    "冠军",
    "球员",
    "教练",
    "观众",
    "票房",
    "旅游",
    "游客",
    "机场",
    "铁路",
    "高铁",
    "汽车",
    "电动车",
    "电池",
    "新能源",
    "太阳能",
    "风电",
    "核电",
    "碳排放",
    "环境",
    "污染",
    "空气",
    "水资源",
    "粮食",
    "农业",
    "养老",
    "退休",
    "医疗",
    "保险",
    "税收",
    "财政",
    "债务",
    "地方政府",
    "中央",
    "国务院",
    "全国人大",
    "政协",
    "共产党",
    "总书记",
    "主席",
    "部长",
    "大使",
    "使馆",
    "领事",
    "外长",
    "防长",
    "国防部",
    "商务部",
    "财政部",
    "统计局",
    "发改委",
    "证监会",
    "外汇",
    "储备",
    "资本",
    "市场准入",
    "营商环境",
    "民营企业",
    "国有企业",
    "外资",
    "跨国公司",
    "总部",
    "员工",
    "裁员",
    "工资",
    "收入",
    "贫困",
    "城市",
    "农村",
    "乡镇",
    "社区",
    "居民",
    "家庭",
    "儿童",
    "妇女",
    "老人",
    "人口",
    "出生率",
    "婚姻",
    "完美",
    "光影",
    "美光",
    "光明",
    "美好",
    "全面",
    "深入",
    "积极",
    "稳定",
    "持续",
    "严重",
    "重要",
    "明确",
    "强调",
    "支持",
    "反对",
    "要求",
    "希望",
    "决定",
    "计划",
    "目标",
    "措施",
    "行动",
    "影响",
    "结果",
    "原因",
    "方面",
    "方式",
    "时间",
    "期间",
    "目前",
    "此前",
    "随后",
    "同时",
    "然而",
    "因此",
    "此外",
    "不过",
    "其中",
    "包括",
    "根据",
    "由于",
    "通过",
    "对于",
];

/// Function words and single characters that glue sentences together.
const GLUE: &[&str] = &[
    "的", "了", "在", "是", "和", "对", "与", "将", "也", "但", "他", "她", "他们", "我们", "这",
    "那", "一个", "没有", "不", "说", "要", "会", "有", "被", "把", "从", "向", "为", "并", "及",
    "等", "都", "还", "就", "又", "而", "其", "所", "以", "之", "于", "则", "却", "再", "更",
];

const PLACES: &[&str] = &[
    "北京",
    "上海",
    "香港",
    "台湾",
    "广东",
    "深圳",
    "武汉",
    "成都",
    "重庆",
    "天津",
    "南京",
    "杭州",
    "西安",
    "新疆",
    "西藏",
    "内蒙古",
    "澳门",
    "华盛顿",
    "纽约",
    "洛杉矶",
    "伦敦",
    "巴黎",
    "柏林",
    "东京",
    "首尔",
    "莫斯科",
    "基辅",
    "新德里",
    "曼谷",
    "河内",
    "马尼拉",
    "新加坡",
    "雅加达",
    "悉尼",
    "渥太华",
    "布鲁塞尔",
    "日内瓦",
    "维也纳",
    "开罗",
    "德黑兰",
    "耶路撒冷",
    "加沙",
    "乌克兰",
    "俄罗斯",
    "日本",
    "韩国",
    "朝鲜",
    "印度",
    "越南",
    "菲律宾",
    "欧洲",
    "非洲",
    "中东",
    "南海",
    "台海",
    "东海",
    "亚太",
    "拉美",
    "巴西",
    "墨西哥",
    "加拿大",
    "澳大利亚",
    "德国",
    "法国",
    "英国",
    "意大利",
    "西班牙",
    "波兰",
    "土耳其",
    "伊朗",
    "以色列",
];

const ORGS: &[&str] = &[
    "美光科技",
    "华为公司",
    "苹果公司",
    "台积电",
    "腾讯",
    "阿里巴巴",
    "字节跳动",
    "比亚迪",
    "世界卫生组织",
    "世界银行",
    "国际货币基金组织",
    "中国人民银行",
    "美联储",
    "欧洲央行",
    "欧盟委员会",
    "最高法院",
    "国家安全局",
    "联邦调查局",
    "新华社",
    "人民日报",
    "中央电视台",
    "红十字会",
    "国际特赦组织",
    "人权观察",
    "无国界记者",
    "奥委会",
    "国际足联",
];

const FOREIGN_NAMES: &[&str] = &[
    "拜登",
    "特朗普",
    "普京",
    "泽连斯基",
    "马克龙",
    "朔尔茨",
    "苏纳克",
    "岸田文雄",
    "尹锡悦",
    "莫迪",
    "内塔尼亚胡",
    "古特雷斯",
    "布林肯",
    "沙利文",
    "耶伦",
    "雷蒙多",
    "哈里斯",
    "佩洛西",
    "冯德莱恩",
    "马斯克",
    "库克",
    "黄仁勋",
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志强德福庆春晓东海波宁欣怡嘉琪子涵浩然思远文博宇轩雨欣梓萱晨阳一鸣俊杰立新永胜学良振华";

/// Latin-script words as they appear in Chinese news.
const LATIN: &[&str] = &[
    "Reuters",
    "AFP",
    "BBC",
    "CNN",
    "iPhone",
    "Apple",
    "Google",
    "Meta",
    "TikTok",
    "WeChat",
    "COVID-19",
    "AI",
    "ChatGPT",
    "OpenAI",
    "Nvidia",
    "G7",
    "G20",
    "NATO",
    "WHO",
    "WTO",
    "GDP",
    "CPI",
    "5G",
    "Micron",
    "Tesla",
    "Huawei",
    "SpaceX",
    "NASA",
    "iPad",
    "YouTube",
    "Twitter",
    "Facebook",
    "Instagram",
    "Netflix",
    "Amazon",
    "Microsoft",
    "Windows",
    "Android",
    "USB-C",
    "ASML",
    "TSMC",
    "IMF",
    "UN",
    "EU",
    "VPN",
    "App",
    "CEO",
    "PM2.5",
];

const TEMPLATES: &[&str] = &[
    "{place}{news}{glue}{news}{news}，{org}{news}{glue}{news}。",
    "据{latin}报道，{person}{date}在{place}{news}{news}，{glue}{news}{filler}{news}。",
    "{person}{news}：「{news}{glue}{news}{filler}{news}」。",
    "{foreign}{date}{news}{place}{news}，{news}{glue}{number}{news}{filler}。",
    "{org}的{news}{person}对{latin}{news}，{place}{news}{news}{glue}{filler}{news}。",
    "{news}{glue}{filler}{news}，{news}{news}{glue}{news}{number}。",
    "{date}，{place}{news}{filler}{news}{glue}{news}，{latin} {latin}{news}{news}。",
    "{news}{news}{glue}{filler}{filler}{news}、{news}与{news}{news}。",
    "{place}与{place}{news}{glue}{news}{number}，{foreign}{news}{filler}{news}。",
    "{person}{news}{org}{news}{news}{glue}{news}？{news}{filler}{news}！",
];

/// One generated article: title, body paragraphs, publication time.
pub(crate) struct Article {
    pub(crate) title: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) published_ms: i64,
    pub(crate) source: &'static str,
}

impl Article {
    /// The body as HTML (`<p>…</p>` per paragraph, an inline tag here and there).
    pub(crate) fn html(&self) -> String {
        let mut out = String::with_capacity(self.paragraphs.iter().map(|p| p.len() + 16).sum());
        for (i, p) in self.paragraphs.iter().enumerate() {
            out.push_str("<p>");
            if i % 3 == 1 {
                // An inline tag around the first clause, as real bodies have.
                match p.split_once('，') {
                    Some((a, b)) => {
                        out.push_str("<strong>");
                        out.push_str(a);
                        out.push_str("</strong>，");
                        out.push_str(b);
                    }
                    None => out.push_str(p),
                }
            } else {
                out.push_str(p);
            }
            out.push_str("</p>");
        }
        out
    }

    /// The plain text search indexes (`clean::text` of [`Article::html`]: paragraphs separated
    /// by a blank line).
    pub(crate) fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// Word lists in one script.
struct Lists {
    news: Zipf,
    glue: Zipf,
    places: Zipf,
    orgs: Zipf,
    foreign: Zipf,
    filler: Zipf,
    surnames: Vec<String>,
    given: Vec<String>,
}

/// The sources articles are spread over.
pub(crate) const SOURCES: &[&str] = &["rfi", "bbc", "voa", "dw", "nyt", "rfa", "cdt", "ft"];

/// The generator.
pub(crate) struct Corpus {
    simplified: Lists,
    traditional: Lists,
    latin: Zipf,
    rng: Rng,
    /// Articles generated so far.
    count: u64,
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn chars_of(s: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    s.chars()
        .filter(|c| seen.insert(*c))
        .map(String::from)
        .collect()
}

fn lists(convert: &dyn Fn(&str) -> String) -> Lists {
    let conv = |words: Vec<String>| -> Vec<String> { words.iter().map(|w| convert(w)).collect() };
    Lists {
        news: Zipf::new(conv(owned(NEWS_WORDS)), 0.9),
        glue: Zipf::new(conv(owned(GLUE)), 1.0),
        places: Zipf::new(conv(owned(PLACES)), 1.0),
        orgs: Zipf::new(conv(owned(ORGS)), 1.0),
        foreign: Zipf::new(conv(owned(FOREIGN_NAMES)), 1.0),
        filler: Zipf::new(conv(chars_of(CHARS)), 1.0),
        surnames: conv(chars_of(SURNAMES)),
        given: conv(chars_of(GIVEN)),
    }
}

impl Corpus {
    pub(crate) fn new(seed: u64) -> Corpus {
        Corpus {
            simplified: lists(&|s| s.to_owned()),
            traditional: lists(&clean::to_traditional),
            latin: Zipf::new(owned(LATIN), 0.8),
            rng: Rng::new(seed),
            count: 0,
        }
    }

    /// The news vocabulary by rank (for picking common and rare query terms).
    pub(crate) fn news_words(&self) -> &Zipf {
        &self.simplified.news
    }

    /// The filler characters by rank.
    pub(crate) fn filler_chars(&self) -> &Zipf {
        &self.simplified.filler
    }

    /// The next article.
    pub(crate) fn next_article(&mut self) -> Article {
        let n = self.count;
        self.count += 1;
        let traditional = self.rng.chance(20);
        let source = SOURCES[self.rng.below(SOURCES.len())];
        // Five years, newest last, with some jitter.
        let published_ms = 1_577_836_800_000 + n as i64 * 60_000 + self.rng.below(3_600_000) as i64;
        let lists = if traditional {
            &self.traditional
        } else {
            &self.simplified
        };
        let rng = &mut self.rng;
        let mut title = String::new();
        while title.chars().count() < 10 {
            let t = TEMPLATES[rng.below(TEMPLATES.len())];
            fill(&mut title, t, lists, &self.latin, rng);
            title.truncate(title.trim_end_matches(['。', '！', '？']).len());
        }
        let cut: String = title.chars().take(30).collect();
        let title = cut.trim_end_matches(['，', '、', '：', '「']).to_owned();
        let target = 800 + rng.below(700);
        let paragraphs_wanted = 4 + rng.below(7);
        let per_paragraph = target / paragraphs_wanted;
        let mut paragraphs = Vec::with_capacity(paragraphs_wanted);
        let mut total = 0;
        while total < target {
            let mut p = String::new();
            while p.chars().count() < per_paragraph {
                let t = TEMPLATES[rng.below(TEMPLATES.len())];
                fill(&mut p, t, lists, &self.latin, rng);
            }
            total += p.chars().count();
            paragraphs.push(p);
        }
        Article {
            title,
            paragraphs,
            published_ms,
            source,
        }
    }
}

/// Appends template `t` with its slots filled.
fn fill(out: &mut String, t: &str, l: &Lists, latin: &Zipf, rng: &mut Rng) {
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}').map(|j| j + i) else {
            break;
        };
        match &rest[i + 1..j] {
            "news" => out.push_str(l.news.pick(rng)),
            "glue" => out.push_str(l.glue.pick(rng)),
            "place" => out.push_str(l.places.pick(rng)),
            "org" => out.push_str(l.orgs.pick(rng)),
            "foreign" => out.push_str(l.foreign.pick(rng)),
            "person" => {
                out.push_str(&l.surnames[rng.below(l.surnames.len())]);
                for _ in 0..1 + rng.below(2) {
                    out.push_str(&l.given[rng.below(l.given.len())]);
                }
            }
            "filler" => {
                for _ in 0..2 + rng.below(3) {
                    out.push_str(l.filler.pick(rng));
                }
            }
            "latin" => out.push_str(latin.pick(rng)),
            "number" => number(out, rng),
            "date" => {
                use std::fmt::Write as _;
                let _ = write!(out, "{}月{}日", 1 + rng.below(12), 1 + rng.below(28));
            }
            _ => {}
        }
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
}

fn number(out: &mut String, rng: &mut Rng) {
    use std::fmt::Write as _;
    let _ = match rng.below(6) {
        0 => write!(out, "百分之{}.{}", rng.below(20), rng.below(10)),
        1 => write!(out, "{}亿美元", 1 + rng.below(900)),
        2 => write!(out, "{}万人", 1 + rng.below(500)),
        3 => write!(out, "{}年", 1990 + rng.below(36)),
        4 => write!(out, "{}%", rng.below(100)),
        _ => write!(out, "{},{:03}", 1 + rng.below(99), rng.below(1000)),
    };
}

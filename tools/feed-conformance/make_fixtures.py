#!/usr/bin/env python3
"""Writes fixtures/feeds/: one small feed per dialect and per repair (our own text).

Run once; the files are committed. Encoded fixtures (GBK, Big5, UTF-16/32, cp1252) are written
from the text here so their bytes are exact.
"""
import os, sys

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'feeds')
os.makedirs(OUT, exist_ok=True)

def w(name, text, enc='utf-8', bom=b''):
    data = bom + (text.encode(enc) if isinstance(text, str) else text)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)

RSS_ITEMS = '''
  <item>
    <title>第一条：汇率与出口</title>
    <link>https://news.example.cn/a/1.html</link>
    <guid isPermaLink="false">news-1</guid>
    <pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate>
    <description>&lt;p&gt;央行周二表示，&lt;b&gt;人民币&lt;/b&gt;保持稳定。&lt;/p&gt;</description>
    <category>经济</category><category>金融</category><category>经济</category>
    <author>editor@news.example.cn (张三)</author>
  </item>
  <item>
    <title>Second item &amp; more</title>
    <link>https://news.example.cn/a/2.html</link>
    <guid>https://news.example.cn/a/2.html</guid>
    <pubDate>Wed, 11 Jun 2025 12:30:00 +0800</pubDate>
    <description>Plain text summary.</description>
    <enclosure url="https://news.example.cn/a/2.mp3" length="123456" type="audio/mpeg"/>
  </item>'''

w('rss20-basic.xml', f'''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>示例新闻</title><link>https://news.example.cn/</link>
  <description>测试频道</description><language>zh_CN</language>
  <lastBuildDate>Tue, 10 Jun 2025 05:00:00 GMT</lastBuildDate>
  <pubDate>Mon, 09 Jun 2025 05:00:00 GMT</pubDate>{RSS_ITEMS}
</channel></rss>''')

w('rss20-content-encoded.xml', '''<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Full text</title><link>http://full.example.org/</link>
<item><title>Body in CDATA</title><link>http://full.example.org/1</link>
<description>Short summary</description>
<content:encoded><![CDATA[<p>Full <a href="/x" class="c" id="i">body</a> here.</p><!-- ad --><img src="a.png" alt="a"/>]]></content:encoded>
<dc:creator>李四</dc:creator><dc:date>2025-06-10T08:00:00+08:00</dc:date></item>
<item><title>Only content</title><link>http://full.example.org/2</link>
<content:encoded>&lt;p&gt;Escaped &amp;amp; body&lt;/p&gt;</content:encoded></item>
</channel></rss>''')

w('rss091.xml', '''<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf\xe9 News</title><link>http://cafe.example.com/</link>
<description>Old school</description><language>fr</language>
<item><title>Cr\xe8me br\xfbl\xe9e</title><link>http://cafe.example.com/1</link><description>D\xe9licieux</description></item>
</channel></rss>''', 'latin-1')

w('rss092-enclosure.xml', '''<rss version="0.92"><channel><title>Podcast 0.92</title><link>http://pod.example.com/</link>
<item><description>Episode one</description><enclosure url="http://pod.example.com/1.mp3" length="5000" type="audio/mpeg"/>
<enclosure url="http://pod.example.com/1.ogg" length="n/a" type="audio/ogg"/></item></channel></rss>''')

w('rss-no-version.xml', '''<rss><channel><title>No version</title><link>http://nv.example.com/</link>
<item><title>Item without version</title><link>http://nv.example.com/1</link></item></channel></rss>''')

w('rss-no-channel.xml', '''<?xml version="1.0"?><rss version="2.0">
<title>Lost title</title>
<item><title>Orphan item</title><link>http://orphan.example.com/1</link><pubDate>Thu, 01 May 2025 10:00:00 EST</pubDate></item>
<item><title>Orphan two</title><guid>http://orphan.example.com/2</guid></item>
</rss>''')

w('rss10-rdf.xml', '''<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://www.dw.example/rdf">
  <title>DW 中文 | RDF</title><link>http://www.dw.example/zh</link><description>德国之声</description>
  <dc:language>zh</dc:language><dc:date>2025-06-10T10:00:00Z</dc:date>
  <items><rdf:Seq><rdf:li rdf:resource="http://www.dw.example/zh/a-1"/></rdf:Seq></items>
</channel>
<item rdf:about="http://www.dw.example/zh/a-1">
  <title>德国议会通过预算</title><link>http://www.dw.example/zh/a-1</link>
  <description>柏林 — 联邦议院周二通过了预算。</description>
  <dc:date>2025-06-10T09:15:00+02:00</dc:date><dc:subject>政治</dc:subject><dc:subject>德国</dc:subject>
  <dc:creator>王五</dc:creator>
</item>
<item rdf:about="http://www.dw.example/zh/a-2">
  <title>第二篇</title><link>http://www.dw.example/zh/a-2</link><dc:date>2025-06-09</dc:date>
</item>
</rdf:RDF>''')

w('rss090.xml', '''<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
<channel><title>Netscape 0.90</title><link>http://n90.example.com/</link><description>old</description></channel>
<item><title>First 0.90 item</title><link>http://n90.example.com/1</link></item>
</rdf:RDF>''')

w('atom10-basic.xml', '''<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-Hans">
  <title type="text">原子 Feed</title>
  <link rel="alternate" type="text/html" href="https://atom.example.org/"/>
  <link rel="self" href="https://atom.example.org/feed.atom"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-06-10T18:30:02Z</updated>
  <entry>
    <title type="html">&lt;em&gt;强调&lt;/em&gt; 标题 &amp;amp; 更多</title>
    <link href="https://atom.example.org/2025/06/10/e1"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="https://atom.example.org/e1.mp3"/>
    <id>tag:atom.example.org,2025:e1</id>
    <published>2025-06-10T10:00:00+08:00</published>
    <updated>2025-06-10T11:00:00+08:00</updated>
    <author><name>赵六</name><email>zhao@example.org</email></author>
    <author><name>钱七</name></author>
    <category term="科技" label="Tech"/><category label="Label only"/>
    <summary type="text">纯文本摘要 &lt;不是标签&gt;</summary>
    <content type="html">&lt;p&gt;正文&lt;br/&gt;第二行&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Entry with only an id</title>
    <id>https://atom.example.org/id-only</id>
    <updated>2025-06-09T00:00:00Z</updated>
    <content type="text">Text content with &lt;angle&gt; brackets &amp; ampersands</content>
  </entry>
</feed>''')

w('atom10-xhtml.xml', '''<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML <b>title</b></div></title>
  <link href="http://x.example.org/"/><updated>2025-01-01T00:00:00Z</updated><id>tag:x,2025:f</id>
  <entry><title>X1</title><id>tag:x,2025:1</id><link rel="alternate" href="http://x.example.org/1"/>
    <updated>2025-01-01T00:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para <a href="http://x.example.org/l" title="t">link</a> &amp; text</p><ul><li>one</li><li>two</li></ul></div></content>
  </entry>
</feed>''')

w('atom10-xml-base.xml', '''<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://base.example.com/blog/">
  <title>Base test</title><link href="index.html"/><id>tag:b,2025:f</id><updated>2025-02-02T02:02:02Z</updated>
  <entry xml:base="posts/"><title>Relative</title><link href="one.html"/><id>tag:b,2025:1</id>
    <updated>2025-02-02T02:02:02Z</updated><link rel="enclosure" href="../media/one.mp3" type="audio/mpeg" length="10"/></entry>
  <entry><title>Absolute</title><link href="/root.html"/><id>tag:b,2025:2</id><updated>2025-02-02T02:02:02Z</updated></entry>
</feed>''')

w('atom03.xml', '''<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="en">
  <title>Atom 0.3 CMS</title>
  <link rel="alternate" type="text/html" href="http://old.example.com/"/>
  <tagline>Legacy</tagline><modified>2004-01-10T08:00:00Z</modified>
  <entry>
    <title>Old entry</title>
    <link rel="alternate" type="text/html" href="http://old.example.com/2004/01/1"/>
    <id>tag:old.example.com,2004:1</id>
    <issued>2004-01-09T20:00:00-05:00</issued><modified>2004-01-10T01:00:00Z</modified><created>2004-01-09T19:00:00-05:00</created>
    <author><name>Mark</name></author>
    <summary type="text/plain">Summary 0.3</summary>
    <content type="text/html" mode="escaped">&lt;p&gt;Escaped &lt;i&gt;content&lt;/i&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>XML mode</title><id>tag:old.example.com,2004:2</id><issued>2004-01-08T00:00:00Z</issued>
    <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <b>xhtml</b></p></div></content>
  </entry>
</feed>''')

w('atom-id-not-link.xml', '''<feed xmlns="http://www.w3.org/2005/Atom"><title>Ids</title><id>http://ids.example.com/</id>
<entry><title>Only an http id</title><id>http://ids.example.com/post/1</id><updated>2025-03-03T03:03:03Z</updated></entry>
<entry><title>Id then link</title><id>http://ids.example.com/post/2</id><link href="http://ids.example.com/p2.html"/><updated>2025-03-03T03:03:03Z</updated></entry>
</feed>''')

w('itunes-podcast.xml', '''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>播客</title><link>https://pod.example.cn/</link><language>zh-cn</language>
<atom:link href="https://pod.example.cn/feed.xml" rel="self" type="application/rss+xml"/>
<itunes:author>电台</itunes:author><itunes:owner><itunes:name>Owner</itunes:name><itunes:email>o@pod.example.cn</itunes:email></itunes:owner>
<itunes:category text="News"><itunes:category text="Daily News"/></itunes:category>
<item><title>第 1 集</title><itunes:author>主持人甲</itunes:author>
<itunes:summary>本集讨论新闻自由。</itunes:summary><itunes:keywords>新闻, 自由 ,媒体</itunes:keywords>
<itunes:category text="Politics"/>
<enclosure url="https://pod.example.cn/ep1.m4a" length="98765432" type="audio/x-m4a"/>
<guid>https://pod.example.cn/ep1</guid><pubDate>Fri, 06 Jun 2025 23:00:00 -0700</pubDate><itunes:duration>30:00</itunes:duration></item>
</channel></rss>''')

w('media-rss.xml', '''<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Media RSS</title><link>http://media.example.com/</link>
<item><title>Photo story</title><link>http://media.example.com/1</link>
<description>Caption from description</description>
<media:content url="http://media.example.com/1.jpg" type="image/jpeg"><media:title>Photo title</media:title></media:content>
<media:description>Media description becomes content</media:description>
<media:category scheme="urn:x">World/Asia</media:category><media:keywords>photo, asia</media:keywords>
<media:thumbnail url="http://media.example.com/1t.jpg"/></item>
</channel></rss>''')

w('dublin-core-dates.xml', '''<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">
<channel><title>DC</title><link>http://dc.example.com/</link><dc:date>2025-05-05T05:05:05+05:00</dc:date>
<item><title>dc:date only</title><link>http://dc.example.com/1</link><dc:date>2025-05-04T10:00:00Z</dc:date></item>
<item><title>issued and modified</title><link>http://dc.example.com/2</link>
<dcterms:issued>2025-05-01T00:00:00Z</dcterms:issued><dcterms:modified>2025-05-02T00:00:00Z</dcterms:modified></item>
<item><title>pubDate and dc:date</title><link>http://dc.example.com/3</link><pubDate>Sat, 03 May 2025 08:00:00 GMT</pubDate><dc:date>2025-05-03T09:00:00Z</dc:date></item>
</channel></rss>''')

# Encodings
CN_RSS = '''<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0"><channel><title>{title}</title><link>http://cn.example.com/</link><description>{desc}</description>
<item><title>{t1}</title><link>http://cn.example.com/1</link><description>{d1}</description><author>{a1}</author></item>
</channel></rss>'''
w('gbk-declared.xml', CN_RSS.format(enc='GBK', title='联合早报', desc='简体中文', t1='港股周二收高，恒指涨百分之一', d1='记者：陈八——香港交易所数据显示……', a1='陈八（特约记者）'), 'gbk')
w('gb2312-declared-gb18030-content.xml', CN_RSS.format(enc='gb2312', title='镕基金融', desc='含有GB2312以外的字：镕、喆、堃', t1='朱镕基谈改革', d1='喆与堃都不在GB2312中', a1='作者：王喆'), 'gb18030')
w('big5.xml', CN_RSS.format(enc='Big5', title='中央社即時新聞', desc='繁體中文', t1='臺灣經濟成長率上修', d1='主計總處週五公布', a1='記者：林九'), 'big5')
w('utf16le-bom.xml', CN_RSS.format(enc='utf-16', title='UTF-16 小端', desc='BOM', t1='十六位', d1='小端序', a1='甲'), 'utf-16-le', b'\xff\xfe')
w('utf16be-nobom.xml', CN_RSS.format(enc='utf-16', title='UTF-16 大端', desc='无 BOM', t1='大端序', d1='没有字节序标记', a1='乙'), 'utf-16-be')
w('utf32le-bom.xml', CN_RSS.format(enc='utf-32', title='UTF-32', desc='BOM', t1='三十二位', d1='小端', a1='丙'), 'utf-32-le', b'\xff\xfe\x00\x00')
w('utf32be-nobom.xml', CN_RSS.format(enc='utf-32', title='UTF-32 BE', desc='none', t1='大端三十二', d1='无标记', a1='丁'), 'utf-32-be')
w('utf8-bom.xml', '\ufeff' + CN_RSS.format(enc='utf-8', title='带 BOM 的 UTF-8', desc='x', t1='标题', d1='摘要', a1='戊'))
w('cp1252-in-utf8.xml', b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Smart \x93quotes\x94</title><link>http://q.example.com/</link>\n<item><title>It\x92s here \x96 now</title><link>http://q.example.com/1</link><description>Caf\xe9 \x85 more</description></item></channel></rss>')
w('wrong-declared-latin1.xml', '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>声明错误</title><link>http://w.example.com/</link><item><title>实际是 UTF-8</title><link>http://w.example.com/1</link></item></channel></rss>')
w('no-declaration-utf8.xml', '<rss version="2.0"><channel><title>无声明</title><link>http://nd.example.com/</link><item><title>全角：标点，符号！</title><link>http://nd.example.com/1</link><author>编辑：小明（北京）</author></item></channel></rss>')
w('windows-1252-declared.xml', b'<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>\x93Windows\x94 \x80 1252</title><link>http://w1252.example.com/</link><item><title>Na\xefve caf\xe9</title><link>http://w1252.example.com/1</link></item></channel></rss>')

# Broken XML
w('broken-bare-ampersand.xml', '''<?xml version="1.0"?><rss version="2.0"><channel><title>Tom & Jerry</title><link>http://b.example.com/?a=1&b=2</link>
<item><title>Q&A: 问与答</title><link>http://b.example.com/1?x=1&y=2</link><description>Fish & chips &amp; more</description></item></channel></rss>''')
w('broken-undefined-entities.xml', '''<?xml version="1.0"?><rss version="2.0"><channel><title>Entities&nbsp;here</title><link>http://e.example.com/</link>
<item><title>Caf&eacute; &mdash; &hellip; &bogus; &copy;</title><link>http://e.example.com/1</link><description>&ldquo;Quoted&rdquo; text&trade;</description></item></channel></rss>''')
w('broken-unclosed-tags.xml', '''<?xml version="1.0"?><rss version="2.0"><channel><title>Unclosed</title><link>http://u.example.com/</link>
<item><title>One</title><link>http://u.example.com/1</link><description>first</item>
<item><title>Two</title><link>http://u.example.com/2</link></item>''')
w('broken-mismatched.xml', '''<rss version="2.0"><channel><title>Mismatch</title><link>http://m.example.com/</link>
<item><title>Bold <b>title</title><link>http://m.example.com/1</link></item>
<item><title>Next</title><link>http://m.example.com/2</link></foo></item></channel></rss>''')
w('broken-html-in-description.xml', '''<rss version="2.0"><channel><title>HTML</title><link>http://h.example.com/</link>
<item><title>Raw HTML</title><link>http://h.example.com/1</link><description><p>Unescaped <b>bold</b> paragraph<br/>break</p></description></item></channel></rss>''')
w('broken-truncated.xml', '''<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>截断的频道</title><link>http://t.example.com/</link>
<item><title>完整的一条</title><link>http://t.example.com/1</link></item>
<item><title>被截断的''')
w('html-in-title.xml', '''<rss version="2.0"><channel><title>&lt;b&gt;Bold&lt;/b&gt; channel</title><link>http://ht.example.com/</link>
<item><title>&lt;i&gt;Italic&lt;/i&gt; &amp;amp; entity</title><link>http://ht.example.com/1</link></item>
<item><title>a &lt; b and c &gt; d</title><link>http://ht.example.com/2</link></item>
<item><title><![CDATA[<strong>CDATA</strong> title]]></title><link>http://ht.example.com/3</link></item></channel></rss>''')
w('undeclared-prefix.xml', '''<rss version="2.0"><channel><title>Undeclared dc</title><link>http://ud.example.com/</link>
<item><title>No xmlns</title><link>http://ud.example.com/1</link><dc:creator>周十</dc:creator><dc:date>2025-04-04T04:04:04Z</dc:date><content:encoded><![CDATA[<p>body</p>]]></content:encoded></item></channel></rss>''')

# Dates
DATES = ['Tue, 10 Jun 2025 04:00:00 GMT', 'Tue, 10 Jun 2025 04:00:00 +0800', '10 Jun 2025 04:00:00 EDT',
         'Tue, 10 Jun 25 04:00:00 PST', 'Tue, 10 Jun 2025 04:00 Z', 'Jun 10 2025 04:00:00 GMT',
         '2025-06-10T04:00:00+08:00', '2025-06-10T04:00:00.123Z', '2025-06-10', '2025-06', '20250610T040000Z',
         '2025-06-10 04:00:00', 'Tue Jun 10 04:00:00 2025', 'Tue, 10 Jun 2025 04:00:00 GMT+8', 'Tue, 10 Jun 2025 04:00:00 CST',
         '2025年6月10日', 'not a date', 'Tue, 31 Jun 2025 04:00:00 GMT', 'Tue, 10 Jun 2025 04:00:00 UT', 'Tue, 10 Jun 2025 04:00:00 +08:00']
items = ''.join(f'<item><title>date {i}</title><link>http://d.example.com/{i}</link><pubDate>{d}</pubDate><dc:date>{d}</dc:date></item>\n' for i, d in enumerate(DATES))
w('dates-variety.xml', f'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Dates</title><link>http://d.example.com/</link>\n{items}</channel></rss>')
aitems = ''.join(f'<entry><title>d{i}</title><id>tag:d,{i}</id><updated>{d}</updated><published>{d}</published></entry>\n' for i, d in enumerate(DATES))
w('dates-atom.xml', f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom dates</title>\n{aitems}</feed>')

w('guid-permalink.xml', '''<rss version="2.0"><channel><title>Guids</title><link>http://g.example.com/</link>
<item><title>http guid permalink</title><guid>http://g.example.com/p/1</guid></item>
<item><title>non-http guid</title><guid>urn:g:2</guid></item>
<item><title>not permalink</title><guid isPermaLink="false">http://g.example.com/p/3</guid></item>
<item><title>guid and link</title><guid>http://g.example.com/p/4</guid><link>http://g.example.com/4.html</link></item>
</channel></rss>''')
w('authors-variety.xml', '''<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Authors</title><link>http://au.example.com/</link>
<managingEditor>boss@au.example.com (Boss)</managingEditor>
<item><title>a1</title><author>jane@au.example.com (Jane Roe)</author></item>
<item><title>a2</title><author>john@au.example.com</author></item>
<item><title>a3</title><author>Only Name</author></item>
<item><title>a4</title><dc:creator>作者一</dc:creator><dc:creator>作者二</dc:creator></item>
<item><title>a5</title><author>&lt;x@au.example.com&gt; Angle Name</author></item>
<item><title>a6</title><dc:creator>（本报记者）刘十一、杨十二</dc:creator></item>
</channel></rss>''')
w('categories-variety.xml', '''<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Cats</title><link>http://c.example.com/</link>
<item><title>c1</title><category domain="http://c.example.com/tax">国际</category><dc:subject>亚洲</dc:subject><media:category>World</media:category><itunes:keywords>a,b, c</itunes:keywords><category>国际</category></item>
<item><title>c2</title><category></category><category>   spaced   </category></item>
</channel></rss>''')
w('summary-then-second-description.xml', '''<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Two summaries</title><link>http://s.example.com/</link>
<item><title>s1</title><description>First is summary</description><itunes:summary>Second becomes content</itunes:summary></item>
<item><title>s2</title><itunes:summary>Only itunes summary</itunes:summary></item>
</channel></rss>''')
w('multiple-links.xml', '''<feed xmlns="http://www.w3.org/2005/Atom"><title>Links</title>
<link rel="self" href="http://l.example.com/feed"/><link rel="alternate" type="text/html" href="http://l.example.com/"/>
<entry><title>l1</title><id>tag:l,1</id><link rel="related" href="http://l.example.com/rel"/><link rel="alternate" type="application/pdf" href="http://l.example.com/1.pdf"/><link rel="alternate" href="http://l.example.com/1"/></entry>
<entry><title>l2</title><id>tag:l,2</id><link rel="enclosure" href="http://l.example.com/2.mp4"/></entry>
</feed>''')
w('rss-atom-link-in-item.xml', '''<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>atom:link</title>
<atom:link rel="self" href="http://al.example.com/rss"/><link>http://al.example.com/</link>
<item><title>item atom:link</title><atom:link href="http://al.example.com/1"/></item></channel></rss>''')
w('empty-channel.xml', '<rss version="2.0"><channel><title>Empty</title><link>http://empty.example.com/</link></channel></rss>')
w('whitespace-and-nfc.xml', '''<rss version="2.0"><channel><title>
   Spaced
   title   </title><link> http://ws.example.com/ </link>
<item><title>Cafe\u0301 decomposed</title><link>http://ws.example.com/1</link><description>  lots   of
 space  </description></item></channel></rss>''')
w('xhtml-body.xml', '''<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>xhtml:body</title><link>http://xb.example.com/</link>
<item><title>xb</title><xhtml:body><xhtml:p>Body <xhtml:b>bold</xhtml:b></xhtml:p></xhtml:body></item></channel></rss>''')
w('cdf-style-rss-lowercase.xml', '''<RSS VERSION="2.0"><CHANNEL><TITLE>Upper case tags</TITLE><LINK>http://up.example.com/</LINK>
<ITEM><TITLE>Upper item</TITLE><LINK>http://up.example.com/1</LINK><PUBDATE>Mon, 02 Jun 2025 10:00:00 GMT</PUBDATE></ITEM></CHANNEL></RSS>''')

# JSON Feed (not compared with feedparser, which does not read JSON Feed; checked in Rust tests)
w('jsonfeed-11.json', '''{"version": "https://jsonfeed.org/version/1.1", "title": "JSON 新闻", "home_page_url": "https://j.example.com/",
 "language": "zh-CN", "authors": [{"name": "编辑部"}],
 "items": [{"id": "1", "url": "https://j.example.com/1", "title": "第一", "content_html": "<p>正文</p>", "summary": "摘要",
   "date_published": "2025-06-10T10:00:00+08:00", "date_modified": "2025-06-10T12:00:00+08:00", "tags": ["a", "b", "a"],
   "attachments": [{"url": "https://j.example.com/1.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 42}]},
  {"id": 2, "content_text": "纯文本 <not a tag>", "authors": [{"name": "客座作者"}]}]}''')
w('jsonfeed-1.json', '''{"version": "https://jsonfeed.org/version/1", "title": "JSON 1", "home_page_url": "https://j1.example.com/", "author": {"name": "Old Author"},
 "items": [{"id": "x", "url": "https://j1.example.com/x", "title": "v1 item", "content_text": "text"}]}''')
print('fixtures written to', os.path.abspath(OUT))

# Dates in the other formats of feedparser's suite: Greek, Perforce, Korean (OnBlog, Nate).
INTL = ['Κυρ, 11 Ιούλ 2004 12:00:00 EST', 'Fri, 2006/09/15 08:19:53 EDT',
        '2004-05-25 오후 11:23:17', 'Πεμ, 05 Ιαν 2006 08:30:00 +0200']
iitems = ''.join(f'<item><title>intl {i}</title><link>http://d.example.com/i{i}</link><pubDate>{d}</pubDate></item>\n' for i, d in enumerate(INTL))
w('dates-international.xml', f'<rss version="2.0"><channel><title>International dates</title><link>http://d.example.com/</link>\n{iitems}</channel></rss>')

#!/usr/bin/env python3
"""Conformance of `newsvault feed parse` with Python's feedparser, field by field.

Usage: compare.py NEWSVAULT_BINARY [--floor PERCENT] [--fixtures DIR] [--verbose]

Runs feedparser (the reference, shared/contracts/feed-json.md) and our parser over every feed in
fixtures/feeds/ (JSON Feed files are skipped: feedparser 6 does not read JSON Feed), normalizes
both readings as the contract says, and prints the agreement per field and overall. Exits 1 when
the overall agreement is below --floor, 2 when feedparser is missing.

Normalization: text is NFC with whitespace collapsed (empty is null); HTML-typed titles and
summaries become plain text (tags removed, entities decoded); dates are instants to the second;
content_html is a token stream (start tags with sorted attributes, end tags of non-void elements,
text; comments ignored); categories and enclosures are multisets; entries are compared by
position, plus the entry count. feedparser runs with sanitizing and relative-URI resolution off
(the contract keeps content as published). Where the contract deliberately differs from
feedparser, the reference reading is adjusted here: an Atom id is never a link, and an RSS guid
is a link only when it is an http(s) URL.
"""
import argparse, html, html.parser, json, os, re, subprocess, sys, time, unicodedata
from collections import Counter

try:
    import feedparser
except ImportError:
    print('feedparser is not installed: pip install feedparser', file=sys.stderr)
    sys.exit(2)

FEED_FIELDS = ['title', 'link', 'language', 'updated', 'entry_count']
ENTRY_FIELDS = ['id', 'title', 'link', 'published', 'updated', 'author', 'summary_text',
                'content_html', 'categories', 'enclosures']
HTML_TYPES = ('text/html', 'application/xhtml+xml')
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param',
        'source', 'track', 'wbr'}
BASE = 'http://fixtures.example/feeds/'


def text(s):
    if s is None:
        return None
    s = unicodedata.normalize('NFC', str(s))
    s = ' '.join(s.split())
    return s or None


def html_to_text(s):
    s = re.sub(r'<!--.*?(-->|$)', '', s, flags=re.S)
    s = re.sub(r'<[A-Za-z/!?][^>]*(>|$)', '', s)
    return html.unescape(s)


def url(s):
    s = text(s)
    if not s:
        return None
    from urllib.parse import urlsplit, urlunsplit, unquote
    try:
        p = urlsplit(s)
    except ValueError:
        return s
    path = p.path or ('/' if p.netloc else '')
    return unquote(urlunsplit((p.scheme.lower(), p.netloc.lower(), path, p.query, p.fragment)))


class Tokens(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        self.out.append(('start', tag, tuple(sorted((k, text(v) or '') for k, v in attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.out.append(('end', tag))

    def handle_data(self, data):
        if self.out and self.out[-1][0] == 'text':
            self.out[-1] = ('text', self.out[-1][1] + data)
        else:
            self.out.append(('text', data))


def html_tokens(s):
    if s is None:
        return None
    p = Tokens()
    p.feed(s)
    p.close()
    toks = []
    for t in p.out:
        if t[0] == 'text':
            v = text(t[1])
            if v:
                if toks and toks[-1][0] == 'text':
                    toks[-1] = ('text', text(toks[-1][1] + ' ' + v))
                else:
                    toks.append(('text', v))
        else:
            toks.append(t)
    return toks or None


def date(st):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', st) if st else None


def our_date(s):
    return s[:19] + 'Z' if s else None


def ref_plain(value, detail):
    if value is None:
        return None
    t = (detail or {}).get('type', 'text/plain')
    return text(html_to_text(value) if t in HTML_TYPES else value)


def ref_link(ctx, version):
    link = ctx.get('link')
    if not link:
        return None
    if ctx.get('guidislink') and link == ctx.get('id'):
        alternates = [l.get('href') for l in ctx.get('links', []) if l.get('rel') == 'alternate']
        is_http = link.lower().startswith(('http://', 'https://'))
        if link not in alternates or not version.startswith('atom'):
            if version.startswith('atom') or not is_http:
                return None
    return url(link)


def ref_author(e):
    authors = e.get('authors') or []
    if authors:
        a = authors[-1]
        if a.get('name') or a.get('email'):
            return text(a.get('name') or a.get('email'))
    return text(e.get('author'))


def ref_length(v):
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def reference(path):
    with open(path, 'rb') as f:
        data = f.read()
    d = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False,
                         response_headers={'content-location': BASE + os.path.basename(path)})
    version = d.get('version') or ''
    feed = d.feed
    out = {
        'title': ref_plain(feed.get('title'), feed.get('title_detail')),
        'link': ref_link(feed, version),
        'language': text((feed.get('language') or '').replace('_', '-')),
        'updated': date(dict.get(feed, 'updated_parsed')),
        'entry_count': len(d.entries),
        'entries': [],
    }
    for e in d.entries:
        content = (e.get('content') or [None])[0]
        content_html = None
        if content is not None:
            content_html = content['value'] if content.get('type') in HTML_TYPES else html.escape(content['value'], quote=False)
        summary = e.get('summary')
        sdetail = e.get('summary_detail') or ({'type': content.get('type')} if content else {'type': 'text/html'})
        cats = []
        for t in e.get('tags', []):
            v = text(t.get('term') or t.get('label'))
            if v and v not in cats:
                cats.append(v)
        encl = [(url(x.get('href')), text(x.get('type')), ref_length(x.get('length')))
                for x in e.get('enclosures', []) if x.get('href')]
        out['entries'].append({
            'id': text(e.get('id')),
            'title': ref_plain(e.get('title'), e.get('title_detail')),
            'link': ref_link(e, version),
            'published': date(dict.get(e, 'published_parsed')),
            'updated': date(dict.get(e, 'updated_parsed')),
            'author': ref_author(e),
            'summary_text': ref_plain(summary, sdetail),
            'content_html': html_tokens(content_html),
            'categories': sorted(Counter(cats).items()),
            'enclosures': sorted(Counter(encl).items()),
        })
    return out


def ours(binary, path):
    p = subprocess.run([binary, 'feed', 'parse', '--base', BASE + os.path.basename(path), path],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        return {'entries': [], 'entry_count': 0}
    f = json.loads(p.stdout)
    out = {
        'title': text(f.get('title')),
        'link': url(f.get('link')),
        'language': text(f.get('language')),
        'updated': our_date(f.get('updated')),
        'entry_count': len(f['entries']),
        'entries': [],
    }
    for e in f['entries']:
        out['entries'].append({
            'id': text(e.get('id')),
            'title': text(e.get('title')),
            'link': url(e.get('link')),
            'published': our_date(e.get('published')),
            'updated': our_date(e.get('updated')),
            'author': text(e.get('author')),
            'summary_text': text(e.get('summary_text')),
            'content_html': html_tokens(e.get('content_html')),
            'categories': sorted(Counter(text(c) for c in e.get('categories', []) if text(c)).items()),
            'enclosures': sorted(Counter((url(x['url']), text(x.get('type')), x.get('length'))
                                         for x in e.get('enclosures', [])).items()),
        })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('binary')
    ap.add_argument('--floor', type=float, default=0.0, help='minimum overall agreement, percent')
    ap.add_argument('--fixtures', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures', 'feeds'))
    ap.add_argument('--verbose', action='store_true', help='print every disagreement')
    args = ap.parse_args()
    agree, total = Counter(), Counter()
    files = sorted(f for f in os.listdir(args.fixtures) if not f.endswith('.json'))
    for name in files:
        path = os.path.join(args.fixtures, name)
        ref, our = reference(path), ours(args.binary, path)
        for field in FEED_FIELDS:
            total[field] += 1
            if ref.get(field) == our.get(field):
                agree[field] += 1
            elif args.verbose:
                print(f'{name}: feed.{field}: feedparser={ref.get(field)!r} ours={our.get(field)!r}')
        for i in range(max(len(ref['entries']), len(our['entries']))):
            r = ref['entries'][i] if i < len(ref['entries']) else {}
            o = our['entries'][i] if i < len(our['entries']) else {}
            for field in ENTRY_FIELDS:
                total['entry.' + field] += 1
                if r.get(field) == o.get(field) and (r or o):
                    agree['entry.' + field] += 1
                elif args.verbose:
                    print(f'{name}: entries[{i}].{field}: feedparser={r.get(field)!r} ours={o.get(field)!r}')
    print(f'{len(files)} feeds compared with feedparser {feedparser.__version__}')
    for field in FEED_FIELDS + ['entry.' + f for f in ENTRY_FIELDS]:
        print(f'  {field:22} {agree[field]:5}/{total[field]:<5} {100.0 * agree[field] / max(total[field], 1):6.2f}%')
    overall = 100.0 * sum(agree.values()) / max(sum(total.values()), 1)
    print(f'overall {sum(agree.values())}/{sum(total.values())} = {overall:.2f}% (floor {args.floor:.2f}%)')
    if overall < args.floor:
        print(f'FAIL: agreement {overall:.2f}% is below the floor {args.floor:.2f}%', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()

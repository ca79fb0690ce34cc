"""Reads newsvault's Atom feeds with feedparser, the reference feed parser, and compares every
entry with what the test archived.

Usage: feedcheck.py SPEC.json, where SPEC is a list of feeds:
  [{"url": "http://127.0.0.1:PORT/feeds/all.atom",
    "title": "...",                       # the feed's title
    "entries": [{"id", "title", "link", "published", "updated",   # RFC 3339 UTC
                 "content": "<p>...</p>",  # the exact HTML of the entry (optional)
                 "contains": ["text the test wrote", ...]}]}]

Each feed is fetched over HTTP (as a reader would) and must parse with bozo == 0; then title,
link, dates and content of every entry, in order, must be what the spec says. Prints one line
per feed; exits 1 with every difference listed when anything differs.
"""

import calendar
import datetime
import json
import sys

import feedparser


def epoch(rfc3339):
    t = datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return int(t.timestamp())


def parsed_epoch(struct):
    return calendar.timegm(struct) if struct else None


def check(feed_spec, problems):
    url = feed_spec["url"]
    # As a reader sees it: sanitized and with relative URIs resolved; it must be clean.
    default = feedparser.parse(url)
    if default.get("status") != 200:
        problems.append(f"{url}: HTTP status {default.get('status')}")
        return
    if default.bozo:
        problems.append(f"{url}: bozo: {default.bozo_exception!r}")
    if default.version != "atom10":
        problems.append(f"{url}: read as {default.version!r}, not atom10")
    # The exact values: no sanitizing or rewriting by the parser.
    feedparser.SANITIZE_HTML = False
    feedparser.RESOLVE_RELATIVE_URIS = False
    try:
        raw = feedparser.parse(url)
    finally:
        feedparser.SANITIZE_HTML = True
        feedparser.RESOLVE_RELATIVE_URIS = True
    if raw.feed.get("title") != feed_spec["title"]:
        problems.append(f"{url}: feed title {raw.feed.get('title')!r} != {feed_spec['title']!r}")
    want = feed_spec["entries"]
    got = raw.entries
    if len(got) != len(want):
        problems.append(f"{url}: {len(got)} entries, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        where = f"{url} entry {i} ({w['id']})"
        for field in ("id", "title", "link"):
            if g.get(field) != w[field]:
                problems.append(f"{where}: {field} {g.get(field)!r} != {w[field]!r}")
        for field in ("published", "updated"):
            got_time = parsed_epoch(g.get(f"{field}_parsed"))
            if got_time != epoch(w[field]):
                problems.append(f"{where}: {field} {g.get(field)!r} != {w[field]!r}")
        content = g.get("content") or [{}]
        if content[0].get("type") != "text/html":
            problems.append(f"{where}: content type {content[0].get('type')!r}")
        value = content[0].get("value", "")
        if "content" in w and value != w["content"]:
            problems.append(f"{where}: content differs:\n  got  {value!r}\n  want {w['content']!r}")
        for text in w.get("contains", []):
            if text not in value:
                problems.append(f"{where}: content lacks {text!r}")
        # The sanitized reading keeps the text too.
        clean = (default.entries[i].get("content") or [{}])[0].get("value", "") if i < len(default.entries) else ""
        for text in w.get("contains", []):
            if text not in clean:
                problems.append(f"{where}: sanitized content lacks {text!r}")
    print(f"feedcheck: {url}: {len(got)} entries, bozo={default.bozo}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    problems = []
    for feed_spec in spec:
        check(feed_spec, problems)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"feedcheck: {len(spec)} feeds ok")


if __name__ == "__main__":
    main()

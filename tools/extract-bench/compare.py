#!/usr/bin/env python3
"""Reference extractors on the shared extraction benchmark, for comparison with newsvault.

Usage: python3 tools/extract-bench/compare.py [BENCH_DIR]
(BENCH_DIR defaults to ../shared/bench/extraction beside the checkout.)

For each of trafilatura and readability-lxml that python3 can import, extracts every page on
one core, scores it with the benchmark's own score.py (same metric as `cargo bench -p
newsvault-extract`) and prints "NAME F1 x.xxx, N pages/s". Extractors that are not installed
are reported and skipped (`pip install trafilatura readability-lxml` to add them); this
script never fails because of them.
"""
import gzip
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path


def extractors():
    found = {}
    try:
        trafilatura = importlib.import_module('trafilatura')

        def run_trafilatura(html, url):
            return trafilatura.extract(html, url=url, include_comments=False,
                                       include_tables=True) or ''
        found['trafilatura'] = run_trafilatura
    except ImportError:
        print('trafilatura: not installed (pip install trafilatura)')
    try:
        readability = importlib.import_module('readability')
        lxml_html = importlib.import_module('lxml.html')

        def run_readability(html, url):
            summary = readability.Document(html, url=url).summary(html_partial=True)
            root = lxml_html.fromstring(summary)
            blocks = [b.text_content().strip() for b in root.iter('p', 'li', 'h2', 'h3', 'h4', 'pre', 'blockquote', 'td')]
            return '\n\n'.join(b for b in blocks if b) or root.text_content()
        found['readability-lxml'] = run_readability
    except ImportError:
        print('readability-lxml: not installed (pip install readability-lxml)')
    return found


def main():
    here = Path(__file__).resolve().parent
    bench = Path(sys.argv[1]) if len(sys.argv) > 1 else here.parents[2] / 'shared' / 'bench' / 'extraction'
    if not (bench / 'ground-truth.json').exists():
        print(f'benchmark not found at {bench}')
        return 0
    sys.path.insert(0, str(bench))
    score = importlib.import_module('score')
    truth = json.loads((bench / 'ground-truth.json').read_text('utf8'))
    pages = {pid: gzip.decompress((bench / 'html' / f'{pid}.html.gz').read_bytes()).decode('utf8', 'replace')
             for pid in sorted(truth)}
    for name, run in extractors().items():
        preds = {}
        start = time.perf_counter()
        for pid, html in pages.items():
            try:
                preds[pid] = run(html, truth[pid].get('url'))
            except Exception as e:  # one failing page must not stop the comparison
                print(f'{name}: {pid[:12]} failed: {e}', file=sys.stderr)
                preds[pid] = ''
        elapsed = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as tmp:
            for pid, text in preds.items():
                (Path(tmp) / f'{pid}.json').write_text(json.dumps({'text': text}), 'utf8')
            counts, exact = [], []
            for pid in sorted(truth):
                c, e = score.page_counts(score._text_of(truth[pid]), preds.get(pid, ''))
                counts.append(c)
                exact.append(e)
            m = score.aggregate(counts, exact)
        print(f'{name} F1 {m["f1"]:.3f} (precision {m["precision"]:.3f}, recall {m["recall"]:.3f}), '
              f'{len(pages) / elapsed:.0f} pages/s')
    return 0


if __name__ == '__main__':
    sys.exit(main())

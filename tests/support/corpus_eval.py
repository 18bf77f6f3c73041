"""Score archiver's article metadata and photo credits on the corpus of real news pages.

Each page of tests/news_corpus/pages/ is served on 127.0.0.1 (as saved: nothing of it reaches the
network, and Chromium resolves no other name), captured by archiver like any page, and its
manifest entry is compared with what a person read in the HTML (<id>.json). A trafilatura-only
column scores what trafilatura's own metadata extraction finds in the same HTML.

    python tests/corpus_eval.py [--json FILE] [--only ID ...]     (scripts/eval-metadata runs this)
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent.parent / "news_corpus" / "pages"
TARGETS = {"credits": 0.95, "headline": 0.97, "authors": 0.97, "published": 0.97}
# Only loopback: every name the saved pages use fails to resolve.
META_CHARSET = re.compile(rb"<meta[^>]+charset", re.I)
LOOPBACK_ONLY = '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"'
# Every name a saved page uses stays unresolved, in the browser and in the network guard's proxy
# (which resolves for it): no lookup leaves the machine.
LOOPBACK_ENV = {"ARCHIVER_BROWSER_ARGS": LOOPBACK_ONLY}


@dataclass
class Expected:
    id: str
    headline: str
    authors: list[str]
    published: str | None
    images: list[dict[str, Any]]
    language: str
    cms: str

    @classmethod
    def load(cls, path: Path) -> Expected:
        data = json.loads(path.read_text(encoding="utf-8"))
        published = (data.get("published") or {}).get("value")
        return cls(
            data["id"],
            data["headline"]["value"],
            list(data["authors"]["value"]),
            published,
            data["images"],
            data["language"],
            data["cms"],
        )

    @property
    def scored_images(self) -> list[dict[str, Any]]:
        """Images whose credit is scored: not those a person marked ambiguous, nor those whose credit
        the page states only inside script data (a lightbox's JSON), not in its markup."""
        return [image for image in self.images if not image.get("ambiguous") and image.get("credit_visible", True)]

    @property
    def stated_credits(self) -> list[dict[str, Any]]:
        return [image for image in self.scored_images if image.get("credit")]


def pages(only: list[str] | None = None) -> list[Expected]:
    found = [Expected.load(path) for path in sorted(CORPUS.glob("*.json"))]
    return [page for page in found if not only or page.id in only]


# -- comparing ------------------------------------------------------------------------------

INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)


def norm(text: str | None) -> str:
    """Text as compared: NFKC, no soft hyphens or zero-width characters, plain quotes and dashes,
    single spaces, case folded."""
    text = unicodedata.normalize("NFKC", text or "").translate(INVISIBLE).translate(PUNCTUATION)
    return " ".join(text.split()).casefold().strip(" .,;:")


def author_key(name: str) -> str:
    return re.sub(r"^by\s+", "", norm(name))


def credit_matches(expected: str, found: str) -> bool:
    """The same credit: equal once normalized, or one holds the other and covers most of it."""
    wanted, got = norm(expected), norm(found)
    if not wanted or not got:
        return False
    if wanted == got:
        return True
    shorter, longer = sorted((wanted, got), key=len)
    return shorter in longer and len(shorter) >= 0.6 * len(longer)


def _field(entry: dict[str, Any], name: str) -> Any:
    value = ((entry.get("article") or {}).get("fields") or {}).get(name)
    if isinstance(value, list):
        return [item["value"] for item in value]
    return value["value"] if value else None


@dataclass
class PageScore:
    id: str
    state: str
    headline: bool
    authors: bool
    published: bool
    credits_stated: int
    credits_found: int
    credits_invented: int
    authors_invented: int = 0  # names given as authors that the page does not name as its authors
    found: dict[str, Any] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    baseline: dict[str, bool] = field(default_factory=dict)


def score_page(expected: Expected, entry: dict[str, Any] | None, baseline: dict[str, Any]) -> PageScore:
    entry = entry or {"state": "missing"}
    headline, authors, published = _field(entry, "headline"), _field(entry, "authors") or [], _field(entry, "published")
    score = PageScore(
        expected.id,
        entry["state"],
        headline=norm(headline) == norm(expected.headline),
        authors={author_key(a) for a in authors} == {author_key(a) for a in expected.authors},
        published=_same_date(published, expected.published),
        credits_stated=len(expected.stated_credits),
        credits_found=0,
        credits_invented=0,
        found={"headline": headline, "authors": authors, "published": published},
    )
    extra = {author_key(a) for a in authors} - {author_key(a) for a in expected.authors}
    score.authors_invented = len(extra)
    for name in sorted(extra):
        score.misses.append(f"INVENTED author {name!r}")
    images = entry.get("images") or []
    for wanted in expected.scored_images:
        matching = [image for image in images if _shows(image, wanted["url_contains"])]
        credits = [credit["value"] for image in matching for credit in image["credits"]]
        if wanted.get("credit"):
            if any(credit_matches(wanted["credit"], value) for value in credits):
                score.credits_found += 1
            elif not matching:
                score.misses.append(
                    f"credit {wanted['credit']!r}: image {wanted['url_contains']} not among the article's images"
                )
            else:
                score.misses.append(
                    f"credit {wanted['credit']!r} of {wanted['url_contains']}: found {credits}, "
                    f"caption {matching[0].get('caption')!r}"
                )
        invented = [
            value for value in credits if not (wanted.get("credit") and credit_matches(wanted["credit"], value))
        ]
        score.credits_invented += len(set(invented))
        for value in sorted(set(invented)):
            score.misses.append(f"INVENTED credit {value!r} on {wanted['url_contains']}")
    for name in ("headline", "authors", "published"):
        if not getattr(score, name):
            score.misses.append(f"{name}: expected {getattr(expected, name)!r}, found {score.found[name]!r}")
    score.baseline = {
        "headline": norm(baseline.get("title")) == norm(expected.headline),
        "authors": {author_key(a) for a in baseline.get("authors", [])} == {author_key(a) for a in expected.authors},
        "published": _same_date(baseline.get("date"), expected.published),
    }
    return score


def _same_date(found: str | None, expected: str | None) -> bool:
    if expected is None:
        return found is None
    return bool(found) and str(found)[:10] == expected


def _shows(image: dict[str, Any], part: str) -> bool:
    urls = [image["url"]] + [rendition["url"] for rendition in image.get("renditions", [])]
    return any(part in url for url in urls)


# -- the trafilatura-only baseline ----------------------------------------------------------


def trafilatura_baseline(html: str) -> dict[str, Any]:
    from trafilatura import extract_metadata

    try:
        metadata = extract_metadata(html)
    except Exception:  # noqa: BLE001 - the baseline simply finds nothing
        metadata = None
    if metadata is None:
        return {}
    authors = [a.strip() for a in (metadata.author or "").split(";") if a.strip()]
    return {"title": metadata.title, "authors": authors, "date": metadata.date}


# -- serving and capturing -------------------------------------------------------------------


def html_of(page_id: str) -> bytes:
    return gzip.decompress((CORPUS / f"{page_id}.html.gz").read_bytes())


def served_type(body: bytes) -> str:
    """The Content-Type the corpus server sends. A saved page in UTF-8 is served as UTF-8 even where
    its <meta> names a legacy charset: whoever saved it re-encoded it (fundus and readability store
    pages as UTF-8), and the newsroom's server sent bytes in the charset they declare. A page saved
    in its legacy charset is left to its <meta>, as a browser reads it."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "text/html" if META_CHARSET.search(body[:4096]) else "text/html; charset=utf-8"
    return "text/html; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        page_id = self.path.strip("/").split("/")[0]
        if (CORPUS / f"{page_id}.html.gz").is_file() and self.path.rstrip("/").count("/") == 1:
            body, status = html_of(page_id), 200
            kind = served_type(body)
        else:
            body, status, kind = b"not in the corpus\n", 404, "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class CorpusServer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, page_id: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{page_id}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def capture_corpus(expected: list[Expected], output: Path, concurrency: int = 4) -> dict[str, dict[str, Any]]:
    """Capture every page of the corpus; its manifest entry by page id."""
    from archiver.options import CaptureOptions
    from archiver.run.batch import RunSettings, capture_urls

    options = CaptureOptions(
        network_quiet=0.2,
        settle_after_load=0.5,
        # generous: on a loaded machine 4 pages at once are slower, never cut short (partial)
        navigation_timeout=60.0,
        behaviour_timeout=120.0,
        page_timeout=300.0,
        quiet_timeout=2.0,
        max_scroll_steps=60,
        # a viewport per step: every part of the page is still shown (what lazy loading waits
        # for), in half the steps of the default half-viewport
        scroll_step=800,
    )
    server = CorpusServer()
    saved = {name: os.environ.get(name) for name in LOOPBACK_ENV}
    os.environ.update(LOOPBACK_ENV)
    try:
        urls = {server.url(page.id): page.id for page in expected}
        outcome = asyncio.run(
            capture_urls(
                list(urls), output, options, settings=RunSettings(concurrency=concurrency, retries=0, resume=False)
            )
        )
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    manifest = json.loads(outcome.manifest_path.read_text(encoding="utf-8"))
    return {urls[entry["requested_url"]]: entry for entry in manifest["pages"]}


@dataclass
class Totals:
    pages: int = 0
    headline: int = 0
    authors: int = 0
    published: int = 0
    credits_stated: int = 0
    credits_found: int = 0
    credits_invented: int = 0
    authors_invented: int = 0
    baseline_headline: int = 0
    baseline_authors: int = 0
    baseline_published: int = 0

    def add(self, score: PageScore) -> None:
        self.pages += 1
        self.headline += score.headline
        self.authors += score.authors
        self.published += score.published
        self.credits_stated += score.credits_stated
        self.credits_found += score.credits_found
        self.credits_invented += score.credits_invented
        self.authors_invented += score.authors_invented
        self.baseline_headline += score.baseline["headline"]
        self.baseline_authors += score.baseline["authors"]
        self.baseline_published += score.baseline["published"]

    def rate(self, name: str) -> float:
        if name == "credits":
            return self.credits_found / max(1, self.credits_stated)
        return getattr(self, name) / max(1, self.pages)

    def missed_targets(self) -> list[str]:
        missed = [
            f"{name} {self.rate(name):.1%} < {target:.0%}"
            for name, target in TARGETS.items()
            if self.rate(name) < target
        ]
        if self.credits_invented:
            missed.append(f"{self.credits_invented} credit(s) invented")
        if self.authors_invented:
            missed.append(f"{self.authors_invented} author(s) the pages do not name as authors")
        return missed


def reextract(output: Path) -> dict[str, dict[str, Any]]:
    """The manifest entries of an earlier capture of the corpus in `output`, with the article and
    images extracted again from its WARCs and DOM by the current code (no browser needed)."""
    from archiver.metadata.extract import extract
    from archiver.output.runs import find_manifests

    entries = {}
    for manifest_path in find_manifests([output]):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for entry in manifest["pages"]:
            files = {f["role"]: manifest_path.parent / f["path"] for f in entry["files"]}
            warcs = [manifest_path.parent / f["path"] for f in entry["files"] if f["role"] == "warc"]
            dom = files["dom"].read_text(encoding="utf-8") if "dom" in files else None
            if entry.get("final_url") and warcs:
                extracted = extract(warcs, entry["final_url"], dom)
                entry.update(article=extracted["article"], images=extracted["images"])
            entries[entry["requested_url"].rstrip("/").rsplit("/", 1)[-1]] = entry
    return entries


def read_saved(expected: list[Expected]) -> dict[str, dict[str, Any]]:
    """Manifest-like entries read from the saved HTML alone, as both the server's document and the
    DOM (no browser, no image files): a quick approximation for tuning, not the score of record."""
    from archiver.metadata.article import read_article, structured_data
    from archiver.metadata.extract import decode_html
    from archiver.metadata.images import article_images

    entries = {}
    for page in expected:
        body = html_of(page.id)
        html = decode_html(body, served_type(body))
        url = f"http://127.0.0.1:8000/{page.id}/"
        data = structured_data(html, url)
        fields = read_article(html, url, data).fields
        images, _ = article_images(html, url, data, lambda _url: None)
        entries[page.id] = {
            "state": "complete",
            "article": {"fields": fields},
            "images": [image.to_dict(lambda _url: False) for image in images],
        }
    return entries


def evaluate(
    output: Path | None, only: list[str] | None = None, concurrency: int = 4, reuse: bool = False
) -> tuple[list[PageScore], Totals]:
    expected = pages(only)
    if output is None:
        entries = read_saved(expected)
    else:
        entries = reextract(output) if reuse else capture_corpus(expected, output, concurrency)
    scores, totals = [], Totals()
    for page in expected:
        html = html_of(page.id).decode("utf-8", errors="replace")
        score = score_page(page, entries.get(page.id), trafilatura_baseline(html))
        scores.append(score)
        totals.add(score)
    return scores, totals


def table(scores: list[PageScore], totals: Totals) -> Iterator[str]:
    mark = {True: "yes", False: "NO"}
    yield f"{'page':<30} {'state':<8} {'headline':<8} {'authors':<7} {'date':<4} {'credits':>7} {'invented':>8}   trafilatura h/a/d"
    for s in scores:
        base = "/".join(mark[s.baseline[k]] for k in ("headline", "authors", "published"))
        yield (
            f"{s.id:<30} {s.state:<8} {mark[s.headline]:<8} {mark[s.authors]:<7} {mark[s.published]:<4} "
            f"{s.credits_found:>3}/{s.credits_stated:<3} {s.credits_invented:>8}   {base}"
        )
    yield ""
    yield (
        f"{'total (' + str(totals.pages) + ' pages)':<30} {'':<8} {totals.headline:>3}/{totals.pages:<4} "
        f"{totals.authors:>3}/{totals.pages:<3} {totals.published:>2}/{totals.pages:<2} "
        f"{totals.credits_found:>3}/{totals.credits_stated:<3} {totals.credits_invented:>8}   "
        f"{totals.baseline_headline}/{totals.baseline_authors}/{totals.baseline_published}"
    )
    yield (
        f"rates: headline {totals.rate('headline'):.1%}, authors {totals.rate('authors'):.1%}, "
        f"date {totals.rate('published'):.1%}, credits {totals.rate('credits'):.1%}, "
        f"invented {totals.credits_invented}, authors not named as such {totals.authors_invented}; "
        f"trafilatura alone: headline "
        f"{totals.baseline_headline / max(1, totals.pages):.1%}, authors "
        f"{totals.baseline_authors / max(1, totals.pages):.1%}, date {totals.baseline_published / max(1, totals.pages):.1%}"
    )


def by_language(scores: list[PageScore], expected: list[Expected]) -> Iterator[str]:
    """The same rates for each language of the corpus."""
    language = {page.id: page.language for page in expected}
    yield f"{'language':<9} {'pages':>5} {'headline':>9} {'authors':>8} {'date':>6} {'credits':>9} {'invented':>9}"
    for code in sorted({language[s.id] for s in scores}, key=lambda c: (-sum(language[s.id] == c for s in scores), c)):
        totals = Totals()
        for score in (s for s in scores if language[s.id] == code):
            totals.add(score)
        yield (
            f"{code:<9} {totals.pages:>5} {totals.headline:>5}/{totals.pages:<3} {totals.authors:>4}/{totals.pages:<3} "
            f"{totals.published:>2}/{totals.pages:<3} {totals.credits_found:>4}/{totals.credits_stated:<4} "
            f"{totals.credits_invented + totals.authors_invented:>9}"
        )


def main() -> int:
    from tests.support import hooks

    hooks.install()  # the corpus is served on loopback: no name is resolved through DNS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="page ids to evaluate (default: all)")
    parser.add_argument("--json", type=Path, help="write every page's score and misses here")
    parser.add_argument("--misses", action="store_true", help="print what was missed, page by page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="capture into DIR and keep it")
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="DIR",
        help="do not capture: extract again from the capture kept in DIR (for tuning)",
    )
    parser.add_argument(
        "--static",
        action="store_true",
        help="no browser: read each saved HTML as if it were the capture (quick, approximate; for tuning)",
    )
    args = parser.parse_args()
    if args.static:
        scores, totals = evaluate(None, args.only)
    elif args.reuse:
        scores, totals = evaluate(args.reuse, args.only, reuse=True)
    elif args.keep:
        scores, totals = evaluate(args.keep, args.only, args.concurrency)
    else:
        with tempfile.TemporaryDirectory(prefix="archiver-eval-") as output:
            scores, totals = evaluate(Path(output), args.only, args.concurrency)
    for line in table(scores, totals):
        print(line)
    print()
    for line in by_language(scores, pages(args.only)):
        print(line)
    if args.misses:
        for score in scores:
            for miss in score.misses:
                print(f"{score.id}: {miss}")
    if args.json:
        args.json.write_text(
            json.dumps({"totals": asdict(totals), "pages": [asdict(s) for s in scores]}, indent=2, ensure_ascii=False)
        )
    missed = totals.missed_targets()
    if missed:
        print("targets missed: " + "; ".join(missed), file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

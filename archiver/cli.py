"""The command line: a thin layer over archiver.run, archiver.lint and archiver.sample."""

from __future__ import annotations

import asyncio
import re
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from archiver import __version__
from archiver.errors import ArchiverError
from archiver.options import CaptureOptions

DEFAULTS = CaptureOptions()


class SetupError(click.ClickException):
    """The run could not start (no browser, ...): exit status 2, like a usage error."""

    exit_code = 2
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
VIEWPORT = re.compile(r"^(\d+)x(\d+)$")


def parse_size(value: str) -> int:
    match = SIZE.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 500M or 1G")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


def parse_viewport(value: str) -> tuple[int, int]:
    match = VIEWPORT.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    return int(match.group(1)), int(match.group(2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
def main() -> None:
    """Capture news articles faithfully: Chromium renders each page with everything it loads
    as a reader scrolls, every HTTP exchange goes into WARC/1.1 files, with screenshots and a
    manifest of checksums."""


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--input", "-i", "inputs", multiple=True, metavar="FILE",
              help="Read URLs from FILE: one a line, # starts a comment, - reads stdin. Repeatable.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("warcs"),
              show_default=True, help="Folder for the run folders (each run gets <output>/<run id>/).")
@click.option("--sample", is_flag=True, help="Also capture the bundled sample news article, served on 127.0.0.1.")
@click.option("--concurrency", "-j", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Pages captured at once, each in its own browser context.")
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True,
              help="More attempts, with backoff (2 s, 4 s...), for a page that failed on a network error.")
@click.option("--recapture", is_flag=True,
              help="Capture every URL again, even when an earlier run in --output captured it completely.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a machine-readable summary on stdout at the end (the per-page lines go to stderr).")
@click.option("--browser", "browser_path", metavar="PATH",
              help="Chromium executable (default: Playwright's, else the system's). Env: ARCHIVER_BROWSER.")
@click.option("--viewport", default=f"{DEFAULTS.viewport_width}x{DEFAULTS.viewport_height}", show_default=True,
              help="Browser window size, WIDTHxHEIGHT.")
@click.option("--device-scale-factor", type=float, default=DEFAULTS.device_scale_factor, show_default=True,
              help="Device pixel ratio (2 for a high-DPI screen).")
@click.option("--user-agent", default=None, help="User-Agent to send (default: the browser's, without 'Headless').")
@click.option("--operator", default=None, help="Who runs the capture; written into every WARC's warcinfo.")
@click.option("--ignore-https-errors", is_flag=True, help="Capture sites whose certificate the browser rejects.")
@click.option("--allow-private", is_flag=True,
              help="Let a public page reach private, loopback and link-local addresses (blocked by default).")
@click.option("--page-timeout", type=float, default=DEFAULTS.page_timeout, show_default=True,
              help="Seconds for loading and behaviours together; past it the capture is saved as 'partial'.")
@click.option("--navigation-timeout", type=float, default=DEFAULTS.navigation_timeout, show_default=True,
              help="Seconds to wait for the page's load event.")
@click.option("--behaviour-timeout", type=float, default=DEFAULTS.behaviour_timeout, show_default=True,
              help="Seconds for scrolling, waiting and autofetch together; past it the capture is 'partial'.")
@click.option("--settle", type=float, default=DEFAULTS.settle_after_load, show_default=True,
              help="Stay at least this many seconds after load, for content that arrives on a timer.")
@click.option("--network-quiet", type=float, default=DEFAULTS.network_quiet, show_default=True,
              help="Seconds without network activity that count as 'quiet'.")
@click.option("--scroll-step", type=int, default=DEFAULTS.scroll_step, show_default=True,
              help="Pixels per scroll step (0: half the viewport height).")
@click.option("--max-scroll-steps", type=int, default=DEFAULTS.max_scroll_steps, show_default=True,
              help="Stop scrolling after this many steps (bounds endless infinite scroll).")
@click.option("--no-autofetch", is_flag=True,
              help="Do not fetch srcset/<picture>/data-src/noscript images the page did not load itself.")
@click.option("--max-screenshot-height", type=int, default=DEFAULTS.max_screenshot_height, show_default=True,
              help="Cut full-page screenshots of taller pages here (recorded as capped).")
@click.option("--max-body-size", default="100M", show_default=True,
              help="Store larger response bodies cut here, marked WARC-Truncated (e.g. 50M, 1G).")
@click.option("--warc-max-size", default="1G", show_default=True,
              help="Start a new WARC file past this size (e.g. 500M, 1G).")
def capture(urls: tuple[str, ...], inputs: tuple[str, ...], output: Path, sample: bool, concurrency: int,
            retries: int, recapture: bool, as_json: bool, browser_path: str | None, viewport: str,
            device_scale_factor: float, user_agent: str | None, operator: str | None, ignore_https_errors: bool,
            allow_private: bool, page_timeout: float, navigation_timeout: float, behaviour_timeout: float,
            settle: float, network_quiet: float, scroll_step: int, max_scroll_steps: int, no_autofetch: bool,
            max_screenshot_height: int, max_body_size: str, warc_max_size: str) -> None:
    """Capture each URL: WARC files, screenshots and the DOM, and a manifest.json for the run.

    Pages an earlier run in the same --output captured completely are skipped (see --recapture);
    captures a killed run left half-written are first set aside in <output>/interrupted/.

    Exit status: 0 when every page was captured completely (an HTTP error page such as a 404 is
    captured, with a warning); 1 when any page is partial or failed; 2 for a usage or set-up error.
    """
    width, height = parse_viewport(viewport)
    options = CaptureOptions(
        viewport_width=width, viewport_height=height, device_scale_factor=device_scale_factor,
        user_agent=user_agent, operator=operator, ignore_https_errors=ignore_https_errors,
        page_timeout=page_timeout, navigation_timeout=navigation_timeout, behaviour_timeout=behaviour_timeout,
        settle_after_load=settle, network_quiet=network_quiet, scroll_step=scroll_step,
        max_scroll_steps=max_scroll_steps, autofetch=not no_autofetch, allow_private=allow_private,
        max_screenshot_height=max_screenshot_height, warc_max_size=parse_size(warc_max_size),
        max_body_size=parse_size(max_body_size),
    )
    if not urls and not inputs and not sample:
        raise click.UsageError("give at least one URL, an --input file, or --sample for the bundled sample article")
    from archiver.progress import Reporter  # imported here: `archiver --help` stays fast
    from archiver.run import RunSettings, capture_urls
    from archiver.seeds import read_seeds

    reporter = Reporter(as_json)
    settings = RunSettings(concurrency=concurrency, retries=retries, resume=not recapture)
    with ExitStack() as stack:
        try:
            seeds = read_seeds(urls, inputs)
            if sample:
                from archiver.sample import serve_sample

                seeds += read_seeds([stack.enter_context(serve_sample())])
            outcome = asyncio.run(capture_urls(seeds, output, options, browser_path, settings, reporter.hooks()))
        except ArchiverError as exc:
            raise SetupError(str(exc)) from None
    reporter.finish(outcome)
    sys.exit(0 if outcome.all_complete else 1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check WARC files (or every WARC under a folder) against the normalization rules.

    Prints one line per problem; exit status 1 when there is any.
    """
    from archiver.lint import lint_paths, warc_files

    files = warc_files(paths)
    if not files:
        raise click.ClickException("no WARC files found")
    issues = lint_paths(files)
    for issue in issues:
        click.echo(str(issue))
    click.echo(f"{len(files)} WARC file(s), {len(issues)} problem(s)")
    sys.exit(1 if issues else 0)


@main.command("serve-sample")
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (default: any free port).")
def serve_sample_command(port: int) -> None:
    """Serve the bundled sample news article on 127.0.0.1 until Ctrl-C."""
    from archiver.sample import serve_sample

    with serve_sample(port) as url:
        click.echo(f"sample article at {url} (Ctrl-C stops)")
        try:
            while True:
                asyncio.run(asyncio.sleep(3600))
        except KeyboardInterrupt:
            pass


def _replay_dirs(dirs: tuple[Path, ...]) -> list[Path]:
    return list(dirs) or [Path("warcs")]


@main.command()
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--port", type=int, default=8080, show_default=True, help="Port on 127.0.0.1.")
def replay(dirs: tuple[Path, ...], port: int) -> None:
    """Serve the captures under DIRS (default warcs/) in pywb on 127.0.0.1 until Ctrl-C.

    pywb runs from its own environment, created on first use in the cache folder
    ($ARCHIVER_CACHE, else ~/.cache/archiver). Prints the address of every captured page.
    """
    import tempfile

    from archiver.captures import load_pages
    from archiver.pywb import PywbServer, build_collection, ensure_pywb

    try:
        pages = load_pages(_replay_dirs(dirs))
        env = ensure_pywb(lambda message: click.echo(message, err=True))
        with tempfile.TemporaryDirectory(prefix="archiver-replay-") as root:
            build_collection(env, Path(root), [warc for page in pages for warc in page.files("warc")])
            with PywbServer(env, Path(root), port) as server:
                for page in pages:
                    click.echo(f"{server.url(page.timestamp, page.url)}")
                click.echo(f"pywb serves {len(pages)} page(s) on {server.origin}; Ctrl-C stops it", err=True)
                try:
                    server.wait()
                except KeyboardInterrupt:
                    click.echo("stopping pywb", err=True)
    except ArchiverError as exc:
        raise SetupError(str(exc)) from None


@main.command()
@click.argument("dirs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--browser", "browser_path", metavar="PATH", help="Chromium executable (as for capture).")
@click.option("--max-misses", type=int, default=0, show_default=True,
              help="Resources pywb could not serve, allowed per page and screen size.")
@click.option("--max-left-archive", type=int, default=0, show_default=True,
              help="Requests that tried to reach the live web, allowed per page and screen size.")
@click.option("--max-broken", type=int, default=0, show_default=True,
              help="Images and media that did not render, allowed per page and screen size.")
@click.option("--min-screenshot-similarity", type=float, default=0.9, show_default=True,
              help="Desktop replay against the capture's full-page screenshot, 0 to 1.")
@click.option("--min-text-similarity", type=float, default=0.9, show_default=True,
              help="Replayed text against the captured text, 0 to 1.")
def qa(dirs: tuple[Path, ...], browser_path: str | None, max_misses: int, max_left_archive: int, max_broken: int,
       min_screenshot_similarity: float, min_text_similarity: float) -> None:
    """Replay every capture under DIRS (default warcs/) in pywb and check it, at desktop and phone size.

    Writes qa.json beside each run's manifest (which lists it with its checksum), prints a table,
    and exits 1 when any page falls below the thresholds.
    """
    from archiver.qa import Thresholds, run_qa

    limits = Thresholds(max_misses, max_left_archive, max_broken, min_screenshot_similarity, min_text_similarity)
    click.echo(f"{'result':<6} {'size':<7} {'misses':>6} {'left':>4} {'broken':>6} {'shot':>6} {'text':>6}  page")
    try:
        outcome = asyncio.run(run_qa(_replay_dirs(dirs), limits, browser_path,
                                     on_page=lambda page: _report_qa(page, limits),
                                     log=lambda message: click.echo(message, err=True)))
    except ArchiverError as exc:
        raise SetupError(str(exc)) from None
    for report in outcome.reports:
        click.echo(f"qa report: {report}")
    sys.exit(0 if outcome.passed(limits) else 1)


def _report_qa(page: object, limits: object) -> None:
    from archiver.qa import PageQA, Thresholds

    assert isinstance(page, PageQA) and isinstance(limits, Thresholds)
    for result in page.profiles:
        problems = result.problems(limits)
        shot = "-" if result.screenshot_similarity is None else f"{result.screenshot_similarity:.3f}"
        text = "-" if result.text_similarity is None else f"{result.text_similarity:.3f}"
        broken = len(result.broken_images) + len(result.broken_media)
        click.echo(f"{'fail' if problems else 'pass':<6} {result.profile:<7} {len(result.misses):>6} "
                   f"{len(result.left_archive):>4} {broken:>6} {shot:>6} {text:>6}  {page.page.url}")
        for problem in problems:
            click.echo(f"archiver: qa: {page.page.url} ({result.profile}): {problem}", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def show(paths: tuple[Path, ...]) -> None:
    """A readable summary of the runs in PATHS (run folders, folders of runs, or manifest.json files;
    default warcs/): per page its title, byline, dates, URL, state, lead image and its credit,
    counts, and where its files are."""
    from archiver.captures import find_manifests
    from archiver.show import run_summary

    manifests = find_manifests(_replay_dirs(paths))
    if not manifests:
        raise click.ClickException("no manifest.json found")
    for index, manifest in enumerate(manifests):
        if index:
            click.echo()
        click.echo("\n".join(run_summary(manifest)))


@main.command()
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("archiver-key.pem"))
def keygen(key_file: Path) -> None:
    """Make an ECDSA P-384 key pair for signing bundles: KEY_FILE (default archiver-key.pem, kept
    private) and KEY_FILE.pub (give it to whoever verifies your bundles)."""
    from archiver.signing import generate_key, key_fingerprint, load_public_key_b64

    try:
        public = generate_key(key_file)
    except ArchiverError as exc:
        raise SetupError(str(exc)) from None
    click.echo(f"private key: {key_file} (keep it private)")
    click.echo(f"public key:  {public}  fingerprint {key_fingerprint(load_public_key_b64(public))}")


@main.command()
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The .wacz file to write (default: beside a single run folder, named after it).")
@click.option("--sign-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sign with this private key (from `archiver keygen`): an anonymous wacz-auth signature.")
@click.option("--sign-url", help="Sign with an authsign server instead (POST {hash, created}).")
@click.option("--tsa", "tsa_urls", multiple=True, metavar="URL",
              help="An RFC 3161 time-stamping authority; repeat for several.")
@click.option("--tsa-ca", "tsa_cas", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CA certificate(s) (PEM) of the TSAs, kept in the bundle so timestamps verify offline.")
@click.option("--require-timestamp", is_flag=True,
              help="Fail, writing nothing, unless every --tsa gives a timestamp (default: bundle without the "
                   "missing ones, say so, and record the failure in the bundle).")
def bundle(dirs: tuple[Path, ...], output: Path | None, sign_key: Path | None, sign_url: str | None,
           tsa_urls: tuple[str, ...], tsa_cas: tuple[Path, ...], require_timestamp: bool) -> None:
    """Pack the captures under DIRS into one WACZ evidence bundle: WARCs, index, pages, manifests,
    screenshots and a report, with datapackage.json hashes, an optional signature and RFC 3161
    timestamps. Check it with `archiver verify`."""
    from archiver.bundle import BundleOptions, build_bundle
    from archiver.timestamps import load_certificates

    if sign_key and sign_url:
        raise click.UsageError("give --sign-key or --sign-url, not both")
    if output is None:
        if len(dirs) != 1 or not (dirs[0] / "manifest.json").is_file():
            raise click.UsageError("give --output FILE.wacz when bundling anything but one run folder")
        output = dirs[0].resolve().with_suffix(".wacz")
    try:
        cas = [cert for path in tsa_cas for cert in load_certificates(path.read_bytes())]
        options = BundleOptions(sign_key, sign_url, list(tsa_urls), cas, require_timestamp)
        outcome = build_bundle(list(dirs), output, options,
                               warn=lambda message: click.echo(f"archiver: warning: {message}", err=True))
    except ArchiverError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"bundle: {outcome.path} ({outcome.pages} page(s))")
    click.echo(f"datapackage: {outcome.datapackage_hash}")
    click.echo(f"signed: {outcome.signed_by or 'no'}")
    for stamp in outcome.timestamps:
        click.echo(f"timestamp: {stamp['gen_time']} from {stamp['tsa']}")
    if tsa_urls and not outcome.timestamps:
        click.echo("timestamp: NONE (every TSA failed; see the warnings)", err=True)


@main.command()
@click.argument("wacz", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--require-signature", is_flag=True, help="Fail when the bundle is unsigned.")
@click.option("--require-timestamp", is_flag=True, help="Fail when the bundle has no trusted timestamp.")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The signer's public key (.pub from `archiver keygen`): the signature must be by it.")
@click.option("--tsa-ca", "tsa_cas", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Trusted TSA CA certificate(s): timestamps must chain to one of them.")
def verify(wacz: Path, require_signature: bool, require_timestamp: bool, public_key: Path | None,
           tsa_cas: tuple[Path, ...]) -> None:
    """Check a bundle offline: every file's SHA-256, the datapackage digest, every WARC record's
    digests, the manifests against their files, the signature and each timestamp. One line per
    check; exit status 0 only when everything holds."""
    from archiver.signing import load_public_key_b64
    from archiver.timestamps import load_certificates
    from archiver.verify import FAIL, VerifyOptions, verify_bundle

    try:
        options = VerifyOptions(
            require_signature, require_timestamp,
            load_public_key_b64(public_key) if public_key else None,
            [cert for path in tsa_cas for cert in load_certificates(path.read_bytes())] if tsa_cas else None)
    except ArchiverError as exc:
        raise SetupError(str(exc)) from None
    checks = verify_bundle(wacz, options)
    for check in checks:
        click.echo(str(check))
    failures = [check for check in checks if check.status == FAIL]
    if failures:
        click.echo(f"NOT VERIFIED: {len(failures)} check(s) failed", err=True)
        sys.exit(1)
    click.echo("verified")

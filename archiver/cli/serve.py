"""`archiver serve` (the review app) and `archiver search` (the same index, on the terminal)."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.cli.common import DEFAULT_OUTPUT, SetupError, output_option, safe_json, say


def _folders(dirs: tuple[Path, ...]) -> list[Path]:
    folders = list(dirs) or [Path(DEFAULT_OUTPUT)]
    for folder in folders:
        if not folder.is_dir():
            raise SetupError(f"{folder} is not a folder of captures")
    return folders


@click.command()
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8300, show_default=True, help="The app's port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on. Any other than loopback needs --token or --token-file.",
)
@click.option("--token", help="A secret every request must carry (the printed address holds it).")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the token from this file (kept off the command line and out of `ps`).",
)
@click.option(
    "--replay-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="ReplayWeb.page's own port (0: any free one): another origin than the app's.",
)
@click.option("--no-replay", is_flag=True, help="Do not serve ReplayWeb.page (no npm needed).")
@click.option(
    "--sign-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Sign the bundles the app makes with this private key (from `archiver keygen`).",
)
@click.option("--tsa", "tsa_urls", multiple=True, metavar="URL", help="Timestamp the bundles it makes (RFC 3161).")
@click.option(
    "--tsa-ca",
    "tsa_cas",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA certificate(s) (PEM) of the TSAs, kept in the bundles.",
)
def serve(
    dirs: tuple[Path, ...],
    port: int,
    host: str,
    token: str | None,
    token_file: Path | None,
    replay_port: int,
    no_replay: bool,
    sign_key: Path | None,
    tsa_urls: tuple[str, ...],
    tsa_cas: tuple[Path, ...],
) -> None:
    """Review the captures under DIRS (default warcs/) in a browser: articles and their timelines,
    diffs between any two captures, photos and credits, full-text search, runs, replay in
    ReplayWeb.page, and signed bundles to download. A watcher's events show when DIR/watch/ exists.

    Read-only: it never changes a capture (its search index, search-index.sqlite, is kept in each
    folder). New captures appear within seconds, without a restart.
    """
    from archiver.evidence.bundle import BundleOptions
    from archiver.evidence.timestamps import load_certificates
    from archiver.web.app import ServeSettings
    from archiver.web.app import serve as serve_app

    if token and token_file:
        raise click.UsageError("give --token or --token-file, not both")
    if token_file is not None:
        token = token_file.read_text(encoding="utf-8").strip() or None
        if token is None:
            raise SetupError(f"{token_file} is empty")
    cas = [cert for path in tsa_cas for cert in load_certificates(path.read_bytes())]
    settings = ServeSettings(
        _folders(dirs),
        host,
        port,
        token,
        not no_replay,
        replay_port,
        BundleOptions(sign_key, None, list(tsa_urls), cas),
    )

    def ready(address: str, replay: str | None) -> None:
        say(f"archiver serve: {address}", err=True)
        say(f"  replay (ReplayWeb.page): {replay}" if replay else "  replay: off", err=True)

    serve_app(settings, ready)


@click.command()
@click.argument("query")
@output_option("The output folder whose captures are searched.")
@click.option("--site", help="Only captures of this site (host, without www.).")
@click.option("--since", metavar="DATE", help="Only captures made on or after DATE (ISO, e.g. 2026-12-01).")
@click.option("--until", metavar="DATE", help="Only captures made on or before DATE.")
@click.option("--state", type=click.Choice(["complete", "partial", "failed"]), help="Only captures in this state.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search(
    query: str,
    output: Path,
    site: str | None,
    since: str | None,
    until: str | None,
    state: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find the captures under --output whose article text, headline, authors, captions or
    credits hold every word of QUERY ("quoted words" for a phrase). Page furniture (menus,
    "Most Popular" boxes, footers) is not searched. Updates the folder's index first.

    Exit status: 0 when something was found, 1 when nothing was, 2 on error.
    """
    from archiver.search.index import MARK_END, MARK_START, Filters, SearchIndex

    index = SearchIndex(_folders((output,))[0])
    index.update()
    hits = index.search(query, Filters(site, since, until, state), limit)
    if as_json:
        say(safe_json({"query": query, "hits": [hit.to_dict() for hit in hits]}))
    for hit in [] if as_json else hits:
        row = hit.capture
        say(f"{row.captured_at}  {row.capture_id}  [{row.state}]  {row.headline or row.url}")
        say(f"    {row.url}")
        say("    " + " ".join(hit.snippet.replace(MARK_START, "[").replace(MARK_END, "]").split()))
    if not hits:
        if not as_json:
            say(f"nothing under {output} holds {query!r}", err=True)
        raise SystemExit(1)

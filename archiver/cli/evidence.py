"""`archiver keygen`, `archiver bundle` and `archiver verify`: evidence bundles, sealed and checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archiver.errors import ArchiverError


@click.command()
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("archiver-key.pem"))
def keygen(key_file: Path) -> None:
    """Make an ECDSA P-384 key pair for signing bundles: KEY_FILE (default archiver-key.pem, kept
    private) and KEY_FILE.pub (give it to whoever verifies your bundles)."""
    from archiver.evidence.signing import generate_key, key_fingerprint, load_public_key_b64

    public = generate_key(key_file)
    click.echo(f"private key: {key_file} (keep it private)")
    click.echo(f"public key:  {public}  fingerprint {key_fingerprint(load_public_key_b64(public))}")


@click.command()
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .wacz file to write (default: beside a single run folder, named after it).",
)
@click.option(
    "--sign-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Sign with this private key (from `archiver keygen`): an anonymous wacz-auth signature.",
)
@click.option("--sign-url", help="Sign with an authsign server instead (POST {hash, created}).")
@click.option(
    "--tsa", "tsa_urls", multiple=True, metavar="URL", help="An RFC 3161 time-stamping authority; repeat for several."
)
@click.option(
    "--tsa-ca",
    "tsa_cas",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA certificate(s) (PEM) of the TSAs, kept in the bundle so timestamps verify offline.",
)
@click.option(
    "--require-timestamp",
    is_flag=True,
    help="Fail, writing nothing, unless every --tsa gives a timestamp (default: bundle without the "
    "missing ones, say so, and record the failure in the bundle).",
)
def bundle(
    dirs: tuple[Path, ...],
    output: Path | None,
    sign_key: Path | None,
    sign_url: str | None,
    tsa_urls: tuple[str, ...],
    tsa_cas: tuple[Path, ...],
    require_timestamp: bool,
) -> None:
    """Pack the captures under DIRS into one WACZ evidence bundle: WARCs, index, pages, manifests,
    screenshots and a report, with datapackage.json hashes, an optional signature and RFC 3161
    timestamps. Check it with `archiver verify`."""
    from archiver.evidence.bundle import BundleOptions, build_bundle
    from archiver.evidence.timestamps import load_certificates

    if sign_key and sign_url:
        raise click.UsageError("give --sign-key or --sign-url, not both")
    if output is None:
        if len(dirs) != 1 or not (dirs[0] / "manifest.json").is_file():
            raise click.UsageError("give --output FILE.wacz when bundling anything but one run folder")
        output = dirs[0].resolve().with_suffix(".wacz")
    try:
        cas = [cert for path in tsa_cas for cert in load_certificates(path.read_bytes())]
        options = BundleOptions(sign_key, sign_url, list(tsa_urls), cas, require_timestamp)
        outcome = build_bundle(
            list(dirs), output, options, warn=lambda message: click.echo(f"archiver: warning: {message}", err=True)
        )
    except ArchiverError as exc:  # the bundle could not be made: exit status 1, not a set-up error
        raise click.ClickException(str(exc)) from None
    click.echo(f"bundle: {outcome.path} ({outcome.pages} page(s))")
    click.echo(f"datapackage: {outcome.datapackage_hash}")
    click.echo(f"signed: {outcome.signed_by or 'no'}")
    for stamp in outcome.timestamps:
        click.echo(f"timestamp: {stamp['gen_time']} from {stamp['tsa']}")
    if tsa_urls and not outcome.timestamps:
        click.echo("timestamp: NONE (every TSA failed; see the warnings)", err=True)


@click.command()
@click.argument("wacz", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--require-signature", is_flag=True, help="Fail when the bundle is unsigned.")
@click.option("--require-timestamp", is_flag=True, help="Fail when the bundle has no trusted timestamp.")
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The signer's public key (.pub from `archiver keygen`): the signature must be by it.",
)
@click.option(
    "--tsa-ca",
    "tsa_cas",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trusted TSA CA certificate(s): timestamps must chain to one of them.",
)
def verify(
    wacz: Path, require_signature: bool, require_timestamp: bool, public_key: Path | None, tsa_cas: tuple[Path, ...]
) -> None:
    """Check a bundle offline: every file's SHA-256, the datapackage digest, every WARC record's
    digests, the manifests against their files, the member names, the signature and each
    timestamp. One line per check, then the verdict.

    Exit status: 0 "verified" (every check holds and the signature is by the --public-key key);
    3 self-consistent and signed, but by a key not checked against a trusted one (no --public-key);
    4 self-consistent but not signed (anyone could have edited and re-hashed it); 1 NOT VERIFIED
    (a check failed); 2 a usage or set-up error.
    """
    from archiver.evidence.signing import load_public_key_b64
    from archiver.evidence.timestamps import load_certificates
    from archiver.evidence.verify import EXIT_FAILED, VerifyOptions, verdict, verify_bundle

    options = VerifyOptions(
        require_signature,
        require_timestamp,
        load_public_key_b64(public_key) if public_key else None,
        [cert for path in tsa_cas for cert in load_certificates(path.read_bytes())] if tsa_cas else None,
    )
    checks = verify_bundle(wacz, options)
    for check in checks:
        click.echo(str(check))
    outcome = verdict(checks)
    click.echo(outcome.line, err=outcome.status == EXIT_FAILED)
    sys.exit(outcome.status)

"""What every command shares: how expected failures end (one line, exit status 2 for set-up
problems), and how sizes, viewports and folders are read from the command line."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from archiver.errors import ArchiverError

SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
VIEWPORT = re.compile(r"^(\d+)x(\d+)$")
DEFAULT_OUTPUT = Path("warcs")
F = TypeVar("F", bound=Callable[..., Any])


class SetupError(click.ClickException):
    """The run could not start (no browser, ...): exit status 2, like a usage error."""

    exit_code = 2


# What a command adds when it could not write: where what it finished is.
WRITE_FAILURE_HINTS = {
    "capture": "the pages finished before are in their run's manifest.json",
    "worker": "committed pages are in their run's manifest.json, the others stay queued",
}


class ArchiverGroup(click.Group):
    """The command group: every expected failure of a command ends as one line, exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiverError as exc:
            raise SetupError(str(exc)) from None
        except BrokenPipeError:  # `archiver ... | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            sys.exit(0)
        except OSError as exc:  # a full disk, a read-only folder, a file that went away
            raise SetupError(describe_os_error(exc, ctx.invoked_subcommand)) from None

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        add_verbosity(cmd)
        super().add_command(cmd, name)


def describe_os_error(exc: OSError, command: str | None) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    hint = WRITE_FAILURE_HINTS.get(command or "")
    return (
        f"cannot write the capture: {exc.strerror or exc}{where}; {hint}" if hint else f"{exc.strerror or exc}{where}"
    )


def add_verbosity(command: click.Command) -> None:
    """-v (steps and events) and -vv (more detail) on every command, logged to stderr."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_verbosity(sub)
        return
    if not any(param.name == "verbose" for param in command.params):
        command.params.append(
            click.Option(
                ["-v", "--verbose"],
                count=True,
                expose_value=False,
                is_eager=True,
                callback=_set_verbosity,
                help="Say what is being done on stderr (-v: each step; -vv: more).",
            )
        )


def _set_verbosity(ctx: click.Context, param: click.Parameter, count: int) -> None:
    if not count:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("archiver: %(name)s: %(message)s"))
    logger = logging.getLogger("archiver")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if count == 1 else logging.DEBUG)


def output_option(help: str) -> Callable[[F], F]:
    """--output DIR: the output folder, default warcs/ (what it is for is the command's)."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_OUTPUT,
        show_default=True,
        help=help,
    )


input_option = click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    metavar="FILE",
    help="Read URLs from FILE: one a line, # starts a comment, - reads stdin. Repeatable.",
)
concurrency_option = click.option(
    "--concurrency",
    "-j",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="Pages loading at once, each in its own browser context (capture and watch open the next one ahead).",
)
retries_option = click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="More attempts, with backoff (2 s, 4 s...), for a page that failed on a network error or whose "
    "browser failed under it.",
)
browser_option = click.option(
    "--browser",
    "browser_path",
    metavar="PATH",
    help="Chromium executable (default: Playwright's, else the system's). Env: ARCHIVER_BROWSER.",
)


def _resolve_pairs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    from archiver.browser.netguard import parse_overrides

    try:
        return tuple(sorted(parse_overrides(values).items()))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


resolve_option = click.option(
    "--resolve",
    "resolve",
    multiple=True,
    metavar="NAME=IP",
    callback=_resolve_pairs,
    help="Resolve NAME to IP for every capture of the run (split-horizon set-ups); repeatable. The network "
    "guard checks IP as it checks any address, and the manifest records the pairs.",
)


profiles_option = click.option(
    "--profiles",
    "profiles_dir",
    metavar="DIR",
    envvar="ARCHIVER_PROFILES",
    help="Folder of the browser profiles (default: $XDG_DATA_HOME/archiver/profiles). Env: ARCHIVER_PROFILES.",
)


refuse_private_seeds_option = click.option(
    "--refuse-private-seeds",
    is_flag=True,
    help="Refuse a seed whose name resolves to a private, loopback or link-local address (for a public "
    "service: by default such a seed, your own intranet page, may reach private addresses).",
)


# Control characters (C0 but newline and tab, DEL, C1) in text that came from a page or a queue: an
# escape sequence could set the terminal's title, clear it, or rewrite what was printed before.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """`text` with every control character shown as an escape (\x1b), never sent to the terminal."""
    return _CONTROL.sub(lambda match: match.group(0).encode("unicode_escape").decode("ascii"), text)


def safe_json(data: Any) -> str:
    """JSON to print: UTF-8 kept readable, but C1 controls written as \\u escapes (json escapes C0)."""
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(data, indent=2, ensure_ascii=False))


def say(text: str, err: bool = False) -> None:
    """Print what may hold a captured page's or a queue entry's text: control characters escaped."""
    click.echo(terminal_safe(text), err=err)


def parse_size(value: str) -> int:
    match = SIZE.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 500M or 1G")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


def format_size(size: int) -> str:
    """A byte count as the shortest size `parse_size` reads back (100M, 1G, 1500)."""
    for unit in "TGMK":
        scale = 1024 ** (" KMGT".index(unit))
        if size and size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


def parse_viewport(value: str) -> tuple[int, int]:
    match = VIEWPORT.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    return int(match.group(1)), int(match.group(2))


def folders_or_default(dirs: tuple[Path, ...]) -> list[Path]:
    """The folders named, or warcs/ when none is."""
    return list(dirs) or [DEFAULT_OUTPUT]

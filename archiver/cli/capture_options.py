"""The options of one page's capture, as command-line flags, derived from their one declaration in
`archiver.options.CaptureOptions`: shared by every command that captures or queues pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import Field
from typing import Any, TypeVar

import click

from archiver.cli.common import format_size, parse_size, parse_viewport
from archiver.options import VIEWPORT_FLAG, CaptureOptions, declared_options, option_types

F = TypeVar("F", bound=Callable[..., Any])
DEFAULTS = CaptureOptions()


def _parameter(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _number_type(declared: Field[Any]) -> click.ParamType:
    kind = option_types()[declared.name]
    minimum = declared.metadata["minimum"]
    if kind is int:
        return click.IntRange(min=None if minimum is None else int(minimum))
    return click.FloatRange(min=minimum)


def _flag(declared: Field[Any]) -> Callable[[F], F]:
    """The click option for one declared capture option."""
    meta, kind = declared.metadata, option_types()[declared.name]
    default = getattr(DEFAULTS, declared.name)
    flag, text = meta["flag"], meta["help"]
    if declared.name == "viewport_width":
        return click.option(
            flag, default=f"{DEFAULTS.viewport_width}x{DEFAULTS.viewport_height}", show_default=True, help=text
        )
    if kind is bool:
        return click.option(flag, is_flag=True, help=text)  # --x turns on what is off, --no-x off what is on
    if meta["size"]:
        return click.option(flag, default=format_size(default), show_default=True, help=text)
    if meta["choices"]:
        return click.option(flag, type=click.Choice(meta["choices"]), default=default, show_default=True, help=text)
    if kind in (int, float):
        return click.option(flag, type=_number_type(declared), default=default, show_default=True, help=text)
    return click.option(flag, default=default, help=text, metavar=meta.get("metavar"))


def _declared_flags() -> list[Field[Any]]:
    """One declaration per flag (the viewport's two fields share one)."""
    return [declared for declared in declared_options() if declared.name != "viewport_height"]


def capture_flags(command: F) -> F:
    """Add every capture option to a click command; it receives them as keyword arguments."""
    for declared in reversed(_declared_flags()):
        command = _flag(declared)(command)
    return command


def pop_capture_options(arguments: dict[str, Any]) -> CaptureOptions:
    """Take the capture flags out of a command's keyword arguments, as one CaptureOptions."""
    values: dict[str, Any] = {}
    for declared in _declared_flags():
        flag = declared.metadata["flag"]
        given = arguments.pop(_parameter(flag))
        if flag == VIEWPORT_FLAG:
            values["viewport_width"], values["viewport_height"] = parse_viewport(given)
        elif option_types()[declared.name] is bool:
            values[declared.name] = not given if flag.startswith("--no-") else given
        elif declared.metadata["size"]:
            values[declared.name] = parse_size(given)
        else:
            values[declared.name] = given
    return CaptureOptions(**values)

"""The options of one page's capture, as command-line flags: shared by every command that
captures or queues pages, so they are documented and parsed in one place."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

import click

from archiver.cli.common import parse_size, parse_viewport
from archiver.options import CaptureOptions

DEFAULTS = CaptureOptions()
F = TypeVar("F", bound=Callable[..., Any])

FLAGS = [
    click.option("--viewport", default=f"{DEFAULTS.viewport_width}x{DEFAULTS.viewport_height}", show_default=True,
                 help="Browser window size, WIDTHxHEIGHT."),
    click.option("--device-scale-factor", type=float, default=DEFAULTS.device_scale_factor, show_default=True,
                 help="Device pixel ratio (2 for a high-DPI screen)."),
    click.option("--user-agent", default=None, help="User-Agent to send (default: the browser's, without 'Headless')."),
    click.option("--operator", default=None, help="Who runs the capture; written into every WARC's warcinfo."),
    click.option("--ignore-https-errors", is_flag=True, help="Capture sites whose certificate the browser rejects."),
    click.option("--allow-private", is_flag=True,
                 help="Let a public page reach private, loopback and link-local addresses (blocked by default)."),
    click.option("--page-timeout", type=float, default=DEFAULTS.page_timeout, show_default=True,
                 help="Seconds for loading and behaviours together; past it the capture is saved as 'partial'."),
    click.option("--navigation-timeout", type=float, default=DEFAULTS.navigation_timeout, show_default=True,
                 help="Seconds to wait for the page's load event."),
    click.option("--behaviour-timeout", type=float, default=DEFAULTS.behaviour_timeout, show_default=True,
                 help="Seconds for scrolling, waiting and autofetch together; past it the capture is 'partial'."),
    click.option("--settle", type=float, default=DEFAULTS.settle_after_load, show_default=True,
                 help="Stay at least this many seconds after load, for content that arrives on a timer."),
    click.option("--network-quiet", type=float, default=DEFAULTS.network_quiet, show_default=True,
                 help="Seconds without network activity that count as 'quiet'."),
    click.option("--scroll-step", type=int, default=DEFAULTS.scroll_step, show_default=True,
                 help="Pixels per scroll step (0: half the viewport height)."),
    click.option("--max-scroll-steps", type=int, default=DEFAULTS.max_scroll_steps, show_default=True,
                 help="Stop scrolling after this many steps (bounds endless infinite scroll)."),
    click.option("--no-autofetch", is_flag=True,
                 help="Do not fetch srcset/<picture>/data-src/noscript images the page did not load itself."),
    click.option("--no-dedup", is_flag=True,
                 help="Store every response whole, even one byte-identical to the last capture of its URL in "
                      "--output (by default such a response is a WARC revisit record pointing at it)."),
    click.option("--max-screenshot-height", type=int, default=DEFAULTS.max_screenshot_height, show_default=True,
                 help="Cut full-page screenshots of taller pages here (recorded as capped)."),
    click.option("--max-body-size", default="100M", show_default=True,
                 help="Store larger response bodies cut here, marked WARC-Truncated (e.g. 50M, 1G)."),
    click.option("--warc-max-size", default="1G", show_default=True,
                 help="Start a new WARC file past this size (e.g. 500M, 1G)."),
]
FLAG_NAMES = ("viewport", "device_scale_factor", "user_agent", "operator", "ignore_https_errors", "allow_private",
              "page_timeout", "navigation_timeout", "behaviour_timeout", "settle", "network_quiet", "scroll_step",
              "max_scroll_steps", "no_autofetch", "no_dedup", "max_screenshot_height", "max_body_size", "warc_max_size")


def capture_flags(command: F) -> F:
    """Add every capture option to a click command; it receives them as keyword arguments."""
    for flag in reversed(FLAGS):
        command = flag(command)
    return command


def pop_capture_options(arguments: dict[str, Any]) -> CaptureOptions:
    """Take the capture flags out of a command's keyword arguments, as one CaptureOptions."""
    flags = {name: arguments.pop(name) for name in FLAG_NAMES}
    width, height = parse_viewport(flags["viewport"])
    return CaptureOptions(
        viewport_width=width, viewport_height=height, device_scale_factor=flags["device_scale_factor"],
        user_agent=flags["user_agent"], operator=flags["operator"], ignore_https_errors=flags["ignore_https_errors"],
        page_timeout=flags["page_timeout"], navigation_timeout=flags["navigation_timeout"],
        behaviour_timeout=flags["behaviour_timeout"], settle_after_load=flags["settle"],
        network_quiet=flags["network_quiet"], scroll_step=flags["scroll_step"],
        max_scroll_steps=flags["max_scroll_steps"], autofetch=not flags["no_autofetch"],
        allow_private=flags["allow_private"], dedup=not flags["no_dedup"], max_screenshot_height=flags["max_screenshot_height"],
        warc_max_size=parse_size(flags["warc_max_size"]), max_body_size=parse_size(flags["max_body_size"]),
    )

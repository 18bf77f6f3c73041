"""Capture options are declared once: every option has its flag, the flags parse back to the
options, and a queued job is checked against the same declarations."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archiver.cli import main
from archiver.cli.capture_options import capture_flags, pop_capture_options
from archiver.options import CaptureOptions, declared_options, option_problem
from archiver.queue.jobs import QueuedJob, UnreadableJob

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _parsed(*arguments: str) -> CaptureOptions:
    captured: dict[str, CaptureOptions] = {}

    @click.command()
    @capture_flags
    def command(**flags: object) -> None:
        captured["options"] = pop_capture_options(dict(flags))

    result = CliRunner().invoke(command, list(arguments))
    assert result.exit_code == 0, result.output
    return captured["options"]


def test_every_option_has_a_flag_with_help() -> None:
    for declared in declared_options():
        assert declared.metadata["flag"].startswith("--"), declared.name
    flags = {declared.metadata["flag"] for declared in declared_options()}
    assert len(flags) == len(declared_options()) - 1  # the viewport's width and height share one


def test_every_capture_flag_is_offered_by_capture_and_queue_add_and_the_readme() -> None:
    for command in (["capture", "--help"], ["queue", "add", "--help"]):
        shown = CliRunner().invoke(main, command).output
        for declared in declared_options():
            assert declared.metadata["flag"] in shown, (command, declared.metadata["flag"])
    for declared in declared_options():
        assert f"`{declared.metadata['flag']}" in README, declared.metadata["flag"]


def test_no_flags_give_the_declared_defaults() -> None:
    assert _parsed() == CaptureOptions()


def test_each_flag_sets_its_option() -> None:
    options = _parsed(
        "--viewport",
        "390x844",
        "--no-dedup",
        "--allow-private",
        "--max-body-size",
        "5M",
        "--settle",
        "0.5",
        "--quiet-timeout",
        "2",
        "--scroll-delay",
        "0",
    )
    assert (options.viewport_width, options.viewport_height) == (390, 844)
    assert options.dedup is False and options.allow_private is True and options.max_body_size == 5 << 20
    assert (options.settle_after_load, options.quiet_timeout, options.scroll_delay) == (0.5, 2.0, 0.0)


def test_a_value_below_its_minimum_is_a_usage_error() -> None:
    @click.command()
    @capture_flags
    def command(**flags: object) -> None:
        pop_capture_options(dict(flags))

    result = CliRunner().invoke(command, ["--page-timeout", "-1"])
    assert result.exit_code == 2 and "--page-timeout" in result.output


def test_a_job_round_trips_its_options() -> None:
    job = QueuedJob.new("https://example.org/story", _parsed("--viewport", "800x600", "--no-autofetch"))
    assert QueuedJob.from_json(job.to_json()) == job


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("page_timeout", "10", "must be float"),
        ("page_timeout", -5, "at least"),
        ("max_scroll_steps", True, "must be int"),
        ("dedup", 1, "must be bool"),
        ("user_agent", 7, "must be text"),
        ("device_scale_factor", float("nan"), "must be float"),
    ],
)
def test_a_job_option_of_the_wrong_type_or_range_is_named(name: str, value: object, problem: str) -> None:
    assert problem in (option_problem(name, value) or "")
    data = json.loads(QueuedJob.new("https://example.org/story", CaptureOptions()).to_json())
    data["options"][name] = value
    with pytest.raises(UnreadableJob, match=name):
        QueuedJob.from_json(json.dumps(data))

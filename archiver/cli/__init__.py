"""The command line: one thin command per task, each over a function others can import.

capture, serve-sample     archiver.cli.capture    -> archiver.run.batch, archiver.sample
lint, show                archiver.cli.inspect    -> archiver.warc.lint, archiver.run.summary
replay, qa                archiver.cli.replay     -> archiver.replay
keygen, bundle, verify    archiver.cli.evidence   -> archiver.evidence
diff, history             archiver.cli.changes    -> archiver.changes
queue add|status, worker  archiver.cli.queue      -> archiver.queue
watch [status]            archiver.cli.watch      -> archiver.watch
profile ...               archiver.cli.profile    -> archiver.profiles
serve, search             archiver.cli.serve      -> archiver.web, archiver.search
"""

from __future__ import annotations

import click

from archiver.cli import capture, changes, evidence, inspect, profile, queue, replay, serve, watch
from archiver.cli.common import ArchiverGroup
from archiver.versions import __version__


@click.group(cls=ArchiverGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
def main() -> None:
    """Capture news articles faithfully: Chromium renders each page with everything it loads
    as a reader scrolls, every HTTP exchange goes into WARC/1.1 files, with screenshots and a
    manifest of checksums."""


for command in (
    capture.capture,
    inspect.lint,
    capture.serve_sample_command,
    replay.replay,
    replay.qa,
    inspect.show,
    evidence.keygen,
    evidence.bundle,
    evidence.verify,
    changes.diff,
    changes.history,
    queue.queue,
    queue.worker,
    watch.watch,
    profile.profile,
    serve.serve,
    serve.search,
):
    main.add_command(command)

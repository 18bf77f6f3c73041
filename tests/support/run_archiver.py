"""`python -m tests.support.run_archiver ARGS`: the real `archiver` command, with the tests' hooks
(tests/support/hooks.py) installed first. Every test that runs the command line runs this."""

from __future__ import annotations

from tests.support import hooks

hooks.install()

from archiver.cli import main  # noqa: E402 - after the hooks, which it must see

main(prog_name="archiver")

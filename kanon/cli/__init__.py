"""The ``kanon`` command line: one module per group of commands, one error boundary (``kanon.cli.app``)."""

from __future__ import annotations

import sys

from kanon.cli.app import app, err, set_environment_defaults

__all__ = ["app", "main"]


def _commands() -> None:
    # Importing a command module adds its commands to ``app``; done once, here, in this order.
    import kanon.cli.assess  # noqa: F401
    import kanon.cli.other_commands  # noqa: F401
    import kanon.cli.store_commands  # noqa: F401


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"kanon {version('kanon')}")
        except PackageNotFoundError:
            print("kanon (not installed)")
        raise SystemExit(0)


@app.callback()
def _root(
    version: bool = __import__("typer").Option(False, "--version", callback=_version, is_eager=True,
                                               help="Print kanon's version and exit."),
) -> None:
    """kanon: population k-anonymity for the text you are about to share."""


def main() -> None:
    set_environment_defaults()
    _commands()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)

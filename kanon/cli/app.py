"""The ``kanon`` application object, its shared options, and the one error boundary.

Every command is a plain function wrapped by ``boundary``: a user's error
prints one line (its code and text-free message) on stderr and exits 2; a
failing database or an unexpected fault exits 1 with the kind of failure
only, never a traceback, a SQL statement or the user's text.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Annotated, Any, Optional, TypeVar

import typer
from rich.console import Console

from records.errors import BadLines, InputError, KanonError

# Set before Prefect or the hub libraries are imported (by main(), not at import):
# no network here or in most deployments, and the batch commands print their own progress.
ENVIRONMENT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # An ephemeral server may need longer than Prefect's default 20 s to start on a small machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def set_environment_defaults() -> None:
    """The defaults above, where the user has not set them."""
    for key, value in ENVIRONMENT_DEFAULTS.items():
        os.environ.setdefault(key, value)


CONTEXT = {"help_option_names": ["-h", "--help"]}


def _click_style_arguments() -> None:
    """Arguments in --help as Click writes them: ``FILE`` and ``[TEXT]``, no ``{FILE}``, no ``<str>``.

    Typer 0.2x brackets required arguments and adds a type label that repeats
    the metavar; people who know Click tools read the plain form. Only the help
    text changes, never parsing.
    """
    from typer.core import TyperArgument

    def usage_name(self: TyperArgument) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_click_style_arguments()

app = typer.Typer(
    name="kanon",
    help=(
        "How many people in the world match everything a text discloses about its author?\n\n"
        "kanon finds self-disclosures, builds a Bayesian network of what they reveal, "
        "estimates each factor from statistics (or a language model), and reports k, "
        "the population k-anonymity of the author, with an interval and the disclosures "
        "that drive it."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT,
    rich_markup_mode=None,
)
train_app = typer.Typer(help="Train kanon's models.", no_args_is_help=True, context_settings=CONTEXT)
evaluate_app = typer.Typer(help="Measure kanon against gold files (k cases or annotated spans).",
                           no_args_is_help=True, context_settings=CONTEXT)
db_app = typer.Typer(help="kanon's store: schema migrations.", no_args_is_help=True, context_settings=CONTEXT)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(train_app, name="train")
app.add_typer(db_app, name="db")

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line: scripts grep them

ReasonerOpt = Annotated[Optional[str], typer.Option("--reasoner", metavar="NAME", help="statistical (default), independent, branch or cot.")]
DetectorOpt = Annotated[Optional[str], typer.Option("--detector", metavar="NAME", help="minilm-bio.v1 (default; the trained classifier) or rules.v1.")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", metavar="DEVICE", help="auto, cpu, cuda or cuda:N.")]
DbOpt = Annotated[Optional[str], typer.Option("--db", metavar="URL", help="Database URL (default: SQLite under ./.kanon).")]
LlmOpt = Annotated[Optional[str], typer.Option("--llm", metavar="SPEC", help="An OpenAI-compatible base URL, a local model folder, or 'smollm2'.")]
LlmModelOpt = Annotated[Optional[str], typer.Option("--llm-model", metavar="NAME", help="Model name sent to an OpenAI-compatible server.")]


def settings_from(**kw: object) -> Any:
    """Settings with the command's flags as overrides (``db`` is ``database_url``)."""
    from flows.settings import load_settings

    mapping = {"db": "database_url"}
    return load_settings(**{mapping.get(k, k): v for k, v in kw.items()})


F = TypeVar("F", bound=Callable[..., Any])


def boundary(fn: F) -> F:
    """The one place where a command's failures become a line on stderr and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BadLines as e:
            for line_error in e.errors:
                err.print(f"[red]bad line[/red] ({line_error.code}): {line_error.message}", markup=True)
            _fail(e)
        except KanonError as e:
            _fail(e)
        except Exception as e:  # noqa: BLE001 - the boundary: a kind, never a message that may quote data
            import sqlalchemy.exc

            if isinstance(e, sqlalchemy.exc.SQLAlchemyError):
                err.print(f"[red]error[/red] (storage_error): the database failed ({type(e).__name__}); "
                          "check that the server answers and the store is migrated (kanon db upgrade)", markup=True)
            else:
                err.print(f"[red]error[/red] (internal_error): kanon failed ({type(e).__name__}); "
                          "nothing was written for the unfinished part", markup=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _fail(e: KanonError) -> None:
    from rich.markup import escape

    err.print(f"[red]error[/red] ({e.code}): {escape(e.message)}", markup=True)
    raise typer.Exit(2 if isinstance(e, InputError) or e.code in _USER_CODES else 1)


# Errors that are not InputErrors but are the user's to fix (a setting, a missing model, an unknown name).
_USER_CODES = {"bad_settings", "unknown_component", "llm_required", "model_not_found", "storage_error"}


def require_one_of(**given: object) -> None:
    """Exactly one of these options or arguments (named in the message)."""
    if sum(v is not None for v in given.values()) != 1:
        names = list(given)
        raise InputError(f"give exactly one of {', '.join(names[:-1])} or {names[-1]}")

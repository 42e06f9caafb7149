"""What every ``finews`` command shares: turning errors into one sentence, settings."""

from __future__ import annotations

import functools
import sys
from typing import Callable

import click

from .config import Settings
from .errors import ConfigError, FinewsError


def _fail(message: str, code: int) -> None:
    click.echo(f"finews: {message}", err=True)
    sys.exit(code)


def friendly(func: Callable) -> Callable:
    """Turn finews errors into one clear sentence and an exit code."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            _fail(str(exc), 2)
        except FinewsError as exc:
            _fail(str(exc), 1)
        except KeyboardInterrupt:
            _fail("stopped", 130)
    return wrapper


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["load"]()

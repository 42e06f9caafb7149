"""What every ``finews`` command shares: turning errors into one sentence, settings."""

from __future__ import annotations

import functools
import sys
from typing import Callable

import click

from .config import Settings
from .errors import ConfigError, FinewsError
from .store.failures import driver_errors, store_failure

#: Exit statuses (also in the README).
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SOURCE_FAILED = 3


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
            _fail(str(exc), EXIT_USAGE)
        except (FinewsError, *driver_errors()) as exc:
            failure = store_failure(exc)
            if failure is not None:
                _fail(failure.sentence(_store_location()), EXIT_ERROR)
            _fail(str(exc), EXIT_ERROR)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            _fail(f"cannot use{where}: {exc.strerror or exc}", EXIT_ERROR)
        except KeyboardInterrupt:
            _fail("stopped", 130)
    return wrapper


def _store_location() -> str:
    """The store's file (or its URL without credentials), for error sentences."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_root().obj.get("settings") if ctx and ctx.find_root().obj else None
    if settings is None:
        return "(see store.url in finews.toml)"
    from .store.open import location
    try:
        return location(settings.store)
    except ConfigError:
        return settings.store_url


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.obj["load"]()
    ctx.find_root().obj["settings"] = settings
    return settings

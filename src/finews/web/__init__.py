"""The web server: the static site, a small JSON API and live events."""

from .app import create_app

__all__ = ["create_app"]

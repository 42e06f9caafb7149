"""The publish stage: from the store to a static site, feeds and a sitemap.

``build_site`` is the entry point; everything else in this package is a
piece it uses (the guarded writer, page contexts, templates, feeds).
"""

from .site import BuildReport, build_site
from .writer import SiteWriter

__all__ = ["BuildReport", "SiteWriter", "build_site"]

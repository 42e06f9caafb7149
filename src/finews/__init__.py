"""finews: a live, permanent, searchable archive of Chinese financial news."""

__version__ = "0.1.0"

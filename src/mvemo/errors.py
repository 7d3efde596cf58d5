"""Exception hierarchy: every error mvemo raises derives from :class:`MvemoError`."""

from __future__ import annotations

__all__ = ["MvemoError", "ParameterError", "DataError", "MissingExtraError"]


class MvemoError(Exception):
    """Root of all mvemo errors; catch this to handle any of them."""


class ParameterError(MvemoError, ValueError):
    """A function received a bad value; the message names the value."""


class DataError(MvemoError, ValueError):
    """A file or table could not be read or holds bad content; the message names the file."""


class MissingExtraError(MvemoError, ImportError):
    """An optional dependency is missing; the message names the extra that provides it."""

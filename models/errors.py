"""Errors raised by the data layer."""


class ModelsError(Exception):
    """Base class for every error the data layer raises on purpose."""


class DatabaseUnavailableError(ModelsError):
    """The configured database cannot be reached or opened."""

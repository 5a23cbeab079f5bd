"""Importing the package registers every route on ``bp``."""
from . import pages  # noqa: F401  (routes)
from .blueprint import bp

__all__ = ["bp"]

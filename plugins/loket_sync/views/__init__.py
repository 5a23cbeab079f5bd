"""Importing the package registers every route on ``bp``."""
from . import koepel, pages  # noqa: F401  (routes)
from .blueprint import bp, koepel_bp

__all__ = ["bp", "koepel_bp"]

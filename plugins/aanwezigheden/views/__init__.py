"""Views of the aanwezigheden module; importing the package registers every route on ``bp``."""
from . import admin, tablet  # noqa: F401  (routes)
from .blueprint import bp

__all__ = ["bp", "tablet"]

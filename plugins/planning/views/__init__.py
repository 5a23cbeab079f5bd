"""The planning module's screens; importing the package registers every route on ``bp``."""
from . import agreements, billable, closing, day, occupancy, plans, widgets  # noqa: F401  (routes)
from .blueprint import bp

__all__ = ["bp"]

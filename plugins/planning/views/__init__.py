"""The planning module's screens; importing the package registers every route on ``bp``."""
from plugins.planning.views import closing, day, occupancy, plans, widgets  # noqa: F401  (routes)
from plugins.planning.views.blueprint import bp

__all__ = ["bp"]

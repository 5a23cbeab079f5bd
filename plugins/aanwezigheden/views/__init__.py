"""Views of the aanwezigheden module; importing the package registers every route on ``bp``."""
from plugins.aanwezigheden.views import admin, tablet  # noqa: F401  (routes)
from plugins.aanwezigheden.views.blueprint import bp

__all__ = ["bp", "tablet"]

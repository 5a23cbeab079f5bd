"""The wachtlijst module's screens (staff, parents' public pages, the koepel's central allocation);
importing the package registers every route on the blueprints."""
from . import choices, staff  # noqa: F401  (routes)
from .blueprint import bp, koepel_bp

__all__ = ["bp", "koepel_bp"]

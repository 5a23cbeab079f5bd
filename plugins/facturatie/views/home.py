"""The landing page of finance staff: the month to bill and where it stands."""
from __future__ import annotations

from flask import render_template

from core.security import requires

from .blueprint import BILLING_VIEW, bp


@bp.route("/")
@requires(BILLING_VIEW)
def index():
    return render_template("facturatie/index.html")

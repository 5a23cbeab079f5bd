"""One view for every generated file of the organisation (core.documents)."""
from __future__ import annotations

from flask import abort, g

from core import documents
from core.db import session
from core.security import DOCUMENT_VIEW, TenantBlueprint, requires

bp = TenantBlueprint("documents", __name__, url_prefix="/documents")


@bp.route("/<int:document_id>")
@requires(DOCUMENT_VIEW)
def download(document_id: int):
    document = documents.get(session(), g.org, document_id)
    if document is None:  # another organisation's, expired, or none: the same answer
        abort(404)
    return documents.response(session(), document)

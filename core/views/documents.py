"""One view for every generated file of the organisation (core.documents)."""
from __future__ import annotations

from flask import abort, g
from flask_login import current_user

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
    from core.context import current_context

    if document.module is not None and not current_context().is_enabled(document.module):
        abort(404)  # the module's files close with its pages
    if not documents.may_download(document, current_user.role, current_context().modules):
        abort(403)
    return documents.response(session(), document)

"""The organisation's logo: on its PDFs (as a data URI: the PDF fetcher loads nothing else),
in the page header and on the parents' public pages (a public, cacheable URL).

Only PNG, JPEG and SVG up to ``MAX_LOGO_BYTES``, recognised by their content (not by the file
name). An SVG is parsed without entities or network and refused when it could run or fetch
anything (scripts, event handlers, ``foreignObject``, links outside the file), because the
public URL serves it as it is.
"""
from __future__ import annotations

import base64
import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, register_messages
from core.models import Organisation

MAX_LOGO_BYTES = 512 * 1024
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"

register_messages({
    "logo_empty": _l("Kies een bestand met het logo."),
    "logo_too_large": _l("Het logo is te groot (hoogstens %(kb)s kB)."),
    "logo_type": _l("Een logo moet een PNG-, JPEG- of SVG-bestand zijn."),
    "logo_unsafe_svg": _l("Dit SVG-bestand bevat scripts of verwijzingen naar buiten; bewaar het als PNG."),
})

_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "use", "image", "a"}


def sniff(data: bytes) -> str | None:
    """The image type by its first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        return SVG
    return None


def _check_svg(data: bytes) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise DomainError("logo_type", "logo") from None
    if etree.QName(root).localname != "svg" or b"<!ENTITY" in data.upper():
        raise DomainError("logo_unsafe_svg" if etree.QName(root).localname == "svg" else "logo_type", "logo")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        if etree.QName(element).localname.lower() in _SVG_FORBIDDEN_TAGS:
            raise DomainError("logo_unsafe_svg", "logo")
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")) \
                    or "url(" in value.replace(" ", "").lower() and "url(#" not in value.replace(" ", "").lower():
                raise DomainError("logo_unsafe_svg", "logo")
        if etree.QName(element).localname.lower() == "style" and ("@import" in (element.text or "")
                                                                   or "url(" in (element.text or "")):
            raise DomainError("logo_unsafe_svg", "logo")


def validate_logo(data: bytes | None) -> str:
    """The content type of an acceptable logo, else a DomainError (field ``logo``)."""
    if not data:
        raise DomainError("logo_empty", "logo")
    if len(data) > MAX_LOGO_BYTES:
        raise DomainError("logo_too_large", "logo", kb=MAX_LOGO_BYTES // 1024)
    kind = sniff(data)
    if kind is None:
        raise DomainError("logo_type", "logo")
    if kind == SVG:
        _check_svg(data)
    return kind


def set_logo(org: Organisation, data: bytes) -> None:
    org.logo_content_type = validate_logo(data)
    org.logo = bytes(data)
    org.logo_sha256 = hashlib.sha256(data).hexdigest()


def clear_logo(org: Organisation) -> None:
    org.logo = None
    org.logo_content_type = None
    org.logo_sha256 = None


def has_logo(org: Organisation | None) -> bool:
    return bool(org is not None and org.logo_sha256)


def logo_bytes(session: Session, org_id: int) -> tuple[bytes, str, str] | None:
    """(bytes, content type, sha256) of the organisation's logo, or None; one query."""
    row = session.execute(select(Organisation.logo, Organisation.logo_content_type, Organisation.logo_sha256)
                          .where(Organisation.id == org_id)).one_or_none()
    if row is None or not row[0] or not row[1]:
        return None
    return bytes(row[0]), row[1], row[2] or hashlib.sha256(row[0]).hexdigest()


def logo_data_uri(session: Session, org: Organisation) -> str | None:
    """The logo as ``data:<type>;base64,...`` for a PDF template, or None."""
    if not has_logo(org):
        return None
    found = logo_bytes(session, org.id)
    if found is None:
        return None
    data, content_type, _digest = found
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def logo_url(org: Organisation | None) -> str | None:
    """The public, cacheable URL of the logo (the hash in the query string changes with it)."""
    if not has_logo(org):
        return None
    from flask import url_for

    return url_for("org.logo", org=org.slug, v=org.logo_sha256[:12])

"""The organisation's logo: validated upload (PNG, JPEG, safe SVG; size limit), a public cacheable
URL, a data URI for PDFs, shown in the page header and on the parents' pages instead of the monogram."""
from __future__ import annotations

import base64
from io import BytesIO

import pytest
import segno

from core.branding import MAX_LOGO_BYTES, logo_data_uri, set_logo, validate_logo
from core.errors import DomainError
from core.models import Role
from tests.conftest import login


def _png() -> bytes:
    buffer = BytesIO()
    segno.make("logo").save(buffer, kind="png", scale=2)
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#c33"/></svg>'


def test_png_jpeg_and_a_plain_svg_are_accepted():
    assert validate_logo(_png()) == "image/png"
    assert validate_logo(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "image/jpeg"
    assert validate_logo(SVG) == "image/svg+xml"


@pytest.mark.parametrize("data,code", [
    (b"", "logo_empty"),
    (b"GIF89a....", "logo_type"),
    (b"%PDF-1.7", "logo_type"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * MAX_LOGO_BYTES, "logo_too_large"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo_unsafe_svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo_unsafe_svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://evil.example/a.png"/></svg>', "logo_unsafe_svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/x)"/></svg>', "logo_unsafe_svg"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "logo_unsafe_svg"),
    (b"<svg <broken", "logo_type"),
])
def test_bad_logos_are_refused(data, code):
    with pytest.raises(DomainError) as err:
        validate_logo(data)
    assert err.value.code == code and err.value.field == "logo"
    assert err.value.message  # a registered, readable message


def test_the_data_uri_for_pdfs(session, factory):
    org = factory.org()
    assert logo_data_uri(session, org) is None
    set_logo(org, SVG)
    session.commit()
    uri = logo_data_uri(session, org)
    assert uri == "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()


def test_upload_serve_and_show(app, client, session, factory):
    from core.db import session as db_session
    from core.models import Organisation
    from core.settings import set_setting

    org = factory.org(name="Kinderopvang Zonnebloem", modules={"wachtlijst"})
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    org_id = org.id
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    page = client.get(f"/o/{org.slug}/organisation/edit").get_data(as_text=True)
    assert "Logo opladen" in page and "org-logo-img" not in page
    bad = client.post(f"/o/{org.slug}/organisation/logo", data={"logo": (BytesIO(b"GIF89a"), "x.gif")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "PNG-, JPEG- of SVG" in bad.get_data(as_text=True)
    png = _png()
    ok = client.post(f"/o/{org.slug}/organisation/logo", data={"logo": (BytesIO(png), "logo.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 303
    org = db_session().get(Organisation, org_id)
    assert org.logo_content_type == "image/png" and org.logo_sha256
    header = client.get(f"/o/{org.slug}/organisation/edit").get_data(as_text=True)
    assert f"/o/{org.slug}/logo?v={org.logo_sha256[:12]}" in header  # in the page header and the form
    anonymous = app.test_client()
    served = anonymous.get(f"/o/{org.slug}/logo?v={org.logo_sha256[:12]}")
    assert served.status_code == 200 and served.data == png and served.mimetype == "image/png"
    assert "immutable" in served.headers["Cache-Control"] and "public" in served.headers["Cache-Control"]
    again = anonymous.get(f"/o/{org.slug}/logo", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    public = anonymous.get(f"/o/{org.slug}/wachtlijst/aanvraag")
    assert public.status_code == 200
    public = public.get_data(as_text=True)
    assert "org-logo-img" in public and 'class="org-logo"' not in public
    removed = client.post(f"/o/{org.slug}/organisation/logo", data={"remove": "1"})
    assert removed.status_code == 303
    assert anonymous.get(f"/o/{org.slug}/logo").status_code == 404
    assert 'class="org-logo"' in anonymous.get(f"/o/{org.slug}/wachtlijst/aanvraag").get_data(as_text=True)


def test_finance_may_not_change_the_logo(client, factory):
    org = factory.org()
    login(client, factory.user(org, Role.FINANCE))
    response = client.post(f"/o/{org.slug}/organisation/logo", data={"logo": (BytesIO(SVG), "l.svg")},
                           content_type="multipart/form-data")
    assert response.status_code == 403


def test_an_svg_is_served_without_running_anything(client, session, factory):
    org = factory.org()
    set_logo(org, SVG)
    session.commit()
    served = client.get(f"/o/{org.slug}/logo")
    assert served.mimetype == "image/svg+xml"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"

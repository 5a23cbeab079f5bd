"""/favicon.ico answers with an icon for anyone (older Safari and non-HTML answers ask for it
whatever the page links), and every layout links it next to the SVG."""
from __future__ import annotations

import struct


def test_favicon_ico_is_served_without_login(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    reserved, kind, count = struct.unpack("<HHH", icon.data[:6])
    assert (reserved, kind) == (0, 1) and count >= 2  # an ICO with several sizes
    sizes = {(icon.data[6 + 16 * i] or 256) for i in range(count)}
    assert {16, 32} <= sizes
    assert "max-age" in icon.headers.get("Cache-Control", "")


def test_layouts_link_the_ico_and_the_svg(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/favicon.ico"' in page and "favicon.svg" in page

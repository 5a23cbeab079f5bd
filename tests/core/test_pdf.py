"""core/pdf.py: safe fetching, plain-data context, batch mode with per-document splitting."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from core import pdf
from core.pdf import BASE_URL, PdfContextError, check_plain, fetch_allowed, render_batch, render_pdf

TEMPLATES = {
    "t/one.html": '{% extends "core/pdf_base.html" %}{% block body %}<h1>{{ title }}</h1>'
                  "{% for n in names %}<p>{{ n }}</p>{% endfor %}{% endblock %}",
    "t/evil.html": '{% extends "core/pdf_base.html" %}{% block body %}<h1>Veilig</h1>'
                   '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
                   '<link rel="stylesheet" href="https://evil.example/x.css">{% endblock %}',
    "t/batch.html": '{% extends "core/pdf_base.html" %}{% from "core/pdf_base.html" import pdf_document %}'
                    "{% block body %}{% for d in documents %}{% call pdf_document(loop.index0) %}"
                    "<h1>{{ d.name }}</h1>{% for _ in range(d.lines) %}<p>regel {{ loop.index }}</p>{% endfor %}"
                    "{% endcall %}{% endfor %}{% endblock %}",
}


@pytest.fixture
def templates(app):
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_env.loader])
    return app


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_render_pdf_gives_real_pdf_with_the_text(templates):
    with templates.test_request_context():
        data = render_pdf("t/one.html", {"title": "Dagplanning", "names": ["Lotte Peeters", "Noah Janssens"]})
    assert data.startswith(b"%PDF")
    text = text_of(data)
    assert "Dagplanning" in text and "Lotte Peeters" in text and "Noah Janssens" in text


def test_file_and_remote_urls_are_refused(templates, monkeypatch):
    seen = []
    real = pdf.fetch_allowed

    def spy(url):
        seen.append(url)
        return real(url)

    monkeypatch.setattr(pdf, "fetch_allowed", spy)
    with templates.test_request_context():
        data = render_pdf("t/evil.html", {})
    assert data.startswith(b"%PDF") and "Veilig" in text_of(data)
    assert any(u.startswith("file:") for u in seen) and any("evil.example" in u for u in seen)
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://evil.example/x.css",
                BASE_URL + "static/../../etc/passwd", BASE_URL + "other/koepel.css", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetch_allowed(url)


def test_own_static_css_is_served_from_disk(app):
    with app.test_request_context():
        resolved, body, mime = fetch_allowed(BASE_URL + "static/core/koepel.css")
    assert mime == "text/css" and b"--accent" in body
    _, body, mime = fetch_allowed("data:text/plain,hallo")
    assert body == b"hallo"


def test_context_must_be_plain_data(app, factory, templates):
    org = factory.org()

    @dataclass(frozen=True)
    class Row:
        name: str

    check_plain({"rows": [Row("a")], "n": 1, "nested": {"x": (1, 2)}})
    with pytest.raises(PdfContextError, match="ORM object"):
        check_plain({"org": org})
    with pytest.raises(PdfContextError, match="ORM object"):
        check_plain({"rows": [{"org": org}]})
    with pytest.raises(PdfContextError):
        check_plain({"thing": object()})
    with templates.test_request_context(), pytest.raises(PdfContextError):
        render_pdf("t/one.html", {"title": org, "names": []})


def test_batch_splits_per_document(templates):
    docs = [{"name": "Eerste", "lines": 1}, {"name": "Tweede", "lines": 120}, {"name": "Derde", "lines": 2}]
    with templates.test_request_context():
        batch = render_batch("t/batch.html", docs)
    assert len(batch.parts) == 3
    combined = PdfReader(io.BytesIO(batch.combined))
    assert len(combined.pages) == sum(b - a for a, b in batch.page_ranges)
    assert batch.page_ranges[1][1] - batch.page_ranges[1][0] >= 2  # the long one spans pages
    for part, doc, (a, b) in zip(batch.parts, docs, batch.page_ranges, strict=True):
        reader = PdfReader(io.BytesIO(part))
        assert len(reader.pages) == b - a
        text = text_of(part)
        assert doc["name"] in text
        assert all(other["name"] not in text for other in docs if other is not doc)


def test_batch_without_anchors_fails_loudly(templates):
    with templates.test_request_context(), pytest.raises(ValueError, match="pdfdoc"):
        render_batch("t/one.html", [{"x": 1}], title="x", names=[])


def test_pdf_response_sanitises_the_filename(app):
    response = pdf.pdf_response(b"%PDF-1.7", 'dag"planning 2026/11.pdf', inline=False)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="dag-planning-2026-11.pdf"'

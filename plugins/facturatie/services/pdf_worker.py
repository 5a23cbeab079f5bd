"""What a PDF worker process does: lay out one batch document with WeasyPrint and cut it into
one PDF per invoice with pikepdf. Plain in, bytes out (no database, no app: the HTML holds only
inline styles and ``data:`` images, which the safe fetcher of core/pdf.py serves without an app),
so it runs in a spawned process as well as in the caller's."""
from __future__ import annotations

from io import BytesIO


def layout(html: str, count: int) -> list[bytes]:
    """The ``count`` documents of a batch (anchors ``pdfdoc-0`` ...), one PDF each, in order."""
    from core.pdf import html_to_pdf

    document = html_to_pdf(html)
    starts: dict[int, int] = {}
    for page_no, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("pdfdoc-"):
                starts.setdefault(int(anchor.removeprefix("pdfdoc-")), page_no)
    missing = [i for i in range(count) if i not in starts]
    if missing:
        raise ValueError(f"batch lacks the anchors of documents {missing}")
    bounds = [starts[i] for i in range(count)] + [len(document.pages)]
    return split(document.write_pdf(), [(bounds[i], bounds[i + 1]) for i in range(count)])


def split(data: bytes, ranges: list[tuple[int, int]]) -> list[bytes]:
    """One PDF per page range of ``data`` (pikepdf copies only what those pages use)."""
    import pikepdf

    parts = []
    with pikepdf.open(BytesIO(data)) as source:
        for first, end in ranges:
            out = pikepdf.new()
            out.pages.extend(source.pages[first:end])
            buffer = BytesIO()
            out.save(buffer, compress_streams=True)
            parts.append(buffer.getvalue())
    return parts


def combine(parts: list[bytes]) -> bytes:
    """Several PDFs as one (the print run of families without e-mail)."""
    import pikepdf

    out = pikepdf.new()
    opened = []
    try:
        for data in parts:
            pdf = pikepdf.open(BytesIO(data))
            opened.append(pdf)
            out.pages.extend(pdf.pages)
        buffer = BytesIO()
        out.save(buffer, compress_streams=True)
        return buffer.getvalue()
    finally:
        for pdf in opened:
            pdf.close()


def own_session() -> None:
    """Initializer of a worker process: a session of its own. Linux shares the CPU fairly between
    sessions (autogroup), not between processes: two workers left in the caller's session would
    share one session's slice on a busy machine and render no faster than one."""
    import os

    try:
        os.setsid()
    except OSError:  # already a session leader, or not permitted: keep the caller's
        pass

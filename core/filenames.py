"""File names of downloads: the names in them stay readable ('Zoë Öztürk' -> 'Zoe-Ozturk'), not
dropped or turned into dashes, and nothing but ASCII letters, digits, '-', '_' and '.' remains
(safe in every browser and file system). Transliteration by ``text-unidecode``."""
from __future__ import annotations

import re

from text_unidecode import unidecode


def safe_filename(name: str, default: str = "download") -> str:
    text = unidecode(name or "")
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    return text or default


def attachment(name: str, *, inline: bool = False) -> str:
    """A Content-Disposition header value with the safe file name."""
    return f'{"inline" if inline else "attachment"}; filename="{safe_filename(name)}"'

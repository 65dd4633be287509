"""Text helpers shared by the open-data readers: decoding, folding, French numbers.

The public files mix encodings (the drug database was published in ISO-8859-1 for years,
then in UTF-8), write numbers the French way (``1 000 000``, ``0,5``, ``1.234,56``) and
spell the same substance with or without accents; these helpers put all of that in one
place so that every reader decodes and compares text alike.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import Path

__all__ = [
    "CHUNK",
    "LATIN1_FALLBACK",
    "decode",
    "fold",
    "french_number",
    "sha256_and_utf8",
    "transcode_to_utf8",
]

CHUNK = 4 * 1024 * 1024
_SPACES = re.compile(r"\s+")
# 1 000 000 / 1 000,5 / 0,5 / 1000.00 / 1.234,56 — spaces (also no-break) group thousands.
_NUMBER = re.compile(r"^[+-]?\d+(?:[\s\u00a0\u202f]\d{3})+(?:,\d+)?$|^[+-]?\d+(?:[,.]\d+)?$")
_DOTTED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with: UTF-8 (a byte-order mark is
    dropped) when it is valid UTF-8, else Windows-1252, a superset of ISO-8859-1 (the bytes
    it leaves undefined read as ISO-8859-1). French files of the 2010s are one of those
    two; recent ones UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252", errors=LATIN1_FALLBACK), "windows-1252"


# Bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are read as Latin-1,
# so that no file is refused for them.
LATIN1_FALLBACK = "cratb-opendata-latin1"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(LATIN1_FALLBACK, _latin1_fallback)


def transcode_to_utf8(source: Path, target: Path) -> None:
    """Copy a Windows-1252 file (what French « Latin-1 » exports are: ’ is 0x92) as
    UTF-8, in chunks (one byte is one character, so chunks cut anywhere)."""
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk.decode("cp1252", errors=LATIN1_FALLBACK).encode("utf-8"))


def sha256_and_utf8(path: Path) -> tuple[str, bool]:
    """The sha256 of the file and whether it is valid UTF-8, in one streaming pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), utf8


def fold(text: str) -> str:
    """Upper case, no accents, ligatures split, single spaces: « Céfuroxime  axétil »
    and « CEFUROXIME AXETIL » fold alike."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip().upper()


def french_number(text: str) -> float | None:
    """A number written the French way, or None: ``1 000 000`` (spaces, also no-break,
    group thousands), ``0,5`` and ``0.5``, ``1.234,56`` (dots group thousands when a comma
    is the decimal mark). ``1.234`` alone is read as 1.234, not 1234: only a comma after
    dotted groups makes the dots thousands separators."""
    s = text.strip()
    if not s:
        return None
    if _DOTTED_THOUSANDS.match(s) and "," in s:
        return float(s.replace(".", "").replace(",", "."))
    if not _NUMBER.match(s):
        return None
    return float(re.sub(r"[\s\u00a0\u202f]", "", s).replace(",", "."))

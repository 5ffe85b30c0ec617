"""Reading bytes as text: BOMs, UTF-8, UTF-16, and a charset-detection fallback for legacy files."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ..errors import ParseError

# Signatures of common binary formats people upload by mistake.
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"PK\x03\x04": "a ZIP archive (or docx/xlsx)",
    b"%PDF": "a PDF document",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
}


def decode_bytes(data: bytes, source: str) -> str:
    """Decode an uploaded file, or raise ParseError saying why it is not text."""
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ParseError(source, f"this is {what}, not a text thread file")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", source)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, "utf-16", source)
    if _looks_like_bomless_utf16(data):
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return _strict(data, codec, source)
    if b"\x00" in data:
        raise ParseError(source, "the file contains NUL bytes: it looks binary, not like text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise ParseError(source, "the file is not valid text in any encoding that could be detected")
    text = str(best)
    if _prefer_western(best, matches):
        text = data.decode("cp1252")
    if _control_ratio(text) > 0.05:
        raise ParseError(source, "the file looks binary, not like text")
    return text


# Central European single-byte code pages, and the languages that use them.
_CENTRAL_EUROPEAN_CODECS = {"cp1250", "iso8859_2", "mac_latin2", "cp852", "cp1257", "iso8859_13", "cp775",
                            "iso8859_10", "iso8859_4", "iso8859_16"}
_CENTRAL_EUROPEAN_LANGUAGES = {"Czech", "Slovak", "Polish", "Hungarian", "Slovene", "Croatian", "Romanian",
                               "Lithuanian", "Latvian", "Estonian", "Serbian", "Bosnian"}


def _prefer_western(best, matches) -> bool:
    """Short Western European text in Windows-1252 often reads as cp1250 to the detector ("crème"
    became "crčme"): take cp1252 when it also fits and the text is not in a Central European language."""
    if best.encoding not in _CENTRAL_EUROPEAN_CODECS or best.language in _CENTRAL_EUROPEAN_LANGUAGES:
        return False
    return any(match.encoding == "cp1252" for match in matches)


def _strict(data: bytes, codec: str, source: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ParseError(source, f"invalid {codec} text at byte {exc.start}") from exc
    return text.lstrip("\ufeff")


def _looks_like_bomless_utf16(data: bytes) -> bool:
    sample = data[:400]
    if len(sample) < 4:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.05 * half


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / min(len(text), 10000)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

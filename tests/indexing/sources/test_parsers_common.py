"""What every format shares: dispatch by extension, size limit, encodings, binary and empty files."""

from __future__ import annotations

import codecs

import pytest

from indexing.errors import InputTooLargeError, ParseError
from indexing.sources import find_thread_files, parse_bytes, parse_file, safe_file_name

ARTICLE = ("Café owners protest\n\n"
           "The café owners of the old town protested on Monday against the new rents.\n")


@pytest.mark.parametrize("name", ["x.txt", "x.json", "x.jsonl", "x.html", "x.md"])
def test_empty_file_in_every_format(name):
    with pytest.raises(ParseError, match=f"^{name}: the file is empty"):
        parse_bytes(b"", name)


@pytest.mark.parametrize("name", ["x.txt", "x.json", "x.md"])
def test_whitespace_only(name):
    with pytest.raises(ParseError, match=f"^{name}: "):
        parse_bytes(b" \n\t\r\n  ", name)


@pytest.mark.parametrize("magic, what", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
    (b"PK\x03\x04" + bytes(200), "ZIP"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
])
def test_binary_renamed_to_txt(magic, what):
    with pytest.raises(ParseError, match=f"x.txt: this is a {what}"):
        parse_bytes(magic, "x.txt")


def test_random_binary_with_nul_bytes():
    with pytest.raises(ParseError, match="x.json: .*(NUL|binary)"):
        parse_bytes(bytes(range(256)) * 8, "x.json")


def test_unsupported_extension():
    with pytest.raises(ParseError, match=r"x.docx: unsupported file type \.docx"):
        parse_bytes(b"hello", "x.docx")
    with pytest.raises(ParseError, match=r"unsupported file type \(none\)"):
        parse_bytes(b"hello", "README")


def test_size_limit_in_bytes_and_on_disk(tmp_path):
    with pytest.raises(InputTooLargeError, match="big.txt: the file is 0.0 MB, over the 0.0 MB limit"):
        parse_bytes(b"x" * 11, "big.txt", max_bytes=10)
    path = tmp_path / "big.txt"
    path.write_bytes(b"Title\n\n" + b"word " * 100)
    with pytest.raises(InputTooLargeError, match="^big.txt: "):
        parse_file(path, max_bytes=100)


def test_missing_file_is_a_parse_error(tmp_path):
    with pytest.raises(ParseError, match="nope.txt: cannot read the file"):
        parse_file(tmp_path / "nope.txt")


@pytest.mark.parametrize("encoded", [
    ARTICLE.encode("utf-8"),
    codecs.BOM_UTF8 + ARTICLE.encode("utf-8"),
    ARTICLE.encode("utf-16"),  # with BOM
    codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"),
    ARTICLE.encode("utf-16-le"),  # without BOM
    ARTICLE.encode("utf-16-be"),
])
def test_unicode_encodings(encoded):
    [t] = parse_bytes(encoded, "cafe.txt")
    assert t.title == "Café owners protest"
    assert t.paragraphs == ("The café owners of the old town protested on Monday against the new rents.",)


def test_legacy_8bit_text_is_decoded():
    text = ("Café owners protest against rents\n\n"
            "The owners of cafés in the old town protested on Monday. “We cannot pay these rents”, said "
            "the spokesman of the association, adding that the crème brûlée would cost €12 soon.\n")
    [t] = parse_bytes(text.encode("cp1252"), "legacy.txt")
    assert t.title == "Café owners protest against rents"
    assert "“We cannot pay these rents”" in t.paragraphs[0]
    assert "crème brûlée" in t.paragraphs[0]


@pytest.mark.parametrize("text", ["The crème brûlée was great, said Zoë.",
                                  "Café owners said the naïve plan would fail.\nReader comment: I agree — totally."])
def test_short_windows_1252_text_is_not_read_as_central_european(text):
    [t] = parse_bytes(text.encode("cp1252"), "short.txt")
    assert text.splitlines()[0] in (t.title, *t.paragraphs)


def test_central_european_text_keeps_its_code_page():
    text = "Zażółć gęślą jaźń, powiedział premier w środę.\n\nPříliš žluťoučký kůň úpěl ďábelské ódy."
    [t] = parse_bytes(text.encode("cp1250"), "polish.txt")
    assert "Zażółć gęślą jaźń" in t.title


def test_mixed_line_endings():
    [t] = parse_bytes(b"Title\r\n\r\nOne.\rStill one.\n\r\nTwo.\r\n", "mixed.txt")
    assert t.title == "Title"
    assert t.paragraphs == ("One. Still one.", "Two.")


def test_truncated_utf8_falls_back_to_text_or_typed_error():
    data = "Title\n\nNaïve café".encode() [:-1]
    try:
        [t] = parse_bytes(data, "cut.txt")
    except ParseError as exc:
        assert str(exc).startswith("cut.txt: ")
    else:
        assert t.title == "Title"


@pytest.mark.parametrize("raw, shown", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("a\\b\\c.json", "c.json"),
    ("evil\x00\x1b[31m.txt", "evil??[31m.txt"),
    ("..", "upload"),
    ("", "upload"),
])
def test_display_name_is_safe(raw, shown):
    assert safe_file_name(raw) == shown


def test_display_name_shortens_long_names_keeping_the_extension():
    name = safe_file_name("a" * 300 + ".json")
    assert len(name) <= 120 and name.endswith(".json")


def test_find_thread_files_expands_directories(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "sub/b.JSON", "c.pdf", "sub/d.md"):
        (tmp_path / name).write_text("x")
    found = find_thread_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "sub/b.JSON", "sub/d.md"]


def test_parse_error_message_is_always_one_line():
    exc = ParseError("x.html", "lxml says:\n  bad tag\r\n at line 3")
    assert str(exc) == "x.html: lxml says: bad tag at line 3" and exc.reason == "lxml says: bad tag at line 3"

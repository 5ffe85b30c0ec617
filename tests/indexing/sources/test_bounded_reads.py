"""The size limit holds for whatever a path names: devices, pipes and files that grow, not only
what `st_size` says."""

from __future__ import annotations

import json
import os
import threading

import pytest

from indexing.errors import InputTooLargeError, ParseError
from indexing.sources import parse_file

LIMIT = 100_000


def test_a_device_is_refused_without_reading_it():
    for device in ("/dev/zero", "/dev/urandom"):
        with pytest.raises(ParseError, match="not a regular file"):
            parse_file(device, LIMIT)


def open_fifo(path: str) -> tuple[int, int]:
    """A named pipe with a reader that never reads (so the writer can open it at once and the data
    stays in the pipe) and a writer: the reader under test then sees the writer from the start."""
    os.mkfifo(path)
    idle_reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    return idle_reader, os.open(path, os.O_WRONLY)


def test_a_pipe_is_read_no_further_than_the_limit(tmp_path):
    fifo = str(tmp_path / "endless.json")
    idle_reader, writer = open_fifo(fifo)
    written = [0]

    def write_forever() -> None:
        chunk = b"x" * 65536
        try:
            while written[0] < 200 * LIMIT:
                written[0] += os.write(writer, chunk)
        except BrokenPipeError:  # every reader is gone: what this test wants
            pass
        finally:
            os.close(writer)

    thread = threading.Thread(target=write_forever, daemon=True)
    thread.start()
    with pytest.raises(InputTooLargeError, match="limit"):
        parse_file(fifo, LIMIT)
    os.close(idle_reader)
    thread.join()
    # The reader stopped at the limit (plus what the pipe's buffer held), not at the writer's end.
    assert written[0] < 20 * LIMIT


def test_a_small_pipe_still_reads(tmp_path):
    fifo = str(tmp_path / "small.json")
    idle_reader, writer = open_fifo(fifo)
    body = {"title": "Piped", "paragraphs": ["A thread through a pipe."], "comments": []}
    os.write(writer, json.dumps(body).encode())
    os.close(writer)
    try:
        assert [t.title for t in parse_file(fifo, LIMIT)] == ["Piped"]
    finally:
        os.close(idle_reader)


def test_index_dev_zero_is_one_clear_line(run):
    code, out, err = run("index", "/dev/zero")
    assert code != 0 and "not a regular file" in err and "Traceback" not in err

"""The exported model's cache key (remembered by file size and time) and the bulk workers' priority."""

from __future__ import annotations

import json
import os

from indexing.embed.export import cached_model_path, model_key, remembered_model_key


def _model(tmp_path, weights: bytes):
    model = tmp_path / "model"
    model.mkdir(exist_ok=True)
    (model / "config.json").write_text('{"hidden_size": 4}')
    (model / "model.safetensors").write_bytes(weights)
    return model


def test_the_key_is_the_content_hash_and_is_remembered(tmp_path):
    model, cache = _model(tmp_path, b"weights-1"), tmp_path / "cache"
    assert remembered_model_key(model, cache) == model_key(model)
    record = cache / "onnx" / "keys.json"
    known = json.loads(record.read_text())
    # What is remembered is answered without hashing: a planted key comes back as long as no file changed.
    known[str(model.resolve())]["key"] = "planted"
    record.write_text(json.dumps(known))
    assert remembered_model_key(model, cache) == "planted"
    assert cached_model_path(model, cache) == cache / "onnx" / "planted" / "model-int8.onnx"


def test_a_changed_weights_file_is_hashed_again(tmp_path):
    model, cache = _model(tmp_path, b"weights-1"), tmp_path / "cache"
    first = remembered_model_key(model, cache)
    weights = model / "model.safetensors"
    stat = weights.stat()
    weights.write_bytes(b"weights-2")  # same size: the modification time tells
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert remembered_model_key(model, cache) == model_key(model) != first


def test_a_new_export_recipe_is_hashed_again(tmp_path, monkeypatch):
    """A remembered key belongs to the recipe it was made for: bumping RECIPE must lead to a new export,
    not to the file the old recipe cached (the files' sizes and times alone did not change)."""
    from indexing.embed import export

    model, cache = _model(tmp_path, b"weights-1"), tmp_path / "cache"
    first = remembered_model_key(model, cache)
    monkeypatch.setattr(export, "RECIPE", export.RECIPE + "-next")
    assert remembered_model_key(model, cache) == model_key(model) != first


def test_a_damaged_or_read_only_record_only_costs_the_hash(tmp_path):
    model, cache = _model(tmp_path, b"weights-1"), tmp_path / "cache"
    (cache / "onnx").mkdir(parents=True)
    (cache / "onnx" / "keys.json").write_text("{not json")
    assert remembered_model_key(model, cache) == model_key(model)
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert remembered_model_key(model, blocked) == model_key(model)


def test_bulk_workers_yield_the_cpu_to_the_event_loop():
    """The bulk embedding threads run at a lower priority than the rest of the process (Linux)."""
    import threading

    from indexing.embed.onnx_runtime import BULK_NICENESS, _yield_to_others

    seen: list[int] = []

    def worker() -> None:
        _yield_to_others()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [min(19, os.nice(0) + BULK_NICENESS)]
    assert os.nice(0) < seen[0]  # the calling thread keeps its priority


def test_a_broken_model_file_is_a_clear_error_at_first_use(tmp_path):
    """The session loads in the background; its failure is the EmbedderError of the first embedding."""
    import shutil

    import pytest

    from indexing.embed.base import default_model_path
    from indexing.embed.onnx_runtime import OnnxEmbedder, onnx_available
    from indexing.errors import EmbedderError

    if not onnx_available():
        pytest.skip("onnxruntime/tokenizers not installed")
    model, cache = tmp_path / "model", tmp_path / "cache"
    model.mkdir()
    for name in ("tokenizer.json", "config.json", "sentence_bert_config.json"):
        shutil.copy(os.path.join(default_model_path(), name), model / name)
    broken = cached_model_path(model, cache)
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not an onnx model")
    with pytest.raises(EmbedderError, match="cannot load the ONNX model"):
        OnnxEmbedder(str(model), cache_dir=cache).embed(["a question"])


def test_a_process_that_ends_while_the_session_loads_exits_cleanly():
    """The session loads in a background thread. As a daemon thread it was still inside onnxruntime
    when a quick command (`threadbot summary` of a cached digest) ended, and the process aborted
    with "terminate called without an active exception" (exit -6) instead of exiting 0."""
    import subprocess
    import sys

    import pytest

    from indexing.embed.onnx_runtime import onnx_available

    if not onnx_available():
        pytest.skip("onnxruntime/tokenizers not installed")
    script = ("from indexing.embed.onnx_runtime import OnnxEmbedder\n"
              "embedder = OnnxEmbedder()\n"
              "print('made', embedder.dim)\n")
    for _ in range(3):  # the session takes about 0.1 s to load: the script ends long before that
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
        assert done.returncode == 0, done.stderr[-500:]
        assert done.stdout.strip() == "made 384"

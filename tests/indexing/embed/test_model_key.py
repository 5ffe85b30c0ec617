"""The exported model's cache key: remembered by file size and time, recomputed when a file changes."""

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


def test_a_damaged_or_read_only_record_only_costs_the_hash(tmp_path):
    model, cache = _model(tmp_path, b"weights-1"), tmp_path / "cache"
    (cache / "onnx").mkdir(parents=True)
    (cache / "onnx" / "keys.json").write_text("{not json")
    assert remembered_model_key(model, cache) == model_key(model)
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert remembered_model_key(model, blocked) == model_key(model)

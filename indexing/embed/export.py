"""Export a sentence-transformers BERT model to ONNX, quantised to int8 per channel, and cache it.

Run as `python -m indexing.embed.export [--model DIR] [--cache DIR]` (`make setup` does it once). This module
imports torch; the serving side (onnx_runtime.py) never imports it and starts this module
in a subprocess when the cached file is missing, because torch and onnxruntime loaded in the same
process made single-query latency 2-3x worse here.

Why per-channel int8: measured on 60-word passages, per-channel dynamic int8 ran about 2x the
torch backend at cosine 0.99 to it; per-tensor int8 dropped to cosine 0.95.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

# Bump when the export recipe changes, so stale cached files are not reused.
RECIPE = "bert-eager-meanpool-norm-int8-perchannel-v2"
MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json",
               "1_Pooling/config.json", "sentence_bert_config.json")


def model_key(model_dir: str | Path) -> str:
    """Hash of the model's weights and tokenizer plus the recipe: a new model means a new export."""
    digest = hashlib.sha256(RECIPE.encode())
    model_dir = Path(model_dir)
    for name in MODEL_FILES:
        path = model_dir / name
        if not path.is_file():
            continue
        digest.update(name.encode())
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:24]


def cached_model_path(model_dir: str | Path, cache_dir: Path) -> Path:
    return cache_dir / "onnx" / remembered_model_key(model_dir, cache_dir) / "model-int8.onnx"


def remembered_model_key(model_dir: str | Path, cache_dir: Path) -> str:
    """model_key, recomputed only when a model file's size or modification time changed: hashing the
    90 MB of weights took 0.1-0.2 s of every process start (a CLI question takes about half a second)."""
    # The recipe is part of the stamp: a new recipe must not reuse the key remembered for the old one.
    stamp = json.dumps([RECIPE, [[name, st.st_size, st.st_mtime_ns] for name in MODEL_FILES
                                 if (st := _stat(Path(model_dir) / name)) is not None]])
    record = cache_dir / "onnx" / "keys.json"
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    entry = known.get(str(Path(model_dir).resolve())) if isinstance(known, dict) else None
    if isinstance(entry, dict) and entry.get("stamp") == stamp and isinstance(entry.get("key"), str):
        return entry["key"]
    key = model_key(model_dir)
    known = known if isinstance(known, dict) else {}
    known[str(Path(model_dir).resolve())] = {"stamp": stamp, "key": key}
    try:  # a read-only cache only costs the hash next time
        record.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=record.parent, suffix=".tmp", delete=False, encoding="utf-8") as f:
            json.dump(known, f)
        os.replace(f.name, record)
    except OSError:
        pass
    return key


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat() if path.is_file() else None
    except OSError:
        return None


def export(model_dir: str | Path, out_path: str | Path, max_tokens: int = 256) -> Path:
    """Trace the BERT module with mean pooling and L2 normalisation, then quantise its weights."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Eager attention traces to plain MatMul/Softmax; the default SDPA path adds mask-building ops
    # that made the int8 graph about 10% slower here.
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class MeanPooled(torch.nn.Module):
        """What sentence-transformers computes for this model: mean over real tokens, then normalise."""

        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    sample = torch.ones((2, 16), dtype=torch.int64)
    with tempfile.TemporaryDirectory(dir=out_path.parent) as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        with torch.no_grad():
            torch.onnx.export(
                MeanPooled(bert), (sample, sample, torch.zeros_like(sample)), str(fp32), dynamo=False,
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
                dynamic_axes={name: {0: "batch", 1: "tokens"}
                              for name in ("input_ids", "attention_mask", "token_type_ids")}
                | {"embedding": {0: "batch"}},
                opset_version=17, do_constant_folding=True)
        int8 = Path(tmp) / "model-int8.onnx"
        quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
        os.replace(int8, out_path)  # atomic: a concurrent reader sees the old file or the whole new one
    return out_path


def ensure_exported(model_dir: str | Path, cache_dir: Path) -> Path:
    path = cached_model_path(model_dir, cache_dir)
    if not path.is_file():
        export(model_dir, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the embedding model to int8 ONNX in the cache.")
    parser.add_argument("--model", help="sentence-transformers model directory (default: the configured one)")
    parser.add_argument("--cache", help="cache folder (default: [index] cache_dir of the config)")
    parser.add_argument("--config", help="config file (default: ./config.toml or $THREADBOT_CONFIG)")
    args = parser.parse_args(argv)
    from ..config import load_config
    from .base import default_model_path

    if args.model and args.cache:  # the serving process passes both: no config to read
        model_dir, cache_dir = args.model, Path(args.cache)
    else:
        index = load_config(args.config).index
        model_dir = args.model or index.model_path or default_model_path()
        cache_dir = Path(args.cache) if args.cache else index.cache_dir
    print(ensure_exported(model_dir, cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())

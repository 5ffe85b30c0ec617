"""What readers talk about: themes from comment embeddings, off-topic comments, who carried the thread.

Pure computation over comment vectors (already stored for search), run in a worker thread.
Large threads are clustered on a seeded sample and the rest assigned to the nearest centre,
so a 1,500-comment thread costs about as much as a 400-comment one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .clustering import assign, choose_clustering, normalise_rows, sample_rows
from .labels import class_tfidf_labels

SAMPLE_LIMIT = 400
# all-MiniLM-L6-v2 puts unrelated short texts around 0.0-0.15 cosine apart and paraphrases above
# 0.5; a comment this far from its theme's centre and from every part of the article joins no
# conversation in the thread.
OFF_TOPIC_THEME_SIM = 0.25
OFF_TOPIC_ARTICLE_SIM = 0.2
MIN_THEME_SHARE = 0.03


@dataclass
class ThemeGroup:
    members: list[int]          # comment indices, most central first
    centroid: np.ndarray
    terms: list[str] = field(default_factory=list)
    representatives: list[int] = field(default_factory=list)


@dataclass
class DiscussionAnalysis:
    themes: list[ThemeGroup]                 # largest first
    off_topic: list[int]
    top_authors: list[tuple[str, int]]
    most_replied: list[tuple[int, int]]      # (comment index, direct replies)
    silhouette: float = 0.0


def comment_word_counts(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(t.split()) for t in texts], dtype=np.int64)


def analyse_discussion(texts: Sequence[str], authors: Sequence[str | None], ids: Sequence[str],
                       parents: Sequence[str | None], vectors: np.ndarray,
                       article_vectors: np.ndarray | None, max_themes: int = 8,
                       sample_limit: int = SAMPLE_LIMIT, seed: int = 0) -> DiscussionAnalysis:
    """Cluster the comments into themes, set off-topic ones aside, and count participation."""
    n = len(texts)
    vectors = normalise_rows(np.asarray(vectors, dtype=np.float32))
    if n == 0:
        return DiscussionAnalysis([], [], [], [])
    rows = sample_rows(n, sample_limit, seed)
    clustering = choose_clustering(vectors[rows], max_k=max_themes, seed=seed)
    centroids = clustering.centroids
    labels, theme_sim = assign(vectors, centroids)

    # Themes too small to be a conversation are dissolved into their neighbours (or off-topic).
    sizes = np.bincount(labels, minlength=len(centroids))
    keep = sizes >= max(2, int(np.ceil(MIN_THEME_SHARE * n)))
    if not keep.any():
        keep[:] = True
    if not keep.all():
        centroids = _recentre(vectors, labels, centroids[keep], np.flatnonzero(keep))
        labels, theme_sim = assign(vectors, centroids)

    theme_sim = _leave_one_out_similarity(vectors, labels, len(centroids))
    article_sim = (np.max(vectors @ article_vectors.T, axis=1) if article_vectors is not None
                   and len(article_vectors) else np.full(n, -1.0))
    off = (theme_sim < OFF_TOPIC_THEME_SIM) & (article_sim < OFF_TOPIC_ARTICLE_SIM)
    if off.all():  # nothing to compare against: a thread of unrelated one-liners is still its own theme
        off[:] = False

    words = comment_word_counts(texts)
    groups: list[ThemeGroup] = []
    for c in range(len(centroids)):
        members = np.flatnonzero((labels == c) & ~off)
        if members.size == 0:
            continue
        centroid = normalise_rows(vectors[members].mean(axis=0, keepdims=True))[0]
        closeness = vectors[members] @ centroid
        order = members[np.argsort(-_representative_score(closeness, words[members]), kind="stable")]
        groups.append(ThemeGroup(members=order.tolist(), centroid=centroid))
    groups.sort(key=lambda g: (-len(g.members), g.members[0]))
    for group, terms in zip(groups, class_tfidf_labels([[texts[i] for i in g.members] for g in groups]),
                            strict=True):
        group.terms = terms
        group.representatives = pick_representatives(group.members, authors)
    return DiscussionAnalysis(themes=groups, off_topic=np.flatnonzero(off).tolist(),
                              top_authors=top_authors(authors), most_replied=most_replied(ids, parents),
                              silhouette=clustering.silhouette)


def _leave_one_out_similarity(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Cosine of each row to the centre of the *other* members of its cluster.

    A comment's own vector pulls the centre towards it; without leaving it out, a stray comment
    that happened to be clustered with a small theme would look like it belongs there.
    """
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    for c in range(k):
        sums[c] = vectors[labels == c].sum(axis=0)
    others = sums[labels] - vectors
    norms = np.linalg.norm(others, axis=1)
    sims = np.einsum("ij,ij->i", vectors, others) / np.where(norms > 1e-9, norms, 1.0)
    return np.where(norms > 1e-9, sims, 0.0)


def _recentre(vectors, labels, kept_centroids, kept_ids) -> np.ndarray:
    """Centroids of the kept clusters recomputed from their own members."""
    out = []
    for centroid, cluster in zip(kept_centroids, kept_ids, strict=True):
        members = labels == cluster
        out.append(vectors[members].mean(axis=0) if members.any() else centroid)
    return normalise_rows(np.asarray(out, dtype=np.float32))


def _representative_score(closeness: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Central comments first; one-liners and essays are poor quotes, so they are damped."""
    factor = np.where(words < 8, 0.75, np.where(words > 150, 0.85, 1.0))
    return closeness * factor


def pick_representatives(members: Sequence[int], authors: Sequence[str | None], count: int = 2) -> list[int]:
    """The most central comments, by different authors when the theme has more than one."""
    chosen: list[int] = []
    seen: set[str] = set()
    for i in members:
        author = authors[i]
        if author is not None and author in seen:
            continue
        chosen.append(i)
        if author is not None:
            seen.add(author)
        if len(chosen) == count:
            return chosen
    for i in members:  # one voice only: fall back to its next most central comment
        if i not in chosen:
            chosen.append(i)
            if len(chosen) == count:
                break
    return chosen


def top_authors(authors: Sequence[str | None], limit: int = 5) -> list[tuple[str, int]]:
    counts = Counter(a for a in authors if a)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:limit]


def top_scored(scores: Sequence[float | None], limit: int = 3) -> list[tuple[int, float]]:
    """The most upvoted comments (index, score), best first; none when the format has no scores."""
    scored = [(i, float(s)) for i, s in enumerate(scores) if s is not None]
    if len({s for _, s in scored}) < 2:  # no scores, or all alike: nothing stands out
        return []
    return sorted(scored, key=lambda kv: (-kv[1], kv[0]))[:limit]


def most_replied(ids: Sequence[str], parents: Sequence[str | None], limit: int = 3) -> list[tuple[int, int]]:
    position = {cid: i for i, cid in enumerate(ids)}
    counts = Counter(position[p] for p in parents if p is not None and p in position)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

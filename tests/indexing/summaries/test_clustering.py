"""Theme maths: k-means, silhouette, choosing k, c-TF-IDF labels, representatives (pure functions)."""

from __future__ import annotations

import numpy as np

from indexing.summaries.clustering import assign, choose_clustering, kmeans, normalise_rows, sample_rows, silhouette
from indexing.summaries.labels import class_tfidf_labels
from indexing.summaries.themes import most_replied, pick_representatives, top_authors


def blobs(sizes: list[int], dim: int = 32, spread: float = 0.15,
          seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = normalise_rows(rng.normal(size=(len(sizes), dim)))
    rows, truth = [], []
    for label, (centre, size) in enumerate(zip(centres, sizes, strict=True)):
        rows.append(centre + spread * rng.normal(size=(size, dim)))
        truth += [label] * size
    return normalise_rows(np.vstack(rows).astype(np.float32)), np.array(truth)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to renaming the clusters."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_choose_clustering_finds_the_number_of_planted_topics():
    vectors, truth = blobs([20, 15, 12])
    result = choose_clustering(vectors, max_k=8)
    assert int(result.labels.max()) + 1 == 3
    assert same_partition(result.labels, truth)
    assert result.silhouette > 0.3
    assert np.allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-5)


def test_one_cluster_when_there_is_no_structure():
    rng = np.random.default_rng(3)
    centre = normalise_rows(rng.normal(size=(1, 32)))
    vectors = normalise_rows((centre + 0.01 * rng.normal(size=(30, 32))).astype(np.float32))
    # Noise around a single point: any split is arbitrary, so the silhouette floor keeps one theme.
    result = choose_clustering(vectors, max_k=6, min_silhouette=0.5)
    assert int(result.labels.max()) == 0


def test_kmeans_is_deterministic_for_a_seed():
    vectors, _ = blobs([10, 10, 10])
    a, b = kmeans(vectors, 3, seed=7), kmeans(vectors, 3, seed=7)
    assert np.array_equal(a.labels, b.labels)


def test_silhouette_is_high_for_separated_and_low_for_shuffled_labels():
    vectors, truth = blobs([15, 15])
    shuffled = np.random.default_rng(0).permutation(truth)
    assert silhouette(vectors, truth) > 0.5
    assert silhouette(vectors, shuffled) < 0.05


def test_assign_sends_rows_to_the_nearest_centroid():
    centroids = np.eye(3, dtype=np.float32)
    rows = normalise_rows(np.array([[0.9, 0.1, 0], [0, 0.2, 1.0]], dtype=np.float32))
    labels, sims = assign(rows, centroids)
    assert labels.tolist() == [0, 2]
    assert sims[0] > 0.9


def test_sample_rows_keeps_all_small_inputs_and_samples_large_ones_in_order():
    assert sample_rows(10, 50).tolist() == list(range(10))
    rows = sample_rows(1000, 100, seed=2)
    assert len(rows) == 100 and np.all(np.diff(rows) > 0)
    assert np.array_equal(rows, sample_rows(1000, 100, seed=2))


def test_class_tfidf_labels_name_what_sets_each_group_apart():
    groups = [
        ["Safe zones in Syria would shelter civilians.", "Safe zones in Syria help ISIS hide.",
         "Who guards the safe zones in Syria?"],
        ["Food stamps need work requirements.", "Work requirements for food stamps are fair.",
         "Food stamps feed children."],
    ]
    labels = class_tfidf_labels(groups, top_n=2)
    assert "safe zones" in labels[0] or "syria" in labels[0]
    assert "food stamps" in labels[1] or "work requirements" in labels[1]
    assert not set(labels[0]) & set(labels[1])


def test_representatives_prefer_different_authors():
    # comments 4 and 2 are both by "a": the second voice is comment 7 by "b"
    assert pick_representatives([4, 2, 7], ["a", "b", "a", "c", "a", "d", "e", "b"]) == [4, 7]
    assert pick_representatives([0, 1], ["a", "a"]) == [0, 1]


def test_activity_counts():
    assert top_authors(["a", "b", "a", None, "c", "a", "b"], limit=2) == [("a", 3), ("b", 2)]
    assert most_replied(["c1", "c2", "c3", "c4"], [None, "c1", "c1", "c2"]) == [(0, 2), (1, 1)]


def test_theme_labels_never_come_from_links_or_addresses():
    groups = [
        ["Great tips, see https://www.example-blog.com/post/1 for more", "Great tips here: www.example-blog.com",
         "great tips, thanks http://example-blog.blogspot.com"],
        ["Docker on Windows at imvu.com is hard", "Docker images on Windows hosts", "imvu.com runs Docker too"],
    ]
    labels = class_tfidf_labels(groups)
    words = {w for label in labels for term in label for w in term.split()}
    assert not words & {"https", "http", "www", "com", "blogspot"}, labels
    assert "great tips" in labels[0] and "docker" in " ".join(labels[1])

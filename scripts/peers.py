#!/usr/bin/env python3
"""The peers `topics` is compared with for speed, timed on the 20 Newsgroups posts.

    scripts/peers.sh [DATA_DIR]        # makes the virtual environment, runs this, then topics
    peers.py ARCHIVE [SHAPES.jsonl]

Prints one JSON object: numpy's f32 matrix products at the shapes of SHAPES.jsonl (what
`TOPICS_GEMM_JSON=1 cargo bench --bench gemm` prints), best of 20; scikit-learn's
BernoulliRBM epoch at 2000 -> 500 on the 11,314 training posts (their word probabilities over the 2,000 most frequent words, float32), the
LSA pipeline a user would write (TfidfVectorizer + TruncatedSVD to 10: fit, transform, and
ranking the training posts for each test post), gensim's LSI at 10 topics, and which BLAS
kernel numpy ran (threadpoolctl).
"""

import json
import sys
import tarfile
import time


def posts(archive, prefix):
    texts = []
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and member.name.startswith(prefix):
                texts.append(tar.extractfile(member).read().decode("latin-1"))
    return texts


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def numpy_products(shapes_file, np):
    """numpy's f32 products at the shapes `benches/gemm.rs` printed, best of 20 after two."""
    rows = []
    generator = np.random.default_rng(7)
    for line in open(shapes_file):
        shape = json.loads(line)
        m, k, n, layout = shape["m"], shape["k"], shape["n"], shape["layout"]
        stored_a = (k, m) if layout == "at" else (m, k)
        stored_b = (n, k) if layout == "bt" else (k, n)
        a = generator.standard_normal(stored_a, dtype=np.float32)
        b = generator.standard_normal(stored_b, dtype=np.float32)
        a = a.T if layout == "at" else a
        b = b.T if layout == "bt" else b
        out = np.empty((m, n), dtype=np.float32)
        for _ in range(2):
            np.matmul(a, b, out=out)
        best = min(timed(lambda: np.matmul(a, b, out=out))[1] for _ in range(20))
        rows.append({"shape": shape["shape"], "seconds": best, "gflops": 2 * m * k * n / best / 1e9})
    return rows


def main():
    archive = sys.argv[1]
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.neural_network import BernoulliRBM
    from threadpoolctl import threadpool_info

    train = posts(archive, "20news-bydate-train/")
    test = posts(archive, "20news-bydate-test/")
    result = {"train_posts": len(train), "test_posts": len(test), "blas": threadpool_info()}
    if len(sys.argv) > 2:
        result["numpy_gemm"] = numpy_products(sys.argv[2], np)

    counts = CountVectorizer(max_features=2000, stop_words="english").fit_transform(train)
    sums = np.asarray(counts.sum(axis=1)).ravel()
    sums[sums == 0] = 1
    probabilities = (counts.multiply(1.0 / sums[:, None])).tocsr().astype(np.float32)
    rbm = BernoulliRBM(n_components=500, batch_size=100, n_iter=1, learning_rate=0.01, random_state=0)
    _, seconds = timed(lambda: rbm.fit(probabilities))
    result["sklearn_rbm_epoch_2000x500_s"] = seconds

    vectorizer = TfidfVectorizer()
    svd = TruncatedSVD(n_components=10, random_state=0)
    (tfidf, fit_vectorizer) = timed(lambda: vectorizer.fit_transform(train))
    (lsa, fit_svd) = timed(lambda: svd.fit_transform(tfidf))
    (queries, transform) = timed(lambda: svd.transform(vectorizer.transform(test)))

    def rank():
        norms = np.linalg.norm(lsa, axis=1, keepdims=True)
        documents = lsa / np.maximum(norms, 1e-12)
        q = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        scores = q @ documents.T
        return np.argpartition(-scores, 100, axis=1)[:, :100]

    _, ranking = timed(rank)
    result["sklearn_lsa10"] = {
        "fit_tfidf_s": fit_vectorizer,
        "fit_svd_s": fit_svd,
        "transform_test_s": transform,
        "rank_top100_s": ranking,
        "ms_per_1000_queries": (transform + ranking) / len(test) * 1e6,
    }

    from gensim import corpora, models
    from gensim.utils import simple_preprocess

    tokens = [simple_preprocess(t) for t in train]
    dictionary = corpora.Dictionary(tokens)
    bow = [dictionary.doc2bow(t) for t in tokens]
    _, seconds = timed(lambda: models.LsiModel(bow, id2word=dictionary, num_topics=10))
    result["gensim_lsi10_fit_s"] = seconds
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

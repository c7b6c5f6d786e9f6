"""Relevant records first: TF-IDF features and a linear model, as ASReview ranks records.

One `Ranker` is the whole model: `features` turns the records' text into a TF-IDF matrix
once per set of records, `scores` fits the classifier on the labelled rows and scores
every row. The app's background worker (`lib.screening.worker`), the command line's
simulation (`lib.screening.simulation`) and the benchmark all call these two functions,
so what the benchmark measures is what the reviewer gets.

The model was chosen by measurement (``bench/screening_models.py``, results in
BENCHMARKS.md): on the three shared labelled sets, a linear SVM (C 0.11, ASReview LAB 2's
default "ELAS u4" value, classes weighted to balance) on TF-IDF of Snowball word stems that
occur in at least two records did best on the mean of WSS@95 (67.3% over 5 seeds against
65.2% for the same SVM on unstemmed words and word pairs, and 61.7% for the README's naive
Bayes baseline), better on each set. Stemming is what helps on the two sets with varied
wording; word pairs cost ACE three points. Its neighbours (C 0.05 or 0.3, terms in one or
three records, ASReview's "double" balance, a title block) land within half a point of it
on the mean, so no knob was moved to fit these sets; English stop words and sublinear term
frequency made it worse.
scikit-learn is imported inside the functions: the command line must start fast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["DEFAULT", "MODELS", "Ranker", "document_text", "order_by_scores"]


def document_text(title: str, abstract: str, keywords: Sequence[str] = ()) -> str:
    """What the model reads of a record: title, abstract and keywords, in one text whose
    first line is the title (empty if it has none), so features can weigh it apart."""
    rest = [abstract.strip(), "; ".join(k for k in keywords if k)]
    return " ".join(title.split()) + "\n" + " ".join(p for p in rest if p)


@dataclass(frozen=True, slots=True)
class Ranker:
    """A feature extractor and a classifier, with the settings that define them.

    ``model``: "logistic" (logistic regression), "nb" (multinomial naive Bayes) or "svm"
    (linear support vector machine); ``c`` the inverse regularisation strength of the
    first and last, ``alpha`` the smoothing of naive Bayes. ``ngrams`` 1 or 2 (words, or
    words and word pairs); ``min_df`` the fewest records a term must occur in.
    ``stem``: words cut to their Snowball stem ("trials", "trial" one term);
    ``stop_words``: English stop words dropped (as ASReview's TF-IDF does);
    ``title_weight``: a second TF-IDF block of the title alone, times this (0: none);
    ``balance``: "weights" (both classes the same total weight) or "double" (ASReview's
    double balance, as weights).
    """

    model: str = "logistic"
    c: float = 1.0
    alpha: float = 3.822
    ngrams: int = 2
    min_df: int = 1
    sublinear: bool = True
    max_features: int | None = 1_000_000
    max_train: int = 10_000  # labelled records fitted on at most (see `training_rows`)
    stem: bool = False
    stop_words: bool = False
    title_weight: float = 0.0
    balance: str = "weights"

    @property
    def name(self) -> str:
        knob = f"alpha={self.alpha:g}" if self.model == "nb" else f"C={self.c:g}"
        return (
            f"{self.model} ({knob}), TF-IDF 1-{self.ngrams}-grams"
            f"{', sublinear tf' if self.sublinear else ''}"
            f"{f', min_df={self.min_df}' if self.min_df > 1 else ''}"
            f"{', stemmed' if self.stem else ''}"
            f"{', stop words dropped' if self.stop_words else ''}"
            f"{f', title block x{self.title_weight:g}' if self.title_weight else ''}"
            f"{', double balance' if self.balance == 'double' else ''}"
        )

    def with_(self, **changes: Any) -> Ranker:
        return replace(self, **changes)

    def features(self, texts: Sequence[str]) -> csr_matrix:
        """The TF-IDF matrix of ``texts`` (one row per record, L2-normalised rows), with
        ``title_weight`` times the TF-IDF of the titles (first lines) beside it."""
        whole = self._tfidf(texts)
        if not self.title_weight:
            return whole
        from scipy.sparse import hstack

        titles = self._tfidf([t.partition("\n")[0] for t in texts])
        return hstack([whole, titles * np.float32(self.title_weight)], format="csr")

    def _tfidf(self, texts: Sequence[str]) -> csr_matrix:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

        stop = ENGLISH_STOP_WORDS if self.stop_words else frozenset()
        vectorizer = TfidfVectorizer(
            ngram_range=(1, self.ngrams),
            min_df=self.min_df if len(texts) > self.min_df else 1,
            sublinear_tf=self.sublinear,
            strip_accents="unicode",
            max_features=self.max_features,
            dtype=np.float32,
            **(
                {"tokenizer": stemmed_words(stop), "token_pattern": None}
                if self.stem
                else {"stop_words": list(stop) or None}
            ),
        )
        if not any(t.strip() for t in texts):  # nothing to learn from: one empty feature
            from scipy.sparse import csr_matrix

            return csr_matrix((len(texts), 1), dtype=np.float32)
        try:
            return vectorizer.fit_transform(texts).tocsr()
        except ValueError:  # only stop words or punctuation in every text
            from scipy.sparse import csr_matrix

            return csr_matrix((len(texts), 1), dtype=np.float32)

    def scores(self, features: csr_matrix, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Relevance scores of every row (higher = more likely relevant).

        ``labelled`` are row numbers with ``labels`` (1 relevant, 0 not). Needs at least
        one of each: `ValueError` otherwise. Classes are weighted to balance, so a few
        includes among many excludes still pull their words up.
        """
        labels = np.asarray(labels, dtype=np.int8)
        if labels.min(initial=1) != 0 or labels.max(initial=0) != 1:
            raise ValueError("ranking needs at least one included and one excluded record")
        labelled, labels = training_rows(np.asarray(labelled), labels, self.max_train)
        x = features[labelled]
        weights = _double_weights(labels) if self.balance == "double" else _balanced_weights(labels)
        if self.model == "nb":
            from sklearn.naive_bayes import MultinomialNB

            nb = MultinomialNB(alpha=self.alpha).fit(x, labels, sample_weight=weights)
            log_prob = nb.predict_joint_log_proba(features)
            return np.asarray(log_prob[:, 1] - log_prob[:, 0])
        if self.model == "svm":
            from sklearn.svm import LinearSVC

            svm = LinearSVC(C=self.c, dual="auto", max_iter=5000)
            return np.asarray(svm.fit(x, labels, sample_weight=weights).decision_function(features))
        if self.model == "logistic":
            from sklearn.linear_model import LogisticRegression

            logistic = LogisticRegression(C=self.c, solver="liblinear", dual=True, max_iter=1000)
            fitted = logistic.fit(x, labels, sample_weight=weights)
            return np.asarray(fitted.decision_function(features))
        raise ValueError(f"unknown model {self.model!r}; use one of: {', '.join(MODELS)}")


def training_rows(
    rows: np.ndarray, labels: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``limit`` labelled rows to fit on: every included one, and a fixed random
    sample of the excluded (as ASReview's undersampling balance does). Fitting time grows
    with the rows; past 10,000, more excluded records barely move the ranking, and this
    keeps a retraining on a 50k-record project within two seconds."""
    if len(rows) <= limit:
        return rows, labels
    included = np.flatnonzero(labels == 1)
    excluded = np.flatnonzero(labels == 0)
    room = max(limit - len(included), min(len(excluded), limit // 2))
    sample = np.random.default_rng(len(rows)).choice(excluded, size=room, replace=False)
    keep = np.sort(np.concatenate([included, sample]))
    return rows[keep], labels[keep]


def _balanced_weights(labels: np.ndarray) -> np.ndarray:
    """Per-row weights that give both classes the same total weight."""
    n = len(labels)
    n_pos = int(labels.sum())
    return np.where(labels == 1, n / (2 * n_pos), n / (2 * (n - n_pos)))


def _double_weights(labels: np.ndarray) -> np.ndarray:
    """ASReview's "double" balance as weights instead of resampling (same expected
    training mix, no randomness): the includes' share grows as they get rarer
    (a * (n1/n0)^-alpha), the excludes' weight grows slowly with the records read."""
    n = len(labels)
    n_one = int(labels.sum())
    n_zero = n - n_one
    one = 2.155 * (n_one / n_zero) ** -0.94
    zero = 1 - (1 - 0.789) * (1 + math.log(n)) ** -1.0
    # at least one include's worth, and at most all but two records' worth (as ASReview)
    n_one_train = max(1.0, min(n - 2.0, one * n_one * n / (one * n_one + zero * n_zero)))
    return np.where(labels == 1, n_one_train / n_one, (n - n_one_train) / n_zero)


_WORD = re.compile(r"(?u)\b\w\w+\b")


def stemmed_words(stop: frozenset[str]) -> Callable[[str], list[str]]:
    """A tokenizer for TfidfVectorizer: words of two letters or more (scikit-learn's
    pattern), stop words dropped, each cut to its Snowball English stem so inflections
    ("screened", "screening", "screens") count as one term. Stems are cached per word:
    a corpus repeats a few tens of thousands of words millions of times."""
    import snowballstemmer

    stem = snowballstemmer.stemmer("english").stemWord
    cache: dict[str, str] = {}

    def tokens(text: str) -> list[str]:
        out = []
        for word in _WORD.findall(text):
            if word in stop:
                continue
            hit = cache.get(word)
            if hit is None:
                hit = cache[word] = stem(word)
            out.append(hit)
        return out

    return tokens


def order_by_scores(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``rows`` sorted by score, highest first; ties keep the rows' own order."""
    return rows[np.argsort(-scores[rows], kind="stable")]


MODELS: dict[str, Ranker] = {
    "nb": Ranker(model="nb", alpha=3.822, ngrams=1, sublinear=False),
    "svm": Ranker(model="svm", c=0.11, ngrams=1, sublinear=False, min_df=2, stem=True),
    "logistic": Ranker(model="logistic", c=1.0, ngrams=2, sublinear=True),
}
DEFAULT: Ranker = MODELS["svm"]

"""Comparing two models on the same test items; recognised sequences (edit distance,
character error rate, sequence accuracy); forecast errors (MAE, RMSE, MASE); anomaly
scores (ROC curve and AUC, precision and recall at a threshold, F-beta); generated
sequences (discriminative and predictive scores) and generated clips (motion statistics,
label consistency)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.validation import (
    as_float_array,
    check_positive_int,
    check_sequence,
    is_real_number,
)


@dataclass(frozen=True)
class PairedComparison:
    """McNemar's comparison of two models that answered the same test items.

    ``only_a`` and ``only_b`` count the items that exactly one of the two models got
    right; items both got right or both got wrong say nothing about which is better.
    Under the hypothesis that the models are equally good, each such item is a fair
    coin, and ``z = (only_a - only_b) / sqrt(only_a + only_b)`` is approximately
    standard normal: ``|z| > 2`` is a difference unlikely to be chance (about 5 %).
    """

    only_a: int
    only_b: int

    @property
    def z(self) -> float:
        """The standardised difference, 0 when no item separates the models."""
        discordant = self.only_a + self.only_b
        return (self.only_a - self.only_b) / np.sqrt(discordant) if discordant else 0.0

    def verdict(self, name_a: str, name_b: str) -> str:
        """``"<a> is better"``, ``"<b> is better"`` or that the difference is within noise."""
        if self.z > 2:
            return f"{name_a} is better"
        if self.z < -2:
            return f"{name_b} is better"
        return "the difference is within noise (|z| < 2)"


def paired_comparison(
    truth: Sequence[Any], answers_a: Sequence[Any], answers_b: Sequence[Any]
) -> PairedComparison:
    """Compare two models' answers (e.g. decoded strings) item by item with the truth.

    Raises:
        ValueError: if the three sequences differ in length or are empty.
    """
    for name, values in (("truth", truth), ("answers_a", answers_a), ("answers_b", answers_b)):
        check_sequence(name, values, "a sequence of answers")
    if not len(truth):
        raise ValueError("truth: expected at least one test item, got none")
    if not len(answers_a) == len(answers_b) == len(truth):
        raise ValueError(
            f"answers_a, answers_b: expected {len(truth)} answers each (one per test item), "
            f"got {len(answers_a)} and {len(answers_b)}"
        )
    right_a = np.array([a == t for a, t in zip(answers_a, truth, strict=True)])
    right_b = np.array([b == t for b, t in zip(answers_b, truth, strict=True)])
    return PairedComparison(int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a)))


def edit_distance(reference: Sequence[Any], hypothesis: Sequence[Any]) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions."""
    check_sequence("reference", reference)
    check_sequence("hypothesis", hypothesis)
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def character_error_rate(
    references: Sequence[Sequence[Any]], hypotheses: Sequence[Sequence[Any]]
) -> float:
    """Total edit distance divided by the total length of the references.

    Raises:
        ValueError: if the two lists differ in length or the references are all empty.
    """
    check_sequence("references", references)
    check_sequence("hypotheses", hypotheses)
    if len(references) != len(hypotheses):
        raise ValueError(
            f"hypotheses: expected {len(references)} (one per reference), got {len(hypotheses)}"
        )
    total = sum(len(r) for r in references)
    if total == 0:
        raise ValueError("references: expected at least one non-empty reference, got none")
    return sum(edit_distance(r, h) for r, h in zip(references, hypotheses, strict=True)) / total


def sequence_accuracy(
    references: Sequence[Sequence[Any]], hypotheses: Sequence[Sequence[Any]]
) -> float:
    """The share of sequences recognised exactly.

    Raises:
        ValueError: if the two lists differ in length or are empty.
    """
    check_sequence("references", references)
    check_sequence("hypotheses", hypotheses)
    if len(references) != len(hypotheses) or not len(references):
        raise ValueError(
            f"hypotheses: expected {len(references)} (one per reference, at least one), "
            f"got {len(hypotheses)}"
        )
    return float(np.mean([list(r) == list(h) for r, h in zip(references, hypotheses, strict=True)]))


def _forecast_pair(
    y_true: Any, y_pred: Any, pred_name: str = "y_pred"
) -> tuple[np.ndarray, np.ndarray]:
    """Two float arrays of one shape, at least one value, no NaN."""
    y_true = as_float_array("y_true", y_true)
    y_pred = as_float_array(pred_name, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{pred_name}: expected the shape of y_true {y_true.shape}, got {y_pred.shape}"
        )
    if not y_true.size:
        raise ValueError("y_true: expected at least one value, got none")
    return y_true, y_pred


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error over all values (all windows and horizon steps).

    Raises:
        ValueError: for arrays of different shapes, empty arrays or NaNs.
    """
    y_true, y_pred = _forecast_pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error over all values; weighs large errors more than MAE.

    Raises:
        ValueError: for arrays of different shapes, empty arrays or NaNs.
    """
    y_true, y_pred = _forecast_pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def seasonal_naive_scale(training: Any, period: int = 1) -> float:
    """The in-sample MAE of the seasonal naive forecast on the training series.

    ``(1 / (T - m)) * sum_{t=m+1}^{T} |y_t - y_{t-m}|`` with ``m = period``; with
    ``period=1`` it is the one-step naive forecast's MAE of Hyndman & Koehler (2006).

    Raises:
        ValueError: for a series not longer than the period, or one whose seasonal
            differences are all zero (the scale would be 0).
    """
    training = as_float_array("training", training, ndim=1, axes=("time",))
    period = check_positive_int("period", period)
    if len(training) <= period:
        raise ValueError(
            f"training: expected more than period={period} values, got {len(training)}"
        )
    scale = float(np.mean(np.abs(training[period:] - training[:-period])))
    if scale == 0:
        raise ValueError("training: its seasonal naive errors are all 0, so MASE is undefined")
    return scale


def mase(y_true: Any, y_pred: Any, training: Any, period: int = 1) -> float:
    """Mean absolute scaled error: the forecast's MAE over the training part's in-sample
    seasonal naive MAE (:func:`seasonal_naive_scale`).

    Below 1 the forecast beats, on average, what the seasonal naive method achieved
    one season ahead within the training data; the scale is fixed by the training part,
    so every model evaluated on the same test set is divided by the same number.

    Raises:
        ValueError: as :func:`mae` and :func:`seasonal_naive_scale`.
    """
    return mae(y_true, y_pred) / seasonal_naive_scale(training, period)


@dataclass(frozen=True)
class ForecastComparison:
    """Diebold–Mariano comparison of two forecasters' absolute errors on one test set.

    ``d_t = |e_a,t| - |e_b,t|`` is the per-origin difference of the two models' mean
    absolute errors (negative: model a is better at origin ``t``). Forecasts ``h`` steps
    ahead from neighbouring origins share errors, so the variance of the mean of ``d``
    includes its autocovariances up to lag ``h - 1``; ``z = mean(d) / sqrt(var / n)``
    is approximately standard normal when the models are equally accurate.
    """

    mean_difference: float
    z: float

    def verdict(self, name_a: str, name_b: str) -> str:
        """``"<a> is more accurate"``, ``"<b> is more accurate"`` or within noise."""
        if self.z < -2:
            return f"{name_a} is more accurate"
        if self.z > 2:
            return f"{name_b} is more accurate"
        return "the difference is within noise (|z| < 2)"


def diebold_mariano(y_true: Any, pred_a: Any, pred_b: Any, horizon: int = 1) -> ForecastComparison:
    """Compare two forecasts ``(origins, horizon)`` of the same targets (Diebold and
    Mariano, 1995), with the absolute error as the loss.

    Raises:
        ValueError: for arrays of different shapes, or fewer than 3 origins.
    """
    y_true, pred_a = _forecast_pair(y_true, pred_a, "pred_a")
    _, pred_b = _forecast_pair(y_true, pred_b, "pred_b")
    horizon = check_positive_int("horizon", horizon)
    if y_true.ndim == 1:
        y_true, pred_a, pred_b = y_true[:, None], pred_a[:, None], pred_b[:, None]
    d = np.abs(y_true - pred_a).mean(axis=1) - np.abs(y_true - pred_b).mean(axis=1)
    n = len(d)
    if n < 3:
        raise ValueError(f"y_true: expected at least 3 forecast origins, got {n}")
    centred = d - d.mean()
    variance = float(centred @ centred) / n
    for lag in range(1, min(horizon, n)):
        variance += 2 * float(centred[lag:] @ centred[:-lag]) / n
    if variance <= 0:  # the truncated sum can be negative; fall back to the plain variance
        variance = float(centred @ centred) / n
    z = float(d.mean() / np.sqrt(variance / n)) if variance > 0 else 0.0
    return ForecastComparison(float(d.mean()), z)


def _scored_labels(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels (0/1, both present) and finite scores of the same length."""
    scores = as_float_array("scores", scores, ndim=1, axes=("examples",))
    labels = as_float_array("labels", labels, ndim=1, axes=("examples",))
    if labels.shape != scores.shape:
        raise ValueError(
            f"scores: expected {len(labels)} scores (one per label), got {len(scores)}"
        )
    if not labels.size:
        raise ValueError("labels: expected at least one label, got none")
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError("labels: expected 0 (normal) or 1 (anomaly) only, got other values")
    if labels.min() == labels.max():
        raise ValueError("labels: expected both classes (0 and 1), got only one")
    return labels.astype(bool), scores


def roc_curve(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The receiver operating characteristic: for every threshold ``s`` among the scores
    (flagging ``score >= s``), the false-positive rate and the true-positive rate.

    Returns:
        ``(fpr, tpr, thresholds)``, starting at ``(0, 0)`` (threshold ``+inf``) and ending
        at ``(1, 1)``; tied scores form one point.

    Raises:
        ValueError: for labels other than 0/1, a single class, or lengths that differ.
    """
    positive, scores = _scored_labels(labels, scores)
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_positive = scores[order], positive[order]
    last_of_tie = np.r_[np.nonzero(np.diff(sorted_scores))[0], len(scores) - 1]
    tp = np.cumsum(sorted_positive)[last_of_tie]
    fp = np.cumsum(~sorted_positive)[last_of_tie]
    tpr = np.r_[0.0, tp / positive.sum()]
    fpr = np.r_[0.0, fp / (~positive).sum()]
    return fpr, tpr, np.r_[np.inf, sorted_scores[last_of_tie]]


def roc_auc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve: the probability that a random anomaly scores higher than
    a random normal example (ties count one half), the Mann–Whitney statistic.

    0.5 is chance, 1 a perfect ranking. It needs no threshold.

    Raises:
        ValueError: as :func:`roc_curve`.
    """
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(np.trapezoid(tpr, fpr))


def precision_recall_at(labels: Any, scores: Any, threshold: float) -> tuple[float, float]:
    """Precision and recall when every example with ``score > threshold`` is flagged.

    Precision is 1 by convention when nothing is flagged.

    Raises:
        ValueError: as :func:`roc_curve`, or for a non-finite threshold.
    """
    positive, scores = _scored_labels(labels, scores)
    if not isinstance(threshold, bool) and not is_real_number(threshold):
        raise TypeError(f"threshold: expected a finite number, got {threshold!r}")
    if isinstance(threshold, bool) or not np.isfinite(threshold):
        raise ValueError(f"threshold: expected a finite number, got {threshold!r}")
    flagged = scores > threshold
    true_positives = int(np.sum(flagged & positive))
    precision = true_positives / int(flagged.sum()) if flagged.any() else 1.0
    return float(precision), float(true_positives / int(positive.sum()))


def f_beta(precision: float, recall: float, beta: float = 1.0) -> float:
    """``(1 + beta²) P R / (beta² P + R)``; ``beta < 1`` weighs precision more (EncDec-AD
    reports ``F0.1``). 0 when both are 0.

    Raises:
        ValueError: for a precision or recall outside ``[0, 1]`` or ``beta <= 0``.
    """
    for name, value in (("precision", precision), ("recall", recall), ("beta", beta)):
        if not isinstance(value, bool) and not is_real_number(value):
            raise TypeError(f"{name}: expected a number, got {value!r}")
    for name, value in (("precision", precision), ("recall", recall)):
        if isinstance(value, bool) or not 0 <= value <= 1:
            raise ValueError(f"{name}: expected a number in [0, 1], got {value!r}")
    if isinstance(beta, bool) or not beta > 0:
        raise ValueError(f"beta: expected a number > 0, got {beta!r}")
    if precision == 0 and recall == 0:
        return 0.0
    return float((1 + beta**2) * precision * recall / (beta**2 * precision + recall))


def _real_and_other(real: Any, other: Any, other_name: str) -> tuple[np.ndarray, np.ndarray]:
    real = as_float_array("real", real, ndim=3, axes=("batch", "time", "features"))
    other = as_float_array(other_name, other, ndim=3, axes=("batch", "time", "features"))
    if real.shape[1:] != other.shape[1:]:
        raise ValueError(
            f"{other_name}: expected sequences shaped like real's {real.shape[1:]} "
            f"(time, features), got {other.shape[1:]}"
        )
    if len(real) < 4 or len(other) < 4:
        raise ValueError(
            f"real, {other_name}: expected at least 4 sequences each, "
            f"got {len(real)} and {len(other)}"
        )
    return real, other


def discriminative_score(
    real: Any,
    synthetic: Any,
    *,
    units: int = 16,
    epochs: int = 20,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> float:
    """How well a post-hoc GRU classifier tells real from synthetic sequences (TimeGAN).

    The two sets are cut to the same size, labelled (real 1, synthetic 0) and split once
    at random into training and held-out parts; a one-layer GRU classifier is trained on
    the first and its accuracy measured on the second. The score is
    ``|accuracy - 0.5|``: 0 when the classifier cannot tell them apart, 0.5 when it
    always can (Yoon et al. 2019). Lower is better.

    Args:
        real: real sequences ``(batch, time, features)``.
        synthetic: generated sequences of the same ``(time, features)``.
        units: GRU units of the classifier.
        epochs: training epochs (Adam, batch 128).
        test_fraction: share of the pooled sequences held out, in ``(0, 1)``.
        seed: seed of the split and the classifier's initial weights.

    Returns:
        The score, in ``[0, 0.5]``.

    Raises:
        TypeError, ValueError: for arrays that are not 3-D, differ in shape, are too
            small, or a bad ``units``, ``epochs`` or ``test_fraction``.
    """
    import keras

    real, synthetic = _real_and_other(real, synthetic, "synthetic")
    units = check_positive_int("units", units)
    epochs = check_positive_int("epochs", epochs)
    if isinstance(test_fraction, bool) or not is_real_number(test_fraction):
        raise TypeError(f"test_fraction: expected a number in (0, 1), got {test_fraction!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction: expected a number in (0, 1), got {test_fraction!r}")
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    n = min(len(real), len(synthetic))
    real = real[rng.permutation(len(real))[:n]]
    synthetic = synthetic[rng.permutation(len(synthetic))[:n]]
    x = np.concatenate([real, synthetic]).astype("float32")
    y = np.concatenate([np.ones(n), np.zeros(n)]).astype("float32")
    order = rng.permutation(2 * n)
    n_test = max(2, round(test_fraction * 2 * n))
    test, train = order[:n_test], order[n_test:]
    keras.utils.set_random_seed(seed)
    classifier = keras.Sequential(
        [
            keras.Input(x.shape[1:]),
            keras.layers.GRU(units),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    classifier.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    classifier.fit(x[train], y[train], epochs=epochs, batch_size=128, verbose=0)
    predicted = classifier.predict(x[test], batch_size=512, verbose=0)[:, 0] > 0.5
    accuracy = float(np.mean(predicted == (y[test] > 0.5)))
    return abs(accuracy - 0.5)


def predictive_score(
    train: Any, test: Any, *, units: int = 16, epochs: int = 20, seed: int = 0
) -> float:
    """Train on ``train``, test on ``test``: the next-step MAE of a GRU predictor (TimeGAN).

    A one-layer GRU reads steps ``0..t`` of every feature and predicts step ``t + 1`` of
    every feature; it is trained on ``train`` (e.g. synthetic sequences) and its mean
    absolute error is measured on ``test`` (real sequences). Trained on real sequences
    instead, it gives the reference a generator's data should approach. Lower is better.
    (TimeGAN predicts only the last feature from the others; this predicts all.)

    Args:
        train: training sequences ``(batch, time, features)``, ``time >= 2``.
        test: test sequences of the same ``(time, features)``.
        units: GRU units of the predictor.
        epochs: training epochs (Adam, batch 128, MAE loss).
        seed: seed of the predictor's initial weights and shuffling.

    Returns:
        The mean absolute error on ``test``.

    Raises:
        TypeError, ValueError: for arrays that are not 3-D, differ in shape, are too
            short or too small, or a bad ``units`` or ``epochs``.
    """
    import keras

    train, test = _real_and_other(train, test, "test")
    if train.shape[1] < 2:
        raise ValueError(f"train: expected at least 2 time steps, got {train.shape[1]}")
    units = check_positive_int("units", units)
    epochs = check_positive_int("epochs", epochs)
    keras.utils.set_random_seed(check_positive_int("seed", seed, minimum=0))
    features = train.shape[2]
    predictor = keras.Sequential(
        [
            keras.Input((None, features)),
            keras.layers.GRU(units, return_sequences=True),
            keras.layers.Dense(features),
        ]
    )
    predictor.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mae")
    train, test = train.astype("float32"), test.astype("float32")
    predictor.fit(train[:, :-1], train[:, 1:], epochs=epochs, batch_size=128, verbose=0)
    predicted = predictor.predict(test[:, :-1], batch_size=512, verbose=0)
    return float(np.mean(np.abs(predicted - test[:, 1:])))


def _clips(name: str, clips: Any) -> np.ndarray:
    clips = as_float_array(name, clips, ndim=5, axes=("batch", "time", "height", "width", "1"))
    if clips.shape[-1] != 1 or clips.shape[1] < 3 or not len(clips):
        raise ValueError(
            f"{name}: expected at least one clip of at least 3 one-channel frames, "
            f"(batch, time >= 3, height, width, 1), got shape {clips.shape}"
        )
    if clips.min() < 0:
        raise ValueError(f"{name}: expected intensities >= 0, got a minimum of {clips.min():.3g}")
    return clips


def centroid_tracks(clips: Any) -> np.ndarray:
    """The intensity-weighted centre of every frame: ``(batch, time, 2)`` as (row, column).

    A frame with no ink (all zeros) is given the frame's centre, so that the track stays
    defined.

    Raises:
        TypeError, ValueError: for clips that are not ``(batch, time >= 3, height, width,
            1)`` with finite, non-negative intensities.
    """
    return _centroids(_clips("clips", clips))


def _centroids(clips: np.ndarray) -> np.ndarray:
    """:func:`centroid_tracks` of clips already checked by :func:`_clips`."""
    clips = clips[..., 0]
    height, width = clips.shape[2:]
    mass = clips.sum(axis=(2, 3))
    rows = (clips.sum(axis=3) * np.arange(height)).sum(axis=2)
    cols = (clips.sum(axis=2) * np.arange(width)).sum(axis=2)
    empty = mass <= 1e-9
    safe = np.where(empty, 1.0, mass)
    track = np.stack([rows / safe, cols / safe], axis=-1)
    track[empty] = ((height - 1) / 2, (width - 1) / 2)
    return track


@dataclass(frozen=True)
class MotionStatistics:
    """How clips move, from the centroid tracks of :func:`centroid_tracks`.

    ``speed``: mean distance the centroid moves per frame (pixels); ``acceleration``: mean
    size of its second difference ``|c(t+1) - 2 c(t) + c(t-1)|`` (pixels per frame²),
    near 0 for straight, steady motion; ``ink_change``: mean absolute change of a frame's
    total intensity from one frame to the next, relative to the mean intensity (0 when
    the object neither grows, fades nor changes shape).
    """

    speed: float
    acceleration: float
    ink_change: float


def motion_statistics(clips: Any) -> MotionStatistics:
    """Speed, acceleration and ink change of clips ``(batch, time >= 3, height, width, 1)``.

    Raises:
        TypeError, ValueError: as :func:`centroid_tracks`.
    """
    clips = _clips("clips", clips)
    track = _centroids(clips)
    step = np.diff(track, axis=1)
    mass = clips.sum(axis=(2, 3, 4))
    return MotionStatistics(
        speed=float(np.mean(np.linalg.norm(step, axis=-1))),
        acceleration=float(np.mean(np.linalg.norm(np.diff(step, axis=1), axis=-1))),
        ink_change=float(np.mean(np.abs(np.diff(mass, axis=1))) / max(np.mean(mass), 1e-9)),
    )


def label_consistency(frame_labels: Any) -> float:
    """The share of frames whose label equals their clip's most frequent label.

    ``frame_labels`` are one predicted class per frame, ``(batch, time)``: 1 when every clip
    shows one digit throughout, about ``1 / classes`` or a little more when frames are
    labelled at random.

    Raises:
        TypeError, ValueError: for labels that are not a 2-D integer array with at least
            one frame.
    """
    labels = np.asarray(frame_labels)
    if labels.ndim != 2 or not labels.size:
        raise ValueError(
            f"frame_labels: expected a non-empty 2-D array (batch, time), got shape {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"frame_labels: expected integer class labels, got {labels.dtype}")
    if labels.min() < 0:
        raise ValueError(f"frame_labels: expected labels >= 0, got {labels.min()}")
    counts = np.stack([np.bincount(row, minlength=labels.max() + 1) for row in labels])
    return float(counts.max(axis=1).sum() / labels.size)

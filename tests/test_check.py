"""companion.check: correct solutions pass, typical wrong ones are caught and explained."""

from __future__ import annotations

import numpy as np
import pytest

from companion import check
from companion.cells import sigmoid


# --- readers' solutions, written as a reader would -----------------------------------------
def rnn_forward(x, w_xh, w_hh, b_h, h0=None, transpose=False, last_only=False):
    h = np.zeros((x.shape[0], w_hh.shape[0])) if h0 is None else h0
    states = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w_xh + h @ (w_hh.T if transpose else w_hh) + b_h)
        states.append(h)
    return h if last_only else np.stack(states, axis=1)


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, order="ifco"):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    gates = dict(zip(order, np.split(z, 4, axis=1), strict=True))
    c = sigmoid(gates["f"]) * c_prev + sigmoid(gates["i"]) * np.tanh(gates["c"])
    return sigmoid(gates["o"]) * np.tanh(c), c


def lstm_step_per_gate(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """Each gate's weights taken apart, and its recurrent block transposed (column-vector
    habit): W_hi.T instead of W_hi."""
    n = h_prev.shape[1]
    i, f, g, o = (
        x_t @ kernel[:, k * n : (k + 1) * n]
        + h_prev @ recurrent_kernel[:, k * n : (k + 1) * n].T
        + bias[k * n : (k + 1) * n]
        for k in range(4)
    )
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, swap=False, transpose=False):
    n = h_prev.shape[1]
    xz, xr, xh = (
        x_t @ kernel[:, i * n : (i + 1) * n] + bias[0, i * n : (i + 1) * n] for i in range(3)
    )
    blocks = [recurrent_kernel[:, i * n : (i + 1) * n] for i in range(3)]
    hz, hr, hh = (
        h_prev @ (block.T if transpose else block) + bias[1, i * n : (i + 1) * n]
        for i, block in enumerate(blocks)
    )
    z, r = sigmoid(xz + hz), sigmoid(xr + hr)
    candidate = np.tanh(xh + r * hh)
    return (1 - z) * h_prev + z * candidate if swap else z * h_prev + (1 - z) * candidate


def conv2d(x, kernel, bias, strides=1, padding="valid", flip=False):
    kh, kw, _, filters = kernel.shape
    if flip:
        kernel = kernel[::-1, ::-1]
    if padding == "same":
        pads = []
        for size, k in ((x.shape[1], kh), (x.shape[2], kw)):
            out = -(-size // strides)
            total = max((out - 1) * strides + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), *pads, (0, 0)))
    out_h = (x.shape[1] - kh) // strides + 1
    out_w = (x.shape[2] - kw) // strides + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * strides : i * strides + kh, j * strides : j * strides + kw]
            y[:, i, j] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return y + bias


def max_pool2d(x, pool_size=2, strides=None, padding="valid", pad_value=-np.inf):
    ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    strides = strides if strides is not None else (ph, pw)
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    if padding == "same":
        pads = []
        for size, k, s in ((x.shape[1], ph, sh), (x.shape[2], pw, sw)):
            out = -(-size // s)
            total = max((out - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=pad_value)
    out_h, out_w = (x.shape[1] - ph) // sh + 1, (x.shape[2] - pw) // sw + 1
    return np.array(
        [
            [
                x[:, i * sh : i * sh + ph, j * sw : j * sw + pw].max(axis=(1, 2))
                for j in range(out_w)
            ]
            for i in range(out_h)
        ]
    ).transpose(2, 0, 1, 3)


def ctc_loss(log_probs, labels, skip_repeats=False, start_on_label=True, end_on_blank=True):
    extended = [0]
    for label in labels:
        extended += [label, 0]
    alpha = np.full(len(extended), -np.inf)
    alpha[0] = log_probs[0, 0]
    if start_on_label:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, len(log_probs)):
        previous = alpha.copy()
        for s in range(len(extended)):
            total = previous[s]
            if s >= 1:
                total = np.logaddexp(total, previous[s - 1])
            if s >= 2 and extended[s] != 0 and (skip_repeats or extended[s] != extended[s - 2]):
                total = np.logaddexp(total, previous[s - 2])
            alpha[s] = total + log_probs[t, extended[s]]
    return -np.logaddexp(alpha[-1], alpha[-2]) if end_on_blank else -alpha[-2]


def convlstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, order="ifco",
                  recurrent=True):  # fmt: skip
    z = conv2d(x_t, kernel, bias, padding="same")
    if recurrent:
        z = z + conv2d(h_prev, recurrent_kernel, np.zeros_like(bias), padding="same")
    gates = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    c = sigmoid(gates["f"]) * c_prev + sigmoid(gates["i"]) * np.tanh(gates["c"])
    return sigmoid(gates["o"]) * np.tanh(c), c


def mase(y_true, y_pred, training, period=1, scale_period=None, squared=False):
    power = 2 if squared else 1
    errors = np.abs(np.asarray(y_true) - np.asarray(y_pred)) ** power
    lag = period if scale_period is None else scale_period
    naive = np.abs(training[lag:] - training[:-lag]) ** power
    return errors.mean() / naive.mean()


def discriminator_loss(real_logits, fake_logits, swap=False):
    # -log sigmoid(a) = log(1 + exp(-a)), written stably
    if swap:
        real_logits, fake_logits = -real_logits, -fake_logits
    return np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits))


def generator_loss(fake_logits, minimax=False):
    if minimax:
        return -np.mean(np.logaddexp(0, fake_logits))
    return np.mean(np.logaddexp(0, -fake_logits))


def naive_generator_loss(fake_logits):
    return -np.mean(np.log(1 / (1 + np.exp(-fake_logits))))


# --- correct solutions pass ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("checker", "solution"),
    [
        (check.check_rnn_forward, rnn_forward),
        (check.check_lstm_step, lstm_step),
        (check.check_gru_step, gru_step),
        (check.check_conv2d, conv2d),
        (check.check_max_pool2d, max_pool2d),
        (check.check_ctc_loss, ctc_loss),
        (check.check_mase, mase),
        (check.check_convlstm_step, convlstm_step),
        (check.check_discriminator_loss, discriminator_loss),
        (check.check_generator_loss, generator_loss),
    ],
)
def test_a_correct_solution_passes(checker, solution):
    result = checker(solution)
    assert result, result.message
    assert result.message.endswith(f"passed {result.cases} cases")


# --- typical wrong solutions are caught, with the likely cause ------------------------------
@pytest.mark.parametrize(
    ("checker", "wrong", "cause"),
    [
        (
            check.check_rnn_forward,
            lambda *a, **k: rnn_forward(*a, **k, transpose=True),
            "transposed",
        ),
        (
            check.check_rnn_forward,
            lambda *a, **k: rnn_forward(*a, **k, last_only=True),
            "only the last",
        ),
        (
            check.check_rnn_forward,
            lambda x, w_xh, w_hh, b_h, h0=None: rnn_forward(x, w_xh, w_hh, b_h),
            "h0 is ignored",
        ),
        (check.check_lstm_step, lambda *a: lstm_step(*a, order="ifoc"), "order i, f, o, c"),
        (check.check_lstm_step, lambda *a: lstm_step(*a, order="fico"), "order f, i, c, o"),
        (check.check_lstm_step, lstm_step_per_gate, "recurrent matrix is transposed"),
        (
            check.check_gru_step,
            lambda *a: gru_step(*a, transpose=True),
            "recurrent matrix is transposed",
        ),
        (
            check.check_gru_step,
            lambda *a: gru_step(*a, swap=True),
            "update gate is used the other way",
        ),
        (check.check_conv2d, lambda *a, **k: conv2d(*a, **k, flip=True), "kernel is flipped"),
        (
            check.check_max_pool2d,
            lambda *a, **k: max_pool2d(*a, **k, pad_value=0.0),
            "pads with zeros",
        ),
        (check.check_ctc_loss, lambda *a: ctc_loss(*a, skip_repeats=True), "skips over the blank"),
        (check.check_ctc_loss, lambda *a: -ctc_loss(*a), "the sign"),
        (
            check.check_ctc_loss,
            lambda *a: ctc_loss(*a, start_on_label=False),
            "only paths starting with a blank",
        ),
        (
            check.check_ctc_loss,
            lambda *a: ctc_loss(*a, end_on_blank=False),
            "only paths ending on the last label",
        ),
        (check.check_mase, lambda *a, **k: mase(*a, **k, scale_period=1), "ignores the season"),
        (check.check_mase, lambda *a, **k: 1 / mase(*a, **k), "upside down"),
        (check.check_mase, lambda *a, **k: mase(*a, **k, squared=True), "squared errors"),
        (
            check.check_discriminator_loss,
            lambda r, f: discriminator_loss(r, f, swap=True),
            "labels are swapped",
        ),
        (check.check_generator_loss, lambda f: generator_loss(f, minimax=True), "minimax"),
        (check.check_convlstm_step, lambda *a: convlstm_step(*a, order="ifoc"), "i, f, o, c"),
        (
            check.check_convlstm_step,
            lambda *a: convlstm_step(*a, recurrent=False),
            "recurrent convolution",
        ),
    ],
)
def test_a_typical_mistake_is_caught_and_named(checker, wrong, cause):
    result = checker(wrong)
    assert not result
    assert "Likely cause: " in result.message and cause in result.message, result.message


@pytest.mark.parametrize(
    ("checker", "wrong", "gates"),
    [
        (
            check.check_lstm_step,
            lambda x, h, c, kernel, recurrent, bias: lstm_step(x, h, c, kernel, recurrent.T, bias),
            4,
        ),
        (
            check.check_gru_step,
            lambda x, h, kernel, recurrent, bias: gru_step(x, h, kernel, recurrent.T, bias),
            3,
        ),
    ],
)
def test_a_transposed_weight_matrix_gets_the_layout(checker, wrong, gates):
    """Transposing a whole (units, gates * units) matrix fails in NumPy's matmul; the
    message adds the shapes Keras' layout expects."""
    result = checker(wrong)
    assert not result
    assert "your function raised ValueError" in result.message, result.message
    assert f"recurrent_kernel (units, {gates} units)" in result.message, result.message
    assert "no transposes" in result.message


def test_symmetric_same_padding_is_named():
    def early_padding(x, kernel, bias, strides=1, padding="valid"):
        if padding == "same":
            pads = []
            for size, k in ((x.shape[1], kernel.shape[0]), (x.shape[2], kernel.shape[1])):
                total = max((-(-size // strides) - 1) * strides + k - size, 0)
                pads.append((total - total // 2, total // 2))  # the extra one first
            return conv2d(np.pad(x, ((0, 0), *pads, (0, 0))), kernel, bias, strides)
        return conv2d(x, kernel, bias, strides, padding)

    result = check.check_conv2d(early_padding)
    assert not result and "at the start" in result.message, result.message


def test_messages_say_what_differs():
    def off_by_a_bit(*args, **kwargs):
        y = rnn_forward(*args, **kwargs)
        y[0, 1, 2] += 0.5
        return y

    result = check.check_rnn_forward(off_by_a_bit)
    assert not result
    assert "case 1 of 4" in result.message
    assert "1 of 40 values differ (largest difference 0.5); the first at index (0, 1, 2)" in (
        result.message
    )
    assert "Likely cause" not in result.message  # no typical mistake explains it


def test_a_function_that_raises_or_returns_junk_is_reported():
    def broken(*args, **kwargs):
        raise IndexError("index 3 is out of bounds")

    result = check.check_gru_step(broken)
    assert not result
    assert "your function raised IndexError: index 3 is out of bounds" in result.message
    result = check.check_lstm_step(lambda *args: args[1])
    assert not result and "expected the pair (h_t, c_t)" in result.message
    result = check.check_ctc_loss(lambda lp, labels: "loss")
    assert not result and "expected an array, got str" in result.message
    result = check.check_ctc_loss(lambda lp, labels: float("nan"))
    assert not result and "NaN or infinity" in result.message


def test_not_a_function():
    with pytest.raises(TypeError, match=r"fn: expected your function \(a callable\), got ndarray"):
        check.check_conv2d(np.zeros(3))


def test_result_displays_its_message():
    result = check.check_max_pool2d(max_pool2d)
    assert str(result) == result.message
    assert bool(result) is True


def test_a_naive_log_sigmoid_is_caught_on_large_logits():
    result = check.check_generator_loss(naive_generator_loss)
    assert not result
    assert "very large logits" in result.message and "NaN or infinity" in result.message


def test_gan_loss_references_equal_the_training_losses():
    from companion import training

    rng = np.random.default_rng(0)
    real, fake = (rng.normal(scale=5, size=(16, 1)).astype("float32") for _ in range(2))
    np.testing.assert_allclose(
        check._discriminator_reference(real, fake),
        float(training.discriminator_loss(real, fake)),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        check._generator_reference(fake), float(training.generator_loss(fake)), rtol=1e-5
    )

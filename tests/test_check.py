"""companion.check: correct solutions pass, typical wrong ones are caught and explained."""

from __future__ import annotations

import numpy as np
import pytest

from companion import cells, check, conv, ctc, metrics


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def stable_sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


# --- readers' solutions, written as a reader would -----------------------------------------
def rnn_step(x_t, h_prev, w_xh, w_hh, b_h):
    return np.tanh(x_t @ w_xh + h_prev @ w_hh + b_h)


def rnn_forward(x, w_xh, w_hh, b_h, h0=None, transpose=False, last_only=False, step=None):
    h = np.zeros((x.shape[0], w_hh.shape[0])) if h0 is None else h0
    states = []
    for t in range(x.shape[1]):
        if step is not None:
            h = step(x[:, t], h, w_xh, w_hh, b_h)
        else:
            h = np.tanh(x[:, t] @ w_xh + h @ (w_hh.T if transpose else w_hh) + b_h)
        states.append(h)
    return h if last_only else np.stack(states, axis=1)


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, order="ifco", old_c=False):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    gates = dict(zip(order, np.split(z, 4, axis=1), strict=True))
    c = sigmoid(gates["f"]) * c_prev + sigmoid(gates["i"]) * np.tanh(gates["c"])
    return sigmoid(gates["o"]) * np.tanh(c_prev if old_c else c), c


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


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, swap=False, transpose=False,
             order="zrh", reset_before=False):  # fmt: skip
    n = h_prev.shape[1]
    where = {gate: order.index(gate) for gate in "zrh"}

    def block(matrix, gate):
        return matrix[..., where[gate] * n : (where[gate] + 1) * n]

    def recurrent(gate):
        w = block(recurrent_kernel, gate)
        return w.T if transpose else w

    z = sigmoid(
        x_t @ block(kernel, "z")
        + block(bias[0], "z")
        + h_prev @ recurrent("z")
        + block(bias[1], "z")
    )
    r = sigmoid(
        x_t @ block(kernel, "r")
        + block(bias[0], "r")
        + h_prev @ recurrent("r")
        + block(bias[1], "r")
    )
    if reset_before:
        hh = (r * h_prev) @ recurrent("h") + block(bias[1], "h")
    else:
        hh = r * (h_prev @ recurrent("h") + block(bias[1], "h"))
    candidate = np.tanh(x_t @ block(kernel, "h") + block(bias[0], "h") + hh)
    return (1 - z) * h_prev + z * candidate if swap else z * h_prev + (1 - z) * candidate


def same_pads(size, k, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, bias, strides=1, padding="valid", flip=False, pads=same_pads,
           use_bias=True, use_stride=True, use_padding=True):  # fmt: skip
    kh, kw, _, filters = kernel.shape
    if flip:
        kernel = kernel[::-1, ::-1]
    if not use_stride:
        strides = 1
    if padding == "same" and use_padding:
        pad_h = pads(x.shape[1], kh, strides)
        pad_w = pads(x.shape[2], kw, strides)
        x = np.pad(x, ((0, 0), pad_h, pad_w, (0, 0)))
    out_h = (x.shape[1] - kh) // strides + 1
    out_w = (x.shape[2] - kw) // strides + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * strides : i * strides + kh, j * strides : j * strides + kw]
            y[:, i, j] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return y + bias if use_bias else y


def conv2d_stride_after_same(x, kernel, bias, strides=1, padding="valid"):
    """A stride-1 convolution, then every `strides`-th output."""
    return conv2d(x, kernel, bias, 1, padding)[:, ::strides, ::strides]


def max_pool2d(x, pool_size=2, strides=None, padding="valid", pad_value=-np.inf,
               default_stride=None):  # fmt: skip
    ph, pw = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    if strides is None:
        strides = (ph, pw) if default_stride is None else default_stride
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    if padding == "same":
        pads = [same_pads(x.shape[1], ph, sh), same_pads(x.shape[2], pw, sw)]
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


def ctc_loss(log_probs, labels, skip_repeats=False, start_on_label=True, end_on_blank=True,
             last_frame=None, trailing_blank=True, combine=np.logaddexp):  # fmt: skip
    extended = [0]
    for label in labels:
        extended += [label, 0]
    if not trailing_blank:
        extended = extended[:-1]
    alpha = np.full(len(extended), -np.inf)
    alpha[0] = log_probs[0, 0]
    if start_on_label and len(extended) > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, len(log_probs) if last_frame is None else last_frame):
        previous = alpha.copy()
        for s in range(len(extended)):
            total = previous[s]
            if s >= 1:
                total = combine(total, previous[s - 1])
            if s >= 2 and extended[s] != 0 and (skip_repeats or extended[s] != extended[s - 2]):
                total = combine(total, previous[s - 2])
            alpha[s] = total + log_probs[t, extended[s]]
    if not end_on_blank:
        return -alpha[-2]
    return -np.logaddexp.reduce(alpha[-2:])  # one state only for an empty labelling


def ctc_loss_without_blanks(log_probs, labels):
    """No blank anywhere: every frame emits a label, staying on it or moving to the next."""
    alpha = np.full(len(labels), -np.inf)
    alpha[0] = log_probs[0, labels[0]]
    for t in range(1, len(log_probs)):
        moved = np.concatenate([[-np.inf], alpha[:-1]])
        alpha = np.logaddexp(alpha, moved) + log_probs[t, labels]
    return -alpha[-1]


def ctc_loss_on_the_labels(log_probs, labels):
    """The recursion of the chapter, run over the labels themselves instead of l'."""
    ext = list(labels)
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = log_probs[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = log_probs[0, ext[1]]
    for t in range(1, len(log_probs)):
        previous = alpha.copy()
        for s in range(len(ext)):
            terms = [previous[s]] + ([previous[s - 1]] if s >= 1 else [])
            if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]:
                terms.append(previous[s - 2])
            alpha[s] = np.logaddexp.reduce(terms) + log_probs[t, ext[s]]
    return -np.logaddexp.reduce(alpha[-2:])


def ctc_probability(log_probs, labels):
    """The recursion in probability space, without the final -log."""
    probs = np.exp(log_probs)
    extended = [0]
    for label in labels:
        extended += [label, 0]
    alpha = np.zeros(len(extended))
    alpha[0] = probs[0, 0]
    if len(extended) > 1:
        alpha[1] = probs[0, extended[1]]
    for t in range(1, len(probs)):
        new = np.zeros_like(alpha)
        for s in range(len(extended)):
            new[s] = alpha[s] + (alpha[s - 1] if s >= 1 else 0)
            if s >= 2 and extended[s] != 0 and extended[s] != extended[s - 2]:
                new[s] += alpha[s - 2]
            new[s] *= probs[t, extended[s]]
        alpha = new
    return alpha[-2:].sum()


def convlstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, order="ifco",
                  recurrent=True, flip=False):  # fmt: skip
    z = conv2d(x_t, kernel, bias, padding="same", flip=flip)
    if recurrent:
        z = z + conv2d(h_prev, recurrent_kernel, np.zeros_like(bias), padding="same", flip=flip)
    gates = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    c = sigmoid(gates["f"]) * c_prev + sigmoid(gates["i"]) * np.tanh(gates["c"])
    return sigmoid(gates["o"]) * np.tanh(c), c


def mase(y_true, y_pred, training, period=1, scale_period=None, squared=False):
    power = 2 if squared else 1
    errors = np.abs(np.asarray(y_true) - np.asarray(y_pred)) ** power
    lag = period if scale_period is None else scale_period
    naive = np.abs(training[lag:] - training[:-lag]) ** power
    return errors.mean() / naive.mean()


def mase_scaled_on_the_test_part(y_true, y_pred, training, period=1):
    naive = np.abs(y_true[period:] - y_true[:-period])
    return np.abs(y_true - y_pred).mean() / naive.mean()


def mase_scaled_on_the_horizon(y_true, y_pred, training, period=1):
    """Naive forecasts of the test values, the first ones from the training part's end."""
    naive = np.abs(y_true - np.concatenate([training[-period:], y_true])[: len(y_true)])
    return np.abs(y_true - y_pred).mean() / naive.mean()


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


# --- the course's references, as the checks' readers would call them -----------------------
def reference_lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    weights = cells.LSTMWeights(kernel, recurrent_kernel, bias)
    h, c = cells.lstm_forward(x_t[:, None], weights, h_prev, c_prev)
    return h[:, 0], c[:, 0]


def reference_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    weights = cells.GRUWeights(kernel, recurrent_kernel, bias)
    return cells.gru_forward(x_t[:, None], weights, h_prev)[:, 0]


def reference_convlstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    weights = cells.ConvLSTMWeights(kernel, recurrent_kernel, bias)
    h, c = cells.convlstm_forward(x_t[:, None], weights, h_prev, c_prev)
    return h[:, 0], c[:, 0]


def reference_rnn_step(x_t, h_prev, w_xh, w_hh, b_h):
    return cells.elman_forward(x_t[:, None], cells.ElmanWeights(w_xh, w_hh, b_h), h_prev)[:, 0]


def reference_discriminator_loss(real_logits, fake_logits):
    from companion import training

    real, fake = (np.float32(logits) for logits in (real_logits, fake_logits))
    return float(training.discriminator_loss(real, fake))


def reference_generator_loss(fake_logits):
    from companion import training

    return float(training.generator_loss(np.float32(fake_logits)))


# --- correct solutions pass ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("checker", "solution"),
    [
        (check.check_rnn_step, rnn_step),
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


@pytest.mark.parametrize(
    ("checker", "reference"),
    [
        (check.check_rnn_step, reference_rnn_step),
        (
            check.check_rnn_forward,
            lambda x, w_xh, w_hh, b_h, h0=None: cells.elman_forward(
                x, cells.ElmanWeights(w_xh, w_hh, b_h), h0
            ),
        ),
        (check.check_lstm_step, reference_lstm_step),
        (check.check_gru_step, reference_gru_step),
        (check.check_conv2d, conv.conv2d),
        (check.check_max_pool2d, conv.max_pool2d),
        (check.check_ctc_loss, lambda log_probs, labels: ctc.ctc_forward(log_probs, labels)[0]),
        (check.check_mase, metrics.mase),
        (check.check_convlstm_step, reference_convlstm_step),
        (check.check_discriminator_loss, reference_discriminator_loss),
        (check.check_generator_loss, reference_generator_loss),
    ],
)
def test_the_course_reference_passes(checker, reference):
    result = checker(reference)
    assert result, result.message


def test_every_check_is_exercised():
    checks = {
        name
        for name, value in vars(check).items()
        if name.startswith("check_") and getattr(value, "__module__", "") == check.__name__
    }
    assert checks == {
        "check_rnn_step",
        "check_rnn_forward",
        "check_lstm_step",
        "check_gru_step",
        "check_conv2d",
        "check_max_pool2d",
        "check_ctc_loss",
        "check_mase",
        "check_convlstm_step",
        "check_discriminator_loss",
        "check_generator_loss",
    }


# --- typical wrong solutions are caught, with the likely cause ------------------------------
MISTAKES = [
    # chapter 1
    (
        check.check_rnn_step,
        lambda x_t, h, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh + h @ w_hh.T + b_h),
        "recurrent matrix is transposed",
    ),
    (
        check.check_rnn_step,
        lambda x_t, h, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh.T + h @ w_hh + b_h),
        "input matrix is transposed",
    ),
    (
        check.check_rnn_step,
        lambda x_t, h, w_xh, w_hh, b_h: x_t @ w_xh + h @ w_hh + b_h,
        "the tanh is missing",
    ),
    (
        check.check_rnn_step,
        lambda x_t, h, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh + h @ w_hh),
        "the bias b_h is missing",
    ),
    (
        check.check_rnn_step,
        lambda x_t, h, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh + b_h),
        "h_prev is ignored",
    ),
    (check.check_rnn_forward, lambda *a, **k: rnn_forward(*a, **k, transpose=True), "transposed"),
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
    (
        check.check_rnn_forward,
        lambda *a, **k: rnn_forward(
            *a, **k, step=lambda x_t, h, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh + h @ w_hh)
        ),
        "the bias b_h is missing",
    ),
    (
        check.check_rnn_forward,
        lambda *a, **k: rnn_forward(
            *a, **k, step=lambda x_t, h, w_xh, w_hh, b_h: x_t @ w_xh + h @ w_hh + b_h
        ),
        "the tanh is missing",
    ),
    # chapter 2
    (check.check_lstm_step, lambda *a: lstm_step(*a, order="ifoc"), "order i, f, o, c"),
    (check.check_lstm_step, lambda *a: lstm_step(*a, order="fico"), "order f, i, c, o"),
    (check.check_lstm_step, lstm_step_per_gate, "recurrent matrix is transposed"),
    (check.check_lstm_step, lambda *a: lstm_step(*a, old_c=True), "previous cell state"),
    (
        check.check_gru_step,
        lambda *a: gru_step(*a, transpose=True),
        "recurrent matrix is transposed",
    ),
    (check.check_gru_step, lambda *a: gru_step(*a, swap=True), "update gate is used the other way"),
    (check.check_gru_step, lambda *a: gru_step(*a, order="rzh"), "order r, z, h"),
    (check.check_gru_step, lambda *a: gru_step(*a, reset_before=True), "reset_after=False"),
    # chapter 3
    (check.check_conv2d, lambda *a, **k: conv2d(*a, **k, flip=True), "kernel is flipped"),
    (check.check_conv2d, lambda *a, **k: conv2d(*a, **k, use_bias=False), "bias is missing"),
    (
        check.check_conv2d,
        lambda *a, **k: conv2d(*a, **k, use_stride=False),
        "stride-1 size: the stride is ignored",
    ),
    (
        check.check_conv2d,
        lambda *a, **k: conv2d(*a, **k, use_padding=False),
        "your output is the 'valid' size: padding='same' ignored?",
    ),
    (
        check.check_conv2d,
        lambda *a, **k: conv2d(*a, **k, pads=lambda size, k, s: (k // 2, k // 2)),
        "k // 2 on both sides",
    ),
    (
        check.check_conv2d,
        lambda *a, **k: conv2d(*a, **k, pads=lambda size, k, s: same_pads(size, k, 1)),
        "the one for stride 1",
    ),
    (check.check_conv2d, conv2d_stride_after_same, "the stride is taken after"),
    (
        check.check_conv2d,
        lambda *a, **k: conv2d(*a, **k, pads=lambda size, k, s: same_pads(size, k, s)[::-1]),
        "extra row/column at the start",
    ),
    (
        check.check_max_pool2d,
        lambda *a, **k: max_pool2d(*a, **k, pad_value=0.0),
        "pads with zeros",
    ),
    (
        check.check_max_pool2d,
        lambda *a, **k: max_pool2d(*a, **k, default_stride=1),
        "strides=None should mean strides = pool_size",
    ),
    # chapter 5
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
    (
        check.check_ctc_loss,
        lambda lp, labels: ctc_loss(lp, labels, last_frame=len(lp) - 1),
        "stops one frame early",
    ),
    (check.check_ctc_loss, lambda *a: ctc_loss(*a, trailing_blank=False), "no trailing blank"),
    (check.check_ctc_loss, ctc_loss_without_blanks, "no blanks in the extended labelling"),
    (check.check_ctc_loss, ctc_loss_on_the_labels, "no blanks in the extended labelling"),
    (check.check_ctc_loss, lambda *a: ctc_loss(*a, combine=np.maximum), "max instead of logsumexp"),
    (check.check_ctc_loss, ctc_probability, "the probability p(labels | x) itself"),
    # chapter 6
    (check.check_mase, lambda *a, **k: mase(*a, **k, scale_period=1), "ignores the season"),
    (check.check_mase, lambda *a, **k: 1 / mase(*a, **k), "upside down"),
    (check.check_mase, lambda *a, **k: mase(*a, **k, squared=True), "squared errors"),
    (check.check_mase, mase_scaled_on_the_test_part, "the scale comes from the test part"),
    (check.check_mase, mase_scaled_on_the_horizon, "the scale comes from the test part"),
    # chapter 7
    (check.check_convlstm_step, lambda *a: convlstm_step(*a, order="ifoc"), "i, f, o, c"),
    (
        check.check_convlstm_step,
        lambda *a: convlstm_step(*a, recurrent=False),
        "recurrent convolution",
    ),
    (check.check_convlstm_step, lambda *a: convlstm_step(*a, flip=True), "kernels are flipped"),
    # chapter 10
    (
        check.check_discriminator_loss,
        lambda r, f: discriminator_loss(r, f, swap=True),
        "labels are swapped",
    ),
    (check.check_discriminator_loss, lambda r, f: -discriminator_loss(r, f), "the sign"),
    (
        check.check_discriminator_loss,
        lambda r, f: discriminator_loss(stable_sigmoid(r), stable_sigmoid(f)),
        "sigmoid twice",
    ),
    (
        check.check_discriminator_loss,
        lambda r, f: np.mean(np.logaddexp(0, -r)),
        "only the real samples' term",
    ),
    (check.check_generator_loss, lambda f: generator_loss(f, minimax=True), "minimax"),
    (check.check_generator_loss, lambda f: -generator_loss(f), "the sign"),
    (check.check_generator_loss, lambda f: generator_loss(stable_sigmoid(f)), "sigmoid twice"),
]


@pytest.mark.parametrize(("checker", "wrong", "cause"), MISTAKES)
def test_a_typical_mistake_is_caught_and_named(checker, wrong, cause):
    result = checker(wrong)
    assert not result
    assert "Likely cause" in result.message and cause in result.message, result.message


def test_a_mistake_is_named_alone():
    """The cause named is the reader's mistake, not another one that happens to agree."""
    result = check.check_ctc_loss(lambda lp, labels: ctc_loss(lp, labels, last_frame=len(lp) - 1))
    assert result.message.count("Likely cause") == 1
    assert "trailing blank" not in result.message and "Viterbi" not in result.message


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


def test_a_transposed_input_matrix_gets_the_layout():
    result = check.check_rnn_forward(
        lambda *a, **k: rnn_forward(
            *a, **k, step=lambda x_t, h, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh.T + h @ w_hh + b_h)
        )
    )
    assert not result
    assert "case 1 of 4" in result.message and "raised ValueError" in result.message
    assert "w_xh is (features, units)" in result.message, result.message


# --- shapes ---------------------------------------------------------------------------------
def test_a_shape_mismatch_says_both_shapes():
    result = check.check_rnn_forward(lambda x, w_xh, w_hh, b_h, h0=None: np.zeros((2, 4)))
    assert not result
    assert "rnn_forward: case 1 of 4 (batch 2, 5 steps, 3 features, 4 units): " in result.message
    assert "expected shape (2, 5, 4), got (2, 4)" in result.message, result.message
    # zeros are no mistake's values, but (batch, units) is the shape of the last state alone
    assert "Likely cause, judging by the shape (2, 4): only the last hidden state" in (
        result.message
    )


def test_a_shape_mismatch_is_diagnosed_by_the_shape_alone():
    """Two slips at once: no mistake gives these values, but the shape tells which one."""

    def two_slips(x, kernel, bias, strides=1, padding="valid"):
        if padding == "same":  # right for 'valid'; for 'same', unpadded and flipped
            return conv2d(x, kernel, bias, strides, "valid", flip=True)
        return conv2d(x, kernel, bias, strides, padding)

    result = check.check_conv2d(two_slips)
    assert not result
    assert "case 2 of 6" in result.message
    assert "expected shape (2, 6, 7, 3), got (2, 4, 6, 3)" in result.message, result.message
    assert "judging by the shape (2, 4, 6, 3): your output is the 'valid' size" in result.message


def test_a_shape_mismatch_no_mistake_explains_has_no_cause():
    result = check.check_conv2d(lambda x, kernel, bias, **kw: np.zeros((1, 1)))
    assert not result
    assert "expected shape (2, 3, 3, 2), got (1, 1)" in result.message
    assert "Likely cause" not in result.message


def test_ignoring_the_stride_is_named_by_the_shape():
    result = check.check_conv2d(lambda *a, **k: conv2d(*a, **k, use_stride=False))
    assert "case 3 of 6" in result.message
    assert "expected shape (2, 3, 3, 2), got (2, 5, 5, 2)" in result.message, result.message


# --- CTC edge cases -------------------------------------------------------------------------
def test_the_ctc_cases_include_the_edge_cases():
    descriptions = [case.description for case in check._ctc_cases(0)]
    tight = [text for text in descriptions if "as few frames as the labels need" in text]
    assert tight and all(text.startswith(("3 frames", "4 frames")) for text in tight)
    for case in check._ctc_cases(0):
        log_probs, labels = case.args
        assert len(log_probs) >= ctc.min_time_steps(labels)
    assert any("labels []" in text for text in descriptions)
    assert any("[1, 1, 2]: as few frames" in text for text in descriptions)


def test_an_empty_labelling_the_function_cannot_handle_gets_a_hint():
    def no_empty_labels(log_probs, labels):
        extended = [0]
        for label in labels:
            extended += [label, 0]
        alpha = np.full((len(log_probs), len(extended)), -np.inf)
        alpha[0, 0], alpha[0, 1] = log_probs[0, 0], log_probs[0, extended[1]]
        return ctc_loss(log_probs, labels)

    result = check.check_ctc_loss(no_empty_labels)
    assert not result
    assert "case 8 of 8 (4 frames, 3 classes, labels []" in result.message, result.message
    assert "raised IndexError" in result.message
    assert "there is no alpha[0, 1], and the loss is -alpha[T - 1, 0]" in result.message


def test_a_solution_that_needs_spare_frames_fails_on_the_tight_case():
    def one_frame_to_spare(log_probs, labels):
        if len(log_probs) <= ctc.min_time_steps(labels):
            raise ValueError("not enough frames")
        return ctc_loss(log_probs, labels)

    result = check.check_ctc_loss(one_frame_to_spare)
    assert not result and "case 6 of 8 (3 frames, 4 classes, labels [1, 2, 3]" in result.message


# --- robustness -----------------------------------------------------------------------------
def test_a_function_that_changes_its_inputs_cannot_change_the_diagnosis():
    def flips_in_place(x, kernel, bias, strides=1, padding="valid"):
        kernel[:] = kernel[::-1, ::-1].copy()  # a true convolution, done in place
        return conv2d(x, kernel, bias, strides, padding)

    result = check.check_conv2d(flips_in_place)
    assert not result and "kernel is flipped" in result.message, result.message


def test_a_correct_function_that_changes_its_inputs_passes():
    def overwrites(x, w_xh, w_hh, b_h, h0=None):
        states = rnn_forward(x, w_xh, w_hh, b_h, h0)
        for array in (x, w_xh, w_hh, b_h):
            array[...] = np.nan
        return states

    def consumes_labels(log_probs, labels):
        loss = ctc_loss(log_probs, labels)
        labels.clear()
        log_probs[...] = 0.0
        return loss

    assert check.check_rnn_forward(overwrites)
    assert check.check_ctc_loss(consumes_labels)


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

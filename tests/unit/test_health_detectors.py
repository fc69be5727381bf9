"""Each detector on worked series: the step it fires at, once per episode, when it clears, its threshold."""

from __future__ import annotations

import math

import pytest
from builders.health import episodes, fired, history, kinds, run_all, run_each

from trainmon_tui.health.thresholds import Thresholds

NAN, INF = math.nan, math.inf
FLAT = [1.0] * 30


def test_a_healthy_falling_loss_gives_no_alert():
    losses = [2.0 - 0.01 * i for i in range(100)]
    report = run_all(history(losses, evals={20: 1.9, 40: 1.8, 60: 1.7, 80: 1.6}))
    assert report.history == () and report.active == ()


def test_nan_loss_fires_at_its_first_step_counts_those_since_and_clears_after_clean_logs():
    losses = [*FLAT[:10], NAN, 1.0, NAN, *([1.0] * 25)]
    _, reports = run_each(history(losses))
    assert fired(reports) == [("nan_loss", 11)]  # once, though two NaNs
    during = reports[12]  # the entry of step 13, the second NaN
    (alert,) = during.active
    assert alert.severity == "critical" and alert.count == 2
    assert (
        "step 11" in alert.message_en
        and "2 non-finite" in alert.message_en
        and "第 11 步" in alert.message_zh
    )
    cleared_at = next(i for i, r in enumerate(reports) if r.cleared)
    assert cleared_at == 12 + 20  # 20 finite logs after the last NaN (nonfinite_clear_logs)
    assert reports[-1].active == ()


def test_nonfinite_grad_norm_is_a_warning_and_its_clear_count_is_configurable():
    grads = [1.0] * 5 + [INF] + [1.0] * 10 + [NAN] + [1.0] * 5
    losses = [1.0] * len(grads)
    assert episodes(run_all(history(losses, grad=grads))) == [("nan_grad_norm", 6)]
    quick = Thresholds(nonfinite_clear_logs=3)
    report = run_all(history(losses, grad=grads), quick)
    assert episodes(report) == [("nan_grad_norm", 6), ("nan_grad_norm", 17)]
    assert {a.severity for a in report.history} == {"warning"}


def test_loss_spike_needs_history_a_ratio_and_an_absolute_rise():
    losses = [*FLAT[:20], 3.5, *FLAT[:10]]
    _, reports = run_each(history(losses))
    assert fired(reports) == [("loss_spike", 21)]
    assert reports[21].cleared and kinds(reports[21].cleared) == ["loss_spike"]
    assert episodes(run_all(history([5.0, *FLAT[:20]]))) == []  # a large first loss has no baseline
    assert episodes(run_all(history([*[0.001] * 20, 0.05]))) == []  # x50, but only 0.049 up: noise near 0
    assert episodes(run_all(history(losses), Thresholds(spike_factor=4.0))) == []


def test_grad_explosion_relative_and_absolute():
    grads = [*[1.0] * 20, 12.0, *[1.0] * 5, 150.0, 1.0]
    report = run_all(history([1.0] * len(grads), grad=grads))
    assert episodes(report) == [("grad_explosion", 21), ("grad_explosion", 27)]
    assert "above 100" in report.history[1].message_en
    assert episodes(run_all(history([1.0] * 2, grad=[1.0, 500.0]))) == [
        ("grad_explosion", 2)
    ]  # no history needed
    small = [*[0.01] * 20, 1.0]  # x100, but below grad_floor: a clipped run's harmless bump
    assert episodes(run_all(history([1.0] * 21, grad=small))) == []
    higher = run_all(history([1.0] * len(grads), grad=grads), Thresholds(grad_max=1000.0, grad_factor=200.0))
    assert episodes(higher) == []


def test_divergence_when_the_smoothed_loss_keeps_rising_with_lr_above_zero():
    losses = [1.0 - 0.01 * i for i in range(30)] + [0.7 + 0.05 * i for i in range(30)]
    _, reports = run_each(history(losses))
    (when,) = [i for i, r in enumerate(reports) if r.fired]
    alert = reports[when].fired[0]
    assert alert.kind == "divergence" and alert.severity == "critical"
    assert reports[when - 1].active == ()
    # fewer logs asked: earlier; with the learning rate at zero it is no divergence of the optimiser
    sooner = run_all(history(losses), Thresholds(divergence_logs=5)).history[0]
    assert sooner.kind == "divergence" and sooner.step is not None and sooner.step < alert.step
    assert "divergence" not in kinds(run_all(history(losses, lr=0.0)).history)


def test_divergence_is_not_judged_for_grpo_whose_loss_grows_with_kl():
    losses = [0.0] * 5 + [0.01 * i for i in range(40)]
    grpo = {"reward": 0.5, "kl": 0.01}
    assert "divergence" not in kinds(run_all(history(losses, extra=grpo)).history)
    assert "divergence" in kinds(run_all(history(losses)).history)


def test_overfitting_three_eval_rises_while_training_loss_falls():
    losses = [2.0 - 0.01 * i for i in range(100)]
    evals = {20: 1.5, 40: 1.4, 60: 1.45, 70: 1.5, 80: 1.6, 90: 1.7, 100: 1.3}
    _, reports = run_each(history(losses, evals=evals))
    assert fired(reports) == [("overfitting", 80)]  # the third rise in a row
    assert "overfitting" in kinds(next(r for r in reports if r.cleared).cleared)  # the eval loss fell at 100
    assert reports[-1].active == ()
    tiny = {20: 1.5, 40: 1.501, 60: 1.502, 80: 1.503}  # three rises of 0.07%: noise
    assert episodes(run_all(history(losses, evals=tiny))) == []
    assert episodes(run_all(history(losses, evals=evals), Thresholds(overfit_evals=4))) == [
        ("overfitting", 90)
    ]


def test_overfitting_needs_the_training_loss_to_fall():
    losses = [1.0 + 0.001 * i for i in range(80)]  # rising too: that is no overfitting
    evals = {20: 1.5, 40: 1.6, 60: 1.7, 80: 1.8}
    assert "overfitting" not in kinds(run_all(history(losses, evals=evals)).history)


def test_learning_rate_at_zero_with_steps_left():
    rates = [1e-4] * 10 + [0.0] * 5 + [1e-4] * 3
    report = run_all(history([1.0] * len(rates), lr=rates), max_steps=100)
    assert episodes(report) == [("lr_zero", 13)]  # the third zero in a row
    assert report.active == ()  # the rate came back
    assert "87 steps left" in report.history[0].message_en
    at_end = [1e-4] * 7 + [0.0] * 3  # a schedule that reaches 0 at max_steps is right
    assert "lr_zero" not in kinds(run_all(history([1.0] * 10, lr=at_end), max_steps=10).history)


@pytest.mark.parametrize("extra", [{}, {"mean_token_accuracy": 0.5}])
def test_zero_loss_for_many_steps(extra):
    losses = [1.0] * 5 + [0.0] * 25
    report = run_all(history(losses, extra=extra))
    assert episodes(report) == [("zero_loss", 25)]  # the 20th zero in a row
    assert episodes(run_all(history(losses, extra=extra), Thresholds(zero_loss_logs=30))) == []


def test_zero_loss_is_normal_for_grpo():
    losses = [0.0] * 40
    assert episodes(run_all(history(losses, extra={"reward": 0.2, "reward_std": 0.1}))) == []


def test_thresholds_from_pairs_and_their_errors():
    limits = Thresholds().with_overrides(["spike_factor=5", "zero-loss-logs=7"])
    assert limits.spike_factor == 5.0 and limits.zero_loss_logs == 7
    with pytest.raises(ValueError, match="unknown threshold 'nope'"):
        Thresholds().with_overrides(["nope=1"])
    with pytest.raises(ValueError, match=r"zero_loss_logs: '1\.5' is not a whole number"):
        Thresholds().with_overrides(["zero_loss_logs=1.5"])
    with pytest.raises(ValueError, match="spike_factor: 'nan' is out of range"):
        Thresholds().with_overrides(["spike_factor=nan"])


def test_a_window_too_large_to_keep_is_refused():
    with pytest.raises(ValueError, match=r"spike_window: '1000000000' is out of range \(1 to 10000\)"):
        Thresholds().with_overrides(["spike_window=1000000000"])
    assert Thresholds().with_overrides(["grad_window=10000"]).grad_window == 10_000


def test_a_new_level_that_lasts_a_window_becomes_the_baseline():
    losses = [0.01] * 100 + [1.0] * 5000  # not a spike any more once it has lasted spike_window logs
    _, reports = run_each(history(losses[:160]))
    spikes = [key for key in fired(reports) if key[0] == "loss_spike"]  # (and a divergence, rightly)
    assert spikes == [("loss_spike", 101)]
    over = next(i for i, r in enumerate(reports) if "loss_spike" in kinds(r.cleared))
    # the 42nd log at the new level: its window of 50 holds 9 old values, fewer than min_history=10
    assert over == 100 + 41
    whole = run_all(history(losses))
    (spike,) = [a for a in whole.history if a.kind == "loss_spike"]
    assert spike.step == 101 and spike.count == 41 and "loss_spike" not in kinds(whole.active)

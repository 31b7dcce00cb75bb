"""Helpers for the tests in lesson notebooks: checks whose failures say what is wrong.

A test cell reads like a list of claims about the student's function:

    loss = grading.call(d_loss, real, fake)
    grading.expect_scalar(loss, "d_loss(real_logits, fake_logits)")
    grading.expect_close(loss, reference, "d_loss on random logits")
"""

from __future__ import annotations

import warnings

import torch


class NotDone(AssertionError):
    """The exercise still raises NotImplementedError."""


def call(fn, *args, **kwargs):
    """Call the student's function; an unfinished exercise fails with a plain message.

    Warnings are silenced: nbgrader fails a test cell that writes to stderr, and a warning
    (`float()` of a tensor that requires grad, say) is not a wrong answer.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except NotImplementedError:
        raise NotDone(
            f"{getattr(fn, '__name__', fn)} is not implemented yet: "
            "replace `raise NotImplementedError()` with your code."
        ) from None


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def as_tensor(value, what: str) -> torch.Tensor:
    expect(
        isinstance(value, torch.Tensor),
        f"{what}: expected a torch.Tensor, got {type(value).__name__}",
    )
    return value


def expect_scalar(value, what: str) -> torch.Tensor:
    """A 0-dimensional floating tensor (a loss), still attached to the graph if its inputs were."""
    value = as_tensor(value, what)
    expect(
        value.dim() == 0,
        f"{what}: expected a scalar (0-dim tensor, e.g. a mean over the batch), got shape {tuple(value.shape)}",
    )
    expect(
        value.is_floating_point(), f"{what}: expected a floating-point tensor, got {value.dtype}"
    )
    return value


def expect_finite(value, what: str) -> None:
    value = as_tensor(value, what)
    expect(
        bool(torch.isfinite(value).all()),
        f"{what}: expected finite values, got {value.detach().flatten()[:6].tolist()} "
        "(a log of 0 or an exp overflow? work with logits: F.softplus or F.logsigmoid are stable)",
    )


def expect_close(actual, expected, what: str, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """`actual` matches `expected` in shape and value."""
    actual = as_tensor(actual, what).detach().float()
    expected = torch.as_tensor(expected).detach().float()
    expect(
        actual.shape == expected.shape,
        f"{what}: expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}",
    )
    expect_finite(actual, what)
    if not torch.allclose(actual, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: expected {_show(expected)}, got {_show(actual)}")


def expect_grad(loss: torch.Tensor, inputs: torch.Tensor, what: str) -> torch.Tensor:
    """The loss is differentiable with respect to `inputs`; returns the gradient."""
    expect(
        loss.requires_grad,
        f"{what}: the result is not attached to the autograd graph "
        "(did you call .item(), .detach(), .numpy() or build a new tensor from floats?)",
    )
    (grad,) = torch.autograd.grad(loss, inputs, retain_graph=True)
    return grad


def _show(t: torch.Tensor) -> str:
    if t.numel() == 1:
        return f"{t.item():.6g}"
    values = ", ".join(f"{x:.4g}" for x in t.flatten()[:6].tolist())
    return f"[{values}{', ...' if t.numel() > 6 else ''}] (shape {tuple(t.shape)})"

"""Checkpoints that say what went wrong: saving and loading G, D and their optimisers.

A checkpoint remembers each network's class, settings (`extra_repr`) and tensor shapes, so that
loading it into a different network raises an error naming the mismatch instead of a wall of
`load_state_dict` keys. `training.train_gan` writes and resumes from these files.
"""

import os
import tempfile
from pathlib import Path

import torch

CHECKPOINT_FORMAT = "gankit-checkpoint-v1"
# Pretrained generators the repository ships, made by data/make_checkpoints.py.
PRETRAINED_DIR = Path(__file__).resolve().parents[1] / "data" / "checkpoints"


def pretrained(name: str) -> Path:
    """The path of a shipped checkpoint, e.g. `pretrained("02_first_gan_digits")`."""
    path = PRETRAINED_DIR / f"{name}.pt"
    if not path.exists():
        shipped = sorted(p.stem for p in PRETRAINED_DIR.glob("*.pt"))
        raise FileNotFoundError(
            f"no pretrained checkpoint {name!r} in {PRETRAINED_DIR} (it has {shipped}); "
            "make it with `python data/make_checkpoints.py`"
        )
    return path


def _signature(model) -> dict:
    """What a checkpoint remembers about a network: its class, settings and tensor shapes."""
    return {
        "class": type(model).__name__,
        "config": model.extra_repr(),
        "shapes": {name: list(t.shape) for name, t in model.state_dict().items()},
    }


def _check_signature(path, saved: dict, model) -> None:
    """Raise a ValueError that says what differs when `model` cannot take the saved weights."""
    current = _signature(model)
    saved_name = f"{saved['class']}({saved['config']})"
    this_name = f"{current['class']}({current['config']})"
    where = f"checkpoint {path} was saved from {saved_name}"
    if saved["class"] != current["class"]:
        raise ValueError(f"{where}; it cannot be loaded into {this_name}")
    for name, shape in saved["shapes"].items():
        if name not in current["shapes"]:
            raise ValueError(f"{where} with parameter {name}; this {this_name} has no {name}")
        if list(shape) != current["shapes"][name]:
            raise ValueError(
                f"{where} with parameter {name} of shape {tuple(shape)}; "
                f"this {this_name} has {tuple(current['shapes'][name])}"
            )
    for name in current["shapes"]:
        if name not in saved["shapes"]:
            raise ValueError(f"{where}, which has no parameter {name}; this {this_name} does")


def save_checkpoint(path, *, G, D=None, opt_g=None, opt_d=None, **extra) -> None:
    """Write G, D, their optimisers and any `extra` fields (tensors, numbers, lists, dicts).

    D may be left out: a generator alone is what a pretrained checkpoint needs to sample.

    The file is written to a temporary name and renamed, so an interrupted save never leaves a
    half-written checkpoint behind.
    """
    payload = {
        "format": CHECKPOINT_FORMAT,
        "G": G.state_dict(),
        "D": None if D is None else D.state_dict(),
        "G_signature": _signature(G),
        "D_signature": None if D is None else _signature(D),
        "opt_g": None if opt_g is None else opt_g.state_dict(),
        "opt_d": None if opt_d is None else opt_d.state_dict(),
        "extra": extra,
    }
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pt")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes the file private; a checkpoint is not
    try:
        torch.save(payload, tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        os.remove(tmp_path)
        raise


def load_checkpoint(path, *, G, D=None, opt_g=None, opt_d=None) -> dict:
    """Load weights (and optimiser states, if given) saved by `save_checkpoint`.

    Returns the `extra` fields. Raises FileNotFoundError for a missing file and ValueError for
    a corrupt file or one saved from differently shaped networks.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise ValueError(
            f"could not read checkpoint {path}: it is corrupt or not a gankit checkpoint"
        ) from err
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"could not read checkpoint {path}: it is corrupt or not a gankit checkpoint"
        )

    if D is not None and payload["D"] is None:
        raise ValueError(f"checkpoint {path} holds a generator only; it has no D to load")
    _check_signature(path, payload["G_signature"], G)
    if D is not None:
        _check_signature(path, payload["D_signature"], D)
    G.load_state_dict(payload["G"])
    if D is not None:
        D.load_state_dict(payload["D"])
    for name, optimizer in (("opt_g", opt_g), ("opt_d", opt_d)):
        if optimizer is None:
            continue
        if payload[name] is None:
            raise ValueError(f"checkpoint {path} has no {name} state to load")
        optimizer.load_state_dict(payload[name])
    return payload["extra"]

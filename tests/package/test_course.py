"""gankit.course: profiles, records, the fallback to the reference, and the lesson runner's table."""

import functools
import json

import pytest
import torch

from gankit import course

KNOBS = {"ci": {"steps": 1}, "laptop": {"steps": 10}, "full": {"steps": 100}}


def test_start_picks_the_profiles_knobs(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    lesson = course.start("01_minimax", "laptop", KNOBS)
    assert lesson.profile == "laptop" and lesson.knobs.steps == 10


def test_nbgrader_runs_the_ci_profile(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert course.start("01_minimax", "laptop", KNOBS).knobs.steps == 1


def test_start_rejects_unknown_profiles_and_missing_knobs():
    with pytest.raises(ValueError, match="expected PROFILE to be one of"):
        course.start("x", "gpu", KNOBS)
    with pytest.raises(ValueError, match="missing \\['full'\\]"):
        course.start("x", "ci", {"ci": {}, "laptop": {}})


def test_record_writes_the_runners_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(course.METRICS_DIR_ENV, str(tmp_path))
    lesson = course.start("01_minimax", "ci", KNOBS)
    import torch

    lesson.record(
        {"ring_modes": torch.tensor(7.7), "ring_hq": 0.86, "grid_modes": 23},
        [course.target("ring_modes", ">=", 7), course.target("ring_hq", ">=", 0.9)],
    )
    saved = json.loads((tmp_path / "01_minimax.json").read_text())
    assert saved["metrics"] == pytest.approx({"ring_modes": 7.7, "ring_hq": 0.86, "grid_modes": 23})
    assert [t["met"] for t in saved["targets"]] == [True, False]
    assert saved["profile"] == "ci" and saved["seconds"] >= 0
    assert "ring_hq >= 0.9: MISSED" in capsys.readouterr().out


def test_record_rejects_a_target_on_an_unknown_metric():
    lesson = course.start("x", "ci", KNOBS)
    with pytest.raises(KeyError, match="ring_modes"):
        lesson.record({"grid_modes": 3}, [course.target("ring_modes", ">=", 7)])
    with pytest.raises(ValueError, match="op"):
        course.target("ring_modes", "=>", 7)


def test_record_rejects_a_metric_that_is_not_a_number():
    lesson = course.start("x", "ci", KNOBS)
    with pytest.raises(TypeError, match="'projection'"):
        lesson.record({"cond_accuracy": 0.97, "best": "projection"})


def test_with_fallback_uses_the_reference_until_the_exercise_is_done(capsys):
    def mine(x):
        raise NotImplementedError()

    fn = course.with_fallback(mine, abs)
    assert fn(-3) == 3 and fn(-4) == 4
    assert capsys.readouterr().out.count("not implemented yet") == 1
    assert course.with_fallback(lambda x: x + 1, abs)(-3) == -2


def test_with_fallback_names_a_partial_reference_by_its_function(capsys):
    def mine(x):
        raise NotImplementedError()

    fn = course.with_fallback(mine, functools.partial(pow, exp=2))
    assert fn(3) == 9
    assert "gankit's builtins.pow for now" in capsys.readouterr().out


def test_table_shows_failures_and_targets():
    results = [
        {"lesson": "00_welcome", "profile": "ci", "seconds": 12.0, "metrics": {"a": 0.5}, "targets": []},
        {"lesson": "01_minimax", "profile": "ci", "seconds": 50.0, "error": "ZeroDivisionError"},
        {"lesson": "02_x", "profile": "ci", "seconds": 1.0, "metrics": {"m": 7},
         "targets": [{"metric": "m", "op": ">=", "value": 7, "met": True}]},
    ]  # fmt: skip
    table = course.format_table(results)
    assert "FAILED: ZeroDivisionError" in table and "1/1 met" in table and "a=0.5" in table


def test_runner_reports_a_failing_notebook(tmp_path):
    """A lesson whose notebook raises fails the run with the error in the table."""
    import nbformat

    lesson = tmp_path / "solutions" / "99_broken"
    lesson.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('PROFILE = "laptop"', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("1 / 0")]  # fmt: skip
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, lesson / "99_broken.ipynb")
    results, ok = course.run_lessons(
        "ci", solutions=tmp_path / "solutions", build=tmp_path / "build"
    )
    assert not ok and "ZeroDivisionError" in results[0]["error"]


def test_model_or_reference_builds_yours_once_it_runs(capsys):
    from torch import nn

    from gankit.models import MLPImageGenerator

    class Unfinished(nn.Module):
        def __init__(self, z_dim=64, hidden=256):
            super().__init__()
            self.z_dim, self.layer = z_dim, nn.Linear(z_dim, 4)

        def sample_z(self, n, generator=None):
            return torch.randn(n, self.z_dim)

        def forward(self, z):
            raise NotImplementedError()

    class Finished(Unfinished):
        def forward(self, z):
            return self.layer(z)

    fallback = course.model_or_reference(Unfinished, MLPImageGenerator, z_dim=8, hidden=16)
    assert isinstance(fallback, MLPImageGenerator) and fallback.z_dim == 8
    assert "Unfinished is not implemented yet" in capsys.readouterr().out
    assert isinstance(course.model_or_reference(Finished, MLPImageGenerator, z_dim=8), Finished)

"""The hosted CI and publishing workflows (.github/workflows) run what the README promises:
`make test` on every push and pull request, and on the main branch `make book` in full mode
with its execution cache kept, the results kept, and the HTML deployed to GitHub Pages.
(`make lint` validates the files against the workflow schema.)"""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOWS = Path(__file__).resolve().parents[1] / ".github" / "workflows"


def _load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
    return workflow


def _runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_every_push_and_pull_request_runs_make_test():
    workflow = _load("test.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert "make test" in _runs(workflow["jobs"]["make-test"])


def test_every_push_runs_the_chapters_under_the_oldest_supported_tensorflow():
    workflow = _load("test.yml")
    assert "make colab-check" in _runs(workflow["jobs"]["colab-check"])


def test_main_builds_the_book_with_its_cache_and_deploys_it():
    workflow = _load("book.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "make book" in _runs(build)
    cache = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/cache"))
    # The results recorded by cached chapters are restored with the cache that skips them.
    assert cache["with"]["path"].split() == ["_build/.jupyter_cache", "_build/results.json"]
    kept = next(
        s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert "_build/results.json" in kept["with"]["path"]
    assert "actions/upload-pages-artifact" in _uses(build)
    assert deploy["needs"] == "build" and "actions/deploy-pages" in _uses(deploy)
    assert workflow["permissions"]["pages"] == "write"

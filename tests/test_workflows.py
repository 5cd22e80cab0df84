"""The hosted CI and publishing workflows (.github/workflows) run what the README promises:
`make test` on every push and pull request, and on the main branch `make book` in full mode
with its execution cache kept, the results kept, and the HTML deployed to GitHub Pages.
(`make lint` validates the files against the workflow schema and with actionlint.)"""

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


def _step(job: dict, action: str) -> dict:
    return next(s for s in job["steps"] if s.get("uses", "").split("@")[0] == action)


def test_main_builds_the_book_with_its_cache_and_deploys_it():
    workflow = _load("book.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "make book" in _runs(build)
    restore, save = _step(build, "actions/cache/restore"), _step(build, "actions/cache/save")
    # The results recorded by cached chapters are restored with the cache that skips them,
    # and a failed build still saves the chapters it finished.
    cached = ["_build/.jupyter_cache", "_build/results.json"]
    assert restore["with"]["path"].split() == save["with"]["path"].split() == cached
    assert save["if"] == "always()" and save["with"]["key"] == restore["with"]["key"]
    # A change to the package or the pins starts a new cache: it is in the cache's name.
    (name,) = [s["run"] for s in build["steps"] if s.get("id") == "cache"]
    assert "hashFiles('companion/**/*.py', 'requirements.txt')" in name
    assert restore["with"]["restore-keys"] == "${{ steps.cache.outputs.prefix }}"
    kept = _step(build, "actions/upload-artifact")
    assert kept["with"]["path"].split() == ["_build/jupyter_execute/notebooks", *cached[1:]]
    assert kept["with"]["if-no-files-found"] == "error"
    assert "actions/upload-pages-artifact" in _uses(build)
    assert deploy["needs"] == "build" and "actions/deploy-pages" in _uses(deploy)
    assert deploy["if"] == "github.ref == 'refs/heads/main'"
    assert workflow["permissions"]["pages"] == "write"

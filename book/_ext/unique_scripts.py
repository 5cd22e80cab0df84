"""Sphinx extension: drop repeated inline scripts from every page.

sphinx-thebe 0.3 registers its inline configuration script (``const THEBE_JS_URL = ...``)
in a way that Sphinx 7.4 emits twice per page (so does sphinx-togglebutton), and the
second ``const`` declaration is a script error in every browser. This keeps the first
copy of each identical script.
"""

from __future__ import annotations

from typing import Any


def _unique_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # The copies differ in how they spell "no file" (None or ""): compare what ends up
        # in the page.
        key = (
            str(getattr(script, "filename", script) or ""),
            repr(getattr(script, "attributes", None)),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _unique_scripts, priority=100000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

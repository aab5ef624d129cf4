"""The test tree's folders decide the markers.

``tests/unit/`` fast tests: no real model, no browser, no app server (``tests/fakes.py`` has the fake encoder);
``tests/integration/`` the real model, the CLI and the app for real: marked ``slow`` here;
``tests/browser/`` chromium through Playwright: marked ``browser`` and ``slow`` here.
A test under ``tests/unit/`` that carries ``slow`` or ``browser`` stops the run: it belongs in another folder.
"""

from __future__ import annotations

import pytest

from tests.paths import TESTS

FOLDER_MARKERS = {"integration": ("slow",), "browser": ("browser", "slow")}


def _folder(item: pytest.Item) -> str | None:
    """The top folder of ``tests/`` that holds ``item`` (``unit``, ``integration``, ``browser``)."""
    try:
        parts = item.path.relative_to(TESTS).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    misplaced = []
    for item in items:
        folder = _folder(item)
        for name in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(name)
        if folder == "unit" and any(item.get_closest_marker(m) for m in ("slow", "browser")):
            misplaced.append(item.nodeid)
    if misplaced:
        raise pytest.UsageError("slow or browser tests under tests/unit (move them to tests/integration or "
                                "tests/browser):\n  " + "\n  ".join(misplaced))

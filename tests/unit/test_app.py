"""app.py's arguments (the page itself is tested in tests/unit/ui/ and tests/browser/)."""

from __future__ import annotations

import pytest

import app


def test_app_arguments():
    a = app.parse_args([])
    assert (a.host, a.port, a.auth) == ("127.0.0.1", 7860, None)
    assert a.index.endswith("index")
    a = app.parse_args(["--index", "/x", "--host", "0.0.0.0", "--port", "8000", "--auth", "ann:pa:ss"])
    assert (a.index, a.host, a.port, a.auth) == ("/x", "0.0.0.0", 8000, ("ann", "pa:ss"))
    for bad in (["--auth", "nopass"], ["--auth", ":x"], ["--port", "0"]):
        with pytest.raises(SystemExit):
            app.parse_args(bad)

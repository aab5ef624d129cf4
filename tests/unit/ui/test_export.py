"""The export folder (rag/ui/export.py): removed with the page and at exit."""

from __future__ import annotations

import gc

from rag.ui.export import ExportFolder


def test_export_folder_is_removed():
    folder = ExportFolder()
    f = folder.new_file()
    f.write_text("x", encoding="utf-8")
    assert f.parent == folder.path and folder.path.is_dir()
    folder.cleanup()
    assert not folder.path.exists()
    folder.cleanup()  # twice is fine
    other = ExportFolder()
    path = other.path
    del other
    gc.collect()
    assert not path.exists()  # also when the page goes away (and at exit)

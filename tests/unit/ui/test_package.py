"""The rag.ui package: importing it starts nothing heavy."""

from __future__ import annotations


def test_ui_package_import_has_no_side_effects():
    import subprocess
    import sys

    code = ("import sys, rag.ui, rag.ui.backend, rag.ui.cards, rag.ui.export, rag.ui.facts, rag.ui.page; "
            "print(sorted(m for m in ('gradio', 'torch', 'faiss', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

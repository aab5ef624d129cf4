"""The CLI's error path without an index: a message and exit code 2, no model loaded."""

from rag import cli


def test_errors_become_messages(tmp_path, capsys):
    assert cli.main(["ask", "anything", "--index", str(tmp_path / "nothing")]) == 2
    assert "no index" in capsys.readouterr().err


def test_ingest_offers_every_dtype_the_embedder_computes():
    from rag.cli import build_parser
    from rag.embedding import DTYPES

    for dtype in DTYPES:
        assert build_parser().parse_args(["ingest", "seeds", "--dtype", dtype]).dtype == dtype

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


def test_a_missing_batch_file_is_a_message_before_any_model_is_loaded(tmp_path, capsys):
    missing = tmp_path / "nonexist.jsonl"
    assert cli.main(["ask", "--batch", str(missing), "--index", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert f"cannot read the batch file {missing}" in err and "Traceback" not in err

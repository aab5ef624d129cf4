"""The CLI's error path without an index: a message and exit code 2, no model loaded."""

from rag import cli


def test_errors_become_messages(tmp_path, capsys):
    assert cli.main(["ask", "anything", "--index", str(tmp_path / "nothing")]) == 2
    assert "no index" in capsys.readouterr().err

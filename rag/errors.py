"""The library's exceptions. Raised in the library, translated to messages at the CLI/UI edge."""


class RagError(Exception):
    """Base class for every error the library raises on purpose."""


class TranscriptError(RagError):
    """A transcript file could not be parsed. ``path`` and ``line`` say where."""

    def __init__(self, path: str, message: str, line: int | None = None, hint: str = "") -> None:
        self.path = path
        self.line = line
        self.hint = hint
        where = f"{path}:{line}" if line else path
        text = f"{where}: {message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class IndexStateError(RagError):
    """The index is missing, incomplete, or built with another model/format."""


class QueryError(RagError):
    """A question or filter value is not acceptable (bad date, too long, bad k)."""


class MissingDependency(RagError):
    """A heavy optional backend is not installed."""

"""The library's exceptions. Raised in the library, translated to messages at the CLI/UI edge."""


class RagError(Exception):
    """Base class for every error the library raises on purpose."""


class TranscriptError(RagError):
    """A transcript file could not be parsed. ``path`` and ``line`` say where."""

    def __init__(self, path: str, message: str, line: int | None = None, hint: str = "") -> None:
        self.path = path
        self.line = line
        self.hint = hint
        self.message = message
        super().__init__(f"{path}:{line}: {self.detail}" if line else f"{path}: {self.detail}")

    @property
    def detail(self) -> str:
        """The message without the path: ``line 3: not valid UTF-8 (re-save the file as UTF-8)``."""
        text = f"line {self.line}: {self.message}" if self.line else self.message
        return f"{text} ({self.hint})" if self.hint else text


class IndexStateError(RagError):
    """The index is missing, incomplete, or built with another model/format."""


class QueryError(RagError):
    """A question or filter value is not acceptable (bad date, too long, bad k)."""


class MissingDependency(RagError):
    """A heavy optional backend is not installed."""

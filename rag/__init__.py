"""Spokesperson Search: verbatim, cited answers from MFA press-conference transcripts.

Nothing is imported or configured here on purpose: importing ``rag`` must stay
cheap and side-effect free. Heavy backends (torch, faiss, bm25s) are imported
lazily by the modules that need them.
"""

__version__ = "0.1.0"

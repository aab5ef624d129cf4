"""Retrieval evaluation (``rag eval``). Filled in by the evaluation issue."""

from __future__ import annotations

import argparse

from .errors import RagError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", help="folder with queries.jsonl and qrels/test.tsv")


def run_cli(args: argparse.Namespace) -> int:
    raise RagError("rag eval is not implemented yet")

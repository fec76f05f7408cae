"""The `--check` or write step of the scripts that generate a docs page from its sources
(build_data_dictionary.py, build_criteria_doc.py): CI runs `--check`, a person the write."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def check_requested(argv: list[str] | None, doc: str) -> bool:
    """The script's one option, `--check`; its description is the first line of `doc`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    return parser.parse_args(argv).check


def check_or_write(target: Path, text: str, *, check: bool, stale: str, wrote: str) -> int:
    """With check, exit status 1 (and the `stale` note on stderr) when the page on disk is not
    `text`; without, write `text` there and print `wrote`. Returns the exit status."""
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(stale, file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(wrote)
    return 0

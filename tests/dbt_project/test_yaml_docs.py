"""The dbt project's YAML: small files by folder, and shared column meanings written once.

Read with PyYAML, not through a dbt parse: the cheapest layer that catches a file grown past
the limit, a description copied from model to model, or a doc block nobody uses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
MODELS = REPOSITORY / "models"
MAX_YAML_LINES = 300
# A description written out this many times is a doc block's to hold (models/docs/).
MAX_COPIES_OF_A_DESCRIPTION = 2

DOC_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}")
DOC_REFERENCE = re.compile(r"""doc\(\s*["'](\w+)["']\s*\)""")


def yaml_files() -> list[Path]:
    return sorted(MODELS.rglob("*.yml"))


def doc_blocks() -> dict[str, Path]:
    return {name: path for path in sorted(MODELS.rglob("*.md")) for name in DOC_BLOCK.findall(path.read_text())}


def described_columns() -> list[tuple[str, str, str, str]]:
    """(file, model or source table, column, description) of every column with a description."""
    found = []
    for path in yaml_files():
        document = yaml.safe_load(path.read_text()) or {}
        nodes = [*(document.get("models") or []), *(document.get("seeds") or []),
                 *(table for source in document.get("sources") or [] for table in source.get("tables") or [])]
        for node in nodes:
            for column in node.get("columns") or []:
                if column.get("description"):
                    found.append((str(path.relative_to(REPOSITORY)), node["name"], column["name"],
                                  " ".join(str(column["description"]).split())))
    return found


def test_no_yaml_file_is_over_the_limit():
    """A folder's YAML is split by model before it grows past what a reader takes in."""
    long = {str(path.relative_to(REPOSITORY)): lines for path in yaml_files()
            if (lines := len(path.read_text().splitlines())) > MAX_YAML_LINES}
    assert long == {}


def test_every_doc_reference_names_a_block():
    blocks = doc_blocks()
    unknown = {(str(path.relative_to(REPOSITORY)), name) for path in yaml_files()
               for name in DOC_REFERENCE.findall(path.read_text()) if name not in blocks}
    assert unknown == set()


def test_every_doc_block_is_used():
    used = {name for path in yaml_files() for name in DOC_REFERENCE.findall(path.read_text())}
    assert sorted(set(doc_blocks()) - used) == []


def test_a_block_is_named_once():
    names = [name for path in sorted(MODELS.rglob("*.md")) for name in DOC_BLOCK.findall(path.read_text())]
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_no_description_is_copied_from_model_to_model():
    """A meaning shared by several models is a doc block referenced from each, not a copy."""
    places = defaultdict(list)
    for path, node, column, description in described_columns():
        if not DOC_REFERENCE.search(description):
            places[(column, description)].append(f"{path}:{node}")
    copied = {f"{column}: {description[:60]}": where for (column, description), where in places.items()
              if len(where) > MAX_COPIES_OF_A_DESCRIPTION}
    assert copied == {}

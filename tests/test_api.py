"""The library API: what `archiver` exports, what type checkers see, and what the README says agree."""

from __future__ import annotations

import ast
import re
from importlib import import_module
from pathlib import Path

import archiver

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _library_section() -> str:
    return README.split("## Using it as a library", 1)[1].split("\n## ", 1)[0]


def test_all_names_exactly_the_api() -> None:
    assert archiver.__all__ == ["__version__", *archiver.API]


def test_every_api_name_is_importable_from_where_the_table_says() -> None:
    for name, module in archiver.API.items():
        assert getattr(archiver, name) is getattr(import_module(module), name), name


def test_type_checkers_see_the_same_names_from_the_same_modules() -> None:
    tree = ast.parse((ROOT / "archiver" / "__init__.py").read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                seen.update({alias.name: statement.module for alias in statement.names})
    assert seen == archiver.API


def test_the_readme_table_lists_the_api() -> None:
    listed = re.findall(r"^\| `(\w+)` \|", _library_section(), re.M)
    assert sorted(listed) == sorted(archiver.API)


def test_the_readme_examples_import_only_what_the_api_exports() -> None:
    blocks = re.findall(r"```python\n(.*?)```", _library_section(), re.S)
    assert blocks
    for block in blocks:
        tree = ast.parse(block)  # every example is valid Python
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "archiver":
                assert {alias.name for alias in node.names} <= set(archiver.__all__), ast.unparse(node)


def test_the_version_is_the_packages() -> None:
    assert f'version = "{archiver.__version__}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")

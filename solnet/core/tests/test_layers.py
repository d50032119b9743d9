"""The import layers of pyproject.toml's [tool.importlinter] hold (`make lint` runs them too),
and a deliberately upward import breaks them; no app's modules import each other in a loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The source tree's Python files and pyproject.toml, to change without touching ours."""
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(
        ROOT / "solnet",
        copy / "solnet",
        ignore=lambda folder, names: [
            n for n in names if not (n.endswith(".py") or Path(folder, n).is_dir())
        ],
    )
    return copy


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = tree / module.replace(".", "/") / "__init__.py"
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_layers_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, line, broken",
    [
        # people know nothing of fights (the erasure goes through people.extensions)
        (
            "solnet.people.services",
            "from solnet.fights import services as upward",
            "Apps in layers",
        ),
        # the network's settings know no domain
        ("solnet.network.forms", "from solnet.fights import stages as upward", "Apps in layers"),
        # sending never calls back into what uses it
        (
            "solnet.mobilize.sending.worker",
            "from solnet.mobilize import alerts as upward",
            "mobilize: what reacts",
        ),
        # the work of an import never queues work
        (
            "solnet.people.imports.writing",
            "from solnet.people import tasks as upward",
            "people's import work never queues",
        ),
    ],
)
def test_an_upward_import_breaks_a_contract(tree_copy, tmp_path, module, line, broken):
    tree = tmp_path / "tree"
    shutil.copytree(tree_copy, tree)
    _add_import(tree, module, line)
    result = _lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
    assert module in result.stdout


def _loops(graph: grimp.ImportGraph, app: str) -> set[tuple[str, str]]:
    modules = {
        m
        for m in graph.find_descendants(app)
        if ".tests" not in m and ".migrations" not in m and ".testing" not in m
    }
    return {
        (a, b)
        for a in modules
        for b in graph.find_modules_directly_imported_by(a)
        if b in modules and graph.chain_exists(importer=b, imported=a)
    }


def test_no_app_imports_itself_in_a_loop():
    graph = grimp.build_graph("solnet", exclude_type_checking_imports=True)
    apps = sorted(m for m in graph.find_children("solnet") if graph.find_descendants(m))
    assert "solnet.mobilize" in apps and "solnet.people" in apps
    loops = {app: _loops(graph, app) for app in apps}
    assert {app: pairs for app, pairs in loops.items() if pairs} == {}

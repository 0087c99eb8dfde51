"""The package's layers: every import points down a layer or stays in its own, and no
module imports itself round a cycle. Type-only and deferred imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

import massageplan

PACKAGE = Path(massageplan.__file__).parent

# What each layer may import of the package, besides its own modules. Render
# says plans and courses, so it needs only the model's types.
MAY_IMPORT = {
    "base": set(),
    "model": {"base"},
    "engine": {"base", "model"},
    "rules": {"base", "model", "engine"},
    "plan": {"base", "model", "engine", "rules"},
    "render": {"base", "model"},
    "service": {"base", "model", "engine", "rules", "plan", "render"},
    "top": {"base", "model", "engine", "rules", "plan", "render", "service"},
}
# Modules at the package's top, by their layer: three helpers that import nothing
# of the package, and the entry points.
TOP_LEVEL = {
    "_version": "base",
    "_gc_pause": "base",
    "_memo": "base",
    "__init__": "top",
    "__main__": "top",
    "cli": "top",
    "_schema": "top",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    head = module.split(".", maxsplit=1)[0]
    return TOP_LEVEL.get(head, head)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports, by name (``model.plan``)."""
    path = MODULES[module]
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    if module == "__init__":
        package = []
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                stem = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "massageplan":
                stem = node.module.split(".")[1:]
            else:
                continue
            # "from .plan import batch" names a module; "from .plan.build import X" a name.
            for alias in node.names:
                candidate = ".".join([*stem, alias.name])
                targets.append(candidate if candidate in MODULES else ".".join(stem))
        elif isinstance(node, ast.Import):
            targets = [
                ".".join(a.name.split(".")[1:])
                for a in node.names
                if a.name.split(".")[0] == "massageplan"
            ]
        found.update(t or "__init__" for t in targets)
    found.discard(module)
    return found


def test_every_module_has_a_layer() -> None:
    assert {layer(m) for m in MODULES} <= set(MAY_IMPORT)


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module in sorted(MODULES):
        mine = layer(module)
        for target in sorted(imports(module)):
            assert target in MODULES, f"{module} imports {target}, which is not a module"
            theirs = layer(target)
            if theirs != mine and theirs not in MAY_IMPORT[mine]:
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "imports that point up or across the layers:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = {module: imports(module) - {"__init__"} for module in MODULES}
    cycles = []
    # Tarjan's strongly connected components: any with two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


def test_subpackages_only_describe_their_layer() -> None:
    """A subpackage's __init__ is its docstring: importing a layer loads nothing."""
    for module, path in MODULES.items():
        if path.name == "__init__.py" and module != "__init__":
            body = ast.parse(path.read_text(encoding="utf-8")).body
            assert len(body) == 1, f"{module}/__init__.py holds more than its docstring"
            assert isinstance(body[0], ast.Expr), f"{module}/__init__.py: a docstring only"


def test_the_checker_sees_an_upward_import() -> None:
    """The check can fail: a model module that imported plan assembly would be caught."""
    assert "plan" not in MAY_IMPORT["model"]
    assert layer("model.plan") == "model"
    assert layer("plan.build") == "plan"
    assert "model.plan" in imports("plan.build")  # relative imports are resolved
    assert "rules.effects" in imports("plan.build")

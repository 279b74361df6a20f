"""Reading the student's code without running it: the names a cell defines, each function's own source, and the
globals its functions would see, resolved from the imports and constants of the cells (used by :mod:`.trusted` to
give proxies of the student's functions a ``__student_source__`` and ``__globals__`` that the forbidden-call check
reads).
"""

from __future__ import annotations

import ast
import importlib
import sys
import textwrap
import types


def defined_names(source: str) -> list[str]:
    """Names a cell binds at its top level (functions, classes, assignments), in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in _top_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return list(dict.fromkeys(names))


def _top_level(body):
    """Statements at the top level of a cell, looking inside if/try/with blocks."""
    for node in body:
        yield node
        for child in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(node, child, []) if isinstance(node, (ast.If, ast.Try, ast.With)) else [])
        for handler in getattr(node, "handlers", []) if isinstance(node, ast.Try) else []:
            yield from _top_level(handler.body)


class _Symbol(types.ModuleType):
    """A dotted name the trusted process did not import (``tensorflow.nn``); attributes extend the name."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Symbol(f"{self.__name__}.{name}")


def _resolve(dotted: str):
    """The object a dotted name refers to, through modules already imported here; else a :class:`_Symbol`."""
    parts = dotted.split(".")
    if parts[0] not in sys.modules:
        return _Symbol(dotted)
    obj = sys.modules[parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        prefix = ".".join(parts[: index + 1])
        try:
            obj = getattr(obj, part)
        except Exception:  # a submodule not imported yet: import it only from a library already loaded
            try:
                obj = importlib.import_module(prefix)
            except Exception:
                return _Symbol(dotted)
    return obj


def static_globals(sources: list[str], functions: dict) -> dict:
    """What the student's code's global names refer to, found without running it: its imports, simple aliases
    (``f = np.convolve``) and its own functions (``functions``: name → proxy)."""
    names: dict = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in _top_level(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = _resolve(alias.name)
                    else:
                        names[alias.name.split(".")[0]] = _resolve(alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = _resolve(f"{node.module}.{alias.name}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in functions:
                names[node.name] = functions[node.name]
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, (ast.Name, ast.Attribute))
            ):
                value = _static_value(node.value, names)
                if value is not None:
                    names[node.targets[0].id] = value
    return names


def _static_value(node, names: dict):
    if isinstance(node, ast.Name):
        return names.get(node.id)
    parent = _static_value(node.value, names)
    try:
        return None if parent is None else getattr(parent, node.attr, None)
    except Exception:
        return None


def function_sources(sources: list[str]) -> dict[str, str | None]:
    """name → source of its ``def`` (decorators included), when the last top-level binding of the name is that
    ``def``; None when the name is last bound some other way (an assignment, ``exec``, a loop)."""
    found: dict[str, str | None] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines = source.splitlines()
        for node in _top_level(tree.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                found[node.name] = textwrap.dedent("\n".join(lines[first - 1 : node.end_lineno]))
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.ClassDef)):
                found.update(dict.fromkeys(defined_names(ast.unparse(node))))
    return found

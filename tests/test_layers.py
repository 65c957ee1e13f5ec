"""Layers only point down: core ← areas, auth ← places ← inventory, walks, outreach ← api, maps, admin, pages.

The test reads every module's imports (also those inside functions) and fails on an import that points up a layer,
or on two packages that import each other. ARCHITECTURE.md explains the layers.
"""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gis_app"

# Lower numbers are lower layers. A module may import its own layer or lower ones, never a higher one.
LAYERS = {
    "core": 0,
    "routing": 0,
    "database": 0,
    "ratelimits": 0,
    "settings": 0,
    "extensions": 0,
    "errors": 0,
    "devdb": 0,
    "exports": 0,
    "areas": 1,
    "auth": 1,
    "photos": 1,
    "places": 2,
    "inventory": 3,
    "walks": 3,
    "outreach": 3,
    "lighting": 3,
    "citizens": 3,
    "promise": 3,
    "evening": 3,
    "wastewater": 3,
    "properties": 3,
    "nightwalks": 3,
    "api": 4,
    "maps": 4,
    "admin": 4,
    "imports": 4,
    "tiles": 4,
    "vendor": 4,
    "security": 4,
    "resilience": 4,
    "maintenance": 4,
    "demo": 4,
    "cli": 5,
    "__init__": 5,
}
# Modules that are web pages or wiring sit on the top feature layer whatever their package.
PAGE_MODULES = {"views", "api", "commands", "demo", "open311"}  # open311: the citizens package's Open311 endpoints
PAGES_LAYER = 4


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    """A module's layer: its package's, or the pages layer for pages and for a package's wiring (`init_app`)."""
    parts = module.split(".")
    package = parts[1] if len(parts) > 1 else "__init__"
    wiring = PACKAGE / package / "__init__.py"
    is_wiring = len(parts) == 2 and wiring.exists() and "def init_app(" in wiring.read_text()
    if is_wiring or (len(parts) > 2 and parts[-1] in PAGE_MODULES):
        return max(LAYERS[package], PAGES_LAYER)
    return LAYERS[package]


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gis_app"):
            found.update(_imported_module(node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("gis_app"))
    return {name for name in found if name != "gis_app"}


def _imported_module(module: str, name: str) -> str:
    """`from a.b import c` imports the module a.b.c when there is one, else a name from a.b."""
    submodule = PACKAGE.parent / f"{module}.{name}".replace(".", "/")
    return f"{module}.{name}" if submodule.with_suffix(".py").exists() or submodule.is_dir() else module


def all_imports() -> dict[str, set[str]]:
    return {module_name(path): imports(path) for path in PACKAGE.rglob("*.py") if module_name(path) != "gis_app"}


def test_every_package_has_a_layer():
    packages = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in PACKAGE.rglob("*.py")}
    assert not packages - set(LAYERS), f"give these a layer: {packages - set(LAYERS)}"


def test_imports_only_point_down():
    upward = [
        f"{source} (layer {layer(source)}) imports {target} (layer {layer(target)})"
        for source, targets in all_imports().items()
        for target in targets
        if layer(target) > layer(source)
    ]
    assert not upward, "\n".join(sorted(upward))


def test_no_two_packages_import_each_other():
    edges = defaultdict(set)
    for source, targets in all_imports().items():
        for target in targets:
            a, b = source.split(".")[1:2], target.split(".")[1:2]
            if a and b and a != b:
                edges[a[0]].add(b[0])
    mutual = sorted({tuple(sorted((a, b))) for a, targets in edges.items() for b in targets if a in edges.get(b, ())})
    assert not mutual, f"packages that import each other: {mutual}"

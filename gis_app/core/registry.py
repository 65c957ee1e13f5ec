"""Features register what the app offers for them (navigation, demo loaders), so no lower layer imports a higher one.

A feature's `init_app(app)` calls these, as Datasette's built-in features register like plugins; the app shell and
the lower layers only read the registry.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

DemoLoader = Callable[[int], str]  # seed in, a message for the command's output back ("" when nothing was done)


@dataclass(frozen=True)
class NavEntry:
    """A navigation link: the first endpoint of `choices` the caller may reach is shown, with its label."""

    key: str
    choices: tuple[tuple[str, str], ...]  # (endpoint, label), the label as a msgid translated when shown
    order: int


def _registry(app: Flask) -> dict:
    return app.extensions.setdefault("gis_app", {"navigation": [], "demo_loaders": []})


def add_navigation(app: Flask, key: str, *choices: tuple[str, str], order: int) -> None:
    """Offer a link in the page header; each choice is (endpoint, label) and the first one allowed is shown."""
    _registry(app)["navigation"].append(NavEntry(key, choices, order))


def navigation(app: Flask) -> list[NavEntry]:
    """Every registered navigation entry, in order."""
    return sorted(_registry(app)["navigation"], key=lambda entry: entry.order)


def add_demo_loader(app: Flask, loader: DemoLoader, order: int) -> None:
    """Run `loader(seed)` after the demo places are loaded into an empty database."""
    _registry(app)["demo_loaders"].append((order, loader))


def demo_loaders(app: Flask) -> list[DemoLoader]:
    """The registered demo loaders, in order."""
    return [loader for _, loader in sorted(_registry(app)["demo_loaders"], key=lambda item: item[0])]

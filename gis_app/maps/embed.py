"""Embed a folium map in a Jinja page: the three parts of its root figure, rendered once."""

from dataclasses import dataclass

import folium
from markupsafe import Markup

from gis_app.security import csp_nonce


@dataclass(frozen=True)
class EmbeddedMap:
    header: Markup  # links and styles for <head>
    html: Markup  # the map's <div>
    script: Markup  # the JavaScript that builds the map (without <script> tags)


def embed(m: folium.Map) -> EmbeddedMap:
    """Render the map's figure and return its header, html and script parts."""
    root = m.get_root()
    root.render()  # makes every element add its links, html and script to the figure
    # folium's header has an inline script of its own: give it this response's CSP nonce.
    header = root.header.render().replace("<script>", f'<script nonce="{csp_nonce()}">')
    return EmbeddedMap(Markup(header), Markup(root.html.render()), Markup(root.script.render()))


@dataclass
class ScriptedMap:
    """A folium map of scaffolding only (base map, layers, controls) and what the page's script draws into it.

    `features` holds every user text and goes to the page as a <script type="application/json"> block, whose
    script builds labels with textContent: folium writes tooltip and popup text into JavaScript template
    literals of an inline script, where `${...}` runs whatever HTML escaping left alone.
    """

    map: folium.Map
    layers: dict  # JavaScript variable names of the layers the script fills, and of the map ("map")
    features: dict

    def config(self, **extra) -> dict:
        """The JSON the page's script reads: layer names, features and any page settings."""
        return {"layers": self.layers, "features": self.features, **extra}

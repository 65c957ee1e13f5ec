"""Embed a folium map in a Jinja page: the three parts of its root figure, rendered once."""
from dataclasses import dataclass

import folium
from markupsafe import Markup

from gis_app.security import csp_nonce


@dataclass(frozen=True)
class EmbeddedMap:
    header: Markup  # links and styles for <head>
    html: Markup    # the map's <div>
    script: Markup  # the JavaScript that builds the map (without <script> tags)


def embed(m: folium.Map) -> EmbeddedMap:
    """Render the map's figure and return its header, html and script parts."""
    root = m.get_root()
    root.render()  # makes every element add its links, html and script to the figure
    # folium's header has an inline script of its own: give it this response's CSP nonce.
    header = root.header.render().replace("<script>", f'<script nonce="{csp_nonce()}">')
    return EmbeddedMap(Markup(header), Markup(root.html.render()), Markup(root.script.render()))

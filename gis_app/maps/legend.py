"""A map legend: colour swatches (and optionally the district outline), as a Leaflet control."""

from branca.element import MacroElement
from folium.template import Template


class Legend(MacroElement):
    """Show `items` (objects with `label` and `color`) under `title`; every text is escaped."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="map-legend leaflet-bar">
          <details open>
            <summary>{{ this.title|e }}</summary>
            <ul>
              {%- for item in this.items %}
              <li><span class="swatch" style="background-color: {{ item.color|e }}"></span>{{ item.label|e }}</li>
              {%- endfor %}
              {%- if this.outline_label %}
              <li><span class="swatch swatch-outline"></span>{{ this.outline_label|e }}</li>
              {%- endif %}
            </ul>
            {%- if this.note %}
            <p class="map-legend-note">{{ this.note|e }}</p>
            {%- endif %}
          </details>
        </div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            (function () {
                var legend = L.control({position: "bottomleft"});
                legend.onAdd = function () {
                    var element = document.getElementById({{ this.get_name()|tojson }});
                    L.DomEvent.disableClickPropagation(element);
                    L.DomEvent.disableScrollPropagation(element);
                    return element;
                };
                legend.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
    """)

    def __init__(self, title: str, items, outline_label: str | None = None, note: str = ""):
        super().__init__()
        self._name = "Legend"
        self.title = title
        self.items = list(items)
        self.outline_label = outline_label
        self.note = note

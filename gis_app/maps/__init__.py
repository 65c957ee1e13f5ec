"""Maps: pure functions that turn data into folium maps; views only embed them."""

"""Named polygons: the municipality, its districts and zones such as the Purple Flag area."""

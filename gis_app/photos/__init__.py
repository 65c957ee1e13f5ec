"""Photos from the field and of measures: decoded to check them, stored without metadata, with a thumbnail."""

"""Unsafe places, the observations reported about them, and their reference data."""

"""Darkness as data: the sun at each observation, the dark-hours year, streetlights and lighting gaps."""

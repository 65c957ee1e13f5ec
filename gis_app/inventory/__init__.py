"""The annual EST inventory: years, assessments of places, measures and the remediation list."""

"""Offline, seeded data sources of the course: the same seed always gives the same data."""

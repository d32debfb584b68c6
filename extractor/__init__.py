"""Extract quantitative evidence from clinical literature into a traceable SQLite table."""

__version__ = "0.1.0"

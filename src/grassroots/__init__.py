"""Grassroots: an event-sourced volunteer and activity platform for youth-league grassroots work."""

__all__ = ["__version__"]

__version__ = "0.1.0"

"""sessionmig: migrate an event's online sessions into a community's video library."""

__version__ = "0.1.0"

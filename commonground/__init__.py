"""Common Ground: community power made practical in English neighbourhoods."""

__version__ = "0.1.0"

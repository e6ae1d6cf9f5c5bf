"""Settings of the voting benchmark's server only (never the product's): Common Ground's own settings with
the URLconf of floor_urls.py, which adds the bare view benchmarks/voting.py measures its floor with.

    DJANGO_SETTINGS_MODULE=floor_settings PYTHONPATH=benchmarks commonground serve
"""

from commonground.settings import *  # noqa: F403  (the product's settings, unchanged)

ROOT_URLCONF = "floor_urls"

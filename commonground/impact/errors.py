"""The one error impact's modules raise when an assessment cannot change as asked."""


class ImpactError(ValueError):
    """An assessment that cannot be changed as asked; the message says why in plain words."""

"""The one error the posture package raises for a photo it cannot analyse."""

from __future__ import annotations


class PhotoError(ValueError):
    """A photo that cannot be analysed; ``str(error)`` is a message fit to show the therapist."""

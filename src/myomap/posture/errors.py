"""The errors the posture package raises for a photo it cannot analyse."""

from __future__ import annotations


class PhotoError(ValueError):
    """A photo that cannot be analysed; ``str(error)`` is a message fit to show the therapist."""


class SeveralPeopleError(PhotoError):
    """More than one person in the photo: the caller must mark the client with a box."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(
            f"{count} people found in the photo; mark the client with a box "
            "(box=(x, y, width, height) in pixels; CLI: --box X,Y,W,H) or photograph the client alone"
        )

"""The photo capture protocol the app shows before a postural assessment (posture.md §5, §6)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ViewInstruction:
    view: str
    title: str
    instruction: str


VIEW_INSTRUCTIONS: tuple[ViewInstruction, ...] = (
    ViewInstruction("anterior", "Front", "The client faces the camera."),
    ViewInstruction("posterior", "Back", "The client turns to face away from the camera."),
    ViewInstruction("left", "Left side", "The client's left side faces the camera (they look to the image's left)."),
    ViewInstruction("right", "Right side", "The client's right side faces the camera (they look to the image's right)."),
)

CAPTURE_STEPS: tuple[str, ...] = (
    "Take four photos, one per view: front, back, left side and right side (CVA can differ between sides, so photograph both).",
    "The client stands relaxed in their usual posture, arms hanging, feet about hip-width apart, looking straight ahead. "
    "Say the same cue every time, e.g. 'stand comfortably and look at the mark on the wall'.",
    "Use tape marks on the floor so the client stands in the same place and the feet keep the same position between views and visits.",
    "Fit the whole body, top of the head to the feet, in the frame with a little space around it; only the client in the photo.",
    "Hold the camera level (use a tripod or the phone's level), at about the client's hip height, about 3 m away, square to the client.",
    "Plain, uncluttered background with even light; no strong backlight.",
    "Fitted or minimal clothing so that the shoulders, pelvis, knees and ankles can be seen; hair off the ears and neck; no shoes.",
    "Enter the client's height so that offsets can be given in centimetres.",
    "Check and correct the landmarks: the model's points are a draft, and clinical points (C7, tragus, ASIS, PSIS, patella, "
    "tibial tuberosity, heel bisection) must be placed by the therapist for the clinical metrics.",
)


def protocol_text() -> str:
    """The protocol as plain text (numbered steps, then the four views)."""
    lines = ["Posture photo protocol", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(CAPTURE_STEPS, start=1)]
    lines += ["", "Views:"]
    lines += [f"- {v.title} ({v.view}): {v.instruction}" for v in VIEW_INSTRUCTIONS]
    return "\n".join(lines)

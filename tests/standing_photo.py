"""A photo of a client in standing posture, for tests that upload one and expect it analysed.

The shared fixtures hold one still photo of a whole person, a Warrior II lunge with the arms held
out (``tfjs_pose.jpg``): the stance checks rightly refuse it. Frame 0 of the squat video is a woman
standing facing the camera, arms hanging; it is written once as a JPEG beside the other temporary
files (atomically, so parallel test workers share it). When the video is missing or unreadable the
path does not exist, and the tests that need it skip as they do for any missing fixture.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
SQUAT_VIDEO = SHARED_FIXTURES / "tfjs_pose_squats.mp4"


def standing_front_photo() -> Path:
    """The standing front photo as a JPEG file (made on first use); may not exist, see the module doc."""
    target = Path(tempfile.gettempdir()) / f"myomap-test-standing-front-{os.getuid()}.jpg"
    if target.exists() or not SQUAT_VIDEO.exists():
        return target
    import cv2

    cap = cv2.VideoCapture(str(SQUAT_VIDEO))
    try:
        ok, frame = cap.read()
    finally:
        cap.release()
    if ok:
        ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
    if ok:
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(encoded.tobytes())
        os.replace(partial, target)
    return target

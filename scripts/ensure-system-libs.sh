#!/usr/bin/env bash
# OpenCV comes as opencv-contrib-python (MediaPipe requires that wheel), the desktop build: `import cv2`
# needs libGL.so.1 and GLib from Debian. Install them when missing, as ensure-chromium.sh does for Chromium.
set -euo pipefail
if ldconfig -p | grep -q 'libGL\.so\.1 ' && ldconfig -p | grep -q 'libgthread-2\.0\.so\.0 '; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "libGL or GLib is missing: run 'sudo apt-get install libgl1 libglib2.0-0' (posture analysis needs them)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libgl1 libglib2.0-0 >/dev/null

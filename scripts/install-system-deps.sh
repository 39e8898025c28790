#!/usr/bin/env bash
# System libraries the test suite uses for real: PortAudio + PulseAudio for the
# virtual microphone, Chromium for rendering the HTML report, sox for the pitch, tempo and
# reverb conditions of the filled-pause tests and benchmark.
# Installs with apt-get when run as root and something is missing; otherwise says what to install.
set -euo pipefail

PACKAGES=(libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins chromium sox)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

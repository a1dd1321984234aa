#!/usr/bin/env bash
# Installs the Debian packages Minnow needs (build, run and test), only those missing.
# Run: the cross compiler, newlib and gdb build and flash firmware; qemu and socat run the
# emulated board (`minnow emulator`) and measure instructions per inference for model cards.
# Usage: scripts/install-deps.sh [run|test]
set -euo pipefail
mode="${1:-run}"

run_packages=(libsqlite3-dev libopenblas-dev libjpeg-dev libpng-dev zlib1g-dev gcc-arm-none-eabi libnewlib-arm-none-eabi gdb-multiarch qemu-system-arm socat)
test_packages=(postgresql python3-venv python3-pip curl zip unzip dataset-fashion-mnist chromium chromium-driver)

packages=("${run_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

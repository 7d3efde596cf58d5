#!/usr/bin/env bash
# Set up mvemo on a fresh Debian/Ubuntu machine in one command:
#     bash scripts/setup.sh          # everything: core, all extras, dev tools
#     bash scripts/setup.sh --core   # only the core (numpy/scipy/click) + dev tools
# Creates ./.venv (override with MVEMO_VENV=path, Python with PYTHON=python3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${MVEMO_VENV:-.venv}
MODE=${1:-all}

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "mvemo needs Python >= 3.11; $PY is $("$PY" -V 2>&1). Set PYTHON=python3.11." >&2
    exit 1
fi
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    echo "Installing python3-venv (Debian/Ubuntu) ..."
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-venv
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"

# System packages for rendering MIDI to audio in tests and examples (optional: tests skip
# without them). Installed only where apt-get can run without a password prompt.
if [ "$MODE" != "--core" ] && command -v apt-get >/dev/null && ! command -v fluidsynth >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    if $SUDO true 2>/dev/null; then
        $SUDO apt-get install -y -qq --no-install-recommends fluidsynth fluid-soundfont-gm >/dev/null \
            || echo "note: could not install fluidsynth; MIDI rendering tests will be skipped" >&2
    fi
fi
# Headless Chromium and its driver, for the browser test of `mvemo view` (optional: the test
# skips without them; Selenium is pointed at these binaries and never downloads a driver).
if [ "$MODE" != "--core" ] && command -v apt-get >/dev/null && ! command -v chromedriver >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    if $SUDO true 2>/dev/null; then
        $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null \
            || echo "note: could not install chromium; the mvemo view browser test will be skipped" >&2
    fi
fi
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check -q)

if [ "$MODE" = "--core" ]; then
    "${PIP[@]}" -e ".[dev]"
else
    # 1. torch first, pinned: a plain 'torch' requirement would pull a multi-GB CUDA build.
    "${PIP[@]}" "torch==2.13.0"
    # 2. Packages whose declared dependencies are unusable (TensorFlow, numpy<1.17, GUI OpenCV):
    #    musicnn ships the pretrained weights, basic-pitch its ONNX model, scenedetect cut detection.
    #    mvemo needs only their files, so they are unpacked into site-packages WITHOUT their
    #    *.dist-info metadata: pip then does not know them and does not print its
    #    "dependency resolver ... conflicts" ERROR block for their (unused) requirements.
    NODEPS=(musicnn basic-pitch scenedetect)
    "$VENV/bin/python" -m pip uninstall -y -q "${NODEPS[@]}" >/dev/null 2>&1 || true  # an older set-up's copies
    STAGE=$(mktemp -d)
    "${PIP[@]}" --no-deps --target "$STAGE" "${NODEPS[@]}"
    SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    for d in "$STAGE"/*; do
        case "$(basename "$d")" in *.dist-info|bin) continue ;; esac
        rm -rf "${SITE:?}/$(basename "$d")" && cp -r "$d" "$SITE/"
    done
    rm -rf "$STAGE"
    # 3. mvemo itself, editable, with every extra and the dev tools.
    "${PIP[@]}" -e ".[all,dev]"
    # librosa compiles its numba kernels on first import (~40 s on 2 cores) and caches them:
    # pay that once here rather than in the first prediction.
    "$VENV/bin/python" -c "import librosa, librosa.core.audio, librosa.util.utils" >/dev/null
fi
"$VENV/bin/mvemo" --version
echo "mvemo is set up in $VENV (activate with: source $VENV/bin/activate)"

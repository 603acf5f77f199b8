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


def test_importing_the_app_or_the_cli_does_not_import_what_few_requests_need() -> None:
    # spaCy costs 0.6 s to import: scoring needs only its stop-word list, read on first use,
    # and every CLI command (migrate, serve, worker) imports the config, which imports scoring.
    # trafilatura (0.1 s, with courlan and htmldate) serves page imports only; the Swagger UI
    # package is needed for the path of its files (0.1 s).
    heavy = ("spacy", "thinc", "trafilatura", "courlan", "htmldate", "flask_swagger_ui")
    code = (
        "import sys, service.app, service.cli; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_function_words_are_never_rare() -> None:
    from service.linking.scoring import Rarity, function_words

    rarity = Rarity({"harbour": 2.0}, 1000.0)
    assert "between" in function_words()
    assert rarity("between") == 0.0
    assert rarity("harbour") > 0.9
    assert rarity("nordhavn") == 1.0


def test_a_cli_command_freezes_what_was_imported() -> None:
    # The objects of every imported module live as long as the process: frozen, they are
    # neither walked by later collections nor by the one at exit (a third of a second of
    # each `claimdesk` command here).
    code = (
        "import gc; from click.testing import CliRunner; from service.cli import main; "
        "assert gc.get_freeze_count() == 0; "
        "result = CliRunner().invoke(main, ['migrate', '--help']); "
        "print(result.exit_code, gc.get_freeze_count() > 10_000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True"]

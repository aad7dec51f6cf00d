"""The `attain` command itself: a setting in the environment that Attain cannot use,
or a database it cannot reach or that is not migrated, stops every command with one
line and exit code 2, not a Python traceback; its help lists every subcommand."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from attain.web.testing import run_attain

ROOT = Path(__file__).resolve().parents[3]


def _attain(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATTAIN_")}
    base.pop("DATABASE_URL", None)
    return run_attain(
        *args,
        env={**base, "ATTAIN_VAR_DIR": str(tmp_path), **env},
        cwd=tmp_path,  # not the project's folder: the command works from anywhere
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ATTAIN_TOKEN_TTL_DAYS": "30d"}, "ATTAIN_TOKEN_TTL_DAYS"),
        ({"ATTAIN_WORKER_MAX_BACKOFF_SECONDS": "½"}, "ATTAIN_WORKER_MAX_BACKOFF_SECONDS"),
        ({"ATTAIN_IMPORT_MAX_MB": "1.5"}, "ATTAIN_IMPORT_MAX_MB"),
        ({"ATTAIN_FISCAL_YEAR_START": "13"}, "ATTAIN_FISCAL_YEAR_START"),
        ({"ATTAIN_TIME_ZONE": "Asia/Beijing"}, "ATTAIN_TIME_ZONE"),
        ({"DATABASE_URL": "mysqlx://attain:s3cret@db/attain"}, "DATABASE_URL"),
        # schemes dj-database-url knows, of databases Attain does not run on
        ({"DATABASE_URL": "mysql://attain:s3cret@db/attain"}, "DATABASE_URL"),
        ({"DATABASE_URL": "oracle://attain:s3cret@db/attain"}, "DATABASE_URL"),
        ({"ATTAIN_DEBUG": "0"}, "ATTAIN_SECRET_KEY"),
    ],
)
def test_a_setting_attain_cannot_use_is_one_clear_line(tmp_path, env, named):
    done = _attain(tmp_path, env, "check")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert named in done.stderr
    assert "s3cret" not in done.stderr  # a database URL's password is never printed
    assert done.stdout == ""


def test_an_empty_number_means_the_default(tmp_path):
    done = _attain(tmp_path, {"ATTAIN_TOKEN_TTL_DAYS": "", "ATTAIN_IMPORT_MAX_MB": " "}, "check")
    assert done.returncode == 0, done.stderr


def test_a_database_not_migrated_says_run_migrate(tmp_path):
    done = _attain(tmp_path, {}, "audit", "verify")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "attain migrate" in done.stderr


def test_a_database_that_cannot_be_reached_says_so(tmp_path):
    url = "postgres://attain:s3cret@127.0.0.1:1/attain"  # nothing listens on port 1
    done = _attain(tmp_path, {"DATABASE_URL": url}, "audit", "verify")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot connect to the database" in done.stderr
    assert "s3cret" not in done.stderr


@pytest.mark.parametrize("args", [[], ["--help"], ["help"], ["-h"]])
def test_the_help_names_the_engine_commands(tmp_path, args):
    """`attain --help` lists every subcommand, the engine's (`scenario`, `bench`) too."""
    done = _attain(tmp_path, {}, *args)
    assert done.returncode == 0, done.stderr
    assert "    migrate" in done.stdout
    assert "    scenario" in done.stdout and "    bench" in done.stdout


def test_host_and_origin_lists_read_as_operators_write_them(tmp_path):
    """'attain.example.com, www.attain.example.com' (a space after the comma) made the
    second host answer 400 and the second origin an error of `attain check`; an empty
    ATTAIN_ALLOWED_HOSTS answered 400 to every request. Spaces are trimmed, empty
    entries dropped, and an empty list means the default."""
    code = (
        "from django.conf import settings; "
        "print(settings.ALLOWED_HOSTS); print(settings.CSRF_TRUSTED_ORIGINS)"
    )
    env = {
        "ATTAIN_ALLOWED_HOSTS": "attain.example.com, www.attain.example.com,",
        "ATTAIN_CSRF_TRUSTED_ORIGINS": "https://attain.example.com, https://www.attain.example.com",
    }
    done = _attain(tmp_path, env, "shell", "-v", "0", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['attain.example.com', 'www.attain.example.com']",
        "['https://attain.example.com', 'https://www.attain.example.com']",
    ]
    done = _attain(tmp_path, {"ATTAIN_ALLOWED_HOSTS": " "}, "shell", "-v", "0", "-c", code)
    assert done.stdout.splitlines()[0] == "['127.0.0.1', 'localhost', 'testserver']"

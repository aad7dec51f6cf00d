"""The file a command writes: refused before any work when it cannot be one, and a disk
that refuses it said in one line (exit status 2 each time)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from attain.web.outputs import check_output, write_output


@pytest.mark.parametrize(
    ("name", "json", "words"),
    [
        (".", False, "is a folder: name the file to write"),
        (".", True, "--json . is a folder: name the file"),
        ("missing/out.csv", False, "No such directory"),
    ],
)
def test_a_folder_or_a_missing_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, json: bool, words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=words) as raised:
        check_output(name, json=json)
    assert raised.value.returncode == 2


def test_text_and_bytes_are_written_and_a_refusal_names_the_file(tmp_path: Path) -> None:
    check_output(tmp_path / "out.json")
    write_output(tmp_path / "out.json", "汇总\n")
    write_output(str(tmp_path / "out.xlsx"), b"PK")
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "汇总\n"
    assert (tmp_path / "out.xlsx").read_bytes() == b"PK"
    target = tmp_path / "out.json" / "below"  # a file is no folder
    with pytest.raises(CommandError, match=f"cannot write {target}: Not a directory") as raised:
        write_output(target, "x")
    assert raised.value.returncode == 2

"""`attain integrity evaluate --labels FILE`: a file that is not the labels the demo
writes is one clear line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    "content",
    [
        b"external_id,name\nC1,\xc4\xe3\n",  # GBK text, not UTF-8
        b'{"a":\n',  # broken JSON
        b'[{"x": 1}]',  # JSON, but not labels
        b'{"period": "2025-Q4"}',
    ],
)
def test_a_file_that_is_not_labels_is_refused(db, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "labels.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="not the labels") as raised:
        call_command("integrity", "evaluate", "--labels", str(path))
    assert raised.value.returncode == 2


def test_a_folder_is_refused(db, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not the labels"):
        call_command("integrity", "evaluate", "--labels", str(tmp_path))

"""The `attain` command speaks the language of the environment: Chinese under a Chinese
locale (LANG=zh_CN.UTF-8) or ATTAIN_LANGUAGE=zh-hans, English otherwise."""

from __future__ import annotations

import pytest

from attain.core.language import cli_language
from attain.core.tests.test_settings_env import _attain


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.GB18030"}, "zh-hans"),
        ({"LANG": "zh_CN"}, "zh-hans"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "ATTAIN_LANGUAGE": "en"}, "en"),
        ({"LANG": "C", "ATTAIN_LANGUAGE": "zh-hans"}, "zh-hans"),
        ({"LANG": "C", "ATTAIN_LANGUAGE": "zh_CN.UTF-8"}, "zh-hans"),
        ({"ATTAIN_LANGUAGE": "fr"}, "en"),
    ],
)
def test_the_language_of_the_environment(env, language):
    assert cli_language(env) == language


def _clean(env: dict[str, str]) -> dict[str, str]:
    return {"LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": "", **env}


def test_a_command_speaks_chinese_under_a_chinese_locale(tmp_path):
    missing = str(tmp_path / "无此文件.csv")
    done = _attain(tmp_path, _clean({"LANG": "zh_CN.UTF-8"}), "import", "customers", missing)
    assert done.returncode == 2
    assert f"找不到文件：{missing}" in done.stderr
    done = _attain(tmp_path, _clean({"LANG": "zh_CN.UTF-8"}), "export", "customers", "/无/x.csv")
    assert "找不到文件夹：/无" in done.stderr
    done = _attain(tmp_path, _clean({"LANG": "zh_CN.UTF-8"}), "demo", "load")
    assert "数据库尚未建立" in done.stderr, done.stderr


def test_a_command_speaks_english_otherwise(tmp_path):
    missing = str(tmp_path / "none.csv")
    done = _attain(tmp_path, _clean({"LANG": "C"}), "import", "customers", missing)
    assert done.returncode == 2
    assert f"No such file: {missing}" in done.stderr
    done = _attain(
        tmp_path, _clean({"LANG": "zh_CN.UTF-8", "ATTAIN_LANGUAGE": "en"}), "demo", "load"
    )
    assert "the database is not set up" in done.stderr, done.stderr

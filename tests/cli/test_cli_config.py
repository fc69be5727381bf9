"""The configuration file: its defaults apply where no flag is given, flags win, an unknown key or a bad
value is one line naming it (exit 2), ``--print-config`` shows the settings in effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainmon_tui import cli
from trainmon_tui.simulate import RunConfig, write_run


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$XDG_CONFIG_HOME/trainmon-tui/config.toml``'s folder (the file not written yet)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "trainmon-tui"
    folder.mkdir(parents=True)
    return folder


def _effective(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    assert cli.main(["--print-config", *argv]) == 0
    out = capsys.readouterr().out
    return dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)


def test_no_file_gives_the_defaults(home, capsys):
    settings = _effective(capsys, "--lang", "en")
    assert settings["bell"] == "true" and settings["spike_factor"] == "3.0" and "on_alert" not in settings


def test_the_file_sets_defaults_and_flags_win(home, capsys):
    (home / "config.toml").write_text(
        'lang = "zh"\nbell = false\npoll = 5\non_alert = "notify.sh \'a b\'"\ntheme = "nord"\n'
        "[thresholds]\nspike_factor = 5\nstall_minutes = 30\n"
    )
    settings = _effective(capsys)
    assert settings["lang"] == '"zh"' and settings["bell"] == "false" and settings["poll"] == "5"
    assert settings["on_alert"] == json.dumps("notify.sh 'a b'") and settings["theme"] == '"nord"'
    assert settings["spike_factor"] == "5.0" and settings["stall_minutes"] == "30.0"
    flags = _effective(capsys, "--lang", "en", "--threshold", "spike_factor=7", "--poll", "1")
    assert flags["lang"] == '"en"' and flags["spike_factor"] == "7.0" and flags["poll"] == "1"
    assert flags["stall_minutes"] == "30.0"  # the file's, where no flag said otherwise


def test_file_defaults_reach_check(home, tmp_path, capsys):
    outputs = tmp_path / "run"
    write_run(outputs, [20, 40], RunConfig(max_steps=100, nan_steps=frozenset({30})))
    assert cli.main([str(outputs), "--check"]) == 3
    (home / "config.toml").write_text('lang = "zh"\n[thresholds]\nnonfinite_clear_logs = 2\n')
    capsys.readouterr()
    assert cli.main([str(outputs), "--check"]) == 0  # the NaN episode is over after 2 clean logs
    assert "健康" in capsys.readouterr().out
    # a dashboard-only key is no usage error for a one-shot mode
    (home / "config.toml").write_text("poll = 2\nbell = false\n")
    assert cli.main([str(outputs), "-u"]) == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("colour = 1\n", "colour: unknown key"),
        ('lang = "fr"\n', "lang: 'fr': choose"),
        ("poll = 0\n", "poll: 0: a number of seconds"),
        ('bell = "no"\n', "bell: 'no': expected true or false"),
        ('theme = "neon"\n', "theme: 'neon': not a theme"),
        ('on_alert = "say \'x"\n', "on_alert: cannot split"),
        ("[thresholds]\nnope = 1\n", "thresholds.nope: unknown threshold 'nope'"),
        ("[thresholds]\nspike_factor = -1\n", "thresholds.spike_factor: threshold spike_factor"),
        ("lang = \n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_key(home, capsys, text, says):
    (home / "config.toml").write_text(text)
    assert cli.main(["--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and str(home / "config.toml") in err


def test_config_names_a_file(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('lang = "zh"\n')
    assert _effective(capsys, "--config", str(path))["lang"] == '"zh"'
    assert cli.main(["--config", str(tmp_path / "none.toml"), "--print-config"]) == 2
    assert "no such file" in capsys.readouterr().err

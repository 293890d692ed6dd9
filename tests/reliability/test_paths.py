"""Settings, recovery and logs live where each platform expects them (the conventions of
Qt's QStandardPaths, computed without Qt), one folder per kind and one name per platform;
the app's QSettings file sits in the same settings folder as the recent-projects list."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation import paths


@pytest.mark.parametrize("platform,env,expect", [
    ("linux", {"XDG_CONFIG_HOME": "/x/config", "XDG_STATE_HOME": "/x/state"},
     {"config": "/x/config/london-deployment-workstation",
      "recovery": "/x/state/london-deployment-workstation/recovery",
      "logs": "/x/state/london-deployment-workstation/logs"}),
    ("linux", {"XDG_CONFIG_HOME": "relative/ignored", "XDG_STATE_HOME": ""},
     {"config": "~/.config/london-deployment-workstation",
      "recovery": "~/.local/state/london-deployment-workstation/recovery",
      "logs": "~/.local/state/london-deployment-workstation/logs"}),
    ("win32", {"APPDATA": "/w/Roaming", "LOCALAPPDATA": "/w/Local"},
     {"config": "/w/Roaming/London Deployment Workstation",
      "recovery": "/w/Local/London Deployment Workstation/recovery",
      "logs": "/w/Local/London Deployment Workstation/logs"}),
    ("darwin", {},
     {"config": "~/Library/Application Support/London Deployment Workstation",
      "recovery": "~/Library/Application Support/London Deployment Workstation/recovery",
      "logs": "~/Library/Logs/London Deployment Workstation"}),
])
def test_platform_folders(platform, env, expect, monkeypatch):
    monkeypatch.setattr(paths.sys, "platform", platform)
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    home = Path("~").expanduser()

    def p(text):
        return Path(text.replace("~", str(home), 1))
    assert paths.user_config_dir() == p(expect["config"])
    assert paths.recovery_dir() == p(expect["recovery"])
    assert paths.log_dir() == p(expect["logs"])
    assert paths.settings_file().parent == paths.user_config_dir()


def test_app_settings_recent_and_recovery_use_those_folders(qtbot, tmp_path, monkeypatch):
    from workstation.app.main_window import default_settings
    from workstation.logs import log_dir
    from workstation.project.recent import recent_file
    from workstation.project.recovery import RecoverySlot
    settings = default_settings()
    assert Path(settings.fileName()) == paths.settings_file()
    assert recent_file().parent == Path(settings.fileName()).parent
    assert RecoverySlot.new().path.parent == paths.recovery_dir()
    assert log_dir() == paths.log_dir()

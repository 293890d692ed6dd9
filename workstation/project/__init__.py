"""Project files (Qt-free): the saved inputs and view state of a piece of analysis,
versioned JSON with migrations, atomic saves, a recent-files list and crash recovery."""

from workstation.project.model import (
    FORMAT_VERSION,
    PROJECT_SUFFIX,
    IncidentSource,
    ProjectFile,
    ViewState,
    load_project,
    loads_project,
    project_from_dict,
    project_to_dict,
    resolve_source_path,
    save_project,
)
from workstation.project.recent import add_recent, clear_recent, load_recent, remove_recent
from workstation.project.recovery import autosave, clear_recovery, find_recovery, Recovery

__all__ = [
    "FORMAT_VERSION", "PROJECT_SUFFIX", "IncidentSource", "ProjectFile", "ViewState",
    "load_project", "loads_project", "project_from_dict", "project_to_dict",
    "resolve_source_path", "save_project", "add_recent", "clear_recent", "load_recent",
    "remove_recent", "autosave", "clear_recovery", "find_recovery", "Recovery",
]

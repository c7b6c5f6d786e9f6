"""The project file: one SQLite file holding imports, records and every user decision."""

from lib.project.store import AlreadyImported, Project, ProjectError, open_project

__all__ = ["AlreadyImported", "Project", "ProjectError", "open_project"]

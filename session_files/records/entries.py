"""The entries of the lab registries (docs/format.md, "The registries")."""

from __future__ import annotations

from .types import BirthDate, Cellphone, Description, Email, Fullname, Nickname, Sex, Strict


class SubjectEntry(Strict):
    """An entry of ``registry/subjects.yaml`` (element-animal ``subject.Subject``)."""

    subject_nickname: Nickname = ""
    sex: Sex
    subject_birth_date: BirthDate
    subject_description: Description = ""


class ProjectEntry(Strict):
    """An entry of ``registry/projects.yaml`` (element-lab ``lab.Project``)."""

    project_description: Description = ""


class ExperimenterEntry(Strict):
    """An entry of ``registry/experimenters.yaml`` (element-lab ``lab.User``)."""

    user_email: Email = ""
    user_cellphone: Cellphone = ""
    user_fullname: Fullname = ""

"""MVEmo-Bench task definitions: what each task gives a model and which labels it scores.

MVEmo (section V) defines unimodal tasks (lyrics static; music and video static and
dynamic) and multimodal tasks (static and dynamic).  A *static* task scores one unified
label per item (``Item.static``); a *dynamic* task scores the labels on the 0.5 s grid
(``Item.dynamic``), per item, then averaged over items.

``symbolic-static`` (MIDI in, one label out) is an mvemo extra, not one of MVEmo's tasks:
it lets symbolic-music models and datasets (EMOPIA, VGMIDI) be scored the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from mvemo.data.manifest import Item
from mvemo.errors import ParameterError

__all__ = ["Task", "TASKS", "get_task", "list_tasks", "has_complete_dynamic", "media_role"]


@dataclass(frozen=True)
class Task:
    """One benchmark task.

    Attributes
    ----------
    name : str
    roles : tuple of str
        Media roles that can feed the model, in order of preference; an item is eligible
        if it has one of them.  The music tasks read ``"audio"``, or the sound track of
        ``"video"`` (MVEmo's music tasks use the music videos' audio).
    optional_inputs : tuple of str
        Roles passed when the item has them (e.g. lyrics for the multimodal tasks).
    dynamic : bool
        Scores the dynamic labels on the 0.5 s grid (else the static label).
    paper : bool
        One of MVEmo's own tasks (False: an mvemo extra).
    description : str
    """

    name: str
    roles: tuple[str, ...]
    optional_inputs: tuple[str, ...]
    dynamic: bool
    paper: bool
    description: str

    @property
    def labels(self) -> str:
        """``"static"`` or ``"dynamic"``: which unified labels are scored."""
        return "dynamic" if self.dynamic else "static"

    def eligible(self, item: Item) -> bool:
        """Whether ``item`` has the task's media and the labels it scores."""
        if not any(r in item.media for r in self.roles):
            return False
        if self.dynamic:
            return has_complete_dynamic(item)
        return item.static is not None


#: The tasks by name.
TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task("lyrics-static", ("lyrics",), (), False, True, "lyrics text in, one unified label out"),
        Task("music-static", ("audio", "video"), (), False, True, "audio in, one unified label out"),
        Task("music-dynamic", ("audio", "video"), (), True, True, "audio in, a label every 0.5 s (±2.5 s windows)"),
        Task("video-static", ("video",), (), False, True, "video frames in (no sound), one unified label out"),
        Task("video-dynamic", ("video",), (), True, True, "video frames in (no sound), a label every 0.5 s"),
        Task(
            "multimodal-static",
            ("video",),
            ("lyrics",),
            False,
            True,
            "music video (frames + sound) and lyrics where available, one unified label out",
        ),
        Task(
            "multimodal-dynamic",
            ("video",),
            ("lyrics",),
            True,
            True,
            "music video (frames + sound) and lyrics where available, a label every 0.5 s",
        ),
        Task(
            "symbolic-static",
            ("midi",),
            (),
            False,
            False,
            "mvemo extra (not an MVEmo task): MIDI in, one unified label out",
        ),
    )
}


def list_tasks() -> list[str]:
    """Task names, MVEmo's first.

    Examples
    --------
    >>> list_tasks()[:3]
    ['lyrics-static', 'music-static', 'music-dynamic']
    """
    return list(TASKS)


def get_task(name: str) -> Task:
    """The task called ``name``.

    Raises
    ------
    ParameterError
        For an unknown name.
    """
    if name not in TASKS:
        raise ParameterError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
    return TASKS[name]


def has_complete_dynamic(item: Item) -> bool:
    """True if the item has dynamic labels and every grid time has a category and an intensity."""
    if not item.dynamic:
        return False
    return all(p.label is not None for p in item.dynamic)


def media_role(task: Task, item: Item) -> str:
    """The media role whose file a model reads for ``item`` (the one its dynamic labels refer to)."""
    if task.dynamic and item.custom.get("dynamic_media") in item.media:
        return str(item.custom["dynamic_media"])
    for role in task.roles:
        if role in item.media:
            return role
    raise ParameterError(f"item {item.id} has none of the media roles {task.roles} that {task.name} needs")

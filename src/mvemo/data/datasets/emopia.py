"""EMOPIA 1.0 (Hung et al. 2021): pop-piano MIDI clips with 4Q labels and official splits."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_int, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_quadrant
from mvemo.data.manifest import Item
from mvemo.errors import DataError

#: Official split files -> split names (``val`` is spelled out as ``validation``).
SPLIT_FILES = {"train": "train_clip.csv", "validation": "val_clip.csv", "test": "test_clip.csv"}


class EMOPIA(Dataset):
    """EMOPIA: 1,078 transcribed piano MIDI clips from 387 songs, 4Q as integers 1-4.

    Notes
    -----
    Files: ``emopia/label.csv`` (``ID, 4Q, annotator``), ``midis/<ID>.mid``,
    ``split/{train,val,test}_clip.csv`` (``,clip_name``).

    Decisions:

    * The label is ``label.csv``'s ``4Q`` (1-4 = Q1-Q4); the ``Q<k>_`` prefix of the
      clip name must agree, else a problem is reported.  Unified label as a 4Q class
      (intensity 0.5).
    * Informative target: a bare quadrant carries no extra information, so the paper
      conversion at half weight (:func:`mvemo.conversion.informative.from_quadrant`).
    * Official clip splits; ``val`` is named ``validation`` (876 / 114 / 88).  Clips in no
      split file would get ``"unassigned"``.
    * ``custom["song_id"]`` is the YouTube id (the clip name between the quadrant prefix
      and the segment number; ids may contain ``_``).
    * No audio in the release here (YouTube ids only).
    """

    name = "emopia"
    title = "EMOPIA 1.0 (Hung et al. 2021)"
    citation = (
        'H.-T. Hung et al., "EMOPIA: a multi-modal pop piano dataset for emotion recognition and '
        'emotion-based music generation", ISMIR 2021'
    )
    license = (
        "no licence file in the copy (sanjanachecker/MoodTunes_DLProj); the MusPy loader states "
        "CC BY 4.0 (not verified)"
    )
    homepage = "https://zenodo.org/record/5090631"
    modality = "midi"
    label_type = "4q"
    scale = None
    folder = "emopia"
    exclusions = (
        "No audio (YouTube ids only); the song-level split files, song lists and tagging lists are not "
        "used (the clip splits are)."
    )
    official_splits = True

    def _load_items(self) -> list[Item]:
        path = self.file("label.csv")
        items = []
        for row in read_csv(path, required=("ID", "4Q", "annotator")):
            clip = row["ID"]
            quadrant = parse_int(row["4Q"], path=path, column="4Q", row=row)
            static, problems = static_from_quadrant(quadrant)
            target, tprob = informative(inf.from_quadrant, quadrant)
            problems += tprob
            prefix, _, rest = clip.partition("_")
            song, _, segment = rest.rpartition("_")
            if prefix != f"Q{quadrant}":
                problems.append(f"clip name prefix {prefix} disagrees with 4Q={quadrant}")
            items.append(
                self.item(
                    clip,
                    modality="midi",
                    media={"midi": f"emopia/midis/{clip}.mid"},
                    labels={"quadrant": quadrant, "annotator": row["annotator"]},
                    static=static,
                    problems=problems,
                    custom={"song_id": song, "segment": segment},
                    informative=target,
                )
            )
        return items

    def _official_split(self, items: list[Item]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, fname in SPLIT_FILES.items():
            path = self.file("split", fname)
            for row in read_csv(path, required=("clip_name",)):
                clip = row["clip_name"].removesuffix(".mid")
                key = f"{self.name}:{clip}"
                if key in out:
                    raise DataError(f"{path}: clip {clip} is also in the {out[key]} split")
                out[key] = name
        return out

"""4Q Audio Emotion Dataset (Panda, Malheiro & Paiva 2018): 30-s clips with one 4Q class."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_quadrant
from mvemo.data.manifest import Item
from mvemo.data.media import audio_duration


class Panda4Q(Dataset):
    """4Q audio clips (AllMusic previews), one quadrant each.

    Notes
    -----
    Files: ``4q_panda2018/annotations.csv`` (``Song,Quadrant``, CRLF) and
    ``metadata.csv`` (artist, title, ``PQuad``, ``MoodsStr``); audio in
    ``audio/4q_panda2018/Q<k>/<Song>.opus``.

    Decisions:

    * The quadrant comes from ``annotations.csv``; the audio path is built from it
      (the folder always equals the label), so a clip filed under another quadrant
      shows up in ``validate()`` as missing.  ``metadata.csv``'s ``Quadrant`` is kept
      in ``labels["metadata_quadrant"]`` and a disagreement is reported in ``problems``.
    * ``MoodsStr`` (the raw AllMusic mood words) is kept in ``labels["moods"]`` but not
      used for the unified label: the quadrant is the dataset's label.
    * Informative target (``informative``): the mood words inside the labelled quadrant
      give the category, ``PQuad`` times their agreement the intensity
      (:func:`mvemo.conversion.informative.from_4q_words`); without metadata, the
      quadrant at half weight.
    * Unified static label: Q1 excited, Q2 distressed, Q3 depressed, Q4 relaxed,
      intensity 0.5 (MVEmo's class conversion).  No dynamic labels.
    * No official split: seeded 8:1:1 split stratified by quadrant.
    * 92 clips of the release (10%) are withheld upstream and absent here.
    * ``duration`` is read from each file's header (fast, no decoding).
    """

    name = "4q_panda2018"
    title = "4Q Audio Emotion Dataset (Panda et al. 2018)"
    citation = (
        'R. Panda, R. Malheiro, R. P. Paiva, "Novel audio features for music emotion '
        'recognition", IEEE Trans. Affective Computing (2018)'
    )
    license = "none stated; commercial AllMusic previews, research use only"
    homepage = "http://mir.dei.uc.pt (copy: Famelgas/MULT_TP2)"
    modality = "audio"
    label_type = "4q"
    scale = None
    folder = "4q_panda2018"
    exclusions = (
        "92 of the release's 900 clips (10%, stratified by quadrant) are withheld upstream for independent evaluation."
    )

    def _load_items(self) -> list[Item]:
        ann_path = self.file("annotations.csv")
        meta_path = self.file("metadata.csv")
        annotations = read_csv(ann_path, required=("Song", "Quadrant"))
        meta = {r["Song"]: r for r in read_csv(meta_path, required=("Song", "Quadrant", "MoodsStr"))}
        items = []
        for row in annotations:
            song, quadrant = row["Song"], row["Quadrant"]
            static, problems = static_from_quadrant(quadrant)
            labels = {"quadrant": quadrant}
            m = meta.get(song)
            custom = {}
            if m is None:
                problems.append("no row in metadata.csv")
            else:
                labels["metadata_quadrant"] = m["Quadrant"]
                labels["pquad"] = parse_float(m.get("PQuad"), path=meta_path, column="PQuad", row=m)
                labels["moods"] = [w.strip() for w in m["MoodsStr"].split(";") if w.strip()]
                custom = {
                    "artist": m.get("Artist", ""),
                    "title": m.get("Title", ""),
                    "genres": [g.strip() for g in m.get("GenresStr", "").split(";") if g.strip()],
                }
                if m["Quadrant"] != quadrant:
                    problems.append(f"metadata.csv says {m['Quadrant']}, annotations.csv says {quadrant}")
            if m is None:
                target, tprob = informative(inf.from_quadrant, quadrant)
            else:
                target, tprob = informative(
                    inf.from_4q_words, labels["moods"], quadrant, labels["pquad"], mapping=self.word_map
                )
            problems += tprob
            rel = f"audio/4q_panda2018/{quadrant}/{song}.opus"
            items.append(
                self.item(
                    song,
                    modality="audio",
                    media={"audio": rel},
                    duration=audio_duration(self.root / rel),
                    labels=labels,
                    static=static,
                    problems=problems,
                    custom=custom,
                    informative=target,
                )
            )
        return items

    def _stratify_key(self, item: Item) -> str:
        return str(item.labels["quadrant"])

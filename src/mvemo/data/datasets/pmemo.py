"""PMEmo (Zhang et al. 2018), partial: static [0, 1] valence-arousal for 767 songs, 4 full records."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, read_json
from mvemo.data.dataset import Dataset
from mvemo.data.labels import dynamic_from_va, informative, static_from_va
from mvemo.data.manifest import Item
from mvemo.errors import DataError


class PMEmo(Dataset):
    """PMEmo: static V/A for 767 songs; dynamic V/A, lyrics and chorus audio for 4.

    Notes
    -----
    Files: ``pmemo/data/scatter.json`` (``id, title, artist, v, a`` in [0, 1], rounded to
    3 decimals), ``pmemo/data/samples/<id>.json`` (4 full records), audio
    ``audio/pmemo/<id>.opus`` for the same 4.

    Decisions:

    * Static label: ``va_to_label(v, a, scale="0-1")`` from ``scatter.json`` (the 767
      songs with static annotations).
    * Informative target: ``scatter.json`` has no rating spread, so the paper's label
      at a lower weight (rule ``va``).
    * The 4 sample records (108, 372, 634, 683) add dynamic labels: ``dynamic.t/v/a``
      (every 0.5 s from 15.5 s, [0, 1]) converted onto the grid with no interpolation
      needed.  Their ``valence_mean``/``arousal_mean`` and ``quadrant`` go to ``labels``;
      a sample's static means disagreeing with ``scatter.json`` by more than 0.001 is
      reported.  EDA, lyrics and comments are not loaded.
    * An item has ``media`` (modality ``audio``) only if ``audio/pmemo/<id>.opus``
      exists; the rest are label-only.
    * ``overview.json`` / ``ml_demo.json`` are the repo author's summaries; the 613/154
      demo split is not official and not used.  Seeded 8:1:1 split stratified by the
      quadrant of the static label.
    """

    name = "pmemo"
    title = "PMEmo (Zhang et al. 2018), partial"
    citation = 'K. Zhang et al., "The PMEmo dataset for music emotion recognition", ICMR \'18'
    license = "MIT (HuiZhangDB/PMEmo LICENSE); chorus clips are commercial excerpts, research use only"
    homepage = "https://github.com/HuiZhangDB/PMEmo"
    modality = "audio"
    label_type = "va"
    scale = "0-1"
    folder = "pmemo"
    exclusions = (
        "The full release (794 clips, per-song dynamic CSVs, features) is not in the folder; EDA, lyrics "
        "and comments of the 4 records are not loaded; the demo split is not used."
    )

    def _load_items(self) -> list[Item]:
        scatter_path = self.file("data", "scatter.json")
        scatter = read_json(scatter_path)
        if not isinstance(scatter, list):
            raise DataError(f"{scatter_path}: expected a list of songs")
        items = []
        for rec in scatter:
            if not isinstance(rec, dict) or "id" not in rec:
                raise DataError(f"{scatter_path}: every entry needs an 'id', got {rec!r:.80}")
            sid = str(rec["id"])
            v = parse_float(rec.get("v"), path=scatter_path, column="v")
            a = parse_float(rec.get("a"), path=scatter_path, column="a")
            static, problems = static_from_va(v, a, scale=self.scale)
            target, tprob = (None, []) if v is None or a is None else informative(inf.from_va, v, a, scale=self.scale)
            problems += tprob
            labels = {"valence": v, "arousal": a}
            custom = {"title": rec.get("title", ""), "artist": rec.get("artist", "")}
            dynamic, duration = None, None
            sample_path = self.file("data", "samples", f"{sid}.json")
            if sample_path.is_file():
                dynamic, duration = self._sample(sample_path, labels, problems)
            media, modality, duration = self.optional_audio(f"audio/pmemo/{sid}.opus", duration)
            items.append(
                self.item(
                    sid,
                    modality=modality,
                    media=media,
                    duration=duration,
                    labels=labels,
                    static=static,
                    dynamic=dynamic,
                    problems=problems,
                    custom=custom,
                    informative=target,
                )
            )
        return items

    def _sample(self, path, labels: dict, problems: list[str]):
        rec = read_json(path)
        dyn = rec.get("dynamic") if isinstance(rec, dict) else None
        if not isinstance(dyn, dict) or not {"t", "v", "a"} <= set(dyn):
            raise DataError(f"{path}: expected a 'dynamic' object with t, v and a")
        labels["sample"] = {
            "valence_mean": rec.get("valence_mean"),
            "arousal_mean": rec.get("arousal_mean"),
            "quadrant": rec.get("quadrant"),
            "chorus": rec.get("chorus"),
        }
        labels["dynamic_va"] = {"time": dyn["t"], "valence": dyn["v"], "arousal": dyn["a"]}
        for key, name in (("valence_mean", "valence"), ("arousal_mean", "arousal")):
            x = rec.get(key)
            if x is not None and labels[name] is not None and abs(float(x) - labels[name]) > 1e-3:
                problems.append(f"{path.name}: {key} {x} differs from scatter.json {labels[name]}")
        dynamic, dprob = dynamic_from_va(dyn["t"], dyn["v"], dyn["a"], scale=self.scale)
        problems += dprob
        duration = rec.get("duration")
        return dynamic, float(duration) if isinstance(duration, (int, float)) else None

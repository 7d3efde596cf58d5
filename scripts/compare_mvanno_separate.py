"""Score the separate shipped models on MVAnno's validation items, both references.

Usage::

    MVEMO_DATA=../shared/data OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python \
        scripts/compare_mvanno_separate.py --out build/mvanno-separate.json [--run build/mvanno-inf]

Re-reads the models shipped now (music, lyrics, symbolic; :mod:`mvemo.anno.compare`), so rerun
it after new weights are merged, then re-export the annotator with
``scripts/make_mvanno_card.py RUN --separate build/mvanno-separate.json`` (which records the
numbers ``mvemo predict --annotator auto`` decides by).  With ``--run``, also prints the
per-modality table: the annotator (MVAnno_static after its last static stage) beside the
separate models, D_e against the informative and the paper reference.
"""

from __future__ import annotations

import argparse
import json
import os


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="JSON of the separate models' scores per dataset")
    ap.add_argument("--modalities", nargs="+", default=["music", "lyrics", "symbolic"])
    ap.add_argument("--run", default=None, help="an `mvemo anno train` run folder to put beside them")
    args = ap.parse_args()

    from mvemo.anno.compare import separate_scores
    from mvemo.util import atomic_write

    scores = separate_scores(tuple(args.modalities), data_home=os.environ.get("MVEMO_DATA"))
    atomic_write(args.out, json.dumps(scores, indent=1))
    print(f"wrote {args.out}")
    if args.run:
        from mvemo.anno.choice import annotator_per_dataset, compare_with_separate, comparison_table
        from mvemo.anno.report import load_state

        print(comparison_table(compare_with_separate(annotator_per_dataset(load_state(args.run)), scores)))


if __name__ == "__main__":
    main()

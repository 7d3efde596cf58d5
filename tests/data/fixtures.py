"""Tiny synthetic datasets in the curated layout, written by the tests (no real data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

GEMS9 = ("amazement", "solemnity", "tenderness", "nostalgia", "calmness", "power",
         "joyful_activation", "tension", "sadness")  # fmt: skip


def write(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text.replace("\n", newline))
    return path


def write_opus(path: Path, seconds: float = 0.5, freq: float = 440.0) -> Path:
    sf = pytest.importorskip("soundfile")  # extra "audio"

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(48000 * seconds)) / 48000
    sf.write(path, (0.1 * np.sin(2 * np.pi * freq * t)).astype("float32"), 48000, format="OGG", subtype="OPUS")
    return path


def make_4q(root: Path, *, n_per_quadrant: int = 3, audio: bool = True) -> Path:
    """``4q_panda2018`` with CRLF CSVs and (optionally) real Opus clips."""
    ann = ["Song,Quadrant"]
    meta = [
        '"Song","Artist","Title","Quadrant","PQuad","MoodsTotal","Moods","MoodsFoundStr","MoodsStr",'
        '"MoodsStrSplit","Genres","GenresStr","Sample","SampleURL"'
    ]
    for q in range(1, 5):
        for k in range(n_per_quadrant):
            song = f"MT{q}{k:05d}"
            ann.append(f"{song},Q{q}")
            meta.append(
                f'"{song}","Artist {k}","Title {k}","Q{q}",0.5,2,2,"a; b","Happy; Calm","Happy; Calm",'
                f'1,"Pop/Rock",1,"http://example.invalid"'
            )
            if audio:
                write_opus(root / "audio" / "4q_panda2018" / f"Q{q}" / f"{song}.opus", freq=200 + 50 * q)
    write(root / "4q_panda2018" / "annotations.csv", "\n".join(ann) + "\n", newline="\r\n")
    write(root / "4q_panda2018" / "metadata.csv", "\n".join(meta) + "\n", newline="\r\n")
    return root


def make_emotify(root: Path) -> Path:
    """``emotify`` with 3 tracks (classical 1, rock 101, pop 301); shares known by design."""
    header = "track id, genre, " + ", ".join(GEMS9) + ", mood, liked, disliked, age, gender, mother tongue"
    votes = {
        (1, "classical"): [[0, 0, 0, 0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 0]],  # calmness 1.0
        (101, "rock"): [
            [0, 0, 0, 0, 0, 1, 0, 1, 0],
            [0, 0, 0, 0, 0, 1, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 0, 1, 0, 0, 0],
        ],  # power 0.75
        (301, "pop"): [[0, 0, 0, 0, 0, 0, 1, 0, 0]],
    }
    lines = [header]
    index = ["track_id,genre,file_number,audio_path,artist,title,album,id3_genre,year,source_duration_s"]
    for (tid, genre), rows in votes.items():
        for i, r in enumerate(rows):
            lines.append(f"{tid},{genre}," + ",".join(map(str, r)) + f",3,{i % 2},0,30,1,English")
        index.append(f"{tid},{genre},{tid % 100},audio/emotify/{genre}/{tid}.opus,A,T,Al,G,2000,60.0")
        write_opus(root / "audio" / "emotify" / genre / f"{tid}.opus")
    write(root / "emotify" / "data.csv", "\n".join(lines) + "\n")
    write(root / "emotify" / "track_index.csv", "\n".join(index) + "\n")
    return root


def make_emopia(root: Path) -> Path:
    """``emopia`` with 10 clips of 3 songs and official clip splits."""
    clips = [f"Q{q}_song_{s}_{k}" for q, s in ((1, "a"), (2, "b"), (4, "c")) for k in range(3)] + ["Q3_d_x_Y_0"]
    lines = ["ID,4Q,annotator"] + [f"{c},{c[1]},D" for c in clips]
    write(root / "emopia" / "label.csv", "\n".join(lines) + "\n")
    for c in clips:
        (root / "emopia" / "midis").mkdir(parents=True, exist_ok=True)
        (root / "emopia" / "midis" / f"{c}.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0")
    split = {"train": clips[:6] + clips[9:], "val": clips[6:8], "test": clips[8:9]}
    for name, cs in split.items():
        write(
            root / "emopia" / "split" / f"{name}_clip.csv",
            ",clip_name\n" + "".join(f"{i},{c}.mid\n" for i, c in enumerate(cs)),
        )
    return root


def make_mtg(root: Path) -> Path:
    """``mtg_jamendo_moodtheme`` with 5 tracks, CRLF, variable tag columns, split-0 and split-1."""
    head = "TRACK_ID\tARTIST_ID\tALBUM_ID\tPATH\tDURATION\tTAGS"
    rows = {
        "track_1": ["happy"],
        "track_2": ["sad", "film"],
        "track_3": ["film"],
        "track_4": ["happy", "calm", "film"],
        "track_5": ["mellow"],
    }

    def line(t, tags):
        return f"{t}\tartist_1\talbum_1\t01/{t}.mp3\t200.5\t" + "\t".join(f"mood/theme---{x}" for x in tags)

    base = root / "mtg_jamendo_moodtheme" / "data"
    write(
        base / "autotagging_moodtheme.tsv",
        "\n".join([head] + [line(t, g) for t, g in rows.items()]) + "\n",
        newline="\r\n",
    )
    tags = sorted({t for g in rows.values() for t in g})
    write(base / "tags" / "moodtheme.txt", "".join(f"mood/theme---{t}\n" for t in tags))
    for k, parts in (
        (0, (["track_1", "track_2"], ["track_3"], ["track_4"])),
        (1, (["track_3", "track_4"], ["track_1"], ["track_2"])),
    ):
        for name, ids in zip(("train", "validation", "test"), parts):
            write(
                base / "splits" / f"split-{k}" / f"autotagging_moodtheme-{name}.tsv",
                "\n".join([head] + [line(t, rows[t]) for t in ids]) + "\n",
                newline="\r\n",
            )
    return root


def make_deam(root: Path) -> Path:
    """``deam`` with ids 5 (2013 set), 1500 (2014) and 2001 (2015); leading-space headers, CRLF."""
    base = root / "deam" / "annotations_song_level"
    write(
        base / "static_annotations_averaged_songs_1_2000.csv",
        "song_id, valence_mean, valence_std, arousal_mean, arousal_std\n5,8,1,2,1\n1500,8,1,2,1\n",
        newline="\r\n",
    )
    write(
        base / "static_annotations_averaged_songs_2000_2058.csv",
        "song_id, valence_mean, valence_std, valence_ max_mean, valence_max_std, valence_min_mean, "
        "valence_min_std, arousal_mean, arousal_std, arousal_max_mean, arousal_max_std, arousal_min_mean, "
        "arousal_min_std\n2001,3.2,0.98,5.0,1.41,2.2,0.98,6.6,0.8,8.6,0.49,3.4,1.02\n",
        newline="\r\n",
    )
    return root


def make_emomusic(root: Path) -> Path:
    """``emomusic`` with 2 songs (stray tabs in songs_info), dynamic at 2 Hz from 15 s; audio for song 2."""
    ann = root / "emomusic" / "annotations"
    write(
        ann / "static_annotations.csv",
        "song_id,mean_arousal,std_arousal,mean_valence,std_valence\n2,3,1,8,1\n3,9.5,1,5,1\n",
    )
    write(
        ann / "songs_info.csv",
        '"song_id","file_name","Artist","Song title","start of the segment (min.sec)",'
        '"end of the segment (min.sec)","Genre","Mediaeval 2013 set"\n'
        '2,"\t2.mp3","A\t","\tT\t","\t0.48\t","\t1.33\t","\tBlues\t","development"\n'
        '3,"\t3.mp3","B\t","\tU\t","\t0.36\t","\t1.21\t","\tBlues\t","evaluation"\n',
    )
    cols = ",".join(f"sample_{ms}ms" for ms in range(15000, 17500, 500))
    for dim, vals in (("valence", (0.5, -0.5)), ("arousal", (0.5, 0.2))):
        write(
            ann / f"{dim}_cont_average.csv",
            f"song_id,{cols}\n" + "".join(f"{s},{','.join([str(v)] * 5)}\n" for s, v in zip((2, 3), vals)),
        )
    write_opus(root / "audio" / "emomusic" / "2.opus")
    return root


def make_soundtracks(root: Path) -> Path:
    """``soundtracks_eerola2011`` with BOM + CRLF rating files; set2-001 links to set1-002."""
    base = root / "soundtracks_eerola2011"
    write(
        base / "mean_ratings_set1.csv",
        "\ufeffnumber,valence,energy,tension,anger,fear,happy,sad,tender,TARGET\n"
        "001,7.00,7.00,3,1,1,7,1,1,HAPPY\n002,2.00,2.00,3,1,1,1,7,1,SAD\n",
        newline="\r\n",
    )
    write(
        base / "mean_ratings_set2.csv",
        "\ufeffNumber,Valence,Energy,Tension,Anger,Fear,Happy,Sad,Tender,Beauty,Liking,TARGET,soundtrack,link\n"
        "001,2.5,2.5,3,1,1,1,7,1,5,5,SAD_HIGH,Film,2\n",
        newline="\r\n",
    )
    for k, n in ((1, 2), (2, 1)):
        write(
            base / f"set{k}_tracklist.csv",
            "Nro,Emotion,Album name,Track,Min:Sec\n"
            + "".join(f"{i:03d},Happy,Album,1,02:02-02:17\n" for i in range(1, n + 1)),
        )
    return root

"""The builder's ASR lyrics step (``--asr faster-whisper:MODEL``), offline, on a tiny Whisper.

No model is downloaded: a tiny Whisper (``transformers`` ``WhisperConfig`` +
``WhisperForConditionalGeneration``) with a byte-level BPE vocabulary trained here on a few
lines is converted to CTranslate2 (``ctranslate2``'s transformers converter) in a temporary
folder, and ``faster-whisper`` reads it from there.

Its weights are random except where they make the decoding known in advance: the decoder
layers' output projections are zero (so each position's state is its token embedding plus
its position embedding) and position p's embedding is a large multiple of the embedding of
the token wanted at p + 1.  The tied output projection then ranks that token first by a wide
margin, whatever the audio: the model "transcribes" a script of timestamps and text.  That
is enough to check what the builder does with ASR output: the step runs, its lines and
times land in ``lyrics/ID.lrc`` cleaned by the paper's rule, and an empty transcription is
recorded as no lyrics.

Skips without the ``asr`` extra (``faster-whisper``, which brings ``ctranslate2``) or without
``transformers``/``torch``/``tokenizers``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mvemo.dataset import steps as S
from mvemo.io.lyrics import clean_lyrics

faster_whisper = pytest.importorskip("faster_whisper", reason="the asr extra (faster-whisper) is not installed")
ctranslate2 = pytest.importorskip("ctranslate2")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")
torch = pytest.importorskip("torch")
sf = pytest.importorskip("soundfile")

#: Whisper's special tokens, in Whisper's order (English-only: no language tokens); the
#: CTranslate2 converter appends the 1501 timestamp tokens <|0.00|> ... <|30.00|> after them.
SPECIALS = ["<|endoftext|>", "<|startoftranscript|>", "<|translate|>", "<|transcribe|>", "<|startoflm|>",
            "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]  # fmt: skip
N_TIMESTAMPS = 1501
#: What the tiny model says: (start, text) lines, with characters the cleaning rule removes
#: ("&", "%", "$") but none that faster-whisper suppresses as non-speech ("(", "#", "♪" ...).
SCRIPT = [(0.0, " Hello & goodbye,"), (1.0, " my love... it's 100% real!"), (2.5, " Pay $5 now?")]
D_MODEL = 64


def _tokenizer(folder: Path) -> tokenizers.Tokenizer:
    """A byte-level BPE (Whisper's kind) trained on the script's lines, plus Whisper's specials."""
    from tokenizers import decoders, models, pre_tokenizers, trainers

    tok = tokenizers.Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    lines = [t for _, t in SCRIPT] + [" -", " '", " - '", " la la la", " oh yeah"]
    trainer = trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator(lines * 20, trainer)
    tok.add_special_tokens(SPECIALS)
    tok.save(str(folder / "tokenizer.json"))
    return tok


def make_tiny_whisper(root: Path, script: list[tuple[float, str]]) -> Path:
    """Build, convert and return a CTranslate2 Whisper folder that transcribes ``script``.

    The decoded sequence is ``<|t0|> text0 <|t1|> <|t1|> text1 ... <|end|> <|endoftext|>``:
    one segment per line, each ending where the next starts (the last one 1 s later).
    """
    hf_dir, ct2_dir = root / "hf", root / "ct2"
    hf_dir.mkdir(parents=True, exist_ok=True)
    tok = _tokenizer(hf_dir)
    n_text = tok.get_vocab_size() - len(SPECIALS)
    sid = {s: tok.token_to_id(s) for s in SPECIALS}
    assert sid["<|endoftext|>"] == n_text and sid["<|notimestamps|>"] == n_text + len(SPECIALS) - 1
    ts0 = sid["<|notimestamps|>"] + 1  # <|0.00|>

    def ts(t: float) -> int:
        return ts0 + int(round(t / 0.02))

    target: list[int] = []
    for k, (start, text) in enumerate(script):
        end = script[k + 1][0] if k + 1 < len(script) else start + 1.0
        ids = tok.encode(text, add_special_tokens=False).ids
        assert all(i < n_text for i in ids)
        target += ([ts(start)] if k == 0 else []) + ids + [ts(end)] + ([ts(end)] if k + 1 < len(script) else [])
    if not script:
        target = [ts0]  # a timestamp, then the end: no words
    target.append(sid["<|endoftext|>"])

    vocab = n_text + len(SPECIALS) + N_TIMESTAMPS
    cfg = transformers.WhisperConfig(
        vocab_size=vocab,
        num_mel_bins=80,
        d_model=D_MODEL,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=2 * D_MODEL,
        decoder_ffn_dim=2 * D_MODEL,
        max_source_positions=1500,
        max_target_positions=448,
        pad_token_id=sid["<|endoftext|>"],
        bos_token_id=sid["<|endoftext|>"],
        eos_token_id=sid["<|endoftext|>"],
        decoder_start_token_id=sid["<|startoftranscript|>"],
        suppress_tokens=[],
        begin_suppress_tokens=[],
    )
    torch.manual_seed(0)
    model = transformers.WhisperForConditionalGeneration(cfg).eval()
    dec = model.model.decoder
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        emb = torch.randn(vocab, D_MODEL, generator=g)
        dec.embed_tokens.weight.copy_(emb)
        model.proj_out.weight.copy_(emb)  # tied, as in Whisper
        pos = torch.zeros_like(dec.embed_positions.weight)
        for p, t in enumerate(target):  # the prompt is <|startoftranscript|> at position 0
            pos[p] = 50.0 * emb[t]
        dec.embed_positions.weight.copy_(pos)
        for layer in dec.layers:  # the residual stream passes through unchanged
            for lin in (layer.self_attn.out_proj, layer.encoder_attn.out_proj, layer.fc2):
                lin.weight.zero_()
                if lin.bias is not None:
                    lin.bias.zero_()
    model.generation_config.suppress_tokens = []
    model.generation_config.begin_suppress_tokens = []
    model.save_pretrained(hf_dir)
    transformers.PreTrainedTokenizerFast(tokenizer_object=tok).save_pretrained(hf_dir)
    from ctranslate2.converters import TransformersConverter

    TransformersConverter(str(hf_dir), copy_files=["tokenizer.json"]).convert(str(ct2_dir), quantization=None)
    return ct2_dir


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """Hugging Face hub lookups fail loudly instead of reaching the network."""
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def speaking_model(tmp_path_factory, offline) -> Path:
    return make_tiny_whisper(tmp_path_factory.mktemp("whisper_words"), SCRIPT)


@pytest.fixture(scope="module")
def silent_model(tmp_path_factory, offline) -> Path:
    return make_tiny_whisper(tmp_path_factory.mktemp("whisper_none"), [])


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """5 s of a synthesised sung-like tone (FLAC, 16 kHz), what the audio step writes."""
    sr = 16000
    t = np.arange(5 * sr) / sr
    y = 0.3 * np.sin(2 * np.pi * (220 + 30 * np.sin(2 * np.pi * 0.5 * t)) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))
    p = tmp_path_factory.mktemp("clip") / "audio.flac"
    sf.write(p, y.astype(np.float32), sr, format="FLAC", subtype="PCM_16")
    return p


def test_backend_reads_the_local_model(speaking_model, clip):
    segs = S.transcribe_lyrics(clip, backend="faster-whisper", model_dir=speaking_model)
    assert [round(t, 2) for t, _ in segs] == [t for t, _ in SCRIPT]
    assert [s for _, s in segs] == [t.strip() for _, t in SCRIPT]  # the raw text, before cleaning


def test_asr_step_writes_cleaned_synced_lyrics(speaking_model, clip, tmp_path):
    res = S.lyrics(None, tmp_path / "lyrics", audio=clip, asr=("faster-whisper", str(speaking_model)))
    cleaned = ["Hello goodbye,", "my love... it's 100 real!", "Pay 5 now?"]
    assert cleaned == [clean_lyrics(t) for _, t in SCRIPT]
    assert res["origin"] == "asr" and res["asr"] is True
    assert res["file"] == "lyrics.lrc" and res["synced"] is True
    assert res["n_lines"] == 3 and res["line_words"] == [2, 5, 3] and res["n_words"] == 10
    text = (tmp_path / "lyrics.lrc").read_text()
    assert text == "[00:00.00]Hello goodbye,\n[00:01.00]my love... it's 100 real!\n[00:02.50]Pay 5 now?\n"
    assert not {"&", "%", "$"} & set(text)


def test_asr_without_words_is_no_lyrics(silent_model, clip, tmp_path):
    assert S.transcribe_lyrics(clip, backend="faster-whisper", model_dir=silent_model) == []
    res = S.lyrics(None, tmp_path / "lyrics", audio=clip, asr=("faster-whisper", str(silent_model)))
    assert res == {
        "origin": "none",
        "asr": True,
        "file": None,
        "synced": False,
        "n_lines": 0,
        "n_words": 0,
        "line_words": [],
    }
    assert not list(tmp_path.iterdir())


def test_a_lyrics_file_wins_over_asr(speaking_model, clip, tmp_path):
    lrc = tmp_path / "song.lrc"
    lrc.write_text("[00:01.00]From (the) file\n")
    res = S.lyrics(lrc, tmp_path / "out", audio=clip, asr=("faster-whisper", str(speaking_model)))
    assert res["origin"] == "sidecar" and res["asr"] is False
    assert (tmp_path / "out.lrc").read_text() == "[00:01.00]From the file\n"


def test_missing_model_fails_with_its_path(clip, tmp_path):
    from mvemo.errors import DataError

    with pytest.raises(DataError, match="nowhere"):
        S.lyrics(None, tmp_path / "l", audio=clip, asr=("faster-whisper", str(tmp_path / "nowhere")))


def test_build_records_asr_lyrics(speaking_model, corpus, tmp_path):
    """One video without a lyrics file, built with --asr: the ledger, manifest and dataset
    folder hold the transcribed, cleaned lyrics."""
    from mvemo.data.manifest import read_manifest
    from mvemo.dataset.build import build_dataset

    truth = json.loads((corpus / "truth.json").read_text())
    vid = next(k for k, t in truth.items() if t["expect"] == "done" and not t["lyrics"])
    src = tmp_path / "src"
    src.mkdir()
    (src / f"{vid}.mp4").symlink_to(corpus / f"{vid}.mp4")
    s = build_dataset(
        [src],
        tmp_path / "out",
        workers=1,
        annotator="video",
        cache_dir=tmp_path / "cache",
        asr=("faster-whisper", str(speaking_model)),
        progress=False,
        memory_limit="2GiB",
    )
    assert (s.done, s.failed) == (1, 0), s.failures
    (item,) = read_manifest(tmp_path / "out" / "manifest.jsonl", data_home=tmp_path / "out")
    assert item.custom["lyrics"]["origin"] == "asr" and item.custom["source"]["lyrics_origin"] == "asr"
    assert item.custom["lyrics"]["line_words"] == [2, 5, 3]
    assert item.media["lyrics"] == f"lyrics/{vid}.lrc"
    assert item.path("lyrics").read_text().splitlines()[1] == "[00:01.00]my love... it's 100 real!"

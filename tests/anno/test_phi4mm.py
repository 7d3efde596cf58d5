"""The phi4mm backend end to end on a tiny random Phi-4-multimodal (offline; skipped without transformers/peft)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("safetensors")
transformers = pytest.importorskip("transformers")
pytest.importorskip("peft")
if not hasattr(transformers, "Phi4MultimodalForCausalLM"):
    pytest.skip("this transformers has no Phi-4-multimodal classes", allow_module_level=True)

from mvemo.anno import load_config
from mvemo.anno.backends.phi4mm import PROMPT, Example, Phi4mmBackend, target_text
from mvemo.anno.checkpoint import load_tensors
from mvemo.anno.report import format_report
from mvemo.anno.runner import Prepared, run_curriculum
from mvemo.metrics import parse_response
from mvemo.representation import CATEGORIES

SPECIAL = ["<unk>", "<pad>", "<s>", "</s>", "<|user|>", "<|end|>", "<|assistant|>"]


def tiny_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = set(PROMPT.replace("{what}", "x").split()) | {
        "music",
        "and",
        "image",
        "video",
        "song's",
        "lyrics",
        "input",
        "Lyrics:",
        "la",
        "Emotion",
        "Category:",
        "Intensity:",
    }
    words |= {f"{c}," for c in CATEGORIES} | {f"{i / 10:.1f}" for i in range(11)}
    vocab = {w: i for i, w in enumerate(SPECIAL + sorted(words))}
    tk = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tk, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>"
    )
    fast.add_special_tokens({"additional_special_tokens": ["<|user|>", "<|end|>", "<|assistant|>"]})
    return fast


def tiny_model(tok):
    n = len(tok)
    cfg = transformers.Phi4MultimodalConfig(
        vocab_size=n + 4,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.convert_tokens_to_ids("<|end|>"),
        vision_config=dict(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=28,
            crop_size=28,
            patch_size=14,
            image_token_id=n + 1,
        ),
        audio_config=dict(
            hidden_size=16,
            intermediate_size=32,
            num_blocks=1,
            num_attention_heads=2,
            ext_pw_out_channel=16,
            depthwise_separable_out_channel=16,
            nemo_conv_channels=16,
            audio_token_id=n + 2,
        ),
    )
    return transformers.Phi4MultimodalForCausalLM(cfg)


class SyntheticPhi(Phi4mmBackend):
    def prepare(self, stage, cfg, *, log):
        rng = np.random.default_rng(len(stage.name))
        mods = set(stage.modalities)

        def ex(g):
            c = CATEGORIES[g % 28]
            frames = None
            if mods & {"image", "video"}:
                frames = [
                    rng.integers(0, 255, size=(20, 30, 3), dtype=np.uint8)
                    for _ in range(11 if stage.branch == "dynamic" else (2 if "video" in mods else 1))
                ]
            audio = (
                rng.normal(size=16000 * (5 if stage.branch == "dynamic" else 2)).astype(np.float32) * 0.1
                if "music" in mods
                else None
            )
            return Example(
                text="la la la" if "lyrics" in mods else None,
                audio=audio,
                images=frames,
                category=c,
                intensity=0.5,
                group=g,
            )

        return Prepared(
            n_train=4, train=[ex(g) for g in range(4)], val={f"{stage.name}-val": [ex(g) for g in range(2)]}
        )


CONFIG = """
backend = "phi4mm"
fork_from = "video_static"
checkpoint_every = 1
[optimizer]
lr = 1e-3
batch_size = 2
reason = "tiny test"
[[stage]]
name = "image"
branch = "static"
modalities = ["image"]
train = ["encoders", "projectors", "lora_v"]
steps = 2
[[stage]]
name = "music"
branch = "static"
modalities = ["music"]
train = ["encoders", "projectors", "lora_m"]
steps = 2
[[stage]]
name = "lyrics"
branch = "static"
modalities = ["lyrics"]
train = ["lora_v", "lora_m"]
steps = 2
[[stage]]
name = "video_static"
branch = "static"
modalities = ["video"]
train = ["lora_v"]
steps = 2
[[stage]]
name = "vision_music_static"
branch = "static"
modalities = ["video", "music"]
train = ["encoders", "projectors", "lora_v"]
steps = 2
[[stage]]
name = "lyrics_music_static"
branch = "static"
modalities = ["lyrics", "music"]
train = ["lora_v", "lora_m"]
steps = 2
[[stage]]
name = "video_dynamic"
branch = "dynamic"
modalities = ["video"]
train = ["lora_v"]
steps = 2
[[stage]]
name = "vision_music_dynamic"
branch = "dynamic"
modalities = ["video", "music"]
train = ["encoders", "projectors", "lora_v"]
steps = 2
[[stage]]
name = "lyrics_music_dynamic"
branch = "dynamic"
modalities = ["lyrics", "music"]
train = ["lora_v", "lora_m"]
steps = 2
"""


def test_tiny_phi4mm_curriculum_end_to_end(tmp_path):
    import torch

    p = tmp_path / "phi.toml"
    p.write_text(CONFIG, encoding="utf-8")
    cfg = load_config(p, out_dir=str(tmp_path / "run"))
    tok = tiny_tokenizer()
    torch.manual_seed(0)
    backend = SyntheticPhi(model=tiny_model(tok), tokenizer=tok, lora_rank=4, lora_alpha=8, max_new_tokens=8)
    # the target text tokenizes without unknown words and parses back
    ids = tok(target_text("sad", 0.8), add_special_tokens=False)["input_ids"]
    assert tok.unk_token_id not in ids and parse_response(tok.decode(ids)).category == "sad"
    state = run_curriculum(cfg, backend, log=lambda _: None)
    assert all(s["status"] == "done" for s in state["stages"].values()), state["stages"]
    ev = state["stages"]["lyrics_music_dynamic"]["eval"]["lyrics_music_dynamic"]["datasets"]
    er = next(iter(ev.values()))["error_rate"]
    assert 0.0 <= er <= 1.0
    # adapters: both saved, and the music stage changed LoRA_m but not LoRA_v
    img = load_tensors(tmp_path / "run" / "stages" / "image" / "model.safetensors")
    mus = load_tensors(tmp_path / "run" / "stages" / "music" / "model.safetensors")
    v = [k for k in mus if "lora_B" in k and ".vision" in k]
    m = [k for k in mus if "lora_B" in k and ".speech" in k]
    assert v and m
    assert all(np.array_equal(img[k], mus[k]) for k in v)
    assert any(not np.array_equal(img[k], mus[k]) for k in m)
    # reload into a fresh model: same answer
    ex = Example(
        text=None, audio=np.zeros(16000, np.float32) + 0.01, images=None, category="sad", intensity=0.5, group=0
    )
    model = backend.new_model(seed=0)
    backend.load_weights(model, mus)
    backend.activate(model, ("music",))
    a = backend.generate(model, ex)
    torch.manual_seed(0)  # the same frozen base weights (from --model-path in real use); adapters from the file
    other = SyntheticPhi(model=tiny_model(tok), tokenizer=tok, lora_rank=4, lora_alpha=8, max_new_tokens=8)
    m2 = other.new_model(seed=0)
    other.load_weights(m2, mus)
    other.activate(m2, ("music",))
    assert other.generate(m2, ex) == a  # the saved adapters and parts decide the answer
    assert isinstance(a, str) and parse_response(a) is not None
    report = format_report(state, fmt="md")
    (tmp_path / "report.md").write_text(report, encoding="utf-8")
    assert "Table II form" in report and "| static | own data |" in report

import pytest

torch = pytest.importorskip("torch")

from mvemo.errors import ParameterError  # noqa: E402
from mvemo.models.losses import distillation_loss, multitask_loss  # noqa: E402
from mvemo.models.music2emo import DEFAULT_HEADS, Music2Emo, Music2EmoConfig  # noqa: E402

HEADS = {h.name: h for h in DEFAULT_HEADS}


def _batch(b=4, length=7, dim=32):
    g = torch.Generator().manual_seed(0)
    roots = torch.randint(0, 13, (b, length), generator=g)
    quals = torch.randint(0, 15, (b, length), generator=g)
    mask = torch.ones(b, length, dtype=torch.bool)
    mask[0, 3:] = False
    mask[1, :] = False  # a track with no chords
    return torch.randn(b, dim, generator=g), roots, quals, mask, torch.tensor([0.0, 1.0, 0.0, 1.0])


def test_forward_shapes_and_ranges():
    torch.manual_seed(0)
    model = Music2Emo(Music2EmoConfig(embedding_dim=32)).eval()
    out = model(*_batch())
    assert out["category"].shape == (4, 28) and out["quadrant"].shape == (4, 4) and out["gems"].shape == (4, 9)
    assert out["va"].shape == (4, 2) and bool((out["va"].abs() <= 1).all())
    assert out["intensity"].shape == (4,) and bool(((out["intensity"] >= 0) & (out["intensity"] <= 1)).all())
    assert torch.isfinite(out["category"]).all()


def test_chord_padding_does_not_change_the_encoding():
    torch.manual_seed(0)
    model = Music2Emo(Music2EmoConfig(embedding_dim=32)).eval()
    emb, roots, quals, mask, mode = _batch()
    a = model(emb, roots, quals, mask, mode)["category"]
    roots2 = roots.clone()
    roots2[0, 3:] = 5  # changes only padded positions of track 0
    b = model(emb, roots2, quals, mask, mode)["category"]
    torch.testing.assert_close(a[0], b[0])


def test_selective_update_touches_only_labelled_heads():
    torch.manual_seed(0)
    model = Music2Emo(Music2EmoConfig(embedding_dim=32))
    out = model(*_batch())
    targets = {"quadrant": torch.tensor([0, 1, 2, 3]), "gems": torch.rand(4, 9)}
    masks = {"quadrant": torch.tensor([True, True, False, True]), "gems": torch.zeros(4, dtype=torch.bool)}
    loss, parts = multitask_loss(DEFAULT_HEADS, out, targets, masks)
    loss.backward()
    assert set(parts) == {"quadrant"}
    assert model.heads["gems"][0].weight.grad is None or float(model.heads["gems"][0].weight.grad.abs().sum()) == 0
    assert float(model.heads["quadrant"][0].weight.grad.abs().sum()) > 0
    assert float(model.trunk[1].weight.grad.abs().sum()) > 0
    with pytest.raises(ParameterError, match="no head"):
        multitask_loss(DEFAULT_HEADS, out, targets, {"gems": masks["gems"]})


def test_distillation_is_zero_for_identical_outputs_and_positive_otherwise():
    logits = torch.randn(5, 4)
    assert float(distillation_loss(HEADS["quadrant"], logits, logits)) == pytest.approx(0.0, abs=1e-6)
    assert float(distillation_loss(HEADS["quadrant"], logits, logits.flip(0))) > 0
    g = torch.randn(5, 9)
    # Binary KD has its minimum at the teacher's own logits.
    assert float(distillation_loss(HEADS["gems"], g, g)) < float(distillation_loss(HEADS["gems"], g + 1.0, g))
    with pytest.raises(ParameterError):
        distillation_loss(HEADS["quadrant"], logits, logits, temperature=0)

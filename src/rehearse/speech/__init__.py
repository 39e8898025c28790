"""Audio in, speech out: decoding, capture, VAD, the Whisper model and transcription.

CTranslate2 (under faster-whisper) runs its threads with GNU OpenMP, whose threads spin
while they wait for work. On a CPU other programs also use, a spinning thread holds a
core its partner needs: measured on the 2-core development machine under load from
other processes, 17.8 s of speech took 56-66 s to transcribe on the first run of a
process and 5.5-14 s after (2 threads, default policy), 21-24 s with a short spin
(``GOMP_SPINCOUNT=20000``), and 2.3-4.2 s with ``OMP_WAIT_POLICY=PASSIVE``, every run.
The policy is read when the OpenMP library loads, so it is set here, before any speech
module imports faster-whisper; a value the user set is kept.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

"""The alert sound: a short two-tone chime when an urgent alert is raised.

The chime is generated (:func:`write_alert_sound`) and committed as
``resources/alert.wav``; ``python -m videowall.ui.sound resources/alert.wav`` writes it
again. :class:`AlertSound` plays it through Qt Multimedia where there is an audio output,
and is silent (one INFO line in the log, no error) where there is none, where Qt
Multimedia is missing, or where the file is.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import wave
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import (
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    QUrl,
    pyqtSignal,
    qInstallMessageHandler,
)

from videowall.registry.alerts import AlertRules
from videowall.ui.alert_panel import AlertLike

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
#: The chime: (frequency in Hz, seconds) of each tone, high then low.
TONES = ((880.0, 0.2), (660.0, 0.2))
#: Peak level (full scale is 1): loud enough for a control room, far from clipping.
AMPLITUDE = 0.5
#: Each tone fades in and out over this long, so its edges do not click.
FADE_S = 0.012
#: Where the repository keeps the generated chime.
COMMITTED_PATH = Path("resources") / "alert.wav"
#: The chime next to the package (a checkout or an editable install).
DEFAULT_PATH = Path(__file__).resolve().parents[2] / COMMITTED_PATH
#: Alerts of priority 1 up to this one sound.
URGENT_PRIORITY = 2
#: Seconds between rings when the registry asks for a repeat (``sound_repeat: true``).
REPEAT_S = 5.0


def alert_samples() -> npt.NDArray[np.int16]:
    """The chime as 16-bit mono samples at :data:`SAMPLE_RATE`."""
    parts = []
    fade = round(FADE_S * SAMPLE_RATE)
    for frequency, seconds in TONES:
        n = round(seconds * SAMPLE_RATE)
        t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
        envelope = np.ones(n)
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
        envelope[:fade] = ramp
        envelope[n - fade:] = ramp[::-1]
        parts.append(np.sin(2 * np.pi * frequency * t) * envelope)
    wave_form = np.concatenate(parts) * AMPLITUDE * 32767
    return np.rint(wave_form).astype(np.int16)


def alert_wav_bytes() -> bytes:
    """The chime as a WAV file (PCM, 16-bit, mono, :data:`SAMPLE_RATE` Hz)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(alert_samples().astype("<i2").tobytes())
    return buffer.getvalue()


def write_alert_sound(path: Path | str) -> Path:
    """Write the chime to ``path`` (folders made as needed); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(alert_wav_bytes())
    return target


class Player(Protocol):
    """What plays the chime: Qt's ``QSoundEffect`` does, and so can a test's fake."""

    def play(self) -> None: ...

    def stop(self) -> None: ...


@contextlib.contextmanager
def _qt_messages_held() -> Iterator[list[str]]:
    """Keep Qt's messages out of the log while Qt Multimedia looks for an audio system.

    On a machine without one it warns (no PipeWire, no PulseAudio server) although
    nothing is wrong for the wall; the messages go to the debug log instead.
    """
    held: list[str] = []

    def hold(mode: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
        held.append(f"{context.category or 'default'}: {message or ''}")

    previous = qInstallMessageHandler(hold)
    try:
        yield held
    finally:
        qInstallMessageHandler(previous)
        for message in held:
            log.debug("Qt Multimedia: %s", message)


def open_player(path: Path, parent: QObject | None = None) -> Player | None:
    """A sound effect playing ``path`` on the default audio output, or None (and one INFO
    line saying why) when the file, Qt Multimedia or an audio output is missing."""
    if not path.is_file():
        log.info("alert sound off: %s is missing", path)
        return None
    with _qt_messages_held():
        try:
            from PyQt6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            log.info("alert sound off: no Qt Multimedia (%s)", exc)
            return None
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            log.info("alert sound off: no audio output device")
            return None
        effect = QSoundEffect(device, parent)
        effect.setSource(QUrl.fromLocalFile(str(path)))
    log.info("alert sound on %s", device.description())
    return effect


class AlertSound(QObject):
    """Rings for new alerts of priority 1 to :data:`URGENT_PRIORITY`.

    Feed it like the panel: :meth:`set_alerts` once, :meth:`update_alert` for every engine
    event. It rings once for each new urgent alert; with a repeat interval it rings again
    every interval while an urgent alert waits for an acknowledgement, until :meth:`stop`.
    :meth:`set_rules` applies the registry's ``alerts`` section (sound at all, repeat, and
    which kinds sound); :meth:`set_enabled` is the operator's switch on top of it. The
    audio output is opened at the first ring, not before.
    """

    #: (alert id, or "" for a repeat) the chime rang (or would have, where no audio plays)
    rang = pyqtSignal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        enabled: bool = True,
        repeat_s: float = 0.0,
        path: Path | None = None,
        player: Player | None = None,
    ) -> None:
        super().__init__(parent)
        self._enabled = enabled
        self._repeat_s = max(0.0, repeat_s)
        self._path = path or DEFAULT_PATH
        self._rules = AlertRules()
        self._player = player
        self._opened = player is not None
        self._known: set[str] = set()
        #: Urgent alerts still waiting for an acknowledgement: what the repeat is for.
        self._waiting: set[str] = set()
        #: How often the chime rang (or would have, where no audio plays).
        self.rings = 0
        self.repeat_timer = QTimer(self)
        self.repeat_timer.timeout.connect(self._on_repeat_timer_timeout)

    # -- settings --------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Sound on or off; off stops a repeat at once."""
        self._enabled = enabled
        if not enabled:
            self.repeat_timer.stop()
            if self._player is not None:
                self._player.stop()

    @property
    def repeat_s(self) -> float:
        """Seconds between rings while an urgent alert waits; 0: ring once."""
        return self._repeat_s

    def set_repeat(self, seconds: float) -> None:
        """Ring again every ``seconds`` until acknowledged (0: once)."""
        self._repeat_s = max(0.0, seconds)
        self._schedule()

    def set_rules(self, rules: AlertRules) -> None:
        """Follow the registry's ``alerts`` section: ``sound`` (none at all when false),
        ``sound_repeat`` (every :data:`REPEAT_S` seconds, else once) and each kind's
        ``sound``."""
        self._rules = rules
        if not rules.sound:
            self._waiting.clear()
        self.set_repeat(REPEAT_S if rules.sound_repeat else 0.0)

    @property
    def repeating(self) -> bool:
        return self.repeat_timer.isActive()

    def available(self) -> bool:
        """Whether the chime can be heard here (opens the audio output if not yet)."""
        return self._open() is not None

    # -- alerts ----------------------------------------------------------------------------

    def set_alerts(self, alerts: Iterable[AlertLike]) -> None:
        """Take these alerts as known (after a restart): none rings now, but the urgent
        ones still unacknowledged are what a repeat rings for."""
        alerts = list(alerts)
        self._known = {a.id for a in alerts}
        self._waiting = {a.id for a in alerts if self._urgent(a)}
        self._schedule()

    def update_alert(self, alert: AlertLike) -> None:
        """Ring if ``alert`` is a new urgent one; end the repeat once none is waiting."""
        new = alert.id not in self._known
        self._known.add(alert.id)
        if self._urgent(alert):
            self._waiting.add(alert.id)
        else:
            self._waiting.discard(alert.id)
        if new and alert.state == "new" and self._urgent(alert):
            self.ring(alert.id)
        else:
            self._schedule()

    def remove_alert(self, alert_id: str) -> None:
        """Forget an alert (one folded into a group)."""
        self._known.discard(alert_id)
        self._waiting.discard(alert_id)
        self._schedule()

    def _urgent(self, alert: AlertLike) -> bool:
        """Whether ``alert`` is one to ring for: urgent, unacknowledged, of a kind that
        sounds."""
        rules = self._rules
        return (alert.priority <= URGENT_PRIORITY and alert.unacknowledged and rules.sound
                and rules.rule(alert.kind).sound)

    # -- sound -----------------------------------------------------------------------------

    def ring(self, alert_id: str = "") -> bool:
        """Ring now (when on) and start the repeat if one is set; False when off."""
        if not self._enabled:
            return False
        self.rings += 1
        self.play()
        self.rang.emit(alert_id)
        self._schedule()
        return True

    def play(self) -> bool:
        """Play the chime once, whether on or off; False where no audio plays."""
        player = self._open()
        if player is None:
            return False
        player.play()
        return True

    def stop(self) -> None:
        """Silence the chime and end the repeat for the alerts waiting now (a new urgent
        alert rings again)."""
        self._waiting.clear()
        self.repeat_timer.stop()
        if self._player is not None:
            self._player.stop()

    def _schedule(self) -> None:
        if self._enabled and self._repeat_s > 0 and self._waiting:
            interval = max(1, round(self._repeat_s * 1000))
            if not self.repeat_timer.isActive() or self.repeat_timer.interval() != interval:
                self.repeat_timer.start(interval)
        else:
            self.repeat_timer.stop()

    def _open(self) -> Player | None:
        if not self._opened:
            self._opened = True
            self._player = open_player(self._path, self)
        return self._player

    def _on_repeat_timer_timeout(self) -> None:
        self.ring()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m videowall.ui.sound FILE``: write the alert chime to FILE."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m videowall.ui.sound FILE", file=sys.stderr)
        return 2
    print(write_alert_sound(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

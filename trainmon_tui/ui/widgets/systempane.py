"""``--system``'s pane: this host's CPU, memory and GPUs, sampled every 2 s in a thread worker while shown.

The sampling (:class:`~trainmon_tui.live.hostprobe.HostProbe`) runs off the event loop, NVML calls can
take milliseconds on a busy driver; the text is :func:`~trainmon_tui.views.hostview.host_text`'s, drawn
again on a resize. In a stacked or short layout (the screen's ``-narrow`` class) it is a single line.
"""

from __future__ import annotations

import time

from textual import work
from textual.events import Resize
from textual.message import Message
from textual.widgets import Static

from trainmon_tui.live.hostprobe import HostProbe, HostSample
from trainmon_tui.views.hostview import host_text
from trainmon_tui.views.i18n import Lang, t

SAMPLE_SECONDS = 2.0
FIRST_CPU_WINDOW = 0.5  # seconds; the first sample's CPU % would otherwise cover next to no time


class SystemPane(Static):
    """This host's figures; a sample every :data:`SAMPLE_SECONDS`."""

    SCOPED_CSS = False  # the rules below depend on the screen's size classes
    DEFAULT_CSS = """
    SystemPane {
        height: auto;
        max-height: 8;
        border-top: solid $primary-darken-2;
        border-title-color: $text;
        border-title-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    Screen.-narrow SystemPane {
        height: 1;
        border-top: none;
    }
    """

    class Sampled(Message):
        def __init__(self, sample: HostSample) -> None:
            super().__init__()
            self.sample = sample

    def __init__(self, lang: Lang, *, probe: HostProbe | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.probe = probe
        self.sample: HostSample | None = None
        self.samples = 0  # taken so far (tests wait on it)

    def on_mount(self) -> None:
        self.border_title = t("host", self.lang)  # the heading, in the border: a line saved
        self._draw()
        self._take()
        self.set_interval(SAMPLE_SECONDS, self.tick)

    def tick(self) -> None:
        """Every :data:`SAMPLE_SECONDS`: a sample, unless the pane is out of sight (another view, the side
        pane hidden with ``b``): then nothing is sampled until it shows again."""
        if self.is_on_screen:
            self._take()

    def on_show(self) -> None:
        if self.sample is not None:  # back in sight: fresh figures at once, not up to 2 s old ones
            self._take()

    @work(thread=True, exclusive=True, group="system-sample")
    def _take(self) -> None:
        if self.probe is None:
            self.probe = HostProbe()  # psutil and NVML found and initialised once, off the event loop
            time.sleep(FIRST_CPU_WINDOW)  # the CPU % is over the time since the probe's first reading
        self.post_message(self.Sampled(self.probe.sample()))

    def on_system_pane_sampled(self, message: Sampled) -> None:
        self.sample = message.sample
        self.samples += 1
        self._draw()

    def on_resize(self, event: Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        compact = self.screen.has_class("-narrow") if self.is_attached else False
        width = self.content_region.width or 36
        self.content = host_text(self.sample, self.lang, width, compact=compact)  # (as SummaryPane does)

"""The demo command centre: generated scene clips, local stream servers and its registry.

- :mod:`~videowall.demo.clips` draws the scene clips and a colour probe with ``ffmpeg``.
- :mod:`~videowall.demo.sout` serves a clip over RTSP/HTTP with libvlc's stream output.
- :mod:`~videowall.demo.ffserver` serves a clip over HTTP through ``ffmpeg`` (MPEG-TS or
  MJPEG), and a server that fails on purpose.
- :mod:`~videowall.demo.registry` writes ``config/cameras.yaml`` for the demo.
- :mod:`~videowall.demo.simulator` runs every demo stream, one of them flaky.

Importing this package imports none of them (and so not libvlc).
"""

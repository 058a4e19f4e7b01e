"""Decoding backends, frame slots and the stream manager (Qt-free)."""

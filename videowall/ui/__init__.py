"""Qt widgets of the wall: main window, wall, tiles, camera list, and the headless snapshot.

The only package of videowall that imports PyQt6.
"""

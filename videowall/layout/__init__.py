"""Wall geometry and layouts as plain data (Qt-free)."""

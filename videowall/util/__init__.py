"""Small helpers every layer may use: logging, memory, loopback sockets."""

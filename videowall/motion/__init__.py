"""Motion and queues: detectors on small grey pictures, zones, masks and lanes, one
watcher thread for the wall. Qt-free, store-free."""

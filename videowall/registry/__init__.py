"""The camera registry: the model, the YAML checker with line numbers, the JSON Schema,
the file watcher and the importers."""

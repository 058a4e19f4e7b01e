"""The camera registry: the model, the YAML checker with line numbers, the JSON Schema,
the file watcher and the importers.

The names below are the package's public API; :mod:`~videowall.registry.schema`,
:mod:`~videowall.registry.watch` and :mod:`~videowall.registry.importers` are imported
from their modules.
"""

from videowall.registry.alerts import ALERT_KINDS, HEALTH_KINDS, AlertRules, KindRule, default_rule
from videowall.registry.health import HealthConfig, out_of_order, with_settings
from videowall.registry.issues import ConfigError, ConfigIssue, suggest
from videowall.registry.loader import (
    RegistryCheck,
    check_registry,
    load_registry,
    parse_registry,
    read_registry,
    validate_file,
)
from videowall.registry.model import (
    MOTION_OFF,
    Agency,
    Camera,
    Location,
    MotionConfig,
    Registry,
    ScheduleWindow,
    Site,
    Zone,
)
from videowall.registry.motion import MotionSettings

__all__ = [
    "ALERT_KINDS",
    "HEALTH_KINDS",
    "MOTION_OFF",
    "Agency",
    "AlertRules",
    "Camera",
    "ConfigError",
    "ConfigIssue",
    "HealthConfig",
    "KindRule",
    "Location",
    "MotionConfig",
    "MotionSettings",
    "Registry",
    "RegistryCheck",
    "ScheduleWindow",
    "Site",
    "Zone",
    "check_registry",
    "default_rule",
    "load_registry",
    "out_of_order",
    "parse_registry",
    "read_registry",
    "suggest",
    "validate_file",
    "with_settings",
]

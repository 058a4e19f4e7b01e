"""The sections of the registry file, one module each: cameras, their streams and
credentials, motion (zones and time windows), sites, agencies and health."""

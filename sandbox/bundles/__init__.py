"""Session bundles (issue 15): a whole run in one file, and another sandbox reading it back.

``format`` owns the file (gzip NDJSON, versioned, described by docs/bundle.schema.json);
``exporting`` writes a time range or a scenario run of this sandbox; ``importing`` reads a bundle in
as a read-only copy; ``replaying`` sends an imported bundle's attempts again, in order.
"""

from sandbox.bundles.exporting import export, normalise_time
from sandbox.bundles.format import FORMAT_VERSION, MEDIA_TYPE, SUFFIX, BundleError
from sandbox.bundles.importing import import_bundle
from sandbox.bundles.replaying import Options, ReplayError, replay

__all__ = ["FORMAT_VERSION", "MEDIA_TYPE", "SUFFIX", "BundleError", "Options", "ReplayError", "export",
           "import_bundle", "normalise_time", "replay"]

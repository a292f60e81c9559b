// The runtime: flavor protocol, registry, loader and schema enforcement.
import ModelBundle

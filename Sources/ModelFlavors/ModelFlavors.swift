// Built-in flavors, one folder each.
import ModelRuntime

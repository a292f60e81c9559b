/// The flavors a ``ModelLoader`` may use, in order of preference: an explicit value, never a
/// global (so tests stay isolated and a process can hold several registries).
///
/// Build it with `FlavorRegistry.builtIn` (from `ModelFlavors`) plus
/// `.registering(MyFlavor.self)` for third-party flavors.
public struct FlavorRegistry: Sendable {
    /// The registered flavors, most preferred first.
    public private(set) var flavors: [any ModelFlavor.Type]

    /// A registry holding `flavors`, most preferred first. A later flavor with the name of an
    /// earlier one replaces it in place, as ``registering(_:)`` does.
    public init(_ flavors: [any ModelFlavor.Type] = []) {
        self.flavors = []
        for flavor in flavors {
            self = registering(flavor)
        }
    }

    /// A registry with no flavors.
    public static var empty: FlavorRegistry { FlavorRegistry() }

    /// This registry plus `flavor`. A flavor whose name is already registered replaces the old
    /// one at its position (so an application can swap in its own implementation); a new name is
    /// appended, after the built-ins.
    public func registering(_ flavor: any ModelFlavor.Type) -> FlavorRegistry {
        var copy = self
        if let index = copy.flavors.firstIndex(where: { $0.name == flavor.name }) {
            copy.flavors[index] = flavor
        } else {
            copy.flavors.append(flavor)
        }
        return copy
    }

    /// The names of the registered flavors, in order.
    public var names: [String] { flavors.map { $0.name } }

    /// The flavor registered under `name`.
    public func flavor(named name: String) -> (any ModelFlavor.Type)? {
        flavors.first { $0.name == name }
    }
}

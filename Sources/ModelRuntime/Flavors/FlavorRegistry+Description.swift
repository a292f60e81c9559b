public import ModelBundle

extension FlavorRegistry {
    /// What `mbundle inspect` says about the flavor `name` of a manifest: the registered flavor's own
    /// ``ModelFlavor/describe(configuration:)``; for `python_function`, its loader (recorded, never
    /// executed); for a flavor this registry does not know, the configuration's entries.
    public func describe(flavor name: String, configuration: ManifestMap) -> String {
        if name == PythonFunctionFlavor.name {
            let flavor = PythonFunctionFlavor(configuration: configuration)
            var parts = [
                "loader \(flavor.loaderModule ?? "?") (recorded, never executed)",
                "predict_fn \(flavor.predictFunction)",
            ]
            if let version = flavor.pythonVersion { parts.append("python \(version)") }
            return parts.joined(separator: ", ")
        }
        guard let flavor = flavor(named: name) else { return BundleSummary.describeConfiguration(configuration) }
        return flavor.describe(configuration: configuration)
    }

    /// `summary` with every flavor described by ``describe(flavor:configuration:)``.
    public func describingFlavors(of summary: BundleSummary) -> BundleSummary {
        var described = summary
        for name in summary.manifest.flavorNames {
            described.flavorDescriptions[name] = describe(
                flavor: name,
                configuration: summary.manifest.flavor(name) ?? ManifestMap()
            )
        }
        return described
    }
}

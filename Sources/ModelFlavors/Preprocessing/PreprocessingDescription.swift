package import ModelBundle

/// The steps of a bundle's preprocessing stage as lines of text, for `mbundle inspect`: read from a
/// native bundle's `preprocessing.json` or an MLflow sklearn bundle's model file (by the same
/// allowlisted readers as `predict`, so nothing is executed).
package enum PreprocessingDescription {
    /// The lines, or nil when the bundle has no preprocessing stage (or none this build can read).
    public static func lines(for bundle: OpenedBundle) -> [String]? {
        guard let stage = stage(of: bundle) else { return nil }
        var lines = [
            "reads \(stage.inputNames.map { $0.joined(separator: ", ") } ?? "\(stage.root.inputWidth) columns by position"); "
                + "gives \(stage.outputWidth) features"
        ]
        describe(stage.root, columns: nil, indent: "", into: &lines)
        return lines
    }

    static func stage(of bundle: OpenedBundle) -> PreprocessingStage? {
        let manifest = bundle.manifest
        for kind in LinearModelFlavorConfiguration.Kind.allCases {
            guard let map = manifest.flavor(kind.rawValue),
                let configuration = try? LinearModelFlavorConfiguration(kind: kind, configuration: map),
                let file = configuration.preprocessing,
                let path = try? BundlePath(file),
                let json = try? bundle.directory.read(
                    path,
                    limit: PreprocessingBundleFormat.maximumFileSize,
                    field: file
                ),
                let weightsPath = try? BundlePath(configuration.weights),
                let tensors = try? SafeTensorsFile(reading: weightsPath, in: bundle.directory)
            else { continue }
            return try? PreprocessingBundleReader.read(json: json, file: file, tensors: tensors)
        }
        if let map = manifest.flavor(SklearnFlavor.name),
            let (model, _) = try? SklearnInteropFlavor.readEstimator(bundle, configuration: map)
        {
            return model.stage
        }
        return nil
    }

    private static func describe(_ step: PreprocessingStep, columns: [Int]?, indent: String, into lines: inout [String])
    {
        let selection = columns.map { " columns \($0.map(String.init).joined(separator: ", "))" } ?? ""
        let head = "\(indent)\(step.name)\(selection): "
        switch step.kind {
        case .passthrough: lines.append(head + "passthrough")
        case .sequence(let steps):
            lines.append(head + "Pipeline of \(steps.count) step\(steps.count == 1 ? "" : "s")")
            for child in steps { describe(child, columns: nil, indent: indent + "  ", into: &lines) }
        case .columns(let selection):
            lines.append(head + "ColumnTransformer, \(selection.branches.count) branches")
            for branch in selection.branches {
                describe(branch.step, columns: branch.columns, indent: indent + "  ", into: &lines)
            }
        case .union(let branches):
            lines.append(head + "FeatureUnion, \(branches.count) branches")
            for branch in branches { describe(branch.step, columns: nil, indent: indent + "  ", into: &lines) }
        case .imputer(let imputer):
            lines.append(
                head + "SimpleImputer (missing \(imputer.missingValue.display)"
                    + (imputer.indicator.map { ", indicator on \($0.count) columns" } ?? "") + ")"
            )
        case .encoder(let encoder):
            let counts = encoder.categories.map { String($0.count) }.joined(separator: ", ")
            let kind: String
            switch encoder.output {
            case .oneHot: kind = "OneHotEncoder"
            case .ordinal: kind = "OrdinalEncoder"
            case .target: kind = "TargetEncoder"
            }
            lines.append(head + "\(kind) (categories \(counts); handle_unknown \(encoder.handleUnknown.rawValue))")
        case .scaler(let scaler): lines.append(head + scaler.className)
        case .polynomial(let polynomial):
            lines.append(
                head
                    + "PolynomialFeatures (degree \(polynomial.minDegree)…\(polynomial.maxDegree), \(polynomial.outputCount) features)"
            )
        case .discretizer(let discretizer):
            lines.append(head + "KBinsDiscretizer (\(discretizer.oneHot ? "one-hot" : "ordinal"))")
        case .projection(let projection):
            lines.append(
                head + "\(projection.className) (\(projection.components.count) components"
                    + (projection.scale == nil ? ")" : ", whitened)")
            )
        case .elementwise(let elementwise):
            lines.append(head + "FunctionTransformer (numpy.\(elementwise.function.rawValue))")
        case .spline(let spline):
            lines.append(
                head + "SplineTransformer (degree \(spline.degree), \(spline.splineCount) splines, "
                    + "extrapolation \(spline.extrapolation.rawValue))"
            )
        case .quantile(let quantile):
            lines.append(
                head + "QuantileTransformer (\(quantile.references.count) quantiles, "
                    + (quantile.normalOutput ? "normal)" : "uniform)")
            )
        case .power(let power):
            lines.append(head + "PowerTransformer (\(power.method.rawValue))")
        }
    }
}

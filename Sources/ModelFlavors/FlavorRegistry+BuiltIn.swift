public import ModelRuntime

extension FlavorRegistry {
    /// The flavors this package ships, most preferred first: the native linear flavors, which
    /// run a bundle's own weights with no Python.
    ///
    /// Interop readers (``SklearnInteropFlavor``, MLflow's `sklearn` flavor) go *after* the native
    /// flavors here, so a bundle that carries both is always run natively.
    public static var builtIn: FlavorRegistry {
        FlavorRegistry([
            LogisticRegressionFlavor.self, LinearRegressionFlavor.self, TreeEnsembleFlavor.self,
            SklearnInteropFlavor.self, XGBoostInteropFlavor.self, LightGBMInteropFlavor.self,
        ])
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64`'s bounds (a timeout of years).
    var nanoseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return components.seconds < 0 ? .min : .max }
        let (total, sumOverflow) = seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000)
        return sumOverflow ? .max : total
    }
}

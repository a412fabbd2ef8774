import InfraJSON

/// The rules for workflow variable names and sizes, as the Step Functions Developer Guide's
/// "Passing data between states with variables" page states them
/// (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
enum VariableName {
    /// The reserved variable of JSONata states; no `Assign` may set it.
    static let reserved = "states"
    /// The longest variable name accepted.
    static let maximumLength = 80

    /// Whether `scalar` may begin a variable name: an ASCII letter or `_`.
    static func isStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || (scalar.isASCII && scalar.properties.isAlphabetic)
    }

    /// Whether `scalar` may continue a variable name: an ASCII letter, digit or `_`.
    static func isPart(_ scalar: Unicode.Scalar) -> Bool {
        isStart(scalar) || ("0"..."9").contains(scalar)
    }

    /// Why `name` is not a valid variable name, or `nil` when it is.
    static func problem(_ name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first else { return "a variable name cannot be empty" }
        guard isStart(first), scalars.allSatisfy(isPart) else {
            return "'\(name)' is not a valid variable name: use letters, digits and '_', not starting with a digit"
        }
        guard scalars.count <= maximumLength else { return "the variable name '\(name)' is longer than \(maximumLength) characters" }
        if name == reserved { return "'$states' is a reserved variable and cannot be assigned" }
        return nil
    }
}

/// The size quotas of workflow variables ("Passing data between states with variables", section
/// "Size limits"): a variable's value at most 256 KiB, the values of one `Assign` together at most
/// 256 KiB, and all variables of an execution together at most 10 MiB. Exceeding one fails the
/// state with `States.DataLimitExceeded`.
enum VariableLimits {
    /// The largest value of one variable, in bytes of its JSON text.
    static let valueBytes = 256 * 1024
    /// The largest sum of the values one `Assign` sets.
    static let assignBytes = 256 * 1024
    /// The largest sum of every variable stored in one scope chain.
    static let totalBytes = 10 * 1024 * 1024

    /// Checks `assigned` against the limits and merges it into `variables`.
    /// - Throws: `States.DataLimitExceeded` naming the limit exceeded.
    static func merge(_ assigned: [String: JSON], into variables: inout [String: JSON], state: String) throws(ExecutionError) {
        var sum = 0
        for name in assigned.keys.sorted() {
            let size = assigned[name]!.text.utf8.count
            if size > valueBytes {
                throw ExecutionError(
                    StatesErrors.dataLimitExceeded,
                    "The value assigned to the variable '\(name)' in state '\(state)' has \(size) bytes, more than the quota of \(valueBytes)"
                )
            }
            sum += size
        }
        if sum > assignBytes {
            throw ExecutionError(
                StatesErrors.dataLimitExceeded,
                "The Assign field of state '\(state)' assigns \(sum) bytes, more than the quota of \(assignBytes)"
            )
        }
        variables.merge(assigned) { _, new in new }
        // Each value is at most `valueBytes`, so fewer than totalBytes / valueBytes variables cannot
        // exceed the total: only larger sets are measured.
        guard variables.count > totalBytes / valueBytes else { return }
        let total = variables.values.reduce(0) { $0 + $1.text.utf8.count }
        if total > totalBytes {
            throw ExecutionError(
                StatesErrors.dataLimitExceeded,
                "The variables stored after state '\(state)' have \(total) bytes, more than the quota of \(totalBytes)"
            )
        }
    }
}

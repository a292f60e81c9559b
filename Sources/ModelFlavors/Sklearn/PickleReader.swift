import ModelBundle

/// A restricted reader for the pickles `mlflow.sklearn` writes (`serialization_format: pickle` or
/// `cloudpickle`), following security.md §4c: it interprets the opcode stream itself and never
/// calls, imports or evaluates anything.
///
/// Only protocols 4 and 5 are read, and only the opcodes scikit-learn/numpy pickles of linear
/// models use. A global must be in ``PickleReaderGlobal`` (compiled in; a bundle's own lists are
/// never consulted) and is bound to a Swift constructor that only builds data; REDUCE, NEWOBJ and
/// BUILD are legal only on those, with the exact argument shapes numpy and scikit-learn produce.
/// Opcodes, stack, marks and memo are bounded, every length prefix is checked against the bytes
/// left before anything is allocated, and exactly one pickle must fill the file.
struct PickleReader {
    struct Limits {
        var maximumOpcodes = 1_000_000
        var maximumStackDepth = 10_000
        var maximumMarkDepth = 64
        var maximumMemoSize = 100_000
        /// Containers nested deeper than this are refused: real pickles nest a few levels, and a
        /// deeply nested value would recurse when it is destroyed.
        var maximumNesting = 100
    }

    let bytes: [UInt8]
    let fileName: String
    var limits = Limits()

    private var position = 0
    private var stack: [PickleReaderValue] = []
    /// For each stack slot, the memo indices that hold the same Python object: BUILD, SETITEMS and
    /// APPENDS mutate an object in place in Python, so the result is written back to those indices
    /// (a dtype memoized before its BUILD and fetched later must carry its byte order).
    private var stackLinks: [[Int]] = []
    /// Container nesting of each stack slot and memo entry, and the deepest value popped by the
    /// current opcode (a container it builds is one level deeper).
    private var stackDepths: [Int] = []
    private var memoDepths: [Int] = []
    private var poppedDepth = 0
    private var marks: [Int] = []
    private var memo: [PickleReaderValue] = []

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    /// Reads the pickle into an allowlisted estimator.
    static func read(bytes: [UInt8], fileName: String) throws(ModelBundleError) -> SklearnModel {
        var reader = PickleReader(bytes: bytes, fileName: fileName)
        let value = try reader.run()
        guard case .estimator(let kind, let state?) = value else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName): the pickle holds \(value.kindName), not a fitted scikit-learn estimator",
                item: fileName
            )
        }
        return try SklearnModelState.model(
            PickleAttributes(kind: kind, state: state, fileName: fileName),
            fileName: fileName
        )
    }

    // MARK: - The machine

    private func fail(_ message: String, code: ModelBundleError.Code = .weightsInvalid, at offset: Int? = nil)
        -> ModelBundleError
    {
        ModelBundleError(code, "\(fileName): \(message) (at byte \(offset ?? position))", item: fileName)
    }

    mutating func run() throws(ModelBundleError) -> PickleReaderValue {
        guard bytes.count >= 2, bytes[0] == 0x80 else {
            throw fail(
                "not a protocol 4 or 5 pickle (no PROTO opcode first); protocols 0–3 are not read",
                code: .unsupportedFormatVersion,
                at: 0
            )
        }
        guard bytes[1] == 4 || bytes[1] == 5 else {
            throw fail(
                "pickle protocol \(bytes[1]) is not supported; MLflow writes protocol 4 or 5",
                code: .unsupportedFormatVersion,
                at: 1
            )
        }
        position = 2
        var opcodeCount = 0
        while true {
            opcodeCount += 1
            guard opcodeCount <= limits.maximumOpcodes else {
                throw fail("more than \(limits.maximumOpcodes) opcodes", code: .archiveLimitExceeded)
            }
            let offset = position
            poppedDepth = 0
            let opcode = try readByte()
            switch opcode {
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1, let result = stack.last else {
                    throw fail("STOP with \(stack.count) values on the stack and \(marks.count) open marks", at: offset)
                }
                guard position == bytes.count else {
                    throw fail("\(bytes.count - position) bytes follow the pickle's STOP", at: position)
                }
                return result
            case 0x95:  // FRAME: a length hint only; it must fit in what is left.
                let length = try readLength(8)
                _ = length
            case 0x8C: try push(.string(try readText(try readLength(1))))  // SHORT_BINUNICODE
            case 0x58: try push(.string(try readText(try readLength(4))))  // BINUNICODE
            case 0x8D: try push(.string(try readText(try readLength(8))))  // BINUNICODE8
            case 0x43: try push(.bytes(try readBytes(try readLength(1))))  // SHORT_BINBYTES
            case 0x42: try push(.bytes(try readBytes(try readLength(4))))  // BINBYTES
            case 0x8E, 0x96: try push(.bytes(try readBytes(try readLength(8))))  // BINBYTES8, BYTEARRAY8
            case 0x94:  // MEMOIZE
                guard memo.count < limits.maximumMemoSize else {
                    throw fail("the memo exceeds \(limits.maximumMemoSize) entries", code: .archiveLimitExceeded)
                }
                memo.append(try top())
                stackLinks[stackLinks.count - 1].append(memo.count - 1)
                memoDepths.append(stackDepths.last ?? 0)
            case 0x71, 0x72:  // BINPUT, LONG_BINPUT: only the next index, as MEMOIZE would.
                let index = try readLength(opcode == 0x71 ? 1 : 4, bounded: false)
                guard index == memo.count, memo.count < limits.maximumMemoSize else {
                    throw fail("memo PUT to index \(index) out of sequence or over the limit", at: offset)
                }
                memo.append(try top())
                stackLinks[stackLinks.count - 1].append(memo.count - 1)
                memoDepths.append(stackDepths.last ?? 0)
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let index = try readLength(opcode == 0x68 ? 1 : 4, bounded: false)
                guard index < memo.count else { throw fail("memo GET of unset index \(index)", at: offset) }
                try push(memo[index], links: [index], depth: memoDepths[index])
            case 0x93:  // STACK_GLOBAL
                let name = try pop()
                let module = try pop()
                guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                    throw fail("STACK_GLOBAL operands are not strings", at: offset)
                }
                let qualified = "\(moduleName).\(globalName)"
                guard let global = PickleReaderGlobal(rawValue: qualified) else {
                    throw ModelBundleError(
                        .flavorUnavailable,
                        "\(fileName) names \(qualified), which this reader does not allow (nothing was called); "
                            + "supported estimators: \(SklearnEstimator.supportedList)",
                        item: qualified
                    )
                }
                try push(.global(global))
            case 0x29: try push(.tuple([]))  // EMPTY_TUPLE
            case 0x85: try push(.tuple([try pop()]))  // TUPLE1
            case 0x86:  // TUPLE2
                let second = try pop()
                try push(.tuple([try pop(), second]))
            case 0x87:  // TUPLE3
                let third = try pop()
                let second = try pop()
                try push(.tuple([try pop(), second, third]))
            case 0x74: try push(.tuple(try popMark(offset)))  // TUPLE
            case 0x7D: try push(.dict([]))  // EMPTY_DICT
            case 0x5D: try push(.list([]))  // EMPTY_LIST
            case 0x28:  // MARK
                guard marks.count < limits.maximumMarkDepth else {
                    throw fail("more than \(limits.maximumMarkDepth) nested MARKs", code: .archiveLimitExceeded)
                }
                marks.append(stack.count)
            case 0x31: _ = try popMark(offset)  // POP_MARK
            case 0x30: _ = try pop()  // POP
            case 0x75:  // SETITEMS
                let items = try popMark(offset)
                guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of values", at: offset) }
                try setItems(items, offset)
            case 0x73:  // SETITEM
                let value = try pop()
                let key = try pop()
                try setItems([key, value], offset)
            case 0x65:  // APPENDS
                let items = try popMark(offset)
                try append(items, offset)
            case 0x61: try append([try pop()], offset)  // APPEND
            // Sets (HistGradientBoosting's interaction_cst holds sets of feature indices) are read as
            // lists of plain data; nothing that prediction reads is a set.
            case 0x8F: try push(.list([]))  // EMPTY_SET
            case 0x90: try append(try popMark(offset), offset)  // ADDITEMS
            case 0x91: try push(.list(try popMark(offset)))  // FROZENSET
            case 0x4E: try push(.none)  // NONE
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4B: try push(.int(Int64(try readByte())))  // BININT1
            case 0x4D: try push(.int(Int64(try readUnsigned(2))))  // BININT2
            case 0x4A: try push(.int(Int64(Int32(truncatingIfNeeded: try readUnsigned(4)))))  // BININT
            case 0x8A:  // LONG1: at most 8 bytes, two's complement little-endian.
                let length = try readLength(1)
                if length > 8, length <= 32 {
                    // A bit generator's 128-bit state (HistGradientBoosting's rng): kept as raw bytes,
                    // which nothing that reads an int accepts.
                    try push(.bytes(try readBytes(length)))
                    continue
                }
                guard length <= 8 else { throw fail("LONG1 of \(length) bytes is too large", at: offset) }
                let raw = try readBytes(length)
                var value: UInt64 = 0
                for (index, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
                if length > 0, length < 8, raw[length - 1] & 0x80 != 0 { value |= ~0 << (8 * UInt64(length)) }
                try push(.int(Int64(bitPattern: value)))
            case 0x47:  // BINFLOAT: big-endian IEEE double.
                let raw = try readBytes(8)
                try push(.float(Double(bitPattern: raw.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
            case 0x81:  // NEWOBJ: only allowlisted estimator classes, with no arguments.
                let arguments = try pop()
                let cls = try pop()
                if case .global(let global) = cls, global.isInertTreePart {
                    try push(.lossFunction(global))  // a tree model's inert part (SklearnTrees)
                    continue
                }
                if case .global(.bunch) = cls, case .tuple(let values) = arguments, values.isEmpty {
                    try push(.dict([]))  // a voting ensemble's named_estimators_, as a plain dict
                    continue
                }
                guard case .global(let global) = cls, let kind = global.estimatorKind,
                    case .tuple(let values) = arguments, values.isEmpty
                else {
                    throw fail("NEWOBJ on \(cls.kindName) is not allowed", at: offset)
                }
                try push(.estimator(kind, state: nil))
            case 0x52:  // REDUCE: only our numpy constructors and loss placeholders, with their exact arguments.
                let arguments = try pop()
                let callable = try pop()
                guard case .tuple(let values) = arguments else {
                    throw fail("REDUCE arguments are \(arguments.kindName), not a tuple", at: offset)
                }
                if case .global(let global) = callable, global.isInertTreePart {
                    try push(.lossFunction(global))  // a tree model's inert part (SklearnTrees)
                    continue
                }
                if case .global(let global) = callable, global.isLossFunction {
                    // Hinge(threshold) or a loss with no arguments: numbers only, nothing is built.
                    guard values.count <= 1, values.allSatisfy({ if case .float = $0 { true } else { false } }) else {
                        throw fail("REDUCE of \(global.rawValue) with unexpected arguments", at: offset)
                    }
                    try push(.lossFunction(global))
                    continue
                }
                if case .global(let global) = callable, let container = global.boosterContainer(values) {
                    try push(container)
                    continue
                }
                if case .global(.partial) = callable {
                    // partial(check_array): a placeholder until BUILD shows the exact keyword arguments.
                    guard values.count == 1, case .global(.checkArray) = values[0] else {
                        throw fail("REDUCE of functools.partial on anything but check_array", at: offset)
                    }
                    try push(.numericCheck(built: false))
                    continue
                }
                if case .global(.slice) = callable {
                    // slice(start, stop, step): ints or None only.
                    var bounds: [Int64?] = []
                    for value in values {
                        switch value {
                        case .int(let number): bounds.append(number)
                        case .none: bounds.append(nil)
                        default: throw fail("REDUCE of builtins.slice with \(value.kindName)", at: offset)
                        }
                    }
                    guard bounds.count == 3 else {
                        throw fail("REDUCE of builtins.slice without 3 arguments", at: offset)
                    }
                    try push(.slice(start: bounds[0], stop: bounds[1], step: bounds[2]))
                    continue
                }
                try push(try PickleNumpy.reduce(callable, values, fail: { fail($0, at: offset) }))
            case 0x62:  // BUILD
                let state = try pop()
                let (target, links) = try popLinked()
                try pushMutated(try build(target, state, offset), links: links)
            default:
                throw fail(
                    "opcode 0x\(String(opcode, radix: 16)) is not allowed in a scikit-learn model pickle",
                    at: offset
                )
            }
        }
    }

    private mutating func build(_ target: PickleReaderValue, _ state: PickleReaderValue, _ offset: Int)
        throws(ModelBundleError) -> PickleReaderValue
    {
        switch target {
        case .estimator(let kind, nil):
            guard case .dict(let items) = state else {
                throw fail("BUILD of \(kind.rawValue) with \(state.kindName), not a dict", at: offset)
            }
            return .estimator(kind, state: items)
        case .lossFunction(let global) where global.isInertTreePart:
            return target  // its state is never read: prediction derives from the estimator's own attributes
        case .dict:
            // A Bunch's BUILD: only its (empty) deprecation table, dropped.
            guard case .dict(let items) = state, items.allSatisfy({ $0.key == "_deprecated_key_to_warnings" }) else {
                throw fail("BUILD of a dict with \(state.kindName)", at: offset)
            }
            return target
        case .numericCheck(built: false):
            guard SklearnNumericCheck.matches(pickleState: state) else {
                throw fail(
                    "a functools.partial other than \(SklearnNumericCheck.description) would run code; it is not read",
                    code: .flavorUnavailable,
                    at: offset
                )
            }
            return .numericCheck(built: true)
        case .voidDtype(let itemSize):
            return try PickleNumpy.buildRecordDtype(itemSize: itemSize, state, fail: { fail($0, at: offset) })
        case .dtype(let code, _):
            // (3, byteorder, subarray, names, fields, elsize, alignment, flags)
            guard case .tuple(let values) = state, values.count == 8, case .string(let order) = values[1],
                ["<", ">", "|", "="].contains(order)
            else {
                throw fail("BUILD of a numpy dtype with an unexpected state", at: offset)
            }
            return .dtype(code: code, byteOrder: order)
        case .emptyArray:
            // (version, shape, dtype, is_fortran, data)
            guard case .tuple(let values) = state, values.count == 5, case .bool(let fortran) = values[3] else {
                throw fail("BUILD of a numpy array with an unexpected state", at: offset)
            }
            return try PickleNumpy.array(
                dtype: values[2],
                shape: values[1],
                fortran: fortran,
                data: values[4],
                fail: { fail($0, at: offset) }
            )
        default:
            throw fail("BUILD on \(target.kindName) is not allowed", at: offset)
        }
    }

    private mutating func setItems(_ items: [PickleReaderValue], _ offset: Int) throws(ModelBundleError) {
        let (target, links) = try popLinked()
        guard case .dict(var entries) = target else {
            throw fail("SETITEMS on a value that is not a dict", at: offset)
        }
        var index = 0
        while index + 1 < items.count {
            // int keys (OrdinalEncoder._missing_indices) are kept in decimal, as skops writes them.
            switch items[index] {
            case .string(let key): entries.append((key, items[index + 1]))
            case .int(let key): entries.append((String(key), items[index + 1]))
            // numpy scalar keys (LGBMClassifier._class_map maps each label to its index): kept in
            // their text form, as data; nothing reads them to predict.
            case .array(let tensor) where tensor.shape.isEmpty && tensor.dtype.isInteger:
                entries.append((String(Int64(tensor.float64Values()[0])), items[index + 1]))
            // numpy.bool_ keys (bool labels) in Python's spelling.
            case .array(let tensor) where tensor.shape.isEmpty && tensor.dtype == .bool:
                entries.append((tensor.float64Values()[0] != 0 ? "True" : "False", items[index + 1]))
            case .bool(let key): entries.append((key ? "True" : "False", items[index + 1]))
            case .strings(let labels, let shape) where shape.isEmpty && labels.count == 1:
                entries.append((labels[0], items[index + 1]))
            default:
                throw fail("a dict key is \(items[index].kindName); only str, int and bool keys are read", at: offset)
            }
            index += 2
        }
        try pushMutated(.dict(entries), links: links)
    }

    private mutating func append(_ items: [PickleReaderValue], _ offset: Int) throws(ModelBundleError) {
        let (target, links) = try popLinked()
        guard case .list(let elements) = target else {
            throw fail("APPENDS on a value that is not a list", at: offset)
        }
        try pushMutated(.list(elements + items), links: links)
    }

    // MARK: - Stack

    private mutating func push(_ value: PickleReaderValue, links: [Int] = [], depth: Int? = nil)
        throws(ModelBundleError)
    {
        guard stack.count < limits.maximumStackDepth else {
            throw fail("the stack exceeds \(limits.maximumStackDepth) values", code: .archiveLimitExceeded)
        }
        let nesting: Int
        switch value {
        case .tuple, .list, .dict, .estimator: nesting = depth ?? poppedDepth + 1
        default: nesting = depth ?? 0
        }
        guard nesting <= limits.maximumNesting else {
            throw fail("values nest deeper than \(limits.maximumNesting) levels", code: .archiveLimitExceeded)
        }
        stack.append(value)
        stackLinks.append(links)
        stackDepths.append(nesting)
    }

    /// Pushes the mutated object and writes it back to every memo index that holds it.
    private mutating func pushMutated(_ value: PickleReaderValue, links: [Int]) throws(ModelBundleError) {
        for index in links where index < memo.count { memo[index] = value }
        try push(value, links: links)
    }

    private mutating func pop() throws(ModelBundleError) -> PickleReaderValue {
        try popLinked().value
    }

    private mutating func popLinked() throws(ModelBundleError) -> (value: PickleReaderValue, links: [Int]) {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast(), let links = stackLinks.popLast(),
            let depth = stackDepths.popLast()
        else {
            throw fail("stack underflow")
        }
        poppedDepth = max(poppedDepth, depth)
        return (value, links)
    }

    private func top() throws(ModelBundleError) -> PickleReaderValue {
        guard let value = stack.last else { throw fail("MEMOIZE on an empty stack") }
        return value
    }

    private mutating func popMark(_ offset: Int) throws(ModelBundleError) -> [PickleReaderValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no MARK to pop to", at: offset) }
        let values = Array(stack[mark...])
        stack.removeSubrange(mark...)
        stackLinks.removeSubrange(mark...)
        poppedDepth = max(poppedDepth, stackDepths[mark...].max() ?? 0)
        stackDepths.removeSubrange(mark...)
        return values
    }

    // MARK: - Bytes

    private mutating func readByte() throws(ModelBundleError) -> UInt8 {
        guard position < bytes.count else { throw fail("the pickle ends without STOP (truncated)") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func readUnsigned(_ width: Int) throws(ModelBundleError) -> UInt64 {
        guard width <= bytes.count - position else { throw fail("the pickle ends inside an operand (truncated)") }
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += width
        return value
    }

    /// A length prefix; `bounded` lengths must fit in the bytes left, checked before any allocation.
    private mutating func readLength(_ width: Int, bounded: Bool = true) throws(ModelBundleError) -> Int {
        let offset = position
        let raw = try readUnsigned(width)
        guard raw <= UInt64(Int.max), !bounded || Int(raw) <= bytes.count - position else {
            throw fail("a length of \(raw) bytes runs past the end of the file", at: offset)
        }
        return Int(raw)
    }

    private mutating func readBytes(_ count: Int) throws(ModelBundleError) -> [UInt8] {
        guard count <= bytes.count - position else { throw fail("the pickle ends inside an operand (truncated)") }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    private mutating func readText(_ count: Int) throws(ModelBundleError) -> String {
        let offset = position
        let raw = try readBytes(count)
        guard let text = String(validating: raw, as: UTF8.self) else { throw fail("a str is not UTF-8", at: offset) }
        return text
    }
}

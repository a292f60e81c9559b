import ModelBundle
import SystemPlatform

/// The window loop both windowed file readers share (``CSVReader/readFile(_:size:windowBytes:minimumBytes:)``,
/// ``RequestDecoder/readJSONFile(_:size:windowBytes:minimumBytes:)``): a byte range of a file read
/// with `pread` into one reused buffer, handed over as whole records.
enum FileWindows {
    /// Reads `start..<end` of `input` `windowBytes` at a time. Each window is cut after its last
    /// `delimiter` (the end of a CSV line, of a JSON row) and handed to `body` with the file offset
    /// of its first byte; the bytes after the cut are carried into the next window. `false` (decline)
    /// when a read comes up short, a window holds no delimiter (a record longer than a window), a
    /// byte of `refused` appears, or `body` declines. The buffer has `spare` bytes past a window, for
    /// `body` to write after the cut.
    static func read(
        _ input: borrowing FileDescriptor,
        from start: Int,
        to end: Int,
        windowBytes: Int,
        spare: Int = 0,
        cutAfter delimiter: UInt8,
        refusing refused: [UInt8] = [],
        _ body: (_ window: UnsafeMutablePointer<UInt8>, _ count: Int, _ fileOffset: Int) -> Bool
    ) -> Bool {
        let window = UnsafeMutablePointer<UInt8>.allocate(capacity: windowBytes + spare)
        defer { window.deallocate() }
        var offset = start  // the file offset of the next byte to read
        var carried = 0  // bytes at the window's start, from the record the last window cut
        while offset < end {
            let want = min(windowBytes - carried, end - offset)
            let fresh = UnsafeMutableRawBufferPointer(start: window + carried, count: want)
            guard let got = try? input.read(into: fresh, atOffset: offset), got == want else { return false }
            for byte in refused where memchr(window + carried, Int32(byte), want) != nil { return false }
            offset += want
            let filled = carried + want
            var cut = filled
            if offset < end {
                while cut > 0 && window[cut - 1] != delimiter { cut -= 1 }
                guard cut > 0 else { return false }
            }
            guard body(window, cut, offset - filled) else { return false }
            carried = filled - cut
            if carried > 0 { UnsafeMutableRawPointer(window).copyMemory(from: window + cut, byteCount: carried) }
        }
        return carried == 0
    }

    /// The first window of a file of `size` bytes, when it reads in full and is not UTF-16 or UTF-32
    /// (which the whole read refuses).
    static func head(_ input: borrowing FileDescriptor, size: Int, windowBytes: Int) -> [UInt8]? {
        let head = input.readPrefix(count: min(size, windowBytes))
        guard head.count == min(size, windowBytes), (try? RequestDecoder.checkCharset(head)) != nil else {
            return nil
        }
        return head
    }

    /// `body` over the `count` bytes of `input` from `offset`; `nil` when they cannot all be read.
    static func probe<T>(
        _ input: borrowing FileDescriptor,
        at offset: Int,
        count: Int,
        _ body: (UnsafeMutableRawBufferPointer) -> T?
    ) -> T? {
        guard count > 0 else { return nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { buffer.deallocate() }
        guard (try? input.read(into: buffer, atOffset: offset)) == count else { return nil }
        return body(buffer)
    }
}

// A firmware image on disk (an ELF, as the worker builds it) and the conversions flashers need:
// raw `.bin` and Intel `.hex` through `arm-none-eabi-objcopy`, and the ELF's loadable segments
// (PT_LOAD, by physical address) read directly for the UF2 writer. It does not build firmware,
// and it only understands 32-bit little-endian ELF files (every Cortex-M image).
import Foundation

public struct FirmwareFile: Sendable, Equatable {
    /// Path of the image, normally an ELF. A `.bin`/`.hex`/`.uf2` is passed to tools as is.
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public var isELF: Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return h.readData(ofLength: 4) == Data([0x7f, 0x45, 0x4c, 0x46])
    }

    /// The image in `format` ("binary" or "ihex"), converted with objcopy into `directory` when
    /// it is an ELF; a file that already has the wanted extension is used as is.
    public func converted(
        to format: ObjcopyFormat, in directory: String, runner: ProcessRunner,
        objcopy: String = "arm-none-eabi-objcopy", timeout: Double = 30
    ) throws -> String {
        if !isELF && path.hasSuffix(format.fileExtension) { return path }
        guard isELF else { throw FlashError.badImage("\(path) is neither an ELF nor a \(format.fileExtension) file") }
        let out =
            directory + "/" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            + format.fileExtension
        let result: ProcessResult
        do {
            result = try runner.run(objcopy, ["-O", format.rawValue, path, out], timeout: timeout)
        } catch ProcessRunnerError.notFound {
            throw FlashError.toolMissing(
                tool: objcopy, install: "Debian package binutils-arm-none-eabi (or gcc-arm-none-eabi)")
        }
        guard result.exitCode == 0 else {
            throw FlashError.conversionFailed("\(objcopy) -O \(format.rawValue) failed: \(result.output)")
        }
        return out
    }

    public enum ObjcopyFormat: String, Sendable {
        case binary, ihex
        var fileExtension: String { self == .binary ? ".bin" : ".hex" }
    }

    /// A loadable piece of the image: bytes to place at a physical (load) address.
    public struct Segment: Sendable, Equatable {
        public var address: UInt32
        public var bytes: [UInt8]
    }

    /// The ELF's PT_LOAD segments with file contents, at their physical addresses, sorted.
    public func loadSegments() throws -> [Segment] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FlashError.badImage("cannot read \(path)")
        }
        let b = [UInt8](data)
        func u16(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { u16(o) | u16(o + 2) << 16 }
        guard b.count >= 52, b[0] == 0x7f, b[1] == 0x45, b[2] == 0x4c, b[3] == 0x46 else {
            throw FlashError.badImage("\(path) is not an ELF file")
        }
        guard b[4] == 1, b[5] == 1 else { throw FlashError.badImage("\(path) is not a 32-bit little-endian ELF") }
        let phoff = Int(u32(28)), phentsize = Int(u16(42)), phnum = Int(u16(44))
        var segments: [Segment] = []
        for i in 0..<phnum {
            let o = phoff + i * phentsize
            guard o + 32 <= b.count else { throw FlashError.badImage("\(path): truncated program headers") }
            let type = u32(o), offset = Int(u32(o + 4)), paddr = u32(o + 12), filesz = Int(u32(o + 16))
            guard type == 1, filesz > 0 else { continue }
            guard offset + filesz <= b.count else { throw FlashError.badImage("\(path): truncated segment") }
            segments.append(Segment(address: paddr, bytes: Array(b[offset..<offset + filesz])))
        }
        guard !segments.isEmpty else { throw FlashError.badImage("\(path) has no loadable segments") }
        return segments.sorted { $0.address < $1.address }
    }
}

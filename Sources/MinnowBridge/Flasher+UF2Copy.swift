// uf2-copy: flash a board whose bootloader shows up as a USB drive (RP2040 BOOTSEL and other
// UF2 bootloaders): check that the mounted directory is such a drive (INFO_UF2.TXT), convert
// the ELF to UF2 with our own writer, copy it as NEW.UF2 and fsync. The board reboots by itself
// when the last block lands; the boot line proves it. It does not mount drives.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct UF2CopyFlasher: Flasher {
    public let name = "uf2-copy"
    public var timeout: Double
    public var drive: String
    public var familyID: UInt32

    public static let defaultTimeout = 60.0

    public init(options: FlasherOptions) throws {
        guard let drive = options.uf2Drive, !drive.isEmpty else {
            throw FlashError.badOptions("uf2-copy needs the mounted drive (the directory with INFO_UF2.TXT)")
        }
        self.drive = drive
        familyID = options.uf2FamilyID ?? UF2.familyRP2040
        timeout = options.timeout ?? Self.defaultTimeout
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        let start = Deadline.now()
        let info = drive + "/INFO_UF2.TXT"
        guard let infoText = try? String(contentsOfFile: info, encoding: .utf8) else {
            throw FlashError.driveNotFound(
                "\(drive) is not a UF2 bootloader drive (no INFO_UF2.TXT): is the board in BOOTSEL mode and the drive mounted?"
            )
        }
        let bytes: [UInt8]
        if image.path.hasSuffix(".uf2") && !image.isELF {
            guard let data = FileManager.default.contents(atPath: image.path) else {
                throw FlashError.badImage("cannot read \(image.path)")
            }
            bytes = [UInt8](data)
        } else {
            bytes = UF2.encode(try image.loadSegments(), familyID: familyID)
        }
        guard !bytes.isEmpty, bytes.count % 512 == 0 else {
            throw FlashError.badImage("\(image.path): not whole UF2 blocks")
        }
        let target = drive + "/NEW.UF2"
        var output = "drive \(drive): " + (infoText.split(separator: "\n").first.map(String.init) ?? "") + "\n"
        output += "writing \(bytes.count / 512) UF2 blocks (family 0x\(String(familyID, radix: 16))) to \(target)\n"
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw FlashError.failed(
                tool: name, exitCode: nil, output: output + "cannot create \(target): \(errnoText())\n")
        }
        defer { close(fd) }
        var offset = 0
        let deadline = Deadline(seconds: timeout)
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, min($0.count, 64 * 1024)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FlashError.failed(
                    tool: name, exitCode: nil, output: output + "write failed after \(offset) bytes: \(errnoText())\n")
            }
            offset += n
            if deadline.expired { throw FlashError.timedOut(tool: name, seconds: timeout, output: output) }
        }
        if fsync(fd) != 0 && errno != EINVAL {
            throw FlashError.failed(tool: name, exitCode: nil, output: output + "fsync failed: \(errnoText())\n")
        }
        output += "copied \(bytes.count) bytes\n"
        return FlashResult(
            commands: ["copy \(image.path) as UF2 to \(target)"], output: output,
            seconds: Double(Deadline.now() - start) / 1e9)
    }
}

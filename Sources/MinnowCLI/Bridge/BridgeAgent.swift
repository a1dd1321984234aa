// The bridge agent's loop: a heartbeat every few seconds with the ports it sees, and a long
// poll for installs, carried out one at a time. An unreachable server is retried with
// backoff; a refused key (401, 403, 404) stops the agent with the server's message.
import APITypes
import Foundation
import MinnowBridge
import OpenAPIRuntime

final class BridgeAgent: Sendable {
    let client: Client
    let projectID: String
    let name: String
    let scanner: USBScanner
    let installer: BoardInstallRunner

    static var defaultName: String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "bridge"
        return host.isEmpty ? "bridge" : host
    }

    init(
        client: Client, projectID: String, name: String, scanner: USBScanner, flasherName: String?,
        flasherSettings: [String],
        bootTimeout: Double, checkCount: Int
    ) {
        self.client = client
        self.projectID = projectID
        self.name = name
        self.scanner = scanner
        installer = BoardInstallRunner(
            client: client, projectID: projectID, bridgeName: name, flasherName: flasherName,
            flasherSettings: flasherSettings, bootTimeout: bootTimeout, checkCount: checkCount)
    }

    func run() async throws {
        let first = try await heartbeat()
        say(
            "bridge \(name) online: \(first.bridge.ports.count) serial port(s), \(first.devices.count) device(s) of this project"
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.heartbeatLoop(every: first.heartbeatSeconds) }
            group.addTask { try await self.installLoop() }
            try await group.next()
            group.cancelAll()
        }
    }

    private func heartbeatLoop(every seconds: Int) async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(max(1, seconds)))
            try await retrying("heartbeat") { _ = try await self.heartbeat() }
        }
    }

    private func installLoop() async throws {
        while !Task.isCancelled {
            let claimed = try await retrying("claim") { () -> Components.Schemas.BridgeInstall? in
                let response = try await self.client.claimInstall(
                    path: .init(projectId: self.projectID, bridgeName: self.name), query: .init(wait: 20))
                if case .ok(let ok) = response { return try ok.body.json }
                return nil
            }
            guard let claimed else { continue }
            say(
                "install \(claimed.install.id): iteration \(claimed.install.iterationNumber) on \(claimed.device.name) (\(claimed.device.port ?? "no port"))"
            )
            let outcome = await installer.perform(claimed)
            say("install \(claimed.install.id): \(outcome)")
        }
    }

    private func heartbeat() async throws -> Components.Schemas.BridgeAssignment {
        let ports = scanner.scan().map { port in
            Components.Schemas.SerialPort(
                path: port.preferredPath, byId: port.byIdPath,
                usb: .init(
                    vendorId: String(format: "%04x", port.vid), productId: String(format: "%04x", port.pid),
                    serialNumber: port.serialNumber),
                manufacturer: port.manufacturer, product: port.product, profile: port.identity.profile,
                description: port.identity.description)
        }
        return try await client.bridgeHeartbeat(
            path: .init(projectId: projectID, bridgeName: name),
            body: .json(.init(version: "1", hostname: ProcessInfo.processInfo.hostName, ports: ports))
        ).ok.body.json
    }

    /// Runs `body`, retrying while the server cannot be reached; a refusal ends the agent.
    private func retrying<T: Sendable>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
        var delay = 1.0
        while true {
            do {
                return try await body()
            } catch {
                guard let failure = BridgeAgent.cliFailure(in: error), failure.status == nil || failure.status! >= 500
                else {
                    throw BridgeAgent.cliFailure(in: error) ?? error
                }
                say("\(what): \(failure.message) Retrying in \(Int(delay)) s.")
                try await Task.sleep(for: .seconds(delay))
                delay = min(30, delay * 2)
            }
        }
    }

    static func cliFailure(in error: any Error) -> CLIFailure? {
        var cause: any Error = error
        while let wrapped = cause as? ClientError { cause = wrapped.underlyingError }
        return cause as? CLIFailure
    }
}

/// One line on standard output, flushed (the agent runs under supervisors that read it).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data("\(line)\n".utf8))
}

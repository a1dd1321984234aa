// `minnow worker`: runs background jobs (training, evaluation) from the server's database.
// `minnow serve` starts one by default; start more, here or on other machines that reach the
// same PostgreSQL, to run more jobs at once.
import ArgumentParser
import Foundation
import MinnowCore
import MinnowServer
import MinnowWorker

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run background jobs (training, evaluation) from the server's database.",
        discussion: """
            A worker claims one job at a time with a lease it renews every few seconds; if it \
            dies, another worker takes the job over once the lease expires. SIGTERM or SIGINT \
            hands the running job back to the queue and exits. Point it at the server's \
            database: the same --data-dir (SQLite) or --database-url (PostgreSQL).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("log-level"), help: .init(ConfigurationKey.logLevel.help)) var logLevel: String?
    @Option(
        name: .customLong("lease-seconds"),
        help: "How long a claimed job stays this worker's without a heartbeat (heartbeats come every lease/5 s).")
    var leaseSeconds: Int = 15

    func validate() throws {
        guard (2...600).contains(leaseSeconds) else { throw ValidationError("--lease-seconds must be 2–600") }
    }

    func run() async throws {
        let settings = try database.resolve(logLevel: logLevel)
        ServerSettings.startLogging(at: settings.logLevel)
        try await MinnowWorker.runWorker(settings, leaseSeconds: Double(leaseSeconds))
    }
}

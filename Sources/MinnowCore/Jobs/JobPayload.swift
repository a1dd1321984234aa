// What a job's payload holds, by kind: written by whoever queues the job (the API, the
// device registry), read by the worker that runs it.
import Foundation

package enum JobPayload {
    /// An evaluate job: what to evaluate the iteration on (no project: the job's input blob, a zip).
    package struct Evaluate: Codable {
        package var projectId: UUID?
        package var split: ImageSplit?

        package init(projectId: UUID? = nil, split: ImageSplit? = nil) {
            self.projectId = projectId
            self.split = split
        }
    }

    /// A firmware job: the install whose image to build.
    package struct Firmware: Codable {
        package var installId: UUID

        package init(installId: UUID) {
            self.installId = installId
        }
    }
}

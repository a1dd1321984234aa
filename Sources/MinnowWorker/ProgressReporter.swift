// Writes a training run's progress into the job's event log and the iteration's latest
// progress: every epoch and log line, and step progress at most once a second (a step can
// take milliseconds; the log should not).
import Foundation
import MinnowCore

package struct ProgressReporter {
    package let context: JobContext
    package var minimumInterval: TimeInterval = 1

    package func consume(_ events: AsyncStream<JobEvents.Draft>) async {
        var lastProgress = Date.distantPast
        for await event in events {
            do {
                if event.kind == .progress {
                    guard Date().timeIntervalSince(lastProgress) >= minimumInterval || isLastStep(event.progress) else {
                        continue
                    }
                    lastProgress = Date()
                    let text = try event.progress.map { try JSONText.encode($0) }
                    try await context.updateIteration { $0.progress = text }
                }
                try await context.event(event)
            } catch {
                context.logger.warning(
                    "cannot record progress", metadata: ["job": "\(context.jobID)", "error": "\(error)"])
            }
        }
    }

    private func isLastStep(_ progress: StoredTrainingProgress?) -> Bool {
        guard let progress else { return false }
        return progress.step == progress.steps
    }

    package init(context: JobContext, minimumInterval: TimeInterval = 1) {
        self.context = context
        self.minimumInterval = minimumInterval
    }
}

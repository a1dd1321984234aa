import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Job handlers")
struct JobHandlerTests {
    @Test func readAndCancelATrainingJob() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let iteration = try await harness.queuedIteration(in: pets, ownerID: ada.id)
            let jobID = try #require(iteration.jobId)
            // act
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getJob(.init(path: .init(jobId: jobID)))
            }
            let canceled = try await harness.call(as: ada.credentials) {
                try await $0.cancelJob(.init(path: .init(jobId: jobID)))
            }
            let again = try await harness.call(as: ada.credentials) {
                try await $0.cancelJob(.init(path: .init(jobId: jobID)))
            }
            let after = try await Iteration.find(UUID(uuidString: iteration.id), on: harness.db)
            // check
            let job = try read.ok.body.json
            #expect(job.kind == .train && job.status == .queued)
            #expect(job.iterationId == iteration.id && job.projectId == iteration.projectId)
            #expect(try canceled.ok.body.json.status == .canceled)
            #expect(try again.conflict.body.json.error.message == "The job already canceled.")
            #expect(after?.status == .canceled)
        }
    }

    @Test func anotherUsersJobIsNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.trainableProject("secret", ownerID: alice.id)
            let jobID = try #require(try await harness.queuedIteration(in: secret, ownerID: alice.id).jobId)
            // act
            let read = try await harness.call(as: bob.credentials) {
                try await $0.getJob(.init(path: .init(jobId: jobID)))
            }
            let cancel = try await harness.call(as: bob.credentials) {
                try await $0.cancelJob(.init(path: .init(jobId: jobID)))
            }
            let missing = try await harness.call(as: bob.credentials) {
                try await $0.getJob(.init(path: .init(jobId: UUID().apiString)))
            }
            let hers = try await harness.call(as: alice.credentials) {
                try await $0.getJob(.init(path: .init(jobId: jobID)))
            }
            // check
            #expect(try read.notFound.body.json.error.message == "Job not found.")
            #expect(try cancel.notFound.body.json.error.message == "Job not found.")
            _ = try missing.notFound
            #expect(try hers.ok.body.json.status == .queued)
        }
    }

    @Test func keysSeeTheirProjectsJobsWithTheirPermissions() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let other = try await harness.project("other", ownerID: ada.id)
            let jobID = try #require(try await harness.queuedIteration(in: pets, ownerID: ada.id).jobId)
            let reader = try await harness.key([.read], for: pets, ownerID: ada.id)
            let uploader = try await harness.key([.ingest], for: pets, ownerID: ada.id)
            let elsewhere = try await harness.key([.read, .write], for: other, ownerID: ada.id)
            // act
            let read = try await harness.call(as: reader) { try await $0.getJob(.init(path: .init(jobId: jobID))) }
            let cancel = try await harness.call(as: reader) { try await $0.cancelJob(.init(path: .init(jobId: jobID))) }
            let unread = try await harness.call(as: uploader) { try await $0.getJob(.init(path: .init(jobId: jobID))) }
            let notItsProject = try await harness.call(as: elsewhere) {
                try await $0.getJob(.init(path: .init(jobId: jobID)))
            }
            let anonymous = try await harness.call(as: nil) { try await $0.getJob(.init(path: .init(jobId: jobID))) }
            // check
            #expect(try read.ok.body.json.id == jobID)
            #expect(try cancel.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try unread.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            _ = try notItsProject.notFound
            #expect(try anonymous.unauthorized.headers.wwwAuthenticate == "Bearer")
        }
    }
}

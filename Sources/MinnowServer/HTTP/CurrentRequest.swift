// Gives the generated API handlers their Vapor request (database, logger, client address,
// headers) through a task-local set by `APITransport`.
import Vapor

enum CurrentRequest {
    @TaskLocal static var value: Request?

    static func get() throws -> Request {
        guard let value else { throw Abort(.internalServerError, reason: "No current request") }
        return value
    }
}

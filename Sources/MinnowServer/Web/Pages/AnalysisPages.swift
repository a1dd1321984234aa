// The dataset analysis page: the same analysis as the API's, drawn as charts, with each
// problem linking to the images it is about.
import MinnowCore
import Vapor

extension WebRoutes {
    func registerAnalysisPages(on routes: any RoutesBuilder) {
        routes.get(WebRoute.analysis) { request in
            let session = try await requireSession(request)
            let project = try await project(request, session)
            let snapshot = try await DatasetSnapshot.load(projectID: project.requireID(), on: request.db)
            let analysis = DatasetAnalyzer.analyze(snapshot, task: project.task)
            return Page.response(Views.analysis(session: session, project: project, analysis: analysis))
        }
    }
}

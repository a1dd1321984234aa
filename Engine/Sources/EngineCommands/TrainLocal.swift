// placeholder replaced below
import ArgumentParser
public struct TrainLocal: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "train-local")
    public init() {}
    public func run() async throws {}
}

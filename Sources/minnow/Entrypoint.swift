import MinnowCLI

@main
struct Entrypoint {
    static func main() async {
        await MinnowCommand.runMain()
    }
}

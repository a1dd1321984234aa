// minnow-engine: a development executable over EngineCommands (benchmarks, local runs).
import EngineCommands

await EngineTool.main()
